#include "ui/views/main_window.h"

#include "ui/views/convert_dialog.h"
#include "ui/views/diff_view.h"
#include "ui/views/error_banner.h"
#include "ui/views/mapping_panel.h"
#include "ui/views/recent_files.h"
#include "ui/views/tensor_inspector.h"
#include "ui/views/tree_pane.h"
#include "ui/views/verify_view.h"
#include "ui/workers/convert_worker.h"
#include "ui/workers/demo_checkpoint_worker.h"
#include "ui/workers/kernel_backend_provider.h"
#include "ui/workers/open_checkpoint_worker.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ckpt::ui {

namespace {

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// "CPU, 16 threads" -> "CPU (16 threads)"; a CUDA device's name is shown as the backend gives it.
QString deviceLabel(const KernelBackend& backend)
{
    const QString description = QString::fromStdString(backend.deviceDescription());
    if (backend.name() == "cpu" && description.startsWith(QLatin1String("CPU, ")))
        return QStringLiteral("CPU (%1)").arg(description.mid(5));
    return description;
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<KernelBackendProvider> backends, QWidget* parent)
    : QMainWindow(parent), m_backends(std::move(backends)), m_tree(new TreePane(this)),
      m_inspector(new TensorInspector(m_backends, this)), m_mapping(new MappingPanel(this)),
      m_diff(new DiffView(m_backends, this)), m_verify(new VerifyView(this)), m_pages(new QTabWidget(this)), m_banner(new ErrorBanner(this)),
      m_opener(new OpenCheckpointWorker(this)), m_demo(new DemoCheckpointWorker(this)),
      m_deviceProbe(new JobRunner(this)), m_summary(new QLabel(this)), m_device(new QLabel(this)),
      m_progress(new QProgressBar(this))
{
    setWindowTitle(QStringLiteral("ckptscope"));
    setAcceptDrops(true);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_inspector);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    m_pages->addTab(splitter, tr("Tensors"));
    m_pages->addTab(m_mapping, tr("Mapping preview"));
    m_pages->addTab(m_diff, tr("Diff"));
    m_pages->addTab(m_verify, tr("Verify"));
    m_pages->setDocumentMode(true);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_banner);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);
    resize(1400, 860);

    UI_buildMenus();
    UI_buildStatusBar();
    connect(m_tree, &TreePane::tensorSelected, m_inspector, &TensorInspector::UI_showTensor);
    connect(m_tree, &TreePane::groupSelected, m_inspector, &TensorInspector::UI_showGroup);
    connect(m_diff, &DiffView::problem, this, &MainWindow::UI_showProblem);
    connect(m_verify, &VerifyView::problem, this, &MainWindow::UI_showProblem);
    connect(m_opener, &OpenCheckpointWorker::opened, this, &MainWindow::UI_onOpened);
    connect(m_opener, &OpenCheckpointWorker::failed, this, &MainWindow::UI_onOpenFailed);
    connect(m_opener, &OpenCheckpointWorker::progress, this, &MainWindow::UI_setProgress);
    connect(m_demo, &DemoCheckpointWorker::progress, this, &MainWindow::UI_setProgress);
    connect(m_demo, &DemoCheckpointWorker::ready, this, &MainWindow::UI_openPath);
    connect(m_demo, &DemoCheckpointWorker::failed, this, [this](const QString& message) {
        UI_onOpenFailed(tr("the demo checkpoint"), message);
    });
    UI_probeDevice();
}

// Children are destroyed after this body; their workers cancel and wait in their own
// destructors. Cancelling all of them first lets them wind down in parallel.
MainWindow::~MainWindow()
{
    m_opener->UI_cancel();
    m_demo->UI_cancel();
    m_inspector->statsWorker()->UI_cancel();
    m_diff->UI_cancel();
    m_verify->UI_cancel();
}

