// CpuBackend dequantization: every FP8 code x several scales and every FP4 code x every E8M0
// byte against naive references and the spec table, DeepSeek V3 scenarios (edge-cases
// V3-1..V3-7), ragged shapes, and numpy + ml_dtypes for a few shapes. Quantization, casts and
// thread-count independence: tst_cpu_quant.cpp; reductions: tst_cpu_reduce.cpp.

#include "kernel_reference.h"
#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_backend.h"
#include "support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ckpt;
using namespace ckpt::test;
using numeric::f32ToBits;

Q_DECLARE_METATYPE(ckpt::DType)

namespace {

QString coord(long long i, std::uint64_t cols) { return QString("[%1, %2]").arg(i / static_cast<long long>(cols)).arg(i % static_cast<long long>(cols)); }

#define CHECK_SAME(got, want, elem, cols)                                                         \
    do {                                                                                           \
        const long long at_ = firstMismatch(got, want, elem);                                      \
        if (at_ >= 0) QFAIL(qPrintable("first mismatch at " + coord(at_, cols)));                  \
    } while (0)

Bytes runFp8(KernelBackend& be, Fp8BlockDequantArgs a)
{
    Bytes out(a.rows * a.cols * bytesOf(a.outDtype));
    a.out = out.data();
    const Status s = be.dequantFp8Block(a);
    if (!s) qWarning("%s", s.error().toString().c_str());
    return out;
}

// An output buffer whose data starts `offset` bytes past a 64-byte boundary, so that tests
// choose the alignment the kernels see.
struct OffsetBuffer {
    Bytes storage;
    std::uint8_t* data;
    OffsetBuffer(std::size_t bytes, std::size_t offset) : storage(bytes + offset + 64)
    {
        const auto at = reinterpret_cast<std::uintptr_t>(storage.data());
        data = storage.data() + ((64 - at % 64) % 64) + offset;
    }
    Bytes bytes(std::size_t n) const { return Bytes(data, data + n); }
    // True when nothing was written outside [data, data + n) (the storage starts zeroed).
    bool untouchedOutside(std::size_t n) const
    {
        for (const std::uint8_t* p = storage.data(); p < data; ++p)
            if (*p != 0) return false;
        for (const std::uint8_t* p = data + n; p < storage.data() + storage.size(); ++p)
            if (*p != 0) return false;
        return true;
    }
};

Bytes scalesOf(DType dt, const std::vector<float>& v)
{
    Bytes b(v.size() * bytesOf(dt));
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (dt == DType::F8_E8M0) b[i] = numeric::f32ToE8m0Ceil(v[i]);
        else numeric::storeFromF32(b.data(), dt, i, v[i]);
    }
    return b;
}

} // namespace

class TestCpuKernels : public QObject {
    Q_OBJECT
    CpuBackend m_one{1}, m_many{7};

private slots:
    void initTestCase();
    void fp8AllCodes_data();
    void fp8AllCodes();
    void v3Scenarios_data();
    void v3Scenarios();
    void fp8AgainstNumpy_data();
    void fp8AgainstNumpy();
    void fp4AllCodesAllScales_data();
    void fp4AllCodesAllScales();
    void fp4RaggedShapes();
    void fp8VectorPaths_data();
    void fp8VectorPaths();
    void fp8ExponentDecode_data();
    void fp8ExponentDecode();
    void fp4VectorPaths_data();
    void fp4VectorPaths();
};

