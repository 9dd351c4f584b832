// TensorStatsJob against direct KernelBackend calls: plain tensors, FP8 block pairs with
// partial edge blocks and more than one chunk, mismatched scale grids shown raw, the scale grid
// and scale histogram, cancellation, and JobRunner's generation/exception handling.

#include "checkpoint_fixture.h"
#include "kernels/kernel_factory.h"
#include "ui/workers/job_runner.h"
#include "ui/workers/tensor_stats_job.h"

#include <QScopeGuard>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <cmath>

using namespace ckpt;
using namespace ckpt::ui;

class TstTensorStatsJob : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void plainTensor();
    void fp8PairAcrossChunks();
    void mismatchedScaleShownRaw();
    void cancelled();
    void histogramSpecs();
    void runnerDropsStaleResults();
    void runnerCatchesExceptions();
    void runnerAvoidsGlobalPool();

private:
    Result<TensorStatsResult> stats(const std::string& tensor, std::uint32_t bins = 64);
    void compareHistogram(const Histogram& actual, const void* data, DType dtype, std::uint64_t n,
                          const HistogramSpec& spec);

    QTemporaryDir m_dir;
    std::shared_ptr<const Checkpoint> m_checkpoint;
    std::unique_ptr<KernelBackend> m_backend;
    // FP8 weight [1000, 8200]: 8.2M elements = two chunks, partial last block row and column.
    static constexpr std::uint64_t kRows = 1000, kCols = 8200;
    static constexpr std::uint64_t kGridRows = 8, kGridCols = 65;
};

void TstTensorStatsJob::initTestCase()
{
    QVERIFY(m_dir.isValid());
    std::vector<float> plain(300);
    for (std::size_t i = 0; i < plain.size(); ++i)
        plain[i] = std::sin(float(i)) * 3.0f;
    plain[7] = 0.0f;
    plain[8] = std::nanf("");
    plain[9] = INFINITY;
    std::vector<float> scales(kGridRows * kGridCols);
    for (std::size_t i = 0; i < scales.size(); ++i)
        scales[i] = std::exp2(float(int(i % 9) - 12));
    std::vector<float> badScale(4, 1.0f);
    const std::vector<test::FixtureTensor> tensors{
        {"model.layers.0.mlp.down_proj.weight", DType::F8_E4M3, {kRows, kCols},
         test::noiseBytes(kRows * kCols, 7)},
        {"model.layers.0.mlp.down_proj.weight_scale_inv", DType::F32, {kGridRows, kGridCols},
         test::toBytes(scales)},
        {"model.layers.0.self_attn.o_proj.weight", DType::F8_E4M3, {16, 16}, test::noiseBytes(256, 3)},
        {"model.layers.0.self_attn.o_proj.weight_scale_inv", DType::F32, {2, 2}, test::toBytes(badScale)},
        {"model.norm.weight", DType::F32, {300}, test::toBytes(plain)},
    };
    const std::string file = m_dir.filePath("model.safetensors").toStdString();
    QVERIFY(test::writeSafetensors(file, tensors));
    auto checkpoint = Checkpoint::open(file);
    QVERIFY2(checkpoint.ok(), checkpoint.ok() ? "" : checkpoint.error().toString().c_str());
    m_checkpoint = checkpoint.value();
    auto backend = createKernelBackend(DeviceChoice::Cpu);
    QVERIFY(backend.ok());
    m_backend = std::move(backend.value());
}

Result<TensorStatsResult> TstTensorStatsJob::stats(const std::string& tensor, std::uint32_t bins)
{
    const TensorRef* ref = m_checkpoint->find(tensor);
    Q_ASSERT(ref);
    SimpleJobContext job;
    const auto index = static_cast<std::uint32_t>(ref - m_checkpoint->tensors().data());
    return TensorStatsJob(*m_checkpoint, index, *m_backend, bins, job).run();
}

void TstTensorStatsJob::compareHistogram(const Histogram& actual, const void* data, DType dtype,
                                         std::uint64_t n, const HistogramSpec& spec)
{
    Histogram expected;
    expected.spec = spec;
    QVERIFY(m_backend->accumulateHistogram(data, dtype, n, expected).ok());
    QCOMPARE(actual.counts, expected.counts);
    QCOMPARE(actual.underflow, expected.underflow);
    QCOMPARE(actual.overflow, expected.overflow);
    QCOMPARE(actual.nan, expected.nan);
    QCOMPARE(actual.inf, expected.inf);
    QCOMPARE(actual.zeros, expected.zeros);
}

