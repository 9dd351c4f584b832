#include "core/plan/deepseek_v4_rules.h"

#include <array>

namespace ckpt::v4 {
namespace {

// Numbers in the comments are the rows of deepseek-v4.md §3.
constexpr std::array<RenameRule, 25> kHfToNative{{
    {"embed.*", "model.embed_tokens.*"},                                             // 1
    {"norm.*", "model.norm.*"},                                                      // 2
    {"head.*", "lm_head.*"},                                                         // 3
    {"layers.{L}.attn_norm.*", "model.layers.{L}.input_layernorm.*"},                // 4
    {"layers.{L}.ffn_norm.*", "model.layers.{L}.post_attention_layernorm.*"},        // 5
    {"layers.{L}.attn.attn_sink", "model.layers.{L}.self_attn.sinks_param.weight"},  // 6
    {"layers.{L}.attn.indexer.compressor.norm.*",
     "model.layers.{L}.self_attn.compressor.indexer.kv_norm.*"},                     // 7
    {"layers.{L}.attn.indexer.compressor.ape",
     "model.layers.{L}.self_attn.compressor.indexer.ape_param.weight"},              // 8
    {"layers.{L}.attn.indexer.compressor.wgate.*",
     "model.layers.{L}.self_attn.compressor.indexer.wgate.*"},                       // 9
    {"layers.{L}.attn.indexer.compressor.wkv.*",
     "model.layers.{L}.self_attn.compressor.indexer.wkv.*"},                         // 10
    {"layers.{L}.attn.indexer.*", "model.layers.{L}.self_attn.compressor.indexer.*"},  // 11
    {"layers.{L}.attn.compressor.norm.*", "model.layers.{L}.self_attn.compressor.kv_norm.*"},  // 12
    {"layers.{L}.attn.compressor.ape", "model.layers.{L}.self_attn.compressor.ape_param.weight"},  // 13
    {"layers.{L}.attn.*", "model.layers.{L}.self_attn.*"},                           // 14
    {"layers.{L}.ffn.gate.bias", "model.layers.{L}.mlp.gate.e_score_correction_bias"},  // 15
    {"layers.{L}.ffn.gate.*", "model.layers.{L}.mlp.gate.*"},                        // 16
    {"layers.{L}.ffn.shared_experts.w1.*", "model.layers.{L}.mlp.shared_experts.gate_proj.*"},  // 17
    {"layers.{L}.ffn.shared_experts.w3.*", "model.layers.{L}.mlp.shared_experts.up_proj.*"},    // 18
    {"layers.{L}.ffn.shared_experts.w2.*", "model.layers.{L}.mlp.shared_experts.down_proj.*"},  // 19
    {"layers.{L}.ffn.fc1_latent_proj.*", "model.layers.{L}.mlp.fc1_latent_proj.*"},  // 20
    {"layers.{L}.ffn.fc2_latent_proj.*", "model.layers.{L}.mlp.fc2_latent_proj.*"},  // 21
    {"layers.{L}.hc_attn_{w}", "model.layers.{L}.attn_hc.{w}"},                      // 22
    {"layers.{L}.hc_ffn_{w}", "model.layers.{L}.ffn_hc.{w}"},                        // 23
    {"layers.{L}.hc_head_{w}", "model.layers.{L}.hc_head.hc_{w}"},                   // 24
    {"hc_head_{w}", "model.hc_head.hc_{w}"},                                         // 25
}};

// §3.1, in its order.
constexpr std::array<RenameRule, 25> kNativeToHf{{
    {"model.embed_tokens.*", "embed.*"},
    {"model.norm.*", "norm.*"},
    {"lm_head.*", "head.*"},
    {"model.layers.{L}.input_layernorm.*", "layers.{L}.attn_norm.*"},
    {"model.layers.{L}.post_attention_layernorm.*", "layers.{L}.ffn_norm.*"},
    {"model.layers.{L}.self_attn.sinks_param.weight", "layers.{L}.attn.attn_sink"},
    {"model.layers.{L}.self_attn.compressor.indexer.kv_norm.*",
     "layers.{L}.attn.indexer.compressor.norm.*"},
    {"model.layers.{L}.self_attn.compressor.indexer.ape_param.weight",
     "layers.{L}.attn.indexer.compressor.ape"},
    {"model.layers.{L}.self_attn.compressor.indexer.wgate.*",
     "layers.{L}.attn.indexer.compressor.wgate.*"},
    {"model.layers.{L}.self_attn.compressor.indexer.wkv.*",
     "layers.{L}.attn.indexer.compressor.wkv.*"},
    {"model.layers.{L}.self_attn.compressor.indexer.*", "layers.{L}.attn.indexer.*"},
    {"model.layers.{L}.self_attn.compressor.kv_norm.*", "layers.{L}.attn.compressor.norm.*"},
    {"model.layers.{L}.self_attn.compressor.ape_param.weight", "layers.{L}.attn.compressor.ape"},
    {"model.layers.{L}.self_attn.*", "layers.{L}.attn.*"},
    {"model.layers.{L}.mlp.gate.e_score_correction_bias", "layers.{L}.ffn.gate.bias"},
    {"model.layers.{L}.mlp.gate.*", "layers.{L}.ffn.gate.*"},
    {"model.layers.{L}.mlp.shared_experts.gate_proj.*", "layers.{L}.ffn.shared_experts.w1.*"},
    {"model.layers.{L}.mlp.shared_experts.up_proj.*", "layers.{L}.ffn.shared_experts.w3.*"},
    {"model.layers.{L}.mlp.shared_experts.down_proj.*", "layers.{L}.ffn.shared_experts.w2.*"},
    {"model.layers.{L}.mlp.fc1_latent_proj.*", "layers.{L}.ffn.fc1_latent_proj.*"},
    {"model.layers.{L}.mlp.fc2_latent_proj.*", "layers.{L}.ffn.fc2_latent_proj.*"},
    {"model.layers.{L}.attn_hc.{w}", "layers.{L}.hc_attn_{w}"},
    {"model.layers.{L}.ffn_hc.{w}", "layers.{L}.hc_ffn_{w}"},
    {"model.layers.{L}.hc_head.hc_{w}", "layers.{L}.hc_head_{w}"},
    {"model.hc_head.hc_{w}", "hc_head_{w}"},
}};

constexpr std::array<std::string_view, 22> kNonQuantized{
    "attn_norm.weight", "ffn_norm.weight", "norm.weight", "head.weight", "embed.weight",
    "ffn.gate.weight", "ffn.gate.bias", "ffn.gate.tid2eid", "attn.q_norm.weight",
    "attn.kv_norm.weight", "attn.attn_sink", "attn.compressor.wgate.weight",
    "attn.compressor.wkv.weight", "attn.compressor.norm.weight", "attn.compressor.ape",
    "attn.indexer.compressor.wgate.weight", "attn.indexer.compressor.wkv.weight",
    "attn.indexer.compressor.norm.weight", "attn.indexer.compressor.ape",
    "attn.indexer.weights_proj.weight", "ffn.fc1_latent_proj.weight", "ffn.fc2_latent_proj.weight"};

bool containsAny(std::string_view name, std::span<const std::string_view> parts)
{
    for (std::string_view p : parts)
        if (name.find(p) != std::string_view::npos) return true;
    return false;
}

} // namespace

std::span<const RenameRule> hfToNativeRules() { return kHfToNative; }
std::span<const RenameRule> nativeToHfRules() { return kNativeToHf; }

bool fp8Quantizable(std::string_view hfKey)
{
    return hfKey.ends_with(".weight") && !containsAny(hfKey, kNonQuantized);
}

std::string fp8ScaleName(std::string_view hfKey)
{
    return std::string(hfKey.substr(0, hfKey.size() - std::string_view(".weight").size())) + ".scale";
}

bool keepsF32(std::string_view name, Layout layout)
{
    // Native: DeepseekV4ForCausalLM._keep_in_fp32_modules_strict. lm_head and the compressor
    // projections are BF16 in HF files, so on the way back they take --dtype like other weights.
    static constexpr std::array<std::string_view, 12> kNative = {
        "attn_hc.", "ffn_hc.", "hc_head.hc_", "self_attn.sinks_param", "compressor.wkv.",
        "compressor.wgate.", "compressor.ape_param", "compressor.indexer.wkv.",
        "compressor.indexer.wgate.", "compressor.indexer.ape_param", "e_score_correction_bias",
        "lm_head."};
    // HF: the ones stored as fp32 by the reference model (§4 "fp32 expected").
    static constexpr std::array<std::string_view, 6> kHf = {
        "hc_attn_", "hc_ffn_", "hc_head_", "attn.attn_sink", "compressor.ape", "ffn.gate.bias"};
    if (layout == Layout::Native) return containsAny(name, kNative);
    return containsAny(name, kHf);
}

} // namespace ckpt::v4
