#include "ui/models/verify_table_model.h"

#include <QColor>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ckpt::ui {

namespace {

constexpr int kColumnCount = static_cast<int>(VerifyTableModel::Column::Count);
constexpr double kLowest = -std::numeric_limits<double>::infinity();

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

int verdictRank(Verdict v) { return v == Verdict::Fail ? 2 : v == Verdict::Warn ? 1 : 0; }

QString number(double v, int digits = 6) { return QString::number(v, 'g', digits); }

std::uint64_t scaleProblems(const ScaleCheck& s) { return s.zero + s.inf + s.nan + s.negative + s.outliers; }

QString scaleText(const ScaleCheck& s)
{
    QStringList parts;
    const auto add = [&](std::uint64_t n, const QString& what) {
        if (n)
            parts << QStringLiteral("%1 %2").arg(n).arg(what);
    };
    add(s.zero, VerifyTableModel::tr("zero"));
    add(s.negative, VerifyTableModel::tr("negative"));
    add(s.inf, VerifyTableModel::tr("inf"));
    add(s.nan, VerifyTableModel::tr("NaN"));
    add(s.outliers, VerifyTableModel::tr("outlier(s)"));
    return parts.isEmpty() ? VerifyTableModel::tr("ok") : parts.join(QStringLiteral(", "));
}

bool numeric(VerifyTableModel::Column c)
{
    using C = VerifyTableModel::Column;
    return c == C::MaxAbsErr || c == C::Rmse || c == C::SnrDb || c == C::Cosine || c == C::NaN || c == C::Inf;
}

} // namespace

VerifyTableModel::VerifyTableModel(QObject* parent) : QAbstractTableModel(parent) {}

double VerifyTableModel::severity(const TensorVerification& t)
{
    double s = 0;
    if (t.nan + t.inf > 0 || t.scales.invalid() || t.cpuCuda == CpuCudaCheck::Differ)
        s += 10;
    if (t.hasReference) {
        const double c = t.reference.cosine();
        s += std::isnan(c) ? 2.0 : 1.0 - c;
    }
    s += t.roundTrip.done ? t.roundTrip.rate() : 0.0;
    if (t.scales.count)
        s += static_cast<double>(t.scales.outliers) / static_cast<double>(t.scales.count);
    return s;
}

QColor VerifyTableModel::verdictColor(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Fail: return QColor(242, 196, 192);
    case Verdict::Warn: return QColor(250, 226, 170);
    case Verdict::Pass: return QColor(200, 232, 196);
    }
    return {};
}

void VerifyTableModel::UI_setReport(std::shared_ptr<const VerifyReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    m_rows.clear();
    if (m_report) {
        for (const TensorVerification& t : m_report->tensors)
            m_rows.push_back(&t);
        std::stable_sort(m_rows.begin(), m_rows.end(), [](const TensorVerification* a, const TensorVerification* b) {
            if (verdictRank(a->verdict) != verdictRank(b->verdict))
                return verdictRank(a->verdict) > verdictRank(b->verdict);
            const double sa = severity(*a), sb = severity(*b);
            if (sa != sb)
                return sa > sb;
            return a->name < b->name;
        });
    }
    endResetModel();
}

int VerifyTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int VerifyTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant VerifyTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_report || !index.isValid())
        return {};
    const TensorVerification& t = entry(index.row());
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case int(Role::Verdict): return int(t.verdict);
    case int(Role::Sort): return sortKey(index.row(), t, column);
    case Qt::BackgroundRole: return column == Column::Verdict ? QVariant(verdictColor(t.verdict)) : QVariant();
    case Qt::ForegroundRole: return column == Column::Verdict ? QVariant(QColor(30, 30, 30)) : QVariant();
    case Qt::TextAlignmentRole:
        return numeric(column) ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ToolTipRole:
        if (column == Column::Scales && !t.scales.firstProblem.empty())
            return qs(t.scales.firstProblem);
        if (column == Column::RoundTrip && !t.roundTrip.note.empty())
            return qs(t.roundTrip.note);
        return display(t, column);
    case Qt::DisplayRole: return display(t, column);
    default: return {};
    }
}

