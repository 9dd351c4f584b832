#pragma once
// Which nodes of a TensorTree a filter keeps, computed in one pass over the flat node vector
// when the filter text changes, so the proxy's filterAcceptsRow() is a bit lookup. A node is kept
// when its dotted path matches, when an ancestor matches (a matching group shows its contents),
// or when a descendant matches (the path to a match stays visible).

#include "ui/models/name_matcher.h"
#include "ui/models/tensor_tree.h"

#include <QString>

#include <vector>

namespace ckpt::ui {

class TensorFilter {
public:
    using Mode = NameMatcher::Mode;  // both case-insensitive

    // An empty pattern keeps everything. An invalid regex keeps everything and sets error().
    static TensorFilter compute(const TensorTree& tree, const QString& pattern, Mode mode);

    bool isActive() const { return m_active; }
    bool keeps(std::uint32_t node) const { return !m_active || m_keep[node]; }
    std::uint32_t keptTensors() const { return m_keptTensors; }
    const QString& error() const { return m_error; }

private:
    void propagate(const TensorTree& tree);

    std::vector<bool> m_keep;  // per node; meaningful only when m_active
    bool m_active = false;
    std::uint32_t m_keptTensors = 0;
    QString m_error;
};

} // namespace ckpt::ui
