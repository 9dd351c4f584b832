#pragma once
// Bit views of f32 and the one rounding primitive every narrowing codec here shares. Host and
// device compile the same code (CKPT_HD), using only integer operations and exact float
// operations, so CPU and CUDA kernels agree bit for bit (no intrinsics that round via another
// format, no reliance on the FPU's rounding mode or denormal flags).

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define CKPT_HD __host__ __device__
#else
#define CKPT_HD
#endif

namespace ckpt::numeric {

CKPT_HD inline std::uint32_t f32ToBits(float f)
{
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
#endif
}

CKPT_HD inline float bitsToF32(std::uint32_t u)
{
#if defined(__CUDA_ARCH__)
    return __uint_as_float(u);
#else
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
#endif
}

CKPT_HD inline std::uint64_t f64ToBits(double d)
{
#if defined(__CUDA_ARCH__)
    return static_cast<std::uint64_t>(__double_as_longlong(d));
#else
    std::uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
#endif
}

CKPT_HD inline double bitsToF64(std::uint64_t u)
{
#if defined(__CUDA_ARCH__)
    return __longlong_as_double(static_cast<long long>(u));
#else
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
#endif
}

inline constexpr std::uint32_t kF32SignMask = 0x80000000u;
inline constexpr std::uint32_t kF32AbsMask = 0x7fffffffu;
inline constexpr std::uint32_t kF32InfBits = 0x7f800000u;

CKPT_HD inline bool f32BitsIsNan(std::uint32_t u) { return (u & kF32AbsMask) > kF32InfBits; }

// round(v / 2^shift) to nearest, ties to even, for 0 <= shift <= 31. Used for subnormal targets,
// where the result is the integer count of the target's smallest subnormal step.
CKPT_HD inline std::uint32_t shiftRightRne(std::uint32_t v, std::uint32_t shift)
{
    if (shift == 0) return v;
    const std::uint32_t q = v >> shift;
    const std::uint32_t rem = v & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1u);
    return q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
}

// |x| (bits without sign, finite, below the target's normal range) as a multiple of
// 2^minSubnormalExp, rounded to nearest even. f32 subnormals and anything below half the
// target's smallest step give 0.
CKPT_HD inline std::uint32_t f32AbsToSubnormalSteps(std::uint32_t absBits, int minSubnormalExp)
{
    const int e = static_cast<int>(absBits >> 23);
    if (e == 0) return 0;  // f32 subnormals are far below every target's smallest step
    const std::uint32_t mant = (absBits & 0x7fffffu) | 0x800000u;
    // value = mant * 2^(e - 150); steps = value / 2^minSubnormalExp = mant * 2^(e-150-minExp).
    const int shift = 150 + minSubnormalExp - e;
    if (shift > 25) return 0;  // mant < 2^24, so the value is below half a step
    if (shift <= 0) return mant << (-shift);  // not reached by callers (normal range)
    return shiftRightRne(mant, static_cast<std::uint32_t>(shift));
}

} // namespace ckpt::numeric
