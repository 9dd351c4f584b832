// CPU kernel throughput as bytes moved (read + written) per second, next to memcpy of a buffer
// of the same order of size in the same run: bench/run-kernels.sh prints each kernel's ratio to
// the memcpy with the same thread count. Arg = thread count (0 = all hardware threads).

#include "core/numeric/element_io.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/thread_pool.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace {

using namespace ckpt;
using Bytes = std::vector<std::uint8_t>;

// 32 Mi elements: far beyond L2. A server's L3 may hold them; memcpy (glibc) then keeps its
// output cached, and so do the kernels (avx2::streamMinBytes), so the ratio stays like for like.
constexpr std::uint64_t kRows = 4096, kCols = 8192;

unsigned threadsOf(const benchmark::State& st)
{
    const unsigned t = static_cast<unsigned>(st.range(0));
    return t != 0 ? t : std::max(1u, std::thread::hardware_concurrency());
}

Bytes randomBytes(std::size_t n)
{
    Bytes b(n);
    std::mt19937 rng(1);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
}

Bytes randomBf16(std::size_t n, unsigned seed = 2)
{
    Bytes b(n * 2);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.f, 0.02f);
    for (std::size_t i = 0; i < n; ++i) numeric::storeFromF32(b.data(), DType::BF16, i, nd(rng));
    return b;
}

void report(benchmark::State& st, std::uint64_t bytesMoved, unsigned threads)
{
    st.SetBytesProcessed(static_cast<std::int64_t>(bytesMoved) * st.iterations());
    st.counters["threads"] = threads;
}

// Baseline: memcpy of 64 MiB (128 MiB moved), split over the same number of threads.
void BM_Memcpy(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    const std::size_t n = kRows * kCols * 2;
    Bytes src = randomBytes(n), dst(n);
    ThreadPool pool(t);
    const std::size_t part = n / t;
    for (auto _ : st) {
        pool.run(t, [&](std::size_t i) {
            const std::size_t end = i + 1 == t ? n : (i + 1) * part;
            std::memcpy(dst.data() + i * part, src.data() + i * part, end - i * part);
        });
        benchmark::DoNotOptimize(dst.data());
    }
    report(st, 2 * n, t);
}

void fp8Dequant(benchmark::State& st, DType outDtype)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    const std::uint64_t ob = outDtype == DType::F32 ? 4 : 2;
    const Bytes w = randomBytes(kRows * kCols);
    std::vector<float> sv((kRows / 128) * (kCols / 128), 0.01f);
    Bytes out(kRows * kCols * ob);
    const Fp8BlockDequantArgs a{w.data(), kRows, kCols, sv.data(), DType::F32, 128, 128, out.data(), outDtype};
    for (auto _ : st) {
        if (!be.dequantFp8Block(a)) st.SkipWithError("dequant failed");
        benchmark::DoNotOptimize(out.data());
    }
    report(st, kRows * kCols * (1 + ob) + sv.size() * 4, t);
}

void BM_Fp8DequantBf16(benchmark::State& st) { fp8Dequant(st, DType::BF16); }

// F32 outputs, as `verify` dequantizes its round trips and histograms.
void BM_Fp8DequantF32(benchmark::State& st) { fp8Dequant(st, DType::F32); }

void BM_Fp4DequantBf16(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    const Bytes p = randomBytes(kRows * kCols / 2);
    Bytes s(kRows * (kCols / 32), 120), out(kRows * kCols * 2);
    const Fp4DequantArgs a{p.data(), kRows, kCols, s.data(), kCols / 32, 32, out.data(), DType::BF16};
    for (auto _ : st) {
        if (!be.dequantFp4(a)) st.SkipWithError("dequant failed");
        benchmark::DoNotOptimize(out.data());
    }
    report(st, p.size() + s.size() + out.size(), t);
}

void BM_Fp8QuantFromBf16(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    const Bytes in = randomBf16(kRows * kCols);
    Bytes q(kRows * kCols), s((kRows / 128) * (kCols / 128) * 4);
    const Fp8BlockQuantArgs a{in.data(), DType::BF16, kRows, kCols, 128, 128, q.data(), s.data(), DType::F32};
    for (auto _ : st) {
        if (!be.quantFp8Block(a)) st.SkipWithError("quant failed");
        benchmark::DoNotOptimize(q.data());
    }
    report(st, in.size() + q.size() + s.size(), t);
}

void BM_StatsBf16(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    const Bytes in = randomBf16(kRows * kCols);
    for (auto _ : st) {
        TensorStats s;
        if (!be.accumulateStats(in.data(), DType::BF16, kRows * kCols, s)) st.SkipWithError("stats failed");
        benchmark::DoNotOptimize(s.sum);
    }
    report(st, in.size(), t);
}

// F32 tensors: norms and routers in F32, F32 master weights, dequantized F32 outputs.
void BM_StatsF32(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    Bytes in(kRows * kCols * 2);  // 64 MiB, as the BF16 input
    std::mt19937 rng(2);
    std::normal_distribution<float> nd(0.f, 0.02f);
    for (std::size_t i = 0; i < in.size() / 4; ++i) numeric::storeFromF32(in.data(), DType::F32, i, nd(rng));
    for (auto _ : st) {
        TensorStats s;
        if (!be.accumulateStats(in.data(), DType::F32, in.size() / 4, s)) st.SkipWithError("stats failed");
        benchmark::DoNotOptimize(s.sum);
    }
    report(st, in.size(), t);
}

