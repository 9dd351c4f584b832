#include "ui/models/mapping_table_model.h"

#include "ui/models/tensor_tree_model.h"

#include <QColor>

namespace ckpt::ui {

namespace {

constexpr int kColumnCount = static_cast<int>(MappingTableModel::Column::Count);

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

constexpr std::ptrdiff_t kMaxOpsShown = 16;  // a cell, not a listing: the JSON export has all

QString joinOps(std::vector<PlanOp>::const_iterator begin, std::vector<PlanOp>::const_iterator end)
{
    QStringList parts;
    const auto shown = std::min(end - begin, kMaxOpsShown);
    for (auto it = begin; it != begin + shown; ++it)
        parts << QString::fromStdString(it->describe());
    if (end - begin > shown)
        parts << QObject::tr("… %1 more ops").arg(end - begin - shown);
    return parts.join(QStringLiteral(" → "));
}

QString sourceList(const std::vector<std::string>& sources)
{
    constexpr std::size_t kMaxListed = 16;
    QStringList lines;
    for (std::size_t i = 0; i < std::min(sources.size(), kMaxListed); ++i)
        lines << qs(sources[i]);
    if (sources.size() > kMaxListed)
        lines << QObject::tr("… and %1 more").arg(sources.size() - kMaxListed);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

MappingTableModel::MappingTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void MappingTableModel::UI_setPlan(std::shared_ptr<const ConversionPlan> plan)
{
    beginResetModel();
    m_plan = std::move(plan);
    endResetModel();
}

int MappingTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_plan)
        return 0;
    return static_cast<int>(m_plan->outputs.size() + m_plan->dropped.size() + m_plan->consumed.size());
}

int MappingTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : kColumnCount;
}

MappingTableModel::RowKind MappingTableModel::rowKind(int row) const
{
    const auto r = static_cast<std::size_t>(row);
    if (r < m_plan->outputs.size())
        return RowKind::Output;
    return r < m_plan->outputs.size() + m_plan->dropped.size() ? RowKind::Dropped : RowKind::Consumed;
}

void MappingTableModel::forEachKey(int row, const std::function<void(std::string_view)>& fn) const
{
    auto r = static_cast<std::size_t>(row);
    if (r < m_plan->outputs.size()) {
        const PlanOutput& out = m_plan->outputs[r];
        fn(out.name);
        for (const std::string& s : out.sources)
            fn(s);
        return;
    }
    r -= m_plan->outputs.size();
    if (r < m_plan->dropped.size()) {
        fn(m_plan->dropped[r].name);
        return;
    }
    fn(m_plan->consumed[r - m_plan->dropped.size()].name);
}

QVariant MappingTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_plan || !index.isValid())
        return {};
    const RowKind kind = rowKind(index.row());
    if (role == static_cast<int>(Role::Kind))
        return static_cast<int>(kind);
    if (role == Qt::ForegroundRole && kind != RowKind::Output)
        return QColor(kind == RowKind::Dropped ? QColor(180, 60, 40) : QColor(110, 110, 110));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const auto column = static_cast<Column>(index.column());
    auto r = static_cast<std::size_t>(index.row());
    if (kind == RowKind::Output) {
        const PlanOutput& out = m_plan->outputs[r];
        if (role == Qt::ToolTipRole && column == Column::Source)
            return sourceList(out.sources);
        return outputCell(out, column);
    }
    r -= m_plan->outputs.size();
    if (kind == RowKind::Dropped)
        return sourceOnlyCell(m_plan->dropped[r], kind, column);
    return sourceOnlyCell(m_plan->consumed[r - m_plan->dropped.size()], kind, column);
}

QVariant MappingTableModel::outputCell(const PlanOutput& out, Column column) const
{
    switch (column) {
    case Column::Source: return sourceSummary(out.sources);
    case Column::Target: return qs(out.name);
    case Column::DType: return qs(dtypeName(out.dtype));
    case Column::Shape: return TensorTreeModel::formatShape(out.shape);
    case Column::Ops: return opsSummary(out.ops);
    case Column::Status: return tr("shard %1").arg(out.shard + 1);
    case Column::Count: break;
    }
    return {};
}

QVariant MappingTableModel::sourceOnlyCell(const DroppedTensor& t, RowKind kind, Column column) const
{
    switch (column) {
    case Column::Source: return qs(t.name);
    case Column::Status:
        return (kind == RowKind::Dropped ? tr("dropped: %1") : tr("consumed: %1")).arg(qs(t.reason));
    default: return QString();
    }
}

QVariant MappingTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Column::Source: return tr("Source key");
    case Column::Target: return tr("Target key");
    case Column::DType: return tr("DType");
    case Column::Shape: return tr("Shape");
    case Column::Ops: return tr("Ops");
    case Column::Status: return tr("Status");
    case Column::Count: break;
    }
    return {};
}

QString MappingTableModel::sourceSummary(const std::vector<std::string>& sources)
{
    if (sources.empty())
        return tr("(none)");
    QString s = qs(sources.front());
    if (sources.size() > 1)
        s += tr(" (+%1 more)").arg(sources.size() - 1);
    return s;
}

QString MappingTableModel::opsSummary(const std::vector<PlanOp>& ops)
{
    if (ops.empty())
        return {};
    const PlanOp& last = ops.back();
    if (last.kind == OpKind::Stack && last.count > 0 && (ops.size() - 1) % last.count == 0) {
        const std::size_t perElement = (ops.size() - 1) / last.count;
        return QStringLiteral("[%1] × %2 → %3")
            .arg(joinOps(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(perElement)))
            .arg(last.count)
            .arg(QString::fromStdString(last.describe()));
    }
    return joinOps(ops.begin(), ops.end());
}

} // namespace ckpt::ui
