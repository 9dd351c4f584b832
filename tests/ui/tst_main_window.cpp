// GUI test (offscreen): open a demo checkpoint in MainWindow, wait for the tree, filter it,
// select a quantized weight, wait for its statistics and check that the drawn histogram is what
// one direct KernelBackend call over the dequantized tensor gives. Also: stale selections are
// cancelled, bins re-run the worker, plots save, bad files show a readable banner.

#include "core/demo/demo_checkpoint.h"
#include "core/safetensors/safetensors_header.h"
#include "kernels/kernel_factory.h"
#include "ui/plots/histogram_plot.h"
#include "ui/plots/scale_grid_plot.h"
#include "ui/views/error_banner.h"
#include "ui/views/main_window.h"
#include "ui/views/recent_files.h"
#include "ui/views/tensor_inspector.h"
#include "ui/views/tensor_panel.h"
#include "ui/views/tree_pane.h"
#include "ui/workers/kernel_backend_provider.h"
#include "ui/workers/tensor_stats_job.h"

#include <QDir>
#include <QFile>
#include <qcustomplot.h>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace ckpt;
using namespace ckpt::ui;

namespace {

constexpr int kTimeoutMs = 120000;  // generous: CI machines are shared

} // namespace

class TstMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void openFilterSelectStats();
    void newSelectionCancelsOld();
    void binCountRerunsWorker();
    void savePlots();
    void badFileShowsBanner();
    void truncatedShardShowsStatsError();
    void deviceInStatusBar();
    void dropOpensAndRemembers();

private:
    bool openDemo();
    QString firstExpertWeight() const;
    Histogram directHistogram(const std::string& weight, std::uint32_t bins, TensorStats& stats);

    QTemporaryDir m_dir;
    QString m_demo;
    std::unique_ptr<MainWindow> m_window;
};

void TstMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);  // recent files go to a test settings location
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("deepseek_v3"));
    auto st = writeDemoCheckpoint(m_demo.toStdString(), Family::DeepseekV3, DemoSize::Tiny);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
}

void TstMainWindow::init()
{
    m_window = std::make_unique<MainWindow>(std::make_shared<KernelBackendProvider>(DeviceChoice::Cpu));
    m_window->show();
}

void TstMainWindow::cleanup()
{
    m_window.reset();  // must cancel and join its workers without hanging
}

bool TstMainWindow::openDemo()
{
    QSignalSpy opened(m_window.get(), &MainWindow::checkpointOpened);
    m_window->UI_openPath(m_demo);
    return opened.wait(kTimeoutMs) || opened.count() == 1;
}

QString TstMainWindow::firstExpertWeight() const
{
    for (const QuantPair& p : m_window->current().checkpoint->quant().pairs) {
        if (p.weight.find(".experts.1.") != std::string::npos && p.scheme == QuantScheme::Fp8Block)
            return QString::fromStdString(p.weight);
    }
    return {};
}

// The reference: one dequant call over the whole weight, then the same stats/histogram calls.
Histogram TstMainWindow::directHistogram(const std::string& weight, std::uint32_t bins, TensorStats& stats)
{
    const Checkpoint& c = *m_window->current().checkpoint;
    const QuantPair* pair = c.quant().findByWeight(weight);
    const TensorRef* w = c.find(weight);
    const TensorRef* s = c.find(pair->scale);
    auto backend = createKernelBackend(DeviceChoice::Cpu);
    std::vector<float> values(w->shape[0] * w->shape[1]);
    Fp8BlockDequantArgs a;
    a.weight = c.tensorBytes(*w)->data();
    a.rows = w->shape[0];
    a.cols = w->shape[1];
    a.scale = c.tensorBytes(*s)->data();
    a.scaleDtype = pair->scaleDtype;
    a.blockRows = pair->blockRows;
    a.blockCols = pair->blockCols;
    a.out = values.data();
    a.outDtype = DType::F32;
    Histogram h;
    if (!backend.ok() || !backend.value()->dequantFp8Block(a).ok()
        || !backend.value()->accumulateStats(values.data(), DType::F32, values.size(), stats).ok())
        return h;
    h.spec = TensorStatsJob::valueHistogramSpec(stats, bins);
    if (!backend.value()->accumulateHistogram(values.data(), DType::F32, values.size(), h).ok())
        h.counts.clear();
    return h;
}

