// ckptscope-cli diff / verify / hist end to end: the JSON contracts of DESIGN.md, exit codes
// (0 whatever the result, 1 bad input naming file/tensor, 2 usage), --map on HF vs native, the
// dequantized reference, and the PNG written by hist --png (decoded by Python's zlib).

#include "convert_fixture.h"

#include <QFile>
#include <QJsonArray>

using namespace ckpt::test;

class TestCliDiffVerify : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.path() + "/" + name; }
    QString demo(const QString& family)
    {
        const QString p = path("demo-" + family);
        if (!QDir(p).exists()) {
            const auto r = cli({"demo", p, "--family", family, "--size", "tiny"});
            if (r.exitCode != 0) qFatal("demo failed: %s", r.err.constData());
        }
        return p;
    }
    QString converted(const QString& family, const QString& to)
    {
        const QString p = path(family + "-" + to);
        if (!QDir(p).exists()) {
            const auto r = cli({"convert", demo(family), p, "--to", to});
            if (r.exitCode != 0) qFatal("convert failed: %s", r.err.constData());
        }
        return p;
    }
    QString firstQuantizedWeight(const QString& dir)
    {
        const auto r = cli({"inspect", dir, "--json"});
        return jsonOf(r)["quant"].toArray().first().toObject()["weight"].toString();
    }