void MainWindow::UI_buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Folder…"), QKeySequence::Open, this, &MainWindow::UI_chooseFolder);
    file->addAction(tr("Open F&ile…"), QKeySequence(tr("Ctrl+Shift+O")), this, &MainWindow::UI_chooseFile);
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    m_recent = new RecentFiles(recent, this);
    connect(m_recent, &RecentFiles::openRequested, this, &MainWindow::UI_openPath);
    QMenu* demo = file->addMenu(tr("Open &Demo Checkpoint"));
    for (Family f : {Family::DeepseekV3, Family::DeepseekV4, Family::Gemma4Moe, Family::Step3p5})
        demo->addAction(qs(familyName(f)), this, [this, f] { UI_openDemo(f); });
    file->addSeparator();
    m_convertAction = file->addAction(tr("&Convert…"), QKeySequence(tr("Ctrl+K")), this,
                                      [this] { UI_showConvertDialog(); });
    m_convertAction->setEnabled(false);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    UI_buildToolsMenu();
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ckptscope"), this, &MainWindow::UI_about);
}

// Both tools work on the open checkpoint; the menu entries just bring their page forward.
void MainWindow::UI_buildToolsMenu()
{
    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Compare with…"), QKeySequence(tr("Ctrl+D")), this,
                     [this] { m_pages->setCurrentWidget(m_diff); });
    tools->addAction(tr("&Verify Dequantization…"), QKeySequence(tr("Ctrl+Shift+V")), this,
                     [this] { m_pages->setCurrentWidget(m_verify); });
}

void MainWindow::UI_showProblem(bool error, const QString& title, const QStringList& details)
{
    m_banner->UI_show(error ? ErrorBanner::Kind::Error : ErrorBanner::Kind::Warning, title, details);
}

void MainWindow::UI_buildStatusBar()
{
    m_progress->setMaximumWidth(240);
    m_progress->hide();
    m_summary->setText(tr("Open a checkpoint folder or .safetensors file (File → Open, or drop it here)"));
    statusBar()->addWidget(m_summary, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_device);
    m_device->setText(tr("Device: detecting…"));
}

// Creating the backend may probe the CUDA driver: a worker does it, the label follows.
void MainWindow::UI_probeDevice()
{
    auto backends = m_backends;
    m_deviceProbe->UI_start<QString>(
        [backends](JobContext&) -> Result<QString> {
            auto backend = backends->get();
            if (!backend.ok())
                return backend.takeError();
            return deviceLabel(*backend.value());
        },
        [this](Result<QString> result) {
            const QString text = result.ok() ? result.value()
                                             : tr("unavailable (%1)")
                                                   .arg(QString::fromStdString(result.error().toString()));
            m_device->setText(tr("Device: %1").arg(text));
            emit deviceReady(text);
        });
}

QString MainWindow::deviceText() const { return m_device->text(); }
QString MainWindow::summaryText() const { return m_summary->text(); }

void MainWindow::UI_openPath(const QString& path)
{
    m_banner->UI_dismiss();
    m_summary->setText(tr("Opening %1…").arg(QDir::toNativeSeparators(path)));
    m_progress->setRange(0, 0);
    m_progress->show();
    m_opener->UI_open(path);
}

void MainWindow::UI_openDemo(Family family)
{
    m_banner->UI_dismiss();
    m_summary->setText(tr("Preparing the %1 demo checkpoint…").arg(qs(familyName(family))));
    m_progress->setRange(0, 0);
    m_progress->show();
    m_demo->UI_ensure(family);
}

void MainWindow::UI_setProgress(quint64 done, quint64 total, const QString& stage)
{
    if (total == 0)
        return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(done * 1000 / total));
    m_progress->setFormat(stage + QStringLiteral(" %p%"));
}

