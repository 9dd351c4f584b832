#pragma once
// Lane helpers shared by the AVX-512 quantizers (avx512_quant.cpp, avx512_fp4_bf16.cpp), for
// files compiled under CKPT_CPU_AVX2 only.

#include "kernels/cpu/avx512_target.h"

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

// Sixteen BF16 FP4 groups of 32 from `in` (1 KiB): sixteen scale bytes, 256 packed bytes.
void fp4Groups16x32Bf16(const std::uint8_t* in, std::uint8_t* out, std::uint8_t* scales);

} // namespace ckpt::cpu::avx512
