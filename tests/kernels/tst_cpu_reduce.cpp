// CpuBackend stats, histograms and error metrics: hand-computed values (NaN/inf/zero handling,
// fixed and log bins) and bit-identical results for 1 and 7 threads on multi-chunk inputs.

#include "kernel_reference.h"
#include "kernels/cpu/cpu_backend.h"

#include <QtTest>

#include <cmath>

using namespace ckpt;
using namespace ckpt::test;

namespace {

bool sameBits(double a, double b) { return numeric::f64ToBits(a) == numeric::f64ToBits(b); }

} // namespace

class TestCpuReduce : public QObject {
    Q_OBJECT
    CpuBackend m_one{1}, m_many{7};

private slots:
    void statsByHand();
    void histogramFixedByHand();
    void histogramLogByHand();
    void errorsByHand();
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

void TestCpuReduce::histogramFixedByHand()
{
    const Bytes b = f32Bytes({1.f, -2.f, 3.f, NAN, INFINITY, 0.f, -0.f, -2.5f, 2.f});
    Histogram h;
    h.spec = {-2, 2, 4, false};
    QVERIFY(m_many.accumulateHistogram(b.data(), DType::F32, 9, h).ok());
    QCOMPARE(h.counts, (std::vector<std::uint64_t>{1, 0, 2, 2}));  // hi (2.0) is in the last bin
    QCOMPARE(h.underflow, 1ull);
    QCOMPARE(h.overflow, 1ull);
    QCOMPARE(h.zeros, 2ull);
    QCOMPARE(h.nan, 1ull);
    QCOMPARE(h.inf, 1ull);
}

void TestCpuReduce::histogramLogByHand()
{
    const Bytes b = f32Bytes({1.f, -2.f, 3.f, NAN, INFINITY, 0.f, -0.f, 0.25f, 9.f, 0.5f});
    Histogram h;
    h.spec = {0.5, 8, 4, true};  // edges 0.5, 1, 2, 4, 8
    QVERIFY(m_many.accumulateHistogram(b.data(), DType::F32, 10, h).ok());
    QCOMPARE(h.counts, (std::vector<std::uint64_t>{1, 1, 2, 0}));
    QCOMPARE(h.underflow, 1ull);
    QCOMPARE(h.overflow, 1ull);
    QCOMPARE(h.zeros, 2ull);
    QCOMPARE(h.nan, 1ull);
    QCOMPARE(h.inf, 1ull);
    Histogram bad;
    bad.spec = {0, 8, 4, true};
    QVERIFY(!m_many.accumulateHistogram(b.data(), DType::F32, 10, bad).ok());
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
