// DeepSeek V4 Flash / Flash-Base / Pro (shared/formats/deepseek-v4.md). HF keys carry no
// "model." prefix and are renamed by the §3 table; routed experts (FP4 in I8 + E8M0 for Flash,
// FP8 for Base) are dequantized and stacked; MTP blocks mtp.K.* become mtp.layers.K.*; hash
// layers keep their token->expert table (I32 on disk, I64 native) and have no gate bias on disk.
#include "core/plan/config_values.h"
#include "core/plan/deepseek_v4_rules.h"
#include "core/plan/expert_plan.h"
#include "core/plan/family_adapter.h"

#include <algorithm>
#include <map>

namespace ckpt {
namespace {

constexpr std::string_view kHfProj[3] = {"w1", "w3", "w2"};  // by ExpertProj: gate, up, down

struct V4Config {
    std::optional<std::uint64_t> layers, nextn, experts, inter, hashLayers;
};

V4Config readConfig(const nlohmann::json& c)
{
    return {configUInt(c, {"num_hidden_layers"}), configUInt(c, {"num_nextn_predict_layers"}),
            configUInt(c, {"n_routed_experts"}), configUInt(c, {"moe_intermediate_size"}),
            configUInt(c, {"num_hash_layers"})};
}

// An HF key split into its MTP depth (if any) and the layer-local form the §3 table expects:
// "mtp.K.X" and the legacy "layers.{N+K}.X" / "model.layers.{N+K}.X" become "layers.K.X".
struct HfKey {
    std::optional<std::uint64_t> mtp;
    std::string local;
    bool legacy = false;
};

HfKey splitHfKey(const V4Config& cfg, std::string_view key)
{
    if (auto m = matchKey("mtp.{K}.*", key))
        return {m->number('K'), "layers." + *m->get('K') + "." + m->rest, false};
    if (cfg.layers && cfg.nextn.value_or(0) > 0) {
        auto m = matchKey("layers.{L}.*", key);
        if (!m) m = matchKey("model.layers.{L}.*", key);
        if (m && m->number('L') && *m->number('L') >= *cfg.layers) {
            const std::uint64_t k = *m->number('L') - *cfg.layers;
            return {k, "layers." + std::to_string(k) + "." + m->rest, true};
        }
    }
    return {std::nullopt, std::string(key), false};
}

// MTP outputs: "model.layers.K.X" (renamed) or "layers.K.X" (unrenamed) -> "mtp.layers.K.X".
std::string nativeName(const V4Config& cfg, std::string_view key)
{
    const HfKey k = splitHfKey(cfg, key);
    std::string renamed = applyRenameRules(v4::hfToNativeRules(), k.local).value_or(k.local);
    if (!k.mtp) return renamed;
    if (renamed.starts_with("model.")) renamed.erase(0, 6);
    return "mtp." + renamed;
}

std::string hfName(std::string_view key)
{
    auto m = matchKey("mtp.layers.{K}.*", key);
    if (!m) return applyRenameRules(v4::nativeToHfRules(), key).value_or(std::string(key));
    const std::string temp = "model.layers." + *m->get('K') + "." + m->rest;
    std::string out = applyRenameRules(v4::nativeToHfRules(), temp).value_or(temp);
    const std::string withModel = "model.layers." + *m->get('K') + ".";
    const std::string plain = "layers." + *m->get('K') + ".";
    if (out.starts_with(withModel)) return "mtp." + *m->get('K') + "." + out.substr(withModel.size());
    if (out.starts_with(plain)) return "mtp." + *m->get('K') + "." + out.substr(plain.size());
    return out;
}

std::string hfExpertBase(const std::optional<std::uint64_t>& mtp, const std::string& layer)
{
    return mtp ? "mtp." + std::to_string(*mtp) + ".ffn.experts." : "layers." + layer + ".ffn.experts.";
}

// Flash (fp4) and Base (fp8) experts must not be mixed in one checkpoint (edge-cases §2).
void checkExpertLayouts(PlanContext& ctx, const std::map<std::string, PerExpertLayer>& layers)
{
    const TensorRef* seen[2] = {nullptr, nullptr};
    for (const auto& [base, layer] : layers)
        for (const auto& proj : layer.byProj)
            for (const auto& [id, t] : proj)
                if (const QuantPair* p = ctx.pairOfWeight(t->name))
                    if (!seen[int(p->scheme)]) seen[int(p->scheme)] = t;
    if (seen[0] && seen[1])
        ctx.fail(ctx.tensorError(ErrorCode::UnsupportedDtype, "mixed routed-expert layouts: this "
                                 "weight is fp4_e2m1 but " + seen[0]->name + " is fp8_block",
                                 seen[1]->name));
}

void warnMtp(PlanContext& ctx, const V4Config& cfg, const std::map<std::uint64_t, bool>& depths)
{
    for (const auto& [k, legacy] : depths) {
        if (legacy)
            ctx.warn("MTP block " + std::to_string(k) + " is stored under its legacy layer index; "
                     "it converts to mtp.layers." + std::to_string(k) + " and back to mtp."
                     + std::to_string(k) + ".*");
        if (k >= cfg.nextn.value_or(0))
            ctx.warn("config.json num_nextn_predict_layers = " + std::to_string(cfg.nextn.value_or(0))
                     + " but MTP block " + std::to_string(k) + " is present; it is converted "
                     "anyway (the reference would drop it)");
    }
}

void planMerge(PlanContext& ctx)
{
    const V4Config cfg = readConfig(ctx.config());
    std::map<std::string, PerExpertLayer> layers;
    std::map<std::uint64_t, bool> mtpDepths;
    std::uint64_t maxId = 0;
    for (const TensorRef* t : ctx.sorted()) {
        const HfKey k = splitHfKey(cfg, t->name);
        if (k.mtp) mtpDepths[*k.mtp] = mtpDepths[*k.mtp] || k.legacy;
        auto m = matchKey("layers.{L}.ffn.experts.{E}.{w}.weight", k.local);
        if (!m || !m->number('E')) continue;
        auto it = std::find(std::begin(kHfProj), std::end(kHfProj), *m->get('w'));
        if (it == std::end(kHfProj)) continue;
        const std::string layer = *m->get('L');
        const std::string base = k.mtp ? "mtp.layers." + layer + ".mlp.experts."
                                       : "model.layers." + layer + ".mlp.experts.";
        PerExpertLayer& l = layers[base];
        if (l.gateAndUpName.empty()) {
            l.gateAndUpName = base + "gate_and_up_projs";
            l.downName = base + "down_projs";
            l.hfKey = [hf = hfExpertBase(k.mtp, layer)](std::uint64_t e, ExpertProj p) {
                return hf + std::to_string(e) + "." + std::string(kHfProj[p]) + ".weight";
            };
        }
        l.byProj[it - std::begin(kHfProj)][*m->number('E')] = t;
        maxId = std::max(maxId, *m->number('E'));
    }
    warnMtp(ctx, cfg, mtpDepths);
    if (layers.empty()) return;
    checkExpertLayouts(ctx, layers);
    const std::uint64_t experts = expertCountOr(ctx, cfg.experts, maxId + 1, "n_routed_experts");
    for (const auto& [base, layer] : layers) planMergePerExpert(ctx, layer, experts, cfg.inter);
}

bool isHashLayer(const PlanContext& ctx, const V4Config& cfg, std::uint64_t layer)
{
    // Hash layers are known from config and from data: a layer with a tid2eid table.
    return layer < cfg.hashLayers.value_or(0)
        || ctx.find("model.layers." + std::to_string(layer) + ".mlp.gate.tid2eid");
}

void dropHashLayerBiases(PlanContext& ctx, const V4Config& cfg)
{
    for (const TensorRef* t : ctx.sorted()) {
        auto m = matchKey("model.layers.{L}.mlp.gate.e_score_correction_bias", t->name);
        if (!m || !m->number('L') || !isHashLayer(ctx, cfg, *m->number('L'))) continue;
        ctx.drop(t->name, "layer " + *m->get('L') + " is hash-routed (tid2eid): DeepSeek V4 "
                 "stores no ffn.gate.bias for hash layers");
    }
}

void planSplit(PlanContext& ctx)
{
    const V4Config cfg = readConfig(ctx.config());
    dropHashLayerBiases(ctx, cfg);
    for (const TensorRef* t : ctx.sorted()) {
        auto m = matchKey("model.layers.{L}.mlp.experts.{w}", t->name);
        const bool mtp = !m;
        if (!m) m = matchKey("mtp.layers.{L}.mlp.experts.{w}", t->name);
        if (!m) continue;
        const std::string& w = *m->get('w');
        if (w != "gate_and_up_projs" && w != "down_projs") continue;
        const std::string hf = hfExpertBase(mtp ? m->number('L') : std::nullopt, *m->get('L'));
        auto key = [hf](std::uint64_t e, ExpertProj p) {
            return hf + std::to_string(e) + "." + std::string(kHfProj[p]) + ".weight";
        };
        auto dim = [](const TensorRef* x, std::size_t i) { return i < x->shape.size() ? x->shape[i] : 0; };
        const std::uint64_t experts = cfg.experts.value_or(dim(t, 0));
        // V4 splits at half the stored width (not config I); a config that disagrees is refused.
        const std::string base = t->name.substr(0, t->name.size() - w.size());
        const TensorRef* gateUp = ctx.find(base + "gate_and_up_projs");
        const std::uint64_t inter = gateUp ? dim(gateUp, 2) / 2 : cfg.inter.value_or(dim(t, 1));
        if (cfg.inter && *cfg.inter != inter) {
            ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, "half the stored width is "
                                     + std::to_string(inter) + " but config moe_intermediate_size is "
                                     + std::to_string(*cfg.inter), t->name));
            continue;
        }
        if (w == "gate_and_up_projs") planSplitGateUp(ctx, *t, experts, inter, key);
        else planSplitDown(ctx, *t, experts, inter, key);
    }
}

