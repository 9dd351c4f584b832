// Reading safetensors files: the real sample files (every integer/float dtype, an unaligned data
// start), and one row per way a file can be malformed, each checked through both readers
// (pread header-only and the mmap open) for the error code, the file and the tensor it names.

#include "core/safetensors/safetensors_file.h"
#include "support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>

#include <cstring>

using namespace ckpt;

Q_DECLARE_METATYPE(ckpt::ErrorCode)

namespace {

QByteArray lengthPrefix(quint64 n)
{
    QByteArray out(8, '\0');
    qToLittleEndian(n, out.data());
    return out;
}

// A file: 8-byte length, the header text, `dataBytes` payload bytes (zeros).
QByteArray stFile(const QByteArray& json, int dataBytes = 0)
{
    return lengthPrefix(json.size()) + json + QByteArray(dataBytes, '\0');
}

// One header entry, e.g. entry("w", "F32", "[2]", 0, 8).
QByteArray entry(const char* name, const char* dtype, const char* shape, int begin, int end)
{
    return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":[" + QByteArray::number(begin) + "," + QByteArray::number(end) +
           "]}";
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) return {};
    return path;
}

// The values every sample tensor holds, -3..2, as little-endian bytes of `dtype` (unsigned
// types wrap: U8 gives 253, 254, 255, 0, 1, 2).
QByteArray sampleBytes(DType dtype)
{
    static const quint16 kHalf[] = {0xC200, 0xC000, 0xBC00, 0x0000, 0x3C00, 0x4000};
    QByteArray out;
    for (int v = -3; v <= 2; ++v) {
        char buf[8];
        int n = dtypeBits(dtype) / 8;
        switch (dtype) {
        case DType::F16: qToLittleEndian(kHalf[v + 3], buf); break;
        case DType::F32: qToLittleEndian(static_cast<float>(v), buf); break;
        case DType::F64: qToLittleEndian(static_cast<double>(v), buf); break;
        default: qToLittleEndian(static_cast<qint64>(v), buf); break;  // low n bytes = wrapped
        }
        out.append(buf, n);
    }
    return out;
}

QByteArray viewBytes(std::span<const std::byte> s)
{
    return QByteArray(reinterpret_cast<const char*>(s.data()), static_cast<qsizetype>(s.size()));
}

} // namespace

class TestSafetensorsReader : public QObject {
    Q_OBJECT

private slots:
    void samples_data();
    void samples();
    void overallUnalignedStart();
    void malformed_data();
    void malformed();
    void headerOnly_data();
    void headerOnly();
    void notARegularFile();
    void rangesAndAdvice();
};

void TestSafetensorsReader::samples_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("dtype");
    for (const char* row : {"B:U8", "H:U16", "I:U32", "b:I8", "d:F64", "e:F16", "f:F32", "h:I16",
                            "i:I32"}) {
        const QStringList parts = QString::fromLatin1(row).split(':');
        QTest::newRow(row) << parts[0] << parts[1];
    }
}

void TestSafetensorsReader::samples()
{
    QFETCH(QString, name);
    QFETCH(QString, dtype);
    const std::string path = (ckpt::test::samplesDir() + "/" + name + ".safetensors").toStdString();
    auto file = SafetensorsFile::open(path);
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
    const SafetensorsHeader& h = (*file)->header();
    QCOMPARE(h.tensors.size(), std::size_t{1});
    const TensorEntry& t = h.tensors[0];
    QCOMPARE(QString::fromStdString(t.name), name);
    QCOMPARE(QString::fromLatin1(dtypeName(t.dtype)), dtype);
    QCOMPARE(t.shape, std::vector<std::uint64_t>{6});
    QVERIFY(h.hasMetadata);
    QCOMPARE(h.metadata, (std::map<std::string, std::string>{{"test", "a"}}));
    QCOMPARE(h.dataStart, 8 + h.headerLength);
    QCOMPARE(h.dataStart + h.dataLength, (*file)->fileSize());
    QCOMPARE(viewBytes((*file)->bytes(t)), sampleBytes(t.dtype));

    auto headerOnly = readSafetensorsHeader(path);
    QVERIFY(headerOnly.ok());
    QCOMPARE(headerOnly->dataStart, h.dataStart);
    QCOMPARE(headerOnly->tensors[0].end, t.end);
}

