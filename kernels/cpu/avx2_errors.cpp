// AVX2 error metrics of one reduce chunk (each side BF16 / F16 / F32), in the lane order of
// reduce_rules.h: lane l of kReduceLanes accumulates elements l, l + kReduceLanes, ... in f64
// (separate multiplies and adds; a fused one for the products of two f32 values, exact in
// f64, so that only the sum rounds), folded by the same tree as cpu_reduce.cpp, so the
// sums have the same bits. Classification runs on the f32 bits; the tolerance test is the f64
// arithmetic of pairOverTolerance.

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "kernels/cpu/avx2_codecs.h"
#include "kernels/cpu/reduce_lanes.h"

namespace ckpt::cpu::avx2 {

namespace {

using numeric::kReduceLanes;

struct Counters {
    __m256i nan, inf, over32, over64;
    __m256d mx;
};

// Four lanes' sums, in registers.
struct FourSums {
    __m256d se, sa, dot, sb;
};

// Four finite pairs (zeroed where not finite) into sums t; fin64: the finite mask. Limit::Exact
// counts nothing here: its caller compares the f32 values.
template <Limit L = Limit::Relative>
CKPT_AVX2_INLINE void addFourPairs(__m256d fa, __m256d fb, __m256i fin64, FourSums& t, Counters& c, __m256d atol,
                                   __m256d rtol)
{
    const __m256d absMask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffll));
    const __m256d e = _mm256_sub_pd(fa, fb);
    const __m256d d = _mm256_and_pd(e, absMask);
    t.se = _mm256_add_pd(t.se, _mm256_mul_pd(e, e));
    t.sa = _mm256_fmadd_pd(fa, fa, t.sa);
    t.dot = _mm256_fmadd_pd(fa, fb, t.dot);
    t.sb = _mm256_fmadd_pd(fb, fb, t.sb);
    c.mx = _mm256_max_pd(c.mx, d);
    if constexpr (L != Limit::Exact) {
        const __m256d limit = L == Limit::Relative ? _mm256_add_pd(atol, _mm256_mul_pd(rtol, _mm256_and_pd(fa, absMask))) : atol;
        const __m256i over = _mm256_and_si256(fin64, _mm256_castpd_si256(_mm256_cmp_pd(d, limit, _CMP_GT_OQ)));
        c.over64 = _mm256_sub_epi64(c.over64, over);
    }
}

CKPT_AVX2_INLINE FourSums loadSums(const ErrorLaneState& s, unsigned i)
{
    return {_mm256_load_pd(s.se + i), _mm256_load_pd(s.sa + i), _mm256_load_pd(s.dot + i), _mm256_load_pd(s.sb + i)};
}

CKPT_AVX2_INLINE void storeSums(const FourSums& t, ErrorLaneState& s, unsigned i)
{
    _mm256_store_pd(s.se + i, t.se), _mm256_store_pd(s.sa + i, t.sa), _mm256_store_pd(s.dot + i, t.dot), _mm256_store_pd(s.sb + i, t.sb);
}

// Four pairs into lanes [i, i + 4) of the state in memory (the classifying walk).
CKPT_AVX2_INLINE void fourPairs(__m256d fa, __m256d fb, __m256i fin64, ErrorLaneState& s, unsigned i, Counters& c,
                                __m256d atol, __m256d rtol)
{
    FourSums t = loadSums(s, i);
    addFourPairs(fa, fb, fin64, t, c, atol, rtol);
    storeSums(t, s, i);
}

