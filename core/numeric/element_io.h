#pragma once
// Loading and storing one element of a float dtype at an arbitrary (possibly unaligned) byte
// address, little-endian, through the codecs of this folder. Shared by the CPU reference paths
// and the CUDA kernels so both decode every dtype identically. Bytes are assembled by shifts:
// alignment-free on both sides, and compilers fuse them into single loads on x86.

#include "core/dtype.h"
#include "core/numeric/bf16.h"
#include "core/numeric/e8m0.h"
#include "core/numeric/f16.h"
#include "core/numeric/fp8_e4m3.h"
#include "core/numeric/fp8_e5m2.h"

namespace ckpt::numeric {

CKPT_HD inline std::uint16_t loadU16(const std::uint8_t* p)
{
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

CKPT_HD inline std::uint32_t loadU32(const std::uint8_t* p)
{
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

CKPT_HD inline std::uint64_t loadU64(const std::uint8_t* p)
{
    return static_cast<std::uint64_t>(loadU32(p)) | (static_cast<std::uint64_t>(loadU32(p + 4)) << 32);
}

CKPT_HD inline void storeU16(std::uint8_t* p, std::uint16_t v)
{
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}

CKPT_HD inline void storeU32(std::uint8_t* p, std::uint32_t v)
{
    storeU16(p, static_cast<std::uint16_t>(v));
    storeU16(p + 2, static_cast<std::uint16_t>(v >> 16));
}

CKPT_HD inline void storeU64(std::uint8_t* p, std::uint64_t v)
{
    storeU32(p, static_cast<std::uint32_t>(v));
    storeU32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

// Dtypes whose every value is exactly representable in f32 (all but F64).
CKPT_HD inline bool decodesToF32(DType dt)
{
    return dt == DType::F32 || dt == DType::BF16 || dt == DType::F16 || dt == DType::F8_E4M3 ||
           dt == DType::F8_E5M2 || dt == DType::F8_E8M0;
}

CKPT_HD inline bool decodesToF64(DType dt) { return decodesToF32(dt) || dt == DType::F64; }

// Element i of an array of `dt` (decodesToF32(dt) must hold). E8M0 uses the OCP rule.
CKPT_HD inline float loadF32(const std::uint8_t* base, DType dt, std::uint64_t i)
{
    switch (dt) {
    case DType::F32: return bitsToF32(loadU32(base + 4 * i));
    case DType::BF16: return bf16ToF32(loadU16(base + 2 * i));
    case DType::F16: return f16ToF32(loadU16(base + 2 * i));
    case DType::F8_E4M3: return e4m3ToF32(base[i]);
    case DType::F8_E5M2: return e5m2ToF32(base[i]);
    case DType::F8_E8M0: return e8m0ToF32(base[i]);
    default: return bitsToF32(0x7fc00000u);
    }
}

CKPT_HD inline double loadF64(const std::uint8_t* base, DType dt, std::uint64_t i)
{
    if (dt == DType::F64) return bitsToF64(loadU64(base + 8 * i));
    return static_cast<double>(loadF32(base, dt, i));  // widening f32 -> f64 is exact
}

// Narrowing f64 -> f32 done in integers (RNE, overflow to inf, NaN -> quiet NaN with sign), so
// the result does not depend on the FPU (CUDA's and x86's conversions agree anyway; this is
// only for explicitness where F64 is cast down).
CKPT_HD inline float f64ToF32(double d)
{
    const std::uint64_t u = f64ToBits(d);
    const std::uint32_t sign = static_cast<std::uint32_t>(u >> 32) & kF32SignMask;
    const std::uint64_t a = u & 0x7fffffffffffffffull;
    if (a > 0x7ff0000000000000ull) return bitsToF32(sign | 0x7fc00000u);
    if (a >= 0x47effffff0000000ull) return bitsToF32(sign | kF32InfBits);  // rounds past FLT_MAX
    const int e = static_cast<int>(a >> 52);
    if (e < 897) {  // below 2^-126: f32 subnormal steps of 2^-149
        if (e == 0) return bitsToF32(sign);
        const std::uint64_t mant = (a & 0xfffffffffffffull) | 0x10000000000000ull;
        // steps = mant * 2^(e - 1075 + 149)
        const int shift = 1075 - 149 - e;
        if (shift > 53) return bitsToF32(sign);
        const std::uint64_t q = mant >> shift;
        const std::uint64_t rem = mant & ((1ull << shift) - 1ull);
        const std::uint64_t half = 1ull << (shift - 1);
        const std::uint64_t r = q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
        return bitsToF32(sign | static_cast<std::uint32_t>(r));
    }
    const std::uint64_t r = a + 0xfffffffull + ((a >> 29) & 1u);
    return bitsToF32(sign | static_cast<std::uint32_t>((r >> 29) - (896ull << 23)));
}

// f64 -> f32 rounding to odd (truncate, then set the last bit if anything was cut). Narrowing
// that result once more with RNE to a format with at least 2 bits less precision (BF16, F16)
// equals rounding the f64 directly, so F64 -> BF16/F16 needs no separate codec.
CKPT_HD inline float f64ToF32RoundOdd(double d)
{
    const std::uint64_t u = f64ToBits(d);
    const std::uint32_t sign = static_cast<std::uint32_t>(u >> 32) & kF32SignMask;
    const std::uint64_t a = u & 0x7fffffffffffffffull;
    if (a > 0x7ff0000000000000ull) return bitsToF32(sign | 0x7fc00000u);
    if (a == 0x7ff0000000000000ull) return bitsToF32(sign | kF32InfBits);
    if (a >= 0x47f0000000000000ull) return bitsToF32(sign | 0x7f7fffffu);  // >= 2^128: odd max
    const int e = static_cast<int>(a >> 52);
    if (e < 897) {
        if (e == 0) return bitsToF32(sign | (a != 0 ? 1u : 0u));
        const std::uint64_t mant = (a & 0xfffffffffffffull) | 0x10000000000000ull;
        const int shift = 926 - e;
        if (shift > 60) return bitsToF32(sign | 1u);
        const std::uint64_t q = mant >> shift;
        const bool cut = (mant & ((1ull << shift) - 1ull)) != 0;
        return bitsToF32(sign | static_cast<std::uint32_t>(q | (cut ? 1u : 0u)));
    }
    const bool cut = (a & 0x1fffffffull) != 0;
    const std::uint32_t t = static_cast<std::uint32_t>((a >> 29) - (896ull << 23));
    return bitsToF32(sign | t | (cut ? 1u : 0u));
}

// Stores v as element i of `dt` (BF16, F16 or F32), rounding to nearest even.
CKPT_HD inline void storeFromF32(std::uint8_t* base, DType dt, std::uint64_t i, float v)
{
    switch (dt) {
    case DType::BF16: storeU16(base + 2 * i, f32ToBf16(v)); break;
    case DType::F16: storeU16(base + 2 * i, f32ToF16(v)); break;
    default: storeU32(base + 4 * i, f32ToBits(v)); break;
    }
}

} // namespace ckpt::numeric