void TestSafetensorsReader::overallUnalignedStart()
{
    const std::string path = (ckpt::test::samplesDir() + "/overall.safetensors").toStdString();
    auto file = SafetensorsFile::open(path);
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
    const SafetensorsHeader& h = (*file)->header();
    QCOMPARE(h.headerLength, std::uint64_t{526});
    QCOMPARE(h.dataStart, std::uint64_t{534});  // not a multiple of 8: must still be accepted
    QCOMPARE(h.tensors.size(), std::size_t{9});
    QCOMPARE(h.metadata.at("test"), std::string("a"));
    std::uint64_t expectedBegin = 0;
    for (const TensorEntry& t : h.tensors) {  // in data_offsets order
        QCOMPARE(t.begin, expectedBegin);
        expectedBegin = t.end;
        QCOMPARE(viewBytes((*file)->bytes(t)), sampleBytes(t.dtype));
    }
    QVERIFY(h.find("d") && h.find("d")->dtype == DType::F64);
    QVERIFY(!h.find("x"));
}

void TestSafetensorsReader::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ckpt::ErrorCode>("code");
    QTest::addColumn<QString>("tensor");
    using E = ErrorCode;
    const QByteArray w8 = entry("w", "F32", "[2]", 0, 8);
    auto hdr = [](const QByteArray& body) { return "{" + body + "}"; };
    auto row = [](const char* name, const QByteArray& bytes, E code, const char* tensor = "") {
        QTest::newRow(name) << bytes << code << QString::fromUtf8(tensor);
    };
    row("empty file", {}, E::FileTooSmall);
    row("7 bytes", QByteArray(7, '\0'), E::FileTooSmall);
    row("length past EOF", lengthPrefix(100) + "{}", E::HeaderPastEof);
    row("length over 100 MB cap", lengthPrefix(100'000'001) + "{}", E::HeaderTooLarge);
    row("length 2^64-1", lengthPrefix(~quint64{0}) + "{}", E::HeaderTooLarge);
    row("non-UTF-8 byte", stFile("{\"\xff\":1}"), E::HeaderNotUtf8);
    row("overlong UTF-8", stFile("{\"\xc0\x80\":1}"), E::HeaderNotUtf8);
    row("UTF-8 surrogate", stFile("{\"\xed\xa0\x80\":1}"), E::HeaderNotUtf8);
    row("empty header", stFile(""), E::HeaderNotObject);
    row("JSON array", stFile("[1,2]"), E::HeaderNotObject);
    row("leading space", stFile(" {}"), E::HeaderNotObject);
    row("invalid JSON", stFile("{\"w\":"), E::HeaderInvalidJson);
    row("trailing comma", stFile(hdr(w8 + ","), 8), E::HeaderInvalidJson);
    row("garbage after object", stFile(hdr(w8) + " x", 8), E::HeaderInvalidJson);
    row("schema error then broken JSON", stFile("{" + entry("w", "F128", "[2]", 0, 8) + ",}"),
        E::HeaderInvalidJson);
    row("lone surrogate escape", stFile(R"({"\ud800":1})"), E::HeaderInvalidJson);
    row("raw control character", stFile("{\"a\tb\":1}"), E::HeaderInvalidJson);
    row("number beyond double", stFile(R"({"__metadata__":{"a":1e999}})"), E::HeaderInvalidJson);
    row("nesting deeper than 128",
        stFile("{\"w\":{\"x\":" + QByteArray(200, '[') + QByteArray(200, ']') + "}}"),
        E::HeaderInvalidJson);
    row("metadata value not string", stFile(R"({"__metadata__":{"a":1}})"), E::MetadataInvalid);
    row("metadata not object", stFile(R"({"__metadata__":"pt"})"), E::MetadataInvalid);
    row("metadata key twice", stFile(R"({"__metadata__":{"a":"1","a":"2"}})"),
        E::MetadataInvalid);
    row("metadata twice", stFile(R"({"__metadata__":{},"__metadata__":{}})"), E::MetadataInvalid);
    row("entry not object", stFile(R"({"w":[0,8]})"), E::TensorEntryInvalid, "w");
    row("missing dtype", stFile(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", 8),
        E::TensorEntryInvalid, "w");
    row("missing shape", stFile(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", 8),
        E::TensorEntryInvalid, "w");
    row("missing data_offsets", stFile(R"({"w":{"dtype":"F32","shape":[2]}})"),
        E::TensorEntryInvalid, "w");
    row("extra field",
        stFile(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"layout":"x"}})", 8),
        E::TensorEntryInvalid, "w");
    row("field twice",
        stFile(R"({"w":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8),
        E::TensorEntryInvalid, "w");
    row("dtype unknown", stFile(hdr(entry("w", "F128", "[2]", 0, 8)), 8), E::UnknownDtype, "w");
    row("dtype lower case", stFile(hdr(entry("w", "f32", "[2]", 0, 8)), 8), E::UnknownDtype, "w");
    row("dtype not string", stFile(R"({"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})", 8),
        E::TensorEntryInvalid, "w");
    row("shape negative", stFile(hdr(entry("w", "F32", "[-2]", 0, 8)), 8), E::InvalidShape, "w");
    row("shape float", stFile(hdr(entry("w", "F32", "[2.0]", 0, 8)), 8), E::InvalidShape, "w");
    row("shape exponent", stFile(hdr(entry("w", "F32", "[2e0]", 0, 8)), 8), E::InvalidShape, "w");
    row("shape string", stFile(hdr(entry("w", "F32", "[\"2\"]", 0, 8)), 8), E::InvalidShape, "w");
    row("shape not array", stFile(hdr(entry("w", "F32", "2", 0, 8)), 8), E::InvalidShape, "w");
    row("shape dim over 64 bits", stFile(hdr(entry("w", "F32", "[18446744073709551616]", 0, 8))),
        E::InvalidShape, "w");
    row("shape overflow", stFile(hdr(entry("w", "U8", "[1099511627776,1099511627776]", 0, 8))),
        E::ShapeOverflow, "w");
    row("numel times bits overflow", stFile(hdr(entry("w", "F32", "[2305843009213693952]", 0, 8))),
        E::ShapeOverflow, "w");
    row("offsets reversed", stFile(hdr(entry("w", "F32", "[2]", 8, 0)), 8), E::InvalidOffsets,
        "w");
    row("offsets three ints",
        stFile(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}})", 8),
        E::InvalidOffsets, "w");
    row("offsets one int", stFile(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8]}})", 8),
        E::InvalidOffsets, "w");
    row("offsets negative", stFile(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[-1,-1]}})"),
        E::InvalidOffsets, "w");
    row("offsets not array", stFile(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":0}})"),
        E::InvalidOffsets, "w");
    row("size mismatch", stFile(hdr(entry("w", "F32", "[2]", 0, 4)), 4), E::SizeMismatch, "w");
    row("F4 odd element count", stFile(hdr(entry("w", "F4", "[3]", 0, 2)), 2), E::SizeMismatch,
        "w");
    row("overlap", stFile(hdr(w8 + "," + entry("v", "F32", "[2]", 4, 12)), 12),
        E::OffsetsOverlap, "v");
    row("zero-size tensor inside another", stFile(hdr(w8 + "," + entry("z", "U8", "[0]", 4, 4)), 8),
        E::OffsetsOverlap, "z");
    row("gap", stFile(hdr(w8 + "," + entry("v", "F32", "[1]", 12, 16)), 16), E::OffsetsGap, "v");
    row("first tensor not at 0", stFile(hdr(entry("w", "F32", "[1]", 4, 8)), 8), E::OffsetsGap,
        "w");
    row("past end", stFile(hdr(w8), 4), E::OffsetsPastEnd, "w");
    row("trailing bytes", stFile(hdr(w8), 9), E::TrailingBytes);
    row("empty header with data", stFile("{}", 1), E::TrailingBytes);
    row("duplicate key", stFile(hdr(w8 + "," + w8), 8), E::DuplicateTensor, "w");
}

