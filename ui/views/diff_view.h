#pragma once
// The Diff page: A is the open checkpoint, B is picked (folder or file chooser, typed, or dropped
// on the page). Options are --map (compare A through the conversion plan to B's layout) and
// atol/rtol. DiffWorker runs the diff with progress and cancel; the page then shows a verdict
// line, the two checkpoints side by side, a sortable and filterable table of differences
// (only-in-A/B names included; equal tensors on request) and, for the selected tensor, the
// histogram of its element-wise differences A - B. Failures and cancellation go to the owner's
// error banner through `problem`.

#include "ui/workers/diff_worker.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;

namespace ckpt::ui {

class CheckpointPairSummary;
class DiffFilterProxy;
class DiffTableModel;
class HistogramPlot;

class DiffView : public QWidget {
    Q_OBJECT
public:
    DiffView(std::shared_ptr<KernelBackendProvider> backends, QWidget* parent = nullptr);
    ~DiffView() override;

    void UI_setCheckpointA(std::shared_ptr<const Checkpoint> checkpoint, const QString& path);
    void UI_setPathB(const QString& path);
    void UI_setOptions(bool map, double atol, double rtol);
    void UI_setFilter(const QString& pattern, bool regex);
    void UI_start();
    void UI_cancel();
    bool UI_selectTensor(const QString& name);  // false when no visible row has that name

    DiffTableModel* model() const { return m_model; }
    DiffFilterProxy* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    HistogramPlot* histogram() const { return m_histogram; }
    CheckpointPairSummary* pair() const { return m_pair; }
    DiffWorker* worker() const { return m_worker; }
    DiffOutcomePtr outcome() const { return m_outcome; }
    bool isRunning() const { return m_running; }
    QString summaryText() const;

signals:
    void diffEnded(bool ok);  // after finished (true), failed or cancelled (false)
    void histogramShown(const QString& tensor);
    void problem(bool error, const QString& title, const QStringList& details);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* UI_buildOptionsBar();
    QWidget* UI_buildTablePane();
    void UI_connectSignals();
    void UI_setRunning(bool running);
    void UI_onFinished(const DiffOutcomePtr& outcome);
    void UI_onFailed(const QString& message);
    void UI_onCancelled();
    void UI_onProgress(quint64 done, quint64 total, const QString& stage);
    void UI_applyFilter();
    void UI_onCurrentRowChanged();
    void UI_requestHistogram();
    void UI_onHistogram(const DifferenceHistogramPtr& histogram);
    void UI_chooseB(bool folder);
    void UI_showSummary();

    std::shared_ptr<const Checkpoint> m_a;
    QString m_pathA;
    DiffOutcomePtr m_outcome;
    DiffWorker* m_worker;
    DiffTableModel* m_model;
    DiffFilterProxy* m_proxy;
    QLineEdit* m_pathB;
    QCheckBox* m_map;
    QLineEdit* m_atol;
    QLineEdit* m_rtol;
    QPushButton* m_compare;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_summary;
    CheckpointPairSummary* m_pair;
    QLineEdit* m_filter;
    QToolButton* m_regex;
    QCheckBox* m_showEqual;
    QTableView* m_table;
    HistogramPlot* m_histogram;
    QString m_histogramTensor;  // the tensor whose histogram is requested or shown
    bool m_running = false;
    bool m_cancelRequested = false;  // a result that still arrives is dropped: Cancel shows none
};

} // namespace ckpt::ui
