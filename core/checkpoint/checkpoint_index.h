#pragma once
// model.safetensors.index.json: {"metadata": {...}, "weight_map": {tensor: shard file}}.
// Read with the strict token cursor of the header parser into flat arrays: the real DeepSeek-V3
// index has 91,991 entries, and a DOM or a hash map (one node and one string per entry) cost more
// than the whole rest of opening the checkpoint. Real indexes list names sorted (transformers
// writes sort_keys=True), which is checked in one pass before falling back to sorting.

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

struct CheckpointIndex {
    struct Entry {
        std::uint32_t offset = 0, length = 0;  // the tensor name, in `names`
        std::uint32_t shard = 0;               // into `shards`
    };
    std::vector<std::string> shards;  // distinct shard file names, sorted
    std::string names;                // all tensor names, back to back (one allocation, not 92k)
    std::vector<Entry> entries;       // sorted by name, names unique
    std::optional<std::uint64_t> totalSize;  // metadata.total_size if an integer

    std::string_view name(const Entry& e) const { return std::string_view(names).substr(e.offset, e.length); }
    // The alphabetically first tensor listed in `shard` (for messages); empty if none.
    std::string firstTensorIn(std::uint32_t shard) const;
};

inline constexpr const char* kIndexFileName = "model.safetensors.index.json";

// Errors: Io (unreadable), IndexInvalid (not JSON, not an object, weight_map missing, twice or not
// an object of strings, a shard name that is not a plain file name, a tensor listed twice).
// Unknown keys, in `metadata` or at top level, are tolerated.
Result<CheckpointIndex> readCheckpointIndex(const std::string& path);
Result<CheckpointIndex> parseCheckpointIndex(std::string_view text, const std::string& pathForErrors);

} // namespace ckpt
