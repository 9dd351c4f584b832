// AVX-512 loops of the FP8 block and FP4 group quantizers: sixteen lanes per step of the same
// arithmetic as the scalar codecs (core/numeric/fp8_e4m3.h, fp4_e2m1.h), with two exact
// shortcuts that make them branch-free:
// - A target subnormal (|y| below e4m3's or e2m1's smallest normal) is rounded by one float add:
//   in |y| + 2^14 the last mantissa bit is worth 2^-9, e4m3's subnormal step (2^22 and 0.5 for
//   e2m1), so the adder's round-to-nearest-even is the codec's, and the low bits are the steps.
// - A power-of-two scale (every FP4 scale, FP8 blocks with E8M0 scales) multiplies by its
//   reciprocal instead of dividing: 1 / 2^k is exact, and x * 2^-k and x / 2^k are then the same
//   real number rounded once, whatever x (subnormal results included).

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "core/numeric/quant_rules.h"
#include "kernels/cpu/avx512_quant_lanes.h"
#include "kernels/cpu/avx512_target.h"
#include "kernels/cpu/prefetch.h"

namespace ckpt::cpu::avx512 {

namespace {

// Sixteen inputs (lanes past the mask read as +0) as f32. vcvtph2ps is exact on F16, subnormals
// included; it quiets a signalling NaN, which the encoders map to the same code either way.
template <DType In>
CKPT_AVX512_INLINE __m512 load16(const std::uint8_t* p, __mmask16 m)
{
    if constexpr (In == DType::F32) {
        return _mm512_maskz_loadu_ps(m, p);
    } else {
        const __m256i h = _mm256_maskz_loadu_epi16(m, p);
        if constexpr (In == DType::BF16) return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
        else return _mm512_cvtph_ps(h);
    }
}

// |x| bits, or 0 for inf and NaN.
CKPT_AVX512_INLINE __m512i finiteAbs(__m512 x)
{
    const __m512i a = _mm512_and_si512(_mm512_castps_si512(x), splat(0x7fffffffu));
    return _mm512_maskz_mov_epi32(_mm512_cmple_epu32_mask(a, splat(0x7f7fffffu)), a);
}

// f32BitsToE2m1 (RNE on the e2m1 grid, saturate to 6, NaN -> code 0), one code per 32-bit lane.
CKPT_AVX512_INLINE __m512i toE2m1(__m512 y)
{
    const __m512i u = _mm512_castps_si512(y);
    const __m512i a = _mm512_and_si512(u, splat(0x7fffffffu));
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(a, 22), splat(1));
    const __m512i r = _mm512_add_epi32(_mm512_add_epi32(a, splat(0x1fffffu)), lsb);
    __m512i c = _mm512_sub_epi32(_mm512_srli_epi32(r, 22), splat(126u << 1));
    const __m512 shifted = _mm512_add_ps(_mm512_castsi512_ps(a), _mm512_set1_ps(0x1p22f));
    c = _mm512_mask_sub_epi32(c, _mm512_cmplt_epu32_mask(a, splat(0x3f800000u)), _mm512_castps_si512(shifted),
                              splat(0x4a800000u));  // the bits of 2^22
    c = _mm512_mask_mov_epi32(c, _mm512_cmpgt_epu32_mask(a, splat(0x40bfffffu)), splat(0x7u));
    c = _mm512_or_si512(c, _mm512_and_si512(_mm512_srli_epi32(u, 28), splat(0x8u)));
    return _mm512_maskz_mov_epi32(_mm512_cmple_epu32_mask(a, splat(0x7f800000u)), c);
}

// Thirty-two e2m1 codes (lo: elements 0-15, hi: 16-31, one per 32-bit lane) -> sixteen bytes,
// low nibble first.
CKPT_AVX512_INLINE __m128i packNibbles(__m512i lo, __m512i hi)
{
    const __m128i a = _mm512_cvtepi64_epi8(_mm512_or_si512(lo, _mm512_srli_epi64(lo, 28)));
    const __m128i b = _mm512_cvtepi64_epi8(_mm512_or_si512(hi, _mm512_srli_epi64(hi, 28)));
    return _mm_unpacklo_epi64(a, b);
}

// BF16 |x| bits order like the f32 ones they widen to, so the amax of BF16 runs on the 16-bit
// codes themselves: 32 per vector, no widening.
CKPT_AVX512 std::uint32_t absMaxBf16(const std::uint8_t* in, std::uint64_t n, std::uint32_t m)
{
    const __m512i absMask = _mm512_set1_epi16(0x7fff), maxFinite = _mm512_set1_epi16(0x7f7f);
    __m512i v = _mm512_setzero_si512();
    for (std::uint64_t i = 0; i < n; i += 32) {
        const __mmask32 lanes = n - i >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << (n - i)) - 1);
        const __m512i a = _mm512_and_si512(_mm512_maskz_loadu_epi16(lanes, in + 2 * i), absMask);
        v = _mm512_mask_max_epu16(v, _mm512_cmple_epu16_mask(a, maxFinite), v, a);
    }
    // Widen the sixteen 16-bit maxima pairs to 32-bit lanes for the reduction.
    const __m512i wide = _mm512_max_epu32(_mm512_and_si512(v, _mm512_set1_epi32(0xffff)), _mm512_srli_epi32(v, 16));
    const std::uint32_t r = _mm512_reduce_max_epu32(wide) << 16;
    return r > m ? r : m;
}

