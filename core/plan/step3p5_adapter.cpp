// Step3p5 / Step-3.5-Flash (shared/formats/step3p5.md). HF stores grouped MoELinear weights
// (gate_proj / up_proj [E, I, H], down_proj [E, H, I]); native concatenates gate and up after
// transposing. The router bias is renamed (router_bias <-> gate.e_score_correction_bias; the
// legacy moe.gate.bias also goes back to router_bias). Everything else passes through.
#include "core/plan/config_values.h"
#include "core/plan/expert_plan.h"
#include "core/plan/family_adapter.h"
#include "core/plan/key_pattern.h"

#include <algorithm>
#include <map>

namespace ckpt {
namespace {

constexpr std::string_view kProj[3] = {"gate_proj", "up_proj", "down_proj"};

std::string shapeText(const std::vector<std::uint64_t>& s)
{
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

struct StepLayer {
    std::string base;  // "{prefix}layers.N.moe."
    const TensorRef* proj[3] = {nullptr, nullptr, nullptr};
    std::vector<std::string> present;
};

std::map<std::string, StepLayer> collectHfExperts(const PlanContext& ctx)
{
    std::map<std::string, StepLayer> layers;
    for (const TensorRef* t : ctx.sorted()) {
        auto lk = splitLayerPrefix(t->name);
        if (!lk) continue;
        auto m = matchKey("layers.{L}.moe.{w}.weight", lk->rest);
        if (!m) continue;
        auto it = std::find(std::begin(kProj), std::end(kProj), *m->get('w'));
        if (it == std::end(kProj)) continue;
        const std::string base = std::string(lk->prefix) + "layers." + *m->get('L') + ".moe.";
        StepLayer& l = layers[base];
        l.base = base;
        l.proj[it - std::begin(kProj)] = t;
        l.present.push_back(t->name);
    }
    return layers;
}

bool checkStepLayer(PlanContext& ctx, const StepLayer& l)
{
    for (int p = 0; p < 3; ++p)
        if (!l.proj[p]) {
            const std::string key = l.base + std::string(kProj[p]) + ".weight";
            ctx.fail(ctx.tensorError(ErrorCode::IncompleteExperts, "incomplete expert weights: "
                                     + key + " is missing", key,
                                     ctx.find(l.present.front())), l.present);
            return false;
        }
    const auto &g = l.proj[0]->shape, &u = l.proj[1]->shape, &d = l.proj[2]->shape;
    const auto configE = configUInt(ctx.config(), {"moe_num_experts"});
    const auto configI = configUInt(ctx.config(), {"moe_intermediate_size"});
    const bool ok = g.size() == 3 && g == u && d.size() == 3 && d[0] == g[0] && d[1] == g[2]
        && d[2] == g[1] && (!configE || *configE == g[0]) && (!configI || *configI == g[1]);
    if (!ok)
        ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "gate_proj " + shapeText(g) + ", up_proj "
                                 + shapeText(u) + " and down_proj " + shapeText(d) + " do not fit "
                                 "[E, I, H], [E, I, H], [E, H, I] with config moe_num_experts / "
                                 "moe_intermediate_size", l.proj[0]->name),
                 l.present);
    return ok;
}

void planToNative(PlanContext& ctx)
{
    for (const auto& [base, l] : collectHfExperts(ctx)) {
        if (!checkStepLayer(ctx, l)) continue;
        const std::uint64_t e = l.proj[0]->shape[0];
        planStackedExperts(ctx, base + "experts.gate_and_up_projs", e, [&l](std::uint64_t i) {
            return std::vector<ExpertPiece>{{l.proj[0], i, {}, true, nullptr, 0},
                                            {l.proj[1], i, {}, true, nullptr, 0}};
        });
        planStackedExperts(ctx, base + "experts.down_projs", e, [&l](std::uint64_t i) {
            return std::vector<ExpertPiece>{{l.proj[2], i, {}, true, nullptr, 0}};
        });
    }
}

// Native prefix is kept (the reference rewrites it to "model."; keeping it makes
// HF -> native -> HF exact for every accepted prefix).
void planToHf(PlanContext& ctx)
{
    const auto configI = configUInt(ctx.config(), {"moe_intermediate_size"});
    const auto configE = configUInt(ctx.config(), {"moe_num_experts"});
    for (const TensorRef* t : ctx.sorted()) {
        auto lk = splitLayerPrefix(t->name);
        auto m = lk ? matchKey("layers.{L}.moe.experts.{w}", lk->rest) : std::nullopt;
        if (!m || (*m->get('w') != "gate_and_up_projs" && *m->get('w') != "down_projs")) continue;
        const std::string base = std::string(lk->prefix) + "layers." + *m->get('L') + ".moe.";
        const auto& s = t->shape;
        const bool down = *m->get('w') == "down_projs";
        const std::uint64_t inter = configI.value_or(s.size() == 3 ? (down ? s[1] : s[2] / 2) : 0);
        const bool ok = s.size() == 3 && (!configE || *configE == s[0])
            && (down ? s[1] == inter : s[2] == 2 * inter);
        if (!ok) {
            ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "shape " + shapeText(s) + " does "
                                     "not fit moe_intermediate_size " + std::to_string(inter)
                                     + " / moe_num_experts", t->name));
            continue;
        }
        auto piece = [t](std::uint64_t i, std::optional<std::pair<std::uint64_t, std::uint64_t>> c) {
            return std::vector<ExpertPiece>{{t, i, c, true, nullptr, 0}};
        };
        if (down) {
            planStackedExperts(ctx, base + "down_proj.weight", s[0], [&](std::uint64_t i) { return piece(i, {}); });
            continue;
        }
        planStackedExperts(ctx, base + "gate_proj.weight", s[0], [&](std::uint64_t i) {
            return piece(i, std::pair<std::uint64_t, std::uint64_t>{0, inter});
        });
        planStackedExperts(ctx, base + "up_proj.weight", s[0], [&](std::uint64_t i) {
            return piece(i, std::pair<std::uint64_t, std::uint64_t>{inter, 2 * inter});
        });
    }
}

