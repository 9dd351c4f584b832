// The scalar codecs of core/numeric against Python ml_dtypes (and numpy for f16): every code of
// every small format decoded, and f32 -> bf16/f16/e4m3/e5m2/e2m1 encoded for special values,
// every representable value, every midpoint between neighbours (± 1 ulp) and random bits. Where
// ckptscope deliberately differs from ml_dtypes (e4m3 saturation, e2m1 NaN and code 8, V4's
// E8M0 rule), the documented rule is tested on its own rows.

#include "core/numeric/bf16.h"
#include "core/numeric/e8m0.h"
#include "core/numeric/element_io.h"
#include "core/numeric/f16.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/fp8_e4m3.h"
#include "core/numeric/fp8_e5m2.h"
#include "support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace ckpt::numeric;

namespace {

const char* kPython = R"PY(
import sys, numpy as np, ml_dtypes as md
d = sys.argv[1]
x = np.fromfile(d + "/in.bin", dtype=np.uint32).view(np.float32)
codes = np.arange(256, dtype=np.uint8)
def dec(t, n=256):
    return np.arange(n, dtype=np.uint8 if n == 256 else np.uint16).view(t).astype(np.float32).view(np.uint32)
with np.errstate(all="ignore"):
    dec(md.float8_e4m3fn).tofile(d + "/dec_e4m3.bin")
    dec(md.float8_e5m2).tofile(d + "/dec_e5m2.bin")
    dec(md.float8_e8m0fnu).tofile(d + "/dec_e8m0.bin")
    np.arange(16, dtype=np.uint8).view(md.float4_e2m1fn).astype(np.float32).view(np.uint32).tofile(d + "/dec_e2m1.bin")
    np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32).view(np.uint32).tofile(d + "/dec_f16.bin")
    np.arange(65536, dtype=np.uint32).astype(np.uint16).view(md.bfloat16).astype(np.float32).view(np.uint32).tofile(d + "/dec_bf16.bin")
    x.astype(md.bfloat16).view(np.uint16).tofile(d + "/enc_bf16.bin")
    x.astype(np.float16).view(np.uint16).tofile(d + "/enc_f16.bin")
    x.astype(md.float8_e4m3fn).view(np.uint8).tofile(d + "/enc_e4m3.bin")
    x.astype(md.float8_e5m2).view(np.uint8).tofile(d + "/enc_e5m2.bin")
    x.astype(md.float4_e2m1fn).view(np.uint8).tofile(d + "/enc_e2m1.bin")
)PY";

float f(std::uint32_t bits) { return bitsToF32(bits); }

// Inputs: specials, every value of each target format, midpoints between neighbours and the
// floats just beside them (where RNE decides), and random bit patterns.
std::vector<std::uint32_t> makeInputs()
{
    std::vector<std::uint32_t> in = {0x0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                     0xffc00000, 0x7f800001, 0xffbfffff, 0x1, 0x807fffff,
                                     0x00800000, 0x7f7fffff, 0xff7fffff};
    std::vector<float> grid;
    for (unsigned c = 0; c < 256; ++c) {
        grid.push_back(e4m3ToF32(static_cast<std::uint8_t>(c)));
        grid.push_back(e5m2ToF32(static_cast<std::uint8_t>(c)));
    }
    for (unsigned c = 0; c < 16; ++c) grid.push_back(e2m1ToF32(static_cast<std::uint8_t>(c)));
    for (unsigned h = 0; h < 65536; ++h) {
        grid.push_back(f16ToF32(static_cast<std::uint16_t>(h)));
        grid.push_back(bf16ToF32(static_cast<std::uint16_t>(h)));
    }
    grid.erase(std::remove_if(grid.begin(), grid.end(), [](float v) { return !std::isfinite(v) || v < 0; }), grid.end());
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    auto add = [&](float v) {
        in.push_back(f32ToBits(v));
        in.push_back(f32ToBits(-v));
    };
    for (std::size_t i = 0; i < grid.size(); ++i) {
        add(grid[i]);
        if (i + 1 < grid.size()) {
            const float mid = static_cast<float>((static_cast<double>(grid[i]) + grid[i + 1]) / 2);
            add(mid);
            add(std::nextafter(mid, 0.0f));
            add(std::nextafter(mid, INFINITY));
        }
    }
    std::mt19937 rng(12345);
    for (int i = 0; i < 200000; ++i) in.push_back(rng());
    std::uniform_real_distribution<float> small(-600.f, 600.f);
    for (int i = 0; i < 100000; ++i) in.push_back(f32ToBits(small(rng)));
    return in;
}

