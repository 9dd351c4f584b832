// CPU vs CUDA: every op on ragged shapes must give identical bytes (dequant, quant, cast) and
// identical bits (stats, histogram, error metrics). Skips loudly without a device or without
// CUDA compiled in. Prints the first mismatching coordinate.

#include "kernel_reference.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/kernel_factory.h"

#include <QtTest>

#include <memory>

using namespace ckpt;
using namespace ckpt::test;

namespace {

QString where(long long i, std::uint64_t cols)
{
    return i < 0 ? QString() : QString("[%1, %2]").arg(i / static_cast<long long>(cols)).arg(i % static_cast<long long>(cols));
}

#define SAME_BYTES(cpu, gpu, elem, cols, what)                                                     \
    do {                                                                                           \
        const long long at_ = firstMismatch(cpu, gpu, elem);                                       \
        if (at_ >= 0) QFAIL(qPrintable(QString(what) + ": CPU and CUDA differ first at " + where(at_, cols))); \
    } while (0)

bool sameBits(double a, double b) { return numeric::f64ToBits(a) == numeric::f64ToBits(b); }

struct Shape {
    std::uint64_t rows, cols;
    std::uint32_t block;
};
const Shape kShapes[] = {{200, 100, 128}, {3, 4097, 128}, {1, 1, 128}, {100, 50, 25}, {576, 7168, 128}, {1030, 260, 128}};

} // namespace

class TestCudaKernels : public QObject {
    Q_OBJECT
    CpuBackend m_cpu{0};
    std::unique_ptr<KernelBackend> m_gpu;

private slots:
    void initTestCase();
    void dequantFp8();
    void dequantFp4();
    void quantFp8();
    void quantFp4();
    void castAll();
    void reductions();
    void deviceErrorsAreReported();
};

void TestCudaKernels::initTestCase()
{
    if (!cudaCompiledIn()) {
        qWarning("SKIP: no CUDA device (this build has no CUDA backend)");
        QSKIP("SKIP: no CUDA device");
    }
    if (cudaDeviceCount() == 0) {
        qWarning("SKIP: no CUDA device (cudaGetDeviceCount reports none or no driver)");
        QSKIP("SKIP: no CUDA device");
    }
    auto gpu = createKernelBackend(DeviceChoice::Cuda);
    QVERIFY2(gpu.ok(), gpu.ok() ? "" : gpu.error().toString().c_str());
    m_gpu = std::move(gpu).value();
    qInfo("CUDA device: %s", m_gpu->deviceDescription().c_str());
}

void TestCudaKernels::dequantFp8()
{
    std::mt19937 rng(1);
    for (const Shape& s : kShapes) {
        const std::uint64_t gr = ceilDivU(s.rows, s.block), gc = ceilDivU(s.cols, s.block);
        const Bytes w = randomBytes(s.rows * s.cols, rng);  // NaN codes included
        for (DType sd : {DType::F32, DType::BF16, DType::F8_E8M0}) {
            const Bytes sc = sd == DType::F8_E8M0 ? randomBytes(gr * gc, rng) : randomFloats(sd, gr * gc, rng);
            for (DType od : {DType::BF16, DType::F16, DType::F32}) {
                Bytes c(s.rows * s.cols * bytesOf(od)), g(c.size());
                Fp8BlockDequantArgs a{w.data(), s.rows, s.cols, sc.data(), sd, s.block, s.block, c.data(), od};
                QVERIFY(m_cpu.dequantFp8Block(a).ok());
                a.out = g.data();
                const Status st = m_gpu->dequantFp8Block(a);
                QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
                SAME_BYTES(c, g, bytesOf(od), s.cols, QString("fp8 dequant %1x%2").arg(s.rows).arg(s.cols));
            }
        }
    }
}

void TestCudaKernels::dequantFp4()
{
    std::mt19937 rng(2);
    for (auto [rows, cols, group] : {std::tuple{200ull, 100ull, 32u}, {3ull, 4098ull, 32u}, {5ull, 30ull, 7u}, {2048ull, 7168ull, 32u}}) {
        const std::uint64_t sc = ceilDivU(cols, group) + 1;
        const Bytes p = randomBytes(rows * cols / 2, rng), s = randomBytes(rows * sc, rng);
        for (DType od : {DType::BF16, DType::F16, DType::F32}) {
            Bytes c(rows * cols * bytesOf(od)), g(c.size());
            Fp4DequantArgs a{p.data(), rows, cols, s.data(), sc, group, c.data(), od};
            QVERIFY(m_cpu.dequantFp4(a).ok());
            a.out = g.data();
            QVERIFY(m_gpu->dequantFp4(a).ok());
            SAME_BYTES(c, g, bytesOf(od), cols, QString("fp4 dequant %1x%2").arg(rows).arg(cols));
        }
    }
}

void TestCudaKernels::quantFp8()
{
    std::mt19937 rng(3);
    for (const Shape& s : kShapes)
        for (DType in : {DType::BF16, DType::F16, DType::F32})
            for (DType sd : {DType::F32, DType::F8_E8M0}) {
                const Bytes x = randomFloats(in, s.rows * s.cols, rng);
                const std::uint64_t ns = ceilDivU(s.rows, s.block) * ceilDivU(s.cols, s.block) * bytesOf(sd);
                Bytes qc(s.rows * s.cols), qg(qc.size()), sc(ns), sg(ns);
                QVERIFY(m_cpu.quantFp8Block({x.data(), in, s.rows, s.cols, s.block, s.block, qc.data(), sc.data(), sd}).ok());
                QVERIFY(m_gpu->quantFp8Block({x.data(), in, s.rows, s.cols, s.block, s.block, qg.data(), sg.data(), sd}).ok());
                SAME_BYTES(sc, sg, bytesOf(sd), ceilDivU(s.cols, s.block), "fp8 quant scales");
                SAME_BYTES(qc, qg, 1, s.cols, QString("fp8 quant %1x%2").arg(s.rows).arg(s.cols));
            }
}

