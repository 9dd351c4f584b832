// CpuBackend quantization and casts: quantize(dequantize(q)) == q bit for bit with power-of-two
// scales, the measured round-trip rate with F32 scales and BF16 output, FP4 packing, casts
// against the scalar codecs, byte-identical results for 1 and 7 threads, and argument errors.

#include "kernel_reference.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_backend.h"

#include <QtTest>

#include <functional>

using namespace ckpt;
using namespace ckpt::test;

Q_DECLARE_METATYPE(ckpt::DType)

namespace {

// Random codes where every block holds ±448 somewhere, so its amax is 448 x scale.
Bytes codesWithFullBlocks(std::uint64_t rows, std::uint64_t cols, std::uint32_t block, std::mt19937& rng)
{
    Bytes q = randomE4m3(rows * cols, rng);
    for (std::uint64_t br = 0; br < rows; br += block)
        for (std::uint64_t bc = 0; bc < cols; bc += block) {
            const std::uint64_t r = br + rng() % std::min<std::uint64_t>(block, rows - br);
            const std::uint64_t c = bc + rng() % std::min<std::uint64_t>(block, cols - bc);
            q[r * cols + c] = (rng() & 1) ? 0x7e : 0xfe;
        }
    return q;
}

// The f32 patterns where the encoders' rounding and range rules change: every upper half with
// lower halves at and around 0 and the top (ties of e4m3 and e2m1 sit at 0x80000 and 0x200000 of
// the low bits, so exact and off-by-one ties are all here), keeping |x| <= limit and NaN / inf.
std::vector<float> sweepUpTo(float limit)
{
    std::vector<float> v;
    for (std::uint32_t hi = 0; hi < 0x10000; ++hi)
        for (std::uint32_t lo : {0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu}) {
            const float x = numeric::bitsToF32(hi << 16 | lo);
            if (!std::isfinite(x) || std::fabs(x) <= limit) v.push_back(x);
        }
    return v;
}

// Rows of `width` F32 values, each row one block / group: `pin` first (it sets the scale), then
// width - 1 values of the sweep, the last row padded with zeros.
Bytes pinnedRows(const std::vector<float>& sweep, float pin, std::uint64_t width, std::uint64_t& rows)
{
    rows = ceilDivU(sweep.size(), width - 1);
    std::vector<float> v(rows * width, 0.0f);
    for (std::uint64_t i = 0; i < sweep.size(); ++i) v[(i / (width - 1)) * width + 1 + i % (width - 1)] = sweep[i];
    for (std::uint64_t r = 0; r < rows; ++r) v[r * width] = r % 2 ? -pin : pin;
    return f32Bytes(v);
}

// Every BF16 code whose value is at most `amax` in magnitude, and every inf and NaN.
std::vector<std::uint16_t> bf16CodesUpTo(float amax)
{
    std::vector<std::uint16_t> codes;
    for (std::uint32_t code = 0; code < 0x10000; ++code) {
        const float x = numeric::bitsToF32(code << 16);
        if (!std::isfinite(x) || std::fabs(x) <= amax) codes.push_back(static_cast<std::uint16_t>(code));
    }
    return codes;
}

} // namespace

class TestCpuQuant : public QObject {
    Q_OBJECT
    CpuBackend m_one{1}, m_many{7};

private slots:
    void roundTripE8m0_data();
    void roundTripE8m0();
    void quantMatchesReference_data();
    void quantMatchesReference();
    void fp4QuantMatchesReference_data();
    void fp4QuantMatchesReference();
    void quantSweepMatchesReference_data();
    void quantSweepMatchesReference();
    void fp4EveryCodeAtEveryScale_data();
    void fp4EveryCodeAtEveryScale();
    void fp8EveryBf16CodeAtScales_data();
    void fp8EveryBf16CodeAtScales();
    void fp8Bf16TableAtAnyScale_data();
    void fp8Bf16TableAtAnyScale();
    void fp8Bf16BucketsAtAnyScale_data() { fp8Bf16TableAtAnyScale_data(); }
    void fp8Bf16BucketsAtAnyScale();
    void roundTripRateF32Scales();
    void fp4RoundTrip();
    void quantRules();
    void castMatchesCodecs();
    void threadCountIndependent();
    void badArguments();
};

void TestCpuQuant::roundTripE8m0_data()
{
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<DType>("mid");
    QTest::newRow("256x256 via BF16") << 256ull << 256ull << DType::BF16;
    QTest::newRow("200x100 partial blocks via F32") << 200ull << 100ull << DType::F32;
    QTest::newRow("3x4097 via BF16") << 3ull << 4097ull << DType::BF16;
}

