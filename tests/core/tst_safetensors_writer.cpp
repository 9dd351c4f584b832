// The streaming writer: round trips through our reader in several chunkings, the header's
// padding, and every way a write can go wrong without leaving a final (or partial) file behind.

#include "core/safetensors/posix_io.h"
#include "core/safetensors/safetensors_file.h"
#include "core/safetensors/safetensors_writer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>

using namespace ckpt;

namespace {

struct Spec {
    DeclaredTensor decl;
    QByteArray bytes;
};

QByteArray pattern(std::uint64_t n, std::uint32_t seed, bool boolean)
{
    QByteArray out(static_cast<qsizetype>(n), '\0');
    for (qsizetype i = 0; i < out.size(); ++i) {
        const std::uint32_t v = static_cast<std::uint32_t>(i) * 37u + seed * 11u;
        out[i] = static_cast<char>(boolean ? v & 1u : v & 0xFFu);
    }
    return out;
}

Spec spec(const char* name, DType dtype, std::vector<std::uint64_t> shape)
{
    const std::uint64_t n = byteSizeFor(dtype, shape).value_or(0);
    Spec s{{name, dtype, std::move(shape)}, {}};
    const auto seed = static_cast<std::uint32_t>(qHash(QByteArray(name)));
    s.bytes = pattern(n, seed, dtype == DType::BOOL);
    return s;
}

// Several dtypes, an odd-sized F8 tensor first so later ones start unaligned, a scalar, a
// zero-size tensor in the middle and one at the end (regression C-1: scalars were dropped).
std::vector<Spec> mixedSpecs()
{
    return {spec("model.layers.0.mlp.experts.0.w1.weight", DType::F8_E4M3, {3, 5}),
            spec("model.layers.0.mlp.experts.0.w1.scale", DType::F8_E8M0, {1, 2}),
            spec("norm.weight", DType::BF16, {2, 3}),
            spec("empty", DType::F16, {0, 4}),
            spec("tid2eid", DType::I64, {3}),
            spec("mask", DType::BOOL, {5}),
            spec("scalar", DType::F32, {}),
            spec("fp4", DType::F4, {2, 3}),
            spec("pairs", DType::U16, {7}),
            spec("last_empty", DType::F64, {0})};
}

std::vector<DeclaredTensor> declarations(const std::vector<Spec>& specs)
{
    std::vector<DeclaredTensor> out;
    for (const Spec& s : specs) out.push_back(s.decl);
    return out;
}

QByteArray payloadOf(const std::vector<Spec>& specs)
{
    QByteArray all;
    for (const Spec& s : specs) all += s.bytes;
    return all;
}

std::span<const std::byte> asBytes(const QByteArray& b, qsizetype from = 0, qsizetype n = -1)
{
    if (n < 0) n = b.size() - from;
    return {reinterpret_cast<const std::byte*>(b.constData()) + from, static_cast<std::size_t>(n)};
}

bool exists(const std::string& path) { return QFile::exists(QString::fromStdString(path)); }

QByteArray readAll(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

const std::map<std::string, std::string> kMetadata{
    {"format", "pt"}, {"ckptscope.layout", "nemo-native"}, {"quote\"and\\slash", "é\n"}};

} // namespace

class TestSafetensorsWriter : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void headerPadding_data();
    void headerPadding();
    void emptyFile();
    void tooManyBytes();
    void finishWithMissingBytes();
    void destructorWithoutFinish();
    void existingFinalUntouchedUntilFinish();
    void stalePartialReplaced();
    void createErrors();
    void useAfterFinish();
    void diskFullIsReported();
};

void TestSafetensorsWriter::roundTrip_data()
{
    QTest::addColumn<int>("chunk");  // 0: one append per tensor
    QTest::newRow("per tensor") << 0;
    QTest::newRow("1-byte chunks") << 1;
    QTest::newRow("7-byte chunks across tensor boundaries") << 7;
    QTest::newRow("one chunk for everything") << (1 << 20);
}

