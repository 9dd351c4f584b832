#pragma once
// Fixed-width histogram bins in f32 arithmetic, for the vector loops. histogramSlot takes the
// f64 t = (x - lo) * bins / D, D = hi - lo, and its floor; a division per value is far too slow
// for a vector loop, and even the f64 products cost twice the f32 ones. The loops take
// q = (x - L) * K in f32 (L = lo and K = bins / D rounded to f32) and keep floor(q) where that
// provably is floor(t), with every error measured in bins:
//  - x lies in [lo, hi], so 0 <= x - lo <= D (1 + 2^-52), and t is within 2^-51 (bins + 1) of
//    T = (x - lo) bins / D (three f64 roundings).
//  - x - L = (x - lo) + (lo - L) with |lo - L| <= 2^-24 |lo|; the f32 subtraction and product
//    and K's rounding are three relative errors of at most 2^-24 each (plus 2^-149 absolute
//    where a result is subnormal). So |q - T| <= 2^-24 (3.001 bins + 1.001 |lo| bins / D)
//    + 2^-149 (K + 1), and `margin` is twice the bound on |q - t| plus 2^-23 (bins + 1) for the
//    rounding of q - margin and q + margin themselves.
//  - Both of those therefore enclose t; if they truncate to the same integer, no bin edge lies
//    between them and that integer is floor(t) (t >= 0, so a lower end in (-1, 0) truncating to
//    0 is still right). Otherwise the lane takes histogramSlot itself.
// Under / over compare x with the least f32 >= lo and the greatest f32 <= hi, which for f32 x is
// exactly x < lo and x > hi. ±0 have one precomputed slot, so a zero on a bin edge (the common
// case: symmetric ranges with an even bin count) needs no fallback.

#include "core/kernel_backend.h"
#include "core/numeric/reduce_rules.h"

#include <cmath>
#include <cstdint>

namespace ckpt::cpu {

// Index into a task's counts: [0, bins) the bins, then under, over, zeros, nan, inf. The
// zeros counter is extra (a zero is also in its slot).
inline std::uint32_t countsIndex(int slot, std::uint32_t bins)
{
    switch (slot) {
    case numeric::kSlotUnder: return bins;
    case numeric::kSlotOver: return bins + 1;
    case numeric::kSlotNan: return bins + 3;
    case numeric::kSlotInf: return bins + 4;
    default: return static_cast<std::uint32_t>(slot);  // fixed bins: never kSlotNone
    }
}

struct FixedBinsF32 {
    double lo = 0, hi = 0;
    std::uint32_t bins = 0;
    float loF = 0, k = 0, margin = 0;  // L, K and the margin above
    float loUp = 0, hiDown = 0;        // least f32 >= lo, greatest f32 <= hi
    std::uint32_t zeroIndex = 0;       // countsIndex of ±0's slot

    // The exact index, for the lanes the f32 product cannot decide and for tails.
    std::uint32_t indexOf(double v) const
    {
        return countsIndex(numeric::histogramSlot(v, lo, hi, bins, false, nullptr), bins);
    }
};

// Whether the vector loops may bin `s` in f32: fixed bins, at most 2^24 of them, lo and hi
// within f32 range, K a normal f32, and a margin below 2^-8 bins, so that values the product
// cannot decide are rare (about 2 x margin per bin edge).
inline bool fixedBinsF32(const HistogramSpec& s, FixedBinsF32& f)
{
    if (s.logBins || s.bins == 0 || s.bins > (1u << 24)) return false;
    if (!(std::fabs(s.lo) < 0x1p126) || !(std::fabs(s.hi) < 0x1p126)) return false;  // x - L stays finite
    const double width = s.hi - s.lo, bins = s.bins;
    const double k = bins / width;
    if (!std::isfinite(k) || !(k >= 0x1p-100) || !(k < 0x1p100)) return false;
    const double bound = 0x1p-24 * (3.001 * bins + 1.001 * std::fabs(s.lo) * k) + 0x1p-149 * (k + 1) + 0x1p-51 * (bins + 1);
    const double margin = 2 * bound + 0x1p-23 * (bins + 1);
    if (!(margin < 0x1p-8)) return false;
    f.lo = s.lo, f.hi = s.hi, f.bins = s.bins;
    f.loF = static_cast<float>(s.lo), f.k = static_cast<float>(k);
    f.margin = std::nextafter(static_cast<float>(margin), 1.f);  // rounded up
    f.loUp = f.loF >= s.lo ? f.loF : std::nextafter(f.loF, INFINITY);
    f.hiDown = static_cast<float>(s.hi) <= s.hi ? static_cast<float>(s.hi) : std::nextafter(static_cast<float>(s.hi), -INFINITY);
    f.zeroIndex = f.indexOf(0.0);
    return true;
}

} // namespace ckpt::cpu
