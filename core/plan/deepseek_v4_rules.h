#pragma once
// DeepSeek V4 name tables (shared/formats/deepseek-v4.md §3, §3.1, §4, §7), kept apart from the
// adapter's logic so they can be checked against the spec line by line.

#include "core/checkpoint/family.h"
#include "core/plan/key_pattern.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ckpt::v4 {

// §3 HF -> native, first match wins (order matters: indexer.compressor before indexer before
// attn, compressor.norm/ape before attn.*). Unmatched keys keep their name.
std::span<const RenameRule> hfToNativeRules();
// §3.1 native -> HF, the exact inverses, in the spec's order.
std::span<const RenameRule> nativeToHfRules();

// §7: HF keys that never get a .scale (substring match).
bool fp8Quantizable(std::string_view hfKey);
std::string fp8ScaleName(std::string_view hfKey);  // "X.weight" -> "X.scale"

// §4 / DESIGN.md: tensors written as F32 in `layout` whatever --dtype says.
bool keepsF32(std::string_view name, Layout layout);

} // namespace ckpt::v4
