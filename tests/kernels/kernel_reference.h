#pragma once
// Naive scalar references for the kernel tests: one element at a time, straight from the
// formulas in core/kernel_backend.h, sharing only the scalar codecs of core/numeric (which
// tst_numeric checks against ml_dtypes). Also random inputs shared by the CPU and CUDA suites.

#include "core/kernel_backend.h"
#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"

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
