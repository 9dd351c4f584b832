#include "core/plan/plan_json.h"

namespace ckpt {
namespace {

nlohmann::json outputJson(const PlanOutput& o)
{
    nlohmann::json ops = nlohmann::json::array();
    for (const PlanOp& op : o.ops) ops.push_back(op.describe());
    return {{"name", o.name},
            {"dtype", std::string(dtypeName(o.dtype))},
            {"shape", o.shape},
            {"shard", o.shard},
            {"nbytes", o.nbytes()},
            {"sources", o.sources},
            {"ops", std::move(ops)}};
}

void addNamed(nlohmann::json& doc, const char* names, const char* reasons,
              const std::vector<DroppedTensor>& list)
{
    nlohmann::json n = nlohmann::json::array(), r = nlohmann::json::array();
    for (const DroppedTensor& d : list) {
        n.push_back(d.name);
        r.push_back({{"name", d.name}, {"reason", d.reason}});
    }
    doc[names] = std::move(n);
    doc[reasons] = std::move(r);
}

} // namespace

nlohmann::json planToJson(const ConversionPlan& plan)
{
    nlohmann::json doc = nlohmann::json::object();
    doc["family"] = std::string(familyName(plan.family));
    doc["from"] = std::string(layoutName(plan.from));
    doc["to"] = std::string(layoutName(plan.to));
    doc["shards"] = plan.shardCount;
    doc["total_bytes"] = plan.totalBytes;
    nlohmann::json outputs = nlohmann::json::array();
    for (const PlanOutput& o : plan.outputs) outputs.push_back(outputJson(o));
    doc["outputs"] = std::move(outputs);
    addNamed(doc, "dropped", "dropped_reasons", plan.dropped);
    addNamed(doc, "consumed", "consumed_reasons", plan.consumed);
    doc["warnings"] = plan.warnings;
    doc["metadata"] = plan.metadata;
    return doc;
}

} // namespace ckpt
