#include "ui/workers/worker_thread_pool.h"

#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace ckpt::ui {

namespace {

// Jobs mostly wait on the disk or hand their number crunching to the kernel backend's own
// threads, so the pool is sized for how many may be in flight at once (one per JobRunner of the
// window is about eight), not for the cores.
constexpr int kMinWorkerThreads = 8;

} // namespace

QThreadPool* workerThreadPool()
{
    // Destroyed at exit after every JobRunner has waited for its jobs, like Qt's global pool.
    static QThreadPool pool;
    static const bool configured = [] {
        pool.setObjectName(QStringLiteral("ckptscope workers"));
        pool.setMaxThreadCount(std::max(kMinWorkerThreads, QThread::idealThreadCount()));
        return true;
    }();
    (void)configured;
    return &pool;
}

} // namespace ckpt::ui
