// AVX-512 error metrics of one reduce chunk, BF16 or F32 on each side. As in avx512_stats.cpp
// the four f64 lane sums stay in registers: the chunk pair (at most 2 x 256 KiB, in L2) is
// walked eight times, 32 lanes per pass (4 x 4 zmm accumulators), each lane adding its pairs
// l, l + 256, ... in order with separate multiplies and adds, so the sums have the bits of
// reduce_rules.h. Classification runs on the f32 bits into mask registers, counted with popcnt;
// the tolerance test is the f64 arithmetic of pairOverTolerance.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_target.h"
#include "kernels/cpu/reduce_lanes.h"

namespace ckpt::cpu::avx512 {

namespace {

using numeric::kReduceLanes;

constexpr unsigned kPassLanes = 32;

struct PassSums {
    __m512d se[4], sa[4], dot[4], sb[4];  // lanes base + 8j .. base + 8j + 7
};

struct Counts {
    std::uint64_t nan = 0, inf = 0, over = 0;
    __m512d mx;
};

struct Tolerance {
    __m512d atol, rtol;
};

// Sixteen values in element order as f32.
template <DType Dt>
CKPT_AVX512_INLINE __m512 loadSixteen(const std::uint8_t* p)
{
    if constexpr (Dt == DType::F32) {
        return _mm512_loadu_ps(p);
    } else {
        const __m512i h = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
        return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16));
    }
}

CKPT_AVX512_INLINE __m256 upperHalf(__m512 v)
{
    return _mm256_castsi256_ps(_mm512_extracti64x4_epi64(_mm512_castps_si512(v), 1));
}

CKPT_AVX512_INLINE __m512d absPd(__m512d v)
{
    return _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(v), _mm512_set1_epi64(0x7fffffffffffffffll)));
}

CKPT_AVX512_INLINE unsigned popcount(unsigned m) { return static_cast<unsigned>(__builtin_popcount(m)); }

// Eight finite pairs (zeroed where not finite) into accumulators j; fin: their finite bits.
template <Limit L>
CKPT_AVX512_INLINE void eightPairs(__m512d fa, __m512d fb, __mmask8 fin, PassSums& s, unsigned j, Counts& c,
                                   const Tolerance& t)
{
    const __m512d e = _mm512_sub_pd(fa, fb);
    s.se[j] = _mm512_add_pd(s.se[j], _mm512_mul_pd(e, e));  // e has up to 53 bits: e * e rounds
    // Products of two f32 values are exact in f64, so fusing them rounds only the sum, as mul +
    // add does: the same bits with one op less.
    s.sa[j] = _mm512_fmadd_pd(fa, fa, s.sa[j]);
    s.dot[j] = _mm512_fmadd_pd(fa, fb, s.dot[j]);
    s.sb[j] = _mm512_fmadd_pd(fb, fb, s.sb[j]);
    if constexpr (L == Limit::Exact) {
        c.mx = _mm512_range_pd(c.mx, e, 0x0b);  // max(|mx|, |e|), sign cleared: one op for and + max
    } else {
        const __m512d d = absPd(e);
        c.mx = _mm512_max_pd(c.mx, d);
        const __m512d limit = L == Limit::Relative ? _mm512_add_pd(t.atol, _mm512_mul_pd(t.rtol, absPd(fa))) : t.atol;
        c.over += popcount(_mm512_mask_cmp_pd_mask(fin, d, limit, _CMP_GT_OQ));
    }
}

