// The AVX2 FP8 block encoder for BF16 inputs (CPUs without AVX-512), the byte arithmetic of
// avx512_fp8_bf16.cpp (which says why code = t[m] + 8 (e - E) is exact for a normal scale of
// exponent field E) with the 128-entry table t[m] taken apart for vpshufb's 16 entries: t is
// non-decreasing in the mantissa m and 8 consecutive BF16 mantissas span less than one e4m3
// step, so within bucket m >> 3 it rises at most once: t[m] = base[m >> 3] + (m & 7 >= rise[m >> 3]).
// fp8Bf16Buckets checks that against the divided table and leaves a block whose table does not
// split so (or whose scale is off the byte arithmetic's range) to the division.

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "kernels/cpu/avx2_codecs.h"

namespace ckpt::cpu::avx2 {

namespace {

CKPT_AVX2_INLINE __m256i set8(int v) { return _mm256_set1_epi8(static_cast<char>(v)); }

// Thirty-two codes from 64 bytes of BF16; `slow`: whether a lane needs the division (a code
// below 8 from a non-zero input, a BF16 subnormal, inf or NaN).
CKPT_AVX2_INLINE __m256i codesByBuckets(const std::uint8_t* in, __m256i base, __m256i rise, __m256i eLow, __m256i qSpecial,
                                        bool& slow)
{
    const __m256i split = _mm256_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15,
                                           0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    const __m256i v0 = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in)), split);
    const __m256i v1 = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 32)), split);
    const __m256i lo = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(v0, v1), 0xd8);
    const __m256i hi = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(v0, v1), 0xd8);
    const __m256i bucket = _mm256_and_si256(_mm256_srli_epi16(lo, 3), set8(0x0f));
    const __m256i step = _mm256_cmpgt_epi8(_mm256_and_si256(lo, set8(7)), _mm256_shuffle_epi8(rise, bucket));  // m & 7 > rise - 1
    const __m256i tm = _mm256_sub_epi8(_mm256_shuffle_epi8(base, bucket), step);
    const __m256i e = _mm256_sub_epi8(_mm256_add_epi8(hi, hi), _mm256_cmpgt_epi8(_mm256_setzero_si256(), lo));
    const __m256i q = _mm256_subs_epu8(e, eLow);
    const __m256i c = _mm256_subs_epu8(_mm256_add_epi8(tm, _mm256_slli_epi16(_mm256_min_epu8(q, set8(18)), 3)), set8(64));
    const __m256i zero = _mm256_cmpeq_epi8(_mm256_or_si256(e, lo), _mm256_setzero_si256());
    const __m256i small = _mm256_andnot_si256(zero, _mm256_cmpeq_epi8(_mm256_min_epu8(c, set8(7)), c));
    slow = _mm256_movemask_epi8(_mm256_or_si256(small, _mm256_cmpeq_epi8(q, qSpecial))) != 0;
    return _mm256_or_si256(_mm256_min_epu8(c, set8(0x7e)), _mm256_and_si256(hi, set8(0x80)));
}

} // namespace

CKPT_AVX2 void fp8Bf16Buckets(float scale, Fp8Bf16Buckets& t)
{
    t.scale = scale;
    t.lookup = fp8ByteTableTakes(scale);
    if (!t.lookup) return;
    const std::uint32_t e = numeric::f32ToBits(scale) >> 23;
    alignas(32) std::int32_t code[128];
    const __m256 s = _mm256_set1_ps(scale);
    for (int k = 0; k < 128; k += 8) {
        const __m256i m = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(k));
        const __m256 ref = _mm256_castsi256_ps(_mm256_or_si256(_mm256_set1_epi32(static_cast<int>(e << 23)), _mm256_slli_epi32(m, 16)));
        _mm256_store_si256(reinterpret_cast<__m256i*>(code + k), f32ToE4m3Fast(_mm256_div_ps(ref, s)));
    }
    for (unsigned b = 0; b < 16; ++b) {
        const std::int32_t* c = code + 8 * b;
        unsigned r = 8;
        for (unsigned k = 1; k < 8 && r == 8; ++k) r = c[k] != c[0] ? k : 8;
        for (unsigned k = 0; k < 8; ++k)
            if (c[k] != c[0] + (k >= r ? 1 : 0)) t.lookup = false;
        t.base[b] = t.base[b + 16] = static_cast<std::uint8_t>(c[0]);
        t.rise[b] = t.rise[b + 16] = static_cast<std::uint8_t>(r - 1);  // compared as m & 7 > rise
    }
}

CKPT_AVX2 void fp8EncodeBf16(const std::uint8_t* in, const Fp8Bf16Buckets& t, std::uint8_t* out, std::uint64_t n)
{
    if (!t.lookup) return fp8Encode(in, DType::BF16, t.scale, out, n);
    const __m256i base = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.base));
    const __m256i rise = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.rise));
    const int e = static_cast<int>(numeric::f32ToBits(t.scale) >> 23);
    const __m256i eLow = set8(e - 8), qSpecial = set8(255 - (e - 8));  // q of inf and NaN
    std::uint64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        bool slow;
        const __m256i c = codesByBuckets(in + 2 * i, base, rise, eLow, qSpecial, slow);
        if (slow) fp8Encode(in + 2 * i, DType::BF16, t.scale, out + i, 32);  // rare in weights
        else _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), c);
    }
    if (i < n) fp8Encode(in + 2 * i, DType::BF16, t.scale, out + i, n - i);
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
