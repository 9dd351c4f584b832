// DeepSeek V3 / V3.2 (shared/formats/deepseek-v3.md). HF and native keys are identical except
// the routed experts, which are stacked into gate_and_up_projs / down_projs. FP8 weights are
// dequantized with their weight_scale_inv. The MTP layer (index num_hidden_layers) and the V3.2
// indexer keys need no rule of their own: they are converted like any other layer's keys.
#include "core/plan/config_values.h"
#include "core/plan/expert_plan.h"
#include "core/plan/family_adapter.h"
#include "core/plan/key_pattern.h"

#include <algorithm>
#include <array>
#include <map>

namespace ckpt {
namespace {

constexpr std::array<std::string_view, 3> kProjNames = {"gate_proj", "up_proj", "down_proj"};

// The prefix in front of "layers." is kept as found (M-3, M-4).
bool isV3Prefixed(std::string_view key, std::string_view& prefix, std::string_view& rest)
{
    auto split = splitLayerPrefix(key);
    if (!split) return false;
    prefix = split->prefix;
    rest = split->rest;
    return true;
}

void planMerge(PlanContext& ctx)
{
    std::map<std::string, PerExpertLayer> layers;
    std::uint64_t maxId = 0;
    for (const TensorRef* t : ctx.sorted()) {
        std::string_view prefix, rest;
        if (!isV3Prefixed(t->name, prefix, rest)) continue;
        auto m = matchKey("layers.{L}.mlp.experts.{E}.{w}.weight", rest);
        if (!m) continue;
        const std::string* proj = m->get('w');
        auto it = std::find(kProjNames.begin(), kProjNames.end(), *proj);
        if (it == kProjNames.end() || !m->number('E')) continue;
        const std::string base = std::string(prefix) + "layers." + *m->get('L') + ".mlp.experts.";
        PerExpertLayer& layer = layers[base];
        if (layer.gateAndUpName.empty()) {
            layer.gateAndUpName = base + "gate_and_up_projs";
            layer.downName = base + "down_projs";
            layer.hfKey = [base](std::uint64_t e, ExpertProj p) {
                return base + std::to_string(e) + "." + std::string(kProjNames[p]) + ".weight";
            };
        }
        const std::uint64_t id = *m->number('E');
        layer.byProj[it - kProjNames.begin()][id] = t;
        maxId = std::max(maxId, id);
    }
    if (layers.empty()) return;
    const std::uint64_t experts =
        expertCountOr(ctx, configUInt(ctx.config(), {"n_routed_experts"}), maxId + 1, "n_routed_experts");
    const auto inter = configUInt(ctx.config(), {"moe_intermediate_size"});
    for (const auto& [base, layer] : layers) planMergePerExpert(ctx, layer, experts, inter);
}

void planSplit(PlanContext& ctx)
{
    const auto configExperts = configUInt(ctx.config(), {"n_routed_experts"});
    const auto configInter = configUInt(ctx.config(), {"moe_intermediate_size"});
    for (const TensorRef* t : ctx.sorted()) {
        std::string_view prefix, rest;
        if (!isV3Prefixed(t->name, prefix, rest)) continue;
        auto m = matchKey("layers.{L}.mlp.experts.{w}", rest);
        if (!m) continue;
        // Dimensions read defensively: planSplit* reject tensors that are not 3-D.
        auto dim = [t](std::size_t i) { return i < t->shape.size() ? t->shape[i] : 0; };
        const std::string base = std::string(prefix) + "layers." + *m->get('L') + ".mlp.experts.";
        auto key = [base](std::uint64_t e, ExpertProj p) {
            return base + std::to_string(e) + "." + std::string(kProjNames[p]) + ".weight";
        };
        const std::uint64_t experts = configExperts.value_or(dim(0));
        // The split point is config I (reference); without config, half the width.
        if (*m->get('w') == "gate_and_up_projs")
            planSplitGateUp(ctx, *t, experts, configInter.value_or(dim(2) / 2), key);
        else if (*m->get('w') == "down_projs")
            planSplitDown(ctx, *t, experts, configInter.value_or(dim(1)), key);
    }
}

// should_quantize_key (deepseek-v3.md §4, §7): .weight keys that match none of these
// substrings. V3.2 adds indexer.weights_proj. ckptscope also keeps the MTP block's eh_proj and
// shared_head.head in BF16 as the official release stores them (the reference rule would
// quantize both; the release's 45,808 scales, real-checkpoints.md §3.1, leave no room for them).
bool v3Quantizable(std::string_view key)
{
    static constexpr std::array<std::string_view, 9> kKeep = {
        "input_layernorm.weight", "post_attention_layernorm.weight", "norm.weight",
        "lm_head.weight", "embed_tokens.weight", "mlp.gate.weight",
        "indexer.weights_proj.weight", "shared_head.head.weight", "eh_proj.weight"};
    if (!key.ends_with(".weight")) return false;
    for (std::string_view k : kKeep)
        if (key.find(k) != std::string_view::npos) return false;
    return true;
}

std::string v3ScaleName(std::string_view key) { return std::string(key) + "_scale_inv"; }

class DeepseekV3Adapter final : public FamilyAdapter {
public:
    Family family() const override { return Family::DeepseekV3; }
    void planSpecial(PlanContext& ctx) const override
    {
        if (ctx.to() == Layout::Native) planMerge(ctx);
        else planSplit(ctx);
    }
    std::string rename(const PlanContext&, std::string_view key) const override
    {
        return std::string(key);
    }
    bool keepsF32(std::string_view name, Layout) const override
    {
        return name.ends_with("e_score_correction_bias");
    }
    const Fp8ExportRule* fp8ExportRule() const override
    {
        static const Fp8ExportRule rule{v3Quantizable, v3ScaleName, DType::F32, 128};
        return &rule;
    }
};

} // namespace

const FamilyAdapter& deepseekV3Adapter()
{
    static const DeepseekV3Adapter adapter;
    return adapter;
}

} // namespace ckpt