template <DType In>
CKPT_AVX512 std::uint32_t absMaxWidened(const std::uint8_t* in, std::uint64_t n, std::uint32_t m)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    __m512i v0 = _mm512_setzero_si512(), v1 = _mm512_setzero_si512();
    std::uint64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        v0 = _mm512_max_epu32(v0, finiteAbs(load16<In>(in + i * eb, 0xffff)));
        v1 = _mm512_max_epu32(v1, finiteAbs(load16<In>(in + (i + 16) * eb, 0xffff)));
    }
    for (; i < n; i += 16) v0 = _mm512_max_epu32(v0, finiteAbs(load16<In>(in + i * eb, firstLanes(n - i))));
    const std::uint32_t v = _mm512_reduce_max_epu32(_mm512_max_epu32(v0, v1));
    return v > m ? v : m;
}

template <DType In>
CKPT_AVX512 std::uint32_t absMaxTyped(const std::uint8_t* in, std::uint64_t n, std::uint32_t m)
{
    if constexpr (In == DType::BF16) return absMaxBf16(in, n, m);
    else return absMaxWidened<In>(in, n, m);
}

template <DType In, bool Exact>
CKPT_AVX512 void fp8EncodeTyped(const std::uint8_t* in, float divisorOrReciprocal, std::uint8_t* out, std::uint64_t n)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    const __m512 s = _mm512_set1_ps(divisorOrReciprocal);
    std::uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const std::uint8_t* p = in + i * eb;
        if constexpr (In == DType::BF16) {
            fp8Encode64Bf16<Exact>(p, s, out + i);
            continue;
        }
        const __m128i c0 = _mm512_cvtepi32_epi8(toE4m3(scaled<Exact>(load16<In>(p, 0xffff), s)));
        const __m128i c1 = _mm512_cvtepi32_epi8(toE4m3(scaled<Exact>(load16<In>(p + 16 * eb, 0xffff), s)));
        const __m128i c2 = _mm512_cvtepi32_epi8(toE4m3(scaled<Exact>(load16<In>(p + 32 * eb, 0xffff), s)));
        const __m128i c3 = _mm512_cvtepi32_epi8(toE4m3(scaled<Exact>(load16<In>(p + 48 * eb, 0xffff), s)));
        const __m256i lo = _mm256_inserti128_si256(_mm256_castsi128_si256(c0), c1, 1);
        const __m256i hi = _mm256_inserti128_si256(_mm256_castsi128_si256(c2), c3, 1);
        _mm512_storeu_si512(out + i, _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1));
    }
    for (; i < n; i += 16) {
        const __mmask16 m = firstLanes(n - i);
        _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(toE4m3(scaled<Exact>(load16<In>(in + i * eb, m), s))));
    }
}

// One FP4 group of n (even) values: its scale byte and n / 2 packed bytes.
template <DType In>
CKPT_AVX512_INLINE void fp4Group(const std::uint8_t* in, std::uint64_t n, std::uint8_t* out, std::uint8_t* scale)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    const std::uint8_t byte = numeric::fp4GroupScale(numeric::bitsToF32(absMaxTyped<In>(in, n, 0)));
    *scale = byte;
    // byte is in [1, 254]: the scale 2^(byte - 127) is a normal float, its reciprocal exact.
    const __m512 r = _mm512_set1_ps(numeric::exactReciprocal(numeric::e8m0Fp4ScaleToF32(byte)));
    for (std::uint64_t k = 0; k < n; k += 32) {
        const __mmask16 m0 = firstLanes(n - k), m1 = n - k > 16 ? firstLanes(n - k - 16) : 0;
        const __m512i lo = toE2m1(_mm512_mul_ps(load16<In>(in + k * eb, m0), r));
        const __m512i hi = toE2m1(_mm512_mul_ps(load16<In>(in + (k + 16) * eb, m1), r));
        const std::uint64_t bytes = (n - k) / 2;
        _mm_mask_storeu_epi8(out + k / 2, bytes >= 16 ? 0xffff : static_cast<__mmask16>((1u << bytes) - 1),
                             packNibbles(lo, hi));
    }
}

