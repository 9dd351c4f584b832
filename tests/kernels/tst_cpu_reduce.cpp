// CpuBackend stats and error metrics: hand-computed values (NaN/inf/zero handling) and
// bit-identical results for 1 and 7 threads on multi-chunk inputs (histograms too;
// tst_cpu_histogram has their own tests).

#include "kernel_reference.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/cpu_ops.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace ckpt;
using namespace ckpt::test;

Q_DECLARE_METATYPE(ckpt::DType)

namespace {

bool sameBits(double a, double b) { return numeric::f64ToBits(a) == numeric::f64ToBits(b); }

// Random bit patterns with inf and NaN turned into finite values of the next lower exponent.
void makeFinite(Bytes& x, DType dt)
{
    const std::size_t eb = bytesOf(dt);
    const std::uint32_t expMask = dt == DType::F32 ? 0x7f800000u : dt == DType::F16 ? 0x7c00u : 0x7f80u;
    const std::uint32_t expLow = expMask & ~(expMask << 1);  // lowest exponent bit
    for (std::size_t i = 0; i < x.size(); i += eb) {
        std::uint32_t u = 0;
        std::memcpy(&u, x.data() + i, eb);
        if ((u & expMask) == expMask) u ^= expLow;
        std::memcpy(x.data() + i, &u, eb);
    }
}

} // namespace

class TestCpuReduce : public QObject {
    Q_OBJECT
    CpuBackend m_one{1}, m_many{7};

private slots:
    void statsByHand();
    void statsMatchReference_data();
    void statsMatchReference();
    void errorsMatchReference_data();
    void errorsMatchReference();
    void errorsByHand();
    void errorsAtToleranceBoundary_data();
    void errorsAtToleranceBoundary();
    void identicalForAnyThreadCount();
};

void TestCpuReduce::statsByHand()
{
    const Bytes b = f32Bytes({1.f, -2.f, 3.f, NAN, INFINITY, 0.f, -0.f});
    TensorStats s;
    QVERIFY(m_many.accumulateStats(b.data(), DType::F32, 7, s).ok());
    QCOMPARE(s.count, 7ull);
    QCOMPARE(s.nanCount, 1ull);
    QCOMPARE(s.infCount, 1ull);
    QCOMPARE(s.zeroCount, 2ull);
    QCOMPARE(s.min, -2.0);
    QVERIFY(std::isinf(s.max) && s.max > 0);
    QVERIFY(std::isinf(s.absMax));
    QCOMPARE(s.sum, 2.0);
    QCOMPARE(s.sumSq, 14.0);
    QCOMPARE(s.mean(), 0.4);
    QCOMPARE(s.stddev(), std::sqrt(14.0 / 5 - 0.16));
    // Streaming: a second call adds to the same struct.
    const Bytes e4 = {0x38, 0xb8};  // e4m3 1.0, -1.0
    QVERIFY(m_one.accumulateStats(e4.data(), DType::F8_E4M3, 2, s).ok());
    QCOMPARE(s.count, 9ull);
    QCOMPARE(s.sum, 2.0);
    QCOMPARE(s.sumSq, 16.0);
}

