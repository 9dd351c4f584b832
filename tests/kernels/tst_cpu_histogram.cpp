// CpuBackend histograms: every counter against binning each element with histogramSlot, for
// every path (raw codes of 8- and 16-bit dtypes, the vector fixed-bin loop, the table of log
// bins, the portable loop), with values on, just below and just above every bin edge, lo and hi;
// and hand-computed cases.

#include "kernel_reference.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/cpu_ops.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace ckpt;
using namespace ckpt::test;

Q_DECLARE_METATYPE(ckpt::DType)
Q_DECLARE_METATYPE(ckpt::HistogramSpec)

namespace {

Histogram referenceHistogram(const Bytes& x, DType dtype, std::uint64_t n, const HistogramSpec& spec)
{
    Histogram want;
    want.spec = spec;
    want.counts.assign(spec.bins, 0);
    const std::vector<double> edges = spec.logBins ? cpu::logBinEdges(spec) : std::vector<double>{};
    for (std::uint64_t i = 0; i < n; ++i) {
        const double v = numeric::loadF64(x.data(), dtype, i);
        const int slot = numeric::histogramSlot(v, spec.lo, spec.hi, spec.bins, spec.logBins, edges.data());
        if (slot >= 0) ++want.counts[static_cast<std::size_t>(slot)];
        want.underflow += slot == numeric::kSlotUnder, want.overflow += slot == numeric::kSlotOver;
        want.nan += slot == numeric::kSlotNan, want.inf += slot == numeric::kSlotInf, want.zeros += v == 0.0;
    }
    return want;
}

QString firstDifference(const Histogram& got, const Histogram& want)
{
    for (std::size_t b = 0; b < want.counts.size(); ++b)
        if (got.counts[b] != want.counts[b]) return QString("bin %1: %2, want %3").arg(b).arg(got.counts[b]).arg(want.counts[b]);
    return QString("under %1/%2 over %3/%4 zeros %5/%6 nan %7/%8 inf %9/%10")
        .arg(got.underflow).arg(want.underflow).arg(got.overflow).arg(want.overflow).arg(got.zeros).arg(want.zeros)
        .arg(got.nan).arg(want.nan).arg(got.inf).arg(want.inf);
}

bool sameHistogram(const Histogram& a, const Histogram& b)
{
    return a.counts == b.counts && a.underflow == b.underflow && a.overflow == b.overflow && a.zeros == b.zeros &&
           a.nan == b.nan && a.inf == b.inf;
}

// The values of `dtype` nearest to v: v rounded, and its neighbours one and two codes away.
void addNeighbours(std::vector<float>& out, DType dtype, double v)
{
    if (!std::isfinite(v)) return;
    Bytes b(4);
    numeric::storeFromF32(b.data(), dtype, 0, static_cast<float>(v));
    const std::uint32_t eb = bytesOf(dtype);
    std::uint32_t code = 0;
    std::memcpy(&code, b.data(), eb);
    for (int d = -2; d <= 2; ++d) {
        const std::uint32_t c = code + static_cast<std::uint32_t>(d);
        std::memcpy(b.data(), &c, eb);
        const float f = numeric::loadF32(b.data(), dtype, 0);
        if (std::isfinite(f)) out.push_back(f);
    }
}

} // namespace

class TestCpuHistogram : public QObject {
    Q_OBJECT
    CpuBackend m_one{1}, m_many{7};

    void compareAll(const Bytes& x, DType dtype, std::uint64_t n, const HistogramSpec& spec);

private slots:
    void matchesReference_data();
    void matchesReference();
    void atBinEdges_data();
    void atBinEdges();
    void histogramFixedByHand();
    void histogramLogByHand();
};

void TestCpuHistogram::compareAll(const Bytes& x, DType dtype, std::uint64_t n, const HistogramSpec& spec)
{
    const Histogram want = referenceHistogram(x, dtype, n, spec);
    for (CpuBackend* be : {&m_one, &m_many}) {
        Histogram got;
        got.spec = spec;
        QVERIFY(be->accumulateHistogram(x.data(), dtype, n, got).ok());
        QVERIFY2(sameHistogram(got, want), qPrintable(firstDifference(got, want)));
    }
}