QVariant VerifyTableModel::display(const TensorVerification& t, Column column) const
{
    const bool ref = t.hasReference;
    const QString none = QStringLiteral("—");
    switch (column) {
    case Column::Name: return qs(t.name);
    case Column::Scheme: return t.hasScheme ? qs(quantSchemeName(t.scheme)) : none;
    case Column::Verdict: return qs(verdictName(t.verdict));
    case Column::MaxAbsErr: return ref ? number(t.reference.maxAbs) : none;
    case Column::Rmse: return ref ? number(t.reference.rmse()) : none;
    case Column::SnrDb: {
        if (!ref)
            return none;
        const double snr = t.reference.snrDb();
        return std::isinf(snr) && snr > 0 ? tr("exact") : QString::number(snr, 'f', 2);
    }
    case Column::Cosine: return ref ? number(t.reference.cosine(), 8) : none;
    case Column::NaN: return QLocale().toString(qulonglong(t.nan));
    case Column::Inf: return QLocale().toString(qulonglong(t.inf));
    case Column::Scales: return t.scales.count ? scaleText(t.scales) : none;
    case Column::RoundTrip:
        if (!t.roundTrip.done)
            return t.roundTrip.note.empty() ? tr("not run") : tr("skipped");
        return t.roundTrip.mismatched == 0
                   ? tr("exact")
                   : tr("%1 of %2 values (%3%)")
                         .arg(QLocale().toString(qulonglong(t.roundTrip.mismatched)),
                              QLocale().toString(qulonglong(t.roundTrip.codes)))
                         .arg(t.roundTrip.rate() * 100.0, 0, 'g', 3);
    case Column::CpuCuda:
        return t.cpuCuda == CpuCudaCheck::Differ
                   ? tr("differ (%1)").arg(QLocale().toString(qulonglong(t.cpuCudaMismatches)))
                   : qs(cpuCudaName(t.cpuCuda));
    case Column::Reasons: {
        QStringList reasons;
        for (const std::string& r : t.reasons)
            reasons << qs(r);
        return reasons.join(QStringLiteral("; "));
    }
    case Column::Count: break;
    }
    return {};
}

QVariant VerifyTableModel::sortKey(int row, const TensorVerification& t, Column column) const
{
    const bool ref = t.hasReference;
    const auto orWorst = [](double v) { return std::isnan(v) ? std::numeric_limits<double>::infinity() : v; };
    switch (column) {
    case Column::Verdict: return row;  // rows are stored worst first
    case Column::MaxAbsErr: return ref ? orWorst(t.reference.maxAbs) : kLowest;
    case Column::Rmse: return ref ? orWorst(t.reference.rmse()) : kLowest;
    case Column::SnrDb: return ref ? t.reference.snrDb() : kLowest;
    case Column::Cosine: return ref ? t.reference.cosine() : kLowest;
    case Column::NaN: return double(t.nan);
    case Column::Inf: return double(t.inf);
    case Column::Scales: return double(scaleProblems(t.scales));
    case Column::RoundTrip: return t.roundTrip.done ? t.roundTrip.rate() : kLowest;
    case Column::CpuCuda: return double(t.cpuCudaMismatches) + (t.cpuCuda == CpuCudaCheck::Differ ? 1.0 : 0.0);
    default: return display(t, column);
    }
}

QVariant VerifyTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Column::Name: return tr("Weight");
    case Column::Scheme: return tr("Scheme");
    case Column::Verdict: return tr("Verdict");
    case Column::MaxAbsErr: return tr("max abs err");
    case Column::Rmse: return tr("RMSE");
    case Column::SnrDb: return tr("SNR dB");
    case Column::Cosine: return tr("Cosine");
    case Column::NaN: return tr("NaN");
    case Column::Inf: return tr("Inf");
    case Column::Scales: return tr("Scale problems");
    case Column::RoundTrip: return tr("Round trip");
    case Column::CpuCuda: return tr("CPU vs CUDA");
    case Column::Reasons: return tr("Reasons");
    case Column::Count: break;
    }
    return {};
}

} // namespace ckpt::ui
