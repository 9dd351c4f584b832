// The AVX-512 FP4 packer of BF16 groups of 32 (DeepSeek V4's experts), on the 16-bit codes
// themselves: the amax of sixteen groups reduced together, and each code found by its place
// among the e2m1 midpoints scaled to the group, with no widening to f32. Same codes and scale
// bytes as the scalar codec (core/numeric/fp4_e2m1.h): tst_cpu_quant checks every BF16 code at
// every scale byte.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_quant_lanes.h"

namespace ckpt::cpu::avx512 {

namespace {

// The e2m1 midpoints, each with the side its tie rounds to (to the even code): a code is the
// number of midpoints below y, where "below" is y > m for a tie to the lower code, y >= m for a
// tie to the upper one.
constexpr float kE2m1Midpoints[7] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
constexpr bool kE2m1TieUp[7] = {false, true, false, true, false, true, false};

// The midpoints as BF16 bits less 0x3E00 (0.125), over 16: each is the first of a bucket of 16
// BF16 values (they have at most 3 significant bits), so the code of y >= 0.125 is a function of
// its bucket (y - 0.125 in BF16 bits, over 16; 0 below, at most 63) and of whether y is the
// bucket's first value (a tie, where the side matters). Table entries 0-63: y inside bucket k;
// 64-127: y first in bucket k (k <= 44 is reached: |y| <= 6).
constexpr int kE2m1MidpointBucket[7] = {8, 20, 26, 30, 34, 38, 42};

struct E2m1BucketTable {
    std::uint8_t code[128];
};

constexpr E2m1BucketTable e2m1BucketTable()
{
    E2m1BucketTable t{};
    for (int k = 0; k < 64; ++k)
        for (int i = 0; i < 7; ++i) {
            t.code[k] += kE2m1MidpointBucket[i] <= k;
            t.code[64 + k] += kE2m1MidpointBucket[i] < k || (kE2m1MidpointBucket[i] == k && kE2m1TieUp[i]);
        }
    return t;
}

constexpr E2m1BucketTable kE2m1Buckets = e2m1BucketTable();

// |x| bits -> e2m1 magnitude code (NaN and inf left to the caller) by comparing with the seven
// midpoints times the group's scale, as BF16 bits (threshold[i][g], see fp4Groups16x32Bf16).
CKPT_AVX512_INLINE __m512i e2m1ByThresholds(__m512i a, const std::uint32_t (*threshold)[16], int g)
{
    __m512i c = _mm512_setzero_si512();
    for (int i = 0; i < 7; ++i) {
        const __m512i t = _mm512_set1_epi16(static_cast<short>(threshold[i][g]));
        const __mmask32 above = kE2m1TieUp[i] ? _mm512_cmpge_epu16_mask(a, t) : _mm512_cmpgt_epu16_mask(a, t);
        c = _mm512_mask_add_epi16(c, above, c, _mm512_set1_epi16(1));
    }
    return c;
}

// The same by one table lookup, for scale bytes b >= 3: y = x * 2^(127 - b) is then, as BF16
// bits, |x| - 128 (b - 127) wherever x is normal and y >= 2^-126, so y - 0.125 in bits is the
// saturating |x| - (128 b - 384) (0 where y < 0.125, and for every subnormal x, whose y is below
// 2^(1 - b) <= 0.25). Scale bytes 1 and 2 take e2m1ByThresholds: there a subnormal x can reach a
// code above 0. Inf lanes get a meaningless code, which the caller replaces.
CKPT_AVX512_INLINE __m512i e2m1ByBucket(__m512i a, std::uint32_t b, __m512i inside, __m512i first)
{
    const __m512i w = _mm512_subs_epu16(a, _mm512_set1_epi16(static_cast<short>(128 * b - 384)));
    const __m512i bucket = _mm512_srli_epi16(w, 4);  // <= 44: |y| <= 6 (the scale is >= amax / 6), or inf
    const __mmask32 atFirst = _mm512_testn_epi16_mask(w, _mm512_set1_epi16(0xf));
    // The high byte of each index is 0, and so is the code it looks up (table entry 0).
    return _mm512_permutex2var_epi8(inside, _mm512_mask_add_epi16(bucket, atFirst, bucket, _mm512_set1_epi16(64)), first);
}

// The maxima of sixteen vectors of 32 unsigned 16-bit values, as the sixteen 32-bit lanes of one
// vector (lane g: the maximum of v[g]). Why not a horizontal reduction per vector: halving all
// sixteen together takes 3 operations per vector instead of 11. Each round maxes the halves of
// a pair of vectors, so the lanes end up in the order tracked below and one permutation puts them
// in place.
CKPT_AVX512_INLINE __m512i groupMaxima16(const __m512i* v)
{
    __m512i g[8], h[4], q[2];
    for (int i = 0; i < 8; ++i)  // 256-bit half k of g[i]: vector 2i + k
        g[i] = _mm512_max_epu16(_mm512_shuffle_i64x2(v[2 * i], v[2 * i + 1], 0x44),
                                _mm512_shuffle_i64x2(v[2 * i], v[2 * i + 1], 0xee));
    for (int j = 0; j < 4; ++j)  // 128-bit lane l of h[j]: vector 4j + l
        h[j] = _mm512_max_epu16(_mm512_shuffle_i64x2(g[2 * j], g[2 * j + 1], 0x88),
                                _mm512_shuffle_i64x2(g[2 * j], g[2 * j + 1], 0xdd));
    for (int k = 0; k < 2; ++k)  // lane l, 64-bit half m of q[k]: vector 8k + 4m + l
        q[k] = _mm512_max_epu16(_mm512_unpacklo_epi64(h[2 * k], h[2 * k + 1]), _mm512_unpackhi_epi64(h[2 * k], h[2 * k + 1]));
    // Both 32-bit lanes of each 64-bit half of p[k], then interleaved: 32-bit lane 4l + d of r is
    // vector l + {0, 8, 4, 12}[d].
    __m512i p[2];
    for (int k = 0; k < 2; ++k) p[k] = _mm512_max_epu16(q[k], _mm512_shuffle_epi32(q[k], _MM_PERM_CDAB));
    const __m512i r = _mm512_mask_blend_epi32(0xaaaa, p[0], p[1]);
    const __m512i m = _mm512_max_epu32(_mm512_and_si512(r, splat(0xffff)), _mm512_srli_epi32(r, 16));
    return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 2, 6, 10, 14, 1, 5, 9, 13, 3, 7, 11, 15), m);
}