void TestCpuQuant::roundTripE8m0()
{
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(DType, mid);
    std::mt19937 rng(5);
    const Bytes q = codesWithFullBlocks(rows, cols, 128, rng);
    Bytes scale(ceilDivU(rows, 128) * ceilDivU(cols, 128));
    for (auto& b : scale) b = static_cast<std::uint8_t>(100 + rng() % 50);
    Bytes deq(rows * cols * bytesOf(mid)), q2(q.size()), scale2(scale.size());
    QVERIFY(m_many.dequantFp8Block({q.data(), rows, cols, scale.data(), DType::F8_E8M0, 128, 128, deq.data(), mid}).ok());
    QVERIFY(m_many.quantFp8Block({deq.data(), mid, rows, cols, 128, 128, q2.data(), scale2.data(), DType::F8_E8M0}).ok());
    const long long at = firstMismatch(q2, q, 1);
    QVERIFY2(at < 0, qPrintable(QString("code mismatch at [%1, %2]").arg(at / static_cast<long long>(cols)).arg(at % static_cast<long long>(cols))));
    QVERIFY(scale2 == scale);
}

// Codes and scales bit for bit against the element-at-a-time reference: ragged shapes, blocks
// narrower than a vector, several tiles per block row, random bit patterns (NaN, inf,
// subnormals), and inputs so small that the F32 scale underflows.
void TestCpuQuant::quantMatchesReference_data()
{
    QTest::addColumn<DType>("inDtype");
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<uint>("blockRows");
    QTest::addColumn<uint>("blockCols");
    QTest::addColumn<DType>("scaleDtype");
    QTest::addColumn<QString>("kind");
    QTest::newRow("BF16 256x256 weights, F32 scales") << DType::BF16 << 256ull << 256ull << 128u << 128u << DType::F32 << "weights";
    QTest::newRow("BF16 300x4097 random bits, E8M0") << DType::BF16 << 300ull << 4097ull << 128u << 128u << DType::F8_E8M0 << "bits";
    QTest::newRow("BF16 1024x2304 weights, 3 tiles per block row") << DType::BF16 << 1024ull << 2304ull << 128u << 128u << DType::F32 << "weights";
    QTest::newRow("F32 200x100 random bits") << DType::F32 << 200ull << 100ull << 128u << 128u << DType::F32 << "bits";
    QTest::newRow("F32 130x260 tiny, scale underflows") << DType::F32 << 130ull << 260ull << 128u << 128u << DType::F32 << "tiny";
    QTest::newRow("F16 129x130 random bits") << DType::F16 << 129ull << 130ull << 128u << 128u << DType::F32 << "bits";
    QTest::newRow("F16 64x96 blocks 32x16 weights, E8M0") << DType::F16 << 64ull << 96ull << 32u << 16u << DType::F8_E8M0 << "weights";
    QTest::newRow("BF16 7x45 blocks 3x5 random bits") << DType::BF16 << 7ull << 45ull << 3u << 5u << DType::F32 << "bits";
    QTest::newRow("F32 1x1") << DType::F32 << 1ull << 1ull << 128u << 128u << DType::F32 << "weights";
}

void TestCpuQuant::quantMatchesReference()
{
    QFETCH(DType, inDtype);
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(uint, blockRows);
    QFETCH(uint, blockCols);
    QFETCH(DType, scaleDtype);
    QFETCH(QString, kind);
    std::mt19937 rng(static_cast<unsigned>(rows * 7 + cols));
    Bytes in = kind == "bits" ? randomBytes(rows * cols * bytesOf(inDtype), rng) : randomFloats(inDtype, rows * cols, rng);
    for (std::uint64_t i = 0; kind == "tiny" && i < rows * cols; ++i)
        numeric::storeFromF32(in.data(), inDtype, i, numeric::loadF32(in.data(), inDtype, i) * 1e-40f);
    const Fp8BlockQuantArgs a{in.data(), inDtype, rows, cols, blockRows, blockCols, nullptr, nullptr, scaleDtype};
    Bytes wantQ, wantS;
    referenceFp8Quant(a, wantQ, wantS);
    for (CpuBackend* be : {&m_one, &m_many}) {
        Bytes q(wantQ.size()), s(wantS.size());
        Fp8BlockQuantArgs b = a;
        b.outWeight = q.data(), b.outScale = s.data();
        QVERIFY(be->quantFp8Block(b).ok());
        const long long sAt = firstMismatch(s, wantS, scaleDtype == DType::F8_E8M0 ? 1 : 4);
        QVERIFY2(sAt < 0, qPrintable(QString("first scale mismatch at block %1").arg(sAt)));
        const long long qAt = firstMismatch(q, wantQ, 1);
        QVERIFY2(qAt < 0, qPrintable(QString("first code mismatch at [%1, %2]: 0x%3, want 0x%4").arg(qAt / static_cast<long long>(cols)).arg(qAt % static_cast<long long>(cols))
                                         .arg(qAt < 0 ? 0 : q[qAt], 0, 16).arg(qAt < 0 ? 0 : wantQ[qAt], 0, 16)));
    }
}

