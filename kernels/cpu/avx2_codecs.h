#pragma once
// Eight-lane AVX2 forms of the core/numeric codecs, for the hand-written hot loops in
// kernels/cpu/avx2_*.cpp. Each helper is the same integer / exact-float arithmetic as its scalar
// codec (same selects, same rounding adds), so the results are the same bits; tst_cpu_kernels,
// tst_cpu_quant and tst_cpu_reduce compare them exhaustively against the scalar references.
// Only included by files compiled for x86-64 with GCC or Clang; the functions carry
// target("avx2") and are only called after avx2::available() said yes.

#include "core/dtype.h"

#include <immintrin.h>

#include <cstdint>

// FMA comes with every AVX2 CPU (avx2::available() checks both); the build's -ffp-contract=off
// keeps it to the explicit _mm256_fmadd_* calls.
#define CKPT_AVX2 __attribute__((target("avx2,fma")))
#define CKPT_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) inline

namespace ckpt::cpu::avx2 {

CKPT_AVX2_INLINE __m256i splat(std::uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }

// a > b for values below 2^31 (every operand here is an absolute value or a small count).
CKPT_AVX2_INLINE __m256i gt(__m256i a, __m256i b) { return _mm256_cmpgt_epi32(a, b); }

CKPT_AVX2_INLINE __m256i select(__m256i mask, __m256i ifTrue, __m256i ifFalse)
{
    return _mm256_blendv_epi8(ifFalse, ifTrue, mask);
}

// shiftRightRne for 1 <= shift; shifts above 31 are clamped to 31, which still gives 0 for the
// 24-bit mantissas passed here (as the scalar "shift > 25 -> 0" rule does).
CKPT_AVX2_INLINE __m256i shiftRightRne(__m256i v, __m256i shift)
{
    shift = _mm256_min_epi32(shift, splat(31));
    const __m256i one = splat(1);
    const __m256i q = _mm256_srlv_epi32(v, shift);
    const __m256i rem = _mm256_and_si256(v, _mm256_sub_epi32(_mm256_sllv_epi32(one, shift), one));
    const __m256i half = _mm256_sllv_epi32(one, _mm256_sub_epi32(shift, one));
    const __m256i tie = _mm256_and_si256(_mm256_cmpeq_epi32(rem, half), _mm256_cmpeq_epi32(_mm256_and_si256(q, one), one));
    const __m256i up = _mm256_or_si256(gt(rem, half), tie);
    return _mm256_sub_epi32(q, up);  // up is 0 or -1
}

// f32AbsToSubnormalSteps(absBits, minSubnormalExp) for absBits below the target's normal range.
CKPT_AVX2_INLINE __m256i subnormalSteps(__m256i absBits, int minSubnormalExp)
{
    const __m256i e = _mm256_srli_epi32(absBits, 23);
    const __m256i mant = _mm256_or_si256(_mm256_and_si256(absBits, splat(0x7fffffu)), splat(0x800000u));
    const __m256i shift = _mm256_sub_epi32(splat(static_cast<std::uint32_t>(150 + minSubnormalExp)), e);
    const __m256i steps = shiftRightRne(mant, shift);
    return _mm256_andnot_si256(_mm256_cmpeq_epi32(e, _mm256_setzero_si256()), steps);  // f32 subnormal: 0
}

// e4m3ToF32 of eight codes (one per 32-bit lane), the integer form of e4m3ToF32BitsSelect:
// normal codes rebias the exponent by an add, subnormal m * 2^-9 is the exact float m with its
// exponent lowered by 9. (The shorter "bits << 20, times 2^120" multiplies f32 subnormals, which
// costs a microcode assist per vector on x86: measured 3x slower on random codes.)
CKPT_AVX2_INLINE __m256 e4m3ToF32(__m256i codes)
{
    const __m256i em = _mm256_and_si256(codes, splat(0x7fu));
    const __m256i sign = _mm256_slli_epi32(_mm256_and_si256(codes, splat(0x80u)), 24);
    const __m256i normal = _mm256_add_epi32(_mm256_slli_epi32(em, 20), splat(120u << 23));
    const __m256i mf = _mm256_castps_si256(_mm256_cvtepi32_ps(em));
    const __m256i sub = _mm256_andnot_si256(_mm256_cmpeq_epi32(em, _mm256_setzero_si256()), _mm256_sub_epi32(mf, splat(9u << 23)));
    __m256i bits = select(gt(splat(8u), em), sub, normal);
    bits = select(_mm256_cmpeq_epi32(em, splat(0x7fu)), splat(0x7fc00000u), bits);
    return _mm256_castsi256_ps(_mm256_or_si256(bits, sign));
}

// f32BitsToBf16, one result per 32-bit lane.
CKPT_AVX2_INLINE __m256i f32ToBf16(__m256 v)
{
    const __m256i u = _mm256_castps_si256(v);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), splat(1));
    const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(u, splat(0x7fffu)), lsb), 16);
    const __m256i nanBits = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(u, 16), splat(0x8000u)), splat(0x7fc0u));
    const __m256i isNan = gt(_mm256_and_si256(u, splat(0x7fffffffu)), splat(0x7f800000u));
    return select(isNan, nanBits, rounded);
}

