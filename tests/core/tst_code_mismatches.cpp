// core/verify/code_mismatches: the round trip's "differs as a value" rules against the values
// ml_dtypes decodes every e4m3fn and e2m1 code to (every pair of codes, every pair of packed
// bytes), the F32 rule on the special values, and counts across the 2^24-element chunks the loops
// count in.

#include "core/verify/code_mismatches.h"
#include "support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace ckpt;

namespace {

const char* kPython = R"PY(
import sys, numpy as np, ml_dtypes as md
d = sys.argv[1]
with np.errstate(all="ignore"):
    np.arange(256, dtype=np.uint8).view(md.float8_e4m3fn).astype(np.float32).tofile(d + "/e4m3.bin")
    np.arange(16, dtype=np.uint8).view(md.float4_e2m1fn).astype(np.float32).tofile(d + "/e2m1.bin")
)PY";

// Same value: equal as floats (+0 == -0), or both NaN.
bool sameValue(float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); }

constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;  // the loops' count chunk

float bits(std::uint32_t u)
{
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

} // namespace

class TestCodeMismatches : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::vector<float> m_e4m3, m_e2m1;  // ml_dtypes' value of each code

    std::vector<float> readFloats(const QString& name, std::size_t n)
    {
        QFile f(m_dir.filePath(name));
        std::vector<float> v(n);
        if (!f.open(QIODevice::ReadOnly) || f.read(reinterpret_cast<char*>(v.data()), qint64(n * 4)) != qint64(n * 4))
            v.clear();
        return v;
    }

private slots:
    void initTestCase();
    void everyCodePair_data();
    void everyCodePair();
    void f32Specials_data();
    void f32Specials();
    void acrossChunks_data();
    void acrossChunks();
};

void TestCodeMismatches::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (!test::pythonReferenceAvailable())
        QFAIL(qPrintable("Python references missing: " + test::pythonPath() +
                         " cannot import numpy + ml_dtypes (run packaging/install-deps.sh)"));
    const auto r = test::runPython(QString::fromUtf8(kPython), {m_dir.path()});
    if (r.exitCode != 0) QFAIL(qPrintable("ml_dtypes reference script failed: " + QString::fromUtf8(r.err)));
    m_e4m3 = readFloats("e4m3.bin", 256);
    m_e2m1 = readFloats("e2m1.bin", 16);
    QCOMPARE(m_e4m3.size(), std::size_t{256});
    QCOMPARE(m_e2m1.size(), std::size_t{16});
}

void TestCodeMismatches::everyCodePair_data()
{
    QTest::addColumn<bool>("fp4");
    QTest::addColumn<quint64>("expectedTotal");  // pairs (fp8) or nibble pairs (fp4) of different value
    // e4m3fn: 254 distinct values, 2 codes of zero and 2 of NaN: 256^2 - (252 + 2*2 + 2*2) pairs
    // are of different value. e2m1: 15 values (two zeros): per nibble 256 - (14 + 4) = 238,
    // counted over both nibbles of 65536 byte pairs, so 2 * 238 * 256.
    QTest::newRow("fp8 e4m3fn, 65536 code pairs") << false << quint64(65536 - 260);
    QTest::newRow("fp4 e2m1, 65536 packed byte pairs") << true << quint64(2 * 238 * 256);
}

