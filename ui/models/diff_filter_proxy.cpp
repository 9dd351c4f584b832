#include "ui/models/diff_filter_proxy.h"

namespace ckpt::ui {

DiffFilterProxy::DiffFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(int(DiffTableModel::Role::Sort));
    setDynamicSortFilter(false);
}

void DiffFilterProxy::setTableModel(DiffTableModel* model)
{
    m_model = model;
    setSourceModel(model);
}

void DiffFilterProxy::UI_setFilter(const QString& pattern, NameMatcher::Mode mode)
{
    if (pattern.isEmpty())
        m_matcher.reset();
    else
        m_matcher.emplace(pattern, mode);
    invalidateFilter();
}

void DiffFilterProxy::UI_setShowEqual(bool show)
{
    m_showEqual = show;
    invalidateFilter();
}

bool DiffFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    if (!m_model)
        return true;
    if (!m_showEqual && m_model->rowKind(sourceRow) == DiffTableModel::RowKind::Same)
        return false;
    // An invalid regex filters nothing out; the view shows the error beside the box.
    return !m_matcher || !m_matcher->isValid() || m_matcher->matches(m_model->rowName(sourceRow));
}

} // namespace ckpt::ui
