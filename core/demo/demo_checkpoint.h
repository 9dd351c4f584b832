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
// full-header (deepseek_v3, deepseek_v4 only): the real model's dims, key set, shard count and
// tensor count (real-checkpoints.md census) with real headers and the data left as holes
// (sparse files), to test browsing at full scale without 700 GB of disk.
// 1g / 2g / 4g (deepseek_v3 only): real per-tensor sizes (hidden 7168, expert 2048 x 7168 FP8)
// with few layers and experts, about 1, 2 and 4 GB of real data, for conversion benchmarks.
enum class DemoSize { Tiny, Small, FullHeader, Scale1G, Scale2G, Scale4G };

// "tiny", "small", "full-header", "1g", "2g", "4g"
std::string_view demoSizeName(DemoSize size);
std::optional<DemoSize> parseDemoSize(std::string_view name);
// Whether the family's builder has that size (tiny and small: all families).
bool demoSizeSupported(Family family, DemoSize size);

// Writes the checkpoint into `dst`, which must not exist or be an empty folder
// (DestinationInvalid naming dst otherwise). Family::Unknown is InvalidArgument. On failure or
// cancellation (Cancelled) nothing written is left behind.
Status writeDemoCheckpoint(const std::string& dst, Family family, DemoSize size, JobContext* job = nullptr);

} // namespace ckpt