void MainWindow::UI_onOpened(const OpenedCheckpoint& opened)
{
    m_progress->hide();
    m_current = opened;
    const Checkpoint& c = *opened.checkpoint;
    m_inspector->UI_setCheckpoint(opened.checkpoint);
    m_tree->UI_setTree(opened.tree);
    m_mapping->UI_setCheckpoint(opened.checkpoint);
    m_diff->UI_setCheckpointA(opened.checkpoint, opened.path);
    m_verify->UI_setCheckpoint(opened.checkpoint, opened.path);
    m_convertAction->setEnabled(true);
    setWindowTitle(tr("%1 — ckptscope").arg(QDir::toNativeSeparators(opened.path)));
    const QLocale locale;
    m_summary->setText(tr("%1 · %2 layout · %3 tensors · %4 file(s) · %5 · %6 quantized weights")
                           .arg(qs(familyName(c.family())), qs(layoutName(c.layout())),
                                locale.toString(qulonglong(c.tensors().size())),
                                locale.toString(qulonglong(c.files().size())),
                                locale.formattedDataSize(qint64(c.totalBytes()), 2, QLocale::DataSizeIecFormat),
                                locale.toString(qulonglong(c.quant().pairs.size()))));
    m_recent->UI_add(opened.path);
    UI_showCheckpointWarnings(c);
    emit checkpointOpened(opened.path);
}

void MainWindow::UI_showCheckpointWarnings(const Checkpoint& checkpoint)
{
    QStringList lines;
    for (const std::string& w : checkpoint.warnings())
        lines << QString::fromStdString(w);
    for (const Error& e : checkpoint.quant().problems)
        lines << QString::fromStdString(e.toString());
    for (const std::string& s : checkpoint.quant().orphanScales)
        lines << tr("scale tensor '%1' has no weight").arg(QString::fromStdString(s));
    if (!lines.isEmpty())
        m_banner->UI_show(ErrorBanner::Kind::Warning,
                          tr("The checkpoint opened with %n warning(s)", nullptr, int(lines.size())), lines);
}

void MainWindow::UI_onOpenFailed(const QString& path, const QString& message)
{
    m_progress->hide();
    m_summary->setText(m_current.checkpoint ? tr("Showing %1").arg(m_current.path)
                                            : tr("No checkpoint open"));
    m_banner->UI_show(ErrorBanner::Kind::Error, tr("Could not open %1").arg(QDir::toNativeSeparators(path)),
                      {message});
    emit openFailed(message);
}

void MainWindow::UI_chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open checkpoint folder"));
    if (!dir.isEmpty())
        UI_openPath(dir);
}

void MainWindow::UI_chooseFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Open safetensors file"), QString(),
                                                      tr("safetensors (*.safetensors);;All files (*)"));
    if (!file.isEmpty())
        UI_openPath(file);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) {
        event->acceptProposedAction();
        UI_openPath(urls.front().toLocalFile());
    }
}

ConvertDialog* MainWindow::UI_showConvertDialog()
{
    if (!m_current.checkpoint)
        return nullptr;
    if (!m_convert || m_convert->isHidden()) {
        delete m_convert;
        m_convert = new ConvertDialog(m_current.checkpoint, m_backends, this);
        connect(m_convert, &ConvertDialog::openRequested, this, &MainWindow::UI_openPath);
    }
    m_convert->show();
    m_convert->raise();
    return m_convert;
}

// A running conversion is cancelled, and waited for, before the window goes: the executor
// removes its temporary files only while it is still running.
void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_convert && m_convert->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("Conversion running"),
                                                  tr("A conversion is running. Cancel it and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_convert->UI_cancel();
        m_convert->worker()->waitForAll();
    }
    event->accept();
}

void MainWindow::UI_about()
{
    QMessageBox::about(this, tr("About ckptscope"),
                       tr("<b>ckptscope %1</b><br>Inspect, convert and verify Mixture-of-Experts "
                          "LLM checkpoints (safetensors, Hugging Face and NeMo layouts).")
                           .arg(QApplication::applicationVersion()));
}

} // namespace ckpt::ui