void TestCpuQuant::fp4QuantMatchesReference_data()
{
    QTest::addColumn<DType>("inDtype");
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<uint>("group");
    QTest::addColumn<QString>("kind");
    QTest::newRow("BF16 128x4096 weights, groups of 32") << DType::BF16 << 128ull << 4096ull << 32u << "weights";
    QTest::newRow("BF16 33x4098 random bits, ragged last group") << DType::BF16 << 33ull << 4098ull << 32u << "bits";
    QTest::newRow("F32 100x200 random bits, groups of 40") << DType::F32 << 100ull << 200ull << 40u << "bits";
    QTest::newRow("F16 70x98 random bits, groups of 2") << DType::F16 << 70ull << 98ull << 2u << "bits";
    QTest::newRow("F32 9x70 weights, odd groups of 7") << DType::F32 << 9ull << 70ull << 7u << "weights";
    // Groups that are all zero (scale byte 127), all subnormal (byte 1), near the top of the
    // range, or with a NaN or inf, in runs of eight groups as the vector loops take them.
    QTest::newRow("BF16 16x1024 extreme groups") << DType::BF16 << 16ull << 1024ull << 32u << "extremes";
    QTest::newRow("F32 16x1056 extreme groups") << DType::F32 << 16ull << 1056ull << 32u << "extremes";
}

void TestCpuQuant::fp4QuantMatchesReference()
{
    QFETCH(DType, inDtype);
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(uint, group);
    QFETCH(QString, kind);
    std::mt19937 rng(static_cast<unsigned>(rows * 5 + cols));
    Bytes in = kind == "bits" ? randomBytes(rows * cols * bytesOf(inDtype), rng) : randomFloats(inDtype, rows * cols, rng);
    for (std::uint64_t i = 0; kind == "extremes" && i < rows * cols; ++i) {
        const float v = numeric::loadF32(in.data(), inDtype, i);
        const std::uint64_t g = i / group;
        const float x = g % 5 == 0 ? 0.f : g % 5 == 1 ? v * 1e-37f : g % 5 == 2 ? v * 0x1p127f : g % 5 == 3 && i % group == 5 ? (g % 2 ? NAN : -INFINITY) : v;
        numeric::storeFromF32(in.data(), inDtype, i, x);
    }
    const Fp4QuantArgs a{in.data(), inDtype, rows, cols, group, nullptr, nullptr};
    Bytes wantP, wantS;
    referenceFp4Quant(a, wantP, wantS);
    for (CpuBackend* be : {&m_one, &m_many}) {
        Bytes p(wantP.size()), s(wantS.size());
        Fp4QuantArgs b = a;
        b.outPacked = p.data(), b.outScale = s.data();
        QVERIFY(be->quantFp4(b).ok());
        const long long sAt = firstMismatch(s, wantS, 1), pAt = firstMismatch(p, wantP, 1);
        QVERIFY2(sAt < 0, qPrintable(QString("first scale mismatch at %1").arg(sAt)));
        QVERIFY2(pAt < 0, qPrintable(QString("first packed byte mismatch at %1").arg(pAt)));
    }
}

// Every rounding boundary of the encoders (sweepUpTo) through the whole quantizer, each block
// pinned to a known scale: F32 scale 1 and 3 (a division), E8M0 scale 2^-5 (the SIMD loops
// multiply by the exact reciprocal there), FP4 groups with scale 1 and 2^3.
void TestCpuQuant::quantSweepMatchesReference_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<float>("pin");
    QTest::addColumn<DType>("scaleDtype");
    QTest::newRow("FP8, F32 scale 1") << "fp8" << 448.0f << DType::F32;
    QTest::newRow("FP8, F32 scale 3") << "fp8" << 1344.0f << DType::F32;
    QTest::newRow("FP8, E8M0 scale 2^-5") << "fp8" << 14.0f << DType::F8_E8M0;
    QTest::newRow("FP4, scale 1") << "fp4" << 6.0f << DType::F8_E8M0;
    QTest::newRow("FP4, scale 2^3") << "fp4" << 48.0f << DType::F8_E8M0;
}