// f32BitsToF16, one result per 32-bit lane.
CKPT_AVX2_INLINE __m256i f32ToF16(__m256 v)
{
    const __m256i u = _mm256_castps_si256(v);
    const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 16), splat(0x8000u));
    const __m256i a = _mm256_and_si256(u, splat(0x7fffffffu));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(a, 13), splat(1));
    const __m256i r = _mm256_add_epi32(_mm256_add_epi32(a, splat(0xfffu)), lsb);
    __m256i h = _mm256_sub_epi32(_mm256_srli_epi32(r, 13), splat(112u << 10));
    h = select(gt(splat(0x38800000u), a), subnormalSteps(a, -24), h);
    h = select(gt(a, splat(0x477fffffu)), splat(0x7c00u), h);
    h = select(gt(a, splat(0x7f800000u)), splat(0x7e00u), h);
    return _mm256_or_si256(h, sign);
}

// f32BitsToE4m3 (RNE, saturate to 448, NaN -> 0x7F with sign), one code per 32-bit lane.
CKPT_AVX2_INLINE __m256i f32ToE4m3(__m256 v)
{
    const __m256i u = _mm256_castps_si256(v);
    const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 24), splat(0x80u));
    const __m256i a = _mm256_and_si256(u, splat(0x7fffffffu));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(a, 20), splat(1));
    const __m256i r = _mm256_add_epi32(_mm256_add_epi32(a, splat(0x7ffffu)), lsb);
    __m256i c = _mm256_sub_epi32(_mm256_srli_epi32(r, 20), splat(120u << 3));
    c = select(gt(splat(0x3c800000u), a), subnormalSteps(a, -9), c);
    c = select(gt(a, splat(0x43dfffffu)), splat(0x7eu), c);
    c = select(gt(a, splat(0x7f800000u)), splat(0x7fu), c);
    return _mm256_or_si256(c, sign);
}

// f32ToE4m3 with a shortcut: when all eight values are in e4m3's normal range [2^-6, 448) (the
// common case for scaled weights) only the rebias-and-round line of the codec applies; any
// other lane takes the full select chain. Same codes either way.
CKPT_AVX2_INLINE __m256i f32ToE4m3Fast(__m256 v)
{
    const __m256i u = _mm256_castps_si256(v);
    const __m256i a = _mm256_and_si256(u, splat(0x7fffffffu));
    const __m256i special = _mm256_or_si256(gt(splat(0x3c800000u), a), gt(a, splat(0x43dfffffu)));
    if (!_mm256_testz_si256(special, special)) return f32ToE4m3(v);
    const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 24), splat(0x80u));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(a, 20), splat(1));
    const __m256i r = _mm256_add_epi32(_mm256_add_epi32(a, splat(0x7ffffu)), lsb);
    return _mm256_or_si256(_mm256_sub_epi32(_mm256_srli_epi32(r, 20), splat(120u << 3)), sign);
}

