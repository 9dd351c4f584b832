#pragma once
// The state the vector stats and error loops (avx2_*.cpp, avx512_*.cpp) leave per reduce chunk,
// and its finish: the last partial group of fewer than kReduceLanes values (lanes 0 .. m-1, one
// value each, the portable loop's maths), then the lane tree of reduce_rules.h. Minima and
// maxima are kept as order keys of the f32 bits (signed compares order values, -0 below +0).

#include "core/numeric/element_io.h"
#include "core/numeric/reduce_rules.h"
#include "kernels/cpu/prefetch.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

namespace ckpt::cpu {

// Order key of f32 bits: signed compares of keys order values with -0 < +0.
inline std::int32_t orderKey(std::uint32_t u)
{
    const auto s = static_cast<std::int32_t>(u);
    return s ^ static_cast<std::int32_t>(static_cast<std::uint32_t>(s >> 31) >> 1);
}

inline float fromOrderKey(std::int32_t k)
{
    return numeric::bitsToF32(static_cast<std::uint32_t>(k ^ static_cast<std::int32_t>(static_cast<std::uint32_t>(k >> 31) >> 1)));
}

// f32 bits of the bf16 value whose 16-bit order key is k.
inline std::uint32_t fromKey16(std::int16_t k)
{
    const auto u = static_cast<std::uint16_t>(k);
    return static_cast<std::uint32_t>(u & 0x8000u ? u ^ 0x7fffu : u) << 16;
}

// The AVX-512 loops walk a chunk in passes of a few lanes each, so the first pass reads only
// part of every kReduceLanes-value row, a stride the hardware prefetchers do not follow far
// enough: it fetches whole rows this far ahead for the passes after it (2 to 64 rows measured;
// 16 was fastest for stats on the Xeon of docs/PERFORMANCE.md).
inline constexpr std::uint64_t kPrefetchAheadRows = 16;

inline void prefetchReduceRow(const std::uint8_t* row, unsigned elementBytes)
{
    prefetchLines(row, std::uint64_t{numeric::kReduceLanes} * elementBytes);
}

// The task's next chunk is asked for into L2 (BlockPrefetch, one row) a few lines per row step of
// the passes after the first. Why: the first pass of a chunk fetches all of it (the passes after
// it read from L2), so without this every chunk's misses fall into its first pass and the other
// passes leave the memory idle (stats ran at 0.19 ns per value from L3 against 0.12 from L2 on
// one Xeon core).
inline BlockPrefetch nextChunkPrefetch(const std::uint8_t* next, std::uint64_t bytes, std::uint64_t steps)
{
    return BlockPrefetch(next, bytes, bytes, 1, steps);
}

// One row step of a pass over a chunk: the first pass (base 0) asks for the row
// kPrefetchAheadRows ahead, the later passes for a few lines of the thread's next chunk.
inline void passPrefetch(const std::uint8_t* p, unsigned elementBytes, std::uint64_t row, std::uint64_t rows, unsigned base,
                         BlockPrefetch& next)
{
    if (base != 0) next.step();
    else if (row + kPrefetchAheadRows < rows)
        prefetchReduceRow(p + (row + kPrefetchAheadRows) * numeric::kReduceLanes * elementBytes, elementBytes);
}

inline double foldLanes(double* lanes)
{
    for (unsigned s = numeric::kReduceLanes / 2; s >= 1; s /= 2)
        for (unsigned l = 0; l < s; ++l) lanes[l] += lanes[l + s];
    return lanes[0];
}

struct StatsLaneState {
    alignas(64) double sum[numeric::kReduceLanes] = {};
    alignas(64) double sq[numeric::kReduceLanes] = {};
    std::int32_t kMin = INT32_MAX, kMax = INT32_MIN, aMax = 0;  // keys; |x| bits
    std::uint64_t nan = 0, inf = 0, zero = 0;

    // Folds a 16-bit (bf16) key minimum, maximum and |x| maximum in; the start values of the
    // 16-bit loops (0x7fff, -0x8000: no non-NaN value seen) are skipped.
    void addKeys16(std::int16_t mn, std::int16_t mx, std::int16_t am)
    {
        if (mn != 0x7fff) kMin = kMin < orderKey(fromKey16(mn)) ? kMin : orderKey(fromKey16(mn));
        if (mx != -0x8000) kMax = kMax > orderKey(fromKey16(mx)) ? kMax : orderKey(fromKey16(mx));
        aMax = aMax > (static_cast<std::int32_t>(am) << 16) ? aMax : static_cast<std::int32_t>(am) << 16;
    }

    // Folds the raw f32 bits' extremes of a lane that saw no NaN in: the largest value is the
    // largest signed raw if any is non-negative, else the negative of least magnitude (least
    // unsigned raw); the least value likewise.
    void addRawExtremes32(std::int32_t smin, std::int32_t smax, std::uint32_t umin, std::uint32_t umax)
    {
        const std::int32_t mx = smax >= 0 ? smax : orderKey(umin);
        const std::int32_t mn = smin < 0 ? orderKey(umax) : smin;
        const std::int32_t am = std::max<std::int32_t>(smax >= 0 ? smax : 0, smin < 0 ? static_cast<std::int32_t>(umax & 0x7fffffffu) : 0);
        kMin = std::min(kMin, mn), kMax = std::max(kMax, mx), aMax = std::max(aMax, am);
    }

