#include "ui/models/tensor_tree.h"

#include "ui/models/tensor_tree_builder.h"

#include <algorithm>

namespace ckpt::ui {

Result<std::shared_ptr<const TensorTree>> TensorTree::build(std::vector<TensorRef> tensors,
                                                            std::vector<std::string> files,
                                                            JobContext* job)
{
    TensorTreeBuilder builder(std::move(tensors), std::move(files), job);
    return builder.build();
}

std::string_view TensorTree::name(std::uint32_t id) const
{
    const TreeNode& n = m_nodes[id];
    return std::string_view(m_arena).substr(n.nameOffset, n.nameLength);
}

std::string_view TensorTree::path(std::uint32_t id) const
{
    const TreeNode& n = m_nodes[id];
    if (n.someTensor == kNoTensor)
        return {};
    return std::string_view(m_tensors[n.someTensor].name).substr(0, n.pathLength);
}

std::optional<std::uint32_t> TensorTree::findTensor(std::string_view fullName) const
{
    auto it = std::lower_bound(m_byName.begin(), m_byName.end(), fullName,
                               [this](std::uint32_t t, std::string_view n) {
                                   return m_tensors[t].name < n;
                               });
    if (it == m_byName.end() || m_tensors[*it].name != fullName)
        return std::nullopt;
    return *it;
}

} // namespace ckpt::ui