void TestCudaKernels::quantFp4()
{
    std::mt19937 rng(4);
    for (auto [rows, cols, group] : {std::tuple{200ull, 100ull, 32u}, {3ull, 4098ull, 32u}, {5ull, 30ull, 7u}, {512ull, 7168ull, 32u}}) {
        const std::uint64_t groups = ceilDivU(cols, group);
        const Bytes x = randomFloats(DType::BF16, rows * cols, rng);
        Bytes pc(rows * cols / 2), pg(pc.size()), sc(rows * groups), sg(sc.size());
        QVERIFY(m_cpu.quantFp4({x.data(), DType::BF16, rows, cols, group, pc.data(), sc.data()}).ok());
        QVERIFY(m_gpu->quantFp4({x.data(), DType::BF16, rows, cols, group, pg.data(), sg.data()}).ok());
        SAME_BYTES(sc, sg, 1, groups, "fp4 quant scales");
        SAME_BYTES(pc, pg, 1, cols / 2, QString("fp4 quant %1x%2 (packed bytes)").arg(rows).arg(cols));
    }
}

void TestCudaKernels::castAll()
{
    std::mt19937 rng(5);
    const std::uint64_t n = 1000003;
    for (DType in : {DType::BF16, DType::F16, DType::F32, DType::F64, DType::F8_E4M3, DType::F8_E5M2, DType::F8_E8M0}) {
        const Bytes x = randomBytes(n * bytesOf(in), rng);
        for (DType out : {DType::BF16, DType::F16, DType::F32, DType::F64}) {
            Bytes c(n * bytesOf(out)), g(c.size());
            QVERIFY(m_cpu.cast({x.data(), in, n, c.data(), out}).ok());
            QVERIFY(m_gpu->cast({x.data(), in, n, g.data(), out}).ok());
            SAME_BYTES(c, g, bytesOf(out), n, QString("cast %1 -> %2").arg(dtypeName(in).data(), dtypeName(out).data()));
        }
    }
}

void TestCudaKernels::reductions()
{
    std::mt19937 rng(6);
    const std::uint64_t n = 5 * 65536 * 3 + 777;
    for (DType dt : {DType::BF16, DType::F32, DType::F64, DType::F8_E4M3}) {
        const Bytes x = dt == DType::F8_E4M3 || dt == DType::F64 ? randomBytes(n * bytesOf(dt), rng) : randomFloats(dt, n, rng);
        const Bytes y = randomFloats(DType::F32, n, rng);
        TensorStats sc, sg;
        QVERIFY(m_cpu.accumulateStats(x.data(), dt, n, sc).ok());
        QVERIFY(m_gpu->accumulateStats(x.data(), dt, n, sg).ok());
        QVERIFY2(sameBits(sc.sum, sg.sum) && sameBits(sc.sumSq, sg.sumSq), "stats sums differ");
        QVERIFY2(sameBits(sc.min, sg.min) && sameBits(sc.max, sg.max) && sameBits(sc.absMax, sg.absMax), "stats extremes differ");
        QVERIFY(sc.nanCount == sg.nanCount && sc.infCount == sg.infCount && sc.zeroCount == sg.zeroCount);
        ErrorMetrics ec, eg;
        QVERIFY(m_cpu.accumulateErrors(x.data(), dt, y.data(), DType::F32, n, 1e-3, 1e-2, ec).ok());
        QVERIFY(m_gpu->accumulateErrors(x.data(), dt, y.data(), DType::F32, n, 1e-3, 1e-2, eg).ok());
        QVERIFY2(sameBits(ec.sumSqErr, eg.sumSqErr) && sameBits(ec.sumSqRef, eg.sumSqRef) && sameBits(ec.dot, eg.dot) &&
                     sameBits(ec.sumSqB, eg.sumSqB) && sameBits(ec.maxAbs, eg.maxAbs), "error metric sums differ");
        QVERIFY(ec.overTolerance == eg.overTolerance && ec.nanCount == eg.nanCount && ec.infCount == eg.infCount);
        for (bool logBins : {false, true}) {
            Histogram hc, hg;
            hc.spec = hg.spec = logBins ? HistogramSpec{1e-6, 100, 64, true} : HistogramSpec{-0.1, 0.1, 64, false};
            QVERIFY(m_cpu.accumulateHistogram(x.data(), dt, n, hc).ok());
            QVERIFY(m_gpu->accumulateHistogram(x.data(), dt, n, hg).ok());
            QVERIFY2(hc.counts == hg.counts && hc.underflow == hg.underflow && hc.overflow == hg.overflow &&
                         hc.zeros == hg.zeros && hc.nan == hg.nan && hc.inf == hg.inf, "histograms differ");
        }
    }
}

void TestCudaKernels::deviceErrorsAreReported()
{
    // Argument errors are the same on both backends (shared checks).
    Bytes buf(16);
    const Status s = m_gpu->dequantFp8Block({buf.data(), 2, 2, buf.data(), DType::F16, 128, 128, buf.data(), DType::BF16});
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, ErrorCode::UnsupportedDtype);
}

QTEST_GUILESS_MAIN(TestCudaKernels)
#include "tst_cuda_kernels.moc"
