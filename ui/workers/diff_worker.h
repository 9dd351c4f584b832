#pragma once
// Runs the diff view's jobs off the UI thread: opening checkpoint B and diffing A with it
// (diffCheckpoints with recordAll, so equal tensors are table rows too), and the histogram of
// one tensor's element-wise differences (differenceHistogram). Each has its own JobRunner: a new
// selection supersedes the histogram in flight without touching a running diff. Cancelling a
// diff is cooperative; `cancelled` is emitted once the core job has really stopped.

#include "core/diff/checkpoint_diff.h"
#include "core/diff/difference_histogram.h"
#include "ui/workers/job_runner.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QMetaType>
#include <QObject>

#include <memory>

namespace ckpt::ui {

struct DiffRequest {
    std::shared_ptr<const Checkpoint> a;  // the open checkpoint
    QString bPath;                        // opened by the job
    DiffOptions options;
};

struct DiffOutcome {
    std::shared_ptr<const Checkpoint> a, b;
    DiffReport report;
    DiffOptions options;
    QString bPath;
};
using DiffOutcomePtr = std::shared_ptr<const DiffOutcome>;
using DifferenceHistogramPtr = std::shared_ptr<const DifferenceHistogram>;

class DiffWorker : public QObject {
    Q_OBJECT
public:
    explicit DiffWorker(std::shared_ptr<KernelBackendProvider> backends, QObject* parent = nullptr);

    void UI_start(const DiffRequest& request);
    void UI_cancel() { m_diffRunner->UI_requestCancel(); }
    void UI_histogram(DiffOutcomePtr outcome, const QString& tensor, int bins);
    void UI_cancelHistogram() { m_histogramRunner->UI_cancel(); }
    bool isBusy() const { return m_diffRunner->isBusy(); }
    void waitForAll();

    // The jobs themselves, usable without an event loop (tests).
    static Result<DiffOutcome> diff(const DiffRequest& request, KernelBackend& backend, JobContext& job);

signals:
    void progress(quint64 done, quint64 total, const QString& stage);
    void finished(const ckpt::ui::DiffOutcomePtr& outcome);
    void failed(const QString& message);
    void cancelled();
    void busyChanged(bool busy);
    void histogramReady(const ckpt::ui::DifferenceHistogramPtr& histogram);
    void histogramFailed(const QString& tensor, const QString& message);

private:
    std::shared_ptr<KernelBackendProvider> m_backends;
    JobRunner* m_diffRunner;
    JobRunner* m_histogramRunner;
};

} // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::DiffOutcomePtr)
Q_DECLARE_METATYPE(ckpt::ui::DifferenceHistogramPtr)
