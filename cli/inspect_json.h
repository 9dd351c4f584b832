#pragma once
// The `inspect --json` document (DESIGN.md contract), written straight into one buffer: a real
// DeepSeek-V3 lists 91,991 tensors and 45,808 pairs, and building that as an nlohmann DOM (a map
// node and strings per field) cost more than opening the checkpoint. The text is byte-identical
// to nlohmann's dump(1, ' ', false, replace) of the same document, which printJson() writes.

#include "core/checkpoint/checkpoint.h"

#include <string>

namespace ckpt::cli {

std::string inspectJsonText(const Checkpoint& c);  // newline-terminated

} // namespace ckpt::cli
