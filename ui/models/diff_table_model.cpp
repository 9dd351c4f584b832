#include "ui/models/diff_table_model.h"

#include "ui/models/tensor_tree_model.h"

#include <QColor>
#include <QLocale>

#include <cmath>
#include <limits>

namespace ckpt::ui {

namespace {

constexpr int kColumnCount = static_cast<int>(DiffTableModel::Column::Count);

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QString number(double v) { return std::isnan(v) ? QStringLiteral("n/a") : QString::number(v, 'g', 6); }

bool numeric(DiffTableModel::Column c)
{
    using C = DiffTableModel::Column;
    return c == C::MaxAbs || c == C::Rmse || c == C::Cosine || c == C::RelError || c == C::OverTolerance ||
           c == C::Elements;
}

} // namespace

DiffTableModel::DiffTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void DiffTableModel::UI_setReport(std::shared_ptr<const DiffReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    m_entries.clear();
    if (m_report) {
        // Differing tensors in the report's worst-first order, then the others by name.
        for (const TensorDiff& d : m_report->differences)
            m_entries.push_back(&d);
        for (const TensorDiff& d : m_report->tensors)
            if (!d.differs)
                m_entries.push_back(&d);
    }
    endResetModel();
}

int DiffTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_report)
        return 0;
    return static_cast<int>(m_entries.size() + m_report->onlyInA.size() + m_report->onlyInB.size());
}

int DiffTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

DiffTableModel::RowKind DiffTableModel::rowKind(int row) const
{
    const auto r = static_cast<std::size_t>(row);
    if (r < m_entries.size())
        return m_entries[r]->differs ? RowKind::Differs : RowKind::Same;
    return r < m_entries.size() + m_report->onlyInA.size() ? RowKind::OnlyInA : RowKind::OnlyInB;
}

const TensorDiff* DiffTableModel::entry(int row) const
{
    const auto r = static_cast<std::size_t>(row);
    return r < m_entries.size() ? m_entries[r] : nullptr;
}

std::string_view DiffTableModel::rowName(int row) const
{
    auto r = static_cast<std::size_t>(row);
    if (r < m_entries.size())
        return m_entries[r]->name;
    r -= m_entries.size();
    if (r < m_report->onlyInA.size())
        return m_report->onlyInA[r];
    return m_report->onlyInB[r - m_report->onlyInA.size()];
}

int DiffTableModel::differingRows() const
{
    if (!m_report)
        return 0;
    return static_cast<int>(m_report->differences.size() + m_report->onlyInA.size() + m_report->onlyInB.size());
}

QString DiffTableModel::kindText(RowKind kind, const TensorDiff* entry)
{
    switch (kind) {
    case RowKind::OnlyInA: return tr("only in A");
    case RowKind::OnlyInB: return tr("only in B");
    case RowKind::Same: return entry && entry->bytesEqual ? tr("identical") : tr("within tolerance");
    case RowKind::Differs: return entry ? qs(diffKindName(entry->kind)) : QString();
    }
    return {};
}

int DiffTableModel::kindRank(RowKind kind, const TensorDiff* entry)
{
    switch (kind) {
    case RowKind::OnlyInA: return 4;
    case RowKind::OnlyInB: return 3;
    case RowKind::Same: return entry && entry->bytesEqual ? 0 : 1;
    case RowKind::Differs:
        return !entry ? 2 : entry->kind == DiffKind::Shape ? 6 : entry->kind == DiffKind::Dtype ? 5 : 2;
    }
    return 0;
}

