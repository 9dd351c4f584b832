#pragma once
// The mapping preview as a table: one row per output tensor of a ConversionPlan (source key(s)
// -> target key, dtype, shape, ops), then one row per dropped and per consumed source tensor
// with its reason. Nothing is dropped silently, so every source key appears somewhere.
// Cells are formatted on demand from the immutable plan.

#include "core/plan/conversion_plan.h"

#include <QAbstractTableModel>

#include <memory>

namespace ckpt::ui {

class MappingTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column { Source, Target, DType, Shape, Ops, Status, Count };
    enum class RowKind { Output, Dropped, Consumed };
    enum class Role { Kind = Qt::UserRole + 1 };

    explicit MappingTableModel(QObject* parent = nullptr);

    void UI_setPlan(std::shared_ptr<const ConversionPlan> plan);
    const std::shared_ptr<const ConversionPlan>& plan() const { return m_plan; }

    RowKind rowKind(int row) const;
    // Every key a row stands for (sources and target), for filtering without formatting cells.
    void forEachKey(int row, const std::function<void(std::string_view)>& fn) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "a" or "a (+511 more)".
    static QString sourceSummary(const std::vector<std::string>& sources);
    // Ops joined with " → "; a stacked output shows one element's program "× n" then the stack.
    static QString opsSummary(const std::vector<PlanOp>& ops);

private:
    QVariant outputCell(const PlanOutput& out, Column column) const;
    QVariant sourceOnlyCell(const DroppedTensor& t, RowKind kind, Column column) const;

    std::shared_ptr<const ConversionPlan> m_plan;
};

} // namespace ckpt::ui
