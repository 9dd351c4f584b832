#include "ui/workers/diff_worker.h"

namespace ckpt::ui {

DiffWorker::DiffWorker(std::shared_ptr<KernelBackendProvider> backends, QObject* parent)
    : QObject(parent), m_backends(std::move(backends)), m_diffRunner(new JobRunner(this)),
      m_histogramRunner(new JobRunner(this))
{
    connect(m_diffRunner, &JobRunner::progress, this, &DiffWorker::progress);
    connect(m_diffRunner, &JobRunner::busyChanged, this, &DiffWorker::busyChanged);
}

Result<DiffOutcome> DiffWorker::diff(const DiffRequest& request, KernelBackend& backend, JobContext& job)
{
    if (!request.a)
        return makeError(ErrorCode::InvalidArgument, "no checkpoint A is open");
    job.reportProgress(0, 0, "opening B");
    auto b = Checkpoint::open(request.bPath.toStdString());
    if (!b.ok())
        return b.takeError();
    if (job.isCancelled())
        return makeError(ErrorCode::Cancelled, "diff cancelled");
    DiffOptions options = request.options;
    options.recordAll = true;  // the table can show equal tensors too
    auto report = diffCheckpoints(*request.a, *b.value(), options, backend, &job);
    if (!report.ok())
        return report.takeError();
    return DiffOutcome{request.a, b.value(), std::move(report.value()), options, request.bPath};
}

void DiffWorker::UI_start(const DiffRequest& request)
{
    m_histogramRunner->UI_cancel();
    auto backends = m_backends;
    m_diffRunner->UI_start<DiffOutcomePtr>(
        [request, backends](JobContext& job) -> Result<DiffOutcomePtr> {
            auto backend = backends->get();
            if (!backend.ok())
                return backend.takeError();
            auto outcome = diff(request, *backend.value(), job);
            if (!outcome.ok())
                return outcome.takeError();
            return DiffOutcomePtr(std::make_shared<DiffOutcome>(std::move(outcome.value())));
        },
        [this](Result<DiffOutcomePtr> result) {
            if (result.ok())
                emit finished(result.value());
            else if (result.error().code == ErrorCode::Cancelled)
                emit cancelled();
            else
                emit failed(QString::fromStdString(result.error().toString()));
        });
}

void DiffWorker::UI_histogram(DiffOutcomePtr outcome, const QString& tensor, int bins)
{
    auto backends = m_backends;
    const DifferenceHistogramRequest request{tensor.toStdString(), static_cast<std::uint32_t>(bins)};
    m_histogramRunner->UI_start<DifferenceHistogramPtr>(
        [outcome, request, backends](JobContext& job) -> Result<DifferenceHistogramPtr> {
            auto backend = backends->get();
            if (!backend.ok())
                return backend.takeError();
            auto h = differenceHistogram(*outcome->a, *outcome->b, request, *backend.value(), &job);
            if (!h.ok())
                return h.takeError();
            return DifferenceHistogramPtr(std::make_shared<DifferenceHistogram>(std::move(h.value())));
        },
        [this, tensor](Result<DifferenceHistogramPtr> result) {
            if (result.ok())
                emit histogramReady(result.value());
            else
                emit histogramFailed(tensor, QString::fromStdString(result.error().toString()));
        });
}

void DiffWorker::waitForAll()
{
    m_diffRunner->waitForAll();
    m_histogramRunner->waitForAll();
}

} // namespace ckpt::ui
