#pragma once
// FP4 E2M1 codes (DeepSeek V4 experts): bit 3 sign, bits 0-2 index into {0,.5,1,1.5,2,3,4,6}.
// Decode follows the V4 reference table, where code 8 is +0.0 (not -0.0). Encode: round to
// nearest even on that grid (ties go to the even code: 0.25->0, 0.75->1, 1.25->1, 1.75->2,
// 2.5->2, 3.5->4, 5->4), saturate at ±6 (inf included). E2M1 has no NaN: NaN encodes as code 0.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

CKPT_HD inline float e2m1ToF32(std::uint8_t code)
{
    // Magnitude from the code's bits: e = bits 1-2, m = bit 0; e == 0 -> m * 0.5.
    const std::uint32_t c = code & 0x7u;
    const std::uint32_t e = c >> 1;
    const std::uint32_t m = c & 1u;
    const float mag = e == 0 ? static_cast<float>(m) * 0.5f
                             : bitsToF32(((e + 126u) << 23) | (m << 22));
    const std::uint32_t sign = (code & 0x8u) && c != 0 ? kF32SignMask : 0u;  // code 8 = +0.0
    return bitsToF32(f32ToBits(mag) | sign);
}

// e2m1ToF32 as selects over integers, for vectorised CPU loops (checked equal for all codes).
CKPT_HD inline std::uint32_t e2m1ToF32BitsSelect(std::uint32_t code)
{
    const std::uint32_t c = code & 0x7u, e = c >> 1, m = c & 1u;
    const std::uint32_t mag = e == 0 ? (m != 0 ? 0x3f000000u : 0u) : ((e + 126u) << 23) | (m << 22);
    const std::uint32_t sign = ((code & 0x8u) != 0 && c != 0) ? kF32SignMask : 0u;
    return mag | sign;
}

CKPT_HD inline std::uint8_t f32BitsToE2m1(std::uint32_t u)
{
    const std::uint32_t a = u & kF32AbsMask;
    if (a > kF32InfBits) return 0;
    const std::uint32_t sign = (u >> 28) & 0x8u;
    if (a >= 0x40c00000u) return static_cast<std::uint8_t>(sign | 0x7u);  // >= 6 saturates
    if (a < 0x3f800000u)  // below 1: subnormal steps of 0.5 (2 steps = 1.0, code 2)
        return static_cast<std::uint8_t>(sign | f32AbsToSubnormalSteps(a, -1));
    // Normal: rebias 127 -> 1, keep 1 mantissa bit, RNE; below 6 so no carry past code 7.
    const std::uint32_t r = a + 0x1fffffu + ((a >> 22) & 1u);
    return static_cast<std::uint8_t>(sign | ((r >> 22) - (126u << 1)));
}

CKPT_HD inline std::uint8_t f32ToE2m1(float f) { return f32BitsToE2m1(f32ToBits(f)); }

} // namespace ckpt::numeric
