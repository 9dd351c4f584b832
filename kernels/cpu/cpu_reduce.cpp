// Stats, histograms and error metrics on the CPU, in the fixed reduction order of
// core/numeric/reduce_rules.h: chunk partials computed in parallel into their own slots, then
// folded in chunk order, so results are identical for any thread count and to the CUDA backend.

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cpu/reduce_lanes.h"

#include <array>
#include <cmath>

namespace ckpt::cpu {

using namespace ckpt::numeric;

namespace {

constexpr unsigned L = kReduceLanes;

// Lane state of one stats chunk. Each lane is updated elementwise (no cross-lane dependency),
// so the per-lane loop vectorises; NaN needs no branch since every comparison with it is false.
struct StatsLanes {
    std::array<double, L> sum{}, sq{}, mn, mx, am{};
    std::uint64_t nan = 0, inf = 0, zero = 0;
    StatsLanes() { mn.fill(INFINITY), mx.fill(-INFINITY); }
};

// __restrict: the byte input may otherwise alias the lane arrays (char aliases everything),
// which stops the vectoriser. Counters are kept local for the same reason.
template <DType Dt>
inline void statsGroup(StatsLanes& __restrict s, const std::uint8_t* __restrict p, std::uint64_t k, unsigned m)
{
    std::uint64_t nanC = 0, infC = 0, zeroC = 0;
    for (unsigned l = 0; l < m; ++l) {
        const double v = loadF64(p, Dt, k + l);
        const bool nan = isNanF64(v), inf = isInfF64(v);
        const double f = (nan | inf) ? 0.0 : v;
        s.sum[l] += f;
        s.sq[l] += f * f;
        nanC += nan, infC += inf, zeroC += v == 0.0;
        s.mn[l] = lessTotal(v, s.mn[l]) ? v : s.mn[l];
        s.mx[l] = lessTotal(s.mx[l], v) ? v : s.mx[l];
        s.am[l] = std::fabs(v) > s.am[l] ? std::fabs(v) : s.am[l];
    }
    s.nan += nanC, s.inf += infC, s.zero += zeroC;
}

template <DType Dt>
StatsPartial statsChunk(const std::uint8_t* p, std::uint64_t n)
{
    StatsLanes s;
    std::uint64_t k = 0;
    for (; k + L <= n; k += L) statsGroup<Dt>(s, p, k, L);  // constant trip count: vectorised
    if (k < n) statsGroup<Dt>(s, p, k, static_cast<unsigned>(n - k));
    StatsPartial r;
    r.count = n, r.nan = s.nan, r.inf = s.inf, r.zero = s.zero;
    r.min = INFINITY, r.max = -INFINITY, r.absMax = 0;
    for (unsigned l = 0; l < L; ++l) {  // order-free folds
        r.min = lessTotal(s.mn[l], r.min) ? s.mn[l] : r.min;
        r.max = lessTotal(r.max, s.mx[l]) ? s.mx[l] : r.max;
        r.absMax = s.am[l] > r.absMax ? s.am[l] : r.absMax;
    }
    r.sum = foldLanes(s.sum.data());
    r.sumSq = foldLanes(s.sq.data());
    return r;
}

struct ErrorLanes {
    std::array<double, L> se{}, sa{}, dot{}, sb{}, mx{};
    std::uint64_t nan = 0, inf = 0, over = 0;
};

template <DType A, DType B>
inline void errorGroup(ErrorLanes& __restrict s, const std::uint8_t* __restrict pa,
                       const std::uint8_t* __restrict pb, std::uint64_t k, unsigned m, double atol, double rtol)
{
    std::uint64_t nanC = 0, infC = 0, overC = 0;
    for (unsigned l = 0; l < m; ++l) {
        const double a = loadF64(pa, A, k + l), b = loadF64(pb, B, k + l);
        const bool nan = isNanF64(a) || isNanF64(b);
        const bool inf = !nan && (isInfF64(a) || isInfF64(b));
        const bool fin = !nan && !inf;
        nanC += nan, infC += inf, overC += pairOverTolerance(a, b, atol, rtol);
        const double fa = fin ? a : 0.0, fb = fin ? b : 0.0, e = fa - fb;
        s.se[l] += e * e;
        s.sa[l] += fa * fa;
        s.dot[l] += fa * fb;
        s.sb[l] += fb * fb;
        s.mx[l] = std::fabs(e) > s.mx[l] ? std::fabs(e) : s.mx[l];
    }
    s.nan += nanC, s.inf += infC, s.over += overC;
}

template <DType A, DType B>
ErrorPartial errorChunk(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n,
                        double atol, double rtol)
{
    ErrorLanes s;
    std::uint64_t k = 0;
    for (; k + L <= n; k += L) errorGroup<A, B>(s, pa, pb, k, L, atol, rtol);
    if (k < n) errorGroup<A, B>(s, pa, pb, k, static_cast<unsigned>(n - k), atol, rtol);
    ErrorPartial r;
    r.count = n, r.nan = s.nan, r.inf = s.inf, r.over = s.over;
    for (unsigned l = 0; l < L; ++l) r.maxAbs = s.mx[l] > r.maxAbs ? s.mx[l] : r.maxAbs;
    r.sumSqErr = foldLanes(s.se.data()), r.sumSqRef = foldLanes(s.sa.data()), r.dot = foldLanes(s.dot.data()), r.sumSqB = foldLanes(s.sb.data());
    return r;
}

template <template <DType> class F>
auto dispatch(DType dt)
{
    switch (dt) {
    case DType::BF16: return F<DType::BF16>::fn;
    case DType::F16: return F<DType::F16>::fn;
    case DType::F32: return F<DType::F32>::fn;
    case DType::F64: return F<DType::F64>::fn;
    case DType::F8_E4M3: return F<DType::F8_E4M3>::fn;
    case DType::F8_E5M2: return F<DType::F8_E5M2>::fn;
    default: return F<DType::F8_E8M0>::fn;
    }
}

template <DType Dt> struct StatsFn { static constexpr auto fn = &statsChunk<Dt>; };
template <DType A> struct ErrorOuter {
    template <DType B> struct Inner { static constexpr auto fn = &errorChunk<A, B>; };
    static auto pick(DType b) { return dispatch<Inner>(b); }
};
using ErrorFn = ErrorPartial (*)(const std::uint8_t*, const std::uint8_t*, std::uint64_t, double, double);
template <DType A> struct ErrorPick { static constexpr auto fn = &ErrorOuter<A>::pick; };

std::uint64_t chunkCount(std::uint64_t count) { return ceilDiv(count, kReduceChunk); }

std::uint64_t chunkElements(std::uint64_t count, std::uint64_t c)
{
    return std::min<std::uint64_t>(kReduceChunk, count - c * kReduceChunk);
}

// The dtypes the AVX2 reductions take (the others keep the portable loops).
[[maybe_unused]] bool isF32Family(DType dt) { return dt == DType::BF16 || dt == DType::F16 || dt == DType::F32; }

} // namespace

std::vector<StatsPartial> statsPartials(ThreadPool& pool, const std::uint8_t* data, DType dtype,
                                        std::uint64_t count)
{
    const auto fn = dispatch<StatsFn>(dtype);
    const std::uint32_t bytes = elementBytes(dtype);
    std::vector<StatsPartial> parts(chunkCount(count));
#if CKPT_CPU_AVX2
    if (isF32Family(dtype) && avx2::available()) {
        const bool wide = avx512::available();
        // Runs of chunks: each asks for the task's next one (avx512::statsBf16Chunk, statsF32Chunk).
        pool.runInRuns(parts.size(), [&](std::size_t c0, std::size_t c1) {
            for (std::size_t c = c0; c < c1; ++c) {
                const std::uint64_t i0 = c * std::uint64_t{kReduceChunk}, n = chunkElements(count, c);
                const std::uint64_t nextN = c + 1 < c1 ? chunkElements(count, c + 1) : 0;
                const std::uint8_t* at = data + i0 * bytes;
                if (!wide) parts[c] = avx2::statsChunk(at, dtype, n, at + n * bytes, nextN * bytes);
                else if (dtype == DType::BF16) parts[c] = avx512::statsBf16Chunk(at, n, at + n * bytes, nextN * bytes);
                else parts[c] = avx512::statsF32Chunk(at, dtype, n, at + n * bytes, nextN * bytes);
            }
        });
        return parts;
    }
#endif
    pool.run(parts.size(), [&](std::size_t c) {
        const std::uint64_t i0 = c * std::uint64_t{kReduceChunk};
        parts[c] = fn(data + i0 * bytes, std::min<std::uint64_t>(kReduceChunk, count - i0));
    });
    return parts;
}

std::vector<ErrorPartial> errorPartials(ThreadPool& pool, const std::uint8_t* a, DType aDt,
                                        const std::uint8_t* b, DType bDt, std::uint64_t count,
                                        double atol, double rtol)
{
    const ErrorFn fn = dispatch<ErrorPick>(aDt)(bDt);
    const std::uint32_t ab = elementBytes(aDt), bb = elementBytes(bDt);
    std::vector<ErrorPartial> parts(chunkCount(count));
#if CKPT_CPU_AVX2
    if (isF32Family(aDt) && isF32Family(bDt) && avx2::available()) {
        const bool wide = avx512::available() && avx512::takesErrors(aDt, bDt);
        pool.runInRuns(parts.size(), [&](std::size_t c0, std::size_t c1) {
            for (std::size_t c = c0; c < c1; ++c) {
                const std::uint64_t i0 = c * std::uint64_t{kReduceChunk}, n = chunkElements(count, c);
                const std::uint64_t nextN = c + 1 < c1 ? chunkElements(count, c + 1) : 0;
                parts[c] = wide ? avx512::errorChunk(a + i0 * ab, aDt, b + i0 * bb, bDt, n, atol, rtol,
                                                     a + (i0 + n) * ab, b + (i0 + n) * bb, nextN)
                                : avx2::errorChunk(a + i0 * ab, aDt, b + i0 * bb, bDt, n, atol, rtol,
                                                   a + (i0 + n) * ab, b + (i0 + n) * bb, nextN);
            }
        });
        return parts;
    }
#endif
    pool.run(parts.size(), [&](std::size_t c) {
        const std::uint64_t i0 = c * std::uint64_t{kReduceChunk};
        parts[c] = fn(a + i0 * ab, b + i0 * bb, std::min<std::uint64_t>(kReduceChunk, count - i0), atol, rtol);
    });
    return parts;
}

void foldStats(const std::vector<StatsPartial>& parts, TensorStats& s)
{
    for (const StatsPartial& p : parts) {
        const bool had = s.count > s.nanCount, has = p.count > p.nan;
        if (has) {
            s.min = !had || lessTotal(p.min, s.min) ? p.min : s.min;
            s.max = !had || lessTotal(s.max, p.max) ? p.max : s.max;
            s.absMax = !had || p.absMax > s.absMax ? p.absMax : s.absMax;
        }
        s.count += p.count, s.nanCount += p.nan, s.infCount += p.inf, s.zeroCount += p.zero;
        s.sum += p.sum;
        s.sumSq += p.sumSq;
    }
}

void foldErrors(const std::vector<ErrorPartial>& parts, ErrorMetrics& m)
{
    for (const ErrorPartial& p : parts) {
        m.count += p.count, m.nanCount += p.nan, m.infCount += p.inf, m.overTolerance += p.over;
        m.maxAbs = p.maxAbs > m.maxAbs ? p.maxAbs : m.maxAbs;
        m.sumSqErr += p.sumSqErr, m.sumSqRef += p.sumSqRef, m.dot += p.dot, m.sumSqB += p.sumSqB;
    }
}

} // namespace ckpt::cpu
