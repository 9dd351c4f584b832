#pragma once
// Runs verifyCheckpoint for the verify view off the UI thread, as `ckptscope-cli verify` does:
// the CPU backend dequantizes; unless the device choice is `cpu`, a CUDA backend repeats the
// dequantization for the bit-equality check (auto: when a device exists; cuda: required). An
// optional reference checkpoint is opened by the job. Exports (CSV/JSON) also run here.
// Cancelling is cooperative; `cancelled` is emitted once the core job has really stopped.

#include "core/verify/verify_checkpoint.h"
#include "ui/workers/job_runner.h"
#include "ui/workers/kernel_backend_provider.h"

#include <QMetaType>
#include <QObject>

#include <memory>

namespace ckpt::ui {

struct VerifyRequest {
    std::shared_ptr<const Checkpoint> checkpoint;
    QString referencePath;  // empty: no reference
    DeviceChoice device = DeviceChoice::Auto;
};

struct VerifyOutcome {
    VerifyReport report;
    QString referencePath;
};
using VerifyOutcomePtr = std::shared_ptr<const VerifyOutcome>;

class VerifyWorker : public QObject {
    Q_OBJECT
public:
    explicit VerifyWorker(QObject* parent = nullptr);

    void UI_start(const VerifyRequest& request);
    void UI_cancel() { m_runner->UI_requestCancel(); }
    void UI_export(VerifyOutcomePtr outcome, const QString& path);
    bool isBusy() const { return m_runner->isBusy(); }
    void waitForAll();

    // The job itself, usable without an event loop (tests).
    static Result<VerifyOutcome> verify(const VerifyRequest& request, KernelBackendProvider& cpu,
                                        KernelBackendProvider& cuda, JobContext& job);

signals:
    void progress(quint64 done, quint64 total, const QString& stage);
    void finished(const ckpt::ui::VerifyOutcomePtr& outcome);
    void failed(const QString& message);
    void cancelled();
    void busyChanged(bool busy);
    void exported(const QString& path);
    void exportFailed(const QString& message);

private:
    std::shared_ptr<KernelBackendProvider> m_cpu;
    std::shared_ptr<KernelBackendProvider> m_cuda;
    JobRunner* m_runner;
    JobRunner* m_exportRunner;
};

} // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::VerifyOutcomePtr)
