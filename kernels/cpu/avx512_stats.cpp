// AVX-512 stats of one BF16 reduce chunk. The lane sums stay in registers: the chunk (at most
// 64 Ki values, 128 KiB: it stays in L2) is walked four times, 64 lanes per pass, each pass
// adding row after row of 256 values into 8 + 8 zmm accumulators of f64. Every lane still adds
// its elements l, l + 256, ... in order with a separate multiply and add, so the sums have the
// bits of reduce_rules.h; the AVX2 loop instead loads and stores two f64 vectors per four
// values, which bound it at about one value per cycle. BF16 splits into f32 without shuffles:
// per 32-bit lane, the odd element is the high half as it stands and the even one the low half
// shifted up; registers therefore hold lanes in even / odd order, put back in place at the end
// of a pass. Counts, minima and maxima work on the 16-bit bits as in avx2_stats.cpp.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_target.h"
#include "kernels/cpu/reduce_lanes.h"

#include <algorithm>

namespace ckpt::cpu::avx512 {

namespace {

using numeric::kReduceLanes;

constexpr unsigned kPassLanes = 64;  // 8 zmm of sums + 8 of squares, 16 left for the rest

struct Extremes16 {
    __m512i mn, mx, am, nan, inf, zero;  // counters: at most kReduceChunk / 32 per 16-bit lane

    static bool seenNonFinite() { return false; }  // counted, not a reason to stop
};

struct PassSums {
    __m512d sum[8], sq[8];  // [even lo, even hi, odd lo, odd hi] of the two 32-value halves
};

// The square of an f32 value is exact in f64 (48 significant bits at most), so a fused
// multiply-add rounds once where mul + add would round the sum only: the same bits, one op less.
CKPT_AVX512_INLINE void addPd(__m512d& sum, __m512d& sq, __m256 f)
{
    const __m512d d = _mm512_cvtps_pd(f);
    sum = _mm512_add_pd(sum, d);
    sq = _mm512_fmadd_pd(d, d, sq);
}

// 32 BF16 values (64 bytes) into sums s[4q .. 4q+3] and the order-free state.
CKPT_AVX512_INLINE void thirtyTwo(const std::uint8_t* p, PassSums& s, unsigned q, Extremes16& e)
{
    const __m512i h = _mm512_loadu_si512(p);
    const __m512i a = _mm512_and_si512(h, _mm512_set1_epi16(0x7fff));
    const __mmask32 nan = _mm512_cmpgt_epi16_mask(a, _mm512_set1_epi16(0x7f80));
    const __mmask32 inf = _mm512_cmpeq_epi16_mask(a, _mm512_set1_epi16(0x7f80));
    const __mmask32 zero = _mm512_cmpeq_epi16_mask(a, _mm512_setzero_si512());
    const __m512i one = _mm512_set1_epi16(1);
    e.nan = _mm512_mask_add_epi16(e.nan, nan, e.nan, one);
    e.inf = _mm512_mask_add_epi16(e.inf, inf, e.inf, one);
    e.zero = _mm512_mask_add_epi16(e.zero, zero, e.zero, one);
    const __m512i key = _mm512_xor_si512(h, _mm512_srli_epi16(_mm512_srai_epi16(h, 15), 1));
    e.mn = _mm512_min_epi16(e.mn, _mm512_mask_mov_epi16(key, nan, _mm512_set1_epi16(0x7fff)));
    e.mx = _mm512_max_epi16(e.mx, _mm512_mask_mov_epi16(key, nan, _mm512_set1_epi16(-0x8000)));
    e.am = _mm512_max_epi16(e.am, _mm512_maskz_mov_epi16(static_cast<__mmask32>(~nan), a));
    const __m512i f = _mm512_maskz_mov_epi16(static_cast<__mmask32>(~(nan | inf)), h);  // non-finite adds +0.0
    const __m512 even = _mm512_castsi512_ps(_mm512_slli_epi32(f, 16));
    const __m512 odd = _mm512_castsi512_ps(_mm512_and_si512(f, _mm512_set1_epi32(static_cast<int>(0xffff0000u))));
    addPd(s.sum[4 * q], s.sq[4 * q], _mm512_castps512_ps256(even));
    addPd(s.sum[4 * q + 1], s.sq[4 * q + 1], _mm256_castsi256_ps(_mm512_extracti64x4_epi64(_mm512_castps_si512(even), 1)));
    addPd(s.sum[4 * q + 2], s.sq[4 * q + 2], _mm512_castps512_ps256(odd));
    addPd(s.sum[4 * q + 3], s.sq[4 * q + 3], _mm256_castsi256_ps(_mm512_extracti64x4_epi64(_mm512_castps_si512(odd), 1)));
}

// The same for a chunk without NaN or inf (checked after each pass, see walkPasses): no masking,
// the extremes of the raw bits as signed and as unsigned 16-bit numbers (turned into keys once
// per chunk), and the f32 halves split on 256-bit registers, which have a third port on Intel.
struct RawExtremes16 {
    __m512i smin, smax, umin, umax, zero;

