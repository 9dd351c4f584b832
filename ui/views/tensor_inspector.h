#pragma once
// The right-hand side of the main window: TensorPanel above, plots below (values histogram,
// scale grid, scales histogram). Owns the TensorStatsWorker: selecting a tensor cancels the
// job in flight and starts a new one; changing the bin count re-runs it for the same tensor.

#include "ui/workers/tensor_stats_worker.h"

#include <QWidget>

class QTabWidget;

namespace ckpt::ui {

class HistogramPlot;
class ScaleGridPlot;
class TensorPanel;

class TensorInspector : public QWidget {
    Q_OBJECT
public:
    TensorInspector(std::shared_ptr<KernelBackendProvider> backends, QWidget* parent = nullptr);

    void UI_setCheckpoint(std::shared_ptr<const Checkpoint> checkpoint);
    void UI_showTensor(std::uint32_t tensorIndex);
    void UI_showGroup(const QString& path);

    TensorPanel* panel() const { return m_panel; }
    HistogramPlot* valueHistogram() const { return m_values; }
    ScaleGridPlot* scaleGrid() const { return m_grid; }
    HistogramPlot* scaleHistogram() const { return m_scaleValues; }
    QTabWidget* tabs() const { return m_tabs; }
    TensorStatsWorker* statsWorker() const { return m_worker; }
    const TensorStatsResultPtr& lastResult() const { return m_result; }

signals:
    void statsFinished(const ckpt::ui::TensorStatsResultPtr& result);
    void statsFailed(const QString& message);

private:
    void UI_requestStats();
    void UI_onStats(const TensorStatsResultPtr& result);
    void UI_onStatsFailed(const QString& tensor, const QString& message);
    void UI_clearPlots(const QString& message);

    std::shared_ptr<const Checkpoint> m_checkpoint;
    std::optional<std::uint32_t> m_tensor;
    TensorStatsResultPtr m_result;
    TensorStatsWorker* m_worker;
    TensorPanel* m_panel;
    QTabWidget* m_tabs;
    HistogramPlot* m_values;
    ScaleGridPlot* m_grid;
    HistogramPlot* m_scaleValues;
};

} // namespace ckpt::ui
