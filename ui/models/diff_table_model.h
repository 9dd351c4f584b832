#pragma once
// The diff view's table: one row per compared tensor of a DiffReport (run with recordAll, so
// tensors within tolerance are rows too and the proxy decides whether to show them), then one
// row per name only in A and only in B. Rows are in worst-first order (the report's differences,
// then equal tensors by name, then the only-in rows), so a stable sort on the Kind column keeps
// that order inside each kind. Cells are formatted on demand from the immutable report; the
// Sort role gives numbers for numeric columns (an undecodable max_abs sorts as +inf: unknown
// is treated as worst).

#include "core/diff/checkpoint_diff.h"

#include <QAbstractTableModel>

#include <memory>
#include <string_view>
#include <vector>

namespace ckpt::ui {

class DiffTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column { Name, Kind, MaxAbs, Rmse, Cosine, RelError, OverTolerance, Elements, DTypes, Shapes, Via, Count };
    enum class RowKind { Differs, Same, OnlyInA, OnlyInB };
    enum class Role { Kind = Qt::UserRole + 1, Sort, TensorName };

    explicit DiffTableModel(QObject* parent = nullptr);

    void UI_setReport(std::shared_ptr<const DiffReport> report);
    const std::shared_ptr<const DiffReport>& report() const { return m_report; }

    RowKind rowKind(int row) const;
    std::string_view rowName(int row) const;
    const TensorDiff* entry(int row) const;  // null for only-in rows
    int differingRows() const;               // differing tensors plus only-in rows

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "shape", "dtype", "values", "within tolerance", "identical", "only in A", "only in B".
    static QString kindText(RowKind kind, const TensorDiff* entry);
    // Larger = worse: shape 6, dtype 5, only in A/B 4/3, values 2, within tolerance 1, identical 0.
    static int kindRank(RowKind kind, const TensorDiff* entry);

private:
    QVariant display(const TensorDiff& d, Column column) const;
    QVariant sortKey(int row, Column column) const;

    std::shared_ptr<const DiffReport> m_report;
    std::vector<const TensorDiff*> m_entries;  // worst first; points into m_report
};

} // namespace ckpt::ui
