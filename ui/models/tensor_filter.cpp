#include "ui/models/tensor_filter.h"

namespace ckpt::ui {

TensorFilter TensorFilter::compute(const TensorTree& tree, const QString& pattern, Mode mode)
{
    TensorFilter filter;
    filter.m_keptTensors = tree.root().tensorCount;
    if (pattern.isEmpty())
        return filter;
    const NameMatcher matcher(pattern, mode);
    if (!matcher.isValid()) {
        filter.m_error = matcher.error();
        return filter;
    }
    filter.m_keep.assign(tree.nodeCount(), false);
    filter.m_active = true;
    for (std::uint32_t id = 1; id < tree.nodeCount(); ++id)
        filter.m_keep[id] = matcher.matches(tree.path(id));
    filter.propagate(tree);
    return filter;
}

// Breadth-first order puts parents before children: a forward pass hands a match down to the
// subtree, a backward pass makes every ancestor of a kept node visible.
void TensorFilter::propagate(const TensorTree& tree)
{
    m_keptTensors = 0;
    for (std::uint32_t id = 1; id < tree.nodeCount(); ++id) {
        const std::uint32_t parent = tree.node(id).parent;
        if (parent != 0 && m_keep[parent])
            m_keep[id] = true;
        if (m_keep[id] && tree.node(id).tensor != kNoTensor)
            ++m_keptTensors;
    }
    for (std::uint32_t id = tree.nodeCount(); id-- > 1;) {
        if (m_keep[id])
            m_keep[tree.node(id).parent] = true;
    }
    m_keep[0] = true;
}

} // namespace ckpt::ui