template <typename T>
std::vector<T> readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QByteArray b = file.readAll();
    std::vector<T> v(static_cast<std::size_t>(b.size()) / sizeof(T));
    std::memcpy(v.data(), b.constData(), v.size() * sizeof(T));
    return v;
}

} // namespace

class TestNumeric : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::vector<std::uint32_t> m_in;

    QString path(const char* name) const { return m_dir.path() + QLatin1Char('/') + QLatin1String(name); }

private slots:
    void initTestCase();
    void decodeMatchesMlDtypes_data();
    void decodeMatchesMlDtypes();
    void encodeMatchesMlDtypes_data();
    void encodeMatchesMlDtypes();
    void documentedRules_data();
    void documentedRules();
    void e8m0Ceil_data();
    void e8m0Ceil();
    void f64Narrowing();
    void selectFormsMatchCodecs();
};

void TestNumeric::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (!ckpt::test::pythonReferenceAvailable())
        QFAIL(qPrintable("Python references missing: " + ckpt::test::pythonPath() +
                         " cannot import numpy + ml_dtypes (run packaging/install-deps.sh)"));
    m_in = makeInputs();
    QFile file(path("in.bin"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(reinterpret_cast<const char*>(m_in.data()), static_cast<qint64>(m_in.size() * 4));
    file.close();
    const auto r = ckpt::test::runPython(QString::fromUtf8(kPython), {m_dir.path()});
    if (r.exitCode != 0) QFAIL(qPrintable("ml_dtypes reference script failed: " + QString::fromUtf8(r.err)));
    qInfo("%zu encode inputs compared against ml_dtypes/numpy", m_in.size());
}

void TestNumeric::decodeMatchesMlDtypes_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("e4m3fn decode all 256 codes") << "e4m3";
    QTest::newRow("e5m2 decode all 256 codes") << "e5m2";
    QTest::newRow("e8m0 OCP decode all 256 codes") << "e8m0";
    QTest::newRow("e2m1 decode all 16 codes") << "e2m1";
    QTest::newRow("f16 decode all 65536 codes") << "f16";
    QTest::newRow("bf16 decode all 65536 codes") << "bf16";
}

void TestNumeric::decodeMatchesMlDtypes()
{
    QFETCH(QString, format);
    const auto ref = readAll<std::uint32_t>(m_dir.path() + "/dec_" + format + ".bin");
    QVERIFY2(!ref.empty(), "reference decode file missing");
    for (std::uint32_t c = 0; c < ref.size(); ++c) {
        float ours;
        if (format == "e4m3") ours = e4m3ToF32(static_cast<std::uint8_t>(c));
        else if (format == "e5m2") ours = e5m2ToF32(static_cast<std::uint8_t>(c));
        else if (format == "e8m0") ours = e8m0ToF32(static_cast<std::uint8_t>(c));
        else if (format == "f16") ours = f16ToF32(static_cast<std::uint16_t>(c));
        else if (format == "bf16") ours = bf16ToF32(static_cast<std::uint16_t>(c));
        else {
            ours = e2m1ToF32(static_cast<std::uint8_t>(c));
            if (c == 8) {  // V4 reference table: +0.0 where ml_dtypes gives -0.0
                QCOMPARE(f32ToBits(ours), 0u);
                continue;
            }
        }
        if (f32ToBits(ours) != ref[c])
            QFAIL(qPrintable(QString("%1 code 0x%2: ours 0x%3, ml_dtypes 0x%4").arg(format)
                                 .arg(c, 0, 16).arg(f32ToBits(ours), 8, 16, QChar('0')).arg(ref[c], 8, 16, QChar('0'))));
    }
}

void TestNumeric::encodeMatchesMlDtypes_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("f32 to bf16 RNE, NaN quiet with sign") << "bf16";
    QTest::newRow("f32 to f16 RNE incl. subnormals and overflow") << "f16";
    QTest::newRow("f32 to e4m3fn RNE within |x| <= 464") << "e4m3";
    QTest::newRow("f32 to e5m2 RNE, overflow to inf") << "e5m2";
    QTest::newRow("f32 to e2m1 RNE saturating, non-NaN") << "e2m1";
}

