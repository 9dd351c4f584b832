#pragma once
// Synthetic checkpoints with the real on-disk layout of each supported family (key set, dtypes,
// quant layouts, sharding with an index, config.json with the family's real keys) at reduced
// dimensions. Used by `ckptscope-cli demo`, the tests and the GUI's embedded demo.

#include "core/checkpoint/family.h"
#include "core/job_context.h"
#include "core/result.h"

#include <optional>
#include <string>
#include <string_view>

namespace ckpt {

// tiny: a few MB (tests); small: about 20-60 MB (demos, benchmarks). Both use at least 3 shards.
enum class DemoSize { Tiny, Small };

std::string_view demoSizeName(DemoSize size);  // "tiny", "small"
std::optional<DemoSize> parseDemoSize(std::string_view name);

// Writes the checkpoint into `dst`, which must not exist or be an empty folder
// (DestinationInvalid naming dst otherwise). Family::Unknown is InvalidArgument. On failure or
// cancellation (Cancelled) nothing written is left behind.
Status writeDemoCheckpoint(const std::string& dst, Family family, DemoSize size, JobContext* job = nullptr);

} // namespace ckpt
