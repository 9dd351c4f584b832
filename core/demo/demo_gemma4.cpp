// Gemma4 MoE (gemma-4-26B-A4B) demo: the VLM tree `model.language_model.*` with, in every layer,
// a dense MLP beside the MoE block (router.{proj.weight, scale, per_expert_scale} + 3-D
// experts.gate_up_proj [E, 2I, H] / down_proj [E, H, I]), all BF16, tied embeddings (no
// lm_head.weight), and a few vision tower keys (gemma4-moe.md, real-checkpoints.md §3.3).

#include "core/demo/demo_families.h"

namespace ckpt::demo {
namespace {

using U = std::uint64_t;

struct GemmaDims {
    int vocab, hidden, intermediate, experts, moeIntermediate, topK, layers;
    int heads, kvHeads, globalKvHeads, headDim, globalHeadDim, slidingPerFull;
    int visionHidden, visionLayers;
};

GemmaDims dims(DemoSize size)
{
    if (size == DemoSize::Small) return {4096, 512, 768, 8, 128, 2, 6, 8, 4, 2, 64, 128, 5, 256, 2};
    return {2048, 128, 256, 8, 64, 2, 6, 4, 2, 1, 32, 64, 5, 64, 1};
}

// 5 sliding-window layers, then one full-attention layer, repeating.
bool isFullAttention(const GemmaDims& d, int layer) { return (layer + 1) % (d.slidingPerFull + 1) == 0; }

void bf16(DemoBuilder& b, const std::string& name, Shape shape, float mean = 0.0f, float stddev = 0.02f)
{
    b.add(name, DType::BF16, std::move(shape), mean, stddev);
}

void layer(DemoBuilder& b, const std::string& p, const GemmaDims& d, int l)
{
    const U H = U(d.hidden), E = U(d.experts), I = U(d.moeIntermediate);
    const bool full = isFullAttention(d, l);
    const U hd = U(full ? d.globalHeadDim : d.headDim);
    const U kv = U(full ? d.globalKvHeads : d.kvHeads);
    bf16(b, p + "input_layernorm.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "self_attn.q_proj.weight", {U(d.heads) * hd, H});
    bf16(b, p + "self_attn.k_proj.weight", {kv * hd, H});
    // attention_k_eq_v: full-attention layers reuse K as V and store no v_proj.
    if (!full) bf16(b, p + "self_attn.v_proj.weight", {kv * hd, H});
    bf16(b, p + "self_attn.o_proj.weight", {H, U(d.heads) * hd});
    bf16(b, p + "self_attn.q_norm.weight", {hd}, 1.0f, 0.05f);
    bf16(b, p + "self_attn.k_norm.weight", {hd}, 1.0f, 0.05f);
    bf16(b, p + "post_attention_layernorm.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "pre_feedforward_layernorm.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "mlp.gate_proj.weight", {U(d.intermediate), H});
    bf16(b, p + "mlp.up_proj.weight", {U(d.intermediate), H});
    bf16(b, p + "mlp.down_proj.weight", {H, U(d.intermediate)});
    bf16(b, p + "post_feedforward_layernorm_1.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "router.proj.weight", {E, H});
    bf16(b, p + "router.scale", {H}, 1.0f, 0.05f);
    bf16(b, p + "router.per_expert_scale", {E}, 1.0f, 0.1f);
    bf16(b, p + "pre_feedforward_layernorm_2.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "experts.gate_up_proj", {E, 2 * I, H});
    bf16(b, p + "experts.down_proj", {E, H, I});
    bf16(b, p + "post_feedforward_layernorm_2.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "post_feedforward_layernorm.weight", {H}, 1.0f, 0.05f);
    bf16(b, p + "layer_scalar", {1}, 1.0f, 0.0f);
}

void visionTower(DemoBuilder& b, const GemmaDims& d)
{
    const U V = U(d.visionHidden);
    bf16(b, "model.vision_tower.patch_embedder.input_proj.weight", {V, 3 * 16 * 16});
    for (int l = 0; l < d.visionLayers; ++l) {
        const std::string p = layerPrefix("model.vision_tower.encoder.layers.", l);
        bf16(b, p + "input_layernorm.weight", {V}, 1.0f, 0.05f);
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"})
            bf16(b, p + "self_attn." + proj + ".linear.weight", {V, V});
        bf16(b, p + "mlp.gate_proj.linear.weight", {2 * V, V});
        bf16(b, p + "mlp.up_proj.linear.weight", {2 * V, V});
        bf16(b, p + "mlp.down_proj.linear.weight", {V, 2 * V});
    }
    bf16(b, "model.embed_vision.embedding_projection.weight", {U(d.hidden), V});
}

nlohmann::json config(const GemmaDims& d)
{
    nlohmann::json layerTypes = nlohmann::json::array();
    for (int l = 0; l < d.layers; ++l)
        layerTypes.push_back(isFullAttention(d, l) ? "full_attention" : "sliding_attention");
    nlohmann::json text = {
        {"model_type", "gemma4_text"},
        {"attention_k_eq_v", true},
        {"enable_moe_block", true},
        {"final_logit_softcapping", 30.0},
        {"global_head_dim", d.globalHeadDim},
        {"head_dim", d.headDim},
        {"hidden_activation", "gelu_pytorch_tanh"},
        {"hidden_size", d.hidden},
        {"intermediate_size", d.intermediate},
        {"layer_types", layerTypes},
        {"max_position_embeddings", 8192},
        {"moe_intermediate_size", d.moeIntermediate},
        {"num_attention_heads", d.heads},
        {"num_experts", d.experts},
        {"num_global_key_value_heads", d.globalKvHeads},
        {"num_hidden_layers", d.layers},
        {"num_key_value_heads", d.kvHeads},
        {"num_kv_shared_layers", 0},
        {"rms_norm_eps", 1e-6},
        {"rope_parameters",
         {{"full_attention", {{"partial_rotary_factor", 0.25}, {"rope_theta", 1000000.0}, {"rope_type", "proportional"}}},
          {"sliding_attention", {{"rope_theta", 10000.0}, {"rope_type", "default"}}}}},
        {"sliding_window", 512},
        {"tie_word_embeddings", true},
        {"top_k_experts", d.topK},
        {"vocab_size", d.vocab},
    };
    nlohmann::json vision = {{"model_type", "gemma4_vision"}, {"hidden_size", d.visionHidden},
                             {"num_hidden_layers", d.visionLayers}, {"patch_size", 16}};
    return {
        {"architectures", {"Gemma4ForConditionalGeneration"}},
        {"model_type", "gemma4"},
        {"text_config", text},
        {"vision_config", vision},
        {"tie_word_embeddings", true},
        {"torch_dtype", "bfloat16"},
        {"transformers_version", "5.5.0"},
    };
}

} // namespace

void buildGemma4Moe(DemoBuilder& b, DemoSize size)
{
    const GemmaDims d = dims(size);
    bf16(b, "model.language_model.embed_tokens.weight", {U(d.vocab), U(d.hidden)});
    for (int l = 0; l < d.layers; ++l) layer(b, layerPrefix("model.language_model.layers.", l), d, l);
    bf16(b, "model.language_model.norm.weight", {U(d.hidden)}, 1.0f, 0.05f);
    visionTower(b, d);
    // No lm_head.weight: tied to embed_tokens, as in the real release.
    b.config() = config(d);
    b.generationConfig() = {{"bos_token_id", 2}, {"eos_token_id", {1, 106}}, {"pad_token_id", 0},
                            {"top_k", 64}, {"top_p", 0.95}, {"transformers_version", "5.5.0"}};
    b.setShardCount(size == DemoSize::Small ? 4 : 3);
}

} // namespace ckpt::demo
