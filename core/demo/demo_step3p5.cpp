// Step-3.5-Flash demo (step3p5.md, real-checkpoints.md §3.4): `model.layers.L.*`, dense MLP in
// layers 0..2, MoE layers with grouped MoELinear experts moe.{gate,up}_proj [E, I, H] and
// moe.down_proj [E, H, I], router moe.gate.weight + F32 moe.router_bias, a shared expert, and
// head-wise attention gates; all BF16, untied embeddings. moe_layers_enum is a string as in
// the real config.

#include "core/demo/demo_families.h"

namespace ckpt::demo {
namespace {

using U = std::uint64_t;

struct StepDims {
    int vocab, hidden, intermediate, layers, denseLayers, experts, moeIntermediate, topK, shareDim;
    int heads, slidingHeads, groups, headDim;
};

StepDims dims(DemoSize size)
{
    if (size == DemoSize::Small) return {4096, 512, 1536, 8, 3, 8, 128, 2, 128, 8, 12, 2, 64};
    return {1024, 256, 512, 6, 3, 8, 64, 2, 64, 4, 6, 2, 32};
}

// 3:1 sliding:full, the first layer full (as in the real layer_types).
bool isFullAttention(int layer) { return layer % 4 == 0; }

// Step3p5RMSNorm stores zero-centred weights (output = x̂ · (w + 1)), so norms sit near 0.
void norm(DemoBuilder& b, const std::string& name, int size) { b.add(name, DType::BF16, {U(size)}, 0.0f, 0.05f); }

void bf16(DemoBuilder& b, const std::string& name, Shape shape) { b.add(name, DType::BF16, std::move(shape), 0.0f, 0.02f); }

void attention(DemoBuilder& b, const std::string& p, const StepDims& d, int l)
{
    const U H = U(d.hidden), hd = U(d.headDim), kv = U(d.groups) * hd;
    const U heads = U(isFullAttention(l) ? d.heads : d.slidingHeads);
    bf16(b, p + "self_attn.q_proj.weight", {heads * hd, H});
    bf16(b, p + "self_attn.k_proj.weight", {kv, H});
    bf16(b, p + "self_attn.v_proj.weight", {kv, H});
    bf16(b, p + "self_attn.o_proj.weight", {H, heads * hd});
    bf16(b, p + "self_attn.g_proj.weight", {heads, H});
    norm(b, p + "self_attn.q_norm.weight", d.headDim);
    norm(b, p + "self_attn.k_norm.weight", d.headDim);
}

void swiglu(DemoBuilder& b, const std::string& p, U hidden, U inner)
{
    bf16(b, p + "gate_proj.weight", {inner, hidden});
    bf16(b, p + "up_proj.weight", {inner, hidden});
    bf16(b, p + "down_proj.weight", {hidden, inner});
}

void moe(DemoBuilder& b, const std::string& p, const StepDims& d)
{
    const U H = U(d.hidden), E = U(d.experts), I = U(d.moeIntermediate);
    bf16(b, p + "moe.gate.weight", {E, H});
    b.add(p + "moe.router_bias", DType::F32, {E}, 0.0f, 0.01f);
    bf16(b, p + "moe.gate_proj.weight", {E, I, H});
    bf16(b, p + "moe.up_proj.weight", {E, I, H});
    bf16(b, p + "moe.down_proj.weight", {E, H, I});
    swiglu(b, p + "share_expert.", H, U(d.shareDim));
}

nlohmann::json config(const StepDims& d)
{
    std::string moeLayers;
    nlohmann::json layerTypes = nlohmann::json::array(), ropeTheta = nlohmann::json::array(),
                   partialRotary = nlohmann::json::array();
    for (int l = 0; l < d.layers; ++l) {
        if (l >= d.denseLayers) moeLayers += (moeLayers.empty() ? "" : ",") + std::to_string(l);
        layerTypes.push_back(isFullAttention(l) ? "full_attention" : "sliding_attention");
        ropeTheta.push_back(isFullAttention(l) ? 5000000.0 : 10000.0);
        partialRotary.push_back(isFullAttention(l) ? 0.5 : 1.0);
    }
    return {
        {"architectures", {"Step3p5ForCausalLM"}},
        {"model_type", "step3p5"},
        {"attention_other_setting",
         {{"attention_type", "sliding_attention"}, {"num_attention_heads", d.slidingHeads},
          {"num_attention_groups", d.groups}, {"head_dim", d.headDim}}},
        {"bos_token_id", 0},
        {"eos_token_id", 1},
        {"head_dim", d.headDim},
        {"hidden_size", d.hidden},
        {"intermediate_size", d.intermediate},
        {"layer_types", layerTypes},
        {"max_position_embeddings", 8192},
        {"moe_intermediate_size", d.moeIntermediate},
        {"moe_layers_enum", moeLayers},
        {"moe_num_experts", d.experts},
        {"moe_router_activation", "sigmoid"},
        {"moe_router_scaling_factor", 3.0},
        {"moe_top_k", d.topK},
        {"num_attention_groups", d.groups},
        {"num_attention_heads", d.heads},
        {"num_hidden_layers", d.layers},
        {"num_nextn_predict_layers", 0},
        {"partial_rotary_factors", partialRotary},
        {"rms_norm_eps", 1e-5},
        {"rope_theta", ropeTheta},
        {"share_expert_dim", d.shareDim},
        {"sliding_window", 512},
        {"tie_word_embeddings", false},
        {"torch_dtype", "bfloat16"},
        {"transformers_version", "4.57.1"},
        {"use_head_wise_attn_gate", true},
        {"use_moe_router_bias", true},
        {"vocab_size", d.vocab},
    };
}

} // namespace

void buildStep3p5(DemoBuilder& b, DemoSize size)
{
    const StepDims d = dims(size);
    const U H = U(d.hidden), V = U(d.vocab);
    bf16(b, "model.embed_tokens.weight", {V, H});
    for (int l = 0; l < d.layers; ++l) {
        const std::string p = layerPrefix("model.layers.", l);
        norm(b, p + "input_layernorm.weight", d.hidden);
        attention(b, p, d, l);
        norm(b, p + "post_attention_layernorm.weight", d.hidden);
        if (l < d.denseLayers) swiglu(b, p + "mlp.", H, U(d.intermediate));
        else moe(b, p, d);
    }
    norm(b, "model.norm.weight", d.hidden);
    bf16(b, "lm_head.weight", {V, H});
    b.config() = config(d);
    b.generationConfig() = {{"bos_token_id", 0}, {"eos_token_id", 1}, {"transformers_version", "4.57.1"}};
    b.setShardCount(size == DemoSize::Small ? 4 : 3);
}

} // namespace ckpt::demo
