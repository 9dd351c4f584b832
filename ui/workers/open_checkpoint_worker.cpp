#include "ui/workers/open_checkpoint_worker.h"

namespace ckpt::ui {

OpenCheckpointWorker::OpenCheckpointWorker(QObject* parent)
    : QObject(parent), m_runner(new JobRunner(this))
{
    connect(m_runner, &JobRunner::progress, this, &OpenCheckpointWorker::progress);
    connect(m_runner, &JobRunner::busyChanged, this, &OpenCheckpointWorker::busyChanged);
}

Result<OpenedCheckpoint> OpenCheckpointWorker::open(const QString& path, JobContext& job)
{
    OpenOptions options;
    // Browsing needs headers only: header-only copies of huge checkpoints still open, and a
    // truncated shard is reported when its data is first read rather than hiding the whole tree.
    options.headerOnly = true;
    options.job = &job;
    auto checkpoint = Checkpoint::open(path.toStdString(), options);
    if (!checkpoint.ok())
        return checkpoint.takeError();
    const std::shared_ptr<const Checkpoint>& c = checkpoint.value();
    auto tree = TensorTree::build(c->tensors(), c->files(), &job);
    if (!tree.ok())
        return tree.takeError();
    return OpenedCheckpoint{path, c, std::move(tree.value())};
}

void OpenCheckpointWorker::UI_open(const QString& path)
{
    m_runner->UI_start<OpenedCheckpoint>(
        [path](JobContext& job) { return open(path, job); },
        [this, path](Result<OpenedCheckpoint> result) {
            if (result.ok())
                emit opened(result.value());
            else if (result.error().code != ErrorCode::Cancelled)
                emit failed(path, QString::fromStdString(result.error().toString()));
        });
}

} // namespace ckpt::ui
