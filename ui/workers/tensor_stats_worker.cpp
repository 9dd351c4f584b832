#include "ui/workers/tensor_stats_worker.h"

#include "ui/workers/tensor_stats_job.h"

namespace ckpt::ui {

TensorStatsWorker::TensorStatsWorker(std::shared_ptr<KernelBackendProvider> backends, QObject* parent)
    : QObject(parent), m_backends(std::move(backends)), m_runner(new JobRunner(this))
{
    connect(m_runner, &JobRunner::progress, this, &TensorStatsWorker::progress);
    connect(m_runner, &JobRunner::busyChanged, this, &TensorStatsWorker::busyChanged);
}

void TensorStatsWorker::UI_request(std::shared_ptr<const Checkpoint> checkpoint,
                                   std::uint32_t tensorIndex, std::uint32_t bins)
{
    if (!checkpoint || tensorIndex >= checkpoint->tensors().size())
        return;
    const QString name = QString::fromStdString(checkpoint->tensors()[tensorIndex].name);
    auto backends = m_backends;
    m_runner->UI_start<TensorStatsResultPtr>(
        [checkpoint, tensorIndex, bins, backends](JobContext& job) -> Result<TensorStatsResultPtr> {
            auto backend = backends->get();
            if (!backend.ok())
                return backend.takeError();
            auto result = TensorStatsJob(*checkpoint, tensorIndex, *backend.value(), bins, job).run();
            if (!result.ok())
                return result.takeError();
            auto shared = std::make_shared<TensorStatsResult>(std::move(result.value()));
            shared->tensorIndex = tensorIndex;
            return TensorStatsResultPtr(std::move(shared));
        },
        [this, name](Result<TensorStatsResultPtr> result) {
            if (result.ok())
                emit finished(result.value());
            else if (result.error().code != ErrorCode::Cancelled)
                emit failed(name, QString::fromStdString(result.error().toString()));
        });
}

void TensorStatsWorker::UI_cancel()
{
    m_runner->UI_cancel();
}

} // namespace ckpt::ui