void TstMainWindow::openFilterSelectStats()
{
    QVERIFY(openDemo());
    TreePane* tree = m_window->treePane();
    QVERIFY(tree->proxy()->rowCount() > 0);
    QVERIFY(m_window->summaryText().contains(QLatin1String("deepseek_v3")));

    tree->UI_setFilter(QStringLiteral("experts.1."), false);
    QVERIFY(tree->proxy()->keptTensors() > 0);
    QVERIFY(tree->proxy()->keptTensors() < m_window->current().tree->root().tensorCount);
    QVERIFY(tree->statusText().contains(QLatin1String(" of ")));

    const QString weight = firstExpertWeight();
    QVERIFY(!weight.isEmpty());
    QSignalSpy finished(m_window->inspector(), &TensorInspector::statsFinished);
    QVERIFY(tree->UI_selectTensor(weight));
    QVERIFY(finished.wait(kTimeoutMs) || finished.count() > 0);
    const TensorStatsResultPtr result = m_window->inspector()->lastResult();
    QCOMPARE(QString::fromStdString(result->tensor), weight);
    QVERIFY(result->dequantized);

    TensorStats stats;
    const HistogramPlot* plot = m_window->inspector()->valueHistogram();
    const Histogram expected = directHistogram(weight.toStdString(), std::uint32_t(plot->bins()), stats);
    QVERIFY(!expected.counts.empty());
    QCOMPARE(result->histogram.counts, expected.counts);
    QVector<double> drawn;
    for (std::uint64_t c : expected.counts)
        drawn << double(c);
    QCOMPARE(plot->barValues(), drawn);
    QCOMPARE(m_window->inspector()->panel()->fieldText(QStringLiteral("min")), QString::number(stats.min, 'g', 7));
    QCOMPARE(m_window->inspector()->panel()->fieldText(QStringLiteral("max")), QString::number(stats.max, 'g', 7));
    QCOMPARE(m_window->inspector()->panel()->fieldText(QStringLiteral("Scheme")), QStringLiteral("fp8_block"));
    QVERIFY(m_window->inspector()->scaleGrid()->hasData());
    QVERIFY(m_window->inspector()->scaleGrid()->blockDescription(0, 0).startsWith(QLatin1String("block [0, 0]")));
    QVERIFY(m_window->inspector()->scaleHistogram()->hasData());
}

void TstMainWindow::newSelectionCancelsOld()
{
    QVERIFY(openDemo());
    const Checkpoint& c = *m_window->current().checkpoint;
    QSignalSpy finished(m_window->inspector(), &TensorInspector::statsFinished);
    const QString first = QString::fromStdString(c.quant().pairs.front().weight);
    const QString last = QString::fromStdString(c.quant().pairs.back().weight);
    QVERIFY(m_window->treePane()->UI_selectTensor(first));
    QVERIFY(m_window->treePane()->UI_selectTensor(last));
    QVERIFY(finished.wait(kTimeoutMs) || finished.count() > 0);
    m_window->inspector()->statsWorker()->waitForAll();
    QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(QString::fromStdString(m_window->inspector()->lastResult()->tensor), last);
}

void TstMainWindow::binCountRerunsWorker()
{
    QVERIFY(openDemo());
    QSignalSpy finished(m_window->inspector(), &TensorInspector::statsFinished);
    QVERIFY(m_window->treePane()->UI_selectTensor(firstExpertWeight()));
    QVERIFY(finished.wait(kTimeoutMs) || finished.count() > 0);
    auto* spin = m_window->inspector()->valueHistogram()->findChild<QSpinBox*>();
    QVERIFY(spin);
    spin->setValue(32);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
    QCOMPARE(m_window->inspector()->lastResult()->histogram.counts.size(), std::size_t(32));
    QCOMPARE(m_window->inspector()->valueHistogram()->barValues().size(), 32);
    QCOMPARE(m_window->inspector()->scaleHistogram()->bins(), 32);
}