// Every bit of the stats against the one-element-at-a-time reference of reduce_rules.h, on
// sizes around the lane group (256) and the chunk (65536), with NaN, inf, ±0 and subnormals
// (random bit patterns) or realistic weights; all-NaN and all-inf inputs.
void TestCpuReduce::statsMatchReference_data()
{
    QTest::addColumn<DType>("dtype");
    QTest::addColumn<qulonglong>("n");
    QTest::addColumn<QString>("kind");
    for (DType dt : {DType::BF16, DType::F16, DType::F32}) {
        const QString name = QString::fromLatin1(dtypeName(dt).data());
        for (qulonglong n : {1ull, 7ull, 255ull, 256ull, 257ull, 65536ull, 65536ull + 300, 3 * 65536ull + 12345})
            QTest::newRow(qPrintable(QString("%1 random bits n=%2").arg(name).arg(n))) << dt << n << "bits";
        QTest::newRow(qPrintable(name + " weights n=200003")) << dt << 200003ull << "weights";
        QTest::newRow(qPrintable(name + " all NaN n=1000")) << dt << 1000ull << "nan";
        QTest::newRow(qPrintable(name + " all -inf and -0 n=777")) << dt << 777ull << "neg";
        // Finite chunks take the AVX-512 loops' fast path; one non-finite value anywhere in
        // a chunk's rows (not its tail) sends that chunk back to the full one.
        // "finite bits" (every exponent but inf / NaN's) and "wide" (weights scaled by 2^-12 ..
        // 2^11): the f64 lane sums round, so their bits depend on which lane each value went to.
        for (const char* kind : {"negative", "positive", "signed zeros", "largest finite", "finite bits", "wide", "one NaN", "one -NaN", "one +inf", "one -inf"})
            QTest::newRow(qPrintable(QString("%1 %2 n=200003").arg(name, kind))) << dt << 200003ull << kind;
        // 21 chunks: one thread takes them in runs of 5, each asking for the next while it reads one.
        for (const char* kind : {"weights", "one NaN"})
            QTest::newRow(qPrintable(QString("%1 %2, runs of chunks").arg(name, kind))) << dt << 21 * 65536ull - 1000 << kind;
    }
}

void TestCpuReduce::statsMatchReference()
{
    QFETCH(DType, dtype);
    QFETCH(qulonglong, n);
    QFETCH(QString, kind);
    std::mt19937 rng(static_cast<unsigned>(n));
    Bytes x = kind == "bits" || kind == "finite bits" ? randomBytes(n * bytesOf(dtype), rng) : randomFloats(dtype, n, rng);
    if (kind == "finite bits") makeFinite(x, dtype);
    for (std::uint64_t i = 0; kind == "nan" && i < n; ++i) numeric::storeFromF32(x.data(), dtype, i, NAN);
    for (std::uint64_t i = 0; kind == "neg" && i < n; ++i) numeric::storeFromF32(x.data(), dtype, i, i % 3 ? -0.f : -INFINITY);
    for (std::uint64_t i = 0; i < n; ++i) {
        const float v = numeric::loadF32(x.data(), dtype, i);
        if (kind == "negative") numeric::storeFromF32(x.data(), dtype, i, -std::fabs(v));
        if (kind == "positive") numeric::storeFromF32(x.data(), dtype, i, std::fabs(v));
        if (kind == "signed zeros") numeric::storeFromF32(x.data(), dtype, i, i % 5 == 0 ? 1e-40f * v : (i % 2 ? -0.f : 0.f));
        if (kind == "wide") numeric::storeFromF32(x.data(), dtype, i, std::ldexp(v, static_cast<int>(rng() % 24) - 12));
        if (kind == "largest finite" && i % 1000 == 7) numeric::storeFromF32(x.data(), dtype, i, i % 2000 == 7 ? -3.38e38f : 3.38e38f);
    }
    const std::uint64_t odd = 65536 + 300 * 256 + 17;  // a row of the second chunk
    if (kind == "one NaN") numeric::storeFromF32(x.data(), dtype, odd, NAN);
    if (kind == "one -NaN") numeric::storeFromF32(x.data(), dtype, odd, -NAN);
    if (kind == "one +inf") numeric::storeFromF32(x.data(), dtype, odd, INFINITY);
    if (kind == "one -inf") numeric::storeFromF32(x.data(), dtype, odd, -INFINITY);
    const TensorStats want = referenceStats(x.data(), dtype, n);
    for (CpuBackend* be : {&m_one, &m_many}) {
        TensorStats got;
        QVERIFY(be->accumulateStats(x.data(), dtype, n, got).ok());
        QCOMPARE(got.count, want.count);
        QCOMPARE(got.nanCount, want.nanCount);
        QCOMPARE(got.infCount, want.infCount);
        QCOMPARE(got.zeroCount, want.zeroCount);
        QVERIFY2(sameBits(got.sum, want.sum) && sameBits(got.sumSq, want.sumSq), qPrintable(QString("sum %1 / %2, sumSq %3 / %4").arg(got.sum).arg(want.sum).arg(got.sumSq).arg(want.sumSq)));
        if (want.count > want.nanCount)
            QVERIFY2(sameBits(got.min, want.min) && sameBits(got.max, want.max) && sameBits(got.absMax, want.absMax),
                     qPrintable(QString("min %1 / %2, max %3 / %4, absMax %5 / %6").arg(got.min).arg(want.min).arg(got.max).arg(want.max).arg(got.absMax).arg(want.absMax)));
    }
}

