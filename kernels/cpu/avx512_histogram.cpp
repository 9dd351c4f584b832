// AVX-512 fixed-bin histograms of BF16 / F16 / F32 values (the dtypes not counted by raw code:
// F32, e.g. `hist` of a dequantized weight, and 16-bit tensors too small for a code table).
// Sixteen values per step: NaN, inf and zeros from the f32 bits, under / over by compare, the bin
// by an f32 product (fixed_bins.h argues when it is histogramSlot's bin), into a block of counter
// indices; then one increment per index. Counting straight from each step's vector of indices
// ran at a third of the speed: every increment's address waited on a load forwarded from that
// vector's store.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "kernels/cpu/avx512_target.h"

#include <algorithm>

namespace ckpt::cpu::avx512 {

namespace {

constexpr unsigned kBlock = 2048;  // indices per block: 8 KiB, in L1

struct Lanes {
    __m512 loF, k, margin, loUp, hiDown;
    __m512i last, under, over, zero, nan, inf;  // counts indices
};

CKPT_AVX512_INLINE __m512i splat(std::uint32_t v) { return _mm512_set1_epi32(static_cast<int>(v)); }

template <DType Dt>
CKPT_AVX512_INLINE __m512 loadSixteen(const std::uint8_t* p)
{
    if constexpr (Dt == DType::F32) return _mm512_loadu_ps(p);
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    if constexpr (Dt == DType::F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

// Counts indices of sixteen values; zero: their ±0 lanes; the return value: the lanes in
// [lo, hi] whose product lies too near a bin edge to decide.
CKPT_AVX512_INLINE __mmask16 sixteenIndices(__m512 x, const Lanes& c, std::uint32_t* index, __mmask16& zero)
{
    const __m512 q = _mm512_mul_ps(_mm512_sub_ps(x, c.loF), c.k);
    const __m512i b = _mm512_cvttps_epi32(_mm512_sub_ps(q, c.margin));
    const __mmask16 undecided = _mm512_cmpneq_epi32_mask(b, _mm512_cvttps_epi32(_mm512_add_ps(q, c.margin)));
    __m512i i = _mm512_min_epu32(b, c.last);
    // In [lo, hi] and not zero (so neither NaN nor inf): in real tensors nearly every step.
    const __mmask16 plain = _mm512_mask_cmp_ps_mask(_mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(x, c.loUp, _CMP_GE_OQ), x, c.hiDown, _CMP_LE_OQ),
                                                    x, _mm512_setzero_ps(), _CMP_NEQ_OQ);
    if (plain == 0xffff) {
        zero = 0;
        _mm512_store_si512(index, i);
        return undecided;
    }
    const __m512i bits = _mm512_castps_si512(x), absMask = _mm512_set1_epi32(0x7fffffff);
    const __m512i a = _mm512_and_si512(bits, absMask), infBits = _mm512_set1_epi32(0x7f800000);
    const __mmask16 nan = _mm512_cmpgt_epi32_mask(a, infBits), inf = _mm512_cmpeq_epi32_mask(a, infBits);
    zero = _mm512_testn_epi32_mask(bits, absMask);
    i = _mm512_mask_mov_epi32(i, _mm512_cmp_ps_mask(x, c.loUp, _CMP_LT_OQ), c.under);
    i = _mm512_mask_mov_epi32(i, _mm512_cmp_ps_mask(x, c.hiDown, _CMP_GT_OQ), c.over);
    i = _mm512_mask_mov_epi32(i, zero, c.zero);
    i = _mm512_mask_mov_epi32(i, inf, c.inf);
    i = _mm512_mask_mov_epi32(i, nan, c.nan);
    _mm512_store_si512(index, i);
    return static_cast<__mmask16>(undecided & plain);
}

template <DType Dt>
CKPT_AVX512 void countFixed(const std::uint8_t* p, std::uint64_t n, const FixedBinsF32& f, std::uint64_t* counts)
{
    constexpr std::uint64_t eb = Dt == DType::F32 ? 4 : 2;
    const Lanes c{_mm512_set1_ps(f.loF), _mm512_set1_ps(f.k),     _mm512_set1_ps(f.margin), _mm512_set1_ps(f.loUp),
                  _mm512_set1_ps(f.hiDown), splat(f.bins - 1),       splat(f.bins),            splat(f.bins + 1),
                  splat(f.zeroIndex),       splat(f.bins + 3),       splat(f.bins + 4)};
    alignas(64) std::uint32_t index[kBlock];
    std::uint64_t zeros = 0, i = 0;
    for (; i + 16 <= n;) {
        const unsigned block = static_cast<unsigned>(std::min<std::uint64_t>(kBlock, (n - i) & ~15ull));
        for (unsigned j = 0; j < block; j += 16) {
            const std::uint8_t* at = p + (i + j) * eb;
            __builtin_prefetch(at + kPrefetchAheadBytes);
            __mmask16 zero;
            for (unsigned undecided = sixteenIndices(loadSixteen<Dt>(at), c, index + j, zero); undecided != 0;
                 undecided &= undecided - 1) {
                const unsigned l = static_cast<unsigned>(__builtin_ctz(undecided));
                index[j + l] = f.indexOf(numeric::loadF64(p, Dt, i + j + l));
            }
            zeros += static_cast<std::uint64_t>(__builtin_popcount(zero));
        }
        for (unsigned j = 0; j < block; ++j) ++counts[index[j]];
        i += block;
    }
    for (; i < n; ++i) {
        const double v = numeric::loadF64(p, Dt, i);
        ++counts[f.indexOf(v)];
        zeros += v == 0.0;
    }
    counts[f.bins + 2] += zeros;
}

} // namespace

void histogramFixed(const std::uint8_t* p, DType dtype, std::uint64_t n, const FixedBinsF32& f, std::uint64_t* counts)
{
    switch (dtype) {
    case DType::BF16: return countFixed<DType::BF16>(p, n, f, counts);
    case DType::F16: return countFixed<DType::F16>(p, n, f, counts);
    default: return countFixed<DType::F32>(p, n, f, counts);
    }
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
