// AVX2 stats of one reduce chunk (BF16 / F16 / F32 input). The sums keep the exact order of
// reduce_rules.h: lane l of kReduceLanes accumulates elements l, l + kReduceLanes, ... in f64,
// four lanes per register, the squares added as a separate multiply and add would (a fused
// multiply-add where the square is exact), and the lanes are folded
// by the same tree as the portable loop, so the bits equal cpu_reduce.cpp and CUDA. Minima,
// maxima and counts do not depend on order; they run in the integer domain of the f32 bits
// (sign-magnitude turned into a signed key, so -0 sorts below +0 as lessTotal wants).

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "kernels/cpu/avx2_codecs.h"
#include "kernels/cpu/reduce_lanes.h"

#include <algorithm>
#include <climits>

namespace ckpt::cpu::avx2 {

namespace {

using numeric::kReduceLanes;

struct Extremes {
    __m256i mn, mx, am, nan, inf, zero;
};

// Eight values into lanes sum[0..8) / sq[0..8) and the order-free state.
CKPT_AVX2_INLINE void eight(__m256 x, double* sum, double* sq, Extremes& e)
{
    const __m256i u = _mm256_castps_si256(x);
    const __m256i a = _mm256_and_si256(u, splat(0x7fffffffu));
    const __m256i nan = gt(a, splat(0x7f800000u));
    const __m256i inf = _mm256_cmpeq_epi32(a, splat(0x7f800000u));
    e.nan = _mm256_sub_epi32(e.nan, nan);
    e.inf = _mm256_sub_epi32(e.inf, inf);
    e.zero = _mm256_sub_epi32(e.zero, _mm256_cmpeq_epi32(a, _mm256_setzero_si256()));
    const __m256i key = _mm256_xor_si256(u, _mm256_srli_epi32(_mm256_srai_epi32(u, 31), 1));
    e.mn = _mm256_min_epi32(e.mn, select(nan, splat(INT32_MAX), key));
    e.mx = _mm256_max_epi32(e.mx, select(nan, splat(static_cast<std::uint32_t>(INT32_MIN)), key));
    e.am = _mm256_max_epi32(e.am, _mm256_andnot_si256(nan, a));
    // Non-finite values add +0.0, as in the portable loop.
    const __m256 f = _mm256_castsi256_ps(_mm256_andnot_si256(_mm256_or_si256(nan, inf), u));
    const __m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
    const __m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
    _mm256_store_pd(sum, _mm256_add_pd(_mm256_load_pd(sum), d0));
    _mm256_store_pd(sum + 4, _mm256_add_pd(_mm256_load_pd(sum + 4), d1));
    _mm256_store_pd(sq, _mm256_add_pd(_mm256_load_pd(sq), _mm256_mul_pd(d0, d0)));
    _mm256_store_pd(sq + 4, _mm256_add_pd(_mm256_load_pd(sq + 4), _mm256_mul_pd(d1, d1)));
}

// BF16 classifies sixteen values per register in the 16-bit domain (the bf16 bits are the top
// half of the f32 bits, so the same tests and keys apply to them), then widens for the sums.
struct Extremes16 {
    __m256i mn, mx, am, nan, inf, zero;  // counters: at most kReduceChunk / 16 per lane
};

CKPT_AVX2_INLINE void addPd(double* sum, double* sq, __m128 f)
{
    const __m256d d = _mm256_cvtps_pd(f);
    _mm256_store_pd(sum, _mm256_add_pd(_mm256_load_pd(sum), d));
    _mm256_store_pd(sq, _mm256_add_pd(_mm256_load_pd(sq), _mm256_mul_pd(d, d)));
}

// Sixteen BF16 values into lanes [0, 16) of sum and sq.
CKPT_AVX2_INLINE void sixteenBf16(const std::uint8_t* p, double* sum, double* sq, Extremes16& e)
{
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i a = _mm256_and_si256(h, _mm256_set1_epi16(0x7fff));
    const __m256i nan = _mm256_cmpgt_epi16(a, _mm256_set1_epi16(0x7f80));
    const __m256i inf = _mm256_cmpeq_epi16(a, _mm256_set1_epi16(0x7f80));
    e.nan = _mm256_sub_epi16(e.nan, nan);
    e.inf = _mm256_sub_epi16(e.inf, inf);
    e.zero = _mm256_sub_epi16(e.zero, _mm256_cmpeq_epi16(a, _mm256_setzero_si256()));
    const __m256i key = _mm256_xor_si256(h, _mm256_srli_epi16(_mm256_srai_epi16(h, 15), 1));
    e.mn = _mm256_min_epi16(e.mn, _mm256_blendv_epi8(key, _mm256_set1_epi16(0x7fff), nan));
    e.mx = _mm256_max_epi16(e.mx, _mm256_blendv_epi8(key, _mm256_set1_epi16(-0x8000), nan));
    e.am = _mm256_max_epi16(e.am, _mm256_andnot_si256(nan, a));
    const __m256i f = _mm256_andnot_si256(_mm256_or_si256(nan, inf), h);  // non-finite adds +0.0
    // Unpacking with zeros gives f32 bits of elements 0-3 | 8-11 (lo) and 4-7 | 12-15 (hi).
    const __m256 lo = _mm256_castsi256_ps(_mm256_unpacklo_epi16(_mm256_setzero_si256(), f));
    const __m256 hi = _mm256_castsi256_ps(_mm256_unpackhi_epi16(_mm256_setzero_si256(), f));
    addPd(sum, sq, _mm256_castps256_ps128(lo));
    addPd(sum + 4, sq + 4, _mm256_castps256_ps128(hi));
    addPd(sum + 8, sq + 8, _mm256_extractf128_ps(lo, 1));
    addPd(sum + 12, sq + 12, _mm256_extractf128_ps(hi, 1));
}

template <typename T>
CKPT_AVX2 std::uint64_t sumLanesOf(__m256i v)
{
    alignas(32) T l[32 / sizeof(T)];
    _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
    std::uint64_t s = 0;
    for (T x : l) s += static_cast<std::uint64_t>(x);
    return s;
}

CKPT_AVX2 std::uint64_t sumLanes(__m256i v)
{
    alignas(32) std::uint32_t l[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
    std::uint64_t s = 0;
    for (std::uint32_t x : l) s += x;
    return s;
}

template <DType Dt>
CKPT_AVX2 numeric::StatsPartial statsTyped(const std::uint8_t* p, std::uint64_t n)
{
    constexpr std::uint64_t eb = Dt == DType::F32 ? 4 : 2;
    StatsLaneState st;
    Extremes e{splat(INT32_MAX), splat(static_cast<std::uint32_t>(INT32_MIN)), _mm256_setzero_si256(),
               _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    Extremes16 e16{_mm256_set1_epi16(0x7fff), _mm256_set1_epi16(-0x8000), _mm256_setzero_si256(),
                   _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    std::uint64_t k = 0;
    for (; k + kReduceLanes <= n; k += kReduceLanes) {
        if constexpr (Dt == DType::BF16) {
            for (unsigned l = 0; l < kReduceLanes; l += 16) sixteenBf16(p + (k + l) * eb, st.sum + l, st.sq + l, e16);
        } else {
            for (unsigned l = 0; l < kReduceLanes; l += 8) eight(loadEight<Dt>(p + (k + l) * eb), st.sum + l, st.sq + l, e);
        }
    }
    alignas(32) std::int32_t mn[8], mx[8], am[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(mn), e.mn);
    _mm256_store_si256(reinterpret_cast<__m256i*>(mx), e.mx);
    _mm256_store_si256(reinterpret_cast<__m256i*>(am), e.am);
    st.nan = sumLanes(e.nan) + sumLanesOf<std::uint16_t>(e16.nan);
    st.inf = sumLanes(e.inf) + sumLanesOf<std::uint16_t>(e16.inf);
    st.zero = sumLanes(e.zero) + sumLanesOf<std::uint16_t>(e16.zero);
    for (unsigned l = 0; l < 8; ++l)
        st.kMin = std::min(st.kMin, mn[l]), st.kMax = std::max(st.kMax, mx[l]), st.aMax = std::max(st.aMax, am[l]);
    alignas(32) std::int16_t mn16[16], mx16[16], am16[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(mn16), e16.mn);
    _mm256_store_si256(reinterpret_cast<__m256i*>(mx16), e16.mx);
    _mm256_store_si256(reinterpret_cast<__m256i*>(am16), e16.am);
    for (unsigned l = 0; l < 16; ++l) st.addKeys16(mn16[l], mx16[l], am16[l]);
    return st.finish(p, Dt, k, n);
}

// Chunks without NaN or inf (real weights): the lane sums stay in registers, sixteen lanes per
// pass (4 + 4 ymm of f64), each lane adding its values l, l + 256, ... in order as above; the
// order-free state is the extremes of the raw bits as signed and as unsigned numbers (keys once
// per chunk, addRawExtremes32 / addRawExtremes16) and the zero count, checked for NaN and inf
// after each pass. The pass reads 32 or 64 bytes of each row of the chunk, which the first pass
// brought into L2. Squares of f32 values are exact in f64, so a fused multiply-add rounds only
// the sum, as the separate multiply and add of reduce_rules.h do.
constexpr unsigned kPassLanes = 16;

struct RawExtremes {
    __m256i smin, smax, umin, umax, zero;

    CKPT_AVX2_INLINE bool seenNonFinite() const
    {
        const __m256i posInf = splat(0x7f800000u), negInf = splat(0xff800000u);
        const __m256i pos = _mm256_cmpgt_epi32(smax, _mm256_sub_epi32(posInf, splat(1)));
        const __m256i neg = _mm256_cmpeq_epi32(_mm256_max_epu32(umax, negInf), umax);
        return _mm256_movemask_epi8(_mm256_or_si256(pos, neg)) != 0;
    }
};

CKPT_AVX2_INLINE void addQuad(__m256d& sum, __m256d& sq, __m128 x)
{
    const __m256d d = _mm256_cvtps_pd(x);
    sum = _mm256_add_pd(sum, d), sq = _mm256_fmadd_pd(d, d, sq);
}

CKPT_AVX2_INLINE void addEight(__m256 x, __m256d* sum, __m256d* sq, RawExtremes& e)
{
    const __m256i u = _mm256_castps_si256(x);
    e.zero = _mm256_sub_epi32(e.zero, _mm256_cmpeq_epi32(_mm256_and_si256(u, splat(0x7fffffffu)), _mm256_setzero_si256()));
    e.smin = _mm256_min_epi32(e.smin, u), e.smax = _mm256_max_epi32(e.smax, u);
    e.umin = _mm256_min_epu32(e.umin, u), e.umax = _mm256_max_epu32(e.umax, u);
    addQuad(sum[0], sq[0], _mm256_castps256_ps128(x));
    addQuad(sum[1], sq[1], _mm256_extractf128_ps(x, 1));
}

// F16 and F32 rows: lanes base + 8r .. base + 8r + 7 in sum[2r], sum[2r + 1].
template <DType Dt>
CKPT_AVX2_INLINE void addRow(const std::uint8_t* at, __m256d* sum, __m256d* sq, RawExtremes& e)
{
    constexpr unsigned eb = Dt == DType::F32 ? 4 : 2;
    addEight(loadEight<Dt>(at), sum, sq, e);
    addEight(loadEight<Dt>(at + 8 * eb), sum + 2, sq + 2, e);
}

CKPT_AVX2_INLINE void storeRow(const __m256d* sum, const __m256d* sq, unsigned base, StatsLaneState& st)
{
    for (unsigned r = 0; r < 4; ++r) {
        _mm256_store_pd(st.sum + base + 4 * r, sum[r]);
        _mm256_store_pd(st.sq + base + 4 * r, sq[r]);
    }
}

// BF16 rows stay in 16-bit lanes for the order-free state (16 values per op instead of 8),
// and become f32 by a shift (even elements) or a mask (odd ones) of their 32-bit pairs.
struct RawExtremes16 {
    __m256i smin, smax, umin, umax, zero;  // zero: at most rows per lane (< 2^16)

    CKPT_AVX2_INLINE bool seenNonFinite() const
    {
        const __m256i pos = _mm256_cmpgt_epi16(smax, _mm256_set1_epi16(0x7f7f));
        const __m256i negInf = _mm256_set1_epi16(static_cast<short>(0xff80));
        const __m256i neg = _mm256_cmpeq_epi16(_mm256_max_epu16(umax, negInf), umax);
        return _mm256_movemask_epi8(_mm256_or_si256(pos, neg)) != 0;
    }
};

// sum[0] holds lanes base + 0, 2, 4, 6; sum[1] 8 .. 14; sum[2] 1 .. 7; sum[3] 9 .. 15 (storeRowBf16).
CKPT_AVX2_INLINE void addRowBf16(const std::uint8_t* at, __m256d* sum, __m256d* sq, RawExtremes16& e)
{
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i zero = _mm256_cmpeq_epi16(_mm256_and_si256(h, _mm256_set1_epi16(0x7fff)), _mm256_setzero_si256());
    e.zero = _mm256_sub_epi16(e.zero, zero);
    e.smin = _mm256_min_epi16(e.smin, h), e.smax = _mm256_max_epi16(e.smax, h);
    e.umin = _mm256_min_epu16(e.umin, h), e.umax = _mm256_max_epu16(e.umax, h);
    const __m256 even = _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
    const __m256 odd = _mm256_castsi256_ps(_mm256_and_si256(h, splat(0xffff0000u)));
    addQuad(sum[0], sq[0], _mm256_castps256_ps128(even));
    addQuad(sum[1], sq[1], _mm256_extractf128_ps(even, 1));
    addQuad(sum[2], sq[2], _mm256_castps256_ps128(odd));
    addQuad(sum[3], sq[3], _mm256_extractf128_ps(odd, 1));
}

CKPT_AVX2_INLINE void storeRowBf16(const __m256d* sum, const __m256d* sq, unsigned base, StatsLaneState& st)
{
    alignas(32) double v[4], w[4];
    for (unsigned r = 0; r < 4; ++r) {
        const unsigned first = base + 8 * (r & 1) + (r >> 1);
        _mm256_store_pd(v, sum[r]);
        _mm256_store_pd(w, sq[r]);
        for (unsigned i = 0; i < 4; ++i) st.sum[first + 2 * i] = v[i], st.sq[first + 2 * i] = w[i];
    }
}

template <typename Extremes, unsigned Eb, void (*Add)(const std::uint8_t*, __m256d*, __m256d*, Extremes&),
          void (*Store)(const __m256d*, const __m256d*, unsigned, StatsLaneState&)>
CKPT_AVX2_INLINE bool walkPasses(const std::uint8_t* p, std::uint64_t rows, Extremes& e, StatsLaneState& st,
                                 BlockPrefetch& next)
{
    for (unsigned base = 0; base < kReduceLanes; base += kPassLanes) {
        __m256d sum[4], sq[4];
        for (unsigned r = 0; r < 4; ++r) sum[r] = sq[r] = _mm256_setzero_pd();
        for (std::uint64_t row = 0; row < rows; ++row) {
            passPrefetch(p, Eb, row, rows, base, next);
            Add(p + (row * kReduceLanes + base) * Eb, sum, sq, e);
        }
        if (e.seenNonFinite()) return false;
        Store(sum, sq, base, st);
    }
    return true;
}

template <DType Dt>
CKPT_AVX2 bool finiteChunk(const std::uint8_t* p, std::uint64_t rows, StatsLaneState& st, BlockPrefetch& next)
{
    RawExtremes e{splat(INT32_MAX), splat(static_cast<std::uint32_t>(INT32_MIN)), splat(0xffffffffu), _mm256_setzero_si256(),
                  _mm256_setzero_si256()};
    if (!walkPasses<RawExtremes, Dt == DType::F32 ? 4 : 2, addRow<Dt>, storeRow>(p, rows, e, st, next)) return false;
    alignas(32) std::int32_t smin[8], smax[8];
    alignas(32) std::uint32_t umin[8], umax[8], zero[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(smin), e.smin);
    _mm256_store_si256(reinterpret_cast<__m256i*>(smax), e.smax);
    _mm256_store_si256(reinterpret_cast<__m256i*>(umin), e.umin);
    _mm256_store_si256(reinterpret_cast<__m256i*>(umax), e.umax);
    _mm256_store_si256(reinterpret_cast<__m256i*>(zero), e.zero);
    for (unsigned l = 0; l < 8 && rows != 0; ++l) {
        st.addRawExtremes32(smin[l], smax[l], umin[l], umax[l]);
        st.zero += zero[l];
    }
    return true;
}

template <>
CKPT_AVX2 bool finiteChunk<DType::BF16>(const std::uint8_t* p, std::uint64_t rows, StatsLaneState& st, BlockPrefetch& next)
{
    RawExtremes16 e{_mm256_set1_epi16(0x7fff), _mm256_set1_epi16(-0x8000), _mm256_set1_epi16(-1), _mm256_setzero_si256(),
                    _mm256_setzero_si256()};
    if (!walkPasses<RawExtremes16, 2, addRowBf16, storeRowBf16>(p, rows, e, st, next)) return false;
    st.zero = sumLanesOf<std::uint16_t>(e.zero);
    alignas(32) std::int16_t smin[16], smax[16];
    alignas(32) std::uint16_t umin[16], umax[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(smin), e.smin);
    _mm256_store_si256(reinterpret_cast<__m256i*>(smax), e.smax);
    _mm256_store_si256(reinterpret_cast<__m256i*>(umin), e.umin);
    _mm256_store_si256(reinterpret_cast<__m256i*>(umax), e.umax);
    for (unsigned l = 0; l < 16; ++l) st.addRawExtremes16(smin[l], smax[l], umin[l], umax[l]);
    return true;
}

} // namespace

numeric::StatsPartial statsChunkClassified(const std::uint8_t* p, DType dtype, std::uint64_t n)
{
    switch (dtype) {
    case DType::BF16: return statsTyped<DType::BF16>(p, n);
    case DType::F16: return statsTyped<DType::F16>(p, n);
    default: return statsTyped<DType::F32>(p, n);
    }
}

numeric::StatsPartial statsChunk(const std::uint8_t* p, DType dtype, std::uint64_t n, const std::uint8_t* next,
                                 std::uint64_t nextBytes)
{
    const std::uint64_t rows = n / kReduceLanes;
    BlockPrefetch prefetch = nextChunkPrefetch(next, nextBytes, rows * (kReduceLanes / kPassLanes - 1));
    StatsLaneState st;
    const bool finite = dtype == DType::BF16  ? finiteChunk<DType::BF16>(p, rows, st, prefetch)
                        : dtype == DType::F16 ? finiteChunk<DType::F16>(p, rows, st, prefetch)
                                              : finiteChunk<DType::F32>(p, rows, st, prefetch);
    return finite ? st.finish(p, dtype, rows * kReduceLanes, n) : statsChunkClassified(p, dtype, n);
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