// Error metrics against the element-at-a-time reference: mixed dtypes, random bit patterns on
// one or both sides (NaN and inf pairs), sizes around the lane group and the chunk, and each
// kind of tolerance the loops tell apart (atol + rtol |a|, atol alone, exact).
void TestCpuReduce::errorsMatchReference_data()
{
    QTest::addColumn<DType>("aDtype");
    QTest::addColumn<DType>("bDtype");
    QTest::addColumn<qulonglong>("n");
    QTest::addColumn<bool>("bitsA");
    QTest::addColumn<QString>("special");  // "spread": NaN / -inf every 101st b; "": all finite; else one value
    QTest::addColumn<double>("atol");
    QTest::addColumn<double>("rtol");
    // BF16 / F32 pairs take the AVX-512 loop where the CPU has it, the others the AVX2 one.
    const std::vector<std::pair<DType, DType>> pairs = {{DType::BF16, DType::F32}, {DType::F32, DType::BF16}, {DType::BF16, DType::BF16},
                                                        {DType::F16, DType::F16}, {DType::F32, DType::F32}, {DType::BF16, DType::F16}};
    struct Tol { const char* name; double atol, rtol; };
    for (const Tol& t : {Tol{"", 1e-3, 1e-2}, Tol{", atol only", 1e-3, 0.0}, Tol{", exact", 0.0, 0.0}}) {
        const auto row = [&](DType a, DType b, const QString& what) {
            return &QTest::newRow(qPrintable(QString("%1 vs %2 %3%4").arg(dtypeName(a).data(), dtypeName(b).data(), what, t.name)));
        };
        for (auto [a, b] : pairs)
            for (qulonglong n : {5ull, 256ull, 65536ull + 257, 2 * 65536ull + 1000})
                for (bool bits : {false, true})
                    *row(a, b, QString("n=%1%2").arg(n).arg(bits ? " random bits" : "")) << a << b << n << bits << "spread" << t.atol << t.rtol;
        // Finite chunks take the AVX-512 loop's fast path; one NaN or inf in a later pass of a
        // chunk (lane 200 of one row) sends that chunk back to the full classification.
        for (auto [a, b] : pairs)
            for (const char* special : {"", "nan", "inf"})
                *row(a, b, QString("finite %1").arg(special)) << a << b << 2 * 65536ull + 1000 << false << special << t.atol << t.rtol;
        for (auto [a, b] : pairs)
            for (const char* special : {"", "nan"})
                *row(a, b, QString("finite %1, runs of chunks").arg(special)) << a << b << 21 * 65536ull - 1000 << false << special << t.atol << t.rtol;
    }
}

