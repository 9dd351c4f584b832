// Verify view: VerifyTableModel's worst-first order (fail, warn, pass, then severity), sorting on
// the Sort role, verdict colours; CSV/JSON export; VerifyView on a tiny demo (every weight
// passes, one row per quantized weight) and with a corrupted scale (that weight fails, first
// row); the worker's cancel path.

#include "core/demo/demo_checkpoint.h"
#include "ui/models/verify_table_model.h"
#include "ui/views/verify_view.h"
#include "ui/workers/verify_export.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ckpt;
using namespace ckpt::ui;
using Column = VerifyTableModel::Column;

namespace {

constexpr int kWaitMs = 120000;

TensorVerification entry(const std::string& name, Verdict verdict, double cosine = -1, std::uint64_t nan = 0,
                         std::uint64_t roundTripMismatches = 0)
{
    TensorVerification t;
    t.name = name;
    t.scale = name + "_scale_inv";
    t.hasScheme = true;
    t.verdict = verdict;
    t.nan = nan;
    if (cosine >= 0) {  // cosine = dot / sqrt(1 * 1)
        t.hasReference = true;
        t.reference.count = 100;
        t.reference.sumSqRef = t.reference.sumSqB = 1.0;
        t.reference.dot = cosine;
        t.reference.sumSqErr = 1.0 - cosine;
        t.reference.maxAbs = 1.0 - cosine;
    }
    t.roundTrip.done = true;
    t.roundTrip.codes = 1000;
    t.roundTrip.mismatched = roundTripMismatches;
    t.scales.count = 4;
    return t;
}

// Shuffled on purpose: the model orders rows itself.
std::shared_ptr<VerifyReport> sampleReport()
{
    auto r = std::make_shared<VerifyReport>();
    r->tensors = {entry("p.close", Verdict::Pass, 0.9999), entry("w.roundtrip", Verdict::Warn, -1, 0, 20),
                  entry("f.cosine", Verdict::Fail, 0.5), entry("p.closer", Verdict::Pass, 0.99999),
                  entry("f.nan", Verdict::Fail, -1, 3), entry("w.roundtrip.less", Verdict::Warn, -1, 0, 2)};
    r->verdict = Verdict::Fail;
    r->failed = 2;
    r->warned = 2;
    r->passed = 2;
    r->cpuCudaNote = "skipped: no CUDA device";
    return r;
}

QStringList names(const QAbstractItemModel& model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, int(Column::Name)).data().toString();
    return out;
}

// XORs the first byte of `tensor` (a scale) with 0x80: a positive F32 scale turns negative.
bool corruptScale(const QString& folder, const std::string& tensor)
{
    auto c = Checkpoint::open(folder.toStdString());
    const TensorRef* t = c.ok() ? c.value()->find(tensor) : nullptr;
    if (!t || t->dtype != DType::F32)
        return false;
    std::fstream f(c.value()->fileOf(*t), std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(t->offset + 3);  // sign byte of element 0
    char byte = 0;
    f.seekg(at);
    f.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x80);
    f.seekp(at);
    f.write(&byte, 1);
    return f.good();
}

} // namespace

class TstVerifyView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void worstFirst();
    void sorting_data();
    void sorting();
    void verdictColours_data();
    void verdictColours();
    void exportCsvAndJson();
    void verifyDemo_data();
    void verifyDemo();
    void cancelPath();

private:
    QTemporaryDir m_dir;
    QString m_demo;
};

void TstVerifyView::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("v3"));
    auto st = writeDemoCheckpoint(m_demo.toStdString(), Family::DeepseekV3, DemoSize::Tiny);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
}

void TstVerifyView::worstFirst()
{
    VerifyTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.UI_setReport(sampleReport());
    // fail before warn before pass; NaN outranks a low cosine; more round-trip mismatches first;
    // the pass further from its reference first.
    const QStringList expected{"f.nan", "f.cosine", "w.roundtrip", "w.roundtrip.less", "p.close", "p.closer"};
    QCOMPARE(names(model), expected);
    // The view's default (Verdict ascending) restores that order after another sort.
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(int(VerifyTableModel::Role::Sort));
    proxy.sort(int(Column::Name), Qt::AscendingOrder);
    QVERIFY(names(proxy) != expected);
    proxy.sort(int(Column::Verdict), Qt::AscendingOrder);
    QCOMPARE(names(proxy), expected);
}