private slots:
    void diffContract()
    {
        const QString a = demo("deepseek_v3");
        const auto r = cli({"diff", a, a, "--json"});
        CKPT_VERIFY_RUN(r, 0);
        const QJsonObject j = jsonOf(r);
        for (const char* key : {"identical", "compared", "only_in_a", "only_in_b", "differences"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["identical"].toBool(), true);
        QVERIFY(j["compared"].toInt() > 0);
        QVERIFY(j["differences"].toArray().isEmpty());
    }

    void diffFindsValueDifference()
    {
        // The BF16 export against the FP8 source through --map-free dequantized comparison is
        // clean; with a loose tolerance, the FP8 source against a native copy through --map too.
        const QString fp8 = demo("deepseek_v3");
        const auto clean = cli({"diff", fp8, converted("deepseek_v3", "hf"), "--json"});
        CKPT_VERIFY_RUN(clean, 0);
        QCOMPARE(jsonOf(clean)["identical"].toBool(), true);
        const auto native = cli({"diff", fp8, converted("deepseek_v3", "native"), "--map", "--json"});
        CKPT_VERIFY_RUN(native, 0);
        QCOMPARE(jsonOf(native)["identical"].toBool(), true);
        const auto unmapped = cli({"diff", fp8, converted("deepseek_v3", "native"), "--json"});
        CKPT_VERIFY_RUN(unmapped, 0);  // different, still exit 0
        const QJsonObject j = jsonOf(unmapped);
        QCOMPARE(j["identical"].toBool(), false);
        QVERIFY(!j["only_in_a"].toArray().isEmpty());
        QVERIFY(!j["only_in_b"].toArray().isEmpty());
    }

    void diffExitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exit");
        QTest::newRow("one path") << QStringList{"diff", "A"} << 2;
        QTest::newRow("bad atol") << QStringList{"diff", "A", "B", "--atol", "abc"} << 2;
        QTest::newRow("negative rtol") << QStringList{"diff", "A", "B", "--rtol", "-1"} << 2;
        QTest::newRow("unknown flag") << QStringList{"diff", "A", "B", "--bogus"} << 2;
        QTest::newRow("missing path") << QStringList{"diff", "/nonexistent/ckpt", "DEMO"} << 1;
        QTest::newRow("verify missing path") << QStringList{"verify", "/nonexistent/ckpt", "--json"} << 1;
        QTest::newRow("verify bad device") << QStringList{"verify", "DEMO", "--device", "tpu"} << 2;
        QTest::newRow("verify missing reference") << QStringList{"verify", "DEMO", "--reference", "/nonexistent/r"} << 1;
        QTest::newRow("hist unknown tensor") << QStringList{"hist", "DEMO", "no.such.tensor", "--json"} << 1;
        QTest::newRow("hist zero bins") << QStringList{"hist", "DEMO", "x", "--bins", "0"} << 2;
        QTest::newRow("hist no tensor") << QStringList{"hist", "DEMO"} << 2;
    }
    void diffExitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exit);
        args.replaceInStrings("DEMO", demo("deepseek_v3"));
        const auto r = cli(args);
        CKPT_VERIFY_RUN(r, exit);
        QVERIFY(r.out.isEmpty());
        QVERIFY(!r.err.isEmpty());
        if (args.contains("no.such.tensor")) QVERIFY(r.err.contains("no.such.tensor"));
        if (args.contains("/nonexistent/ckpt")) QVERIFY(r.err.contains("/nonexistent/ckpt"));
    }

    void verifyContract_data()
    {
        QTest::addColumn<QString>("family");
        QTest::newRow("deepseek_v3") << "deepseek_v3";
        QTest::newRow("deepseek_v4") << "deepseek_v4";
    }
    void verifyContract()
    {
        QFETCH(QString, family);
        const auto r = cli({"verify", demo(family), "--device", "cpu", "--json"});
        CKPT_VERIFY_RUN(r, 0);
        const QJsonObject j = jsonOf(r);
        QCOMPARE(j["verdict"].toString(), QStringLiteral("pass"));
        const QJsonArray tensors = j["tensors"].toArray();
        QVERIFY(!tensors.isEmpty());
        for (const auto& v : tensors) {
            const QJsonObject t = v.toObject();
            for (const char* key : {"name", "scheme", "max_abs_err", "rmse", "snr_db", "cosine", "nan", "inf", "verdict",
                                    "roundtrip_mismatch", "roundtrip_codes_changed", "cpu_cuda", "scale_problems", "reason"})
                QVERIFY2(t.contains(key), key);
            QCOMPARE(t["verdict"].toString(), QStringLiteral("pass"));
            QCOMPARE(t["roundtrip_mismatch"].toInt(), 0);
            QCOMPARE(t["cpu_cuda"].toString(), QStringLiteral("skipped"));
        }
        QVERIFY(j["cpu_cuda"].toString().contains("--device cpu"));
    }

    void verifyReference()
    {
        const auto r = cli({"verify", demo("deepseek_v3"), "--reference", converted("deepseek_v3", "hf"), "--json"});
        CKPT_VERIFY_RUN(r, 0);
        const QJsonObject j = jsonOf(r);
        QCOMPARE(j["verdict"].toString(), QStringLiteral("pass"));
        for (const auto& v : j["tensors"].toArray()) {
            const QJsonObject t = v.toObject();
            QCOMPARE(t["max_abs_err"].toDouble(), 0.0);
            QCOMPARE(t["cosine"].toDouble(), 1.0);
            QVERIFY(t["snr_db"].isNull());  // +inf: exact
            QCOMPARE(t["exact"].toBool(), true);
        }
    }

    void verifyHumanTable()
    {
        const auto r = cli({"verify", demo("deepseek_v3")});
        CKPT_VERIFY_RUN(r, 0);
        QVERIFY(r.out.startsWith("verdict: pass"));
    }

    void histContract_data()
    {
        QTest::addColumn<bool>("log");
        QTest::addColumn<bool>("scales");
        QTest::newRow("dequantized") << false << false;
        QTest::newRow("dequantized log") << true << false;
        QTest::newRow("scales") << false << true;
    }
    void histContract()
    {
        QFETCH(bool, log);
        QFETCH(bool, scales);
        const QString dir = demo("deepseek_v3");
        const QString weight = firstQuantizedWeight(dir);
        QStringList args{"hist", dir, weight, "--bins", "16", "--json"};
        if (log) args << "--log";
        if (scales) args << "--scales";
        const auto r = cli(args);
        CKPT_VERIFY_RUN(r, 0);
        const QJsonObject j = jsonOf(r);
        for (const char* key : {"tensor", "bins", "underflow", "overflow", "zeros", "nan", "inf", "min", "max"})
            QVERIFY2(j.contains(key), key);
        const QJsonArray bins = j["bins"].toArray();
        QCOMPARE(bins.size(), 16);
        qint64 total = j["underflow"].toInteger() + j["overflow"].toInteger() + j["nan"].toInteger() +
                       j["inf"].toInteger() + (log ? j["zeros"].toInteger() : 0);
        for (const auto& b : bins) {
            const QJsonObject o = b.toObject();
            QVERIFY(o["lo"].toDouble() <= o["hi"].toDouble());
            total += o["count"].toInteger();
        }
        QCOMPARE(total, j["count"].toInteger());
        QCOMPARE(j["underflow"].toInteger() + j["overflow"].toInteger(), qint64{0});
        QCOMPARE(j["source"].toString(), scales ? QStringLiteral("scales") : QStringLiteral("dequantized"));
        QCOMPARE(j["tensor"].toString(), scales ? weight + "_scale_inv" : weight);
    }

    void histHumanAndPng()
    {
        const QString dir = demo("deepseek_v3");
        const QString png = path("hist.png");
        const auto r = cli({"hist", dir, firstQuantizedWeight(dir), "--bins", "8", "--png", png});
        CKPT_VERIFY_RUN(r, 0);
        QCOMPARE(r.out.count('\n'), 8 + 2);  // title, 8 bars, counters
        QVERIFY(r.out.contains('#'));
        QVERIFY(QFile::exists(png));
        if (!pythonReferenceAvailable()) QSKIP("SKIP: python not available to decode the PNG");
        const auto py = runPython(QStringLiteral(
            "import sys, struct, zlib\nd = open(sys.argv[1], 'rb').read()\nassert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
            "pos, idat, size = 8, b'', None\nwhile pos < len(d):\n"
            "    n, t = struct.unpack('>I4s', d[pos:pos+8]); body = d[pos+8:pos+8+n]\n"
            "    assert struct.unpack('>I', d[pos+8+n:pos+12+n])[0] == zlib.crc32(t + body)\n"
            "    if t == b'IHDR': size = struct.unpack('>II', body[:8])\n"
            "    if t == b'IDAT': idat += body\n    pos += 12 + n\n"
            "raw = zlib.decompress(idat)\nw, h = size\nassert len(raw) == h * (1 + 3 * w)\n"
            "assert any(raw[i] != 255 for i in range(len(raw)) if i % (1 + 3 * w))\nprint(w, h)\n"),
            {png});
        QVERIFY2(py.exitCode == 0, py.err.constData());
        QCOMPARE(QString::fromUtf8(py.out).trimmed(), QStringLiteral("640 360"));
    }

    void histScalesOfPlainTensor()
    {
        const QString dir = demo("deepseek_v3");
        const auto r = cli({"hist", dir, "model.norm.weight", "--scales", "--json"});
        CKPT_VERIFY_RUN(r, 1);
        QVERIFY(r.err.contains("model.norm.weight"));
    }
};

QTEST_GUILESS_MAIN(TestCliDiffVerify)
#include "tst_cli_diff_verify.moc"