void TestCpuQuant::quantSweepMatchesReference()
{
    QFETCH(QString, format);
    QFETCH(float, pin);
    QFETCH(DType, scaleDtype);
    const bool fp8 = format == "fp8";
    const std::uint64_t width = fp8 ? 128 : 32;
    std::uint64_t rows = 0;
    const Bytes in = pinnedRows(sweepUpTo(pin), pin, width, rows);
    Bytes want, wantS, got, gotS;
    if (fp8) {
        Fp8BlockQuantArgs a{in.data(), DType::F32, rows, width, 1, 128, nullptr, nullptr, scaleDtype};
        referenceFp8Quant(a, want, wantS);
        got.resize(want.size()), gotS.resize(wantS.size());
        a.outWeight = got.data(), a.outScale = gotS.data();
        QVERIFY(m_many.quantFp8Block(a).ok());
    } else {
        Fp4QuantArgs a{in.data(), DType::F32, rows, width, 32, nullptr, nullptr};
        referenceFp4Quant(a, want, wantS);
        got.resize(want.size()), gotS.resize(wantS.size());
        a.outPacked = got.data(), a.outScale = gotS.data();
        QVERIFY(m_many.quantFp4(a).ok());
    }
    QVERIFY2(firstMismatch(gotS, wantS, 1) < 0, "scale mismatch");
    const long long at = firstMismatch(got, want, 1);
    QVERIFY2(at < 0, qPrintable(QString("byte %1: 0x%2, want 0x%3, input row %4")
                                    .arg(at).arg(at < 0 ? 0 : got[at], 0, 16).arg(at < 0 ? 0 : want[at], 0, 16)
                                    .arg(at / static_cast<long long>(fp8 ? width : width / 2))));
}

// Every BF16 code (as BF16, and widened to F32) in FP4 groups of every reachable scale byte
// b = 1..253: row b's groups each start with +-6 x 2^(b - 127) (the largest finite BF16 for
// b = 253), which sets the scale to 2^(b - 127), then hold the codes that fit under it (and every inf and NaN), 31 per group. Rows
// of 2,115 groups run the 16-group batches of the SIMD packers and their tails.
void TestCpuQuant::fp4EveryCodeAtEveryScale_data()
{
    QTest::addColumn<DType>("inDtype");
    QTest::newRow("BF16 input") << DType::BF16;
    QTest::newRow("F32 input") << DType::F32;
}

void TestCpuQuant::fp4EveryCodeAtEveryScale()
{
    QFETCH(DType, inDtype);
    constexpr std::uint64_t rows = 253, groups = (0x10000 + 30) / 31, cols = groups * 32;
    const std::uint64_t eb = inDtype == DType::BF16 ? 2 : 4;
    Bytes in(rows * cols * eb, 0);
    auto put = [&](std::uint64_t i, std::uint16_t code) {
        if (eb == 2) {
            std::memcpy(in.data() + i * 2, &code, 2);
        } else {
            const std::uint32_t wide = std::uint32_t{code} << 16;
            std::memcpy(in.data() + i * 4, &wide, 4);
        }
    };
    for (std::uint64_t r = 0; r < rows; ++r) {
        // 6 x 2^126 overflows; the largest finite BF16 (amax / 6 just under 2^126) gives b = 253.
        const float pin = r + 1 < 253 ? std::ldexp(6.0f, static_cast<int>(r + 1) - 127) : numeric::bitsToF32(0x7f7f0000u);
        const std::uint16_t pinCode = static_cast<std::uint16_t>(numeric::f32ToBits(pin) >> 16);
        const std::vector<std::uint16_t> codes = bf16CodesUpTo(pin);
        for (std::uint64_t k = 0; k < codes.size(); ++k) put(r * cols + (k / 31) * 32 + 1 + k % 31, codes[k]);
        for (std::uint64_t g = 0; g < groups; ++g) put(r * cols + g * 32, static_cast<std::uint16_t>(pinCode | (g % 2) << 15));
    }
    Fp4QuantArgs a{in.data(), inDtype, rows, cols, 32, nullptr, nullptr};
    Bytes want, wantS;
    referenceFp4Quant(a, want, wantS);
    for (std::uint64_t r = 0; r < rows; ++r)  // the pins did set every scale byte
        QCOMPARE(wantS[r * groups], static_cast<std::uint8_t>(r + 1));
    Bytes got(want.size()), gotS(wantS.size());
    a.outPacked = got.data(), a.outScale = gotS.data();
    QVERIFY(m_many.quantFp4(a).ok());
    const long long sAt = firstMismatch(gotS, wantS, 1);
    QVERIFY2(sAt < 0, qPrintable(QString("scale of row %1 group %2").arg(sAt / groups).arg(sAt % groups)));
    const long long at = firstMismatch(got, want, 1);
    QVERIFY2(at < 0, qPrintable(QString("byte %1 (row %2): 0x%3, want 0x%4").arg(at).arg(at / (cols / 2))
                                    .arg(at < 0 ? 0 : got[at], 0, 16).arg(at < 0 ? 0 : want[at], 0, 16)));
}

