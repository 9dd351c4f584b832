#pragma once
// Runs one cancellable job at a time on its own thread pool (QtConcurrent::run) and hands its
// Result back on the UI thread. Starting a job cancels the previous one; a generation number
// drops results and progress of any job that is no longer the current one, so a slow stale job
// can never overwrite a newer answer. Every job runs inside a catch-all: an exception becomes an
// ErrorCode::Internal result instead of vanishing into a QFuture. The destructor cancels and
// waits, so nothing a job touches outlives its owner.
//
// The pool is ours, never QThreadPool::globalInstance(): Qt 6.4's raster engine splits big fills
// across the global pool and waits for them on the UI thread, so a long job parked there froze
// painting (with one usable core the global pool has one thread: the window stopped redrawing
// for a whole checkpoint open). Ours also lets an open, a statistics job and a plan build run
// side by side instead of queueing behind each other.

#include "core/result.h"
#include "ui/workers/worker_job_context.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <functional>
#include <memory>

namespace ckpt::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    template <typename T>
    using Job = std::function<Result<T>(JobContext&)>;
    template <typename T>
    using Done = std::function<void(Result<T>)>;

    // `done` runs on the UI thread, unless the job was cancelled or superseded first.
    template <typename T>
    void UI_start(Job<T> job, Done<T> done);
    void UI_cancel();
    // Asks the current job to stop but still delivers its result (ErrorCode::Cancelled, or
    // whatever it finished with): for jobs whose owner must know when they really ended.
    void UI_requestCancel();
    bool isBusy() const { return m_busy; }
    // Blocks until every job this runner started has returned (destructor and tests).
    void waitForAll();

signals:
    void progress(quint64 done, quint64 total, const QString& stage);
    void busyChanged(bool busy);

private:
    static QThreadPool* threadPool();
    template <typename T>
    static Result<T> runGuarded(const Job<T>& job, JobContext& context);
    std::shared_ptr<WorkerJobContext> UI_beginJob();
    void UI_setBusy(bool busy);
    bool isCurrent(quint64 generation) const { return generation == m_generation; }

    quint64 m_generation = 0;
    bool m_busy = false;
    std::shared_ptr<WorkerJobContext> m_context;
    QList<QFuture<void>> m_futures;
};

template <typename T>
Result<T> JobRunner::runGuarded(const Job<T>& job, JobContext& context)
{
    try {
        return job(context);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("unexpected exception: ") + e.what());
    } catch (...) {
        return makeError(ErrorCode::Internal, "unexpected exception of unknown type");
    }
}

template <typename T>
void JobRunner::UI_start(Job<T> job, Done<T> done)
{
    std::shared_ptr<WorkerJobContext> context = UI_beginJob();
    const quint64 generation = m_generation;
    // `this` outlives the job (the destructor waits), and queued calls to a deleted receiver are
    // discarded by Qt, so posting to `this` from the worker is safe.
    m_futures.append(QtConcurrent::run(threadPool(), [this, job = std::move(job),
                                                      done = std::move(done), context, generation]() {
        auto result = std::make_shared<Result<T>>(runGuarded<T>(job, *context));
        QMetaObject::invokeMethod(
            this,
            [this, done, result, generation]() {
                if (!isCurrent(generation))
                    return;
                UI_setBusy(false);
                done(std::move(*result));
            },
            Qt::QueuedConnection);
    }));
}

} // namespace ckpt::ui