void TestCpuKernels::initTestCase()
{
    // Which loops this run covers: CTest runs the suite again with CKPT_CPU_ISA=avx2 and with
    // CKPT_CPU_SCALAR=1, so a machine with AVX-512 checks all three.
    const char* isa = cpu::avx512::available() ? "AVX-512" : cpu::avx2::available() ? "AVX2" : "scalar";
    qInfo("CPU loops under test: %s", isa);
    // The cache-sized streaming threshold can be hundreds of MiB; the shapes below straddle this
    // one instead. Set before any kernel call, which reads it once.
    qputenv("CKPT_CPU_STREAM_MIN_BYTES", QByteArray::number(qulonglong(cpu::avx2::kStreamMinBytes)));
    QCOMPARE(cpu::avx2::streamMinBytes(), cpu::avx2::kStreamMinBytes);
    if (!cpu::avx512::available()) qInfo("NOTE: AVX-512 loops not exercised on this run (CPU lacks AVX-512 or it is turned off)");
}

void TestCpuKernels::fp8AllCodes_data()
{
    QTest::addColumn<DType>("scaleDtype");
    QTest::addColumn<DType>("outDtype");
    for (DType s : {DType::F32, DType::BF16, DType::F8_E8M0})
        for (DType o : {DType::BF16, DType::F16, DType::F32})
            QTest::newRow(qPrintable(QString("all e4m3 codes, %1 scales -> %2").arg(dtypeName(s).data(), dtypeName(o).data()))) << s << o;
}

void TestCpuKernels::fp8AllCodes()
{
    QFETCH(DType, scaleDtype);
    QFETCH(DType, outDtype);
    // Row i holds all 256 codes and uses scale i (block 1 x 256).
    const std::vector<float> scales = {1.f, 0.5f, 2.f, 1.5f, 3.7e-3f, 448.f, 1e-30f, 7e30f, 1e-40f, 0.f};
    Bytes w(scales.size() * 256);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint8_t>(i);
    const Bytes s = scalesOf(scaleDtype, scales);
    Fp8BlockDequantArgs a{w.data(), scales.size(), 256, s.data(), scaleDtype, 1, 256, nullptr, outDtype};
    const Bytes want = referenceFp8Dequant(a);
    CHECK_SAME(runFp8(m_many, a), want, bytesOf(outDtype), 256);
    // Spot checks straight from the spec: code 0x7E (448) x scale 1 = 448; NaN code stays NaN.
    const float v448 = numeric::loadF32(want.data(), outDtype, 0x7e);
    QCOMPARE(v448, 448.f);
    QVERIFY(std::isnan(numeric::loadF32(want.data(), outDtype, 0x7f)));
    QVERIFY(std::isnan(numeric::loadF32(want.data(), outDtype, 0xff)));
}

void TestCpuKernels::v3Scenarios_data()
{
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<uint>("block");
    QTest::addColumn<QList<float>>("scales");
    QTest::addColumn<DType>("outDtype");
    QTest::addColumn<qulonglong>("gridRows");
    QTest::addColumn<qulonglong>("gridCols");
    QTest::newRow("V3-1 scale grid 200x100") << 200ull << 100ull << 128u << QList<float>{1.f, 1.f} << DType::BF16 << 2ull << 1ull;
    QTest::newRow("V3-1 kv_a style 576x7168") << 576ull << 7168ull << 128u << QList<float>{} << DType::BF16 << 5ull << 56ull;
    QTest::newRow("V3-2 block 50, 200x100") << 200ull << 100ull << 50u << QList<float>{} << DType::BF16 << 4ull << 2ull;
    QTest::newRow("V3-3 64x32 scale 2 -> F32") << 64ull << 32ull << 128u << QList<float>{2.f} << DType::F32 << 1ull << 1ull;
    QTest::newRow("V3-4 256x128 scale 2x1 of 1.5 -> BF16") << 256ull << 128ull << 128u << QList<float>{1.5f, 1.5f} << DType::BF16 << 2ull << 1ull;
    QTest::newRow("V3-5 partial blocks 200x100 [[1],[2]] -> F16") << 200ull << 100ull << 128u << QList<float>{1.f, 2.f} << DType::F16 << 2ull << 1ull;
    QTest::newRow("V3-6 custom block 25, 100x50, 4x2 of 0.5") << 100ull << 50ull << 25u << QList<float>(8, 0.5f) << DType::BF16 << 4ull << 2ull;
    QTest::newRow("V3-7 1x1 scale 3") << 1ull << 1ull << 128u << QList<float>{3.f} << DType::BF16 << 1ull << 1ull;
}

