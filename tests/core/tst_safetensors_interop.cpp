// Interoperability with the official Python `safetensors` (numpy front end, ml_dtypes for BF16
// and F8): files it writes read back identically here, and files we write pass its reader.

#include "core/safetensors/safetensors_file.h"
#include "core/safetensors/safetensors_writer.h"
#include "support/test_support.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace ckpt;

namespace {

QString script(const char* name)
{
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/core/python/") + QString::fromLatin1(name);
}

QString hexOf(std::span<const std::byte> bytes)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())).toHex());
}

QJsonArray shapeJson(const std::vector<std::uint64_t>& shape)
{
    QJsonArray out;
    for (std::uint64_t d : shape) out.append(static_cast<qint64>(d));
    return out;
}

} // namespace

class TestSafetensorsInterop : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void readFileWrittenByPython();
    void pythonReadsOurFile();
};

void TestSafetensorsInterop::initTestCase()
{
    if (!ckpt::test::pythonReferenceAvailable())
        QFAIL(qPrintable("Python reference unavailable: " + ckpt::test::pythonPath() +
                         " cannot import safetensors, numpy and ml_dtypes. Run "
                         "packaging/install-deps.sh (it creates .venv) and reconfigure."));
}

void TestSafetensorsInterop::readFileWrittenByPython()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("python.safetensors");
    const auto run = ckpt::test::runProcess(ckpt::test::pythonPath(),
                                            {script("safetensors_write_reference.py"), path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject expected = QJsonDocument::fromJson(run.out).object();
    QVERIFY(!expected.isEmpty());

    auto file = SafetensorsFile::open(path.toStdString());
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
    const SafetensorsHeader& h = (*file)->header();
    const std::map<std::string, std::string> wantMetadata{{"format", "pt"}, {"writer", "python"}};
    QCOMPARE(h.metadata, wantMetadata);
    QCOMPARE(h.dataStart % 8, std::uint64_t{0});  // the official writer pads
    QCOMPARE(h.tensors.size(), std::size_t(expected.size()));

    const std::map<QString, DType> dtypes{
        {"model.embed_tokens.weight", DType::F32}, {"f16", DType::F16}, {"f64", DType::F64},
        {"i64", DType::I64}, {"i32", DType::I32}, {"u8", DType::U8}, {"bool", DType::BOOL},
        {"bf16", DType::BF16}, {"f8_e4m3", DType::F8_E4M3}, {"f8_e8m0", DType::F8_E8M0},
        {"scalar", DType::F32}, {"empty", DType::F16}};
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const TensorEntry* t = h.find(it.key().toStdString());
        QVERIFY2(t, qPrintable(it.key()));
        QVERIFY2(dtypes.count(it.key()) && dtypes.at(it.key()) == t->dtype, qPrintable(it.key()));
        QCOMPARE(shapeJson(t->shape), it.value().toObject().value("shape").toArray());
        QCOMPARE(hexOf((*file)->bytes(*t)), it.value().toObject().value("hex").toString());
    }
}

void TestSafetensorsInterop::pythonReadsOurFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("ours.safetensors").toStdString();
    // Odd sizes first, so later tensors start at unaligned offsets inside the buffer.
    const std::vector<DeclaredTensor> tensors{
        {"f8_e4m3", DType::F8_E4M3, {3, 3}}, {"f8_e8m0", DType::F8_E8M0, {5}},
        {"bf16", DType::BF16, {2, 3}},        {"f32", DType::F32, {2, 2}},
        {"f16", DType::F16, {3}},             {"i64", DType::I64, {2}},
        {"u8", DType::U8, {4}},               {"bool", DType::BOOL, {3}},
        {"scalar", DType::I32, {}},           {"empty", DType::F32, {0, 7}},
        {"model.layers.0.mlp.experts.gate_up_proj", DType::F64, {1, 2, 1}}};
    const std::map<std::string, std::string> metadata{
        {"format", "pt"},
        {"ckptscope.layout", "nemo-native"},
        {"ckptscope.family", "d\xc3\xa9j\xc3\xa0 \"vu\""}};  // non-ASCII and a quote
    auto writer = SafetensorsWriter::create(path, tensors, metadata);
    QVERIFY2(writer.ok(), writer.ok() ? "" : writer.error().toString().c_str());

    QJsonObject want;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const TensorEntry& e = (*writer)->entries()[i];
        QByteArray bytes(qsizetype(e.nbytes()), '\0');
        for (qsizetype k = 0; k < bytes.size(); ++k)  // BOOL must stay 0/1 for numpy
            bytes[k] = char(e.dtype == DType::BOOL ? k % 2 : (k * 29 + int(i) * 7 + 1) & 0x7F);
        QVERIFY((*writer)->append({reinterpret_cast<const std::byte*>(bytes.constData()),
                                   std::size_t(bytes.size())})
                    .ok());
        want.insert(QString::fromStdString(e.name),
                    QJsonObject{{"dtype", QString::fromLatin1(dtypeName(e.dtype))},
                                {"shape", shapeJson(e.shape)},
                                {"hex", QString::fromLatin1(bytes.toHex())}});
    }
    QVERIFY((*writer)->finish().ok());

    QJsonObject meta;
    for (const auto& [k, v] : metadata)
        meta.insert(QString::fromStdString(k), QString::fromStdString(v));
    const QString expectedPath = dir.filePath("expected.json");
    QFile f(expectedPath);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(QJsonObject{{"metadata", meta}, {"tensors", want}}).toJson());
    f.close();

    const auto run = ckpt::test::runProcess(
        ckpt::test::pythonPath(),
        {script("safetensors_check_ours.py"), QString::fromStdString(path), expectedPath});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

QTEST_GUILESS_MAIN(TestSafetensorsInterop)
#include "tst_safetensors_interop.moc"
