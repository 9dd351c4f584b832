#include "ui/workers/mapping_export.h"

#include "core/convert/atomic_file.h"
#include "core/plan/plan_json.h"

namespace ckpt::ui {

namespace {

// RFC 4180: quote every field, double the quotes inside.
void field(std::string& out, std::string_view value, bool last = false)
{
    out += '"';
    for (char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    out += last ? '\n' : ',';
}

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
        field(out, t.name);
        field(out, "");
        field(out, "");
        field(out, "");
        field(out, "");
        field(out, std::string(status) + ": " + t.reason, true);
    }
}

} // namespace

std::string mappingCsv(const ConversionPlan& plan)
{
    std::string out;
    for (const char* h : {"source", "target", "dtype", "shape", "ops"})
        field(out, h);
    field(out, "status", true);
    for (const PlanOutput& o : plan.outputs) {
        std::string sources, ops;
        for (const std::string& s : o.sources)
            sources += (sources.empty() ? "" : ";") + s;
        for (const PlanOp& op : o.ops)
            ops += (ops.empty() ? "" : ";") + op.describe();
        field(out, sources);
        field(out, o.name);
        field(out, dtypeName(o.dtype));
        field(out, shapeText(o.shape));
        field(out, ops);
        field(out, "shard " + std::to_string(o.shard + 1), true);
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