// Sixteen FP4 groups of 32: their amaxes are reduced into one vector so the scale bytes and
// their exact reciprocals are computed together.
template <DType In>
CKPT_AVX512_INLINE void fp4Groups16x32(const std::uint8_t* in, std::uint8_t* out, std::uint8_t* scales)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    alignas(64) std::uint32_t amax[16];
    for (int g = 0; g < 16; ++g) {
        const std::uint8_t* p = in + g * 32 * eb;
        amax[g] = _mm512_reduce_max_epu32(_mm512_max_epu32(finiteAbs(load16<In>(p, 0xffff)),
                                                           finiteAbs(load16<In>(p + 16 * eb, 0xffff))));
    }
    const __m512i b = fp4GroupScales(_mm512_load_si512(amax));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(scales), _mm512_cvtepi32_epi8(b));
    // amax is finite, so amax / 6 < 2^126 and b <= 253: 1 / 2^(b - 127) = 2^(127 - b) is normal.
    alignas(64) float recip[16];
    _mm512_store_si512(recip, _mm512_slli_epi32(_mm512_sub_epi32(splat(254), b), 23));
    for (int g = 0; g < 16; ++g) {
        const std::uint8_t* p = in + g * 32 * eb;
        const __m512 r = _mm512_set1_ps(recip[g]);
        const __m512i lo = toE2m1(_mm512_mul_ps(load16<In>(p, 0xffff), r));
        const __m512i hi = toE2m1(_mm512_mul_ps(load16<In>(p + 16 * eb, 0xffff), r));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + g * 16), packNibbles(lo, hi));
    }
}

template <DType In>
CKPT_AVX512 void fp4GroupsTyped(const std::uint8_t* in, std::uint64_t groupSize, std::uint64_t n, std::uint8_t* out,
                                std::uint8_t* scales)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    std::uint64_t c = 0, g = 0;
    if (groupSize == 32)  // V4's experts
        for (; c + 512 <= n; c += 512, g += 16) {
            prefetchLines(in + c * eb + kPrefetchAheadBytesFastLoop, 512 * eb);  // 1.5x from L3
            if constexpr (In == DType::BF16) fp4Groups16x32Bf16(in + c * eb, out + c / 2, scales + g);
            else fp4Groups16x32<In>(in + c * eb, out + c / 2, scales + g);
        }
    for (; c < n; c += groupSize, ++g)
        fp4Group<In>(in + c * eb, n - c < groupSize ? n - c : groupSize, out + c / 2, scales + g);
}

template <DType In>
void fp8EncodeDispatch(const std::uint8_t* in, float scale, std::uint8_t* out, std::uint64_t n)
{
    const float r = numeric::exactReciprocal(scale);
    if (r != 0.0f) fp8EncodeTyped<In, true>(in, r, out, n);
    else fp8EncodeTyped<In, false>(in, scale, out, n);
}

} // namespace

std::uint32_t absMaxBits(const std::uint8_t* in, DType inDtype, std::uint64_t n, std::uint32_t m)
{
    switch (inDtype) {
    case DType::BF16: return absMaxTyped<DType::BF16>(in, n, m);
    case DType::F16: return absMaxTyped<DType::F16>(in, n, m);
    default: return absMaxTyped<DType::F32>(in, n, m);
    }
}

void fp8Encode(const std::uint8_t* in, DType inDtype, float scale, std::uint8_t* out, std::uint64_t n)
{
    switch (inDtype) {
    case DType::BF16: fp8EncodeDispatch<DType::BF16>(in, scale, out, n); break;
    case DType::F16: fp8EncodeDispatch<DType::F16>(in, scale, out, n); break;
    default: fp8EncodeDispatch<DType::F32>(in, scale, out, n); break;
    }
}

void fp4QuantGroups(const std::uint8_t* in, DType inDtype, std::uint64_t groupSize, std::uint64_t n,
                    std::uint8_t* out, std::uint8_t* scales)
{
    switch (inDtype) {
    case DType::BF16: fp4GroupsTyped<DType::BF16>(in, groupSize, n, out, scales); break;
    case DType::F16: fp4GroupsTyped<DType::F16>(in, groupSize, n, out, scales); break;
    default: fp4GroupsTyped<DType::F32>(in, groupSize, n, out, scales); break;
    }
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
