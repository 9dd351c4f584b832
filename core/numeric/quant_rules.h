#pragma once
// How a quantizer picks its scale from a block's amax (core/kernel_backend.h), shared by the
// CPU and CUDA quantizers. amax is the largest |x| over the block's finite values: infinities
// saturate through the encoder instead of turning every other value of the block into 0.

#include "core/numeric/e8m0.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/fp8_e4m3.h"

namespace ckpt::numeric {

struct Fp8BlockScale {
    float value;        // the multiplier written as F32 (and the divisor used for the codes)
    std::uint8_t e8m0;  // the E8M0 byte when the scale is a power of two
};

// F32: amax / 448 (division), 1 for an all-zero block; a quotient that underflows to 0 becomes
// the smallest subnormal so that x / scale stays finite. E8M0: the smallest power of two >=
// amax / 448, decoded back with the OCP rule (2^(b-127)) used by the dequantizer.
CKPT_HD inline Fp8BlockScale fp8BlockScale(float amax, bool e8m0)
{
    float s = amax > 0.0f ? amax / kE4m3Max : 1.0f;
    if (s == 0.0f) s = bitsToF32(1u);
    if (!e8m0) return {s, 0};
    const std::uint8_t b = f32ToE8m0Ceil(s);
    return {e8m0ToF32(b), b};
}

// FP4 group: the smallest 2^k >= amax / 6 as an E8M0 byte (127 for an all-zero group). Byte 0
// would decode to 0.0 under the V4 rule, so k stays >= -126.
CKPT_HD inline std::uint8_t fp4GroupScale(float amax)
{
    if (!(amax > 0.0f)) return 127u;
    const std::uint8_t b = f32ToE8m0Ceil(amax / 6.0f);
    return b == 0 ? std::uint8_t{1} : b;
}

// The reciprocal of scale when it is exact (scale = 2^k, k in [-126, 127]: 2^-k is a normal
// float, or the subnormal 2^-127), else 0. Then x * r and x / scale are the same real number
// rounded once, whatever x (subnormal results included): the CPU quantizers multiply.
inline float exactReciprocal(float scale)
{
    const std::uint32_t u = f32ToBits(scale);
    const std::uint32_t e = u >> 23;
    if ((u & 0x7fffffu) != 0 || e < 1 || e > 254) return 0.0f;
    return bitsToF32(e == 254 ? 1u << 22 : (254u - e) << 23);
}

} // namespace ckpt::numeric
