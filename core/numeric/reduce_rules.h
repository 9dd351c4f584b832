#pragma once
// The one fixed order of floating-point reductions (stats, error metrics) and the histogram bin
// rule, shared by CPU and CUDA so that both give bit-identical sums whatever their thread
// counts. Sums over one accumulate call:
//  - the values are cut into chunks of kReduceChunk elements from the start of the call;
//  - inside a chunk, lane l (0..kReduceLanes-1) adds elements l, l + kReduceLanes, ... in order
//    (f64, starting from +0.0); lanes are then folded as a tree: for s = kReduceLanes/2 .. 1,
//    lane[l] += lane[l + s] for l < s;
//  - chunk results are added, in chunk order, to the running totals of the stream.
// Counts, minima and maxima do not depend on order (min/max order -0 below +0) and need no rule.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

inline constexpr unsigned kReduceLanes = 256;
inline constexpr unsigned kReduceChunk = 65536;  // multiple of kReduceLanes

// Per-chunk stats; NaN/inf/zero counts over all values, sums over finite values, min/max over
// non-NaN values (±inf included).
struct StatsPartial {
    std::uint64_t count = 0, nan = 0, inf = 0, zero = 0;
    double min = 0, max = 0, absMax = 0;  // valid when count > nan
    double sum = 0, sumSq = 0;
};

struct ErrorPartial {
    std::uint64_t count = 0, nan = 0, inf = 0, over = 0;
    double maxAbs = 0, sumSqErr = 0, sumSqRef = 0, dot = 0, sumSqB = 0;
};

// Exponent-field tests on the bits: exact, branch-free, and immune to -ffinite-math style flags.
CKPT_HD inline bool isNanF64(double v) { return (f64ToBits(v) & 0x7fffffffffffffffull) > 0x7ff0000000000000ull; }
CKPT_HD inline bool isInfF64(double v) { return (f64ToBits(v) & 0x7fffffffffffffffull) == 0x7ff0000000000000ull; }

// min/max with -0 ordered below +0, so the sign of a zero extreme does not depend on the order.
CKPT_HD inline bool lessTotal(double a, double b)
{
    // Non-short-circuit operators keep this a straight line of compares, which vectorises.
    return (a < b) | ((a == b) & (f64ToBits(a) > f64ToBits(b)));  // equal: only ±0 differ in bits
}

// Pair classification for error metrics: any NaN -> nan; else any inf -> inf; else finite.
// Over tolerance: a NaN in exactly one of them, unequal infinities, or a finite pair with
// |a - b| > atol + rtol * |a|.
CKPT_HD inline bool pairOverTolerance(double a, double b, double atol, double rtol)
{
    const bool na = isNanF64(a), nb = isNanF64(b);
    if (na || nb) return na != nb;
    if (isInfF64(a) || isInfF64(b)) return a != b;
    const double d = a > b ? a - b : b - a;
    const double absA = a < 0 ? -a : a;
    return d > atol + rtol * absA;
}

// Fixed-width bin of v in [lo, hi] (caller has checked the range); hi falls in the last bin.
CKPT_HD inline std::uint32_t fixedBin(double v, double lo, double hi, std::uint32_t bins)
{
    const double t = (v - lo) * static_cast<double>(bins) / (hi - lo);
    std::uint32_t b = t >= static_cast<double>(bins) ? bins - 1 : static_cast<std::uint32_t>(t);
    return b >= bins ? bins - 1 : b;
}

// Log bin of |v| in [edges[0], edges[bins]]: the last i with edges[i] <= |v| (binary search
// over edges computed once on the host, so no log() whose last bit could differ by platform).
CKPT_HD inline std::uint32_t logBin(double absV, const double* edges, std::uint32_t bins)
{
    std::uint32_t lo = 0, hi = bins;  // invariant: edges[lo] <= absV, answer < hi
    while (hi - lo > 1) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (edges[mid] <= absV) lo = mid; else hi = mid;
    }
    return lo;
}

// Where a histogram puts v: a bin index >= 0, or one of the negative slots below. NaN and ±inf
// have their own counters (never under/overflow). Zeros are also counted in `zeros` in both
// modes; with log bins they are in no bin (log2 of 0 has none), with fixed bins they are binned.
inline constexpr int kSlotNan = -1, kSlotInf = -2, kSlotUnder = -3, kSlotOver = -4, kSlotNone = -5;

CKPT_HD inline int histogramSlot(double v, double lo, double hi, std::uint32_t bins, bool logBins,
                                 const double* logEdges)
{
    if (isNanF64(v)) return kSlotNan;
    if (isInfF64(v)) return kSlotInf;
    if (logBins) {
        const double a = v < 0 ? -v : v;
        if (a == 0.0) return kSlotNone;
        if (a < lo) return kSlotUnder;
        if (a > hi) return kSlotOver;
        return static_cast<int>(logBin(a, logEdges, bins));
    }
    if (v < lo) return kSlotUnder;
    if (v > hi) return kSlotOver;
    return static_cast<int>(fixedBin(v, lo, hi, bins));
}

} // namespace ckpt::numeric
