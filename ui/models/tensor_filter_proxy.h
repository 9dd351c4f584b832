#pragma once
// Filter proxy over TensorTreeModel. The keep/drop decision for every node is precomputed by
// TensorFilter when the pattern changes; filterAcceptsRow() only looks the node up, so no
// recursive search over descendants ever runs (QSortFilterProxyModel's recursive filtering
// would visit every subtree on every expansion).

#include "ui/models/tensor_filter.h"
#include "ui/models/tensor_tree_model.h"

#include <QSortFilterProxyModel>

namespace ckpt::ui {

class TensorFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TensorFilterProxy(QObject* parent = nullptr);

    // Use this rather than setSourceModel(): the proxy must recompute its bits before it
    // re-filters a new tree.
    void setTreeModel(TensorTreeModel* model);
    TensorTreeModel* treeModel() const { return m_model; }

    void UI_setFilter(const QString& pattern, TensorFilter::Mode mode);
    const QString& pattern() const { return m_pattern; }
    TensorFilter::Mode mode() const { return m_mode; }
    const QString& errorString() const { return m_filter.error(); }
    bool isFiltering() const { return m_filter.isActive(); }
    std::uint32_t keptTensors() const { return m_filter.keptTensors(); }

signals:
    // After every recomputation (new pattern or new tree); error is empty when the pattern is valid.
    void filterApplied(quint32 keptTensors, const QString& error);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void recompute();

    TensorTreeModel* m_model = nullptr;
    QString m_pattern;
    TensorFilter::Mode m_mode = TensorFilter::Mode::Substring;
    TensorFilter m_filter;
    std::shared_ptr<const TensorTree> m_filteredTree;  // tree the bits belong to
};

} // namespace ckpt::ui
