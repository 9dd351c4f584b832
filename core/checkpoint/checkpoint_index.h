#pragma once
// model.safetensors.index.json: {"metadata": {...}, "weight_map": {tensor: shard file}}.
// Parsed with a SAX handler straight into flat vectors: the real DeepSeek-V3 index has 91,991
// entries, and building a DOM (one std::map node per entry) costs more than the whole rest of
// opening the checkpoint.

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct IndexEntry {
    std::string tensor;
    std::uint32_t shard = 0;  // into CheckpointIndex::shards
};

struct CheckpointIndex {
    std::vector<std::string> shards;   // distinct shard file names, sorted
    std::vector<IndexEntry> entries;   // sorted by tensor name, names unique
    std::optional<std::uint64_t> totalSize;  // metadata.total_size when it is an integer
};

inline constexpr const char* kIndexFileName = "model.safetensors.index.json";

// Errors: Io (unreadable), IndexInvalid (not JSON, not an object, weight_map missing or not an
// object of strings, a shard name that is not a plain file name, a tensor listed twice). Unknown
// keys, in `metadata` or at top level, are tolerated.
Result<CheckpointIndex> readCheckpointIndex(const std::string& path);
Result<CheckpointIndex> parseCheckpointIndex(std::string_view text, const std::string& pathForErrors);

} // namespace ckpt
