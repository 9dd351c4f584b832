// The AVX-512 FP8 block encoder for BF16 inputs, by table. Why it is exact: for a BF16 x =
// 1.m x 2^(e - 127) and a normal scale s with exponent field E, x / s = 2^(e - E) (x_ref / s),
// x_ref = 1.m x 2^(E - 127), and x_ref / s lies in [0.5, 2). Rounding to f32 and then to e4m3
// both commute with the power of two wherever the result is an e4m3 normal (>= 2^-6: then the
// f32 quotient is normal too), and there the code is linear in the exponent: code(x) =
// code(x_ref) + 8 (e - E). So one division per mantissa and block (128 per block) replaces one
// per element. Results below e4m3's normals, where the rounding step is absolute, and BF16
// subnormals (no implicit 1) take the division; the formula saturates at 448 like the codec.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_quant_lanes.h"

namespace ckpt::cpu::avx512 {

namespace {

CKPT_AVX512_INLINE __m512i set16(int v) { return _mm512_set1_epi16(static_cast<short>(v)); }

// Thirty-two codes of BF16 values (in 16-bit lanes, one code in the low byte of each) and the
// lanes the table cannot take (finite, non-zero, and subnormal in BF16 or in e4m3).
CKPT_AVX512_INLINE __m512i codesByTable(__m512i v, const __m512i* table, __mmask32& slow)
{
    const __m512i a = _mm512_and_si512(v, set16(0x7fff));
    const __m512i lo = _mm512_permutex2var_epi16(table[0], a, table[1]);  // entry a & 63
    const __m512i hi = _mm512_permutex2var_epi16(table[2], a, table[3]);  // entry 64 + (a & 63)
    const __m512i ref = _mm512_mask_blend_epi16(_mm512_test_epi16_mask(a, set16(0x40)), lo, hi);
    const __m512i code = _mm512_add_epi16(_mm512_and_si512(_mm512_srli_epi16(a, 4), set16(0x7f8)), ref);  // + 8 e
    const __mmask32 finite = _mm512_cmplt_epu16_mask(a, set16(0x7f80));
    const __mmask32 onTable = _mm512_cmpge_epu16_mask(a, set16(0x80)) & _mm512_cmpge_epi16_mask(code, set16(8)) & finite;
    __m512i c = _mm512_maskz_mov_epi16(onTable, _mm512_min_epi16(code, set16(0x7e)));
    c = _mm512_mask_mov_epi16(c, static_cast<__mmask32>(~finite), set16(0x7f));     // NaN
    c = _mm512_mask_mov_epi16(c, _mm512_cmpeq_epi16_mask(a, set16(0x7f80)), set16(0x7e));  // inf saturates
    slow = static_cast<__mmask32>(~onTable) & finite & _mm512_test_epi16_mask(a, a);
    return _mm512_ternarylogic_epi32(c, _mm512_srli_epi16(v, 8), set16(0x80), 0xf8);  // | sign
}

template <bool Exact>
CKPT_AVX512_INLINE void encodeByTable(const std::uint8_t* in, const Fp8Bf16Table& t, float divisorOrReciprocal,
                                      std::uint8_t* out, std::uint64_t n)
{
    const __m512i table[4] = {_mm512_load_si512(t.code), _mm512_load_si512(t.code + 32),
                              _mm512_load_si512(t.code + 64), _mm512_load_si512(t.code + 96)};
    const __m512 s = _mm512_set1_ps(divisorOrReciprocal);
    std::uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __mmask32 slow0, slow1;
        const __m512i c0 = codesByTable(_mm512_loadu_si512(in + 2 * i), table, slow0);
        const __m512i c1 = codesByTable(_mm512_loadu_si512(in + 2 * i + 64), table, slow1);
        if ((slow0 | slow1) != 0) {  // rare in weights: values below amax / 28672, subnormals
            fp8Encode64Bf16<Exact>(in + 2 * i, s, out + i);
            continue;
        }
        // Per 128-bit lane the pack puts c0's eight codes, then c1's (as fp8Encode64Bf16).
        const __m512i b = _mm512_packus_epi16(c0, c1);
        _mm512_storeu_si512(out + i, _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), b));
    }
    if (i < n) fp8Encode(in + 2 * i, DType::BF16, t.scale, out + i, n - i);
}

} // namespace

CKPT_AVX512 void fp8Bf16Table(float scale, Fp8Bf16Table& t)
{
    t.scale = scale;
    const std::uint32_t e = numeric::f32ToBits(scale) >> 23;  // scale > 0
    t.lookup = e >= 1 && e <= 254;
    if (!t.lookup) return;
    const __m512 s = _mm512_set1_ps(scale);
    for (int k = 0; k < 128; k += 16) {
        const __m512i m = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), splat(k));
        const __m512 ref = _mm512_castsi512_ps(_mm512_or_si512(splat(e << 23), _mm512_slli_epi32(m, 16)));
        const __m512i code = _mm512_sub_epi32(toE4m3(_mm512_div_ps(ref, s)), splat(8 * e));
        _mm256_store_si256(reinterpret_cast<__m256i*>(t.code + k), _mm512_cvtepi32_epi16(code));
    }
}

CKPT_AVX512 void fp8EncodeBf16(const std::uint8_t* in, const Fp8Bf16Table& t, std::uint8_t* out, std::uint64_t n)
{
    if (!t.lookup) return fp8Encode(in, DType::BF16, t.scale, out, n);
    const float r = exactReciprocal(t.scale);
    if (r != 0.0f) encodeByTable<true>(in, t, r, out, n);
    else encodeByTable<false>(in, t, t.scale, out, n);
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