void TstVerifyView::sorting_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("order");
    QTest::addColumn<QStringList>("expected");
    // Rows without a reference have no cosine and sort below every measured one.
    QTest::newRow("cosine ascending") << int(Column::Cosine) << int(Qt::AscendingOrder)
                                      << QStringList{"f.nan", "w.roundtrip", "w.roundtrip.less", "f.cosine",
                                                     "p.close", "p.closer"};
    QTest::newRow("NaN descending") << int(Column::NaN) << int(Qt::DescendingOrder)
                                    << QStringList{"f.nan", "f.cosine", "w.roundtrip", "w.roundtrip.less",
                                                   "p.close", "p.closer"};
    QTest::newRow("round trip descending") << int(Column::RoundTrip) << int(Qt::DescendingOrder)
                                           << QStringList{"w.roundtrip", "w.roundtrip.less", "f.nan", "f.cosine",
                                                          "p.close", "p.closer"};
    QTest::newRow("max abs err descending") << int(Column::MaxAbsErr) << int(Qt::DescendingOrder)
                                            << QStringList{"f.cosine", "p.close", "p.closer", "f.nan",
                                                           "w.roundtrip", "w.roundtrip.less"};
}

void TstVerifyView::sorting()
{
    QFETCH(int, column);
    QFETCH(int, order);
    QFETCH(QStringList, expected);
    VerifyTableModel model;
    model.UI_setReport(sampleReport());
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(int(VerifyTableModel::Role::Sort));
    proxy.sort(column, Qt::SortOrder(order));
    QCOMPARE(names(proxy), expected);
}

void TstVerifyView::verdictColours_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QString>("text");
    QTest::newRow("fail") << 0 << QStringLiteral("fail");
    QTest::newRow("warn") << 2 << QStringLiteral("warn");
    QTest::newRow("pass") << 5 << QStringLiteral("pass");
}

void TstVerifyView::verdictColours()
{
    QFETCH(int, row);
    QFETCH(QString, text);
    VerifyTableModel model;
    model.UI_setReport(sampleReport());
    const QModelIndex verdict = model.index(row, int(Column::Verdict));
    QCOMPARE(verdict.data().toString(), text);
    const auto v = static_cast<Verdict>(verdict.data(int(VerifyTableModel::Role::Verdict)).toInt());
    QCOMPARE(verdict.data(Qt::BackgroundRole).value<QColor>(), VerifyTableModel::verdictColor(v));
    QVERIFY(!model.index(row, int(Column::Name)).data(Qt::BackgroundRole).isValid());  // only the verdict cell
}

void TstVerifyView::exportCsvAndJson()
{
    const auto report = sampleReport();
    const QString csvPath = m_dir.filePath(QStringLiteral("verify.csv"));
    const QString jsonPath = m_dir.filePath(QStringLiteral("verify.json"));
    QVERIFY(exportVerifyReport(*report, true, csvPath.toStdString()).ok());
    QVERIFY(exportVerifyReport(*report, true, jsonPath.toStdString()).ok());
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + int(report->tensors.size()));
    QVERIFY2(lines[0].startsWith(QLatin1String("\"name\",\"scheme\",\"verdict\",\"max_abs_err\"")), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(QLatin1String("\"p.close\",\"fp8_block\",\"pass\",")), qPrintable(lines[1]));
    QFile json(jsonPath);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject doc = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(doc.value(QLatin1String("verdict")).toString(), QStringLiteral("fail"));
    QCOMPARE(doc.value(QLatin1String("failed")).toInt(), 2);
    const QJsonArray tensors = doc.value(QLatin1String("tensors")).toArray();
    QCOMPARE(tensors.size(), qsizetype(report->tensors.size()));
    QCOMPARE(tensors[2].toObject().value(QLatin1String("cosine")).toDouble(), 0.5);
    QVERIFY(tensors[1].toObject().value(QLatin1String("cosine")).isNull());  // no reference: null
}

