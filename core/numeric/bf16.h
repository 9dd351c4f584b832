#pragma once
// bfloat16 <-> f32. Narrowing is round to nearest even; NaN becomes the canonical quiet NaN
// with its sign kept (0x7FC0 | sign), the rule ml_dtypes/Eigen use, so no NaN turns into inf.

#include "core/numeric/float_bits.h"

namespace ckpt::numeric {

CKPT_HD inline float bf16ToF32(std::uint16_t h) { return bitsToF32(static_cast<std::uint32_t>(h) << 16); }

CKPT_HD inline std::uint16_t f32BitsToBf16(std::uint32_t u)
{
    // Written as a select, not an early return, so CPU loops over it vectorise.
    const std::uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const std::uint32_t nan = ((u >> 16) & 0x8000u) | 0x7fc0u;
    return static_cast<std::uint16_t>(f32BitsIsNan(u) ? nan : rounded);
}

CKPT_HD inline std::uint16_t f32ToBf16(float f) { return f32BitsToBf16(f32ToBits(f)); }

} // namespace ckpt::numeric