CKPT_AVX2_INLINE void eightPairs(__m256 a, __m256 b, ErrorLaneState& s, unsigned i, Counters& c, __m256d atol, __m256d rtol)
{
    const __m256i ua = _mm256_castps_si256(a), ub = _mm256_castps_si256(b);
    const __m256i absA = _mm256_and_si256(ua, splat(0x7fffffffu)), absB = _mm256_and_si256(ub, splat(0x7fffffffu));
    const __m256i na = gt(absA, splat(0x7f800000u)), nb = gt(absB, splat(0x7f800000u));
    const __m256i nan = _mm256_or_si256(na, nb);
    const __m256i anyInf = _mm256_or_si256(_mm256_cmpeq_epi32(absA, splat(0x7f800000u)), _mm256_cmpeq_epi32(absB, splat(0x7f800000u)));
    const __m256i inf = _mm256_andnot_si256(nan, anyInf);
    const __m256i fin = _mm256_andnot_si256(_mm256_or_si256(nan, inf), splat(0xffffffffu));
    c.nan = _mm256_sub_epi32(c.nan, nan);
    c.inf = _mm256_sub_epi32(c.inf, inf);
    // Over tolerance outside the finite pairs: NaN on one side only, or unequal infinities.
    const __m256i unequal = _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_NEQ_UQ));
    const __m256i overNan = _mm256_and_si256(nan, _mm256_xor_si256(na, nb));
    c.over32 = _mm256_sub_epi32(c.over32, _mm256_or_si256(overNan, _mm256_and_si256(inf, unequal)));
    const __m256 fa = _mm256_castsi256_ps(_mm256_and_si256(fin, ua)), fb = _mm256_castsi256_ps(_mm256_and_si256(fin, ub));
    fourPairs(_mm256_cvtps_pd(_mm256_castps256_ps128(fa)), _mm256_cvtps_pd(_mm256_castps256_ps128(fb)),
              _mm256_cvtepi32_epi64(_mm256_castsi256_si128(fin)), s, i, c, atol, rtol);
    fourPairs(_mm256_cvtps_pd(_mm256_extractf128_ps(fa, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(fb, 1)),
              _mm256_cvtepi32_epi64(_mm256_extracti128_si256(fin, 1)), s, i + 4, c, atol, rtol);
}

template <typename T>
CKPT_AVX2 std::uint64_t sumLanes(__m256i v)
{
    alignas(32) T l[32 / sizeof(T)];
    _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
    std::uint64_t s = 0;
    for (T x : l) s += static_cast<std::uint64_t>(x);
    return s;
}

template <DType A, DType B>
CKPT_AVX2 numeric::ErrorPartial errorsTyped(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n,
                                            double atol, double rtol)
{
    constexpr std::uint64_t ea = A == DType::F32 ? 4 : 2, eb = B == DType::F32 ? 4 : 2;
    ErrorLaneState s;
    Counters c{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
               _mm256_setzero_pd()};
    const __m256d vAtol = _mm256_set1_pd(atol), vRtol = _mm256_set1_pd(rtol);
    std::uint64_t k = 0;
    for (; k + kReduceLanes <= n; k += kReduceLanes)
        for (unsigned l = 0; l < kReduceLanes; l += 8)
            eightPairs(loadEight<A>(pa + (k + l) * ea), loadEight<B>(pb + (k + l) * eb), s, l, c, vAtol, vRtol);
    numeric::ErrorPartial& r = s.r;
    r.nan = sumLanes<std::uint32_t>(c.nan), r.inf = sumLanes<std::uint32_t>(c.inf);
    r.over = sumLanes<std::uint32_t>(c.over32) + sumLanes<std::uint64_t>(c.over64);
    alignas(32) double mx[4];
    _mm256_store_pd(mx, c.mx);
    for (double m : mx) r.maxAbs = m > r.maxAbs ? m : r.maxAbs;
    return s.finish(pa, A, pb, B, k, n, atol, rtol);
}

// Chunks without NaN or inf (real comparisons): the four lane sums stay in registers, eight
// lanes per pass (2 ymm each), each lane adding its pairs l, l + 256, ... in order as above. A
// NaN or inf turns its lane's sum of squares into a NaN or inf (finite values cannot overflow
// it: 2^16 squares of at most 2^256), checked after each pass: false, and the chunk is walked
// again by errorsTyped.
constexpr unsigned kPassLanes = 8;

CKPT_AVX2_INLINE bool nonFinite(__m256d v) { return _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(v, v), _mm256_setzero_pd(), _CMP_NEQ_UQ)) != 0; }

