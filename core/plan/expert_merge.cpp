// Per-expert 2-D weights (DeepSeek V3 / V4 HF) <-> stacked native tensors.
#include "core/plan/expert_plan.h"

namespace ckpt {
namespace {

std::string shapeText(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::vector<std::string> presentKeys(const PerExpertLayer& layer)
{
    std::vector<std::string> keys;
    for (const auto& proj : layer.byProj)
        for (const auto& [id, t] : proj) keys.push_back(t->name);
    return keys;
}

const TensorRef* firstPresent(const PerExpertLayer& layer)
{
    for (const auto& proj : layer.byProj)
        if (!proj.empty()) return proj.begin()->second;
    return nullptr;
}

// UnexpectedExpert for ids >= numExperts, IncompleteExperts for missing members.
bool checkExpertSet(PlanContext& ctx, const PerExpertLayer& layer, std::uint64_t numExperts)
{
    if (const TensorRef* t = firstPresent(layer); t && !checkExpertCount(ctx, numExperts, t->name)) return false;
    for (const auto& proj : layer.byProj)
        for (const auto& [id, t] : proj)
            if (id >= numExperts) {
                ctx.fail(ctx.tensorError(ErrorCode::UnexpectedExpert, "expert id "
                                         + std::to_string(id) + " is not below the expert count "
                                         + std::to_string(numExperts), t->name),
                         presentKeys(layer));
                return false;
            }
    std::vector<std::string> missing;
    for (std::uint64_t e = 0; e < numExperts; ++e)
        for (int p = 0; p < 3; ++p)
            if (!layer.byProj[p].count(e)) missing.push_back(layer.hfKey(e, ExpertProj(p)));
    if (missing.empty()) return true;
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 6; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 6) list += ", ...";
    ctx.fail(ctx.tensorError(ErrorCode::IncompleteExperts, std::to_string(missing.size())
                             + " expert tensors missing for " + layer.gateAndUpName + ": " + list,
                             missing.front(), firstPresent(layer)),
             presentKeys(layer));
    return false;
}

} // namespace

void planMergePerExpert(PlanContext& ctx, const PerExpertLayer& layer, std::uint64_t numExperts,
                        std::optional<std::uint64_t> inter)
{
    if (!checkExpertSet(ctx, layer, numExperts)) return;
    const TensorRef* gate0 = layer.byProj[kGateProj].at(0);
    // Logical rows of the gate (fp4 weights are packed along columns, never rows).
    if (inter && !gate0->shape.empty() && gate0->shape[0] != *inter)
        return ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "expert weight has "
                                        + std::to_string(gate0->shape[0])
                                        + " rows but config moe_intermediate_size is "
                                        + std::to_string(*inter), gate0->name),
                        presentKeys(layer));
    planStackedExperts(ctx, layer.gateAndUpName, numExperts, [&](std::uint64_t e) {
        return std::vector<ExpertPiece>{
            {layer.byProj[kGateProj].at(e), {}, {}, true, nullptr, 0},
            {layer.byProj[kUpProj].at(e), {}, {}, true, nullptr, 0}};
    });
    planStackedExperts(ctx, layer.downName, numExperts, [&](std::uint64_t e) {
        return std::vector<ExpertPiece>{{layer.byProj[kDownProj].at(e), {}, {}, true, nullptr, 0}};
    });
}

void planSplitGateUp(PlanContext& ctx, const TensorRef& gateUp, std::uint64_t numExperts,
                     std::uint64_t inter, const ExpertKeyFn& hfKey)
{
    if (!checkExpertCount(ctx, numExperts, gateUp.name)) return;
    const auto& s = gateUp.shape;
    if (s.size() != 3 || s[0] != numExperts || s[2] != 2 * inter)
        return ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "shape " + shapeText(s)
                                        + " is not [" + std::to_string(numExperts) + ", H, "
                                        + std::to_string(2 * inter) + "] (experts, 2 x "
                                        "intermediate size)", gateUp.name));
    for (std::uint64_t e = 0; e < numExperts; ++e) {
        planSingleExpert(ctx, hfKey(e, kGateProj), {{&gateUp, e, std::pair<std::uint64_t, std::uint64_t>{0, inter}, true, nullptr, 0}});
        planSingleExpert(ctx, hfKey(e, kUpProj), {{&gateUp, e, std::pair<std::uint64_t, std::uint64_t>{inter, 2 * inter}, true, nullptr, 0}});
    }
}

void planSplitDown(PlanContext& ctx, const TensorRef& down, std::uint64_t numExperts,
                   std::uint64_t inter, const ExpertKeyFn& hfKey)
{
    if (!checkExpertCount(ctx, numExperts, down.name)) return;
    const auto& s = down.shape;
    if (s.size() != 3 || s[0] != numExperts || s[1] != inter)
        return ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "shape " + shapeText(s)
                                        + " is not [" + std::to_string(numExperts) + ", "
                                        + std::to_string(inter) + ", H] (experts, intermediate "
                                        "size, hidden)", down.name));
    for (std::uint64_t e = 0; e < numExperts; ++e)
        planSingleExpert(ctx, hfKey(e, kDownProj), {{&down, e, {}, true, nullptr, 0}});
}

} // namespace ckpt
