#include "ui/plots/histogram_plot.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace ckpt::ui {

HistogramPlot::HistogramPlot(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_title(new QLabel(this)),
      m_summary(new QLabel(this)), m_logY(new QCheckBox(tr("Log y"), this)),
      m_bins(new QSpinBox(this)), m_binsDebounce(new QTimer(this)), m_valueLabel(tr("value"))
{
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setWidthType(QCPBars::wtPlotCoords);
    m_bars->setPen(Qt::NoPen);
    m_bars->setBrush(QColor(52, 101, 164));
    m_plot->yAxis->setLabel(tr("count"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);

    m_bins->setRange(4, 4096);
    m_bins->setValue(kDefaultBins);
    m_bins->setPrefix(tr("Bins: "));
    m_binsDebounce->setSingleShot(true);
    m_binsDebounce->setInterval(300);
    connect(m_bins, &QSpinBox::valueChanged, m_binsDebounce, qOverload<>(&QTimer::start));
    connect(m_binsDebounce, &QTimer::timeout, this, [this] { emit binsChanged(m_bins->value()); });
    connect(m_logY, &QCheckBox::toggled, this, [this] { UI_applyAxes(); });

    auto* save = new QPushButton(tr("Save…"), this);
    connect(save, &QPushButton::clicked, this, &HistogramPlot::UI_saveInteractively);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(m_logY);
    bar->addWidget(m_bins);
    bar->addWidget(save);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_summary);
    m_plot->setMinimumHeight(160);
    UI_clear(tr("Select a tensor"));
}

int HistogramPlot::bins() const { return m_bins->value(); }
bool HistogramPlot::logY() const { return m_logY->isChecked(); }

void HistogramPlot::UI_setLogY(bool logY) { m_logY->setChecked(logY); }

void HistogramPlot::UI_setBins(int bins)
{
    const QSignalBlocker block(m_bins);
    m_bins->setValue(bins);
}

void HistogramPlot::UI_setValueLabel(const QString& label) { m_valueLabel = label; }

void HistogramPlot::UI_setHistogram(const Histogram& h, const QString& title)
{
    const HistogramSpec& s = h.spec;
    const double lo = s.logBins ? std::log2(s.lo) : s.lo;
    const double hi = s.logBins ? std::log2(s.hi) : s.hi;
    const double width = (hi - lo) / std::max<std::uint32_t>(s.bins, 1);
    QVector<double> keys, values;
    keys.reserve(static_cast<qsizetype>(h.counts.size()));
    values.reserve(static_cast<qsizetype>(h.counts.size()));
    m_maxCount = 0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        keys << lo + (static_cast<double>(i) + 0.5) * width;
        values << static_cast<double>(h.counts[i]);
        m_maxCount = std::max(m_maxCount, values.back());
    }
    m_bars->setData(keys, values, true);
    m_bars->setWidth(width);
    m_plot->xAxis->setLabel(s.logBins ? tr("log2(|value|)") : m_valueLabel);
    m_plot->xAxis->setRange(lo, hi);
    m_title->setText(title);
    m_summary->setText(summaryText(h));
    m_hasData = true;
    UI_applyAxes();
}

void HistogramPlot::UI_clear(const QString& message)
{
    m_bars->data()->clear();
    m_maxCount = 0;
    m_hasData = false;
    m_title->setText(message);
    m_summary->clear();
    UI_applyAxes();
}

// Log y: zero-count bins have no height, so the range starts just under 1.
void HistogramPlot::UI_applyAxes()
{
    QCPAxis* y = m_plot->yAxis;
    if (m_logY->isChecked()) {
        y->setScaleType(QCPAxis::stLogarithmic);
        y->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        y->setRange(0.8, std::max(10.0, m_maxCount * 2.0));
    } else {
        y->setScaleType(QCPAxis::stLinear);
        y->setTicker(QSharedPointer<QCPAxisTicker>::create());
        y->setRange(0, std::max(1.0, m_maxCount * 1.05));
    }
    m_plot->replot();
}

QString HistogramPlot::summaryText(const Histogram& h) const
{
    const QLocale locale;
    std::uint64_t inRange = 0;
    for (std::uint64_t c : h.counts)
        inRange += c;
    QString text = tr("%1 bins over [%2, %3] · %4 in range")
                       .arg(h.spec.bins)
                       .arg(h.spec.lo, 0, 'g', 6)
                       .arg(h.spec.hi, 0, 'g', 6)
                       .arg(locale.toString(static_cast<qulonglong>(inRange)));
    const auto add = [&](const QString& label, std::uint64_t n) {
        if (n)
            text += QStringLiteral(" · %1 %2").arg(locale.toString(static_cast<qulonglong>(n)), label);
    };
    add(tr("below"), h.underflow);
    add(tr("above"), h.overflow);
    add(tr("zeros"), h.zeros);
    add(tr("NaN"), h.nan);
    add(tr("Inf"), h.inf);
    return text;
}

QVector<double> HistogramPlot::barKeys() const
{
    QVector<double> keys;
    for (auto it = m_bars->data()->constBegin(); it != m_bars->data()->constEnd(); ++it)
        keys << it->key;
    return keys;
}

QVector<double> HistogramPlot::barValues() const
{
    QVector<double> values;
    for (auto it = m_bars->data()->constBegin(); it != m_bars->data()->constEnd(); ++it)
        values << it->value;
    return values;
}

bool HistogramPlot::UI_saveTo(const QString& path)
{
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive))
        return m_plot->savePdf(path);
    return m_plot->savePng(path);
}

void HistogramPlot::UI_saveInteractively()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save histogram"), QString(), tr("PNG image (*.png);;PDF document (*.pdf)"),
        &selected);
    if (path.isEmpty())
        return;
    QString target = path;
    if (QFileInfo(path).suffix().isEmpty())
        target += selected.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf") : QStringLiteral(".png");
    if (!UI_saveTo(target))
        m_summary->setText(tr("Could not write %1").arg(target));
}

} // namespace ckpt::ui
