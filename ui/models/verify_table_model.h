#pragma once
// The verify view's table: one row per entry of a VerifyReport, in worst-first order: fail before
// warn before pass, then by severity() (worst measurement first), then by name. The Verdict
// column's Sort role is that rank, so sorting it ascending (the view's default) restores the
// order after the user sorted another column. Numeric columns sort on numbers (Sort role), and
// verdict cells are coloured. Cells are formatted on demand from the immutable report.

#include "core/verify/verify_checkpoint.h"

#include <QAbstractTableModel>
#include <QColor>

#include <memory>
#include <vector>

namespace ckpt::ui {

class VerifyTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column {
        Name, Scheme, Verdict, MaxAbsErr, Rmse, SnrDb, Cosine, NaN, Inf, Scales, RoundTrip, CpuCuda, Reasons, Count
    };
    enum class Role { Verdict = Qt::UserRole + 1, Sort };

    explicit VerifyTableModel(QObject* parent = nullptr);

    void UI_setReport(std::shared_ptr<const VerifyReport> report);
    const std::shared_ptr<const VerifyReport>& report() const { return m_report; }
    const TensorVerification& entry(int row) const { return *m_rows[static_cast<std::size_t>(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Larger = worse, within one verdict: NaN/Inf, invalid scales or CPU != CUDA first (10+),
    // then the distance from the reference (1 - cosine, NaN cosine = 2), plus the round-trip
    // mismatch rate and the share of outlier scales.
    static double severity(const TensorVerification& t);
    static QColor verdictColor(Verdict verdict);

private:
    QVariant display(const TensorVerification& t, Column column) const;
    QVariant sortKey(int row, const TensorVerification& t, Column column) const;

    std::shared_ptr<const VerifyReport> m_report;
    std::vector<const TensorVerification*> m_rows;  // worst first; points into m_report
};

} // namespace ckpt::ui