void TestSafetensorsWriter::roundTrip()
{
    QFETCH(int, chunk);
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.safetensors").toStdString();
    const auto specs = mixedSpecs();
    auto created = SafetensorsWriter::create(path, declarations(specs), kMetadata);
    QVERIFY2(created.ok(), created.ok() ? "" : created.error().toString().c_str());
    SafetensorsWriter& w = **created;
    QCOMPARE(w.temporaryPath(), path + ".ckpt-partial");
    QVERIFY(exists(w.temporaryPath()));
    QCOMPARE(w.tensorCount(), specs.size());
    const QByteArray payload = payloadOf(specs);
    QCOMPARE(w.payloadBytes(), std::uint64_t(payload.size()));

    auto expectedCurrent = [&](std::uint64_t written) {
        std::size_t i = 0;
        while (i < w.entries().size() && w.entries()[i].end <= written) ++i;
        return i;
    };
    if (chunk == 0) {
        for (std::size_t i = 0; i < specs.size(); ++i) {
            QCOMPARE(w.currentTensor(), expectedCurrent(w.bytesWritten()));
            QVERIFY(w.append(asBytes(specs[i].bytes)).ok());
        }
    } else {
        for (qsizetype at = 0; at < payload.size(); at += chunk) {
            QCOMPARE(w.currentTensor(), expectedCurrent(w.bytesWritten()));
            QVERIFY(w.append(asBytes(payload, at, std::min<qsizetype>(chunk, payload.size() - at)))
                        .ok());
        }
    }
    QCOMPARE(w.currentTensor(), w.tensorCount());
    QCOMPARE(w.bytesWritten(), w.payloadBytes());
    QVERIFY(!exists(path));
    Status finished = w.finish();
    QVERIFY2(finished.ok(), finished.ok() ? "" : finished.error().toString().c_str());
    QVERIFY(exists(path));
    QVERIFY(!exists(w.temporaryPath()));

    auto file = SafetensorsFile::open(path);
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
    const SafetensorsHeader& h = (*file)->header();
    QCOMPARE(h.dataStart % 8, std::uint64_t{0});
    QCOMPARE(h.metadata, kMetadata);
    QCOMPARE(h.tensors.size(), specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const TensorEntry* t = h.find(specs[i].decl.name);
        QVERIFY2(t, specs[i].decl.name.c_str());
        QCOMPARE(t->dtype, specs[i].decl.dtype);
        QCOMPARE(t->shape, specs[i].decl.shape);
        QCOMPARE(t->begin, w.entries()[i].begin);
        const auto view = (*file)->bytes(*t);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(view.data()), qsizetype(view.size())),
                 specs[i].bytes);
    }
}

void TestSafetensorsWriter::headerPadding_data()
{
    QTest::addColumn<int>("nameLength");
    for (int n = 1; n <= 9; ++n) QTest::newRow(qPrintable(QString("name of %1").arg(n))) << n;
}

void TestSafetensorsWriter::headerPadding()
{
    QFETCH(int, nameLength);
    std::vector<TensorEntry> tensors{{std::string(nameLength, 'x'), DType::U8, {3}, 0, 3}};
    for (const auto& metadata : {std::map<std::string, std::string>{}, kMetadata}) {
        const std::string json = serializeSafetensorsHeader(tensors, metadata);
        QCOMPARE((8 + json.size()) % 8, std::size_t{0});
        QVERIFY(json.find_last_not_of(' ') == json.find_last_of('}'));
        auto parsed = parseSafetensorsHeader(json, 8 + json.size() + 3, DataCheck::Full, "f");
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->metadata, metadata);
        QCOMPARE(parsed->hasMetadata, !metadata.empty());
        if (!metadata.empty()) QVERIFY(json.rfind("{\"__metadata__\":{", 0) == 0);
    }
}

void TestSafetensorsWriter::emptyFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("empty.safetensors").toStdString();
    auto w = SafetensorsWriter::create(path, {}, {});
    QVERIFY(w.ok());
    QCOMPARE((*w)->currentTensor(), std::size_t{0});
    QVERIFY((*w)->finish().ok());
    QCOMPARE(readAll(path), QByteArray("\x08\0\0\0\0\0\0\0{}      ", 16));
    auto file = SafetensorsFile::open(path);
    QVERIFY(file.ok());
    QVERIFY((*file)->header().tensors.empty());
}

void TestSafetensorsWriter::tooManyBytes()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    auto w = SafetensorsWriter::create(path, {{"a", DType::F32, {2}}}, {});
    QVERIFY(w.ok());
    const QByteArray nine(9, 'x');
    Status s = (*w)->append(asBytes(nine));
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, ErrorCode::Internal);
    QCOMPARE(s.error().file, path);
    QCOMPARE((*w)->bytesWritten(), std::uint64_t{0});  // nothing of the refused chunk written
    QVERIFY((*w)->append(asBytes(nine, 0, 8)).ok());
    QVERIFY(!(*w)->append(asBytes(nine, 0, 1)).ok());
    QVERIFY((*w)->finish().ok());
    QCOMPARE(readAll(path).right(8), QByteArray(8, 'x'));
}

void TestSafetensorsWriter::finishWithMissingBytes()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    auto w = SafetensorsWriter::create(
        path, {{"a", DType::F32, {2}}, {"b", DType::BF16, {4}}, {"c", DType::U8, {1}}}, {});
    QVERIFY(w.ok());
    QVERIFY((*w)->append(asBytes(QByteArray(11, 'x'))).ok());
    QCOMPARE((*w)->currentTensor(), std::size_t{1});
    Status s = (*w)->finish();
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, ErrorCode::Internal);
    QCOMPARE(s.error().file, path);
    QCOMPARE(s.error().tensor, std::string("b"));
    QVERIFY(!exists(path));
    QVERIFY(!exists(path + ".ckpt-partial"));
}

