#pragma once
// Sort and filter proxy over DiffTableModel: hides tensors that compared equal (or within
// tolerance) unless asked to show them, keeps rows whose name matches the filter box (substring
// or regex, NameMatcher), and sorts on the model's Sort role so numeric columns sort as numbers.

#include "ui/models/diff_table_model.h"
#include "ui/models/name_matcher.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace ckpt::ui {

class DiffFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DiffFilterProxy(QObject* parent = nullptr);

    void setTableModel(DiffTableModel* model);
    void UI_setFilter(const QString& pattern, NameMatcher::Mode mode);
    void UI_setShowEqual(bool show);
    bool showEqual() const { return m_showEqual; }
    QString errorString() const { return m_matcher ? m_matcher->error() : QString(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    DiffTableModel* m_model = nullptr;
    std::optional<NameMatcher> m_matcher;  // empty pattern: no name filter
    bool m_showEqual = false;
};

} // namespace ckpt::ui