template <DType A, DType B, Limit L>
CKPT_AVX2 bool finiteErrors(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t rows, double atol, double rtol,
                            ErrorLaneState& s, BlockPrefetch& nextA, BlockPrefetch& nextB)
{
    constexpr std::uint64_t ea = A == DType::F32 ? 4 : 2, eb = B == DType::F32 ? 4 : 2;
    const __m256d vAtol = _mm256_set1_pd(atol), vRtol = _mm256_set1_pd(rtol);
    const __m256i all = _mm256_set1_epi64x(-1);
    Counters c{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
               _mm256_setzero_pd()};
    for (unsigned base = 0; base < kReduceLanes; base += kPassLanes) {
        const __m256d zero = _mm256_setzero_pd();
        FourSums t[2] = {{zero, zero, zero, zero}, {zero, zero, zero, zero}};
        for (std::uint64_t row = 0; row < rows; ++row) {
            const std::uint64_t i = row * kReduceLanes + base;
            passPrefetch(pa, ea, row, rows, base, nextA);
            passPrefetch(pb, eb, row, rows, base, nextB);
            const __m256 a = loadEight<A>(pa + i * ea), b = loadEight<B>(pb + i * eb);
            if constexpr (L == Limit::Exact) c.over32 = _mm256_sub_epi32(c.over32, _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_NEQ_UQ)));
            addFourPairs<L>(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), _mm256_cvtps_pd(_mm256_castps256_ps128(b)), all,
                                   t[0], c, vAtol, vRtol);
            addFourPairs<L>(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)),
                                   all, t[1], c, vAtol, vRtol);
        }
        if (nonFinite(_mm256_add_pd(_mm256_add_pd(t[0].sa, t[1].sa), _mm256_add_pd(t[0].sb, t[1].sb)))) return false;
        storeSums(t[0], s, base);
        storeSums(t[1], s, base + 4);
    }
    s.r.over = sumLanes<std::uint64_t>(c.over64) + sumLanes<std::uint32_t>(c.over32);
    alignas(32) double m[4];
    _mm256_store_pd(m, c.mx);
    for (double v : m) s.r.maxAbs = v > s.r.maxAbs ? v : s.r.maxAbs;
    return true;
}

template <DType A, DType B>
CKPT_AVX2 numeric::ErrorPartial errorsFast(const std::uint8_t* pa, const std::uint8_t* pb, std::uint64_t n, double atol,
                                           double rtol, const std::uint8_t* nextA, const std::uint8_t* nextB,
                                           std::uint64_t nextN)
{
    constexpr std::uint64_t ea = A == DType::F32 ? 4 : 2, eb = B == DType::F32 ? 4 : 2;
    const std::uint64_t rows = n / kReduceLanes, laterSteps = rows * (kReduceLanes / kPassLanes - 1);
    BlockPrefetch prefetchA = nextChunkPrefetch(nextA, nextN * ea, laterSteps), prefetchB = nextChunkPrefetch(nextB, nextN * eb, laterSteps);
    ErrorLaneState s;
    bool walked;
    switch (limitOf(atol, rtol)) {
    case Limit::Exact: walked = finiteErrors<A, B, Limit::Exact>(pa, pb, rows, atol, rtol, s, prefetchA, prefetchB); break;
    case Limit::Absolute: walked = finiteErrors<A, B, Limit::Absolute>(pa, pb, rows, atol, rtol, s, prefetchA, prefetchB); break;
    default: walked = finiteErrors<A, B, Limit::Relative>(pa, pb, rows, atol, rtol, s, prefetchA, prefetchB);
    }
    if (walked)
        return s.finish(pa, A, pb, B, rows * kReduceLanes, n, atol, rtol);
    return errorsTyped<A, B>(pa, pb, n, atol, rtol);
}

using ErrorsFn = numeric::ErrorPartial (*)(const std::uint8_t*, const std::uint8_t*, std::uint64_t, double, double,
                                           const std::uint8_t*, const std::uint8_t*, std::uint64_t);

template <DType A>
ErrorsFn pickB(DType b)
{
    switch (b) {
    case DType::BF16: return errorsFast<A, DType::BF16>;
    case DType::F16: return errorsFast<A, DType::F16>;
    default: return errorsFast<A, DType::F32>;
    }
}

} // namespace

numeric::ErrorPartial errorChunk(const std::uint8_t* a, DType aDtype, const std::uint8_t* b, DType bDtype,
                                 std::uint64_t n, double atol, double rtol, const std::uint8_t* nextA,
                                 const std::uint8_t* nextB, std::uint64_t nextN)
{
    const ErrorsFn fn = aDtype == DType::BF16 ? pickB<DType::BF16>(bDtype)
                        : aDtype == DType::F16 ? pickB<DType::F16>(bDtype)
                                               : pickB<DType::F32>(bDtype);
    return fn(a, b, n, atol, rtol, nextA, nextB, nextA && nextB ? nextN : 0);
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