void TestCpuKernels::v3Scenarios()
{
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(uint, block);
    QFETCH(QList<float>, scales);
    QFETCH(DType, outDtype);
    QFETCH(qulonglong, gridRows);
    QFETCH(qulonglong, gridCols);
    QCOMPARE(ceilDivU(rows, block), gridRows);
    QCOMPARE(ceilDivU(cols, block), gridCols);
    std::mt19937 rng(static_cast<unsigned>(rows * 31 + cols));
    std::vector<float> sv(scales.begin(), scales.end());
    std::uniform_real_distribution<float> ud(0.5f, 2.5f);  // V3-19's scale range
    while (sv.size() < gridRows * gridCols) sv.push_back(ud(rng));
    const Bytes w = randomE4m3(rows * cols, rng), s = f32Bytes(sv);
    Fp8BlockDequantArgs a{w.data(), rows, cols, s.data(), DType::F32, block, block, nullptr, outDtype};
    const Bytes got = runFp8(m_many, a);
    CHECK_SAME(got, referenceFp8Dequant(a), bytesOf(outDtype), cols);
    // Each element is the product with its own block's scale (V3-5: rows >= 128 use scale 2).
    for (std::uint64_t i = 0; i < rows * cols; i += 997) {
        const std::uint64_t r = i / cols, c = i % cols;
        const float want = numeric::e4m3ToF32(w[i]) * sv[(r / block) * gridCols + c / block];
        const float g = numeric::loadF32(got.data(), outDtype, i);
        QVERIFY2(std::fabs(g - want) <= std::fabs(want) * 1e-2f, qPrintable("at " + coord(static_cast<long long>(i), cols)));
    }
}

void TestCpuKernels::fp8AgainstNumpy_data()
{
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::newRow("V3-19 200x100 vs numpy") << 200ull << 100ull;
    QTest::newRow("3x4097 vs numpy") << 3ull << 4097ull;
    QTest::newRow("V3-19 768x256 vs numpy") << 768ull << 256ull;
}