void TestCodeMismatches::everyCodePair()
{
    QFETCH(bool, fp4);
    QFETCH(quint64, expectedTotal);
    std::vector<std::uint8_t> a(65536), b(65536);
    std::uint64_t expected = 0;
    for (unsigned i = 0; i < 65536; ++i) {
        a[i] = static_cast<std::uint8_t>(i >> 8);
        b[i] = static_cast<std::uint8_t>(i);
        std::uint64_t want = 0;
        if (fp4) {
            want = !sameValue(m_e2m1[a[i] & 0xf], m_e2m1[b[i] & 0xf]) + !sameValue(m_e2m1[a[i] >> 4], m_e2m1[b[i] >> 4]);
        } else {
            want = !sameValue(m_e4m3[a[i]], m_e4m3[b[i]]);
        }
        const std::uint64_t got = fp4 ? fp4CodeMismatches(&a[i], &b[i], 1) : fp8CodeMismatches(&a[i], &b[i], 1);
        if (got != want)
            QFAIL(qPrintable(QStringLiteral("codes 0x%1 / 0x%2: %3 mismatches, ml_dtypes' values give %4")
                                 .arg(a[i], 2, 16, QChar('0')).arg(b[i], 2, 16, QChar('0')).arg(got).arg(want)));
        expected += want;
    }
    QCOMPARE(expected, std::uint64_t{expectedTotal});  // the reference itself, against the count above
    QCOMPARE(fp4 ? fp4CodeMismatches(a.data(), b.data(), a.size()) : fp8CodeMismatches(a.data(), b.data(), a.size()),
             expected);
}

void TestCodeMismatches::f32Specials_data()
{
    QTest::addColumn<quint32>("x");
    QTest::addColumn<quint32>("y");
    QTest::addColumn<bool>("differs");
    QTest::newRow("+0 / -0") << 0x00000000u << 0x80000000u << false;
    QTest::newRow("quiet NaN / NaN of another payload and sign") << 0x7fc00000u << 0xff800001u << false;
    QTest::newRow("NaN / 1") << 0x7fc00000u << 0x3f800000u << true;
    QTest::newRow("1 / NaN") << 0x3f800000u << 0x7fc00000u << true;
    QTest::newRow("1 / 1") << 0x3f800000u << 0x3f800000u << false;
    QTest::newRow("1 / next float up") << 0x3f800000u << 0x3f800001u << true;
    QTest::newRow("inf / inf") << 0x7f800000u << 0x7f800000u << false;
    QTest::newRow("inf / -inf") << 0x7f800000u << 0xff800000u << true;
    QTest::newRow("inf / NaN") << 0x7f800000u << 0x7fc00000u << true;
    QTest::newRow("smallest subnormal / +0") << 0x00000001u << 0x00000000u << true;
}

void TestCodeMismatches::f32Specials()
{
    QFETCH(quint32, x);
    QFETCH(quint32, y);
    QFETCH(bool, differs);
    // a is read unaligned: put it one byte into a buffer.
    std::byte room[5];
    std::memcpy(room + 1, &x, 4);
    const float b = bits(y);
    QCOMPARE(f32ValueMismatches(room + 1, &b, 1), std::uint64_t{differs});
}

void TestCodeMismatches::acrossChunks_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("fp8") << "fp8";
    QTest::newRow("fp4") << "fp4";
    QTest::newRow("f32") << "f32";
}

// Differences at both ends of every chunk and past the last one: a chunk boundary that drops or
// counts an element twice changes the total.
void TestCodeMismatches::acrossChunks()
{
    QFETCH(QString, kind);
    const std::uint64_t n = 2 * kChunk + 3;
    const std::vector<std::uint64_t> at = {0, kChunk - 1, kChunk, 2 * kChunk - 1, 2 * kChunk, n - 1};
    std::uint64_t got = 0, want = at.size();
    if (kind == "f32") {
        std::vector<float> a(n, 1.0f), b(n, 1.0f);
        for (auto i : at) b[i] = 2.0f;
        got = f32ValueMismatches(reinterpret_cast<const std::byte*>(a.data()), b.data(), n);
    } else {
        std::vector<std::uint8_t> a(n, 0x11), b(n, 0x11);
        for (auto i : at) b[i] = 0x12;  // fp4: one nibble changes; fp8: a different code
        got = kind == "fp8" ? fp8CodeMismatches(a.data(), b.data(), n) : fp4CodeMismatches(a.data(), b.data(), n);
    }
    QCOMPARE(got, want);
}

QTEST_GUILESS_MAIN(TestCodeMismatches)
#include "tst_code_mismatches.moc"
