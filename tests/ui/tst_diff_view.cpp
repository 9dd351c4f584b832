// DiffView end to end on tiny demo checkpoints (offscreen): a copy is identical (empty table,
// "Identical"); one flipped byte in a shard lists exactly that tensor and its difference
// histogram counts every element; --map against the native conversion is identical; bad B
// and cancellation reach MainWindow's error banner naming the file; the worker's cancel path.

#include "core/demo/demo_checkpoint.h"
#include "ui/models/diff_filter_proxy.h"
#include "ui/models/diff_table_model.h"
#include "ui/plots/histogram_plot.h"
#include "ui/views/checkpoint_pair_summary.h"
#include "ui/views/diff_view.h"
#include "ui/views/error_banner.h"
#include "ui/views/main_window.h"
#include "ui/workers/convert_worker.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ckpt;
using namespace ckpt::ui;

namespace {

constexpr int kWaitMs = 120000;

std::shared_ptr<const Checkpoint> openOrNull(const QString& path)
{
    auto c = Checkpoint::open(path.toStdString());
    if (!c.ok())
        qWarning("%s", c.error().toString().c_str());
    return c.ok() ? c.value() : nullptr;
}

// XORs the byte in the middle of `tensor`'s data, in whichever shard holds it.
bool flipByte(const QString& folder, const std::string& tensor)
{
    auto c = openOrNull(folder);
    const TensorRef* t = c ? c->find(tensor) : nullptr;
    if (!t)
        return false;
    std::fstream f(c->fileOf(*t), std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(t->offset + t->nbytes / 2);
    char byte = 0;
    f.seekg(at);
    f.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    f.seekp(at);
    f.write(&byte, 1);
    return f.good();
}

// The first BF16 tensor that is not a scale, or a quantized weight (e4m3) when `quantized`.
std::string pickTensor(const Checkpoint& c, bool quantized)
{
    for (const TensorRef& t : c.tensors()) {
        const bool isWeight = c.quant().findByWeight(t.name) != nullptr;
        if (quantized ? isWeight : (t.dtype == DType::BF16 && !isWeight && !c.quant().isScale(t.name)))
            return t.name;
    }
    return {};
}

} // namespace

class TstDiffView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void compare_data();
    void compare();
    void mapAgainstNative();
    void errorsInBanner_data();
    void errorsInBanner();
    void cancel();
    void workerCancelPath();

private:
    QString copyOfDemo(const QString& name);
    bool runDiff(DiffView& view, const QString& b, bool map = false);

    QTemporaryDir m_dir;
    QString m_demo;
    std::shared_ptr<const Checkpoint> m_a;
    std::shared_ptr<KernelBackendProvider> m_backends = std::make_shared<KernelBackendProvider>(DeviceChoice::Cpu);
};

void TstDiffView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("v3"));
    auto st = writeDemoCheckpoint(m_demo.toStdString(), Family::DeepseekV3, DemoSize::Tiny);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
    m_a = openOrNull(m_demo);
    QVERIFY(m_a);
}

QString TstDiffView::copyOfDemo(const QString& name)
{
    const QString dst = m_dir.filePath(name);
    fs::remove_all(dst.toStdString());
    fs::copy(m_demo.toStdString(), dst.toStdString(), fs::copy_options::recursive);
    return dst;
}

bool TstDiffView::runDiff(DiffView& view, const QString& b, bool map)
{
    QSignalSpy ended(&view, &DiffView::diffEnded);
    view.UI_setPathB(b);
    view.UI_setOptions(map, 0.0, 0.0);
    view.UI_start();
    if (!view.isRunning())
        return false;
    if (!ended.wait(kWaitMs) && ended.isEmpty())
        return false;
    return ended.first().first().toBool();
}

void TstDiffView::compare_data()
{
    QTest::addColumn<QString>("flip");  // "", "bf16" or "fp8": which kind of tensor gets a flipped byte
    QTest::newRow("identical copy") << QString();
    QTest::newRow("one flipped byte in a BF16 tensor") << QStringLiteral("bf16");
    QTest::newRow("one flipped byte in an FP8 weight") << QStringLiteral("fp8");
}

