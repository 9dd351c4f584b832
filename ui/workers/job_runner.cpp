#include "ui/workers/job_runner.h"

namespace ckpt::ui {

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner()
{
    if (m_context)
        m_context->cancel();
    waitForAll();
}

std::shared_ptr<WorkerJobContext> JobRunner::UI_beginJob()
{
    if (m_context)
        m_context->cancel();
    ++m_generation;
    m_futures.removeIf([](const QFuture<void>& f) { return f.isFinished(); });
    const quint64 generation = m_generation;
    m_context = std::make_shared<WorkerJobContext>(
        [this, generation](quint64 done, quint64 total, const QString& stage) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, done, total, stage]() {
                    if (isCurrent(generation))
                        emit progress(done, total, stage);
                },
                Qt::QueuedConnection);
        });
    UI_setBusy(true);
    return m_context;
}

void JobRunner::UI_cancel()
{
    if (m_context)
        m_context->cancel();
    m_context.reset();
    ++m_generation;  // whatever the cancelled job still returns is dropped
    UI_setBusy(false);
}

void JobRunner::UI_requestCancel()
{
    if (m_context)
        m_context->cancel();
}

void JobRunner::waitForAll()
{
    for (QFuture<void>& f : m_futures)
        f.waitForFinished();
    m_futures.clear();
}

void JobRunner::UI_setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    emit busyChanged(busy);
}

} // namespace ckpt::ui
