#include "ui/workers/convert_worker.h"

#include <QLocale>

namespace ckpt::ui {

ConvertWorker::ConvertWorker(std::shared_ptr<KernelBackendProvider> backends, QObject* parent)
    : QObject(parent), m_backends(std::move(backends)), m_runner(new JobRunner(this))
{
    connect(m_runner, &JobRunner::progress, this, &ConvertWorker::progress);
    connect(m_runner, &JobRunner::busyChanged, this, &ConvertWorker::busyChanged);
}

Result<ExecuteReport> ConvertWorker::convert(const ConvertRequest& request, KernelBackend& backend,
                                             JobContext& job)
{
    auto plan = buildPlan(*request.source, request.plan);
    if (!plan.ok())
        return plan.takeError();
    ExecuteOptions options;
    options.destination = request.destination.toStdString();
    options.resume = request.resume;
    options.backend = &backend;
    options.job = &job;
    return executePlan(*request.source, plan.value(), options);
}

void ConvertWorker::UI_start(const ConvertRequest& request)
{
    auto backends = m_backends;
    m_runner->UI_start<ExecuteReport>(
        [request, backends](JobContext& job) -> Result<ExecuteReport> {
            auto backend = backends->get();
            if (!backend.ok())
                return backend.takeError();
            return convert(request, *backend.value(), job);
        },
        [this, destination = request.destination](Result<ExecuteReport> result) {
            if (result.ok()) {
                const ExecuteReport& r = result.value();
                const QLocale locale;
                emit finished(destination,
                              tr("%1 tensors in %2 shard(s) (%3 reused), %4 in %5 s")
                                  .arg(locale.toString(r.tensorsWritten))
                                  .arg(r.shardsWritten + r.shardsReused)
                                  .arg(r.shardsReused)
                                  .arg(locale.formattedDataSize(qint64(r.bytesWritten), 2,
                                                                QLocale::DataSizeIecFormat))
                                  .arg(r.seconds, 0, 'f', 1));
            } else if (result.error().code == ErrorCode::Cancelled) {
                emit cancelled();
            } else {
                emit failed(QString::fromStdString(result.error().toString()));
            }
        });
}

} // namespace ckpt::ui