void TestNumeric::encodeMatchesMlDtypes()
{
    QFETCH(QString, format);
    const bool wide = format == "bf16" || format == "f16";
    std::vector<std::uint32_t> ref;
    if (wide) for (auto v : readAll<std::uint16_t>(m_dir.path() + "/enc_" + format + ".bin")) ref.push_back(v);
    else for (auto v : readAll<std::uint8_t>(m_dir.path() + "/enc_" + format + ".bin")) ref.push_back(v);
    QCOMPARE(ref.size(), m_in.size());
    std::size_t compared = 0;
    for (std::size_t i = 0; i < m_in.size(); ++i) {
        const std::uint32_t u = m_in[i];
        const float x = f(u);
        const bool nan = std::isnan(x);
        std::uint32_t ours = 0;
        if (format == "bf16") ours = f32ToBf16(x);
        else if (format == "f16") {
            if (nan) continue;  // numpy keeps NaN payloads; our rule (quiet 0x7E00) is tested apart
            ours = f32ToF16(x);
        } else if (format == "e4m3") {
            if (std::fabs(x) > 464.0f) continue;  // ml_dtypes turns these into NaN; we saturate
            ours = f32ToE4m3(x);
        } else if (format == "e5m2") ours = f32ToE5m2(x);
        else {
            if (nan) continue;  // e2m1 has no NaN; ml_dtypes' choice is arbitrary
            ours = f32ToE2m1(x);
        }
        ++compared;
        if (ours != ref[i])
            QFAIL(qPrintable(QString("%1 encode of f32 0x%2 (%3): ours 0x%4, reference 0x%5").arg(format)
                                 .arg(u, 8, 16, QChar('0')).arg(static_cast<double>(x), 0, 'g', 9)
                                 .arg(ours, 0, 16).arg(ref[i], 0, 16)));
    }
    qInfo("%s: %zu values identical", qPrintable(format), compared);
}

void TestNumeric::documentedRules_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<float>("input");
    QTest::addColumn<uint>("expected");
    const float nan = std::nanf(""), inf = INFINITY;
    QTest::newRow("e4m3 448 exact") << "e4m3" << 448.f << 0x7eu;
    QTest::newRow("e4m3 464 ties down to 448") << "e4m3" << 464.f << 0x7eu;
    QTest::newRow("e4m3 465 saturates") << "e4m3" << 465.f << 0x7eu;
    QTest::newRow("e4m3 1e30 saturates") << "e4m3" << 1e30f << 0x7eu;
    QTest::newRow("e4m3 -1e30 saturates") << "e4m3" << -1e30f << 0xfeu;
    QTest::newRow("e4m3 +inf saturates") << "e4m3" << inf << 0x7eu;
    QTest::newRow("e4m3 -inf saturates") << "e4m3" << -inf << 0xfeu;
    QTest::newRow("e4m3 NaN keeps NaN") << "e4m3" << nan << 0x7fu;
    QTest::newRow("e4m3 -NaN keeps sign") << "e4m3" << -nan << 0xffu;
    QTest::newRow("e4m3 half smallest subnormal ties to 0") << "e4m3" << 0.0009765625f << 0x00u;
    QTest::newRow("e4m3 1.5 subnormal steps ties to 2") << "e4m3" << 0.0029296875f << 0x02u;
    QTest::newRow("e4m3 -0 keeps sign") << "e4m3" << -0.0f << 0x80u;
    QTest::newRow("f16 NaN quiet") << "f16" << nan << 0x7e00u;
    QTest::newRow("f16 -NaN quiet with sign") << "f16" << -nan << 0xfe00u;
    QTest::newRow("f16 signalling NaN made quiet") << "f16" << f(0x7f800001) << 0x7e00u;
    QTest::newRow("f16 65520 ties to inf") << "f16" << 65520.f << 0x7c00u;
    QTest::newRow("bf16 signalling NaN made quiet") << "bf16" << f(0x7f800001) << 0x7fc0u;
    QTest::newRow("e2m1 NaN encodes as +0") << "e2m1" << nan << 0x0u;
    QTest::newRow("e2m1 inf saturates to 6") << "e2m1" << inf << 0x7u;
    QTest::newRow("e2m1 -7 saturates to -6") << "e2m1" << -7.f << 0xfu;
    QTest::newRow("e2m1 0.25 ties to 0") << "e2m1" << 0.25f << 0x0u;
    QTest::newRow("e2m1 0.75 ties to 1") << "e2m1" << 0.75f << 0x2u;
    QTest::newRow("e2m1 1.25 ties to 1") << "e2m1" << 1.25f << 0x2u;
    QTest::newRow("e2m1 1.75 ties to 2") << "e2m1" << 1.75f << 0x4u;
    QTest::newRow("e2m1 2.5 ties to 2") << "e2m1" << 2.5f << 0x4u;
    QTest::newRow("e2m1 3.5 ties to 4") << "e2m1" << 3.5f << 0x6u;
    QTest::newRow("e2m1 5 ties to 4") << "e2m1" << 5.f << 0x6u;
    QTest::newRow("e5m2 NaN quiet") << "e5m2" << nan << 0x7eu;
    QTest::newRow("e5m2 61440 ties to inf") << "e5m2" << 61440.f << 0x7cu;
    QTest::newRow("V4 fp4 scale byte 0 is 0.0") << "v4scale" << 0.f << 0u;
    QTest::newRow("V4 fp4 scale byte 255 is +inf") << "v4scale" << 255.f << 0x7f800000u;
    QTest::newRow("V4 fp4 scale byte 127 is 1") << "v4scale" << 127.f << 0x3f800000u;
    QTest::newRow("OCP e8m0 byte 0 is 2^-127") << "e8m0" << 0.f << 0x00400000u;
    QTest::newRow("OCP e8m0 byte 255 is NaN") << "e8m0" << 255.f << 0x7fc00000u;
}

