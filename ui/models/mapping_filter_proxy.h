#pragma once
// Filter proxy over MappingTableModel: a row is kept when its target key or any of its source
// keys matches, and optionally only rows of one kind (outputs, dropped, consumed). Like the
// tree's proxy it decides every row once per filter change from the plan's strings, never from
// formatted cells.

#include "ui/models/mapping_table_model.h"
#include "ui/models/name_matcher.h"

#include <QSortFilterProxyModel>

#include <optional>
#include <vector>

namespace ckpt::ui {

class MappingFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit MappingFilterProxy(QObject* parent = nullptr);

    void setTableModel(MappingTableModel* model);
    void UI_setFilter(const QString& pattern, NameMatcher::Mode mode,
                      std::optional<MappingTableModel::RowKind> kind = std::nullopt);
    const QString& errorString() const { return m_error; }

signals:
    void filterApplied(int keptRows, const QString& error);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void recompute();

    MappingTableModel* m_model = nullptr;
    QString m_pattern;
    NameMatcher::Mode m_mode = NameMatcher::Mode::Substring;
    std::optional<MappingTableModel::RowKind> m_kind;
    std::vector<bool> m_keep;  // per source row; empty = keep all
    std::shared_ptr<const ConversionPlan> m_filteredPlan;
    QString m_error;
};

} // namespace ckpt::ui