void TstDiffView::compare()
{
    QFETCH(QString, flip);
    const QString b = copyOfDemo(QStringLiteral("b-") + (flip.isEmpty() ? QStringLiteral("same") : flip));
    const std::string tensor = flip.isEmpty() ? std::string() : pickTensor(*m_a, flip == QLatin1String("fp8"));
    if (!flip.isEmpty()) {
        QVERIFY2(!tensor.empty(), "no tensor of that kind in the demo");
        QVERIFY(flipByte(b, tensor));
    }
    DiffView view(m_backends);
    view.UI_setCheckpointA(m_a, m_demo);
    QVERIFY(runDiff(view, b));
    const DiffReport& report = view.outcome()->report;
    QCOMPARE(report.compared, quint64(m_a->tensors().size()));
    QCOMPARE(view.model()->rowCount(), int(m_a->tensors().size()));  // every compared tensor is a row
    QCOMPARE(view.pair()->cellText(1, 5), view.pair()->cellText(0, 5));
    if (flip.isEmpty()) {
        QVERIFY(report.identical);
        QCOMPARE(view.proxy()->rowCount(), 0);
        QVERIFY2(view.summaryText().contains(QLatin1String("Identical")), qPrintable(view.summaryText()));
        return;
    }
    QVERIFY(!report.identical);
    QVERIFY2(view.summaryText().contains(QLatin1String("Different")), qPrintable(view.summaryText()));
    QCOMPARE(view.proxy()->rowCount(), 1);
    const QModelIndex row = view.proxy()->index(0, 0);
    QCOMPARE(row.data().toString(), QString::fromStdString(tensor));
    QCOMPARE(view.proxy()->index(0, int(DiffTableModel::Column::Kind)).data().toString(), QStringLiteral("values"));
    QCOMPARE(view.proxy()->index(0, int(DiffTableModel::Column::OverTolerance)).data().toString(), QStringLiteral("1"));
    // The first row is selected: its difference histogram arrives and counts every element,
    // exactly one of them non-zero (or NaN when the flip made an e4m3 NaN code).
    QSignalSpy shown(&view, &DiffView::histogramShown);
    if (!view.histogram()->hasData())
        QVERIFY(shown.wait(kWaitMs));
    const TensorRef* ref = m_a->find(tensor);
    const auto elements = static_cast<double>(elementCount(ref->shape).value_or(0));
    double drawn = 0;
    for (double v : view.histogram()->barValues())
        drawn += v;
    QVERIFY2(drawn == elements || drawn == elements - 1, qPrintable(QString::number(drawn)));
    QCOMPARE(view.histogram()->plot()->xAxis->label(), QStringLiteral("A − B"));
}

// A faithful HF -> native conversion compared through the plan shows no difference.
void TstDiffView::mapAgainstNative()
{
    ConvertRequest request{m_a, {}, m_dir.filePath(QStringLiteral("native")), false};
    request.plan.target = Layout::Native;
    auto backend = m_backends->get();
    QVERIFY(backend.ok());
    SimpleJobContext job;
    auto converted = ConvertWorker::convert(request, *backend.value(), job);
    QVERIFY2(converted.ok(), converted.ok() ? "" : converted.error().toString().c_str());
    DiffView view(m_backends);
    view.UI_setCheckpointA(m_a, m_demo);
    QVERIFY(runDiff(view, request.destination, true));
    QVERIFY2(view.outcome()->report.identical, qPrintable(view.summaryText()));
    QCOMPARE(view.proxy()->rowCount(), 0);
    QCOMPARE(view.pair()->cellText(1, 2), QStringLiteral("native"));
}

void TstDiffView::errorsInBanner_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::newRow("B does not exist") << QStringLiteral("missing");
    QTest::newRow("B shard truncated") << QStringLiteral("truncated");
}

void TstDiffView::errorsInBanner()
{
    QFETCH(QString, scenario);
    QString b = m_dir.filePath(QStringLiteral("no-such-checkpoint"));
    QString named = b;
    if (scenario == QLatin1String("truncated")) {
        b = copyOfDemo(QStringLiteral("b-truncated"));
        auto c = openOrNull(b);
        QVERIFY(c);
        const std::string shard = c->files().back();
        fs::resize_file(shard, fs::file_size(shard) / 2);
        named = QString::fromStdString(fs::path(shard).filename().string());
    }
    MainWindow window(m_backends);
    QSignalSpy opened(&window, &MainWindow::checkpointOpened);
    window.UI_openPath(m_demo);
    QVERIFY(opened.wait(kWaitMs) || !opened.isEmpty());
    DiffView* view = window.diffView();
    QVERIFY(!runDiff(*view, b));
    QVERIFY(window.banner()->isVisible() || !window.banner()->isHidden());
    QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Error);
    QVERIFY2(window.banner()->text().contains(named), qPrintable(window.banner()->text()));
}

void TstDiffView::cancel()
{
    MainWindow window(m_backends);
    QSignalSpy opened(&window, &MainWindow::checkpointOpened);
    window.UI_openPath(m_demo);
    QVERIFY(opened.wait(kWaitMs) || !opened.isEmpty());
    DiffView* view = window.diffView();
    QSignalSpy ended(view, &DiffView::diffEnded);
    view->UI_setPathB(copyOfDemo(QStringLiteral("b-cancel")));
    view->UI_start();
    view->UI_cancel();
    QVERIFY(view->isRunning());  // running until the core job has really stopped
    QVERIFY(ended.wait(kWaitMs) || !ended.isEmpty());
    QCOMPARE(ended.first().first().toBool(), false);
    QVERIFY(!view->isRunning());
    QCOMPARE(view->model()->rowCount(), 0);
    QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Warning);
    QVERIFY2(window.banner()->text().contains(QLatin1String("cancelled")), qPrintable(window.banner()->text()));
}

// Deterministic: a job whose context is already cancelled stops before diffing.
void TstDiffView::workerCancelPath()
{
    auto backend = m_backends->get();
    QVERIFY(backend.ok());
    SimpleJobContext job;
    job.cancel();
    auto result = DiffWorker::diff({m_a, m_demo, {}}, *backend.value(), job);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::Cancelled);
    SimpleJobContext fresh;
    auto ok = DiffWorker::diff({m_a, m_demo, {}}, *backend.value(), fresh);
    QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());
    QVERIFY(ok.value().report.identical);
    QVERIFY(ok.value().options.recordAll);
}

QTEST_MAIN(TstDiffView)
#include "tst_diff_view.moc"