// Every BF16 code through the FP8 block quantizer at block scales across the range: 1 x 128
// blocks whose first value (the pin, +-) sets amax, then 127 of the codes that fit under it (and
// every inf and NaN). The BF16 encoder looks codes up in a table per block where the scale is a
// normal float and divides elsewhere (subnormal scales, codes below e4m3's normals, BF16
// subnormals); all must give the codec's bytes.
void TestCpuQuant::fp8EveryBf16CodeAtScales_data()
{
    QTest::addColumn<float>("pin");
    QTest::addColumn<DType>("scaleDtype");
    for (DType sd : {DType::F32, DType::F8_E8M0}) {
        const char* name = sd == DType::F32 ? "F32" : "E8M0";
        QTest::newRow(qPrintable(QString("%1 scale 3").arg(name))) << 1344.0f << sd;
        QTest::newRow(qPrintable(QString("%1 scale 0.7").arg(name))) << 313.6f << sd;
        QTest::newRow(qPrintable(QString("%1 weights' amax 0.1").arg(name))) << 0.1f << sd;
        QTest::newRow(qPrintable(QString("%1 tiny amax 1e-30").arg(name))) << 1e-30f << sd;
        QTest::newRow(qPrintable(QString("%1 scale near the smallest normal").arg(name))) << 448.0f * 1.5f * 0x1p-126f << sd;
        QTest::newRow(qPrintable(QString("%1 subnormal scale").arg(name))) << 1e-40f << sd;
        QTest::newRow(qPrintable(QString("%1 huge amax 1e38").arg(name))) << 1e38f << sd;
        QTest::newRow(qPrintable(QString("%1 largest finite BF16").arg(name))) << numeric::bitsToF32(0x7f7f0000u) << sd;
    }
}

void TestCpuQuant::fp8EveryBf16CodeAtScales()
{
    QFETCH(float, pin);
    QFETCH(DType, scaleDtype);
    const std::uint16_t pinCode = static_cast<std::uint16_t>(numeric::f32ToBits(pin) >> 16);
    const float amax = numeric::bitsToF32(std::uint32_t{pinCode} << 16);
    const std::vector<std::uint16_t> codes = bf16CodesUpTo(amax);
    const std::uint64_t blocks = (codes.size() + 126) / 127, cols = blocks * 128;
    Bytes in(cols * 2, 0);
    for (std::uint64_t k = 0; k < codes.size(); ++k) std::memcpy(in.data() + 2 * ((k / 127) * 128 + 1 + k % 127), &codes[k], 2);
    for (std::uint64_t b = 0; b < blocks; ++b) {
        const std::uint16_t p = static_cast<std::uint16_t>(pinCode | (b % 2) << 15);
        std::memcpy(in.data() + 2 * b * 128, &p, 2);
    }
    Fp8BlockQuantArgs a{in.data(), DType::BF16, 1, cols, 1, 128, nullptr, nullptr, scaleDtype};
    Bytes want, wantS;
    referenceFp8Quant(a, want, wantS);
    Bytes got(want.size()), gotS(wantS.size());
    a.outWeight = got.data(), a.outScale = gotS.data();
    QVERIFY(m_many.quantFp8Block(a).ok());
    QVERIFY2(firstMismatch(gotS, wantS, 1) < 0, "scale mismatch");
    const long long at = firstMismatch(got, want, 1);
    QVERIFY2(at < 0, qPrintable(QString("element %1 (BF16 0x%2): 0x%3, want 0x%4").arg(at)
                                    .arg(at < 0 ? 0 : (in[2 * at] | in[2 * at + 1] << 8), 4, 16, QChar('0'))
                                    .arg(at < 0 ? 0 : got[at], 2, 16, QChar('0')).arg(at < 0 ? 0 : want[at], 2, 16, QChar('0'))));
}

// The BF16 table encoder on its own, at scales the quantizer never picks for these values (too
// small: codes saturate at 448; powers of two: the reciprocal path), every BF16 code in one
// call, against the division encoder.
void TestCpuQuant::fp8Bf16TableAtAnyScale_data()
{
    QTest::addColumn<float>("scale");
    QTest::newRow("1/8 (most codes saturate)") << 0.125f;
    QTest::newRow("3") << 3.0f;
    QTest::newRow("1e-20") << 1e-20f;
    QTest::newRow("2^-119 (smallest on the table)") << 0x1p-119f;
    QTest::newRow("1.5 x 2^-120 (largest off it)") << 0x1.8p-120f;
    QTest::newRow("2^-126") << 0x1p-126f;
    QTest::newRow("subnormal 1e-40") << 1e-40f;
    QTest::newRow("1e30") << 1e30f;
}