// Random bit patterns (NaN, inf, ±0, subnormals) or weights: BF16 / F16 on both sides of the
// size where raw 16-bit codes are counted first, FP8 (always by code), F32 of every length
// around the vector step (16) and block (2048).
void TestCpuHistogram::matchesReference_data()
{
    QTest::addColumn<DType>("dtype");
    QTest::addColumn<qulonglong>("n");
    QTest::addColumn<bool>("logBins");
    QTest::addColumn<bool>("weights");
    const auto row = [](DType dt, qulonglong n, bool lg, bool weights) {
        QTest::newRow(qPrintable(QString("%1 n=%2 %3 bins, %4").arg(dtypeName(dt).data()).arg(n).arg(lg ? "log" : "fixed").arg(weights ? "weights" : "random bits")))
            << dt << n << lg << weights;
    };
    for (DType dt : {DType::BF16, DType::F16})
        for (qulonglong n : {(1ull << 20) - 1, (1ull << 20) + 3})
            for (bool lg : {false, true}) row(dt, n, lg, false);
    row(DType::F8_E4M3, 1000, true, false);
    row(DType::F8_E5M2, 300001, false, false);
    for (bool lg : {false, true}) {
        for (qulonglong n : {1ull, 15ull, 16ull, 17ull, 2047ull, 2048ull, 2049ull, 100000ull}) row(DType::F32, n, lg, false);
        row(DType::F32, 300001, lg, true);
        row(DType::BF16, 70001, lg, true);
        row(DType::F16, 70001, lg, true);
    }
}

void TestCpuHistogram::matchesReference()
{
    QFETCH(DType, dtype);
    QFETCH(qulonglong, n);
    QFETCH(bool, logBins);
    QFETCH(bool, weights);
    std::mt19937 rng(static_cast<unsigned>(n));
    const Bytes x = weights ? randomFloats(dtype, n, rng) : randomBytes(n * bytesOf(dtype), rng);
    const HistogramSpec spec = weights ? (logBins ? HistogramSpec{1e-5, 0.5, 64, true} : HistogramSpec{-0.1, 0.1, 64, false})
                                       : (logBins ? HistogramSpec{1e-6, 10, 50, true} : HistogramSpec{-2, 3, 37, false});
    compareAll(x, dtype, n, spec);
}

// Every bin edge, lo and hi, each as the nearest values of the dtype and their neighbours, plus
// ±0, among weights, shuffled: the values the vector loops must leave to histogramSlot, and
// specs they refuse (lo beyond f32, a range too narrow for f32 products, more than 2^24 bins).
void TestCpuHistogram::atBinEdges_data()
{
    QTest::addColumn<DType>("dtype");
    QTest::addColumn<HistogramSpec>("spec");
    struct Spec { const char* name; HistogramSpec s; };
    const Spec specs[] = {
        {"dyadic [-1, 1] x 64", {-1, 1, 64, false}},       {"[-0.1, 0.1] x 64", {-0.1, 0.1, 64, false}},
        {"[-2, 3] x 37", {-2, 3, 37, false}},               {"[0.3, 0.7] x 1000", {0.3, 0.7, 1000, false}},
        {"narrow [1, 1 + 2^-20] x 10", {1, 1 + 0x1p-20, 10, false}}, {"[-1e30, 1e30] x 8", {-1e30, 1e30, 8, false}},
        {"lo beyond f32 [-1e300, 1] x 4", {-1e300, 1, 4, false}},  {"far from 0 [1000.1, 1000.8] x 7", {1000.1, 1000.8, 7, false}},   {"log [0.5, 8] x 4", {0.5, 8, 4, true}},
        {"log [1e-6, 10] x 50", {1e-6, 10, 50, true}},     {"log [1e-40, 1e30] x 300", {1e-40, 1e30, 300, true}},
        {"log [1, 1.001] x 64", {1, 1.001, 64, true}},
    };
    for (const Spec& s : specs)
        for (DType dt : {DType::F32, DType::BF16, DType::F16})
            QTest::newRow(qPrintable(QString("%1 %2").arg(dtypeName(dt).data(), s.name))) << dt << s.s;
}

void TestCpuHistogram::atBinEdges()
{
    QFETCH(DType, dtype);
    QFETCH(HistogramSpec, spec);
    std::vector<float> v = {0.f, -0.f, 0.f, -0.f};
    const std::vector<double> edges = spec.logBins ? cpu::logBinEdges(spec) : std::vector<double>{};
    for (std::uint32_t k = 0; k <= spec.bins; ++k) {
        const double e = spec.logBins ? edges[k] : spec.lo + (spec.hi - spec.lo) * k / spec.bins;
        addNeighbours(v, dtype, e);
        if (spec.logBins) addNeighbours(v, dtype, -e);
    }
    std::mt19937 rng(7);
    // 70000 values: above the size where log bins take LogBinTable.
    const Bytes weights = randomFloats(DType::F32, 70000, rng);
    for (std::size_t i = 0; i < 70000; ++i) v.push_back(numeric::loadF32(weights.data(), DType::F32, i) * static_cast<float>(spec.hi));
    std::shuffle(v.begin(), v.end(), rng);
    Bytes x(v.size() * bytesOf(dtype));
    for (std::size_t i = 0; i < v.size(); ++i) numeric::storeFromF32(x.data(), dtype, i, v[i]);
    compareAll(x, dtype, v.size(), spec);
}

void TestCpuHistogram::histogramFixedByHand()
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

void TestCpuHistogram::histogramLogByHand()
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


QTEST_GUILESS_MAIN(TestCpuHistogram)
#include "tst_cpu_histogram.moc"
