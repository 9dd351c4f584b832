#pragma once
// OCP FP8 E4M3 "fn" (float8_e4m3fn): s1 e4 m3, bias 7, subnormals m·2^-9, no inf, NaN only at
// 0x7F/0xFF, max finite 448 (0x7E).
// Encode rule (ckptscope's choice, safetensors-and-checkpoints.md §1.2): round to nearest even,
// saturate to ±448 (inf included), NaN -> 0x7F with the sign kept. PyTorch's CPU cast instead
// turns |x| > 464 into NaN; ml_dtypes matches ours only within range.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

inline constexpr float kE4m3Max = 448.0f;

CKPT_HD inline float e4m3ToF32(std::uint8_t b)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(b & 0x80u) << 24;
    const std::uint32_t e = (b >> 3) & 0xfu;
    const std::uint32_t m = b & 0x7u;
    if ((b & 0x7fu) == 0x7fu) return bitsToF32(sign | 0x7fc00000u);
    if (e != 0) return bitsToF32(sign | ((e + 120u) << 23) | (m << 20));
    // Subnormal: m * 2^-9, exact.
    return bitsToF32(sign | f32ToBits(static_cast<float>(m) * 0.001953125f));
}

// The same decode as e4m3ToF32 written as selects over integer and exact float operations, so
// that CPU loops over it vectorise (no table gather). tst_numeric checks all 256 codes agree.
CKPT_HD inline std::uint32_t e4m3ToF32BitsSelect(std::uint32_t b)
{
    const std::uint32_t sign = (b & 0x80u) << 24;
    const std::uint32_t em = b & 0x7fu;
    const std::uint32_t normal = (em << 20) + (120u << 23);
    // Subnormal m * 2^-9: the exact float m with its exponent lowered by 9 (integers only).
    const std::uint32_t mf = f32ToBits(static_cast<float>(static_cast<std::int32_t>(em)));
    const std::uint32_t sub = em == 0 ? 0u : mf - (9u << 23);
    const std::uint32_t mag = em == 0x7fu ? 0x7fc00000u : (em < 8u ? sub : normal);
    return sign | mag;
}

CKPT_HD inline std::uint8_t f32BitsToE4m3(std::uint32_t u)
{
    const std::uint32_t sign = (u >> 24) & 0x80u;
    const std::uint32_t a = u & kF32AbsMask;
    if (a > kF32InfBits) return static_cast<std::uint8_t>(sign | 0x7fu);
    if (a >= 0x43e00000u) return static_cast<std::uint8_t>(sign | 0x7eu);  // >= 448 saturates
    if (a < 0x3c800000u)  // below 2^-6: subnormal steps of 2^-9 (8 steps = 2^-6, code 0x08)
        return static_cast<std::uint8_t>(sign | f32AbsToSubnormalSteps(a, -9));
    // Normal: exponent rebias 127 -> 7, keep 3 mantissa bits, RNE. |x| < 448 cannot reach 0x7F.
    const std::uint32_t r = a + 0x7ffffu + ((a >> 20) & 1u);
    return static_cast<std::uint8_t>(sign | ((r >> 20) - (120u << 3)));
}

CKPT_HD inline std::uint8_t f32ToE4m3(float f) { return f32BitsToE4m3(f32ToBits(f)); }

} // namespace ckpt::numeric
