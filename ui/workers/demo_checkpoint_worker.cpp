#include "ui/workers/demo_checkpoint_worker.h"

#include "core/demo/demo_checkpoint.h"

#include <QStandardPaths>

#include <filesystem>

namespace ckpt::ui {

namespace fs = std::filesystem;

DemoCheckpointWorker::DemoCheckpointWorker(QObject* parent)
    : QObject(parent), m_runner(new JobRunner(this))
{
    connect(m_runner, &JobRunner::progress, this, &DemoCheckpointWorker::progress);
}

QString DemoCheckpointWorker::demoPath(Family family)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    const std::string_view name = familyName(family);
    return base + QStringLiteral("/demo/") + QString::fromUtf8(name.data(), qsizetype(name.size()));
}

Result<std::string> DemoCheckpointWorker::ensure(const std::string& folder, Family family,
                                                 JobContext& job)
{
    std::error_code ec;
    // Generated under a temporary name and renamed when complete: the folder's existence means
    // a whole demo, whatever happened to an earlier start.
    if (fs::is_directory(folder, ec))
        return folder;
    const std::string partial = folder + ".partial";
    fs::remove_all(partial, ec);
    fs::create_directories(fs::path(folder).parent_path(), ec);
    if (ec)
        return makeError(ErrorCode::Io, "cannot create the demo folder: " + ec.message(), folder);
    CKPT_TRY(writeDemoCheckpoint(partial, family, DemoSize::Small, &job));
    fs::rename(partial, folder, ec);
    if (ec)
        return makeError(ErrorCode::Io, "cannot move the demo into place: " + ec.message(), folder);
    return folder;
}

void DemoCheckpointWorker::UI_ensure(Family family)
{
    const std::string folder = demoPath(family).toStdString();
    m_runner->UI_start<std::string>(
        [folder, family](JobContext& job) { return ensure(folder, family, job); },
        [this](Result<std::string> result) {
            if (result.ok())
                emit ready(QString::fromStdString(result.value()));
            else if (result.error().code != ErrorCode::Cancelled)
                emit failed(QString::fromStdString(result.error().toString()));
        });
}

} // namespace ckpt::ui
