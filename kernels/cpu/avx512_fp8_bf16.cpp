// The AVX-512 FP8 block encoder for BF16 inputs, by table. Why it is exact: for a BF16 x =
// 1.m x 2^(e - 127) and a normal scale s with exponent field E, x / s = 2^(e - E) (x_ref / s),
// x_ref = 1.m x 2^(E - 127), and x_ref / s lies in [0.5, 2). Rounding to f32 and then to e4m3
// both commute with the power of two wherever the result is an e4m3 normal (>= 2^-6: then the
// f32 quotient is normal too), and there the code is linear in the exponent: code(x) =
// code(x_ref) + 8 (e - E), with code(x_ref) in [0x30, 0x40] (the codes of 0.5 and 2). So one
// division per mantissa and block (128 per block) replaces one per element. Results below
// e4m3's normals, where the rounding step is absolute, and BF16 subnormals (no implicit 1) take
// the division; the formula saturates at 448 like the codec.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/quant_rules.h"
#include "kernels/cpu/avx512_quant_lanes.h"

namespace ckpt::cpu::avx512 {

namespace {

CKPT_AVX512_INLINE __m512i set8(int v) { return _mm512_set1_epi8(static_cast<char>(v)); }

// Sixty-four codes of BF16 values (128 bytes from `in`), in bytes: the table is indexed by the
// low byte's seven mantissa bits, and the exponent field e = (high byte << 1) | (low byte >> 7)
// enters as q = e - (E - 8), clamped to [0, 18], so code = t[m] + 8 (e - E) = t[m] + 8 q - 64
// stays within a byte (t[m] <= 0x40, 8 q <= 144). q = 0 (e <= E - 8) gives a code below 8,
// as it is (t[m] - 64 <= 0); q = 18 (e >= E + 10) gives one above 0x7e, which saturates. Zeros
// come out as code 0. `slow` gets the lanes the table cannot take: a code below 8 from a
// non-zero input (an e4m3 subnormal or zero, or a BF16 subnormal), and inf and NaN.
CKPT_AVX512_INLINE __m512i codesByTable(const std::uint8_t* in, __m512i table0, __m512i table1, __m512i eLow,
                                        __m512i qSpecial, __mmask64& slow)
{
    const __m512i v0 = _mm512_loadu_si512(in), v1 = _mm512_loadu_si512(in + 64);
    const __m512i even = _mm512_set_epi64(0x7e7c7a7876747270, 0x6e6c6a6866646260, 0x5e5c5a5856545250,
                                          0x4e4c4a4846444240, 0x3e3c3a3836343230, 0x2e2c2a2826242220,
                                          0x1e1c1a1816141210, 0x0e0c0a0806040200);
    const __m512i lo = _mm512_permutex2var_epi8(v0, even, v1);
    const __m512i hi = _mm512_permutex2var_epi8(v0, _mm512_add_epi8(even, set8(1)), v1);
    const __m512i t = _mm512_permutex2var_epi8(table0, lo, table1);  // t[lo & 0x7f]
    const __m512i e2 = _mm512_add_epi8(hi, hi);
    const __m512i e = _mm512_mask_add_epi8(e2, _mm512_movepi8_mask(lo), e2, set8(1));
    const __m512i q = _mm512_subs_epu8(e, eLow);
    const __m512i c = _mm512_subs_epu8(_mm512_add_epi8(t, _mm512_slli_epi16(_mm512_min_epu8(q, set8(18)), 3)), set8(64));
    const __m512i magnitude = _mm512_or_si512(e, lo);  // 0 for zeros only (e = 0: lo < 0x80)
    slow = _mm512_mask_cmplt_epu8_mask(_mm512_test_epi8_mask(magnitude, magnitude), c, set8(8)) |
           _mm512_cmpeq_epi8_mask(q, qSpecial);
    return _mm512_ternarylogic_epi32(_mm512_min_epu8(c, set8(0x7e)), hi, set8(0x80), 0xf8);  // | sign
}

template <bool Exact>
CKPT_AVX512_INLINE void encodeByTable(const std::uint8_t* in, const Fp8Bf16Table& t, float divisorOrReciprocal,
                                      std::uint8_t* out, std::uint64_t n)
{
    const __m512i table0 = _mm512_load_si512(t.code), table1 = _mm512_load_si512(t.code + 64);
    const int e = static_cast<int>(numeric::f32ToBits(t.scale) >> 23);
    const __m512i eLow = set8(e - 8), qSpecial = set8(255 - (e - 8));  // q of inf and NaN
    const __m512 s = _mm512_set1_ps(divisorOrReciprocal);
    std::uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __mmask64 slow;
        const __m512i c = codesByTable(in + 2 * i, table0, table1, eLow, qSpecial, slow);
        if (slow != 0) {  // rare in weights: values below amax / 28672, subnormals, inf, NaN
            fp8Encode64Bf16<Exact>(in + 2 * i, s, out + i);
            continue;
        }
        _mm512_storeu_si512(out + i, c);
    }
    if (i < n) fp8Encode(in + 2 * i, DType::BF16, t.scale, out + i, n - i);
}

} // namespace