std::string v4ScaleName(std::string_view key) { return v4::fp8ScaleName(key); }
bool v4Quantizable(std::string_view key) { return v4::fp8Quantizable(key); }

class DeepseekV4Adapter final : public FamilyAdapter {
public:
    Family family() const override { return Family::DeepseekV4; }
    void planSpecial(PlanContext& ctx) const override
    {
        if (ctx.to() == Layout::Native) planMerge(ctx);
        else planSplit(ctx);
    }
    std::string rename(const PlanContext& ctx, std::string_view key) const override
    {
        if (ctx.to() == Layout::Native) return nativeName(readConfig(ctx.config()), key);
        return hfName(key);
    }
    DType plainDtype(const PlanContext& ctx, std::string_view outName, const TensorRef& src,
                     bool dequantized) const override
    {
        // tid2eid: I32 on disk, an int64 buffer in the model (§8); restored to I32 for HF.
        if (outName.ends_with("tid2eid") && isInteger(src.dtype) && ctx.from() != ctx.to())
            return ctx.to() == Layout::Native ? DType::I64 : DType::I32;
        return FamilyAdapter::plainDtype(ctx, outName, src, dequantized);
    }
    bool keepsF32(std::string_view name, Layout layout) const override
    {
        return v4::keepsF32(name, layout);
    }
    bool looksLikeScale(std::string_view name, Layout layout) const override
    {
        return layout == Layout::Hf && (name.ends_with(".scale") || name.ends_with("_scale_inv"));
    }
    const Fp8ExportRule* fp8ExportRule() const override
    {
        static const Fp8ExportRule rule{v4Quantizable, v4ScaleName, DType::F32, 128};
        return &rule;
    }
};

} // namespace

const FamilyAdapter& deepseekV4Adapter()
{
    static const DeepseekV4Adapter adapter;
    return adapter;
}

} // namespace ckpt