void TstTensorStatsJob::plainTensor()
{
    auto r = stats("model.norm.weight", 50);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    QVERIFY(!r->dequantized);
    QVERIFY(!r->scales);
    auto bytes = m_checkpoint->tensorBytes(*m_checkpoint->find("model.norm.weight"));
    TensorStats expected;
    QVERIFY(m_backend->accumulateStats(bytes->data(), DType::F32, 300, expected).ok());
    QCOMPARE(r->stats.count, 300u);
    QCOMPARE(r->stats.nanCount, 1u);
    QCOMPARE(r->stats.infCount, 1u);
    QCOMPARE(r->stats.min, expected.min);
    QCOMPARE(r->stats.max, expected.max);
    QCOMPARE(r->stats.sum, expected.sum);
    QCOMPARE(r->histogram.counts.size(), std::size_t(50));
    compareHistogram(r->histogram, bytes->data(), DType::F32, 300,
                     TensorStatsJob::valueHistogramSpec(expected, 50));
}

// One dequant call over the whole weight must give what the job's chunked passes give.
void TstTensorStatsJob::fp8PairAcrossChunks()
{
    QVERIFY(kRows * kCols > TensorStatsJob::kChunkElements);
    auto r = stats("model.layers.0.mlp.down_proj.weight", 100);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    QVERIFY(r->dequantized);
    QCOMPARE(r->scheme, std::optional<QuantScheme>(QuantScheme::Fp8Block));
    const TensorRef* w = m_checkpoint->find("model.layers.0.mlp.down_proj.weight");
    const TensorRef* s = m_checkpoint->find("model.layers.0.mlp.down_proj.weight_scale_inv");
    std::vector<float> all(kRows * kCols);
    Fp8BlockDequantArgs a;
    a.weight = m_checkpoint->tensorBytes(*w)->data();
    a.scale = m_checkpoint->tensorBytes(*s)->data();
    a.rows = kRows;
    a.cols = kCols;
    a.out = all.data();
    a.outDtype = DType::F32;
    QVERIFY(m_backend->dequantFp8Block(a).ok());
    TensorStats expected;
    QVERIFY(m_backend->accumulateStats(all.data(), DType::F32, all.size(), expected).ok());
    QCOMPARE(r->stats.count, expected.count);
    QCOMPARE(r->stats.min, expected.min);
    QCOMPARE(r->stats.max, expected.max);
    QCOMPARE(r->stats.zeroCount, expected.zeroCount);
    QVERIFY(std::fabs(r->stats.sum - expected.sum) <= 1e-9 * std::fabs(expected.sum) + 1e-12);
    compareHistogram(r->histogram, all.data(), DType::F32, all.size(),
                     TensorStatsJob::valueHistogramSpec(expected, 100));

    QVERIFY(r->scales);
    const ScaleGrid& g = r->scales->grid;
    QCOMPARE(g.rows, kGridRows);
    QCOMPARE(g.cols, kGridCols);
    QCOMPARE(g.weightRows, kRows);
    QCOMPARE(g.weightCols, kCols);
    QCOMPARE(g.log2Values.size(), std::size_t(kGridRows * kGridCols));
    QCOMPARE(g.log2Values[10], float(int(10 % 9) - 12));
    QCOMPARE(g.minPositive, std::exp2(-12.0));
    QCOMPARE(g.max, std::exp2(-4.0));
    QCOMPARE(r->scales->stats.count, kGridRows * kGridCols);
    std::uint64_t scaleCount = 0;
    for (auto c : r->scales->histogram.counts)
        scaleCount += c;
    QCOMPARE(scaleCount + r->scales->histogram.overflow, kGridRows * kGridCols);
}

void TstTensorStatsJob::mismatchedScaleShownRaw()
{
    auto r = stats("model.layers.0.self_attn.o_proj.weight");
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    QVERIFY(!r->dequantized);  // a [2, 2] grid cannot belong to a [16, 16] weight of 128 blocks
    QCOMPARE(r->stats.count, 256u);
}