// Sixteen pairs into accumulators 2h and 2h + 1.
template <Limit L>
CKPT_AVX512_INLINE void sixteenPairs(__m512 a, __m512 b, PassSums& s, unsigned h, Counts& c, const Tolerance& t)
{
    const __m512i absMask = _mm512_set1_epi32(0x7fffffff), infBits = _mm512_set1_epi32(0x7f800000);
    const __m512i absA = _mm512_and_si512(_mm512_castps_si512(a), absMask);
    const __m512i absB = _mm512_and_si512(_mm512_castps_si512(b), absMask);
    const __mmask16 na = _mm512_cmpgt_epi32_mask(absA, infBits), nb = _mm512_cmpgt_epi32_mask(absB, infBits);
    const __mmask16 nan = na | nb;
    const __mmask16 anyInf = _mm512_cmpeq_epi32_mask(absA, infBits) | _mm512_cmpeq_epi32_mask(absB, infBits);
    const auto inf = static_cast<__mmask16>(anyInf & ~nan);
    const auto fin = static_cast<__mmask16>(~(nan | inf));
    c.nan += popcount(nan);
    c.inf += popcount(inf);
    // Over tolerance outside the finite pairs: NaN on one side only, or unequal infinities.
    const __mmask16 unequal = _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ);
    const __mmask16 overFinite = L == Limit::Exact ? fin & unequal : 0;
    c.over += popcount(static_cast<unsigned>((nan & (na ^ nb)) | (inf & unequal) | overFinite));
    const __m512 fa = _mm512_maskz_mov_ps(fin, a), fb = _mm512_maskz_mov_ps(fin, b);
    eightPairs<L>(_mm512_cvtps_pd(_mm512_castps512_ps256(fa)), _mm512_cvtps_pd(_mm512_castps512_ps256(fb)),
                  static_cast<__mmask8>(fin), s, 2 * h, c, t);
    eightPairs<L>(_mm512_cvtps_pd(upperHalf(fa)), _mm512_cvtps_pd(upperHalf(fb)), static_cast<__mmask8>(fin >> 8), s,
                  2 * h + 1, c, t);
}

// Sixteen pairs of a chunk thought to hold no NaN or inf: no classification. A NaN or inf in a
// or b turns its lane's sum of squares into a NaN or inf, which walkChunk checks after each
// pass (finite values cannot overflow it: 2^24 squares of at most 2^256 each).
template <Limit L>
CKPT_AVX512_INLINE void sixteenFinitePairs(__m512 a, __m512 b, PassSums& s, unsigned h, Counts& c, const Tolerance& t)
{
    if constexpr (L == Limit::Exact) c.over += popcount(_mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ));
    eightPairs<L>(_mm512_cvtps_pd(_mm512_castps512_ps256(a)), _mm512_cvtps_pd(_mm512_castps512_ps256(b)), 0xff, s, 2 * h,
                  c, t);
    eightPairs<L>(_mm512_cvtps_pd(upperHalf(a)), _mm512_cvtps_pd(upperHalf(b)), 0xff, s, 2 * h + 1, c, t);
}

// Whether a lane sum of squares of the pass is NaN or inf (x - x is then NaN, else 0).
CKPT_AVX512_INLINE bool nonFiniteSquares(const PassSums& s)
{
    __m512d z = _mm512_setzero_pd();
    for (unsigned j = 0; j < 4; ++j) z = _mm512_add_pd(z, _mm512_add_pd(_mm512_sub_pd(s.sa[j], s.sa[j]), _mm512_sub_pd(s.sb[j], s.sb[j])));
    return _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_NEQ_UQ) != 0;
}

// One chunk; with Finite, false (and a partial state) if it held a NaN or inf after all.
// The chunk pair a thread takes next (nullptr: none), asked for while this one is walked.
struct NextPair {
    const std::uint8_t* a = nullptr;
    const std::uint8_t* b = nullptr;
    std::uint64_t n = 0;
};

