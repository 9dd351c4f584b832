// ckptscope-cli map end to end: the JSON contract of DESIGN.md on every demo family, the
// header-only guarantee (a copy whose shards are cut after their headers maps the same), and
// exit codes (1 naming tensor and file, 2 usage).

#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtEndian>
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

// Copies `src` into `dst`, cutting every .safetensors file after its header (8 + N bytes): the
// tensor data is gone, the headers and the other files are intact.
bool headerOnlyCopy(const QString& src, const QString& dst)
{
    QDir().mkpath(dst);
    for (const QFileInfo& fi : QDir(src).entryInfoList(QDir::Files)) {
        QFile in(fi.absoluteFilePath());
        if (!in.open(QIODevice::ReadOnly)) return false;
        QByteArray bytes;
        if (fi.fileName().endsWith(".safetensors")) {
            const QByteArray prefix = in.read(8);
            if (prefix.size() != 8) return false;
            const quint64 n = qFromLittleEndian<quint64>(prefix.constData());
            bytes = prefix + in.read(qint64(n));
        } else {
            bytes = in.readAll();
        }
        QFile out(dst + "/" + fi.fileName());
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size()) return false;
    }
    return true;
}

// A one-file checkpoint of an unknown family holding `header` (a JSON object) and `data`.
bool writeSafetensors(const QString& path, const QByteArray& header, const QByteArray& data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    uchar len[8];
    qToLittleEndian<quint64>(quint64(header.size()), len);
    f.write(reinterpret_cast<const char*>(len), 8);
    f.write(header);
    f.write(data);
    return true;
}

void checkContract(const QJsonObject& j)
{
    QVERIFY(j["outputs"].isArray());
    QVERIFY(j["dropped"].isArray());
    QVERIFY(j["warnings"].isArray());
    QVERIFY(!j["outputs"].toArray().isEmpty());
    for (const auto& v : j["outputs"].toArray()) {
        const QJsonObject o = v.toObject();
        for (const char* key : {"name", "dtype", "shape", "sources", "ops"}) QVERIFY2(o.contains(key), key);
        QVERIFY(o["shape"].isArray() && o["sources"].isArray() && o["ops"].isArray());
        QVERIFY(!o["ops"].toArray().isEmpty());
        QVERIFY(o["ops"].toArray().first().isString());
    }
    for (const auto& v : j["dropped"].toArray()) QVERIFY(v.isString());
}

} // namespace

class TestCliMap : public QObject {
    Q_OBJECT
private slots:
    void mapDemo_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("expertKey");  // one native output the plan must have
        QTest::newRow("deepseek_v3") << "deepseek_v3" << "model.layers.1.mlp.experts.gate_and_up_projs";
        QTest::newRow("deepseek_v4") << "deepseek_v4" << "model.layers.0.mlp.experts.down_projs";
        QTest::newRow("gemma4_moe") << "gemma4_moe" << "model.language_model.layers.0.moe.experts.down_projs";
        QTest::newRow("step3p5") << "step3p5" << "model.layers.3.moe.experts.gate_and_up_projs";
    }
    void mapDemo()
    {
        QFETCH(QString, family);
        QFETCH(QString, expertKey);
        QTemporaryDir tmp;
        const QString dst = tmp.path() + "/demo";
        auto demo = runProcess(kCli, {"demo", dst, "--family", family, "--size", "tiny"});
        QVERIFY2(demo.exitCode == 0, demo.err.constData());

        auto map = runProcess(kCli, {"map", dst, "--json"});
        QVERIFY2(map.exitCode == 0, map.err.constData());
        const QJsonObject j = parseObject(map.out);
        checkContract(j);
        QCOMPARE(j["family"].toString(), family);
        QCOMPARE(j["to"].toString(), QString("native"));
        bool found = false;
        for (const auto& v : j["outputs"].toArray()) found = found || v.toObject()["name"].toString() == expertKey;
        QVERIFY2(found, qPrintable(expertKey));

        // Header-only copy: same plan, no tensor byte needed.
        const QString cut = tmp.path() + "/headers";
        QVERIFY(headerOnlyCopy(dst, cut));
        auto mapCut = runProcess(kCli, {"map", cut, "--json"});
        QVERIFY2(mapCut.exitCode == 0, mapCut.err.constData());
        QCOMPARE(parseObject(mapCut.out)["outputs"], j["outputs"]);

        auto toHf = runProcess(kCli, {"map", cut, "--to", "hf", "--dtype", "f32", "--max-shard-size", "1MB", "--json"});
        QVERIFY2(toHf.exitCode == 0, toHf.err.constData());
        const QJsonObject h = parseObject(toHf.out);
        checkContract(h);
        QCOMPARE(h["to"].toString(), QString("hf"));
        QVERIFY(h["shards"].toInt() > 1);

        auto human = runProcess(kCli, {"map", cut});
        QVERIFY2(human.exitCode == 0, human.err.constData());
        QVERIFY(human.out.contains("total: "));
        QVERIFY(human.out.contains(" -> "));
    }

    void quantizeFp8()
    {
        QTemporaryDir tmp;
        const QString dst = tmp.path() + "/demo";
        QCOMPARE(runProcess(kCli, {"demo", dst, "--family", "deepseek_v3", "--size", "tiny"}).exitCode, 0);
        auto map = runProcess(kCli, {"map", dst, "--to", "hf", "--quantize", "fp8", "--json"});
        QVERIFY2(map.exitCode == 0, map.err.constData());
        bool scale = false;
        for (const auto& v : parseObject(map.out)["outputs"].toArray())
            scale = scale || v.toObject()["ops"].toArray().last().toString() == "quantize-fp8-block 128x128 scale";
        QVERIFY(scale);
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("E-1 unscaled FP8 weight") << QStringList{"map", "@/unknown"} << 1 << "weird.weight";
        QTest::newRow("E-2 unknown family to native") << QStringList{"map", "@/plain", "--to", "native"} << 1 << "unknown";
        QTest::newRow("E-3 missing path") << QStringList{"map", "@/nothing-here"} << 1 << "nothing-here";
        QTest::newRow("E-4 bad --to") << QStringList{"map", "@/plain", "--to", "gguf"} << 2 << "--to";
        QTest::newRow("E-5 bad --dtype") << QStringList{"map", "@/plain", "--dtype", "f64"} << 2 << "--dtype";
        QTest::newRow("E-6 bad --max-shard-size") << QStringList{"map", "@/plain", "--max-shard-size", "lots"} << 2 << "--max-shard-size";
        QTest::newRow("E-7 no path") << QStringList{"map"} << 2 << "usage";
    }
    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        QTemporaryDir tmp;
        QDir().mkpath(tmp.path() + "/unknown");
        QDir().mkpath(tmp.path() + "/plain");
        QVERIFY(writeSafetensors(tmp.path() + "/unknown/model.safetensors",
                                 R"({"weird.weight":{"dtype":"F8_E4M3","shape":[2,2],"data_offsets":[0,4]}})", "abcd"));
        QVERIFY(writeSafetensors(tmp.path() + "/plain/model.safetensors",
                                 R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcd"));
        for (QString& a : args) a.replace("@", tmp.path());
        auto r = runProcess(kCli, args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(stderrHas.toUtf8()), r.err.constData());
        if (args.size() > 1 && args[1].endsWith("/unknown")) QVERIFY2(r.err.contains("model.safetensors"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliMap)
#include "tst_cli_map.moc"