void TestSafetensorsWriter::destructorWithoutFinish()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("d.safetensors").toStdString();
    {
        auto w = SafetensorsWriter::create(path, {{"a", DType::U8, {4}}}, {});
        QVERIFY(w.ok());
        QVERIFY((*w)->append(asBytes(QByteArray(4, 'x'))).ok());
        QVERIFY(exists(path + ".ckpt-partial"));
    }
    QVERIFY(!exists(path));
    QVERIFY(!exists(path + ".ckpt-partial"));
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TestSafetensorsWriter::existingFinalUntouchedUntilFinish()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("f.safetensors").toStdString();
    {
        QFile old(QString::fromStdString(path));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old contents");
    }
    auto w = SafetensorsWriter::create(path, {{"a", DType::U8, {4}}}, {});
    QVERIFY(w.ok());
    QVERIFY((*w)->append(asBytes(QByteArray("abcd"))).ok());
    QCOMPARE(readAll(path), QByteArray("old contents"));
    QVERIFY((*w)->finish().ok());
    QVERIFY(readAll(path).endsWith("abcd"));
    QVERIFY(SafetensorsFile::open(path).ok());

    // An aborted writer leaves the old file as it was.
    auto again = SafetensorsWriter::create(path, {{"b", DType::U8, {1}}}, {});
    QVERIFY(again.ok());
    (*again)->abort();
    (*again)->abort();  // idempotent
    QVERIFY(readAll(path).endsWith("abcd"));
}

void TestSafetensorsWriter::stalePartialReplaced()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("s.safetensors").toStdString();
    {
        QFile stale(QString::fromStdString(path + ".ckpt-partial"));
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.write(QByteArray(100, 'z'));
    }
    auto w = SafetensorsWriter::create(path, {{"a", DType::U8, {2}}}, {});
    QVERIFY(w.ok());
    QVERIFY((*w)->append(asBytes(QByteArray("hi"))).ok());
    QVERIFY((*w)->finish().ok());
    auto file = SafetensorsFile::open(path);
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
    QCOMPARE((*file)->fileSize(), 8 + (*file)->header().headerLength + 2);
}

void TestSafetensorsWriter::createErrors()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.safetensors").toStdString();
    struct Case {
        std::vector<DeclaredTensor> tensors;
        std::string targetPath;
        ErrorCode code;
        std::string tensor;
    };
    const std::vector<Case> cases{
        {{{"a", DType::U8, {1}}, {"a", DType::U8, {1}}}, path, ErrorCode::DuplicateTensor, "a"},
        {{{"big", DType::U8, {1ull << 40, 1ull << 40}}}, path, ErrorCode::ShapeOverflow, "big"},
        {{{"f4", DType::F4, {3}}}, path, ErrorCode::SizeMismatch, "f4"},
        {{{"__metadata__", DType::U8, {1}}}, path, ErrorCode::InvalidArgument, "__metadata__"},
        {{{"a", DType::U8, {1}}}, dir.filePath("no/such/dir/x.safetensors").toStdString(),
         ErrorCode::Io, ""},
    };
    for (const Case& c : cases) {
        auto w = SafetensorsWriter::create(c.targetPath, c.tensors, {});
        QVERIFY(!w.ok());
        QCOMPARE(errorCodeName(w.error().code), errorCodeName(c.code));
        QCOMPARE(w.error().file, c.targetPath);
        QCOMPARE(w.error().tensor, c.tensor);
    }
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TestSafetensorsWriter::useAfterFinish()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("u.safetensors").toStdString();
    auto w = SafetensorsWriter::create(path, {{"s", DType::F32, {}}}, {});
    QVERIFY(w.ok());
    QVERIFY((*w)->append(asBytes(QByteArray(4, '\0'))).ok());
    QVERIFY((*w)->finish().ok());
    QCOMPARE((*w)->finish().error().code, ErrorCode::Internal);
    QCOMPARE((*w)->append(asBytes(QByteArray(1, '\0'))).error().code, ErrorCode::Internal);
    (*w)->abort();  // no effect after a successful finish
    QVERIFY(exists(path));
}

void TestSafetensorsWriter::diskFullIsReported()
{
    // /dev/full fails every write with ENOSPC: the writer's I/O path must call that DiskFull.
    detail::UniqueFd fd(::open("/dev/full", O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) QSKIP("SKIP: /dev/full not available");
    const QByteArray data(4096, 'x');
    Status s = detail::writeAll(fd.get(), data.constData(), std::size_t(data.size()), "out.st");
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, ErrorCode::DiskFull);
    QCOMPARE(s.error().file, std::string("out.st"));
}

QTEST_GUILESS_MAIN(TestSafetensorsWriter)
#include "tst_safetensors_writer.moc"
