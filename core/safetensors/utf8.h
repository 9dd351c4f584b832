#pragma once
// Strict UTF-8 validation of a safetensors header, matching Rust's str::from_utf8 (which the
// official library applies before parsing): no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequences.

#include <span>

namespace ckpt::detail {

bool isValidUtf8(std::span<const char> bytes);

} // namespace ckpt::detail