void BM_Fp4QuantFromBf16(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    const Bytes in = randomBf16(kRows * kCols);
    Bytes p(kRows * kCols / 2), s(kRows * (kCols / 32));
    const Fp4QuantArgs a{in.data(), DType::BF16, kRows, kCols, 32, p.data(), s.data()};
    for (auto _ : st) {
        if (!be.quantFp4(a)) st.SkipWithError("quant failed");
        benchmark::DoNotOptimize(p.data());
    }
    report(st, in.size() + p.size() + s.size(), t);
}

// Error metrics of a BF16 tensor against a BF16 reference (both read). Finite: weights on both
// sides, as in `verify`; Bits: the reference is random bit patterns, 1 in 128 NaN or inf, so
// every chunk takes the full classification.
void errorsBf16(benchmark::State& st, const Bytes& a, const Bytes& b, double atol = 1e-3, double rtol = 1e-2)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    for (auto _ : st) {
        ErrorMetrics m;
        if (!be.accumulateErrors(a.data(), DType::BF16, b.data(), DType::BF16, a.size() / 2, atol, rtol, m))
            st.SkipWithError("errors failed");
        benchmark::DoNotOptimize(m.sumSqErr);
    }
    report(st, a.size() + b.size(), t);
}

void BM_ErrorsBf16(benchmark::State& st)
{
    errorsBf16(st, randomBf16(kRows * kCols / 2), randomBf16(kRows * kCols / 2, 3));
}

// The tolerance `verify` compares with, and `diff`'s default: exact (atol = rtol = 0).
void BM_ErrorsBf16Exact(benchmark::State& st)
{
    errorsBf16(st, randomBf16(kRows * kCols / 2), randomBf16(kRows * kCols / 2, 3), 0.0, 0.0);
}

void BM_ErrorsBf16Bits(benchmark::State& st)
{
    const Bytes a = randomBf16(kRows * kCols / 2);
    errorsBf16(st, a, randomBytes(a.size()));
}

// 64 fixed-width bins over BF16 values, the shape of `ckptscope-cli hist`'s default.
void BM_HistogramBf16(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    const Bytes in = randomBf16(kRows * kCols);
    for (auto _ : st) {
        Histogram h;
        h.spec = {-0.1, 0.1, 64, false};
        if (!be.accumulateHistogram(in.data(), DType::BF16, kRows * kCols, h)) st.SkipWithError("histogram failed");
        benchmark::DoNotOptimize(h.counts.data());
    }
    report(st, in.size(), t);
}

// The same over F32 values (a dequantized weight, as `hist` and the GUI count it), with 64
// fixed bins and with 64 log bins of |x|.
void histogramF32(benchmark::State& st, const HistogramSpec& spec)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    Bytes in(kRows * kCols * 2);
    std::mt19937 rng(3);
    std::normal_distribution<float> nd(0.f, 0.02f);
    for (std::size_t i = 0; i < in.size() / 4; ++i) numeric::storeFromF32(in.data(), DType::F32, i, nd(rng));
    for (auto _ : st) {
        Histogram h;
        h.spec = spec;
        if (!be.accumulateHistogram(in.data(), DType::F32, in.size() / 4, h)) st.SkipWithError("histogram failed");
        benchmark::DoNotOptimize(h.counts.data());
    }
    report(st, in.size(), t);
}

void BM_HistogramF32(benchmark::State& st) { histogramF32(st, {-0.1, 0.1, 64, false}); }
void BM_HistogramF32Log(benchmark::State& st) { histogramF32(st, {1e-6, 0.1, 64, true}); }

} // namespace

// An expert weight [out, in] -> native [in, out]: 2048 x 7168 bf16 (DeepSeek V3's gate/up
// shape), whose 4 KiB output pitch is the hard case for a cache-line-set-associative L1.
void BM_TransposeBf16(benchmark::State& st)
{
    const unsigned t = threadsOf(st);
    CpuBackend be(t);
    constexpr std::uint64_t rows = 2048, cols = 7168;
    const Bytes in = randomBytes(rows * cols * 2);
    Bytes out(rows * cols * 2);
    for (auto _ : st) {
        if (!be.transpose({.in = in.data(), .out = out.data(), .rows = rows, .cols = cols, .elementBytes = 2}).ok())
            st.SkipWithError("transpose failed");
        benchmark::DoNotOptimize(out.data());
    }
    report(st, 2 * rows * cols * 2, t);
}

BENCHMARK(BM_Memcpy)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fp8DequantBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fp8DequantF32)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fp4DequantBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fp8QuantFromBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fp4QuantFromBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StatsBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StatsF32)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ErrorsBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ErrorsBf16Exact)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ErrorsBf16Bits)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TransposeBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HistogramBf16)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HistogramF32)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HistogramF32Log)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
