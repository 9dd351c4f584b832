#pragma once
// One node of the flat TensorTree. Plain data, 56 bytes, so a 100k-tensor checkpoint (about
// 150k nodes) costs a few MiB and no per-node allocation. Ids are indices into the node vector;
// node 0 is the invisible root.

#include <cstdint>
#include <limits>

namespace ckpt::ui {

inline constexpr std::uint32_t kNoTensor = std::numeric_limits<std::uint32_t>::max();
// TreeNode::file when the subtree spans several shards; TreeNode::dtype when it mixes dtypes.
inline constexpr std::int32_t kMixedFiles = -1;
inline constexpr std::uint8_t kMixedDtypes = 0xFF;

struct TreeNode {
    std::uint32_t parent = 0;
    std::uint32_t firstChild = 0;   // children are contiguous: [firstChild, firstChild + childCount)
    std::uint32_t childCount = 0;
    std::uint32_t rowInParent = 0;
    std::uint32_t tensor = kNoTensor;      // tensor this node stands for, if any
    std::uint32_t someTensor = kNoTensor;  // a tensor of the subtree: its name starts with the path
    std::uint32_t nameOffset = 0;   // segment in the string arena
    std::uint32_t nameLength = 0;
    std::uint32_t pathLength = 0;   // length of the dotted path from the root, a prefix of someTensor
    std::uint32_t tensorCount = 0;  // tensors in the subtree, this node included
    std::uint64_t bytes = 0;        // payload bytes of the subtree
    std::int32_t file = kMixedFiles;      // shard of every tensor below, or kMixedFiles
    std::uint8_t dtype = kMixedDtypes;    // DType of every tensor below, or kMixedDtypes
    bool numericChildren = false;         // every child is a number (layers, experts): show a count
};

} // namespace ckpt::ui
