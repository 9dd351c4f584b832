#include "ui/workers/verify_worker.h"

#include "kernels/kernel_factory.h"
#include "ui/workers/verify_export.h"

namespace ckpt::ui {

VerifyWorker::VerifyWorker(QObject* parent)
    : QObject(parent), m_cpu(std::make_shared<KernelBackendProvider>(DeviceChoice::Cpu)),
      m_cuda(std::make_shared<KernelBackendProvider>(DeviceChoice::Cuda)), m_runner(new JobRunner(this)),
      m_exportRunner(new JobRunner(this))
{
    connect(m_runner, &JobRunner::progress, this, &VerifyWorker::progress);
    connect(m_runner, &JobRunner::busyChanged, this, &VerifyWorker::busyChanged);
}

Result<VerifyOutcome> VerifyWorker::verify(const VerifyRequest& request, KernelBackendProvider& cpuProvider,
                                           KernelBackendProvider& cudaProvider, JobContext& job)
{
    if (!request.checkpoint)
        return makeError(ErrorCode::InvalidArgument, "no checkpoint is open");
    std::shared_ptr<const Checkpoint> reference;
    if (!request.referencePath.isEmpty()) {
        job.reportProgress(0, 0, "opening the reference");
        auto opened = Checkpoint::open(request.referencePath.toStdString());
        if (!opened.ok())
            return opened.takeError();
        reference = opened.value();
    }
    auto cpu = cpuProvider.get();
    if (!cpu.ok())
        return cpu.takeError();
    // The same choice as the CLI's --device: cpu never asks for CUDA, auto only when a device is
    // there, cuda insists (and fails naming why).
    std::shared_ptr<KernelBackend> cuda;
    std::string skipReason;
    if (request.device == DeviceChoice::Cpu) {
        skipReason = "device cpu chosen";
    } else if (request.device == DeviceChoice::Auto && cudaDeviceCount() == 0) {
        skipReason = cudaCompiledIn() ? "no CUDA device" : "no CUDA device (built without CUDA)";
    } else {
        auto created = cudaProvider.get();
        if (!created.ok())
            return created.takeError();
        cuda = created.value();
    }
    VerifyOptions options;
    options.reference = reference.get();
    auto report = verifyCheckpoint(*request.checkpoint, options, *cpu.value(), cuda.get(), &job, skipReason);
    if (!report.ok())
        return report.takeError();
    return VerifyOutcome{std::move(report.value()), request.referencePath};
}

void VerifyWorker::UI_start(const VerifyRequest& request)
{
    auto cpu = m_cpu;
    auto cuda = m_cuda;
    m_runner->UI_start<VerifyOutcomePtr>(
        [request, cpu, cuda](JobContext& job) -> Result<VerifyOutcomePtr> {
            auto outcome = verify(request, *cpu, *cuda, job);
            if (!outcome.ok())
                return outcome.takeError();
            return VerifyOutcomePtr(std::make_shared<VerifyOutcome>(std::move(outcome.value())));
        },
        [this](Result<VerifyOutcomePtr> result) {
            if (result.ok())
                emit finished(result.value());
            else if (result.error().code == ErrorCode::Cancelled)
                emit cancelled();
            else
                emit failed(QString::fromStdString(result.error().toString()));
        });
}

void VerifyWorker::UI_export(VerifyOutcomePtr outcome, const QString& path)
{
    const std::string target = path.toStdString();
    m_exportRunner->UI_start<std::string>(
        [outcome, target](JobContext&) -> Result<std::string> {
            CKPT_TRY(exportVerifyReport(outcome->report, !outcome->referencePath.isEmpty(), target));
            return target;
        },
        [this, path](Result<std::string> result) {
            if (result.ok())
                emit exported(path);
            else
                emit exportFailed(QString::fromStdString(result.error().toString()));
        });
}

void VerifyWorker::waitForAll()
{
    m_runner->waitForAll();
    m_exportRunner->waitForAll();
}

} // namespace ckpt::ui
