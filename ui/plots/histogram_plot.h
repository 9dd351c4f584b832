#pragma once
// Bars of a histogram that a worker has already binned (core's Histogram); this widget never
// touches tensor values. Linear or log y axis, a bin count that asks the owner to recompute,
// and export as PNG or PDF. Log-binned histograms (scales) are drawn over log2(x) so every bar
// has the same width.

#include "core/kernel_backend.h"

#include <QVector>
#include <QWidget>

class QCheckBox;
class QCustomPlot;
class QCPBars;
class QLabel;
class QSpinBox;
class QTimer;

namespace ckpt::ui {

class HistogramPlot : public QWidget {
    Q_OBJECT
public:
    static constexpr int kDefaultBins = 128;

    explicit HistogramPlot(QWidget* parent = nullptr);

    void UI_setHistogram(const Histogram& histogram, const QString& title);
    void UI_clear(const QString& message);
    void UI_setLogY(bool logY);
    void UI_setBins(int bins);  // without emitting binsChanged
    // x axis label of fixed-bin histograms ("value" unless set; the diff view plots "A − B").
    void UI_setValueLabel(const QString& label);
    bool UI_saveTo(const QString& path);  // .pdf -> PDF, anything else -> PNG

    int bins() const;
    bool logY() const;
    bool hasData() const { return m_hasData; }
    // The drawn bars, for tests: what the user sees must be what the worker counted.
    QVector<double> barKeys() const;
    QVector<double> barValues() const;
    QCustomPlot* plot() const { return m_plot; }

signals:
    void binsChanged(int bins);  // debounced: spin box edits settle first

private:
    void UI_applyAxes();
    void UI_saveInteractively();
    QString summaryText(const Histogram& h) const;

    QCustomPlot* m_plot;
    QCPBars* m_bars;
    QLabel* m_title;
    QLabel* m_summary;
    QCheckBox* m_logY;
    QSpinBox* m_bins;
    QTimer* m_binsDebounce;
    QString m_valueLabel;
    double m_maxCount = 0;
    bool m_hasData = false;
};

} // namespace ckpt::ui
