// The AVX2 FP4 packer's codes for BF16 groups of 32 (DeepSeek V4's experts), on the 16-bit codes
// themselves, for CPUs without AVX-512 (those take avx512_fp4_bf16.cpp). Why it is exact: with
// scale byte b a value x is multiplied by 2^(127 - b), exactly wherever the product y is normal,
// so y keeps x's 7 mantissa bits m and has the exponent E = e - b (e: x's exponent field). Its
// e2m1 code (round to nearest even on 0, 0.5, 1, 1.5, 2, 3, 4, 6, saturating at 6) is then a
// function of E and m only: y in [2^E, 2^(E + 1)) steps up once or twice at fixed mantissas, a
// tie going to the even code (table below). Every E <= -3 codes 0 (y < 0.25, or the tie 0.25),
// every E >= 3 codes 7, as does inf (e = 255) for b <= 252; zeros and subnormals code 0 for
// b >= 3 (y < 2^(1 - b) <= 0.25). NaN codes 0. Groups with other bytes (b < 3: amax below
// 6 x 2^-125; b = 253: amax above 6 x 2^125) take the f32 loop of avx2_quant.cpp.

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx2_codecs.h"

namespace ckpt::cpu::avx2 {

namespace {

// Indexed by the class E + 4 clamped to [1, 7]: the code at m = 0 and the two mantissas above
// which it steps up (127: never). Entry 0 is 0, so a lookup with the 16-bit class (high byte 0)
// leaves the high byte 0. E = -2: up past the tie 0.25 for m > 0; E = -1: to 1 from the tie 0.75
// (m = 64) on; E = 0 and 1: past the ties at m = 32 (down) and from m = 96 (up); E = 2: past 5.
alignas(16) constexpr std::uint8_t kBase[16] = {0, 0, 0, 1, 2, 4, 6, 7};
alignas(16) constexpr std::uint8_t kStep1[16] = {0, 127, 0, 63, 32, 32, 32, 127};
alignas(16) constexpr std::uint8_t kStep2[16] = {0, 127, 127, 127, 95, 95, 127, 127};

struct Tables {
    __m256i base, step1, step2;
};

CKPT_AVX2_INLINE __m256i both(const std::uint8_t* t)
{
    return _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(t)));
}

// Sixteen BF16 values -> sixteen e2m1 codes (sign in bit 3), one per 16-bit lane.
CKPT_AVX2_INLINE __m256i codes16(__m256i x, __m256i offset, const Tables& t)
{
    const __m256i a = _mm256_and_si256(x, _mm256_set1_epi16(0x7fff));
    const __m256i e = _mm256_sub_epi16(_mm256_srli_epi16(a, 7), offset);
    const __m256i cls = _mm256_min_epi16(_mm256_max_epi16(e, _mm256_set1_epi16(1)), _mm256_set1_epi16(7));
    const __m256i m = _mm256_and_si256(a, _mm256_set1_epi16(0x7f));
    __m256i c = _mm256_shuffle_epi8(t.base, cls);
    c = _mm256_sub_epi16(c, _mm256_cmpgt_epi16(m, _mm256_shuffle_epi8(t.step1, cls)));
    c = _mm256_sub_epi16(c, _mm256_cmpgt_epi16(m, _mm256_shuffle_epi8(t.step2, cls)));
    c = _mm256_or_si256(c, _mm256_and_si256(_mm256_srli_epi16(x, 12), _mm256_set1_epi16(0x8)));
    return _mm256_andnot_si256(_mm256_cmpgt_epi16(a, _mm256_set1_epi16(0x7f80)), c);  // NaN -> 0
}

// Codes (16-bit lanes, element order) of 32 values -> 16 bytes, the even element in the low nibble.
CKPT_AVX2_INLINE __m128i pack32(__m256i c0, __m256i c1)
{
    // Byte 0 of each 32-bit lane: even | odd << 4; gathered to bytes 0-3 (c0) and 4-7 (c1) of
    // each 128-bit half, then the halves' dwords put in element order.
    const __m256i pick0 = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                           0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i pick1 = _mm256_setr_epi8(-1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1,
                                           -1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i b = _mm256_or_si256(_mm256_shuffle_epi8(_mm256_or_si256(c0, _mm256_srli_epi32(c0, 12)), pick0),
                                      _mm256_shuffle_epi8(_mm256_or_si256(c1, _mm256_srli_epi32(c1, 12)), pick1));
    return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 3, 6, 7)));
}

} // namespace

CKPT_AVX2 bool fp4Groups32Bf16(const std::uint8_t* in, const std::uint8_t* bytes, std::uint64_t groups, std::uint8_t* out)
{
    for (std::uint64_t g = 0; g < groups; ++g)
        if (bytes[g] < 3 || bytes[g] > 252) return false;
    const Tables t{both(kBase), both(kStep1), both(kStep2)};
    for (std::uint64_t g = 0; g < groups; ++g) {
        const __m256i offset = _mm256_set1_epi16(static_cast<short>(bytes[g] - 4));
        const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 64 * g));
        const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 64 * g + 32));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * g), pack32(codes16(x0, offset, t), codes16(x1, offset, t)));
    }
    return true;
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
