// ckptscope-cli demo + inspect end to end: the built binary, its JSON contract (DESIGN.md) and
// its exit codes (0 ok, 1 bad input naming the file, 2 usage).

#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using ckpt::test::runProcess;

namespace {

const QString kCli = QStringLiteral(CKPT_CLI_PATH);

QJsonObject parseObject(const QByteArray& out)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &err);
    if (err.error != QJsonParseError::NoError) qWarning("bad JSON: %s", qPrintable(err.errorString()));
    return doc.object();
}

} // namespace

class TestCliInspect : public QObject {
    Q_OBJECT
private slots:
    void demoThenInspect_data();
    void demoThenInspect();
    void humanOutput();
    void exitCodes_data();
    void exitCodes();
};

void TestCliInspect::demoThenInspect_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QStringList>("schemes");  // distinct "scheme rxc" entries expected in quant
    QTest::newRow("deepseek_v3") << "deepseek_v3" << QStringList{"fp8_block 128x128"};
    QTest::newRow("deepseek_v4") << "deepseek_v4" << QStringList{"fp4_e2m1 1x32", "fp8_block 128x128"};
    QTest::newRow("gemma4_moe") << "gemma4_moe" << QStringList{};
    QTest::newRow("step3p5") << "step3p5" << QStringList{};
}

void TestCliInspect::demoThenInspect()
{
    QFETCH(QString, family);
    QFETCH(QStringList, schemes);
    QTemporaryDir tmp;
    const QString dst = tmp.path() + "/demo";

    auto demo = runProcess(kCli, {"demo", dst, "--family", family, "--json"});
    QVERIFY2(demo.exitCode == 0, demo.err.constData());
    const QJsonObject d = parseObject(demo.out);
    QCOMPARE(d["family"].toString(), family);
    QVERIFY(d["files"].toInt() >= 3);
    QVERIFY(d["path"].toString().endsWith("/demo"));

    auto inspect = runProcess(kCli, {"inspect", dst, "--json"});
    QVERIFY2(inspect.exitCode == 0, inspect.err.constData());
    const QJsonObject j = parseObject(inspect.out);
    QCOMPARE(j["family"].toString(), family);
    QCOMPARE(j["layout"].toString(), QStringLiteral("hf"));
    QCOMPARE(j["files"].toInt(), d["files"].toInt());
    QCOMPARE(j["total_bytes"].toDouble(), d["total_bytes"].toDouble());
    const QJsonArray tensors = j["tensors"].toArray();
    QCOMPARE(tensors.size(), d["tensors"].toInt());
    double sum = 0;
    for (const auto& v : tensors) {
        const QJsonObject t = v.toObject();
        for (const char* key : {"name", "dtype", "shape", "file", "offset", "nbytes"}) QVERIFY2(t.contains(key), key);
        QVERIFY(t["file"].toString().startsWith("model-"));  // relative to the folder
        QVERIFY(t["shape"].isArray());
        sum += t["nbytes"].toDouble();
    }
    QCOMPARE(sum, j["total_bytes"].toDouble());

    QSet<QString> seen;
    for (const auto& v : j["quant"].toArray()) {
        const QJsonObject q = v.toObject();
        const QJsonArray block = q["block"].toArray();
        QVERIFY(!q["weight"].toString().isEmpty() && !q["scale"].toString().isEmpty());
        seen.insert(QString("%1 %2x%3").arg(q["scheme"].toString()).arg(block[0].toInt()).arg(block[1].toInt()));
    }
    QStringList got = seen.values();
    got.sort();
    QCOMPARE(got, schemes);
    QVERIFY(j["problems"].toArray().isEmpty());
}

void TestCliInspect::humanOutput()
{
    QTemporaryDir tmp;
    const QString dst = tmp.path() + "/demo";
    auto demo = runProcess(kCli, {"demo", dst, "--family", "deepseek_v4"});
    QVERIFY2(demo.exitCode == 0, demo.err.constData());
    QVERIFY(demo.out.contains("deepseek_v4"));
    auto inspect = runProcess(kCli, {"inspect", dst});
    QVERIFY2(inspect.exitCode == 0, inspect.err.constData());
    for (const char* part : {"family      deepseek_v4", "layout      hf", "quantized weights:", "fp4_e2m1 1x32",
                             "layers.0.ffn.gate.tid2eid", "I32"})
        QVERIFY2(inspect.out.contains(part), part);
    // A single shard inspects on its own, its tensors named relative to its folder.
    auto shard = runProcess(kCli, {"inspect", dst + "/model-00001-of-00003.safetensors", "--json"});
    QVERIFY2(shard.exitCode == 0, shard.err.constData());
    QCOMPARE(parseObject(shard.out)["files"].toInt(), 1);
}

void TestCliInspect::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");   // %T = the temporary folder
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("inspect missing path") << QStringList{"inspect", "%T/nope"} << 1 << "nope";
    QTest::newRow("inspect malformed file") << QStringList{"inspect", "%T/bad.safetensors"} << 1 << "bad.safetensors";
    QTest::newRow("inspect malformed index") << QStringList{"inspect", "%T/badindex"} << 1
                                             << "model.safetensors.index.json";
    QTest::newRow("inspect bad option") << QStringList{"inspect", "%T", "--bogus"} << 2 << "--bogus";
    QTest::newRow("inspect no path") << QStringList{"inspect"} << 2 << "usage";
    QTest::newRow("demo non-empty DST") << QStringList{"demo", "%T/badindex", "--family", "step3p5"} << 1
                                        << "badindex";
    QTest::newRow("demo unknown family") << QStringList{"demo", "%T/new", "--family", "llama"} << 2 << "llama";
    QTest::newRow("demo without family") << QStringList{"demo", "%T/new"} << 2 << "--family";
    QTest::newRow("demo bad size") << QStringList{"demo", "%T/new", "--family", "step3p5", "--size", "huge"} << 2
                                   << "huge";
}

void TestCliInspect::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, stderrHas);
    QTemporaryDir tmp;
    QFile bad(tmp.path() + "/bad.safetensors");
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": oops}     ");
    bad.close();
    QVERIFY(QDir(tmp.path()).mkdir("badindex"));
    QFile index(tmp.path() + "/badindex/model.safetensors.index.json");
    QVERIFY(index.open(QIODevice::WriteOnly));
    index.write("{\"weight_map\": [");
    index.close();
    for (QString& a : args) a.replace("%T", tmp.path());

    auto r = runProcess(kCli, args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
    QVERIFY(!QDir(tmp.path() + "/new").exists());  // refused commands write nothing
}

QTEST_GUILESS_MAIN(TestCliInspect)
#include "tst_cli_inspect.moc"
