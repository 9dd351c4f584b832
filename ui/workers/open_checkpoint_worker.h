#pragma once
// Opens a checkpoint (headers of every shard, in parallel inside core) and builds its TensorTree,
// off the UI thread. A new open cancels the one in flight.

#include "ui/workers/job_runner.h"
#include "ui/workers/opened_checkpoint.h"

#include <QObject>

namespace ckpt::ui {

class OpenCheckpointWorker : public QObject {
    Q_OBJECT
public:
    explicit OpenCheckpointWorker(QObject* parent = nullptr);

    void UI_open(const QString& path);
    void UI_cancel() { m_runner->UI_cancel(); }
    bool isBusy() const { return m_runner->isBusy(); }
    void waitForAll() { m_runner->waitForAll(); }

    // The job itself, usable without Qt's event loop (tests, benchmarks).
    static Result<OpenedCheckpoint> open(const QString& path, JobContext& job);

signals:
    void opened(const ckpt::ui::OpenedCheckpoint& result);
    void failed(const QString& path, const QString& message);
    void progress(quint64 done, quint64 total, const QString& stage);
    void busyChanged(bool busy);

private:
    JobRunner* m_runner;
};

} // namespace ckpt::ui