// Every BF16 code through a table encoder (got) against its instruction set's division (want).
static void checkEveryBf16Code(const std::function<void(const std::uint8_t*, std::uint8_t*, std::uint64_t)>& byTable,
                               const std::function<void(const std::uint8_t*, std::uint8_t*, std::uint64_t)>& byDivision)
{
    Bytes in(2 * 0x10000);
    for (std::uint32_t c = 0; c < 0x10000; ++c) std::memcpy(in.data() + 2 * c, &c, 2);
    Bytes want(0x10000), got(0x10000);
    byDivision(in.data(), want.data(), want.size());
    byTable(in.data(), got.data(), got.size());
    const long long at = firstMismatch(got, want, 1);
    QVERIFY2(at < 0, qPrintable(QString("BF16 0x%1: 0x%2, want 0x%3").arg(at, 4, 16, QChar('0'))
                                    .arg(at < 0 ? 0 : got[at], 2, 16, QChar('0')).arg(at < 0 ? 0 : want[at], 2, 16, QChar('0'))));
}

void TestCpuQuant::fp8Bf16TableAtAnyScale()
{
#if CKPT_CPU_AVX2
    if (!cpu::avx512::available()) QSKIP("AVX-512 loops off on this run (CPU lacks AVX-512, or CKPT_CPU_ISA / CKPT_CPU_SCALAR)");
    QFETCH(float, scale);
    cpu::avx512::Fp8Bf16Table t;
    cpu::avx512::fp8Bf16Table(scale, t);
    checkEveryBf16Code([&](const std::uint8_t* in, std::uint8_t* out, std::uint64_t n) { cpu::avx512::fp8EncodeBf16(in, t, out, n); },
                       [&](const std::uint8_t* in, std::uint8_t* out, std::uint64_t n) { cpu::avx512::fp8Encode(in, DType::BF16, scale, out, n); });
#else
    QSKIP("built without the AVX2 / AVX-512 loops");
#endif
}

// The AVX2 bucket encoder (CPUs without AVX-512): it takes every block whose scale is in its
// byte arithmetic's range (else the division would silently do all the work), and gives the
// division's code for every BF16 value.
void TestCpuQuant::fp8Bf16BucketsAtAnyScale()
{
#if CKPT_CPU_AVX2
    if (!cpu::avx2::available()) QSKIP("AVX2 loops off on this run (CPU lacks AVX2, or CKPT_CPU_SCALAR)");
    QFETCH(float, scale);
    cpu::avx2::Fp8Bf16Buckets t;
    cpu::avx2::fp8Bf16Buckets(scale, t);
    QCOMPARE(t.lookup, (numeric::f32ToBits(scale) >> 23) >= 8);  // the rule spelled out, not fp8ByteTableTakes
    checkEveryBf16Code([&](const std::uint8_t* in, std::uint8_t* out, std::uint64_t n) { cpu::avx2::fp8EncodeBf16(in, t, out, n); },
                       [&](const std::uint8_t* in, std::uint8_t* out, std::uint64_t n) { cpu::avx2::fp8Encode(in, DType::BF16, scale, out, n); });
#else
    QSKIP("built without the AVX2 loops");
#endif
}

void TestCpuQuant::roundTripRateF32Scales()
{
    // F32 scales (not powers of two), BF16 output: dequant rounds q x s to 8 bits, requant
    // divides by amax/448 of the rounded values; measure how often the code comes back.
    std::mt19937 rng(6);
    const std::uint64_t rows = 1024, cols = 1024;
    const Bytes q = codesWithFullBlocks(rows, cols, 128, rng);
    std::vector<float> sv(64);
    std::uniform_real_distribution<float> ud(-14.f, -4.f);
    for (auto& v : sv) v = std::exp2(ud(rng));
    const Bytes s = f32Bytes(sv);
    Bytes deq(rows * cols * 2), q2(q.size()), s2(s.size());
    QVERIFY(m_many.dequantFp8Block({q.data(), rows, cols, s.data(), DType::F32, 128, 128, deq.data(), DType::BF16}).ok());
    QVERIFY(m_many.quantFp8Block({deq.data(), DType::BF16, rows, cols, 128, 128, q2.data(), s2.data(), DType::F32}).ok());
    std::uint64_t same = 0, sameBlocks = 0;
    for (std::uint64_t i = 0; i < q.size(); ++i) same += q[i] == q2[i];
    for (std::uint64_t b = 0; b < 64; ++b) {
        bool all = true;
        for (std::uint64_t r = (b / 8) * 128; r < (b / 8 + 1) * 128; ++r)
            for (std::uint64_t c = (b % 8) * 128; c < (b % 8 + 1) * 128; ++c) all = all && q[r * cols + c] == q2[r * cols + c];
        sameBlocks += all;
    }
    const double rate = 100.0 * static_cast<double>(same) / static_cast<double>(q.size());
    qInfo("ROUND-TRIP RATE (F32 scales, BF16 output): %.3f%% of codes identical, %llu/64 blocks fully identical",
          rate, static_cast<unsigned long long>(sameBlocks));
    QVERIFY(rate > 50.0);  // a sanity floor; the figure itself is the result
}