    CKPT_AVX512_INLINE bool seenNonFinite() const
    {
        return (_mm512_cmpge_epi16_mask(smax, _mm512_set1_epi16(0x7f80)) |
                _mm512_cmpge_epu16_mask(umax, _mm512_set1_epi16(static_cast<short>(0xff80)))) != 0;
    }
};

CKPT_AVX512_INLINE void addPdHalf(PassSums& s, unsigned r, __m256i raw)
{
    addPd(s.sum[r], s.sq[r], _mm256_castsi256_ps(_mm256_slli_epi32(raw, 16)));
    addPd(s.sum[r + 2], s.sq[r + 2], _mm256_castsi256_ps(_mm256_and_si256(raw, _mm256_set1_epi32(static_cast<int>(0xffff0000u)))));
}

CKPT_AVX512_INLINE void thirtyTwoFinite(const std::uint8_t* p, PassSums& s, unsigned q, RawExtremes16& e)
{
    const __m512i h = _mm512_loadu_si512(p);
    e.zero = _mm512_mask_add_epi16(e.zero, _mm512_testn_epi16_mask(h, _mm512_set1_epi16(0x7fff)), e.zero, _mm512_set1_epi16(1));
    e.smin = _mm512_min_epi16(e.smin, h);
    e.smax = _mm512_max_epi16(e.smax, h);
    e.umin = _mm512_min_epu16(e.umin, h);
    e.umax = _mm512_max_epu16(e.umax, h);
    addPdHalf(s, 4 * q, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    addPdHalf(s, 4 * q + 1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)));
}

// Register r of half q holds, in its eight f64, lanes base + 32q + 2 * (8 (r & 1) + i) + (r >> 1).
CKPT_AVX512_INLINE void storePass(const PassSums& s, unsigned base, StatsLaneState& st)
{
    alignas(64) double v[8];
    for (unsigned q = 0; q < 2; ++q)
        for (unsigned r = 0; r < 4; ++r) {
            const unsigned first = base + 32 * q + 16 * (r & 1) + (r >> 1);
            _mm512_store_pd(v, s.sum[4 * q + r]);
            for (unsigned i = 0; i < 8; ++i) st.sum[first + 2 * i] = v[i];
            _mm512_store_pd(v, s.sq[4 * q + r]);
            for (unsigned i = 0; i < 8; ++i) st.sq[first + 2 * i] = v[i];
        }
}

template <typename T>
CKPT_AVX512_INLINE std::uint64_t sumLanes(__m512i v)
{
    alignas(64) T l[64 / sizeof(T)];
    _mm512_store_si512(l, v);
    std::uint64_t s = 0;
    for (T x : l) s += static_cast<std::uint64_t>(x);
    return s;
}

// Walks the chunk's rows in passes of kPassLanes lanes, calling Step on each 32 values; false
// as soon as a pass has seen a value the Extremes cannot take (random bits: in the first pass).
template <typename Extremes, void (*Step)(const std::uint8_t*, PassSums&, unsigned, Extremes&)>
CKPT_AVX512_INLINE bool walkPasses(const std::uint8_t* p, std::uint64_t rows, Extremes& e, StatsLaneState& st,
                                   BlockPrefetch& next)
{
    for (unsigned base = 0; base < kReduceLanes; base += kPassLanes) {
        PassSums s;
        for (unsigned r = 0; r < 8; ++r) s.sum[r] = s.sq[r] = _mm512_setzero_pd();
        for (std::uint64_t row = 0; row < rows; ++row) {
            const std::uint8_t* at = p + (row * kReduceLanes + base) * 2;
            passPrefetch(p, 2, row, rows, base, next);
            Step(at, s, 0, e);
            Step(at + 64, s, 1, e);
        }
        if (e.seenNonFinite()) return false;
        storePass(s, base, st);
    }
    return true;
}

CKPT_AVX512 bool statsFiniteChunk(const std::uint8_t* p, std::uint64_t rows, StatsLaneState& st, BlockPrefetch& next)
{
    RawExtremes16 e{_mm512_set1_epi16(0x7fff), _mm512_set1_epi16(-0x8000), _mm512_set1_epi16(-1),
                    _mm512_setzero_si512(), _mm512_setzero_si512()};
    if (!walkPasses<RawExtremes16, thirtyTwoFinite>(p, rows, e, st, next)) return false;
    st.zero = sumLanes<std::uint16_t>(e.zero);
    alignas(64) std::int16_t smin[32], smax[32];
    alignas(64) std::uint16_t umin[32], umax[32];
    _mm512_store_si512(smin, e.smin);
    _mm512_store_si512(smax, e.smax);
    _mm512_store_si512(umin, e.umin);
    _mm512_store_si512(umax, e.umax);
    for (unsigned l = 0; l < 32; ++l) st.addRawExtremes16(smin[l], smax[l], umin[l], umax[l]);
    return true;
}

} // namespace

CKPT_AVX512 numeric::StatsPartial statsBf16Chunk(const std::uint8_t* p, std::uint64_t n, const std::uint8_t* next,
                                                 std::uint64_t nextBytes)
{
    const std::uint64_t rows = n / kReduceLanes;
    BlockPrefetch prefetch = nextChunkPrefetch(next, nextBytes, rows * (kReduceLanes / kPassLanes - 1));
    {
        // Real weights hold no NaN or inf: this pass needs about two thirds of the vector ops.
        StatsLaneState st;
        if (statsFiniteChunk(p, rows, st, prefetch)) return st.finish(p, DType::BF16, rows * kReduceLanes, n);
    }
    StatsLaneState st;
    Extremes16 e{_mm512_set1_epi16(0x7fff), _mm512_set1_epi16(-0x8000), _mm512_setzero_si512(),
                 _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    walkPasses<Extremes16, thirtyTwo>(p, rows, e, st, prefetch);
    st.nan = sumLanes<std::uint16_t>(e.nan);
    st.inf = sumLanes<std::uint16_t>(e.inf);
    st.zero = sumLanes<std::uint16_t>(e.zero);
    alignas(64) std::int16_t mn[32], mx[32], am[32];
    _mm512_store_si512(mn, e.mn);
    _mm512_store_si512(mx, e.mx);
    _mm512_store_si512(am, e.am);
    for (unsigned l = 0; l < 32; ++l) st.addKeys16(mn[l], mx[l], am[l]);
    return st.finish(p, DType::BF16, rows * kReduceLanes, n);
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
