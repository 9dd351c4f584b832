// detectFamily / detectLayout (declared in checkpoint.h). config.json is authoritative when it
// names an architecture; key patterns are the fallback for bare folders and single files, which
// is how converted shards and header-only copies usually arrive.

#include "core/checkpoint/checkpoint.h"

#include <string_view>

namespace ckpt {
namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::string_view stringField(const nlohmann::json& obj, const char* key)
{
    if (!obj.is_object()) return {};
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) return {};
    return it->get_ref<const std::string&>();
}

bool hasArchitecture(const nlohmann::json& config, std::string_view arch)
{
    auto it = config.find("architectures");
    if (it == config.end() || !it->is_array()) return false;
    for (const auto& a : *it)
        if (a.is_string() && a.get_ref<const std::string&>() == arch) return true;
    return false;
}

// Gemma4 is a VLM whose MoE variant is selected by text_config.enable_moe_block (a text-only
// config carries the flag at top level).
bool gemmaMoeEnabled(const nlohmann::json& config)
{
    for (const nlohmann::json* obj : {&config, config.contains("text_config") ? &config["text_config"]
                                                                             : nullptr}) {
        if (!obj || !obj->is_object()) continue;
        auto it = obj->find("enable_moe_block");
        if (it != obj->end() && it->is_boolean() && it->get<bool>()) return true;
    }
    return false;
}

// nullopt: the config names no architecture at all (fall back to keys).
std::optional<Family> familyFromModelType(std::string_view type, const nlohmann::json& config)
{
    if (type.empty()) return std::nullopt;
    if (type == "deepseek_v3" || type == "deepseek_v32") return Family::DeepseekV3;
    if (type == "deepseek_v4") return Family::DeepseekV4;
    if (type == "gemma4" || type == "gemma4_text")
        return gemmaMoeEnabled(config) ? Family::Gemma4Moe : Family::Unknown;
    if (type == "step3p5") return Family::Step3p5;
    return Family::Unknown;
}

std::optional<Family> familyFromConfig(const nlohmann::json& config)
{
    if (!config.is_object()) return std::nullopt;
    if (hasArchitecture(config, "DeepseekV3ForCausalLM") ||
        hasArchitecture(config, "DeepseekV32ForCausalLM"))
        return Family::DeepseekV3;
    if (hasArchitecture(config, "DeepseekV4ForCausalLM")) return Family::DeepseekV4;
    if (hasArchitecture(config, "Step3p5ForCausalLM")) return Family::Step3p5;
    if (hasArchitecture(config, "Gemma4ForConditionalGeneration") ||
        hasArchitecture(config, "Gemma4ForCausalLM"))
        return gemmaMoeEnabled(config) ? Family::Gemma4Moe : Family::Unknown;
    if (auto f = familyFromModelType(stringField(config, "model_type"), config)) {
        // A wrapper config (e.g. a VLM around a known text backbone) names the backbone in
        // text_config.model_type.
        if (*f != Family::Unknown) return f;
        if (auto inner = familyFromModelType(stringField(config.value("text_config", nlohmann::json()),
                                                         "model_type"),
                                             config);
            inner && *inner != Family::Unknown)
            return inner;
        return f;
    }
    if (config.contains("architectures")) return Family::Unknown;
    return std::nullopt;
}

// Key signatures, in HF and native spelling, chosen to be unique to one family.
Family familyFromKey(std::string_view key)
{
    // V4 spells attention `attn`/`ffn` (others use `self_attn`/`mlp`) and alone has hyper-
    // connection (`hc_*`) parameters and `mtp.K.` blocks; native V4 keeps `wq_a` and sinks.
    if (key.starts_with("mtp.") || key == "embed.weight" || contains(key, "hc_head") ||
        contains(key, ".hc_attn_") || contains(key, ".attn_hc.") || contains(key, ".ffn_hc.") ||
        contains(key, ".self_attn.wq_a.") || contains(key, ".self_attn.sinks_param.") ||
        (key.starts_with("layers.") && (contains(key, ".attn.") || contains(key, ".ffn."))))
        return Family::DeepseekV4;
    if (key.starts_with("model.language_model.layers.") || key.starts_with("language_model.layers.")) {
        if (contains(key, ".router.proj.") || contains(key, ".experts.gate_up_proj") ||
            contains(key, ".moe.gate.proj.") || contains(key, ".router.per_expert_scale"))
            return Family::Gemma4Moe;
    }
    if (contains(key, ".moe.router_bias") || contains(key, ".share_expert.") ||
        contains(key, ".moe.gate_proj.weight"))
        return Family::Step3p5;
    if (contains(key, ".self_attn.kv_a_proj_with_mqa.")) return Family::DeepseekV3;
    return Family::Unknown;
}

} // namespace

Family detectFamily(const nlohmann::json& config, const std::vector<TensorRef>& tensors)
{
    if (auto f = familyFromConfig(config)) return *f;
    for (const auto& t : tensors) {
        Family f = familyFromKey(t.name);
        if (f != Family::Unknown) return f;
    }
    return Family::Unknown;
}

Layout detectLayout(const std::map<std::string, std::string>& metadata,
                    const std::vector<TensorRef>& tensors)
{
    auto it = metadata.find("ckptscope.layout");
    if (it != metadata.end()) return it->second == "nemo-native" ? Layout::Native : Layout::Hf;
    for (const auto& t : tensors)
        if (contains(t.name, "experts.gate_and_up_projs")) return Layout::Native;
    return Layout::Hf;
}

} // namespace ckpt
