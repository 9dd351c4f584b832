#pragma once
// The immutable tree the checkpoint browser shows: tensor names split on '.', numeric segments
// ordered as numbers (layers.2 before layers.10), per-expert tensors grouped under one
// "experts (N)" node per layer. Built once in a worker, then shared read-only with the UI thread
// (shared_ptr<const TensorTree>), so the model never locks and never allocates per node.
//
// Layout: a flat vector of TreeNode in breadth-first order (every node's children are contiguous
// and come after it), with all segment names in one string arena.

#include "core/checkpoint/checkpoint.h"
#include "core/job_context.h"
#include "core/result.h"
#include "ui/models/tree_node.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt::ui {

class TensorTree {
public:
    // Fails only with ErrorCode::Cancelled. `tensors` need not be sorted.
    static Result<std::shared_ptr<const TensorTree>> build(std::vector<TensorRef> tensors,
                                                           std::vector<std::string> files,
                                                           JobContext* job = nullptr);

    std::uint32_t nodeCount() const { return static_cast<std::uint32_t>(m_nodes.size()); }
    const TreeNode& node(std::uint32_t id) const { return m_nodes[id]; }
    const TreeNode& root() const { return m_nodes.front(); }
    std::string_view name(std::uint32_t id) const;
    // Dotted path from the root ("model.layers.3.mlp"); the full tensor name for a tensor node.
    std::string_view path(std::uint32_t id) const;

    const std::vector<TensorRef>& tensors() const { return m_tensors; }
    const std::vector<std::string>& files() const { return m_files; }
    std::uint32_t nodeOfTensor(std::uint32_t tensor) const { return m_tensorNode[tensor]; }
    std::optional<std::uint32_t> findTensor(std::string_view fullName) const;

private:
    TensorTree() = default;
    friend class TensorTreeBuilder;

    std::vector<TreeNode> m_nodes;
    std::string m_arena;
    std::vector<TensorRef> m_tensors;
    std::vector<std::string> m_files;
    std::vector<std::uint32_t> m_tensorNode;   // tensor index -> node id
    std::vector<std::uint32_t> m_byName;       // tensor indices sorted by name, for findTensor
};

} // namespace ckpt::ui
