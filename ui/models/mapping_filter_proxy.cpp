#include "ui/models/mapping_filter_proxy.h"

namespace ckpt::ui {

MappingFilterProxy::MappingFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(false);
}

void MappingFilterProxy::setTableModel(MappingTableModel* model)
{
    m_model = model;
    // Connected before setSourceModel() so the bits are fresh when the base class re-filters.
    connect(m_model, &QAbstractItemModel::modelReset, this, &MappingFilterProxy::recompute);
    setSourceModel(model);
    recompute();
}

void MappingFilterProxy::UI_setFilter(const QString& pattern, NameMatcher::Mode mode,
                                      std::optional<MappingTableModel::RowKind> kind)
{
    m_pattern = pattern;
    m_mode = mode;
    m_kind = kind;
    recompute();
    invalidateFilter();
}

void MappingFilterProxy::recompute()
{
    m_keep.clear();
    m_error.clear();
    m_filteredPlan = m_model ? m_model->plan() : nullptr;
    const int rows = m_model ? m_model->rowCount() : 0;
    if (!m_filteredPlan || (m_pattern.isEmpty() && !m_kind)) {
        emit filterApplied(rows, m_error);
        return;
    }
    const NameMatcher matcher(m_pattern, m_mode);
    m_error = matcher.error();
    m_keep.assign(static_cast<std::size_t>(rows), false);
    int kept = 0;
    for (int row = 0; row < rows; ++row) {
        bool keep = !m_kind || m_model->rowKind(row) == *m_kind;
        if (keep && !m_pattern.isEmpty() && matcher.isValid()) {
            bool any = false;
            m_model->forEachKey(row, [&](std::string_view key) { any = any || matcher.matches(key); });
            keep = any;
        }
        m_keep[static_cast<std::size_t>(row)] = keep;
        kept += keep ? 1 : 0;
    }
    emit filterApplied(kept, m_error);
}

bool MappingFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    if (m_keep.empty() || !m_model || m_model->plan() != m_filteredPlan)
        return true;
    return m_keep[static_cast<std::size_t>(sourceRow)];
}

} // namespace ckpt::ui
