// DeepSeek V4 (Flash) demo: HF keys without `model.` prefix (deepseek-v4.md §2, §4), non-expert
// linears FP8 e4m3 + `.scale` as E8M0 (the Flash config's scale_fmt ue8m0), routed experts FP4
// (I8 [out, in/2] + F8_E8M0 [out, in/32]), hash layers with tid2eid and no gate bias,
// compressor/indexer per compress_ratios, hyper-connection params, MTP block `mtp.0.*`.

#include "core/demo/demo_families.h"

namespace ckpt::demo {
namespace {

using U = std::uint64_t;

struct V4Dims {
    int vocab, hidden, layers, hashLayers, heads, headDim, rope, qLora, oLora, oGroups;
    int indexHeads, indexDim, experts, moeIntermediate, topK, hc;
    std::vector<int> compressRatios;  // one per layer, then the MTP layer (0 like the real tail)
};

// The Flash-0731 release's compress_ratios: [0,0] + [4,128] x 20 + [4,0,0,0], 46 entries for 43
// layers; the tail covers the MTP block and the two extra DSpark stages.
std::vector<int> flashCompressRatios()
{
    std::vector<int> r{0, 0};
    for (int i = 0; i < 20; ++i) r.insert(r.end(), {4, 128});
    r.insert(r.end(), {4, 0, 0, 0});
    return r;
}

V4Dims dims(DemoSize size)
{
    if (size == DemoSize::FullHeader)
        return {129280, 4096, 43, 3, 64, 512, 64, 1024, 1024, 8, 64, 128, 256, 2048, 6, 4, flashCompressRatios()};
    if (size == DemoSize::Small)
        return {2048, 768, 6, 3, 8, 128, 32, 384, 256, 4, 8, 64, 8, 256, 2, 4, {0, 0, 4, 128, 4, 128, 0}};
    return {1024, 256, 5, 3, 4, 64, 16, 128, 64, 2, 4, 32, 8, 128, 2, 4, {0, 0, 4, 128, 4, 0}};
}

void norm(DemoBuilder& b, const std::string& name, int size) { b.add(name, DType::BF16, {U(size)}, 1.0f, 0.05f); }

void fp8(DemoBuilder& b, const std::string& w, U rows, U cols)
{
    b.addFp8(w + ".weight", w + ".scale", rows, cols, DType::F8_E8M0);
}

void compressor(DemoBuilder& b, const std::string& p, U width, U normSize, U ratio, U hidden)
{
    // BF16 without scale on disk (in the fp32 keep list natively), per §4.
    b.add(p + "wkv.weight", DType::BF16, {width, hidden}, 0.0f, 0.02f);
    b.add(p + "wgate.weight", DType::BF16, {width, hidden}, 0.0f, 0.02f);
    norm(b, p + "norm.weight", int(normSize));
    b.add(p + "ape", DType::F32, {ratio, width}, 0.0f, 0.02f);
}

void attention(DemoBuilder& b, const std::string& p, const V4Dims& d, int ratio)
{
    const U H = U(d.hidden), heads = U(d.heads), hd = U(d.headDim), groups = U(d.oGroups);
    fp8(b, p + "attn.wq_a", U(d.qLora), H);
    norm(b, p + "attn.q_norm.weight", d.qLora);
    fp8(b, p + "attn.wq_b", heads * hd, U(d.qLora));
    fp8(b, p + "attn.wkv", hd, H);
    norm(b, p + "attn.kv_norm.weight", d.headDim);
    fp8(b, p + "attn.wo_a", groups * U(d.oLora), heads * hd / groups);
    fp8(b, p + "attn.wo_b", H, groups * U(d.oLora));
    b.add(p + "attn.attn_sink", DType::F32, {heads}, 0.0f, 0.5f);
    if (ratio > 0) compressor(b, p + "attn.compressor.", (ratio == 4 ? 2 : 1) * hd, hd, U(ratio), H);
    if (ratio == 4) {
        const U idx = U(d.indexHeads) * U(d.indexDim);
        fp8(b, p + "attn.indexer.wq_b", idx, U(d.qLora));
        b.add(p + "attn.indexer.weights_proj.weight", DType::BF16, {U(d.indexHeads), H}, 0.0f, 0.02f);
        compressor(b, p + "attn.indexer.compressor.", 2 * U(d.indexDim), U(d.indexDim), 4, H);
    }
}

void ffn(DemoBuilder& b, const std::string& p, const V4Dims& d, bool hashLayer)
{
    const U H = U(d.hidden), I = U(d.moeIntermediate), E = U(d.experts);
    b.add(p + "ffn.gate.weight", DType::BF16, {E, H}, 0.0f, 0.02f);
    // Hash layers route by token id and carry no correction bias on disk (§8).
    if (hashLayer) b.addExpertTable(p + "ffn.gate.tid2eid", U(d.vocab), std::uint32_t(d.topK), std::uint32_t(E));
    else b.add(p + "ffn.gate.bias", DType::F32, {E}, 0.0f, 0.01f);
    for (U e = 0; e < E; ++e) {
        const std::string x = p + "ffn.experts." + std::to_string(e) + ".";
        b.addFp4(x + "w1.weight", x + "w1.scale", I, H);
        b.addFp4(x + "w2.weight", x + "w2.scale", H, I);
        b.addFp4(x + "w3.weight", x + "w3.scale", I, H);
    }
    fp8(b, p + "ffn.shared_experts.w1", I, H);
    fp8(b, p + "ffn.shared_experts.w2", H, I);
    fp8(b, p + "ffn.shared_experts.w3", I, H);
}

void hyperConnections(DemoBuilder& b, const std::string& p, const V4Dims& d)
{
    const U mix = U((2 + d.hc) * d.hc), width = U(d.hc) * U(d.hidden);
    for (const char* kind : {"attn", "ffn"}) {
        const std::string k = p + "hc_" + kind + "_";
        b.add(k + "fn", DType::F32, {mix, width}, 0.0f, 0.02f);
        b.add(k + "base", DType::F32, {mix}, 0.0f, 0.1f);
        b.add(k + "scale", DType::F32, {3}, 1.0f, 0.1f);
    }
}

void hyperHead(DemoBuilder& b, const std::string& p, const V4Dims& d)
{
    b.add(p + "hc_head_fn", DType::F32, {U(d.hc), U(d.hc) * U(d.hidden)}, 0.0f, 0.02f);
    b.add(p + "hc_head_base", DType::F32, {U(d.hc)}, 0.0f, 0.1f);
    b.add(p + "hc_head_scale", DType::F32, {1}, 1.0f, 0.1f);
}

void block(DemoBuilder& b, const std::string& p, const V4Dims& d, int layerIndex)
{
    norm(b, p + "attn_norm.weight", d.hidden);
    attention(b, p, d, d.compressRatios[std::size_t(layerIndex)]);
    norm(b, p + "ffn_norm.weight", d.hidden);
    ffn(b, p, d, layerIndex < d.hashLayers);
    hyperConnections(b, p, d);
}

nlohmann::json config(const V4Dims& d)
{
    return {
        {"architectures", {"DeepseekV4ForCausalLM"}},
        {"model_type", "deepseek_v4"},
        {"bos_token_id", 0},
        {"eos_token_id", 1},
        {"compress_ratios", d.compressRatios},
        {"compress_rope_theta", 160000},
        {"expert_dtype", "fp4"},
        {"hc_eps", 1e-6},
        {"hc_mult", d.hc},
        {"hc_sinkhorn_iters", 20},
        {"head_dim", d.headDim},
        {"hidden_size", d.hidden},
        {"index_head_dim", d.indexDim},
        {"index_n_heads", d.indexHeads},
        {"index_topk", 64},
        {"max_position_embeddings", 16384},
        {"moe_intermediate_size", d.moeIntermediate},
        {"n_routed_experts", d.experts},
        {"n_shared_experts", 1},
        {"num_attention_heads", d.heads},
        {"num_experts_per_tok", d.topK},
        {"num_hash_layers", d.hashLayers},
        {"num_hidden_layers", d.layers},
        {"num_key_value_heads", 1},
        {"num_nextn_predict_layers", 1},
        {"o_groups", d.oGroups},
        {"o_lora_rank", d.oLora},
        {"q_lora_rank", d.qLora},
        {"qk_rope_head_dim", d.rope},
        {"quantization_config",
         {{"activation_scheme", "dynamic"}, {"fmt", "e4m3"}, {"quant_method", "fp8"},
          {"scale_fmt", "ue8m0"}, {"weight_block_size", {128, 128}}}},
        {"rms_norm_eps", 1e-6},
        {"rope_scaling",
         {{"beta_fast", 32}, {"beta_slow", 1}, {"factor", 16}, {"original_max_position_embeddings", 1024},
          {"type", "yarn"}}},
        {"rope_theta", 10000},
        {"routed_scaling_factor", 1.5},
        {"scoring_func", "sqrtsoftplus"},
        {"sliding_window", 128},
        {"swiglu_limit", 10.0},
        {"tie_word_embeddings", false},
        {"topk_method", "noaux_tc"},
        {"torch_dtype", "bfloat16"},
        {"transformers_version", "4.57.1"},
        {"vocab_size", d.vocab},
    };
}

} // namespace

void buildDeepseekV4(DemoBuilder& b, DemoSize size)
{
    const V4Dims d = dims(size);
    const U H = U(d.hidden), V = U(d.vocab);
    b.add("embed.weight", DType::BF16, {V, H}, 0.0f, 0.02f);

    const bool full = size == DemoSize::FullHeader;
    if (full) b.endShard();  // the release: shard 1 is the embedding alone, then a layer per shard
    for (int l = 0; l < d.layers; ++l) {
        block(b, layerPrefix("layers.", l), d, l);
        if (full) b.endShard();
    }
    norm(b, "norm.weight", d.hidden);
    b.add("head.weight", DType::BF16, {V, H}, 0.0f, 0.02f);
    hyperHead(b, "", d);
    if (full) b.endShard();

    // MTP depth 0: a full block (global index num_hidden_layers) plus the fusion projections.
    const std::string mtp = "mtp.0.";
    fp8(b, mtp + "e_proj", H, H);
    fp8(b, mtp + "h_proj", H, H);
    norm(b, mtp + "enorm.weight", d.hidden);
    norm(b, mtp + "hnorm.weight", d.hidden);
    block(b, mtp, d, d.layers);
    norm(b, mtp + "norm.weight", d.hidden);
    hyperHead(b, mtp, d);
    if (full) {
        // Flash-0731's two further DSpark stages: bare blocks, one shard each. Their key prefix
        // is not public; mtp.1 / mtp.2 is our choice. With them the census matches: 48 shards,
        // 72,317 tensors (DSpark stages 4,705 = 1,575 + 2 x 1,565).
        b.endShard();
        for (int stage = 1; stage <= 2; ++stage) {
            block(b, "mtp." + std::to_string(stage) + ".", d, d.layers + stage);
            b.endShard();
        }
    }

    b.config() = config(d);
    if (full) {
        auto& c = b.config();
        c["index_topk"] = 512;
        c["max_position_embeddings"] = 1048576;
        c["rope_scaling"]["original_max_position_embeddings"] = 65536;
        c["dspark_block_size"] = 5;
        c["dspark_noise_token_id"] = 128799;
        c["dspark_target_layer_ids"] = {40, 41, 42};
        c["dspark_markov_rank"] = 256;
    }
    b.generationConfig() = {{"_from_model_config", true}, {"bos_token_id", 0}, {"eos_token_id", 1},
                            {"transformers_version", "4.57.1"}};
    b.setShardCount(size == DemoSize::Small ? 5 : 3);
    b.setHeadersOnly(full);
}

} // namespace ckpt::demo
