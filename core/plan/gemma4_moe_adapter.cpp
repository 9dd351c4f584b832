// Gemma4 MoE (shared/formats/gemma4-moe.md). Only router and expert keys differ between HF and
// native. HF stores experts stacked ([E, 2I, H] / [E, H, I]); native transposes the last two
// axes, and folds router.per_expert_scale into down_projs (ScaleAbsorb on axis 0). On the way
// back the scale is written as ones, so HF -> native -> HF keeps the values only if every scale
// was 1: the plan says so in a warning.
#include "core/plan/config_values.h"
#include "core/plan/expert_plan.h"
#include "core/plan/family_adapter.h"
#include "core/plan/key_pattern.h"

#include <map>

namespace ckpt {
namespace {

std::string shapeText(const std::vector<std::uint64_t>& s)
{
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

struct GemmaLayer {
    std::string prefix;  // of the native output: "model." or "" + "language_model."
    std::string layer;   // "layers.N."
    const TensorRef* gateUp = nullptr;
    const TensorRef* down = nullptr;
    const TensorRef* scale = nullptr;
    std::vector<std::string> present;
};

// HF expert keys (accepted variants, §2): layers.N.{moe,experts}.{gate_up_proj,down_proj,
// per_expert_scale} and layers.N.router.per_expert_scale, searched from the end of the key.
std::map<std::string, GemmaLayer> collectHfExperts(const PlanContext& ctx)
{
    bool modelPrefix = false;
    for (const TensorRef* t : ctx.sorted()) modelPrefix = modelPrefix || t->name.starts_with("model.");
    std::map<std::string, GemmaLayer> layers;
    for (const TensorRef* t : ctx.sorted()) {
        auto lk = findLastLayer(t->name);
        if (!lk) continue;
        auto m = matchKey("layers.{L}.{g}.{w}", lk->rest);
        if (!m) continue;
        const std::string &group = *m->get('g'), &what = *m->get('w');
        const bool expertGroup = group == "moe" || group == "experts";
        GemmaLayer* l = nullptr;
        auto slot = [&]() -> GemmaLayer& {
            GemmaLayer& g = layers["layers." + *m->get('L') + "."];
            g.prefix = modelPrefix ? "model.language_model." : "language_model.";
            g.layer = "layers." + *m->get('L') + ".";
            return g;
        };
        if (expertGroup && what == "gate_up_proj") (l = &slot())->gateUp = t;
        else if (expertGroup && what == "down_proj") (l = &slot())->down = t;
        else if ((expertGroup || group == "router") && what == "per_expert_scale") (l = &slot())->scale = t;
        if (l) l->present.push_back(t->name);
    }
    return layers;
}

bool checkGemmaLayer(PlanContext& ctx, const GemmaLayer& l)
{
    const std::string hf = l.prefix + l.layer;
    const char* missing = !l.gateUp ? "experts.gate_up_proj" : !l.down ? "experts.down_proj"
                        : !l.scale ? "router.per_expert_scale" : nullptr;
    if (missing) {
        ctx.fail(ctx.tensorError(ErrorCode::IncompleteExperts, "incomplete expert weights of "
                                 + l.layer.substr(0, l.layer.size() - 1) + ": " + hf + missing
                                 + " is missing", hf + missing,
                                 ctx.find(l.present.front())), l.present);
        return false;
    }
    const auto &gu = l.gateUp->shape, &d = l.down->shape, &s = l.scale->shape;
    const auto configE = configUInt(ctx.config(), {"num_experts"});
    const auto configI = configUInt(ctx.config(), {"moe_intermediate_size", "expert_intermediate_size"});
    const bool ok = gu.size() == 3 && d.size() == 3 && s.size() == 1 && gu[0] == d[0]
        && s[0] == gu[0] && gu[1] == 2 * d[2] && gu[2] == d[1]
        && (!configE || *configE == gu[0]) && (!configI || *configI == d[2]);
    if (!ok)
        ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "gate_up_proj " + shapeText(gu)
                                 + ", down_proj " + shapeText(d) + " and per_expert_scale "
                                 + shapeText(s) + " do not fit [E, 2I, H], [E, H, I], [E] with "
                                 "config num_experts / moe_intermediate_size", l.down->name),
                 l.present);
    return ok;
}

void planToNative(PlanContext& ctx)
{
    std::size_t absorbed = 0;
    for (const auto& [key, l] : collectHfExperts(ctx)) {
        if (!checkGemmaLayer(ctx, l)) continue;
        const std::string base = l.prefix + l.layer + "moe.experts.";
        const std::uint64_t e = l.gateUp->shape[0];
        planStackedExperts(ctx, base + "gate_and_up_projs", e, [&](std::uint64_t i) {
            return std::vector<ExpertPiece>{{l.gateUp, i, {}, true, nullptr, 0}};
        });
        planStackedExperts(ctx, base + "down_projs", e, [&](std::uint64_t i) {
            return std::vector<ExpertPiece>{{l.down, i, {}, true, l.scale, i}};
        });
        ctx.consume(l.scale->name, "absorbed into " + base + "down_projs (scale-absorb)");
        ++absorbed;
    }
    if (absorbed)
        ctx.warn("router.per_expert_scale of " + std::to_string(absorbed) + " layers is multiplied "
                 "into down_projs; converting back writes ones, so HF -> native -> HF keeps the "
                 "values only if every scale is 1");
}

void planToHf(PlanContext& ctx)
{
    std::size_t filled = 0;
    for (const TensorRef* t : ctx.sorted()) {
        auto lk = findLastLayer(t->name);
        if (!lk) continue;
        auto m = matchKey("layers.{L}.moe.experts.{w}", lk->rest);
        if (!m || (*m->get('w') != "gate_and_up_projs" && *m->get('w') != "down_projs")) continue;
        const std::string base = std::string(lk->prefix) + "layers." + *m->get('L') + ".";
        if (t->shape.size() != 3) {
            ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "stacked expert tensor "
                                     + shapeText(t->shape) + " is not 3-D", t->name));
            continue;
        }
        const bool down = *m->get('w') == "down_projs";
        planStackedExperts(ctx, base + (down ? "experts.down_proj" : "experts.gate_up_proj"),
                           t->shape[0], [t](std::uint64_t i) {
                               return std::vector<ExpertPiece>{{t, i, {}, true, nullptr, 0}};
                           });
        if (!down) continue;
        PlanOutput ones;
        ones.name = base + "router.per_expert_scale";
        ones.dtype = ctx.weightDtype();
        ones.shape = {t->shape[0]};
        ones.ops = {PlanOp::fill(1.0)};
        ctx.addOutput(std::move(ones));
        ++filled;
    }
    if (filled)
        ctx.warn("router.per_expert_scale of " + std::to_string(filled) + " layers is written as "
                 "ones: native down_projs already include the scales");
}