void TestCpuKernels::fp8AgainstNumpy()
{
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    if (!pythonReferenceAvailable()) QFAIL("Python references missing: numpy + ml_dtypes not importable");
    std::mt19937 rng(99);
    const std::uint64_t gr = ceilDivU(rows, 128), gc = ceilDivU(cols, 128);
    std::vector<float> sv(gr * gc);
    std::uniform_real_distribution<float> ud(0.5f, 2.5f);
    for (auto& v : sv) v = ud(rng);
    const Bytes w = randomBytes(rows * cols, rng), s = f32Bytes(sv);  // NaN codes included
    QTemporaryDir dir;
    QFile fw(dir.path() + "/w.bin"), fs(dir.path() + "/s.bin");
    QVERIFY(fw.open(QIODevice::WriteOnly) && fs.open(QIODevice::WriteOnly));
    fw.write(reinterpret_cast<const char*>(w.data()), static_cast<qint64>(w.size()));
    fs.write(reinterpret_cast<const char*>(s.data()), static_cast<qint64>(s.size()));
    fw.close();
    fs.close();
    const QString py = QString(R"(
import sys, numpy as np, ml_dtypes as md
d, R, C = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w = np.fromfile(d + "/w.bin", dtype=np.uint8).view(md.float8_e4m3fn).astype(np.float32).reshape(R, C)
s = np.fromfile(d + "/s.bin", dtype=np.float32).reshape((R + 127) // 128, (C + 127) // 128)
full = np.repeat(np.repeat(s, 128, 0), 128, 1)[:R, :C]
(w * full).astype(md.bfloat16).view(np.uint16).tofile(d + "/out.bin")
)");
    const auto r = runPython(py, {dir.path(), QString::number(rows), QString::number(cols)});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile fo(dir.path() + "/out.bin");
    QVERIFY(fo.open(QIODevice::ReadOnly));
    const QByteArray ref = fo.readAll();
    Fp8BlockDequantArgs a{w.data(), rows, cols, s.data(), DType::F32, 128, 128, nullptr, DType::BF16};
    const Bytes got = runFp8(m_many, a);
    QCOMPARE(static_cast<std::size_t>(ref.size()), got.size());
    for (std::uint64_t i = 0; i < rows * cols; ++i) {
        std::uint16_t g, e;
        std::memcpy(&g, got.data() + 2 * i, 2);
        std::memcpy(&e, ref.constData() + 2 * i, 2);
        const bool bothNan = (g & 0x7fff) > 0x7f80 && (e & 0x7fff) > 0x7f80;
        if (g != e && !bothNan)
            QFAIL(qPrintable(QString("first mismatch at %1: ours 0x%2, numpy 0x%3").arg(coord(static_cast<long long>(i), cols)).arg(g, 0, 16).arg(e, 0, 16)));
    }
}

void TestCpuKernels::fp4AllCodesAllScales_data()
{
    QTest::addColumn<DType>("outDtype");
    QTest::newRow("V4 every e2m1 code x every E8M0 byte -> BF16") << DType::BF16;
    QTest::newRow("V4 every e2m1 code x every E8M0 byte -> F32") << DType::F32;
}

void TestCpuKernels::fp4AllCodesAllScales()
{
    QFETCH(DType, outDtype);
    // Row s: the 16 codes in column order (low nibble = even column), scale byte s.
    const float table[16] = {0, .5f, 1, 1.5f, 2, 3, 4, 6, 0, -.5f, -1, -1.5f, -2, -3, -4, -6};
    Bytes packed(256 * 8), scale(256);
    for (unsigned s = 0; s < 256; ++s) {
        scale[s] = static_cast<std::uint8_t>(s);
        for (unsigned k = 0; k < 8; ++k) packed[s * 8 + k] = static_cast<std::uint8_t>((2 * k) | ((2 * k + 1) << 4));
    }
    Bytes out(256 * 16 * bytesOf(outDtype));
    Fp4DequantArgs a{packed.data(), 256, 16, scale.data(), 1, 16, out.data(), outDtype};
    QVERIFY(m_many.dequantFp4(a).ok());
    for (unsigned s = 0; s < 256; ++s)
        for (unsigned c = 0; c < 16; ++c) {
            const float sc = s == 0 ? 0.f : static_cast<float>(std::ldexp(1.0, static_cast<int>(s) - 127));
            const float want = table[c] * sc;  // exact: a grid value times a power of two
            const float got = numeric::loadF32(out.data(), outDtype, s * 16 + c);
            const bool ok = std::isnan(want) ? std::isnan(got) : f32ToBits(got) == f32ToBits(want);
            if (!ok) QFAIL(qPrintable(QString("code %1 scale byte %2: got %3, want %4").arg(c).arg(s).arg(got).arg(want)));
        }
    QVERIFY(std::isinf(numeric::loadF32(out.data(), outDtype, 255 * 16 + 7)));  // 6 x 2^128
    QVERIFY(std::isnan(numeric::loadF32(out.data(), outDtype, 255 * 16 + 0)));  // 0 x inf
    QCOMPARE(f32ToBits(numeric::loadF32(out.data(), outDtype, 127 * 16 + 8)), 0u);  // code 8: +0
}

void TestCpuKernels::fp4RaggedShapes()
{
    std::mt19937 rng(4);
    for (auto [rows, cols, group] : {std::tuple{200ull, 100ull, 32u}, {3ull, 4098ull, 32u}, {5ull, 30ull, 7u}, {1ull, 2ull, 32u}}) {
        const std::uint64_t sc = ceilDivU(cols, group) + 1;  // one extra scale column, ignored
        const Bytes p = randomBytes(rows * cols / 2, rng), s = randomBytes(rows * sc, rng);
        for (DType o : {DType::BF16, DType::F16, DType::F32}) {
            Bytes g1(rows * cols * bytesOf(o)), g7(g1.size());
            Fp4DequantArgs a{p.data(), rows, cols, s.data(), sc, group, g1.data(), o};
            QVERIFY(m_one.dequantFp4(a).ok());
            a.out = g7.data();
            QVERIFY(m_many.dequantFp4(a).ok());
            CHECK_SAME(g1, referenceFp4Dequant(a), bytesOf(o), cols);
            CHECK_SAME(g7, g1, bytesOf(o), cols);
        }
    }
}

// Shapes for the vector loops (kernels/cpu/avx2_dequant.cpp) and, under CKPT_CPU_SCALAR=1, the
// portable ones: 16-code bodies with scalar tails, blocks narrower than a vector, outputs on
// both sides of the non-temporal store threshold (set to avx2::kStreamMinBytes in
// initTestCase), and outputs that are 32-byte aligned, element aligned only (a masked or
// scalar head before streaming) or odd-addressed.
void TestCpuKernels::fp8VectorPaths_data()
{
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<uint>("block");
    QTest::addColumn<DType>("outDtype");
    QTest::addColumn<uint>("offset");
    const qulonglong at = cpu::avx2::kStreamMinBytes / 2 / 2048;  // rows of 2048 BF16 = threshold
    QTest::newRow("BF16 just below the streaming threshold") << at - 1 << 2048ull << 128u << DType::BF16 << 0u;
    QTest::newRow("BF16 at the streaming threshold, aligned") << at << 2048ull << 128u << DType::BF16 << 0u;
    QTest::newRow("BF16 streaming, output 2 bytes past 32") << at << 2048ull << 128u << DType::BF16 << 2u;
    QTest::newRow("BF16 streaming, odd output address") << at << 2048ull << 128u << DType::BF16 << 1u;
    QTest::newRow("F32 streaming, ragged 517x2031") << 517ull << 2031ull << 128u << DType::F32 << 4u;
    QTest::newRow("F16 streaming, ragged 1031x2047, block 100") << 1031ull << 2047ull << 100u << DType::F16 << 6u;
    QTest::newRow("F16 ragged 33x1001") << 33ull << 1001ull << 128u << DType::F16 << 0u;
    // AVX-512 lookup segments of exactly 32 codes, of 40 (one masked step past 32), and of
    // 200 (three whole steps and an 8-code tail).
    QTest::newRow("BF16 blocks of 32, 96x1000") << 96ull << 1000ull << 32u << DType::BF16 << 0u;
    QTest::newRow("F16 blocks of 40, 80x1000, output 2 bytes past 32") << 80ull << 1000ull << 40u << DType::F16 << 2u;
    QTest::newRow("BF16 blocks of 200, 64x1000") << 64ull << 1000ull << 200u << DType::BF16 << 0u;
    QTest::newRow("F32 blocks of 40, 80x1000, output 8 bytes past 64") << 80ull << 1000ull << 40u << DType::F32 << 8u;
    QTest::newRow("F32 streaming, odd output address") << 517ull << 2031ull << 128u << DType::F32 << 1u;
    // Streamed rows go out through an 8 KiB staging piece of whole segments: pieces of many
    // short segments, and one segment longer than the piece.
    QTest::newRow("F16 blocks of 100, streaming, 6 bytes past 64") << 1031ull << 2047ull << 100u << DType::F16 << 6u;
    QTest::newRow("BF16 blocks of 5000, streaming, ragged 180x12001") << 180ull << 12001ull << 5000u << DType::BF16 << 2u;
    // Blocks below the table size take the AVX2 decode, here with streaming stores.
    QTest::newRow("BF16 blocks of 16, at the streaming threshold") << at << 2048ull << 16u << DType::BF16 << 0u;
    QTest::newRow("BF16 blocks of 16, streaming, output 2 bytes past 32") << at << 2048ull << 16u << DType::BF16 << 2u;
    QTest::newRow("F32 blocks of 31, streaming, ragged 517x2031") << 517ull << 2031ull << 31u << DType::F32 << 4u;
    QTest::newRow("F16 blocks of 8, just below the streaming threshold") << at - 1 << 2048ull << 8u << DType::F16 << 0u;
    QTest::newRow("BF16 blocks of 7, 129x77") << 129ull << 77ull << 7u << DType::BF16 << 2u;
    QTest::newRow("F32 blocks of 16, 64x48") << 64ull << 48ull << 16u << DType::F32 << 0u;
}

void TestCpuKernels::fp8VectorPaths()
{
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(uint, block);
    QFETCH(DType, outDtype);
    QFETCH(uint, offset);
    std::mt19937 rng(static_cast<unsigned>(rows + cols));
    const std::uint64_t grid = ceilDivU(rows, block) * ceilDivU(cols, block);
    // Scales that push products into subnormal, overflow and zero results too.
    const std::vector<float> special = {1e-40f, 3e-39f, 7e30f, 0.f, 1e-6f, 448.f};
    std::vector<float> sv(grid);
    std::uniform_real_distribution<float> ud(0.5f, 2.5f);
    for (std::size_t i = 0; i < sv.size(); ++i) sv[i] = i % 5 == 4 ? special[(i / 5) % special.size()] : ud(rng);
    const Bytes w = randomBytes(rows * cols, rng), s = f32Bytes(sv);  // NaN codes included
    const std::size_t outBytes = rows * cols * bytesOf(outDtype);
    Fp8BlockDequantArgs a{w.data(), rows, cols, s.data(), DType::F32, block, block, nullptr, outDtype};
    const Bytes want = referenceFp8Dequant(a);
    for (CpuBackend* be : {&m_one, &m_many}) {
        OffsetBuffer out(outBytes, offset);
        a.out = out.data;
        QVERIFY(be->dequantFp8Block(a).ok());
        CHECK_SAME(out.bytes(outBytes), want, bytesOf(outDtype), cols);
        QVERIFY2(out.untouchedOutside(outBytes), "a masked head or tail wrote outside the output");
    }
}

// The AVX2 exponent-arithmetic decode (AVX2 machines without AVX-512): it must take the usual
// weight scales (else it silently falls back to the table loop), refuse scales whose products
// leave the normal range, and give every code's table bits where it takes one.
void TestCpuKernels::fp8ExponentDecode_data()
{
    QTest::addColumn<DType>("outDtype");
    QTest::addColumn<float>("scale");
    QTest::addColumn<bool>("takes");
    QTest::newRow("BF16 0.01") << DType::BF16 << 0.01f << true;
    QTest::newRow("BF16 2.5e-4") << DType::BF16 << 2.5e-4f << true;
    QTest::newRow("BF16 3.7") << DType::BF16 << 3.7f << true;
    QTest::newRow("BF16 -0.02 (negative scale)") << DType::BF16 << -0.02f << true;
    QTest::newRow("F16 0.01") << DType::F16 << 0.01f << true;
    QTest::newRow("BF16 1e-40 (subnormal products)") << DType::BF16 << 1e-40f << false;
    QTest::newRow("BF16 1e38 (products overflow)") << DType::BF16 << 1e38f << false;
    QTest::newRow("F16 2^-30 (products round to zero)") << DType::F16 << 0x1p-30f << false;
}

void TestCpuKernels::fp8ExponentDecode()
{
#if CKPT_CPU_AVX2
    if (!cpu::avx2::available()) QSKIP("AVX2 loops off on this run (CPU lacks AVX2, or CKPT_CPU_SCALAR)");
    QFETCH(DType, outDtype);
    QFETCH(float, scale);
    QFETCH(bool, takes);
    std::uint16_t table[256];
    cpu::avx2::fp8Table16(scale, outDtype, table);
    cpu::avx2::Fp8ExponentTable t;
    QCOMPARE(cpu::avx2::fp8ExponentTable(table, outDtype, t), takes);
    if (!takes) return;
    Bytes codes(256 + 40), out(2 * codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<std::uint8_t>(i * 7 + 3);
    QCOMPARE(cpu::avx2::fp8ExponentDecode(codes.data(), t, codes.size(), out.data()), 288ull);
    for (std::size_t i = 0; i < 288; ++i) {
        std::uint16_t got;
        std::memcpy(&got, out.data() + 2 * i, 2);
        QVERIFY2(got == table[codes[i]], qPrintable(QString("code 0x%1: 0x%2, want 0x%3").arg(codes[i], 2, 16, QChar('0'))
                                                        .arg(got, 4, 16, QChar('0')).arg(table[codes[i]], 4, 16, QChar('0'))));
    }
#else
    QSKIP("built without the AVX2 loops");
#endif
}

void TestCpuKernels::fp4VectorPaths_data()
{
    QTest::addColumn<qulonglong>("rows");
    QTest::addColumn<qulonglong>("cols");
    QTest::addColumn<uint>("group");
    QTest::addColumn<DType>("outDtype");
    QTest::addColumn<uint>("offset");
    const qulonglong at = cpu::avx2::kStreamMinBytes / 2 / 1024;  // rows of 1024 BF16 = threshold
    QTest::newRow("BF16 smallest tabled size 128x32") << 128ull << 32ull << 32u << DType::BF16 << 0u;
    QTest::newRow("BF16 just below the streaming threshold") << at - 1 << 1024ull << 32u << DType::BF16 << 0u;
    QTest::newRow("BF16 at the streaming threshold") << at << 1024ull << 32u << DType::BF16 << 0u;
    QTest::newRow("F32 streaming, output 4 bytes past 16") << 1100ull << 1024ull << 32u << DType::F32 << 4u;
    QTest::newRow("F32 streaming, output 16 bytes past 64") << 1100ull << 1024ull << 32u << DType::F32 << 16u;
    QTest::newRow("F16 groups of 40 (vector + tail), 77x200") << 77ull << 200ull << 40u << DType::F16 << 0u;
    QTest::newRow("F32 groups of 2 (tails only), 301x98") << 301ull << 98ull << 2u << DType::F32 << 0u;
    QTest::newRow("BF16 ragged last group, 64x4098") << 64ull << 4098ull << 32u << DType::BF16 << 2u;
}

void TestCpuKernels::fp4VectorPaths()
{
    QFETCH(qulonglong, rows);
    QFETCH(qulonglong, cols);
    QFETCH(uint, group);
    QFETCH(DType, outDtype);
    QFETCH(uint, offset);
    std::mt19937 rng(static_cast<unsigned>(rows * 3 + cols));
    const std::uint64_t sc = ceilDivU(cols, group);
    const Bytes p = randomBytes(rows * cols / 2, rng), s = randomBytes(rows * sc, rng);  // bytes 0 and 255 included
    const std::size_t outBytes = rows * cols * bytesOf(outDtype);
    Fp4DequantArgs a{p.data(), rows, cols, s.data(), sc, group, nullptr, outDtype};
    const Bytes want = referenceFp4Dequant(a);
    for (CpuBackend* be : {&m_one, &m_many}) {
        OffsetBuffer out(outBytes, offset);
        a.out = out.data;
        QVERIFY(be->dequantFp4(a).ok());
        CHECK_SAME(out.bytes(outBytes), want, bytesOf(outDtype), cols);
    }
}

QTEST_GUILESS_MAIN(TestCpuKernels)
#include "tst_cpu_kernels.moc"
