#pragma once
// IEEE binary16 <-> f32. Widening is exact (subnormals included). Narrowing is round to nearest
// even with subnormal results, overflow to ±inf, and NaN -> quiet NaN 0x7E00 | sign. Integer
// arithmetic only, so host and device round identically whatever their denormal settings.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

CKPT_HD inline float f16ToF32(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t e = (h >> 10) & 0x1fu;
    const std::uint32_t m = h & 0x3ffu;
    // inf; NaN keeps its payload bit for bit (as numpy does), quiet or not.
    if (e == 0x1fu) return bitsToF32(sign | kF32InfBits | (m << 13));
    if (e != 0) return bitsToF32(sign | ((e + 112u) << 23) | (m << 13));
    // Subnormal (or zero): m * 2^-24 is exact in f32 (m < 2^10, result normal in f32).
    const float mag = static_cast<float>(m) * 5.9604644775390625e-8f;
    return bitsToF32(sign | f32ToBits(mag));
}

CKPT_HD inline std::uint16_t f32BitsToF16(std::uint32_t u)
{
    const std::uint32_t sign = (u >> 16) & 0x8000u;
    const std::uint32_t a = u & kF32AbsMask;
    if (a > kF32InfBits) return static_cast<std::uint16_t>(sign | 0x7e00u);
    if (a >= 0x47800000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65536 -> inf
    if (a < 0x38800000u)  // below 2^-14: subnormal f16 steps of 2^-24 (1024 steps = 2^-14)
        return static_cast<std::uint16_t>(sign | f32AbsToSubnormalSteps(a, -24));
    // Normal: rebias the exponent, round off 13 mantissa bits; a carry may reach inf (correct).
    const std::uint32_t r = a + 0xfffu + ((a >> 13) & 1u);
    return static_cast<std::uint16_t>(sign | ((r >> 13) - (112u << 10)));
}

CKPT_HD inline std::uint16_t f32ToF16(float f) { return f32BitsToF16(f32ToBits(f)); }

} // namespace ckpt::numeric