// Router renames keep the key's prefix: "router." <-> "moe.gate." right after "layers.N.".
std::string renameRouter(std::string_view key, std::string_view from, std::string_view to)
{
    auto lk = findLastLayer(key);
    if (!lk) return std::string(key);
    auto m = matchKey("layers.{L}.*", lk->rest);
    if (!m || !m->rest.starts_with(from)) return std::string(key);
    const std::string tail = m->rest.substr(from.size());
    if (tail != "proj.weight" && tail != "scale") return std::string(key);
    return std::string(lk->prefix) + "layers." + *m->get('L') + "." + std::string(to) + tail;
}

class Gemma4MoeAdapter final : public FamilyAdapter {
public:
    Family family() const override { return Family::Gemma4Moe; }
    void planSpecial(PlanContext& ctx) const override
    {
        if (ctx.to() == Layout::Native) planToNative(ctx);
        else planToHf(ctx);
    }
    std::string rename(const PlanContext& ctx, std::string_view key) const override
    {
        return ctx.to() == Layout::Native ? renameRouter(key, "router.", "moe.gate.")
                                          : renameRouter(key, "moe.gate.", "router.");
    }
};

} // namespace

const FamilyAdapter& gemma4MoeAdapter()
{
    static const Gemma4MoeAdapter adapter;
    return adapter;
}

} // namespace ckpt