CKPT_AVX512 void fp8Bf16Table(float scale, Fp8Bf16Table& t)
{
    t.scale = scale;
    t.lookup = avx2::fp8ByteTableTakes(scale);
    if (!t.lookup) return;
    const std::uint32_t e = numeric::f32ToBits(scale) >> 23;
    const __m512 s = _mm512_set1_ps(scale);
    for (int k = 0; k < 128; k += 16) {
        const __m512i m = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), splat(k));
        const __m512 ref = _mm512_castsi512_ps(_mm512_or_si512(splat(e << 23), _mm512_slli_epi32(m, 16)));
        _mm_store_si128(reinterpret_cast<__m128i*>(t.code + k), _mm512_cvtepi32_epi8(toE4m3(_mm512_div_ps(ref, s))));
    }
}

CKPT_AVX512 void fp8EncodeBf16(const std::uint8_t* in, const Fp8Bf16Table& t, std::uint8_t* out, std::uint64_t n)
{
    if (!t.lookup) return fp8Encode(in, DType::BF16, t.scale, out, n);
    const float r = numeric::exactReciprocal(t.scale);
    if (r != 0.0f) encodeByTable<true>(in, t, r, out, n);
    else encodeByTable<false>(in, t, t.scale, out, n);
}

CKPT_AVX512 void fp8EncodeBf16Row(const std::uint8_t* in, const Fp8Bf16Table* tables, std::uint64_t blockCols,
                                  std::uint64_t n, std::uint8_t* out, BlockPrefetch& next)
{
    for (std::uint64_t c = 0; c < n; c += blockCols, ++tables) {
        next.step();
        fp8EncodeBf16(in + 2 * c, *tables, out + c, n - c < blockCols ? n - c : blockCols);
    }
}

CKPT_AVX512 void fp8AbsMaxBf16Row(const std::uint8_t* in, std::uint64_t blockCols, std::uint64_t n,
                                  std::uint16_t* lanes)
{
    const __m512i absMask = _mm512_set1_epi16(0x7fff), maxFinite = _mm512_set1_epi16(0x7f7f);
    for (std::uint64_t c = 0; c < n; c += blockCols, lanes += 32) {
        const std::uint64_t end = n - c < blockCols ? n : c + blockCols;
        __m512i v = _mm512_loadu_si512(lanes);
        for (std::uint64_t i = c; i < end; i += 32) {
            const __mmask32 m = end - i >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << (end - i)) - 1);
            const __m512i a = _mm512_and_si512(_mm512_maskz_loadu_epi16(m, in + 2 * i), absMask);
            v = _mm512_mask_max_epu16(v, _mm512_cmple_epu16_mask(a, maxFinite), v, a);
        }
        _mm512_storeu_si512(lanes, v);
    }
}

CKPT_AVX512 std::uint32_t fp8AbsMaxBf16Lanes(const std::uint16_t* lanes)
{
    const __m512i v = _mm512_loadu_si512(lanes);
    const __m512i wide = _mm512_max_epu32(_mm512_and_si512(v, _mm512_set1_epi32(0xffff)), _mm512_srli_epi32(v, 16));
    return _mm512_reduce_max_epu32(wide) << 16;
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
