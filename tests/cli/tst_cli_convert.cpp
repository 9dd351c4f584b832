// convert end to end on every demo family: values against an independent numpy + ml_dtypes
// computation, HF -> native -> HF round trips, FP8 re-quantization, config and index outputs.
#include "cli/convert_fixture.h"

using namespace ckpt::test;

class TestCliConvert : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void nativeMatchesNumpy_data();
    void nativeMatchesNumpy();
    void roundTripEqualsDequantizedHf_data();
    void roundTripEqualsDequantizedHf();
    void quantizeFp8RestoresLayout();
    void outputFolderFiles();

private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }
};

void TestCliConvert::initTestCase()
{
    QVERIFY2(pythonReferenceAvailable(), "Python with safetensors, numpy and ml_dtypes is required "
                                         "(packaging/install-deps.sh installs it into .venv)");
    for (const char* f : {"deepseek_v3", "deepseek_v4", "gemma4_moe", "step3p5"}) {
        const QString family = QString::fromLatin1(f);
        auto r = cli({"demo", path(family + "-hf"), "--family", family, "--size", "tiny"});
        CKPT_VERIFY_RUN(r, 0);
        // A small shard size so the native output is sharded too.
        r = cli({"convert", path(family + "-hf"), path(family + "-native"), "--max-shard-size", "1MB", "--json"});
        CKPT_VERIFY_RUN(r, 0);
        QVERIFY(jsonOf(r)["shards"].toArray().size() >= 2);
    }
}

void TestCliConvert::nativeMatchesNumpy_data()
{
    QTest::addColumn<QString>("family");
    QTest::newRow("V3 fp8 128x128 + experts + MTP") << "deepseek_v3";
    QTest::newRow("V4 fp8 e8m0 + fp4 experts + hash layers") << "deepseek_v4";
    QTest::newRow("G-2/G-3 gemma4 transpose + per_expert_scale") << "gemma4_moe";
    QTest::newRow("S-1/S-2 step3p5 concat + transpose") << "step3p5";
}

void TestCliConvert::nativeMatchesNumpy()
{
    QFETCH(QString, family);
    auto r = runCheck("check_native.py", {family, path(family + "-hf"), path(family + "-native")});
    CKPT_VERIFY_RUN(r, 0);
    QVERIFY(r.out.contains("bit-identical"));
}

void TestCliConvert::roundTripEqualsDequantizedHf_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("lossy");  // tensors compared by name/dtype/shape only
    QTest::newRow("V3") << "deepseek_v3" << QString();
    QTest::newRow("V4") << "deepseek_v4" << QString();
    // G-8: per_expert_scale is baked into down_proj and comes back as ones.
    QTest::newRow("G-8 gemma4") << "gemma4_moe" << "per_expert_scale|experts\\.down_proj";
    QTest::newRow("S-10 step3p5") << "step3p5" << QString();
}

void TestCliConvert::roundTripEqualsDequantizedHf()
{
    QFETCH(QString, family);
    QFETCH(QString, lossy);
    // HF -> native -> HF must equal HF -> HF (dequantize/cast only) byte for byte.
    auto back = cli({"convert", path(family + "-native"), path(family + "-back")});
    CKPT_VERIFY_RUN(back, 0);
    auto flat = cli({"convert", path(family + "-hf"), path(family + "-hfhf"), "--to", "hf"});
    CKPT_VERIFY_RUN(flat, 0);
    QStringList args{path(family + "-back"), path(family + "-hfhf")};
    if (!lossy.isEmpty()) args << lossy;
    auto r = runCheck("check_same.py", args);
    CKPT_VERIFY_RUN(r, 0);
}

void TestCliConvert::quantizeFp8RestoresLayout()
{
    // native -> HF with --quantize fp8 gives back DeepSeek V3's on-disk key set and dtypes.
    auto q = cli({"convert", path("deepseek_v3-native"), path("deepseek_v3-q"), "--quantize", "fp8"});
    CKPT_VERIFY_RUN(q, 0);
    auto a = cli({"inspect", path("deepseek_v3-hf"), "--json"});
    auto b = cli({"inspect", path("deepseek_v3-q"), "--json"});
    CKPT_VERIFY_RUN(a, 0);
    CKPT_VERIFY_RUN(b, 0);
    QMap<QString, QString> want, got;
    for (const auto& t : jsonOf(a)["tensors"].toArray())
        want[t.toObject()["name"].toString()] = t.toObject()["dtype"].toString() + QJsonDocument(t.toObject()["shape"].toArray()).toJson();
    for (const auto& t : jsonOf(b)["tensors"].toArray())
        got[t.toObject()["name"].toString()] = t.toObject()["dtype"].toString() + QJsonDocument(t.toObject()["shape"].toArray()).toJson();
    QCOMPARE(got, want);
    QCOMPARE(jsonOf(b)["quant"].toArray().size(), jsonOf(a)["quant"].toArray().size());
}

void TestCliConvert::outputFolderFiles()
{
    const QString dst = path("deepseek_v3-native");
    const QStringList files = filesIn(dst);
    QVERIFY(files.contains("model.safetensors.index.json"));
    QVERIFY(files.contains("config.json"));
    QVERIFY(files.contains("ckptscope-audit.json"));
    QVERIFY(!files.contains(".ckptscope-convert.json"));  // journal removed once complete
    for (const QString& f : files) QVERIFY2(!f.endsWith(".ckpt-partial"), qPrintable(f));
    // The source's other files are copied.
    for (const QString& f : filesIn(path("deepseek_v3-hf")))
        if (!f.endsWith(".safetensors") && f != "model.safetensors.index.json") QVERIFY2(files.contains(f), qPrintable(f));
    // index total_size is the exact payload, and every shard it names exists.
    QFile idx(dst + "/model.safetensors.index.json");
    QVERIFY(idx.open(QIODevice::ReadOnly));
    const QJsonObject index = QJsonDocument::fromJson(idx.readAll()).object();
    auto inspect = cli({"inspect", dst, "--json"});
    CKPT_VERIFY_RUN(inspect, 0);
    QCOMPARE(index["metadata"].toObject()["total_size"].toInteger(), jsonOf(inspect)["total_bytes"].toInteger());
    QCOMPARE(jsonOf(inspect)["layout"].toString(), QString("native"));
    // HF output of a dequantized model has no quantization_config left.
    QFile cfg(path("deepseek_v3-back/config.json"));
    QVERIFY(cfg.open(QIODevice::ReadOnly));
    QVERIFY(!QJsonDocument::fromJson(cfg.readAll()).object().contains("quantization_config"));
}

QTEST_GUILESS_MAIN(TestCliConvert)
#include "tst_cli_convert.moc"
