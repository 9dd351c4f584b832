#pragma once
// Naive scalar references for the kernel tests: one element at a time, straight from the
// formulas in core/kernel_backend.h, sharing only the scalar codecs of core/numeric (which
// tst_numeric checks against ml_dtypes). Also random inputs shared by the CPU and CUDA suites.

#include "core/kernel_backend.h"
#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/quant_rules.h"
#include "core/numeric/reduce_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace ckpt::test {

using Bytes = std::vector<std::uint8_t>;

inline std::uint64_t ceilDivU(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }
inline std::uint32_t bytesOf(DType dt) { return static_cast<std::uint32_t>(dtypeBits(dt) / 8); }

inline Bytes referenceFp8Dequant(const Fp8BlockDequantArgs& a)
{
    Bytes out(a.rows * a.cols * bytesOf(a.outDtype));
    const auto* w = static_cast<const std::uint8_t*>(a.weight);
    const auto* s = static_cast<const std::uint8_t*>(a.scale);
    const std::uint64_t gridCols = ceilDivU(a.cols, a.blockCols);
    for (std::uint64_t r = 0; r < a.rows; ++r)
        for (std::uint64_t c = 0; c < a.cols; ++c) {
            const float sc = numeric::loadF32(s, a.scaleDtype, (r / a.blockRows) * gridCols + c / a.blockCols);
            const float v = numeric::e4m3ToF32(w[r * a.cols + c]) * sc;
            numeric::storeFromF32(out.data(), a.outDtype, r * a.cols + c, v);
        }
    return out;
}

inline Bytes referenceFp4Dequant(const Fp4DequantArgs& a)
{
    Bytes out(a.rows * a.cols * bytesOf(a.outDtype));
    const auto* p = static_cast<const std::uint8_t*>(a.packed);
    const auto* s = static_cast<const std::uint8_t*>(a.scale);
    for (std::uint64_t r = 0; r < a.rows; ++r)
        for (std::uint64_t c = 0; c < a.cols; ++c) {
            const std::uint8_t b = p[r * (a.cols / 2) + c / 2];
            const std::uint8_t code = static_cast<std::uint8_t>(c % 2 == 0 ? b & 0xf : b >> 4);
            const float v = numeric::e2m1ToF32(code) * numeric::e8m0Fp4ScaleToF32(s[r * a.scaleCols + c / a.groupSize]);
            numeric::storeFromF32(out.data(), a.outDtype, r * a.cols + c, v);
        }
    return out;
}

// FP8 block quantization: amax over each block's finite values, fp8BlockScale, then every code
// as e4m3(x / scale). Fills q (rows x cols) and s (one F32 or E8M0 scale per block).
inline void referenceFp8Quant(const Fp8BlockQuantArgs& a, Bytes& q, Bytes& s)
{
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    const bool e8m0 = a.scaleDtype == DType::F8_E8M0;
    const std::uint64_t gridRows = ceilDivU(a.rows, a.blockRows), gridCols = ceilDivU(a.cols, a.blockCols);
    q.assign(a.rows * a.cols, 0);
    s.assign(gridRows * gridCols * (e8m0 ? 1 : 4), 0);
    for (std::uint64_t br = 0; br < gridRows; ++br)
        for (std::uint64_t bc = 0; bc < gridCols; ++bc) {
            const std::uint64_t r1 = std::min(a.rows, (br + 1) * a.blockRows), c1 = std::min(a.cols, (bc + 1) * a.blockCols);
            float amax = 0;
            for (std::uint64_t r = br * a.blockRows; r < r1; ++r)
                for (std::uint64_t c = bc * a.blockCols; c < c1; ++c) {
                    const float v = numeric::loadF32(in, a.inDtype, r * a.cols + c);
                    if (std::isfinite(v)) amax = std::max(amax, std::fabs(v));
                }
            const numeric::Fp8BlockScale sc = numeric::fp8BlockScale(amax, e8m0);
            if (e8m0) s[br * gridCols + bc] = sc.e8m0;
            else numeric::storeFromF32(s.data(), DType::F32, br * gridCols + bc, sc.value);
            for (std::uint64_t r = br * a.blockRows; r < r1; ++r)
                for (std::uint64_t c = bc * a.blockCols; c < c1; ++c)
                    q[r * a.cols + c] = numeric::f32ToE4m3(numeric::loadF32(in, a.inDtype, r * a.cols + c) / sc.value);
        }
}

// FP4 group quantization: per row and group, amax over finite values, fp4GroupScale, then
// e2m1(x / scale) packed low nibble first. Fills packed (rows x cols / 2) and s (rows x groups).
inline void referenceFp4Quant(const Fp4QuantArgs& a, Bytes& packed, Bytes& s)
{
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    const std::uint64_t groups = ceilDivU(a.cols, a.groupSize);
    packed.assign(a.rows * (a.cols / 2), 0);
    s.assign(a.rows * groups, 0);
    for (std::uint64_t r = 0; r < a.rows; ++r)
        for (std::uint64_t g = 0; g < groups; ++g) {
            const std::uint64_t c0 = g * a.groupSize, c1 = std::min(a.cols, c0 + a.groupSize);
            float amax = 0;
            for (std::uint64_t c = c0; c < c1; ++c) {
                const float v = numeric::loadF32(in, a.inDtype, r * a.cols + c);
                if (std::isfinite(v)) amax = std::max(amax, std::fabs(v));
            }
            s[r * groups + g] = numeric::fp4GroupScale(amax);
            const float sc = numeric::e8m0Fp4ScaleToF32(s[r * groups + g]);
            for (std::uint64_t c = c0; c < c1; ++c) {
                const std::uint8_t code = numeric::f32ToE2m1(numeric::loadF32(in, a.inDtype, r * a.cols + c) / sc);
                packed[(r * a.cols + c) / 2] |= static_cast<std::uint8_t>(code << ((c % 2) * 4));
            }
        }
}

