#pragma once
// Makes sure the embedded demo checkpoint exists: generated once, on first start, into the
// user's data folder (QStandardPaths::AppLocalDataLocation/demo/<family>) by core's demo
// generator, in a worker. Later starts find it there and open it at once.

#include "core/checkpoint/family.h"
#include "ui/workers/job_runner.h"

#include <QObject>

namespace ckpt::ui {

class DemoCheckpointWorker : public QObject {
    Q_OBJECT
public:
    explicit DemoCheckpointWorker(QObject* parent = nullptr);

    static QString demoPath(Family family);
    // Generates the demo unless a complete one is already there; then emits ready(path).
    void UI_ensure(Family family);
    void UI_cancel() { m_runner->UI_cancel(); }
    bool isBusy() const { return m_runner->isBusy(); }

    // The job: usable without an event loop. Returns the folder.
    static Result<std::string> ensure(const std::string& folder, Family family, JobContext& job);

signals:
    void ready(const QString& path);
    void failed(const QString& message);
    void progress(quint64 done, quint64 total, const QString& stage);

private:
    JobRunner* m_runner;
};

} // namespace ckpt::ui
