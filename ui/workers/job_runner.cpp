#include "ui/workers/job_runner.h"

#include <QThread>

#include <algorithm>

namespace ckpt::ui {

namespace {

// Jobs mostly wait on the disk or hand their number crunching to the kernel backend's own
// threads, so the pool is sized for the jobs that may be in flight at once (a window has about
// eight runners), not for the cores.
constexpr int kMinPoolThreads = 8;

struct JobPool : QThreadPool {
    JobPool()
    {
        setObjectName(QStringLiteral("ckptscope jobs"));
        setMaxThreadCount(std::max(kMinPoolThreads, QThread::idealThreadCount()));
    }
};

} // namespace

// Destroyed at exit, after every JobRunner has waited for its jobs (like Qt's global pool).
QThreadPool* JobRunner::threadPool()
{
    static JobPool pool;
    return &pool;
}

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
