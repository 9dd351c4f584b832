#pragma once
// The main window: File menu (open folder/file, recent, demo checkpoints, quit), Tools menu
// (compare, verify), drag and drop, pages for the tensors (tree pane + inspector), the mapping
// preview, the diff and the verify views, an error banner above them, and a status bar with the
// checkpoint summary, open progress and the compute device.

#include "core/checkpoint/family.h"
#include "ui/workers/opened_checkpoint.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace ckpt::ui {

class ConvertDialog;
class DemoCheckpointWorker;
class DiffView;
class ErrorBanner;
class JobRunner;
class KernelBackendProvider;
class MappingPanel;
class OpenCheckpointWorker;
class RecentFiles;
class TensorInspector;
class TreePane;
class VerifyView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(std::shared_ptr<KernelBackendProvider> backends, QWidget* parent = nullptr);
    ~MainWindow() override;

    void UI_openPath(const QString& path);
    void UI_openDemo(Family family);

    TreePane* treePane() const { return m_tree; }
    TensorInspector* inspector() const { return m_inspector; }
    MappingPanel* mappingPanel() const { return m_mapping; }
    DiffView* diffView() const { return m_diff; }
    VerifyView* verifyView() const { return m_verify; }
    RecentFiles* recentFiles() const { return m_recent; }
    QTabWidget* pages() const { return m_pages; }
    ConvertDialog* UI_showConvertDialog();
    ErrorBanner* banner() const { return m_banner; }
    const OpenedCheckpoint& current() const { return m_current; }
    QString deviceText() const;
    QString summaryText() const;

signals:
    void checkpointOpened(const QString& path);
    void openFailed(const QString& message);
    void deviceReady(const QString& description);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void UI_buildMenus();
    void UI_buildToolsMenu();
    void UI_showProblem(bool error, const QString& title, const QStringList& details);
    void UI_buildStatusBar();
    void UI_probeDevice();
    void UI_onOpened(const OpenedCheckpoint& opened);
    void UI_onOpenFailed(const QString& path, const QString& message);
    void UI_showCheckpointWarnings(const Checkpoint& checkpoint);
    void UI_setProgress(quint64 done, quint64 total, const QString& stage);
    void UI_chooseFolder();
    void UI_chooseFile();
    void UI_about();

    std::shared_ptr<KernelBackendProvider> m_backends;
    OpenedCheckpoint m_current;
    TreePane* m_tree;
    TensorInspector* m_inspector;
    MappingPanel* m_mapping;
    DiffView* m_diff;
    VerifyView* m_verify;
    QTabWidget* m_pages;
    QPointer<ConvertDialog> m_convert;
    QAction* m_convertAction = nullptr;
    ErrorBanner* m_banner;
    OpenCheckpointWorker* m_opener;
    DemoCheckpointWorker* m_demo;
    JobRunner* m_deviceProbe;
    RecentFiles* m_recent = nullptr;
    QLabel* m_summary;
    QLabel* m_device;
    QProgressBar* m_progress;
};

} // namespace ckpt::ui