void TestNumeric::documentedRules()
{
    QFETCH(QString, format);
    QFETCH(float, input);
    QFETCH(uint, expected);
    std::uint32_t ours = 0;
    if (format == "e4m3") ours = f32ToE4m3(input);
    else if (format == "f16") ours = f32ToF16(input);
    else if (format == "bf16") ours = f32ToBf16(input);
    else if (format == "e2m1") ours = f32ToE2m1(input);
    else if (format == "e5m2") ours = f32ToE5m2(input);
    else if (format == "v4scale") ours = f32ToBits(e8m0Fp4ScaleToF32(static_cast<std::uint8_t>(input)));
    else ours = f32ToBits(e8m0ToF32(static_cast<std::uint8_t>(input)));
    QCOMPARE(QString::number(ours, 16), QString::number(expected, 16));
}

void TestNumeric::e8m0Ceil_data()
{
    QTest::addColumn<float>("scale");
    QTest::addColumn<uint>("byte");
    QTest::newRow("1 -> 127") << 1.f << 127u;
    QTest::newRow("1.0000001 -> 128") << std::nextafter(1.f, 2.f) << 128u;
    QTest::newRow("0.75 -> 2^0") << 0.75f << 127u;
    QTest::newRow("0.5 -> 126") << 0.5f << 126u;
    QTest::newRow("2^-127 -> 0") << f(0x00400000) << 0u;
    QTest::newRow("smallest subnormal -> 0") << f(1) << 0u;
    QTest::newRow("FLT_MAX clamps to 254") << f(0x7f7fffff) << 254u;
    QTest::newRow("zero -> 127") << 0.f << 127u;
}

void TestNumeric::e8m0Ceil()
{
    QFETCH(float, scale);
    QFETCH(uint, byte);
    QCOMPARE(static_cast<uint>(f32ToE8m0Ceil(scale)), byte);
}

void TestNumeric::f64Narrowing()
{
    // f64 -> f32 (RNE) and f64 -> bf16/f16 via round-to-odd equal correctly rounded results
    // computed with long double maths on random values around every binade.
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t bits = (rng() & 0x800fffffffffffffull) | ((896ull + rng() % 260) << 52);
        const double d = bitsToF64(bits);
        QCOMPARE(f32ToBits(f64ToF32(d)), f32ToBits(static_cast<float>(d)));  // x86 cvtsd2ss is RNE
        // Reference for bf16: exact comparison against the two neighbours.
        const std::uint16_t b = f32ToBf16(f64ToF32RoundOdd(d));
        const double got = bf16ToF32(b);
        const double up = bf16ToF32(static_cast<std::uint16_t>(b + 1)), dn = bf16ToF32(static_cast<std::uint16_t>(b - 1));
        if (std::isfinite(got) && std::isfinite(up) && std::isfinite(dn) && std::fabs(got) > 1e-30)
            QVERIFY2(std::fabs(d - got) <= std::fabs(d - up) && std::fabs(d - got) <= std::fabs(d - dn),
                     qPrintable(QString("bf16 of %1 not nearest").arg(d, 0, 'g', 17)));
    }
}

void TestNumeric::selectFormsMatchCodecs()
{
    // The vectorisable decodes used by the CPU hot loops equal the reference codecs everywhere.
    for (unsigned c = 0; c < 256; ++c)
        QCOMPARE(e4m3ToF32BitsSelect(c), f32ToBits(e4m3ToF32(static_cast<std::uint8_t>(c))));
    for (unsigned c = 0; c < 16; ++c)
        QCOMPARE(e2m1ToF32BitsSelect(c), f32ToBits(e2m1ToF32(static_cast<std::uint8_t>(c))));
}

QTEST_GUILESS_MAIN(TestNumeric)
#include "tst_numeric.moc"