void TestCpuQuant::fp4RoundTrip()
{
    std::mt19937 rng(8);
    const std::uint64_t rows = 64, cols = 4098, groups = ceilDivU(cols, 32);
    Bytes packed = randomBytes(rows * cols / 2, rng), scale(rows * groups);
    for (auto& b : scale) b = static_cast<std::uint8_t>(110 + rng() % 30);
    for (std::uint64_t r = 0; r < rows; ++r)
        for (std::uint64_t g = 0; g < groups; ++g) packed[r * cols / 2 + g * 16] = 0x77;  // ±6 present
    Bytes deq(rows * cols * 2), p2(packed.size()), s2(scale.size());
    QVERIFY(m_many.dequantFp4({packed.data(), rows, cols, scale.data(), groups, 32, deq.data(), DType::BF16}).ok());
    QVERIFY(m_many.quantFp4({deq.data(), DType::BF16, rows, cols, 32, p2.data(), s2.data()}).ok());
    QVERIFY(s2 == scale);
    for (std::uint64_t i = 0; i < packed.size(); ++i)
        for (unsigned sh : {0u, 4u}) {
            unsigned want = (packed[i] >> sh) & 0xf;
            if (want == 8) want = 0;  // code 8 decodes to +0.0, which encodes as code 0
            if (((p2[i] >> sh) & 0xfu) != want)
                QFAIL(qPrintable(QString("nibble mismatch at [%1, %2]").arg(i * 2 / cols).arg(i * 2 % cols + sh / 4)));
        }
}

void TestCpuQuant::quantRules()
{
    // One 1x4 block: amax 896 -> scale 2 (F32); inf saturates, NaN stays NaN, zeros block -> 1.
    const std::vector<float> in = {896.f, -1.f, INFINITY, NAN, 0.f, 0.f, 0.f, 0.f};
    const Bytes b = f32Bytes(in);
    Bytes q(8), s(8);
    QVERIFY(m_one.quantFp8Block({b.data(), DType::F32, 2, 4, 1, 4, q.data(), s.data(), DType::F32}).ok());
    float s0, s1;
    std::memcpy(&s0, s.data(), 4);
    std::memcpy(&s1, s.data() + 4, 4);
    QCOMPARE(s0, 2.f);
    QCOMPARE(s1, 1.f);
    QCOMPARE(q[0], std::uint8_t{0x7e});
    QCOMPARE(q[1], numeric::f32ToE4m3(-0.5f));
    QCOMPARE(q[2], std::uint8_t{0x7e});
    QCOMPARE(q[3], std::uint8_t{0x7f});
    QCOMPARE(q[4], std::uint8_t{0});
    // E8M0: amax 896 / 448 = 2 -> byte 128; 900 -> 2.0089 -> rounded up to 4 -> byte 129.
    const Bytes b2 = f32Bytes({900.f, 1.f});
    Bytes q2(2), s2(1);
    QVERIFY(m_one.quantFp8Block({b2.data(), DType::F32, 1, 2, 128, 128, q2.data(), s2.data(), DType::F8_E8M0}).ok());
    QCOMPARE(s2[0], std::uint8_t{129});
    QCOMPARE(q2[0], numeric::f32ToE4m3(225.f));
    // FP4: amax 3 -> 3/6 = 0.5 = 2^-1 -> byte 126; 3 / 0.5 = 6 -> code 7, -0.75/0.5 = -1.5 -> 0xB.
    const Bytes b3 = f32Bytes({3.f, -0.75f});
    Bytes p3(1), s3(1);
    QVERIFY(m_one.quantFp4({b3.data(), DType::F32, 1, 2, 32, p3.data(), s3.data()}).ok());
    QCOMPARE(s3[0], std::uint8_t{126});
    QCOMPARE(p3[0], std::uint8_t{0xb7});
}

