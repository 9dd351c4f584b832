#pragma once
// OCP FP8 E5M2 (float8_e5m2): s1 e5 m2, bias 15, IEEE-like (inf at e=31,m=0, NaN above), max
// finite 57344. Encode: round to nearest even, overflow to ±inf (IEEE, like ml_dtypes), NaN ->
// quiet 0x7E | sign. Decode of a NaN code gives the canonical f32 quiet NaN with its sign.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

CKPT_HD inline float e5m2ToF32(std::uint8_t b)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(b & 0x80u) << 24;
    const std::uint32_t e = (b >> 2) & 0x1fu;
    const std::uint32_t m = b & 0x3u;
    if (e == 0x1fu) return bitsToF32(sign | (m == 0 ? kF32InfBits : 0x7fc00000u));
    if (e != 0) return bitsToF32(sign | ((e + 112u) << 23) | (m << 21));
    return bitsToF32(sign | f32ToBits(static_cast<float>(m) * 1.52587890625e-5f));  // m * 2^-16
}

CKPT_HD inline std::uint8_t f32BitsToE5m2(std::uint32_t u)
{
    const std::uint32_t sign = (u >> 24) & 0x80u;
    const std::uint32_t a = u & kF32AbsMask;
    if (a > kF32InfBits) return static_cast<std::uint8_t>(sign | 0x7eu);
    if (a >= 0x47800000u) return static_cast<std::uint8_t>(sign | 0x7cu);  // >= 65536 -> inf
    if (a < 0x38800000u)  // below 2^-14: subnormal steps of 2^-16
        return static_cast<std::uint8_t>(sign | f32AbsToSubnormalSteps(a, -16));
    // Normal: rebias 127 -> 15, keep 2 mantissa bits, RNE; a carry past 57344 gives inf.
    const std::uint32_t r = a + 0xfffffu + ((a >> 21) & 1u);
    return static_cast<std::uint8_t>(sign | ((r >> 21) - (112u << 2)));
}

CKPT_HD inline std::uint8_t f32ToE5m2(float f) { return f32BitsToE5m2(f32ToBits(f)); }

} // namespace ckpt::numeric
