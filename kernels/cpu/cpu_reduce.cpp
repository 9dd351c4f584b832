// Stats, histograms and error metrics on the CPU, in the fixed reduction order of
// core/numeric/reduce_rules.h: chunk partials computed in parallel into their own slots, then
// folded in chunk order, so results are identical for any thread count and to the CUDA backend.

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/cpu_ops.h"

#include <array>
#include <cmath>

namespace ckpt::cpu {

using namespace ckpt::numeric;

namespace {

constexpr unsigned L = kReduceLanes;

// Lane tree fold of reduce_rules.h.
inline double foldLanes(std::array<double, L>& lanes)
{
    for (unsigned s = L / 2; s >= 1; s /= 2)
        for (unsigned l = 0; l < s; ++l) lanes[l] += lanes[l + s];
    return lanes[0];
}

template <DType Dt>
StatsPartial statsChunk(const std::uint8_t* p, std::uint64_t n)
{
    StatsPartial r;
    r.count = n;
    std::array<double, L> sum{}, sq{};
    double mn = INFINITY, mx = -INFINITY, am = 0;
    for (std::uint64_t k = 0; k < n; k += L) {
        const unsigned m = static_cast<unsigned>(std::min<std::uint64_t>(L, n - k));
        for (unsigned l = 0; l < m; ++l) {
            const double v = loadF64(p, Dt, k + l);
            const bool nan = isNanF64(v), inf = isInfF64(v);
            const double f = nan || inf ? 0.0 : v;
            sum[l] += f;
            sq[l] += f * f;
            r.nan += nan;
            r.inf += inf;
            r.zero += v == 0.0;
            if (!nan) {
                mn = lessTotal(v, mn) ? v : mn;
                mx = lessTotal(mx, v) ? v : mx;
                am = std::fabs(v) > am ? std::fabs(v) : am;
            }
        }
    }
    r.min = mn, r.max = mx, r.absMax = am;
    r.sum = foldLanes(sum);
    r.sumSq = foldLanes(sq);
    return r;
}

template <DType A, DType B>
ErrorPartial errorChunk(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n,
                        double atol, double rtol)
{
    ErrorPartial r;
    r.count = n;
    std::array<double, L> se{}, sa{}, dot{}, sb{};
    for (std::uint64_t k = 0; k < n; k += L) {
        const unsigned m = static_cast<unsigned>(std::min<std::uint64_t>(L, n - k));
        for (unsigned l = 0; l < m; ++l) {
            const double a = loadF64(pa, A, k + l), b = loadF64(pb, B, k + l);
            const bool nan = isNanF64(a) || isNanF64(b);
            const bool inf = !nan && (isInfF64(a) || isInfF64(b));
            const bool fin = !nan && !inf;
            r.nan += nan;
            r.inf += inf;
            r.over += pairOverTolerance(a, b, atol, rtol);
            const double fa = fin ? a : 0.0, fb = fin ? b : 0.0, e = fa - fb;
            se[l] += e * e;
            sa[l] += fa * fa;
            dot[l] += fa * fb;
            sb[l] += fb * fb;
            r.maxAbs = std::fabs(e) > r.maxAbs ? std::fabs(e) : r.maxAbs;
        }
    }
    r.sumSqErr = foldLanes(se), r.sumSqRef = foldLanes(sa), r.dot = foldLanes(dot), r.sumSqB = foldLanes(sb);
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

} // namespace

std::vector<StatsPartial> statsPartials(ThreadPool& pool, const std::uint8_t* data, DType dtype,
                                        std::uint64_t count)
{
    const auto fn = dispatch<StatsFn>(dtype);
    const std::uint32_t bytes = elementBytes(dtype);
    std::vector<StatsPartial> parts(chunkCount(count));
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
