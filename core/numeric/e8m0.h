#pragma once
// E8M0 scale bytes (exponent only, no sign). Two decodings exist in the wild and both are used:
//  - OCP / PyTorch float8_e8m0fnu: 2^(b-127), 0xFF = NaN, byte 0 = 2^-127 (an f32 subnormal).
//    Used for FP8 block scales (deepseek-v4.md §6.1).
//  - DeepSeek V4's FP4 expert scales (deepseek-v4.md §6.3): byte 0 -> 0.0, otherwise 2^(b-127)
//    built in f32, so 255 -> 2^128 = +inf (not NaN).
// Encode (for quantization): the smallest power of two >= a positive scale, as a byte.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

CKPT_HD inline float e8m0ToF32(std::uint8_t b)
{
    if (b == 0xffu) return bitsToF32(0x7fc00000u);
    if (b == 0) return bitsToF32(0x00400000u);  // 2^-127
    return bitsToF32(static_cast<std::uint32_t>(b) << 23);
}

CKPT_HD inline float e8m0Fp4ScaleToF32(std::uint8_t b)
{
    return bitsToF32(static_cast<std::uint32_t>(b) << 23);  // 0 -> +0.0, 255 -> +inf
}

// Smallest 2^k >= s, k clamped to [-127, 127], as byte k + 127. s <= 0 or NaN give 127 (scale
// 1: callers only pass amax-derived scales, where 0 means an all-zero block). +inf gives 254.
CKPT_HD inline std::uint8_t f32ToE8m0Ceil(float s)
{
    const std::uint32_t u = f32ToBits(s);
    if (!(s > 0.0f) || f32BitsIsNan(u)) return 127u;
    if (u >= kF32InfBits) return 254u;
    const int e = static_cast<int>(u >> 23);
    const std::uint32_t mant = u & 0x7fffffu;
    int k;
    if (e == 0) {
        // f32 subnormal mant * 2^-149: at most 2^-127, the smallest encodable power.
        k = -127;
    } else {
        k = e - 127 + (mant != 0 ? 1 : 0);
    }
    if (k < -127) k = -127;
    if (k > 127) k = 127;
    return static_cast<std::uint8_t>(k + 127);
}

} // namespace ckpt::numeric
