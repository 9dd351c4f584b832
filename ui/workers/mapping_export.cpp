#include "ui/workers/mapping_export.h"

#include "core/convert/atomic_file.h"
#include "ui/workers/csv_field.h"
#include "core/plan/plan_json.h"

namespace ckpt::ui {

namespace {

std::string shapeText(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

void sourceOnlyRows(std::string& out, const std::vector<DroppedTensor>& rows, std::string_view status)
{
    for (const DroppedTensor& t : rows) {
        appendCsvField(out, t.name);
        appendCsvField(out, "");
        appendCsvField(out, "");
        appendCsvField(out, "");
        appendCsvField(out, "");
        appendCsvField(out, std::string(status) + ": " + t.reason, true);
    }
}

} // namespace

std::string mappingCsv(const ConversionPlan& plan)
{
    std::string out;
    for (const char* h : {"source", "target", "dtype", "shape", "ops"})
        appendCsvField(out, h);
    appendCsvField(out, "status", true);
    for (const PlanOutput& o : plan.outputs) {
        std::string sources, ops;
        for (const std::string& s : o.sources)
            sources += (sources.empty() ? "" : ";") + s;
        for (const PlanOp& op : o.ops)
            ops += (ops.empty() ? "" : ";") + op.describe();
        appendCsvField(out, sources);
        appendCsvField(out, o.name);
        appendCsvField(out, dtypeName(o.dtype));
        appendCsvField(out, shapeText(o.shape));
        appendCsvField(out, ops);
        appendCsvField(out, "shard " + std::to_string(o.shard + 1), true);
    }
    sourceOnlyRows(out, plan.dropped, "dropped");
    sourceOnlyRows(out, plan.consumed, "consumed");
    return out;
}

Status exportMapping(const ConversionPlan& plan, const std::string& path)
{
    const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return writeFileAtomically(path, json ? planToJson(plan).dump(2) + "\n" : mappingCsv(plan));
}

} // namespace ckpt::ui
