#pragma once
// Computes TensorStatsJob for the selected tensor off the UI thread. Selecting another tensor
// (or changing the bin count) cancels the job in flight; only the newest request's result is
// delivered.

#include "core/checkpoint/checkpoint.h"
#include "ui/workers/job_runner.h"
#include "ui/workers/kernel_backend_provider.h"
#include "ui/workers/tensor_stats_result.h"

#include <QObject>

namespace ckpt::ui {

class TensorStatsWorker : public QObject {
    Q_OBJECT
public:
    TensorStatsWorker(std::shared_ptr<KernelBackendProvider> backends, QObject* parent = nullptr);

    void UI_request(std::shared_ptr<const Checkpoint> checkpoint, std::uint32_t tensorIndex,
                    std::uint32_t bins);
    void UI_cancel();
    bool isBusy() const { return m_runner->isBusy(); }
    void waitForAll() { m_runner->waitForAll(); }

signals:
    void finished(const ckpt::ui::TensorStatsResultPtr& result);
    void failed(const QString& tensor, const QString& message);
    void progress(quint64 done, quint64 total, const QString& stage);
    void busyChanged(bool busy);

private:
    std::shared_ptr<KernelBackendProvider> m_backends;
    JobRunner* m_runner;
};

} // namespace ckpt::ui
