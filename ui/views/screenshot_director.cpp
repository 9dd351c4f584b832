#include "ui/views/screenshot_director.h"

#include "ui/plots/histogram_plot.h"
#include "ui/plots/scale_grid_plot.h"
#include "ui/views/diff_view.h"
#include "ui/views/main_window.h"
#include "ui/views/mapping_panel.h"
#include "ui/views/tensor_inspector.h"
#include "ui/views/tree_pane.h"
#include "ui/views/verify_view.h"

#include <QApplication>
#include <QDir>
#include <QMouseEvent>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>

#include <memory>

#include <qcustomplot.h>

namespace ckpt::ui {

namespace {

constexpr int kTimeoutMs = 180000;
constexpr int kSettleMs = 400;  // let layouts and plots repaint before grabbing
constexpr int kHistogramWaitMs = 10000;  // a diff row without a histogram: grab after this

} // namespace

ScreenshotDirector* ScreenshotDirector::fromEnvironment(MainWindow* window)
{
    const QString dir = qEnvironmentVariable("CKPT_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return nullptr;
    QString prefix = qEnvironmentVariable("CKPT_SCREENSHOT_PREFIX");
    return new ScreenshotDirector(window, dir, prefix.isEmpty() ? QStringLiteral("ckptscope") : prefix);
}

ScreenshotDirector::ScreenshotDirector(MainWindow* window, const QString& dir, const QString& prefix)
    : QObject(window), m_window(window), m_dir(dir), m_prefix(prefix)
{
    QDir().mkpath(dir);
    connect(window, &MainWindow::checkpointOpened, this, &ScreenshotDirector::UI_onOpened);
    connect(window, &MainWindow::openFailed, this, &ScreenshotDirector::UI_fail);
    connect(window->inspector(), &TensorInspector::statsFailed, this, &ScreenshotDirector::UI_fail);
    connect(window->inspector(), &TensorInspector::statsFinished, this, [this] {
        m_statsReady = true;
        UI_captureWhenReady();
    });
    // A plan that cannot be built is part of the picture (its message shows in the panel).
    const auto planDone = [this] {
        m_planReady = true;
        UI_captureWhenReady();
    };
    connect(window->mappingPanel(), &MappingPanel::planReady, this, planDone);
    connect(window->mappingPanel(), &MappingPanel::planFailed, this, planDone);
    QTimer::singleShot(kTimeoutMs, this, [this] {
        if (!m_done)
            UI_fail(QStringLiteral("timed out"));
    });
}

QString ScreenshotDirector::pickTensor() const
{
    const QString wanted = qEnvironmentVariable("CKPT_SCREENSHOT_TENSOR");
    if (!wanted.isEmpty())
        return wanted;
    const Checkpoint& c = *m_window->current().checkpoint;
    for (const QuantPair& p : c.quant().pairs) {
        if (p.weight.find(".experts.") != std::string::npos)
            return QString::fromStdString(p.weight);
    }
    if (!c.quant().pairs.empty())
        return QString::fromStdString(c.quant().pairs.front().weight);
    for (const TensorRef& t : c.tensors()) {
        if (t.shape.size() == 2 && isFloatingPoint(t.dtype))
            return QString::fromStdString(t.name);
    }
    return c.tensors().empty() ? QString() : QString::fromStdString(c.tensors().front().name);
}

void ScreenshotDirector::UI_onOpened()
{
    const QString tensor = pickTensor();
    if (!m_window->treePane()->UI_selectTensor(tensor))
        UI_fail(QStringLiteral("tensor not found: %1").arg(tensor));
}

void ScreenshotDirector::UI_grab(const QString& name)
{
    QApplication::processEvents();
    const QString path = QDir(m_dir).filePath(m_prefix + QLatin1Char('-') + name + QStringLiteral(".png"));
    if (!m_window->grab().save(path))
        qWarning("ckptscope: could not write %s", qPrintable(path));
    else
        qInfo("ckptscope: wrote %s", qPrintable(path));
}

void ScreenshotDirector::UI_captureWhenReady()
{
    if (m_statsReady && m_planReady)
        QTimer::singleShot(kSettleMs, this, &ScreenshotDirector::UI_capture);
}

void ScreenshotDirector::UI_capture()
{
    if (m_done)
        return;
    m_done = true;
    TensorInspector* inspector = m_window->inspector();
    inspector->tabs()->setCurrentIndex(0);
    UI_grab(QStringLiteral("histogram"));
    inspector->tabs()->setCurrentIndex(1);
    QApplication::processEvents();
    // Hover the middle of the grid so the block read-out is part of the picture.
    QCustomPlot* plot = inspector->scaleGrid()->plot();
    const QPointF centre = plot->axisRect()->rect().center();
    QMouseEvent move(QEvent::MouseMove, centre, plot->mapToGlobal(centre), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &move);
    UI_grab(QStringLiteral("scale-grid"));
    inspector->tabs()->setCurrentIndex(2);
    UI_grab(QStringLiteral("scales-histogram"));
    inspector->tabs()->setCurrentIndex(0);
    m_window->treePane()->UI_setFilter(QStringLiteral("experts\\.1\\..*(down|w2)"), true);
    UI_grab(QStringLiteral("filter"));
    m_window->pages()->setCurrentIndex(1);
    UI_grab(QStringLiteral("mapping"));
    UI_captureDiff();
}

// The diff page with B from the environment (tests/screenshots.sh makes a perturbed copy), its
// worst row selected and that tensor's difference histogram drawn.
void ScreenshotDirector::UI_captureDiff()
{
    DiffView* diff = m_window->diffView();
    m_window->pages()->setCurrentWidget(diff);
    const QString b = qEnvironmentVariable("CKPT_SCREENSHOT_DIFF_B", m_window->current().path);
    // Grabbed once: when the selected row's histogram is drawn, or shortly after the diff when
    // the selected row has none (identical checkpoints, a shape mismatch, an only-in row).
    auto grabbed = std::make_shared<bool>(false);
    const auto grabOnce = [this, grabbed] {
        if (*grabbed)
            return;
        *grabbed = true;
        UI_grab(QStringLiteral("diff"));
        UI_captureVerify();
    };
    connect(diff, &DiffView::histogramShown, this, [this, grabOnce] { QTimer::singleShot(kSettleMs, this, grabOnce); },
            Qt::SingleShotConnection);
    connect(diff, &DiffView::diffEnded, this, [this, grabOnce](bool ok) {
        if (!ok) {
            m_done = false;
            UI_fail(QStringLiteral("the diff did not finish"));
            return;
        }
        QTimer::singleShot(kHistogramWaitMs, this, grabOnce);
    }, Qt::SingleShotConnection);
    diff->UI_setPathB(b);
    diff->UI_start();
}

void ScreenshotDirector::UI_captureVerify()
{
    VerifyView* verify = m_window->verifyView();
    m_window->pages()->setCurrentWidget(verify);
    connect(verify, &VerifyView::verifyEnded, this, [this](bool ok) {
        if (!ok) {
            m_done = false;
            UI_fail(QStringLiteral("the verification did not finish"));
            return;
        }
        QTimer::singleShot(kSettleMs, this, [this] {
            UI_grab(QStringLiteral("verify"));
            m_window->pages()->setCurrentIndex(0);
            QTimer::singleShot(0, qApp, [] { QApplication::exit(0); });
        });
    }, Qt::SingleShotConnection);
    verify->UI_start();
}

void ScreenshotDirector::UI_fail(const QString& message)
{
    if (m_done)
        return;
    m_done = true;
    qWarning("ckptscope: screenshot run failed: %s", qPrintable(message));
    QTimer::singleShot(kSettleMs, this, [this] {
        UI_grab(QStringLiteral("error"));
        QApplication::exit(1);
    });
}

} // namespace ckpt::ui
