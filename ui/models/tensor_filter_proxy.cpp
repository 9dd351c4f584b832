#include "ui/models/tensor_filter_proxy.h"

namespace ckpt::ui {

TensorFilterProxy::TensorFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(false);  // the tree is immutable; only a new pattern re-filters
}

void TensorFilterProxy::setTreeModel(TensorTreeModel* model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    // Connected before setSourceModel() so it runs before the base class rebuilds its mapping.
    if (m_model)
        connect(m_model, &QAbstractItemModel::modelReset, this, &TensorFilterProxy::recompute);
    setSourceModel(model);
    recompute();
}

void TensorFilterProxy::UI_setFilter(const QString& pattern, TensorFilter::Mode mode)
{
    if (pattern == m_pattern && mode == m_mode)
        return;
    m_pattern = pattern;
    m_mode = mode;
    recompute();
    invalidateFilter();
}

void TensorFilterProxy::recompute()
{
    m_filteredTree = m_model ? m_model->tree() : nullptr;
    const TensorTree* tree = m_filteredTree.get();
    if (!tree) {
        m_filter = TensorFilter{};
        emit filterApplied(0, QString());
        return;
    }
    m_filter = TensorFilter::compute(*tree, m_pattern, m_mode);
    emit filterApplied(m_filter.keptTensors(), m_filter.error());
}

bool TensorFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_model || !m_model->tree() || m_model->tree() != m_filteredTree)
        return true;
    const TreeNode& parent = m_filteredTree->node(m_model->nodeId(sourceParent));
    return m_filter.keeps(parent.firstChild + static_cast<std::uint32_t>(sourceRow));
}

} // namespace ckpt::ui
