#pragma once
// Reading the few config.json numbers a plan needs. Multimodal configs (Gemma4) nest the text
// model under "text_config", so lookups try the top level first, then text_config.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace ckpt {

// The first of `keys` present as a non-negative integer.
std::optional<std::uint64_t> configUInt(const nlohmann::json& config,
                                        std::initializer_list<std::string_view> keys);
std::optional<bool> configBool(const nlohmann::json& config, std::string_view key);

} // namespace ckpt
