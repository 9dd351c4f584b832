#pragma once
// Where a conversion may write. Nothing the user owns is ever overwritten: DST == SRC, DST inside
// SRC (or SRC inside DST), and a non-empty DST are refused; --resume is accepted only for a DST
// that holds this tool's journal.

#include "core/result.h"

#include <string>

namespace ckpt {

inline constexpr const char* kJournalFileName = ".ckptscope-convert.json";

// `source` may be a folder or a single .safetensors file (its folder counts as the source).
Status checkDestination(const std::string& source, const std::string& destination, bool resume);

} // namespace ckpt