void TestCpuReduce::errorsMatchReference()
{
    QFETCH(DType, aDtype);
    QFETCH(DType, bDtype);
    QFETCH(qulonglong, n);
    QFETCH(bool, bitsA);
    QFETCH(QString, special);
    QFETCH(double, atol);
    QFETCH(double, rtol);
    std::mt19937 rng(static_cast<unsigned>(n) + 5);
    const Bytes a = bitsA ? randomBytes(n * bytesOf(aDtype), rng) : randomFloats(aDtype, n, rng);
    Bytes b = randomFloats(bDtype, n, rng);
    // Some pairs equal, some NaN / inf on the second side only.
    for (std::uint64_t i = 0; i < n; i += 7) numeric::storeFromF32(b.data(), bDtype, i, numeric::loadF32(a.data(), aDtype, i));
    for (std::uint64_t i = 3; special == "spread" && i < n; i += 101) numeric::storeFromF32(b.data(), bDtype, i, i % 2 ? NAN : -INFINITY);
    const std::uint64_t lone = 65536 + 40 * 256 + 200;
    if (special == "nan") numeric::storeFromF32(b.data(), bDtype, lone, NAN);
    if (special == "inf") numeric::storeFromF32(b.data(), bDtype, lone, INFINITY);
    const ErrorMetrics want = referenceErrors(a.data(), aDtype, b.data(), bDtype, n, atol, rtol);
    for (CpuBackend* be : {&m_one, &m_many}) {
        ErrorMetrics got;
        QVERIFY(be->accumulateErrors(a.data(), aDtype, b.data(), bDtype, n, atol, rtol, got).ok());
        QCOMPARE(got.count, want.count);
        QCOMPARE(got.nanCount, want.nanCount);
        QCOMPARE(got.infCount, want.infCount);
        QCOMPARE(got.overTolerance, want.overTolerance);
        QVERIFY(sameBits(got.maxAbs, want.maxAbs));
        QVERIFY2(sameBits(got.sumSqErr, want.sumSqErr) && sameBits(got.sumSqRef, want.sumSqRef) && sameBits(got.dot, want.dot) && sameBits(got.sumSqB, want.sumSqB),
                 qPrintable(QString("sumSqErr %1 / %2, dot %3 / %4").arg(got.sumSqErr).arg(want.sumSqErr).arg(got.dot).arg(want.dot)));
    }
}

void TestCpuReduce::errorsByHand()
{
    const Bytes a = f32Bytes({1.f, 2.f, 3.f, NAN, 4.f, NAN});
    Bytes b(6 * 2);
    const float bv[6] = {1.f, 2.5f, 2.f, NAN, INFINITY, 1.f};
    for (int i = 0; i < 6; ++i) numeric::storeFromF32(b.data(), DType::BF16, i, bv[i]);
    ErrorMetrics m;
    QVERIFY(m_many.accumulateErrors(a.data(), DType::F32, b.data(), DType::BF16, 6, 0.1, 0.0, m).ok());
    QCOMPARE(m.count, 6ull);
    QCOMPARE(m.nanCount, 2ull);
    QCOMPARE(m.infCount, 1ull);
    QCOMPARE(m.overTolerance, 4ull);  // 0.5, 1.0, inf vs 4, NaN vs 1 (both NaN matches)
    QCOMPARE(m.maxAbs, 1.0);
    QCOMPARE(m.sumSqErr, 1.25);
    QCOMPARE(m.sumSqRef, 14.0);
    QCOMPARE(m.dot, 12.0);
    QCOMPARE(m.sumSqB, 11.25);
    QCOMPARE(m.rmse(), std::sqrt(1.25 / 3));
    QCOMPARE(m.snrDb(), 10 * std::log10(14.0 / 1.25));
    QCOMPARE(m.cosine(), 12.0 / std::sqrt(14.0 * 11.25));
    ErrorMetrics same;
    QVERIFY(m_one.accumulateErrors(a.data(), DType::F32, a.data(), DType::F32, 3, 0, 0, same).ok());
    QVERIFY(std::isinf(same.snrDb()));
    QCOMPARE(same.cosine(), 1.0);
}