// f32BitsToE2m1 (RNE on the e2m1 grid, saturate to 6, NaN -> code 0), one code per 32-bit lane.
// Below 1 (e2m1's subnormal 0.5 and the round up to 1) one float add rounds: in |y| + 2^22 the
// last mantissa bit is worth 0.5, so the adder's round-to-nearest-even is the codec's and the
// low bits are the steps (as avx512_quant.cpp's toE2m1; subnormalSteps took 3x the ops).
CKPT_AVX2_INLINE __m256i f32ToE2m1(__m256 v)
{
    const __m256i u = _mm256_castps_si256(v);
    const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 28), splat(0x8u));
    const __m256i a = _mm256_and_si256(u, splat(0x7fffffffu));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(a, 22), splat(1));
    const __m256i r = _mm256_add_epi32(_mm256_add_epi32(a, splat(0x1fffffu)), lsb);
    __m256i c = _mm256_sub_epi32(_mm256_srli_epi32(r, 22), splat(126u << 1));
    const __m256 shifted = _mm256_add_ps(_mm256_castsi256_ps(a), _mm256_set1_ps(0x1p22f));
    c = select(gt(splat(0x3f800000u), a), _mm256_sub_epi32(_mm256_castps_si256(shifted), splat(0x4a800000u)), c);
    c = select(gt(a, splat(0x40bfffffu)), splat(0x7u), c);
    return _mm256_andnot_si256(gt(a, splat(0x7f800000u)), _mm256_or_si256(c, sign));
}

// Eight e2m1 codes (one per 32-bit lane, element order) -> four packed bytes, low nibble first.
CKPT_AVX2_INLINE std::uint32_t packNibbles(__m256i c)
{
    const __m256i pairs = _mm256_or_si256(c, _mm256_srli_epi64(c, 28));  // byte 0 of each qword
    const __m256i b = _mm256_shuffle_epi8(pairs, _mm256_setr_epi8(0, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                                  -1, -1, 0, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const __m128i packed = _mm_or_si128(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    return static_cast<std::uint32_t>(_mm_cvtsi128_si32(packed));
}

// bf16ToF32 of sixteen values at p: elements 0-7 and 8-15.
CKPT_AVX2_INLINE void bf16x16ToF32(const std::uint8_t* p, __m256& lo, __m256& hi)
{
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    lo = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm256_castsi256_si128(h)), 16));
    hi = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm256_extracti128_si256(h, 1)), 16));
}

// f16ToF32 of eight values (one per 32-bit lane, zero-extended): NaN payloads kept as the
// scalar codec does, subnormals as the exact product m * 2^-24.
CKPT_AVX2_INLINE __m256 f16ToF32(__m256i h)
{
    const __m256i sign = _mm256_slli_epi32(_mm256_and_si256(h, splat(0x8000u)), 16);
    const __m256i e = _mm256_and_si256(_mm256_srli_epi32(h, 10), splat(0x1fu));
    const __m256i m = _mm256_and_si256(h, splat(0x3ffu));
    const __m256i normal = _mm256_or_si256(_mm256_slli_epi32(_mm256_add_epi32(e, splat(112u)), 23), _mm256_slli_epi32(m, 13));
    const __m256i special = _mm256_or_si256(splat(0x7f800000u), _mm256_slli_epi32(m, 13));
    const __m256i sub = _mm256_castps_si256(_mm256_mul_ps(_mm256_cvtepi32_ps(m), _mm256_set1_ps(0x1p-24f)));
    __m256i bits = select(_mm256_cmpeq_epi32(e, splat(0x1fu)), special, normal);
    bits = select(_mm256_cmpeq_epi32(e, _mm256_setzero_si256()), sub, bits);
    return _mm256_castsi256_ps(_mm256_or_si256(bits, sign));
}

// Eight BF16 / F16 / F32 values from p (element 0 at p) as f32; exact (F16 by f16ToF32).
template <DType Dt>
CKPT_AVX2_INLINE __m256 loadEight(const std::uint8_t* p)
{
    if constexpr (Dt == DType::F32) {
        return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
    } else {
        const __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        if constexpr (Dt == DType::BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
        else return f16ToF32(h);
    }
}

// Sixteen 32-bit lanes holding 16-bit values -> sixteen u16 in element order.
CKPT_AVX2_INLINE __m256i packU16(__m256i lo, __m256i hi)
{
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), 0xd8);
}

// Thirty-two 32-bit lanes holding byte values -> thirty-two bytes in element order.
CKPT_AVX2_INLINE __m256i packU8(__m256i c0, __m256i c1, __m256i c2, __m256i c3)
{
    const __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(c0, c1), _mm256_packus_epi32(c2, c3));
    return _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

} // namespace ckpt::cpu::avx2