// Stats by the fixed order of reduce_rules.h, one element at a time: chunks of kReduceChunk,
// element i of a chunk added to lane i % kReduceLanes, lanes folded as a tree, chunks in order.
inline TensorStats referenceStats(const std::uint8_t* p, DType dt, std::uint64_t n)
{
    using numeric::kReduceLanes;
    TensorStats t;
    t.count = n;
    bool any = false;
    for (std::uint64_t c0 = 0; c0 < n; c0 += numeric::kReduceChunk) {
        std::vector<double> sum(kReduceLanes, 0.0), sq(kReduceLanes, 0.0);
        for (std::uint64_t i = c0; i < std::min<std::uint64_t>(n, c0 + numeric::kReduceChunk); ++i) {
            const double v = numeric::loadF64(p, dt, i);
            t.zeroCount += v == 0.0;
            if (std::isnan(v)) { ++t.nanCount; continue; }
            t.min = !any || numeric::lessTotal(v, t.min) ? v : t.min;
            t.max = !any || numeric::lessTotal(t.max, v) ? v : t.max;
            t.absMax = !any || std::fabs(v) > t.absMax ? std::fabs(v) : t.absMax;
            any = true;
            if (std::isinf(v)) { ++t.infCount; continue; }
            sum[(i - c0) % kReduceLanes] += v;
            sq[(i - c0) % kReduceLanes] += v * v;
        }
        for (unsigned w = kReduceLanes / 2; w >= 1; w /= 2)
            for (unsigned l = 0; l < w; ++l) sum[l] += sum[l + w], sq[l] += sq[l + w];
        t.sum += sum[0];
        t.sumSq += sq[0];
    }
    return t;
}

// Error metrics by the same fixed order: finite pairs summed per lane, all pairs classified.
inline ErrorMetrics referenceErrors(const std::uint8_t* pa, DType aDt, const std::uint8_t* pb, DType bDt,
                                    std::uint64_t n, double atol, double rtol)
{
    using numeric::kReduceLanes;
    ErrorMetrics m;
    m.count = n;
    for (std::uint64_t c0 = 0; c0 < n; c0 += numeric::kReduceChunk) {
        std::vector<double> se(kReduceLanes, 0.0), sa(se), dot(se), sb(se);
        for (std::uint64_t i = c0; i < std::min<std::uint64_t>(n, c0 + numeric::kReduceChunk); ++i) {
            const double a = numeric::loadF64(pa, aDt, i), b = numeric::loadF64(pb, bDt, i);
            const bool nan = std::isnan(a) || std::isnan(b);
            m.nanCount += nan;
            m.overTolerance += nan ? std::isnan(a) != std::isnan(b) : std::isinf(a) || std::isinf(b) ? a != b : std::fabs(a - b) > atol + rtol * std::fabs(a);
            if (nan || std::isinf(a) || std::isinf(b)) { m.infCount += !nan; continue; }
            const std::uint64_t l = (i - c0) % kReduceLanes;
            se[l] += (a - b) * (a - b), sa[l] += a * a, dot[l] += a * b, sb[l] += b * b;
            m.maxAbs = std::max(m.maxAbs, std::fabs(a - b));
        }
        for (unsigned w = kReduceLanes / 2; w >= 1; w /= 2)
            for (unsigned l = 0; l < w; ++l) se[l] += se[l + w], sa[l] += sa[l + w], dot[l] += dot[l + w], sb[l] += sb[l + w];
        m.sumSqErr += se[0], m.sumSqRef += sa[0], m.dot += dot[0], m.sumSqB += sb[0];
    }
    return m;
}

// Random e4m3 codes without NaN (0x7F/0xFF).
inline Bytes randomE4m3(std::size_t n, std::mt19937& rng)
{
    Bytes v(n);
    for (auto& b : v) {
        b = static_cast<std::uint8_t>(rng());
        if ((b & 0x7f) == 0x7f) b ^= 1;
    }
    return v;
}

inline Bytes randomBytes(std::size_t n, std::mt19937& rng)
{
    Bytes v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

inline Bytes f32Bytes(const std::vector<float>& v)
{
    Bytes b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    return b;
}

// Random values of `dt` (BF16/F16/F32) with realistic weight magnitudes plus a few outliers.
inline Bytes randomFloats(DType dt, std::size_t n, std::mt19937& rng)
{
    std::normal_distribution<float> nd(0.f, 0.02f);
    Bytes out(n * bytesOf(dt));
    for (std::size_t i = 0; i < n; ++i) {
        float v = nd(rng);
        if (rng() % 1000 == 0) v *= 300.f;
        numeric::storeFromF32(out.data(), dt, i, v);
    }
    return out;
}

// Index of the first differing element (element size `elem`), or -1.
inline long long firstMismatch(const Bytes& a, const Bytes& b, std::size_t elem)
{
    if (a.size() != b.size()) return 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return static_cast<long long>(i / elem);
    return -1;
}

} // namespace ckpt::test
