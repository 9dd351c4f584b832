#include "ui/views/tensor_inspector.h"

#include "ui/plots/histogram_plot.h"
#include "ui/plots/scale_grid_plot.h"
#include "ui/views/tensor_panel.h"

#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ckpt::ui {

TensorInspector::TensorInspector(std::shared_ptr<KernelBackendProvider> backends, QWidget* parent)
    : QWidget(parent), m_worker(new TensorStatsWorker(std::move(backends), this)),
      m_panel(new TensorPanel(this)), m_tabs(new QTabWidget(this)),
      m_values(new HistogramPlot(this)), m_grid(new ScaleGridPlot(this)),
      m_scaleValues(new HistogramPlot(this))
{
    m_tabs->addTab(m_values, tr("Histogram"));
    m_tabs->addTab(m_grid, tr("Scale grid"));
    m_tabs->addTab(m_scaleValues, tr("Scales histogram"));

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(scroll);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    // Room for the whole panel (facts, pairing, statistics) at the default window size.
    splitter->setSizes({360, 440});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_worker, &TensorStatsWorker::finished, this, &TensorInspector::UI_onStats);
    connect(m_worker, &TensorStatsWorker::failed, this, &TensorInspector::UI_onStatsFailed);
    connect(m_worker, &TensorStatsWorker::progress, m_panel, &TensorPanel::UI_setProgress);
    connect(m_panel, &TensorPanel::cancelRequested, this, [this] {
        m_worker->UI_cancel();
        m_panel->UI_showStatsMessage(tr("Cancelled"), false);
    });
    // One job computes both histograms, so both plots share one bin count.
    connect(m_values, &HistogramPlot::binsChanged, this, [this](int bins) {
        m_scaleValues->UI_setBins(bins);
        UI_requestStats();
    });
    connect(m_scaleValues, &HistogramPlot::binsChanged, this, [this](int bins) {
        m_values->UI_setBins(bins);
        UI_requestStats();
    });
}

void TensorInspector::UI_setCheckpoint(std::shared_ptr<const Checkpoint> checkpoint)
{
    m_worker->UI_cancel();
    m_checkpoint = std::move(checkpoint);
    m_tensor.reset();
    m_result.reset();
    m_panel->UI_clear();
    UI_clearPlots(tr("Select a tensor"));
}

void TensorInspector::UI_showTensor(std::uint32_t tensorIndex)
{
    if (!m_checkpoint || tensorIndex >= m_checkpoint->tensors().size())
        return;
    m_tensor = tensorIndex;
    m_panel->UI_showTensor(*m_checkpoint, tensorIndex);
    UI_requestStats();
}

void TensorInspector::UI_showGroup(const QString& path)
{
    m_worker->UI_cancel();
    m_tensor.reset();
    m_panel->UI_showGroup(path);
    UI_clearPlots(tr("Select a tensor"));
}

void TensorInspector::UI_requestStats()
{
    if (!m_checkpoint || !m_tensor)
        return;
    m_panel->UI_setBusy(true);
    UI_clearPlots(tr("Computing…"));
    m_worker->UI_request(m_checkpoint, *m_tensor, static_cast<std::uint32_t>(m_values->bins()));
}

void TensorInspector::UI_clearPlots(const QString& message)
{
    m_values->UI_clear(message);
    m_grid->UI_clear(tr("Select a quantized weight to see its scale grid"));
    m_scaleValues->UI_clear(tr("Select a quantized weight to see its scales"));
}

void TensorInspector::UI_onStats(const TensorStatsResultPtr& result)
{
    m_result = result;
    m_panel->UI_showStats(*result);
    const QString name = QString::fromStdString(result->tensor);
    m_values->UI_setHistogram(result->histogram,
                              result->dequantized ? tr("%1 (dequantized)").arg(name) : name);
    if (result->scales) {
        const QString scaleName = QString::fromStdString(result->scales->tensor);
        m_grid->UI_setGrid(result->scales->grid, scaleName);
        m_scaleValues->UI_setHistogram(result->scales->histogram, scaleName);
    }
    emit statsFinished(result);
}

void TensorInspector::UI_onStatsFailed(const QString& tensor, const QString& message)
{
    m_panel->UI_showStatsMessage(message, true);
    UI_clearPlots(tr("No statistics for %1").arg(tensor));
    emit statsFailed(message);
}

} // namespace ckpt::ui
