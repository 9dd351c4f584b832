// AVX-512 stats of one F32 or F16 reduce chunk, as avx512_stats.cpp does for BF16: the chunk (at
// most 64 Ki values, 256 KiB of F32: it stays in L2) is walked four times, 64 lanes per pass,
// into 8 + 8 zmm accumulators of f64, each lane adding its elements l, l + 256, ... in order, so
// the sums have the bits of reduce_rules.h. F16 widens to f32 exactly (vcvtph2ps), and the keys
// are those of the f32 bits, as in avx2_stats.cpp. Only chunks without NaN or inf take this loop
// (real weights, checked after each pass on the raw extremes); a chunk that holds one is walked
// again by avx2::statsChunkClassified, which classifies every value.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_target.h"
#include "kernels/cpu/reduce_lanes.h"

#include <algorithm>

namespace ckpt::cpu::avx512 {

namespace {

using numeric::kReduceLanes;

constexpr unsigned kPassLanes = 64;

struct PassSums {
    __m512d sum[8], sq[8];  // lanes base + 8r .. base + 8r + 7
};

// The raw f32 bits' extremes as signed and as unsigned numbers (turned into keys once per chunk,
// as addRawExtremes16 does for BF16), and the count of zeros (at most kReduceChunk / 16 a lane).
struct RawExtremes32 {
    __m512i smin, smax, umin, umax, zero;

    CKPT_AVX512_INLINE bool seenNonFinite() const
    {
        return (_mm512_cmpge_epi32_mask(smax, _mm512_set1_epi32(0x7f800000)) |
                _mm512_cmpge_epu32_mask(umax, _mm512_set1_epi32(static_cast<int>(0xff800000u)))) != 0;
    }
};

// The square of an f32 value is exact in f64, so the fused multiply-add rounds as mul + add does.
CKPT_AVX512_INLINE void addPd(__m512d& sum, __m512d& sq, __m512d d)
{
    sum = _mm512_add_pd(sum, d);
    sq = _mm512_fmadd_pd(d, d, sq);
}

// Sixteen values into sums s[r], s[r + 1] and the extremes.
template <DType Dt>
CKPT_AVX512_INLINE void sixteen(const std::uint8_t* p, PassSums& s, unsigned r, RawExtremes32& e)
{
    __m512 x;
    __m512d lo, hi;
    if constexpr (Dt == DType::F32) {
        x = _mm512_loadu_ps(p);
        lo = _mm512_cvtps_pd(_mm256_loadu_ps(reinterpret_cast<const float*>(p)));
        hi = _mm512_cvtps_pd(_mm256_loadu_ps(reinterpret_cast<const float*>(p + 32)));
    } else {
        x = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
        lo = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
        hi = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_extracti64x4_epi64(_mm512_castps_si512(x), 1)));
    }
    const __m512i u = _mm512_castps_si512(x);
    e.zero = _mm512_mask_add_epi32(e.zero, _mm512_testn_epi32_mask(u, _mm512_set1_epi32(0x7fffffff)), e.zero,
                                   _mm512_set1_epi32(1));
    e.smin = _mm512_min_epi32(e.smin, u);
    e.smax = _mm512_max_epi32(e.smax, u);
    e.umin = _mm512_min_epu32(e.umin, u);
    e.umax = _mm512_max_epu32(e.umax, u);
    addPd(s.sum[r], s.sq[r], lo);
    addPd(s.sum[r + 1], s.sq[r + 1], hi);
}

template <DType Dt>
CKPT_AVX512 bool finiteChunk(const std::uint8_t* p, std::uint64_t rows, StatsLaneState& st, BlockPrefetch& next)
{
    constexpr unsigned eb = Dt == DType::F32 ? 4 : 2;
    RawExtremes32 e{_mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN), _mm512_set1_epi32(-1),
                    _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (unsigned base = 0; base < kReduceLanes; base += kPassLanes) {
        PassSums s;
        for (unsigned r = 0; r < 8; ++r) s.sum[r] = s.sq[r] = _mm512_setzero_pd();
        for (std::uint64_t row = 0; row < rows; ++row) {
            const std::uint8_t* at = p + (row * kReduceLanes + base) * eb;
            passPrefetch(p, eb, row, rows, base, next);
            for (unsigned r = 0; r < 8; r += 2) sixteen<Dt>(at + 8 * r * eb, s, r, e);
        }
        if (e.seenNonFinite()) return false;
        for (unsigned r = 0; r < 8; ++r) {
            _mm512_store_pd(st.sum + base + 8 * r, s.sum[r]);
            _mm512_store_pd(st.sq + base + 8 * r, s.sq[r]);
        }
    }
    alignas(64) std::int32_t smin[16], smax[16];
    alignas(64) std::uint32_t umin[16], umax[16], zero[16];
    _mm512_store_si512(smin, e.smin);
    _mm512_store_si512(smax, e.smax);
    _mm512_store_si512(umin, e.umin);
    _mm512_store_si512(umax, e.umax);
    _mm512_store_si512(zero, e.zero);
    for (unsigned l = 0; l < 16 && rows != 0; ++l) {
        st.addRawExtremes32(smin[l], smax[l], umin[l], umax[l]);
        st.zero += zero[l];
    }
    return true;
}

} // namespace

CKPT_AVX512 numeric::StatsPartial statsF32Chunk(const std::uint8_t* p, DType dtype, std::uint64_t n,
                                                const std::uint8_t* next, std::uint64_t nextBytes)
{
    const std::uint64_t rows = n / kReduceLanes;
    BlockPrefetch prefetch = nextChunkPrefetch(next, nextBytes, rows * (kReduceLanes / kPassLanes - 1));
    StatsLaneState st;
    const bool finite = dtype == DType::F32 ? finiteChunk<DType::F32>(p, rows, st, prefetch)
                                            : finiteChunk<DType::F16>(p, rows, st, prefetch);
    return finite ? st.finish(p, dtype, rows * kReduceLanes, n) : avx2::statsChunkClassified(p, dtype, n);
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
