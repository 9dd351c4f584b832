#include "ui/models/tensor_tree_model.h"

#include <QFileInfo>
#include <QLocale>

namespace ckpt::ui {

namespace {

constexpr int kColumnCount = static_cast<int>(TensorTreeModel::Column::Count);

QString fromView(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace

TensorTreeModel::TensorTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void TensorTreeModel::UI_setTree(std::shared_ptr<const TensorTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

std::uint32_t TensorTreeModel::nodeId(const QModelIndex& index) const
{
    if (!index.isValid())
        return 0;
    Q_ASSERT(index.model() == this);
    return static_cast<std::uint32_t>(index.internalId());
}

QModelIndex TensorTreeModel::indexForNode(std::uint32_t node, int column) const
{
    if (!m_tree || node == 0 || node >= m_tree->nodeCount())
        return {};
    return createIndex(static_cast<int>(m_tree->node(node).rowInParent), column,
                       static_cast<quintptr>(node));
}

QModelIndex TensorTreeModel::indexForTensor(std::uint32_t tensor, int column) const
{
    if (!m_tree || tensor >= m_tree->tensors().size())
        return {};
    return indexForNode(m_tree->nodeOfTensor(tensor), column);
}

QModelIndex TensorTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!m_tree || row < 0 || column < 0 || column >= kColumnCount)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const TreeNode& p = m_tree->node(nodeId(parent));
    if (static_cast<std::uint32_t>(row) >= p.childCount)
        return {};
    return createIndex(row, column, static_cast<quintptr>(p.firstChild + static_cast<std::uint32_t>(row)));
}

QModelIndex TensorTreeModel::parent(const QModelIndex& child) const
{
    if (!m_tree || !child.isValid())
        return {};
    return indexForNode(m_tree->node(nodeId(child)).parent);
}

int TensorTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!m_tree || (parent.isValid() && parent.column() != 0))
        return 0;
    return static_cast<int>(m_tree->node(nodeId(parent)).childCount);
}

int TensorTreeModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : kColumnCount;
}

bool TensorTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

QVariant TensorTreeModel::data(const QModelIndex& index, int role) const
{
    if (!m_tree || !index.isValid())
        return {};
    const std::uint32_t id = nodeId(index);
    const TreeNode& n = m_tree->node(id);
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(id, column);
    case Qt::ToolTipRole:
        return fromView(m_tree->path(id));
    case Qt::TextAlignmentRole:
        if (column == Column::Size)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case static_cast<int>(Role::NodeId):
        return QVariant::fromValue(id);
    case static_cast<int>(Role::TensorIndex):
        return n.tensor == kNoTensor ? QVariant() : QVariant::fromValue(n.tensor);
    case static_cast<int>(Role::FullName):
        return fromView(m_tree->path(id));
    case static_cast<int>(Role::SizeBytes):
        return QVariant::fromValue(static_cast<quint64>(n.bytes));
    default:
        return {};
    }
}

QString TensorTreeModel::nodeLabel(std::uint32_t node) const
{
    const TreeNode& n = m_tree->node(node);
    QString label = fromView(m_tree->name(node));
    // "experts (256)", "layers (61)": a count says more than a row of numbered children.
    if (n.numericChildren)
        label += QStringLiteral(" (%1)").arg(n.childCount);
    return label;
}

QVariant TensorTreeModel::displayData(std::uint32_t node, Column column) const
{
    const TreeNode& n = m_tree->node(node);
    const TensorRef* t = n.tensor == kNoTensor ? nullptr : &m_tree->tensors()[n.tensor];
    switch (column) {
    case Column::Name:
        return nodeLabel(node);
    case Column::DType:
        if (n.dtype == kMixedDtypes)
            return QString();
        return fromView(dtypeName(static_cast<DType>(n.dtype)));
    case Column::Shape:
        return t ? formatShape(t->shape) : QString();
    case Column::Size:
        return formatBytes(n.bytes);
    case Column::Shard:
        if (n.file == kMixedFiles || static_cast<std::size_t>(n.file) >= m_tree->files().size())
            return QString();
        return QFileInfo(QString::fromStdString(m_tree->files()[static_cast<std::size_t>(n.file)]))
            .fileName();
    case Column::Count:
        break;
    }
    return {};
}

QVariant TensorTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Column::Name: return tr("Name");
    case Column::DType: return tr("DType");
    case Column::Shape: return tr("Shape");
    case Column::Size: return tr("Size");
    case Column::Shard: return tr("Shard");
    case Column::Count: break;
    }
    return {};
}

QString TensorTreeModel::formatShape(const std::vector<std::uint64_t>& shape)
{
    QString s = QStringLiteral("[");
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += QStringLiteral(", ");
        s += QString::number(shape[i]);
    }
    return s + QLatin1Char(']');
}

QString TensorTreeModel::formatBytes(std::uint64_t bytes)
{
    return QLocale::c().formattedDataSize(static_cast<qint64>(bytes), 2, QLocale::DataSizeIecFormat);
}

} // namespace ckpt::ui
