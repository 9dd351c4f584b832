#pragma once
// Lane helpers shared by the AVX-512 quantizers (avx512_quant.cpp, avx512_fp4_bf16.cpp), for
// files compiled under CKPT_CPU_AVX2 only.

#include "kernels/cpu/avx512_target.h"

#include "core/numeric/element_io.h"

#include <cstdint>

namespace ckpt::cpu::avx512 {

CKPT_AVX512_INLINE __m512i splat(std::uint32_t v) { return _mm512_set1_epi32(static_cast<int>(v)); }

CKPT_AVX512_INLINE __mmask16 firstLanes(std::uint64_t n) { return n >= 16 ? 0xffff : static_cast<__mmask16>((1u << n) - 1); }

// numeric::fp4GroupScale of sixteen amaxes (finite, >= 0) at once: the smallest 2^k >= amax / 6
// as byte k + 127 clamped to [1, 254], 127 where amax / 6 is 0. One division for sixteen groups.
CKPT_AVX512_INLINE __m512i fp4GroupScales(__m512i amaxBits)
{
    const __m512 s = _mm512_div_ps(_mm512_castsi512_ps(amaxBits), _mm512_set1_ps(6.0f));
    const __m512i u = _mm512_castps_si512(s);
    const __mmask16 inexact = _mm512_test_epi32_mask(u, splat(0x7fffffu));
    const __m512i k = _mm512_mask_add_epi32(_mm512_srli_epi32(u, 23), inexact, _mm512_srli_epi32(u, 23), splat(1));
    const __m512i b = _mm512_min_epu32(_mm512_max_epu32(k, splat(1)), splat(254));
    return _mm512_mask_mov_epi32(splat(127), _mm512_cmp_ps_mask(s, _mm512_setzero_ps(), _CMP_GT_OQ), b);
}

// f32BitsToE4m3 (RNE, saturate to 448, NaN -> 0x7F with sign), one code per 32-bit lane. The
// rounding add also moves the exponent from f32's bias to e4m3's (a - (120 << 23)); below e4m3's
// normals that wraps to a huge code, which the subnormal rule then replaces, as it does the
// codes the unsigned minimum saturates (448 and above, inf).
CKPT_AVX512_INLINE __m512i toE4m3(__m512 y)
{
    const __m512i u = _mm512_castps_si512(y);
    const __m512i a = _mm512_and_si512(u, splat(0x7fffffffu));
    const __mmask16 odd = _mm512_test_epi32_mask(a, splat(1u << 20));
    const __m512i r = _mm512_add_epi32(a, splat(0x7ffffu - (120u << 23)));
    __m512i c = _mm512_min_epu32(_mm512_srli_epi32(_mm512_mask_add_epi32(r, odd, r, splat(1)), 20), splat(0x7eu));
    const __m512 shifted = _mm512_add_ps(_mm512_castsi512_ps(a), _mm512_set1_ps(0x1p14f));
    c = _mm512_mask_sub_epi32(c, _mm512_cmplt_epu32_mask(a, splat(0x3c800000u)), _mm512_castps_si512(shifted),
                              splat(0x46800000u));  // the bits of 2^14
    c = _mm512_mask_mov_epi32(c, _mm512_cmpgt_epu32_mask(a, splat(0x7f800000u)), splat(0x7fu));
    return _mm512_ternarylogic_epi32(c, _mm512_srli_epi32(u, 24), splat(0x80u), 0xf8);  // c | (u >> 24 & 0x80)
}

// y = x / s, by a multiplication with the exact reciprocal when Exact (avx512_quant.cpp says why
// that is exact).
template <bool Exact>
CKPT_AVX512_INLINE __m512 scaled(__m512 x, __m512 s)
{
    if constexpr (Exact) return _mm512_mul_ps(x, s);
    else return _mm512_div_ps(x, s);
}

// Sixty-four BF16 inputs at a time, widened by unpacking with zero: each 128-bit lane then holds
// its own elements, and the saturating packs back to bytes keep them there, so one qword
// permutation puts the 64 codes in order (qword 2q of the packed bytes is elements 8q.., qword
// 2q + 1 elements 32 + 8q..).
template <bool Exact>
CKPT_AVX512_INLINE void fp8Encode64Bf16(const std::uint8_t* in, __m512 s, std::uint8_t* out)
{
    const __m512i zero = _mm512_setzero_si512();
    const __m512i v0 = _mm512_loadu_si512(in), v1 = _mm512_loadu_si512(in + 64);
    const __m512i c0 = toE4m3(scaled<Exact>(_mm512_castsi512_ps(_mm512_unpacklo_epi16(zero, v0)), s));
    const __m512i c1 = toE4m3(scaled<Exact>(_mm512_castsi512_ps(_mm512_unpackhi_epi16(zero, v0)), s));
    const __m512i c2 = toE4m3(scaled<Exact>(_mm512_castsi512_ps(_mm512_unpacklo_epi16(zero, v1)), s));
    const __m512i c3 = toE4m3(scaled<Exact>(_mm512_castsi512_ps(_mm512_unpackhi_epi16(zero, v1)), s));
    const __m512i b = _mm512_packus_epi16(_mm512_packus_epi32(c0, c1), _mm512_packus_epi32(c2, c3));
    _mm512_storeu_si512(out, _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), b));
}

// Sixteen BF16 FP4 groups of 32 from `in` (1 KiB): sixteen scale bytes, 256 packed bytes.
void fp4Groups16x32Bf16(const std::uint8_t* in, std::uint8_t* out, std::uint8_t* scales);

} // namespace ckpt::cpu::avx512