template <DType A, DType B, bool Finite, Limit L>
CKPT_AVX512 bool walkChunk(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n, double atol,
                             double rtol, const NextPair& next, numeric::ErrorPartial& out)
{
    constexpr std::uint64_t ea = A == DType::F32 ? 4 : 2, eb = B == DType::F32 ? 4 : 2;
    ErrorLaneState st;
    Counts c;
    c.mx = _mm512_setzero_pd();
    const Tolerance t{_mm512_set1_pd(atol), _mm512_set1_pd(rtol)};
    const std::uint64_t rows = n / kReduceLanes, laterSteps = rows * (kReduceLanes / kPassLanes - 1);
    BlockPrefetch nextA = nextChunkPrefetch(next.a, next.n * ea, laterSteps), nextB = nextChunkPrefetch(next.b, next.n * eb, laterSteps);
    for (unsigned base = 0; base < kReduceLanes; base += kPassLanes) {
        PassSums s;
        for (unsigned j = 0; j < 4; ++j) s.se[j] = s.sa[j] = s.dot[j] = s.sb[j] = _mm512_setzero_pd();
        for (std::uint64_t row = 0; row < rows; ++row) {
            const std::uint64_t i = row * kReduceLanes + base;
            passPrefetch(pa, ea, row, rows, base, nextA);
            passPrefetch(pb, eb, row, rows, base, nextB);
            for (unsigned h = 0; h < 2; ++h) {
                const __m512 a = loadSixteen<A>(pa + (i + 16 * h) * ea), b = loadSixteen<B>(pb + (i + 16 * h) * eb);
                if constexpr (Finite) sixteenFinitePairs<L>(a, b, s, h, c, t);
                else sixteenPairs<L>(a, b, s, h, c, t);
            }
        }
        // Random bits show a NaN within the first pass: stop there, not after the whole chunk.
        if (Finite && nonFiniteSquares(s)) return false;
        for (unsigned j = 0; j < 4; ++j) {
            _mm512_store_pd(st.se + base + 8 * j, s.se[j]);
            _mm512_store_pd(st.sa + base + 8 * j, s.sa[j]);
            _mm512_store_pd(st.dot + base + 8 * j, s.dot[j]);
            _mm512_store_pd(st.sb + base + 8 * j, s.sb[j]);
        }
    }
    st.r.nan = c.nan, st.r.inf = c.inf, st.r.over = c.over;
    alignas(64) double mx[8];
    _mm512_store_pd(mx, c.mx);
    for (double m : mx) st.r.maxAbs = m > st.r.maxAbs ? m : st.r.maxAbs;
    out = st.finish(pa, A, pb, B, rows * kReduceLanes, n, atol, rtol);
    return true;
}

// Real comparisons (a dequantization against its reference) hold no NaN or inf: the finite
// walk needs about a third fewer vector ops; a chunk that had one is walked again in full.
template <DType A, DType B, Limit L>
numeric::ErrorPartial errorsTolerance(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n, double atol,
                                      double rtol, const NextPair& next)
{
    numeric::ErrorPartial out;
    if (!walkChunk<A, B, true, L>(pa, pb, n, atol, rtol, next, out)) walkChunk<A, B, false, L>(pa, pb, n, atol, rtol, next, out);
    return out;
}

template <DType A, DType B>
numeric::ErrorPartial errorsTyped(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n, double atol,
                                  double rtol, const NextPair& next)
{
    switch (limitOf(atol, rtol)) {
    case Limit::Exact: return errorsTolerance<A, B, Limit::Exact>(pa, pb, n, atol, rtol, next);
    case Limit::Absolute: return errorsTolerance<A, B, Limit::Absolute>(pa, pb, n, atol, rtol, next);
    default: return errorsTolerance<A, B, Limit::Relative>(pa, pb, n, atol, rtol, next);
    }
}

} // namespace

bool takesErrors(DType a, DType b)
{
    const auto ok = [](DType d) { return d == DType::BF16 || d == DType::F32; };
    return ok(a) && ok(b);
}

numeric::ErrorPartial errorChunk(const std::uint8_t* a, DType aDtype, const std::uint8_t* b, DType bDtype,
                                 std::uint64_t n, double atol, double rtol, const std::uint8_t* nextA,
                                 const std::uint8_t* nextB, std::uint64_t nextN)
{
    const NextPair next{nextA, nextB, nextA && nextB ? nextN : 0};
    if (aDtype == DType::BF16)
        return bDtype == DType::BF16 ? errorsTyped<DType::BF16, DType::BF16>(a, b, n, atol, rtol, next)
                                     : errorsTyped<DType::BF16, DType::F32>(a, b, n, atol, rtol, next);
    return bDtype == DType::BF16 ? errorsTyped<DType::F32, DType::BF16>(a, b, n, atol, rtol, next)
                                 : errorsTyped<DType::F32, DType::F32>(a, b, n, atol, rtol, next);
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
