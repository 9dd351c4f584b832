// DeepSeek V3 demo: the official FP8 release layout (deepseek-v3.md, real-checkpoints.md §3.1)
// at reduced size. FP8 e4m3 + F32 128x128 weight_scale_inv on every linear except norms,
// embeddings, lm_head and the router; dense first layers; MTP block at index num_hidden_layers.

#include "core/demo/demo_families.h"

namespace ckpt::demo {
namespace {

struct V3Dims {
    int vocab, hidden, intermediate, moeIntermediate, experts, topK, groups, topkGroup;
    int layers, denseLayers, heads, qLora, kvLora, qkNope, qkRope, vHead;
};

// kvLora + qkRope (the kv_a_proj_with_mqa rows, 576 in the real model) is deliberately not a
// multiple of 128, so edge scale blocks exist.
// full-header: the real config (real-checkpoints.md §3.1). 1g/2g/4g: real per-tensor shapes
// (hidden 7168, dense 18432, experts 2048 x 7168, q/kv LoRA ranks) with 16 heads, a short
// vocabulary, one dense + one MoE layer and the MTP block; the expert count sets the size
// (about 0.86 GB + 88 MB per expert, both MoE blocks together). n_group 1 since the expert
// count is not a multiple of 8.
V3Dims dims(DemoSize size)
{
    switch (size) {
    case DemoSize::Small: return {2048, 768, 1536, 256, 8, 2, 4, 2, 4, 1, 4, 384, 256, 64, 64, 64};
    case DemoSize::FullHeader: return {129280, 7168, 18432, 2048, 256, 8, 8, 4, 61, 3, 128, 1536, 512, 128, 64, 128};
    case DemoSize::Scale1G: return {2048, 7168, 18432, 2048, 2, 2, 1, 1, 2, 1, 16, 1536, 512, 128, 64, 128};
    case DemoSize::Scale2G: return {2048, 7168, 18432, 2048, 14, 2, 1, 1, 2, 1, 16, 1536, 512, 128, 64, 128};
    case DemoSize::Scale4G: return {2048, 7168, 18432, 2048, 38, 2, 1, 1, 2, 1, 16, 1536, 512, 128, 64, 128};
    case DemoSize::Tiny: break;
    }
    return {1024, 256, 512, 128, 8, 2, 2, 1, 3, 1, 2, 192, 128, 64, 32, 64};
}

// Shards: the real release has 163 (census); the scale demos about 1 GB each like
// max_shard_size-style releases; tiny and small 3 and 5.
std::size_t shardCount(DemoSize size)
{
    switch (size) {
    case DemoSize::Small: return 5;
    case DemoSize::FullHeader: return 163;
    case DemoSize::Scale1G: return 2;
    case DemoSize::Scale2G: return 4;
    case DemoSize::Scale4G: return 8;
    case DemoSize::Tiny: break;
    }
    return 3;
}

void fp8(DemoBuilder& b, const std::string& w, std::uint64_t rows, std::uint64_t cols)
{
    b.addFp8(w + ".weight", w + ".weight_scale_inv", rows, cols, DType::F32);
}

void norm(DemoBuilder& b, const std::string& name, int size) { b.add(name, DType::BF16, {std::uint64_t(size)}, 1.0f, 0.05f); }

void attention(DemoBuilder& b, const std::string& p, const V3Dims& d)
{
    const auto H = std::uint64_t(d.hidden);
    const auto qHead = std::uint64_t(d.qkNope + d.qkRope);
    norm(b, p + "input_layernorm.weight", d.hidden);
    fp8(b, p + "self_attn.q_a_proj", std::uint64_t(d.qLora), H);
    norm(b, p + "self_attn.q_a_layernorm.weight", d.qLora);
    fp8(b, p + "self_attn.q_b_proj", std::uint64_t(d.heads) * qHead, std::uint64_t(d.qLora));
    fp8(b, p + "self_attn.kv_a_proj_with_mqa", std::uint64_t(d.kvLora + d.qkRope), H);
    norm(b, p + "self_attn.kv_a_layernorm.weight", d.kvLora);
    fp8(b, p + "self_attn.kv_b_proj", std::uint64_t(d.heads * (d.qkNope + d.vHead)), std::uint64_t(d.kvLora));
    fp8(b, p + "self_attn.o_proj", H, std::uint64_t(d.heads * d.vHead));
    norm(b, p + "post_attention_layernorm.weight", d.hidden);
}

void swiglu(DemoBuilder& b, const std::string& p, std::uint64_t hidden, std::uint64_t inner)
{
    fp8(b, p + "gate_proj", inner, hidden);
    fp8(b, p + "up_proj", inner, hidden);
    fp8(b, p + "down_proj", hidden, inner);
}

void moe(DemoBuilder& b, const std::string& p, const V3Dims& d)
{
    const auto H = std::uint64_t(d.hidden), I = std::uint64_t(d.moeIntermediate);
    b.add(p + "mlp.gate.weight", DType::BF16, {std::uint64_t(d.experts), H}, 0.0f, 0.02f);
    b.add(p + "mlp.gate.e_score_correction_bias", DType::F32, {std::uint64_t(d.experts)}, 0.0f, 0.01f);
    swiglu(b, p + "mlp.shared_experts.", H, I);
    for (int e = 0; e < d.experts; ++e) swiglu(b, p + "mlp.experts." + std::to_string(e) + ".", H, I);
}

nlohmann::json config(const V3Dims& d)
{
    return {
        {"architectures", {"DeepseekV3ForCausalLM"}},
        {"model_type", "deepseek_v3"},
        {"attention_bias", false},
        {"attention_dropout", 0.0},
        {"bos_token_id", 0},
        {"eos_token_id", 1},
        {"ep_size", 1},
        {"first_k_dense_replace", d.denseLayers},
        {"hidden_act", "silu"},
        {"hidden_size", d.hidden},
        {"initializer_range", 0.02},
        {"intermediate_size", d.intermediate},
        {"kv_lora_rank", d.kvLora},
        {"max_position_embeddings", 4096},
        {"moe_intermediate_size", d.moeIntermediate},
        {"moe_layer_freq", 1},
        {"n_group", d.groups},
        {"n_routed_experts", d.experts},
        {"n_shared_experts", 1},
        {"norm_topk_prob", true},
        {"num_attention_heads", d.heads},
        {"num_experts_per_tok", d.topK},
        {"num_hidden_layers", d.layers},
        {"num_key_value_heads", d.heads},
        {"num_nextn_predict_layers", 1},
        {"q_lora_rank", d.qLora},
        {"qk_nope_head_dim", d.qkNope},
        {"qk_rope_head_dim", d.qkRope},
        {"quantization_config",
         {{"activation_scheme", "dynamic"}, {"fmt", "e4m3"}, {"quant_method", "fp8"},
          {"weight_block_size", {128, 128}}}},
        {"rms_norm_eps", 1e-6},
        {"rope_scaling",
         {{"beta_fast", 32}, {"beta_slow", 1}, {"factor", 40}, {"mscale", 1.0}, {"mscale_all_dim", 1.0},
          {"original_max_position_embeddings", 4096}, {"type", "yarn"}}},
        {"rope_theta", 10000},
        {"routed_scaling_factor", 2.5},
        {"scoring_func", "sigmoid"},
        {"tie_word_embeddings", false},
        {"topk_group", d.topkGroup},
        {"topk_method", "noaux_tc"},
        {"torch_dtype", "bfloat16"},
        {"transformers_version", "4.46.3"},
        {"use_cache", true},
        {"v_head_dim", d.vHead},
        {"vocab_size", d.vocab},
    };
}

} // namespace

void buildDeepseekV3(DemoBuilder& b, DemoSize size)
{
    const V3Dims d = dims(size);
    const auto H = std::uint64_t(d.hidden), V = std::uint64_t(d.vocab);
    b.add("model.embed_tokens.weight", DType::BF16, {V, H}, 0.0f, 0.02f);
    for (int l = 0; l < d.layers; ++l) {
        const std::string p = layerPrefix("model.layers.", l);
        attention(b, p, d);
        if (l < d.denseLayers) swiglu(b, p + "mlp.", H, std::uint64_t(d.intermediate));
        else moe(b, p, d);
    }
    norm(b, "model.norm.weight", d.hidden);
    b.add("lm_head.weight", DType::BF16, {V, H}, 0.0f, 0.02f);

    // MTP module (the release's model.layers.61): a full MoE block plus its own embedding copy,
    // the enorm/hnorm pair, eh_proj (BF16 in the release) and a shared head.
    const std::string mtp = layerPrefix("model.layers.", d.layers);
    b.add(mtp + "embed_tokens.weight", DType::BF16, {V, H}, 0.0f, 0.02f);
    norm(b, mtp + "enorm.weight", d.hidden);
    norm(b, mtp + "hnorm.weight", d.hidden);
    b.add(mtp + "eh_proj.weight", DType::BF16, {H, 2 * H}, 0.0f, 0.02f);
    attention(b, mtp, d);
    moe(b, mtp, d);
    norm(b, mtp + "shared_head.norm.weight", d.hidden);
    b.add(mtp + "shared_head.head.weight", DType::BF16, {V, H}, 0.0f, 0.02f);

    b.config() = config(d);
    b.generationConfig() = {{"_from_model_config", true}, {"bos_token_id", 0}, {"eos_token_id", 1},
                            {"do_sample", true}, {"temperature", 0.6}, {"top_p", 0.95},
                            {"transformers_version", "4.46.3"}};
    b.setShardCount(shardCount(size));
    b.setHeadersOnly(size == DemoSize::FullHeader);
}

} // namespace ckpt::demo
