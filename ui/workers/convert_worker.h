#pragma once
// One-click conversion off the UI thread: builds the plan for the chosen options and runs the
// streaming executor (which writes shards under temporary names and renames them when whole).
// Cancelling is cooperative: the executor stops at its next check and the worker reports
// `cancelled` only once it really has, so the window can close safely afterwards.

#include "core/convert/plan_executor.h"
#include "ui/workers/job_runner.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QObject>

namespace ckpt::ui {

struct ConvertRequest {
    std::shared_ptr<const Checkpoint> source;
    PlanOptions plan;
    QString destination;
    bool resume = false;
};

class ConvertWorker : public QObject {
    Q_OBJECT
public:
    ConvertWorker(std::shared_ptr<KernelBackendProvider> backends, QObject* parent = nullptr);

    void UI_start(const ConvertRequest& request);
    void UI_cancel() { m_runner->UI_requestCancel(); }
    bool isBusy() const { return m_runner->isBusy(); }
    void waitForAll() { m_runner->waitForAll(); }

    static Result<ExecuteReport> convert(const ConvertRequest& request, KernelBackend& backend,
                                         JobContext& job);

signals:
    void progress(quint64 doneBytes, quint64 totalBytes, const QString& stage);
    void finished(const QString& destination, const QString& summary);
    void failed(const QString& message);
    void cancelled();
    void busyChanged(bool busy);

private:
    std::shared_ptr<KernelBackendProvider> m_backends;
    JobRunner* m_runner;
};

} // namespace ckpt::ui