void TestSafetensorsReader::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ckpt::ErrorCode, code);
    QFETCH(QString, tensor);
    QTemporaryDir dir;
    const std::string path = writeFile(dir, "bad.safetensors", bytes).toStdString();
    QVERIFY(!path.empty());

    auto check = [&](const Error& e) {
        QVERIFY2(e.code == code, e.toString().c_str());
        QCOMPARE(QString::fromStdString(e.file), QString::fromStdString(path));
        QCOMPARE(QString::fromStdString(e.tensor), tensor);
        QVERIFY(!e.message.empty());
    };
    auto header = readSafetensorsHeader(path);
    QVERIFY(!header.ok());
    check(header.error());
    if (QTest::currentTestFailed()) return;
    auto file = SafetensorsFile::open(path);
    QVERIFY(!file.ok());
    check(file.error());
}

void TestSafetensorsReader::headerOnly_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("headerOnlyOk");
    QTest::addColumn<ckpt::ErrorCode>("fullCode");
    const QByteArray two = "{" + entry("a", "F32", "[4]", 0, 16) + "," +
                           entry("b", "BF16", "[2,2]", 16, 24) + "}";
    QTest::newRow("data truncated") << stFile(two, 10) << true << ErrorCode::OffsetsPastEnd;
    QTest::newRow("no data at all") << stFile(two) << true << ErrorCode::OffsetsPastEnd;
    QTest::newRow("trailing bytes ignored") << stFile(two, 40) << true << ErrorCode::TrailingBytes;
    const QByteArray gap = "{" + entry("a", "F32", "[4]", 0, 16) + "," +
                           entry("b", "BF16", "[2,2]", 20, 28) + "}";
    QTest::newRow("gap still found") << stFile(gap, 28) << false << ErrorCode::OffsetsGap;
}

