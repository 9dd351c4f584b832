#pragma once
// QAbstractItemModel over an immutable TensorTree. internalId() is the node id, so index(),
// parent() and rowCount() are O(1) lookups into the flat node vector; data() formats the cell on
// demand and nothing is cached per node. A new tree replaces the old one with a model reset.

#include "ui/models/tensor_tree.h"

#include <QAbstractItemModel>

#include <memory>
#include <optional>

namespace ckpt::ui {

class TensorTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum class Column { Name, DType, Shape, Size, Shard, Count };
    enum class Role {
        NodeId = Qt::UserRole + 1,  // quint32
        TensorIndex,                // quint32, or invalid QVariant for a group
        FullName,                   // QString: dotted path / tensor name
        SizeBytes,                  // quint64: payload bytes of the subtree
    };

    explicit TensorTreeModel(QObject* parent = nullptr);

    void UI_setTree(std::shared_ptr<const TensorTree> tree);
    const std::shared_ptr<const TensorTree>& tree() const { return m_tree; }

    QModelIndex indexForNode(std::uint32_t node, int column = 0) const;
    QModelIndex indexForTensor(std::uint32_t tensor, int column = 0) const;
    // Node id of an index of this model; the root (0) for an invalid index.
    std::uint32_t nodeId(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString formatShape(const std::vector<std::uint64_t>& shape);
    static QString formatBytes(std::uint64_t bytes);

private:
    QVariant displayData(std::uint32_t node, Column column) const;
    QString nodeLabel(std::uint32_t node) const;

    std::shared_ptr<const TensorTree> m_tree;
};

} // namespace ckpt::ui