void TstTensorStatsJob::cancelled()
{
    SimpleJobContext job;
    job.cancel();
    const auto index = static_cast<std::uint32_t>(
        m_checkpoint->find("model.norm.weight") - m_checkpoint->tensors().data());
    auto r = TensorStatsJob(*m_checkpoint, index, *m_backend, 64, job).run();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::Cancelled);
}

void TstTensorStatsJob::histogramSpecs()
{
    TensorStats constant;
    constant.count = 4;
    constant.min = constant.max = 2.0;
    const HistogramSpec c = TensorStatsJob::valueHistogramSpec(constant, 10);
    QVERIFY(c.lo < 2.0 && c.hi > 2.0);
    TensorStats allNan;
    allNan.count = allNan.nanCount = 3;
    const HistogramSpec n = TensorStatsJob::valueHistogramSpec(allNan, 0);
    QCOMPARE(n.bins, 1u);
    QVERIFY(n.hi > n.lo);
    const HistogramSpec s = TensorStatsJob::scaleHistogramSpec(0.0003, 0.02, 16);
    QVERIFY(s.logBins);
    QCOMPARE(s.lo, std::exp2(-12.0));
    QCOMPARE(s.hi, std::exp2(-5.0));
    QCOMPARE(TensorStatsJob::scaleHistogramSpec(0.25, 0.25, 8).hi, 0.5);
}

void TstTensorStatsJob::runnerDropsStaleResults()
{
    JobRunner runner;
    QStringList delivered;
    QSignalSpy busy(&runner, &JobRunner::busyChanged);
    for (int i = 0; i < 5; ++i) {
        runner.UI_start<int>(
            [i](JobContext& job) -> Result<int> {
                while (i < 4 && !job.isCancelled())
                    QThread::msleep(1);
                return i;
            },
            [&delivered](Result<int> r) { delivered << QString::number(r.value()); });
    }
    QTRY_COMPARE_WITH_TIMEOUT(delivered, QStringList{"4"}, 30000);
    QVERIFY(!runner.isBusy());
    runner.waitForAll();
    QCoreApplication::processEvents();
    QCOMPARE(delivered, QStringList{"4"});
    QCOMPARE(busy.count(), 2);  // true once, false once: superseded jobs do not flicker
}

void TstTensorStatsJob::runnerCatchesExceptions()
{
    JobRunner runner;
    std::optional<Error> error;
    runner.UI_start<int>([](JobContext&) -> Result<int> { throw std::runtime_error("boom"); },
                         [&error](Result<int> r) { error = r.error(); });
    QTRY_VERIFY_WITH_TIMEOUT(error.has_value(), 30000);
    QCOMPARE(error->code, ErrorCode::Internal);
    QVERIFY(error->message.find("boom") != std::string::npos);
}

// Qt's raster engine waits on QThreadPool::globalInstance() while it paints, so a job parked
// there froze the window (with one core: for a whole checkpoint open). With every thread of that
// pool held, a job must still run, and not on it.
void TstTensorStatsJob::runnerAvoidsGlobalPool()
{
    QThreadPool* global = QThreadPool::globalInstance();
    const int threads = global->maxThreadCount();
    QSemaphore started, release;
    const auto releaseGlobal = qScopeGuard([&] {  // also when a check below returns early
        release.release(threads);
        global->waitForDone();
    });
    for (int i = 0; i < threads; ++i)
        global->start([&started, &release] {
            started.release();
            release.acquire();
        });
    QVERIFY(started.tryAcquire(threads, 30000));
    JobRunner runner;
    std::optional<bool> onGlobalPool;
    runner.UI_start<bool>(
        [global](JobContext&) -> Result<bool> { return global->contains(QThread::currentThread()); },
        [&onGlobalPool](Result<bool> r) { onGlobalPool = r.value(); });
    QTRY_VERIFY_WITH_TIMEOUT(onGlobalPool.has_value(), 20000);
    QCOMPARE(*onGlobalPool, false);
}

QTEST_GUILESS_MAIN(TstTensorStatsJob)
#include "tst_tensor_stats_job.moc"