void TstVerifyView::verifyDemo_data()
{
    QTest::addColumn<bool>("corrupt");
    QTest::newRow("clean demo passes") << false;
    QTest::newRow("negative scale fails, listed first") << true;
}

void TstVerifyView::verifyDemo()
{
    QFETCH(bool, corrupt);
    QString path = m_demo;
    std::string bad;
    if (corrupt) {
        path = m_dir.filePath(QStringLiteral("v3-corrupt"));
        fs::remove_all(path.toStdString());
        fs::copy(m_demo.toStdString(), path.toStdString(), fs::copy_options::recursive);
        auto c = Checkpoint::open(path.toStdString());
        QVERIFY(c.ok());
        for (const QuantPair& p : c.value()->quant().pairs)
            if (p.scaleDtype == DType::F32 && bad.empty())
                bad = p.weight;
        QVERIFY2(!bad.empty(), "the demo has no F32-scaled weight");
        QVERIFY(corruptScale(path, c.value()->quant().findByWeight(bad)->scale));
    }
    auto checkpoint = Checkpoint::open(path.toStdString());
    QVERIFY(checkpoint.ok());
    VerifyView view;
    view.UI_setCheckpoint(checkpoint.value(), path);
    view.UI_setDevice(DeviceChoice::Cpu);
    QSignalSpy ended(&view, &VerifyView::verifyEnded);
    view.UI_start();
    QVERIFY(view.isRunning());
    QVERIFY(ended.wait(kWaitMs) || !ended.isEmpty());
    QVERIFY(ended.first().first().toBool());
    QCOMPARE(view.proxy()->rowCount(), int(checkpoint.value()->quant().pairs.size()));
    const QModelIndex first = view.proxy()->index(0, int(Column::Verdict));
    if (!corrupt) {
        QVERIFY2(view.verdictText().contains(QLatin1String("PASS")), qPrintable(view.verdictText()));
        QCOMPARE(view.outcome()->report.failed, quint64(0));
        return;
    }
    QVERIFY2(view.verdictText().contains(QLatin1String("FAIL")), qPrintable(view.verdictText()));
    QCOMPARE(first.data().toString(), QStringLiteral("fail"));
    QCOMPARE(view.proxy()->index(0, int(Column::Name)).data().toString(), QString::fromStdString(bad));
    QVERIFY2(view.proxy()->index(0, int(Column::Scales)).data().toString().contains(QLatin1String("negative")),
             qPrintable(view.proxy()->index(0, int(Column::Scales)).data().toString()));
    QVERIFY(view.proxy()->index(1, int(Column::Verdict)).data().toString() != QLatin1String("fail"));
}

void TstVerifyView::cancelPath()
{
    auto checkpoint = Checkpoint::open(m_demo.toStdString());
    QVERIFY(checkpoint.ok());
    KernelBackendProvider cpu(DeviceChoice::Cpu), cuda(DeviceChoice::Cuda);
    SimpleJobContext job;
    job.cancel();
    auto result = VerifyWorker::verify({checkpoint.value(), QString(), DeviceChoice::Cpu}, cpu, cuda, job);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::Cancelled);
    // Through the view: cancelled right after the start, the view reports it once the job stopped.
    VerifyView view;
    view.UI_setCheckpoint(checkpoint.value(), m_demo);
    view.UI_setDevice(DeviceChoice::Cpu);
    QSignalSpy ended(&view, &VerifyView::verifyEnded);
    QSignalSpy problem(&view, &VerifyView::problem);
    view.UI_start();
    view.UI_cancel();
    QVERIFY(ended.wait(kWaitMs) || !ended.isEmpty());
    QCOMPARE(ended.first().first().toBool(), false);
    QCOMPARE(problem.size(), 1);
    QCOMPARE(problem.first().first().toBool(), false);  // a warning, not an error
    QCOMPARE(view.model()->rowCount(), 0);
}

QTEST_MAIN(TstVerifyView)
#include "tst_verify_view.moc"