// Sixteen BF16 groups of 32, encoded on the 16-bit codes themselves (32 per vector, no widening).
// y = x * 2^(127 - b) is exact wherever it is near a midpoint (x has 8 significant bits and y >=
// 0.25 there), so comparing y with a midpoint is comparing |x| with the midpoint times 2^(b - 127),
// which is a BF16 value too (at most 3 significant bits, >= 2^-128, finite but for one case
// below): an integer compare per midpoint on the magnitude bits, which order like the values, or
// (e2m1ByBucket) one lookup on their difference.
} // namespace

CKPT_AVX512 void fp4Groups16x32Bf16(const std::uint8_t* in, std::uint8_t* out, std::uint8_t* scales)
{
    const __m512i absMask = _mm512_set1_epi16(0x7fff), maxFinite = _mm512_set1_epi16(0x7f7f);
    __m512i finite[16];
    for (int g = 0; g < 16; ++g) {
        const __m512i a = _mm512_and_si512(_mm512_loadu_si512(in + g * 64), absMask);
        finite[g] = _mm512_maskz_mov_epi16(_mm512_cmple_epu16_mask(a, maxFinite), a);
    }
    const __m512i b = fp4GroupScales(_mm512_slli_epi32(groupMaxima16(finite), 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(scales), _mm512_cvtepi32_epi8(b));
    alignas(64) std::uint32_t bytes[16];
    _mm512_store_si512(bytes, b);
    // Groups of tiny values only (b < 3): the midpoints times 2^(b - 127) as BF16 bits. 5 x 2^126
    // (b = 253) would overflow to inf: clamped to the largest finite BF16, "above" it is still
    // exactly "inf" (5 is a tie-down midpoint; the tie-up ones stay finite).
    alignas(64) std::uint32_t threshold[7][16];
    if (_mm512_cmplt_epu32_mask(b, splat(3)) != 0) {
        const __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(b, 23));  // 2^(b - 127), b in [1, 253]
        for (int i = 0; i < 7; ++i) {
            const __m512 t = _mm512_mul_ps(_mm512_set1_ps(kE2m1Midpoints[i]), scale);
            _mm512_store_si512(threshold[i], _mm512_min_epu32(_mm512_srli_epi32(_mm512_castps_si512(t), 16), splat(0x7f7f)));
        }
    }
    const __m512i inside = _mm512_loadu_si512(kE2m1Buckets.code), first = _mm512_loadu_si512(kE2m1Buckets.code + 64);
    const __m512i inf = _mm512_set1_epi16(0x7f80), nanFrom = _mm512_set1_epi16(0x7f81);
    for (int g = 0; g < 16; ++g) {
        const __m512i v = _mm512_loadu_si512(in + g * 64);
        const __m512i a = _mm512_and_si512(v, absMask);
        __m512i c = bytes[g] >= 3 ? e2m1ByBucket(a, bytes[g], inside, first) : e2m1ByThresholds(a, threshold, g);
        c = _mm512_mask_mov_epi16(c, _mm512_cmpeq_epi16_mask(a, inf), _mm512_set1_epi16(7));  // inf saturates
        c = _mm512_or_si512(c, _mm512_and_si512(_mm512_srli_epi16(v, 12), _mm512_set1_epi16(0x8)));
        c = _mm512_maskz_mov_epi16(_mm512_cmplt_epu16_mask(a, nanFrom), c);  // NaN -> code 0
        // Lane pairs (even, odd) -> one byte, the even element in the low nibble.
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + g * 16),
                         _mm512_cvtepi32_epi8(_mm512_or_si512(c, _mm512_srli_epi32(c, 12))));
    }
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