void TestCpuQuant::castMatchesCodecs()
{
    std::mt19937 rng(11);
    const std::size_t n = 100003;
    for (DType in : {DType::BF16, DType::F16, DType::F32, DType::F64, DType::F8_E4M3, DType::F8_E5M2, DType::F8_E8M0}) {
        const Bytes src = randomBytes(n * bytesOf(in), rng);
        for (DType out : {DType::BF16, DType::F16, DType::F32, DType::F64}) {
            Bytes got(n * bytesOf(out)), want(got.size());
            QVERIFY(m_many.cast({src.data(), in, n, got.data(), out}).ok());
            for (std::size_t i = 0; i < n; ++i) {
                const double v = numeric::loadF64(src.data(), in, i);
                if (out == DType::F64) numeric::storeU64(want.data() + 8 * i, numeric::f64ToBits(v));
                else if (in == DType::F64 && out == DType::F32) numeric::storeFromF32(want.data(), out, i, numeric::f64ToF32(v));
                else if (in == DType::F64) numeric::storeFromF32(want.data(), out, i, numeric::f64ToF32RoundOdd(v));
                else numeric::storeFromF32(want.data(), out, i, numeric::loadF32(src.data(), in, i));
            }
            const long long at = firstMismatch(got, want, bytesOf(out));
            QVERIFY2(at < 0, qPrintable(QString("%1 -> %2: first mismatch at %3").arg(dtypeName(in).data(), dtypeName(out).data()).arg(at)));
        }
    }
}

void TestCpuQuant::threadCountIndependent()
{
    std::mt19937 rng(12);
    const std::uint64_t rows = 300, cols = 4097;
    const Bytes in = randomFloats(DType::BF16, rows * cols, rng);
    Bytes q1(rows * cols), q7(q1.size()), s1(ceilDivU(rows, 128) * ceilDivU(cols, 128) * 4), s7(s1.size());
    QVERIFY(m_one.quantFp8Block({in.data(), DType::BF16, rows, cols, 128, 128, q1.data(), s1.data(), DType::F32}).ok());
    QVERIFY(m_many.quantFp8Block({in.data(), DType::BF16, rows, cols, 128, 128, q7.data(), s7.data(), DType::F32}).ok());
    QVERIFY(q1 == q7 && s1 == s7);
    Bytes d1(rows * cols * 2), d7(d1.size());
    QVERIFY(m_one.dequantFp8Block({q1.data(), rows, cols, s1.data(), DType::F32, 128, 128, d1.data(), DType::BF16}).ok());
    QVERIFY(m_many.dequantFp8Block({q1.data(), rows, cols, s1.data(), DType::F32, 128, 128, d7.data(), DType::BF16}).ok());
    QVERIFY(d1 == d7);
    const std::uint64_t cols4 = 4098, g = ceilDivU(cols4, 32);
    const Bytes in4 = randomFloats(DType::F32, rows * cols4, rng);
    Bytes p1(rows * cols4 / 2), p7(p1.size()), e1(rows * g), e7(e1.size());
    QVERIFY(m_one.quantFp4({in4.data(), DType::F32, rows, cols4, 32, p1.data(), e1.data()}).ok());
    QVERIFY(m_many.quantFp4({in4.data(), DType::F32, rows, cols4, 32, p7.data(), e7.data()}).ok());
    QVERIFY(p1 == p7 && e1 == e7);
}

void TestCpuQuant::badArguments()
{
    Bytes buf(64);
    auto code = [](const Status& s) { return s.ok() ? QString("ok") : QString(errorCodeName(s.error().code).data()); };
    QCOMPARE(code(m_one.dequantFp8Block({buf.data(), 2, 2, buf.data(), DType::F16, 128, 128, buf.data(), DType::BF16})), QString(errorCodeName(ErrorCode::UnsupportedDtype).data()));
    QCOMPARE(code(m_one.dequantFp8Block({buf.data(), 2, 2, buf.data(), DType::F32, 0, 128, buf.data(), DType::BF16})), QString(errorCodeName(ErrorCode::InvalidArgument).data()));
    QCOMPARE(code(m_one.dequantFp8Block({nullptr, 2, 2, buf.data(), DType::F32, 128, 128, buf.data(), DType::BF16})), QString(errorCodeName(ErrorCode::InvalidArgument).data()));
    QCOMPARE(code(m_one.dequantFp4({buf.data(), 2, 3, buf.data(), 1, 32, buf.data(), DType::BF16})), QString(errorCodeName(ErrorCode::InvalidArgument).data()));
    QCOMPARE(code(m_one.dequantFp4({buf.data(), 2, 64, buf.data(), 1, 32, buf.data(), DType::BF16})), QString(errorCodeName(ErrorCode::InvalidArgument).data()));
    QCOMPARE(code(m_one.quantFp8Block({buf.data(), DType::F8_E4M3, 2, 2, 128, 128, buf.data(), buf.data(), DType::F32})), QString(errorCodeName(ErrorCode::UnsupportedDtype).data()));
    QCOMPARE(code(m_one.cast({buf.data(), DType::I32, 4, buf.data(), DType::F32})), QString(errorCodeName(ErrorCode::UnsupportedDtype).data()));
    QCOMPARE(code(m_one.dequantFp8Block({nullptr, 0, 0, nullptr, DType::F32, 128, 128, nullptr, DType::BF16})), QString("ok"));
}

QTEST_GUILESS_MAIN(TestCpuQuant)
#include "tst_cpu_quant.moc"