std::string renameBias(const PlanContext& ctx, std::string_view key)
{
    auto lk = findLastLayer(key);
    auto m = lk ? matchKey("layers.{L}.moe.*", lk->rest) : std::nullopt;
    if (!m) return std::string(key);  // S-9: no layers.N, unchanged
    const std::string base = std::string(lk->prefix) + "layers." + *m->get('L') + ".moe.";
    if (ctx.to() == Layout::Native)
        return m->rest == "router_bias" ? base + "gate.e_score_correction_bias" : std::string(key);
    if (m->rest == "gate.e_score_correction_bias") return base + "router_bias";
    // Legacy gate.bias also becomes router_bias (S-8), unless the layer has both biases.
    if (m->rest == "gate.bias" && !ctx.find(base + "gate.e_score_correction_bias"))
        return base + "router_bias";
    return std::string(key);
}

class Step3p5Adapter final : public FamilyAdapter {
public:
    Family family() const override { return Family::Step3p5; }
    void planSpecial(PlanContext& ctx) const override
    {
        if (ctx.to() == Layout::Native) planToNative(ctx);
        else planToHf(ctx);
    }
    std::string rename(const PlanContext& ctx, std::string_view key) const override
    {
        return renameBias(ctx, key);
    }
    bool keepsF32(std::string_view name, Layout) const override
    {
        // The router bias is an fp32 buffer (_keep_step_router_bias_fp32), in both layouts.
        return name.ends_with("e_score_correction_bias") || name.ends_with("moe.router_bias")
            || name.ends_with("moe.gate.bias");
    }
};

} // namespace

const FamilyAdapter& step3p5Adapter()
{
    static const Step3p5Adapter adapter;
    return adapter;
}

} // namespace ckpt