// |a - b| exactly at atol + rtol |a| is within tolerance, one step past it is over, in every
// loop (the vector fast paths too: three chunks of pairs without NaN or inf), with a relative
// tolerance and without one (rtol = 0: `verify`, and `diff` by default, whose loops drop rtol |a|).
void TestCpuReduce::errorsAtToleranceBoundary_data()
{
    QTest::addColumn<DType>("aDtype");
    QTest::addColumn<DType>("bDtype");
    QTest::addColumn<double>("atol");
    QTest::addColumn<double>("rtol");
    QTest::addColumn<float>("within");  // b with |a - b| at the limit; a = 2
    struct Tol { const char* name; double atol, rtol; float within; };
    for (const Tol& t : {Tol{"atol and rtol", 0.25, 0.125, 2.5f}, Tol{"atol only", 0.5, 0.0, 2.5f},
                         Tol{"exact", 0.0, 0.0, 2.0f}})
        for (auto [a, b] : std::vector<std::pair<DType, DType>>{{DType::BF16, DType::BF16}, {DType::F32, DType::F32},
                                                               {DType::BF16, DType::F32}, {DType::F16, DType::F16}})
            QTest::newRow(qPrintable(QString("%1 vs %2, %3").arg(dtypeName(a).data(), dtypeName(b).data(), t.name)))
                << a << b << t.atol << t.rtol << t.within;
}

void TestCpuReduce::errorsAtToleranceBoundary()
{
    QFETCH(DType, aDtype);
    QFETCH(DType, bDtype);
    QFETCH(double, atol);
    QFETCH(double, rtol);
    QFETCH(float, within);
    const std::uint64_t n = 3 * 65536 + 100;
    Bytes a(n * bytesOf(aDtype)), b(n * bytesOf(bDtype));
    for (std::uint64_t i = 0; i < n; ++i) {
        numeric::storeFromF32(a.data(), aDtype, i, 2.0f);
        numeric::storeFromF32(b.data(), bDtype, i, i % 2 ? within + 0x1p-6f : within);
    }
    for (CpuBackend* be : {&m_one, &m_many}) {
        ErrorMetrics m;
        QVERIFY(be->accumulateErrors(a.data(), aDtype, b.data(), bDtype, n, atol, rtol, m).ok());
        QCOMPARE(m.overTolerance, n / 2);
    }
}

void TestCpuReduce::identicalForAnyThreadCount()
{
    std::mt19937 rng(21);
    const std::size_t n = 3 * 65536 * 4 + 12345;  // many chunks and a ragged tail
    for (DType dt : {DType::BF16, DType::F32, DType::F8_E4M3}) {
        const Bytes x = dt == DType::F8_E4M3 ? randomBytes(n, rng) : randomFloats(dt, n, rng);
        const Bytes y = randomFloats(DType::F32, n, rng);
        TensorStats s1, s7;
        QVERIFY(m_one.accumulateStats(x.data(), dt, n, s1).ok());
        QVERIFY(m_many.accumulateStats(x.data(), dt, n, s7).ok());
        QVERIFY(sameBits(s1.sum, s7.sum) && sameBits(s1.sumSq, s7.sumSq) && sameBits(s1.min, s7.min) && sameBits(s1.max, s7.max));
        QCOMPARE(s1.nanCount, s7.nanCount);
        ErrorMetrics e1, e7;
        QVERIFY(m_one.accumulateErrors(x.data(), dt, y.data(), DType::F32, n, 1e-3, 1e-2, e1).ok());
        QVERIFY(m_many.accumulateErrors(x.data(), dt, y.data(), DType::F32, n, 1e-3, 1e-2, e7).ok());
        QVERIFY(sameBits(e1.sumSqErr, e7.sumSqErr) && sameBits(e1.dot, e7.dot) && sameBits(e1.sumSqB, e7.sumSqB) && sameBits(e1.maxAbs, e7.maxAbs));
        QCOMPARE(e1.overTolerance, e7.overTolerance);
        Histogram h1, h7;
        h1.spec = h7.spec = {1e-6, 10, 50, true};
        QVERIFY(m_one.accumulateHistogram(x.data(), dt, n, h1).ok());
        QVERIFY(m_many.accumulateHistogram(x.data(), dt, n, h7).ok());
        QVERIFY(h1.counts == h7.counts && h1.zeros == h7.zeros && h1.underflow == h7.underflow);
    }
}

QTEST_GUILESS_MAIN(TestCpuReduce)
#include "tst_cpu_reduce.moc"