QVariant DiffTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_report || !index.isValid())
        return {};
    const RowKind kind = rowKind(index.row());
    const TensorDiff* d = entry(index.row());
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case int(Role::Kind): return int(kind);
    case int(Role::TensorName): return qs(rowName(index.row()));
    case int(Role::Sort): return sortKey(index.row(), column);
    case Qt::TextAlignmentRole:
        return numeric(column) ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ForegroundRole:
        if (column != Column::Kind)
            return {};
        if (kind == RowKind::Same)
            return QColor(60, 130, 60);
        return kind == RowKind::Differs ? QColor(190, 50, 40) : QColor(170, 110, 20);
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        if (column == Column::Name)
            return qs(rowName(index.row()));
        if (column == Column::Kind)
            return kindText(kind, d);
        return d ? display(*d, column) : QVariant(QString());
    default: return {};
    }
}

QVariant DiffTableModel::display(const TensorDiff& d, Column column) const
{
    const bool metrics = d.valuesCompared || d.bytesEqual;
    const QString none = d.kind == DiffKind::Shape ? QStringLiteral("—") : tr("n/a");
    switch (column) {
    case Column::MaxAbs: return metrics ? number(d.maxAbs()) : none;
    case Column::Rmse: return d.valuesCompared ? number(d.rmse()) : none;
    case Column::Cosine: return d.valuesCompared ? QString::number(d.cosine(), 'g', 8) : none;
    case Column::RelError: return d.valuesCompared ? number(d.relativeError()) : none;
    case Column::OverTolerance:
        return d.kind == DiffKind::Shape ? none : QLocale().toString(qulonglong(d.metrics.overTolerance));
    case Column::Elements: return QLocale().toString(qulonglong(d.metrics.count));
    case Column::DTypes:
        return d.dtypeA == d.dtypeB ? qs(dtypeName(d.dtypeA))
                                    : QStringLiteral("%1 → %2").arg(qs(dtypeName(d.dtypeA)), qs(dtypeName(d.dtypeB)));
    case Column::Shapes:
        return d.shapeA == d.shapeB ? TensorTreeModel::formatShape(d.shapeA)
                                    : QStringLiteral("%1 vs %2").arg(TensorTreeModel::formatShape(d.shapeA),
                                                                     TensorTreeModel::formatShape(d.shapeB));
    case Column::Via: return qs(d.via);
    default: return {};
    }
}

// Numbers for the numeric columns so the proxy sorts 1e-3 above 9e-4; only-in rows have no
// metrics and sort below every measured tensor (-inf) in descending order.
QVariant DiffTableModel::sortKey(int row, Column column) const
{
    const TensorDiff* d = entry(row);
    const RowKind kind = rowKind(row);
    if (column == Column::Name)
        return qs(rowName(row));
    if (column == Column::Kind)
        return kindRank(kind, d);
    constexpr double lowest = -std::numeric_limits<double>::infinity();
    if (!d)
        return numeric(column) ? QVariant(lowest) : QVariant(QString());
    const auto orWorst = [](double v) { return std::isnan(v) ? std::numeric_limits<double>::infinity() : v; };
    switch (column) {
    case Column::MaxAbs: return d->valuesCompared || d->bytesEqual ? orWorst(d->maxAbs()) : lowest;
    case Column::Rmse: return d->valuesCompared ? orWorst(d->rmse()) : lowest;
    case Column::Cosine: return d->valuesCompared ? d->cosine() : lowest;
    case Column::RelError: return d->valuesCompared ? orWorst(d->relativeError()) : lowest;
    case Column::OverTolerance: return double(d->metrics.overTolerance);
    case Column::Elements: return double(d->metrics.count);
    default: return display(*d, column);
    }
}

QVariant DiffTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Column::Name: return tr("Tensor");
    case Column::Kind: return tr("Kind");
    case Column::MaxAbs: return tr("max |A−B|");
    case Column::Rmse: return tr("RMSE");
    case Column::Cosine: return tr("Cosine");
    case Column::RelError: return tr("Rel. L2");
    case Column::OverTolerance: return tr("Over tol.");
    case Column::Elements: return tr("Elements");
    case Column::DTypes: return tr("DType A → B");
    case Column::Shapes: return tr("Shape");
    case Column::Via: return tr("Compared via");
    case Column::Count: break;
    }
    return {};
}

} // namespace ckpt::ui