    // The same for the raw bits of bf16 values (AVX-512 and AVX2 BF16 walks). A lane that saw
    // nothing gives the start values addKeys16 skips.
    void addRawExtremes16(std::int16_t smin, std::int16_t smax, std::uint16_t umin, std::uint16_t umax)
    {
        const auto key = [](std::uint16_t negative) { return static_cast<std::int16_t>(negative ^ 0x7fff); };
        const std::int16_t mx = smax >= 0 ? smax : key(umin);
        const std::int16_t mn = smin < 0 ? key(umax) : smin;
        const std::int16_t am = std::max<std::int16_t>(smax >= 0 ? smax : 0, smin < 0 ? static_cast<std::int16_t>(umax & 0x7fff) : 0);
        addKeys16(mn, mx, am);
    }

    // Values k .. n-1 (fewer than kReduceLanes) into lanes 0 .. n-k-1, then the partial.
    numeric::StatsPartial finish(const std::uint8_t* p, DType dt, std::uint64_t k, std::uint64_t n)
    {
        for (unsigned l = 0; k + l < n; ++l) {
            const std::uint32_t u = numeric::f32ToBits(numeric::loadF32(p, dt, k + l));
            const std::uint32_t a = u & numeric::kF32AbsMask;
            const bool isNan = a > numeric::kF32InfBits, isInf = a == numeric::kF32InfBits;
            nan += isNan, inf += isInf, zero += a == 0;
            if (isNan) continue;
            const std::int32_t key = orderKey(u);
            kMin = key < kMin ? key : kMin, kMax = key > kMax ? key : kMax;
            aMax = static_cast<std::int32_t>(a) > aMax ? static_cast<std::int32_t>(a) : aMax;
            const double f = isInf ? 0.0 : static_cast<double>(numeric::bitsToF32(u));
            sum[l] += f;
            sq[l] += f * f;
        }
        numeric::StatsPartial r;
        r.count = n, r.nan = nan, r.inf = inf, r.zero = zero;
        // No non-NaN value leaves the keys at their start; the portable loop then reports +inf /
        // -inf / 0, which the backend ignores (count == nan).
        r.min = kMin == INT32_MAX ? INFINITY : static_cast<double>(fromOrderKey(kMin));
        r.max = kMax == INT32_MIN ? -INFINITY : static_cast<double>(fromOrderKey(kMax));
        r.absMax = static_cast<double>(numeric::bitsToF32(static_cast<std::uint32_t>(aMax)));
        r.sum = foldLanes(sum);
        r.sumSq = foldLanes(sq);
        return r;
    }
};

// The tolerance test an error walk needs. With rtol == 0 the limit is atol itself (rtol * |a| is
// +0 or -0 for a finite a, and atol + 0 == atol); with atol == 0 too (`verify`, and `diff` by
// default) a finite pair is over exactly where a != b, which the vector loops count on the f32
// values (the f64 difference of two distinct floats is never rounded to 0).
enum class Limit { Exact, Absolute, Relative };

constexpr Limit limitOf(double atol, double rtol)
{
    return rtol != 0 ? Limit::Relative : atol != 0 ? Limit::Absolute : Limit::Exact;
}

struct ErrorLaneState {
    alignas(64) double se[numeric::kReduceLanes] = {};
    alignas(64) double sa[numeric::kReduceLanes] = {};
    alignas(64) double dot[numeric::kReduceLanes] = {};
    alignas(64) double sb[numeric::kReduceLanes] = {};
    numeric::ErrorPartial r;  // counts and maxAbs so far

    // Pairs k .. n-1 (fewer than kReduceLanes) into lanes 0 .. n-k-1, then the partial.
    numeric::ErrorPartial finish(const std::uint8_t* pa, DType aDt, const std::uint8_t* pb, DType bDt, std::uint64_t k,
                                 std::uint64_t n, double atol, double rtol)
    {
        for (unsigned l = 0; k + l < n; ++l) {
            const double a = numeric::loadF64(pa, aDt, k + l), b = numeric::loadF64(pb, bDt, k + l);
            const bool isNan = numeric::isNanF64(a) || numeric::isNanF64(b);
            const bool isInf = !isNan && (numeric::isInfF64(a) || numeric::isInfF64(b));
            const bool fin = !isNan && !isInf;
            r.nan += isNan, r.inf += isInf, r.over += numeric::pairOverTolerance(a, b, atol, rtol);
            const double fa = fin ? a : 0.0, fb = fin ? b : 0.0, e = fa - fb;
            se[l] += e * e;
            sa[l] += fa * fa;
            dot[l] += fa * fb;
            sb[l] += fb * fb;
            r.maxAbs = std::fabs(e) > r.maxAbs ? std::fabs(e) : r.maxAbs;
        }
        r.count = n;
        r.sumSqErr = foldLanes(se), r.sumSqRef = foldLanes(sa), r.dot = foldLanes(dot), r.sumSqB = foldLanes(sb);
        return r;
    }
};

} // namespace ckpt::cpu