void TestSafetensorsReader::headerOnly()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, headerOnlyOk);
    QFETCH(ckpt::ErrorCode, fullCode);
    QTemporaryDir dir;
    const std::string path = writeFile(dir, "h.safetensors", bytes).toStdString();
    auto loose = readSafetensorsHeader(path, DataCheck::HeaderOnly);
    QCOMPARE(loose.ok(), headerOnlyOk);
    if (loose.ok()) {
        QCOMPARE(loose->tensors.size(), std::size_t{2});
        QCOMPARE(loose->dataLength, std::uint64_t{24});
        QCOMPARE(loose->tensors[1].shape, (std::vector<std::uint64_t>{2, 2}));
    } else {
        QCOMPARE(loose.error().code, fullCode);
    }
    auto strict = readSafetensorsHeader(path, DataCheck::Full);
    QVERIFY(!strict.ok());
    QCOMPARE(strict.error().code, fullCode);
    auto mapped = SafetensorsFile::open(path);
    QVERIFY(!mapped.ok());
    QCOMPARE(mapped.error().code, fullCode);
}

void TestSafetensorsReader::notARegularFile()
{
    QTemporaryDir dir;
    for (const std::string& path : {dir.path().toStdString(), dir.path().toStdString() + "/none"}) {
        auto header = readSafetensorsHeader(path);
        QVERIFY(!header.ok());
        QCOMPARE(header.error().code, ErrorCode::Io);
        QCOMPARE(header.error().file, path);
        auto file = SafetensorsFile::open(path);
        QVERIFY(!file.ok());
        QCOMPARE(file.error().code, ErrorCode::Io);
    }
}

void TestSafetensorsReader::rangesAndAdvice()
{
    // Bigger than a few pages so that release() really drops whole pages in the middle.
    const int n = 5 * 4096;
    QByteArray payload(n * 4, '\0');
    for (int i = 0; i < n; ++i) qToLittleEndian(static_cast<float>(i), payload.data() + 4 * i);
    const QByteArray json = "{" + entry("x", "F32", QByteArray("[" + QByteArray::number(n) + "]"),
                                        0, n * 4) + "}";
    QTemporaryDir dir;
    const std::string path = writeFile(dir, "r.safetensors", stFile(json) + payload).toStdString();
    auto file = SafetensorsFile::open(path);
    QVERIFY(file.ok());
    const SafetensorsFile& f = **file;
    const TensorEntry& x = f.header().tensors[0];
    f.prefetch(f.header().dataStart, x.nbytes());
    QCOMPARE(viewBytes(f.bytes(x)), payload);
    f.release(f.header().dataStart + 1, x.nbytes() - 2);
    f.release(0, f.fileSize());
    QCOMPARE(viewBytes(f.bytes(x)), payload);  // dropped pages are read back from the file
    QCOMPARE(f.range(0, 8).size(), std::size_t{8});
    QVERIFY(f.range(f.fileSize(), 1).empty());
    QVERIFY(f.range(1, f.fileSize()).empty());
    QVERIFY(f.range(~std::uint64_t{0}, 2).empty());
    QCOMPARE(f.range(f.fileSize() - 4, 4).size(), std::size_t{4});
    f.prefetch(f.fileSize() + 10, 10);  // out of range: ignored
    f.release(f.fileSize() - 1, 1000);
}

QTEST_GUILESS_MAIN(TestSafetensorsReader)
#include "tst_safetensors_reader.moc"