void TstMainWindow::savePlots()
{
    QVERIFY(openDemo());
    QSignalSpy finished(m_window->inspector(), &TensorInspector::statsFinished);
    QVERIFY(m_window->treePane()->UI_selectTensor(firstExpertWeight()));
    QVERIFY(finished.wait(kTimeoutMs) || finished.count() > 0);
    const QString png = m_dir.filePath(QStringLiteral("hist.png"));
    const QString pdf = m_dir.filePath(QStringLiteral("hist.pdf"));
    HistogramPlot* histogram = m_window->inspector()->valueHistogram();
    histogram->UI_setLogY(true);
    QCOMPARE(histogram->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    histogram->UI_setLogY(false);
    QCOMPARE(histogram->plot()->yAxis->scaleType(), QCPAxis::stLinear);
    QVERIFY(m_window->inspector()->valueHistogram()->UI_saveTo(png));
    QVERIFY(m_window->inspector()->valueHistogram()->UI_saveTo(pdf));
    QVERIFY(m_window->inspector()->scaleGrid()->UI_saveTo(m_dir.filePath(QStringLiteral("grid.png"))));
    QVERIFY(QFileInfo(png).size() > 0);
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.read(5), QByteArray("%PDF-"));
}

void TstMainWindow::badFileShowsBanner()
{
    const QString bad = m_dir.filePath(QStringLiteral("broken.safetensors"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": [1, 2", 18));
    f.close();
    QSignalSpy failed(m_window.get(), &MainWindow::openFailed);
    m_window->UI_openPath(bad);
    QVERIFY(failed.wait(kTimeoutMs) || failed.count() > 0);
    QVERIFY(m_window->banner()->isVisible());
    QCOMPARE(m_window->banner()->kind(), ErrorBanner::Kind::Error);
    const QString text = m_window->banner()->text();
    QVERIFY2(text.contains(QLatin1String("broken.safetensors")), qPrintable(text));

    // A good checkpoint opened afterwards clears the banner.
    QVERIFY(openDemo());
    QVERIFY(!m_window->banner()->isVisible() || m_window->banner()->kind() == ErrorBanner::Kind::Warning);
}

// Header-only browsing opens a checkpoint whose shard lost its data; reading a tensor then
// fails readably in the panel instead of crashing on the mapping.
void TstMainWindow::truncatedShardShowsStatsError()
{
    const QString copy = m_dir.filePath(QStringLiteral("truncated"));
    QVERIFY(QDir().mkpath(copy));
    QString lastShard;
    for (const QFileInfo& f : QDir(m_demo).entryInfoList(QDir::Files)) {
        QVERIFY(QFile::copy(f.filePath(), copy + QLatin1Char('/') + f.fileName()));
        if (f.suffix() == QLatin1String("safetensors"))
            lastShard = copy + QLatin1Char('/') + f.fileName();
    }
    auto header = readSafetensorsHeader(lastShard.toStdString());
    QVERIFY(header.ok());
    QVERIFY(QFile::resize(lastShard, qint64(header.value().dataStart) + 16));
    QSignalSpy opened(m_window.get(), &MainWindow::checkpointOpened);
    m_window->UI_openPath(copy);
    QVERIFY(opened.wait(kTimeoutMs) || opened.count() > 0);
    const TensorEntry& last = header.value().tensors.back();
    QSignalSpy failed(m_window->inspector(), &TensorInspector::statsFailed);
    QVERIFY(m_window->treePane()->UI_selectTensor(QString::fromStdString(last.name)));
    QVERIFY(failed.wait(kTimeoutMs) || failed.count() > 0);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QFileInfo(lastShard).fileName()), qPrintable(message));
}

void TstMainWindow::deviceInStatusBar()
{
    QSignalSpy ready(m_window.get(), &MainWindow::deviceReady);
    QVERIFY(ready.count() > 0 || ready.wait(kTimeoutMs));
    QVERIFY2(m_window->deviceText().startsWith(QLatin1String("Device: CPU (")), qPrintable(m_window->deviceText()));
}

void TstMainWindow::dropOpensAndRemembers()
{
    m_window->recentFiles()->UI_clear();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_demo)});
    const QPoint pos = m_window->rect().center();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QSignalSpy opened(m_window.get(), &MainWindow::checkpointOpened);
    QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window.get(), &drop);
    QVERIFY(opened.wait(kTimeoutMs) || opened.count() > 0);
    QCOMPARE(m_window->recentFiles()->paths(), QStringList{QDir::cleanPath(m_demo)});
}

QTEST_MAIN(TstMainWindow)
#include "tst_main_window.moc"
