#pragma once

#include <optional>
#include <string_view>

namespace ckpt {

enum class Family { DeepseekV3, DeepseekV4, Gemma4Moe, Step3p5, Unknown };
enum class Layout { Hf, Native };

// CLI/JSON spellings: "deepseek_v3", "deepseek_v4", "gemma4_moe", "step3p5", "unknown";
// "hf", "native".
std::string_view familyName(Family family);
std::optional<Family> parseFamily(std::string_view name);
std::string_view layoutName(Layout layout);
std::optional<Layout> parseLayout(std::string_view name);

} // namespace ckpt
