// AVX2 loops of the FP8 block and FP4 group quantizers: the amax (max of |x| bits over finite
// values, an integer max) and the encoders x / scale -> e4m3 / e2m1 (the division the spec
// requires, then the branch-free RNE / saturate / NaN selects of the scalar codecs).

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/quant_rules.h"
#include "kernels/cpu/avx2_codecs.h"

#include <cstring>

namespace ckpt::cpu::avx2 {

namespace {

// |x| bits, or 0 for inf and NaN.
CKPT_AVX2_INLINE __m256i finiteAbs(__m256 x)
{
    const __m256i a = _mm256_and_si256(_mm256_castps_si256(x), splat(0x7fffffffu));
    return _mm256_andnot_si256(gt(a, splat(0x7f7fffffu)), a);
}

template <DType In>
CKPT_AVX2 std::uint32_t absMaxTyped(const std::uint8_t* in, std::uint64_t n, std::uint32_t m)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    __m256i v0 = _mm256_setzero_si256(), v1 = _mm256_setzero_si256();
    std::uint64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v0 = _mm256_max_epu32(v0, finiteAbs(loadEight<In>(in + i * eb)));
        v1 = _mm256_max_epu32(v1, finiteAbs(loadEight<In>(in + (i + 8) * eb)));
    }
    alignas(32) std::uint32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_max_epu32(v0, v1));
    for (std::uint32_t l : lanes) m = l > m ? l : m;
    for (; i < n; ++i) {
        const std::uint32_t a = numeric::f32ToBits(numeric::loadF32(in, In, i)) & numeric::kF32AbsMask;
        const std::uint32_t v = a < numeric::kF32InfBits ? a : 0u;
        m = v > m ? v : m;
    }
    return m;
}

template <DType In>
CKPT_AVX2 void encodeTyped(const std::uint8_t* in, float scale, std::uint8_t* out, std::uint64_t n)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    const __m256 s = _mm256_set1_ps(scale);
    std::uint64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const std::uint8_t* p = in + i * eb;
        const __m256i c0 = f32ToE4m3Fast(_mm256_div_ps(loadEight<In>(p), s));
        const __m256i c1 = f32ToE4m3Fast(_mm256_div_ps(loadEight<In>(p + 8 * eb), s));
        const __m256i c2 = f32ToE4m3Fast(_mm256_div_ps(loadEight<In>(p + 16 * eb), s));
        const __m256i c3 = f32ToE4m3Fast(_mm256_div_ps(loadEight<In>(p + 24 * eb), s));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), packU8(c0, c1, c2, c3));
    }
    for (; i < n; ++i) out[i] = numeric::f32ToE4m3(numeric::loadF32(in, In, i) / scale);
}

template <DType In>
CKPT_AVX2 void fp4EncodeTyped(const std::uint8_t* in, float scale, std::uint8_t* out, std::uint64_t pairs)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    const __m256 s = _mm256_set1_ps(scale);
    std::uint64_t i = 0;
    for (; i + 4 <= pairs; i += 4) {
        const std::uint32_t packed = packNibbles(f32ToE2m1(_mm256_div_ps(loadEight<In>(in + 2 * i * eb), s)));
        std::memcpy(out + i, &packed, 4);
    }
    for (; i < pairs; ++i) {
        const std::uint8_t lo = numeric::f32ToE2m1(numeric::loadF32(in, In, 2 * i) / scale);
        const std::uint8_t hi = numeric::f32ToE2m1(numeric::loadF32(in, In, 2 * i + 1) / scale);
        out[i] = static_cast<std::uint8_t>(lo | (hi << 4));
    }
}

// Eight inputs' e2m1 codes at reciprocal r, packed: four bytes.
template <DType In>
CKPT_AVX2_INLINE void fp4Eight(const std::uint8_t* p, __m256 r, std::uint8_t* out)
{
    const std::uint32_t packed = packNibbles(f32ToE2m1(_mm256_mul_ps(loadEight<In>(p), r)));
    std::memcpy(out, &packed, 4);
}

// The largest |x| bits (as f32) over the finite values of one group of 32, in some lane. BF16
// on its 16-bit codes: each 32-bit lane then holds the larger of its two halves' codes << 16.
template <DType In>
CKPT_AVX2_INLINE __m256i groupMaxima(const std::uint8_t* p)
{
    if constexpr (In == DType::BF16) {
        const __m256i absMask = _mm256_set1_epi16(0x7fff), maxFinite = _mm256_set1_epi16(0x7f7f);
        const __m256i a0 = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), absMask);
        const __m256i a1 = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), absMask);
        const __m256i m = _mm256_max_epu16(_mm256_andnot_si256(_mm256_cmpgt_epi16(a0, maxFinite), a0),
                                           _mm256_andnot_si256(_mm256_cmpgt_epi16(a1, maxFinite), a1));
        return _mm256_max_epu32(_mm256_slli_epi32(m, 16), _mm256_and_si256(m, splat(0xffff0000u)));
    }
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2;
    return _mm256_max_epu32(_mm256_max_epu32(finiteAbs(loadEight<In>(p)), finiteAbs(loadEight<In>(p + 8 * eb))),
                            _mm256_max_epu32(finiteAbs(loadEight<In>(p + 16 * eb)), finiteAbs(loadEight<In>(p + 24 * eb))));
}

// Lane g of the result: the largest lane of m[g] (eight horizontal maxima by three rounds of
// pairwise interleaves).
CKPT_AVX2_INLINE __m256i horizontalMaxima(const __m256i* m)
{
    __m256i a[4], b[2];
    for (unsigned i = 0; i < 4; ++i)
        a[i] = _mm256_max_epu32(_mm256_unpacklo_epi32(m[2 * i], m[2 * i + 1]), _mm256_unpackhi_epi32(m[2 * i], m[2 * i + 1]));
    for (unsigned i = 0; i < 2; ++i)
        b[i] = _mm256_max_epu32(_mm256_unpacklo_epi64(a[2 * i], a[2 * i + 1]), _mm256_unpackhi_epi64(a[2 * i], a[2 * i + 1]));
    // b[0] lanes: groups 0 1 2 3 (low and high half of each), b[1]: groups 4 5 6 7.
    const __m256i lo = _mm256_permute2x128_si256(b[0], b[1], 0x20), hi = _mm256_permute2x128_si256(b[0], b[1], 0x31);
    return _mm256_max_epu32(lo, hi);
}

// numeric::fp4GroupScale of eight amaxes (finite, >= 0): the smallest 2^k >= amax / 6 as byte
// k + 127 clamped to [1, 254], 127 where amax / 6 is 0; and the exact reciprocal of each scale
// (2^(127 - byte), the subnormal 2^-127 for byte 254).
CKPT_AVX2_INLINE __m256i groupScales(__m256i amaxBits, __m256& reciprocal)
{
    const __m256 s = _mm256_div_ps(_mm256_castsi256_ps(amaxBits), _mm256_set1_ps(6.0f));
    const __m256i u = _mm256_castps_si256(s);
    // e + 1, less 1 where the mantissa is 0 (the compare gives -1 there): e + (s inexact).
    const __m256i exact = _mm256_cmpeq_epi32(_mm256_and_si256(u, splat(0x7fffffu)), _mm256_setzero_si256());
    const __m256i up = _mm256_add_epi32(_mm256_add_epi32(_mm256_srli_epi32(u, 23), splat(1)), exact);
    const __m256i b = _mm256_min_epi32(_mm256_max_epi32(up, splat(1)), splat(254));
    const __m256i bytes = select(_mm256_cmpeq_epi32(u, _mm256_setzero_si256()), splat(127), b);
    const __m256i r = select(_mm256_cmpeq_epi32(bytes, splat(254)), splat(1u << 22), _mm256_slli_epi32(_mm256_sub_epi32(splat(254), bytes), 23));
    reciprocal = _mm256_castsi256_ps(r);
    return bytes;
}

// V4's experts: whole groups of 32 values, eight groups at a time: their maxima, then their
// scale bytes and exact reciprocals in one vector (one division for eight groups), then the
// codes, multiplied by the reciprocal; the last groups one by one with the scalar scale rule.
template <DType In>
CKPT_AVX2 void fp4Groups32Typed(const std::uint8_t* in, std::uint64_t groups, std::uint8_t* out, std::uint8_t* scales)
{
    constexpr std::uint64_t eb = In == DType::F32 ? 4 : 2, groupBytes = 32 * eb;
    std::uint64_t g = 0;
    for (; g + 8 <= groups; g += 8) {
        const std::uint8_t* p = in + g * groupBytes;
        __m256i m[8];
        for (unsigned i = 0; i < 8; ++i) m[i] = groupMaxima<In>(p + i * groupBytes);
        __m256 r;
        const __m256i bytes = groupScales(horizontalMaxima(m), r);
        const __m128i b16 = _mm_packus_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(scales + g), _mm_packus_epi16(b16, b16));
        if (In == DType::BF16 && fp4Groups32Bf16(p, scales + g, 8, out + 16 * g)) continue;
        for (unsigned i = 0; i < 8; ++i) {
            const __m256 ri = _mm256_permutevar8x32_ps(r, splat(i));
            for (unsigned k = 0; k < 4; ++k) fp4Eight<In>(p + i * groupBytes + 8 * k * eb, ri, out + 16 * (g + i) + 4 * k);
        }
    }
    for (; g < groups; ++g) {
        const std::uint8_t* p = in + g * groupBytes;
        const std::uint8_t byte = numeric::fp4GroupScale(numeric::bitsToF32(absMaxTyped<In>(p, 32, 0)));
        scales[g] = byte;
        const __m256 r = _mm256_set1_ps(numeric::exactReciprocal(numeric::e8m0Fp4ScaleToF32(byte)));  // byte in [1, 254]
        for (unsigned k = 0; k < 4; ++k) fp4Eight<In>(p + 8 * k * eb, r, out + 16 * g + 4 * k);
    }
}

} // namespace

void fp4Groups32(const std::uint8_t* in, DType inDtype, std::uint64_t groups, std::uint8_t* out, std::uint8_t* scales)
{
    switch (inDtype) {
    case DType::BF16: fp4Groups32Typed<DType::BF16>(in, groups, out, scales); break;
    case DType::F16: fp4Groups32Typed<DType::F16>(in, groups, out, scales); break;
    default: fp4Groups32Typed<DType::F32>(in, groups, out, scales); break;
    }
}

void fp4Encode(const std::uint8_t* in, DType inDtype, float scale, std::uint8_t* out, std::uint64_t pairs)
{
    switch (inDtype) {
    case DType::BF16: fp4EncodeTyped<DType::BF16>(in, scale, out, pairs); break;
    case DType::F16: fp4EncodeTyped<DType::F16>(in, scale, out, pairs); break;
    default: fp4EncodeTyped<DType::F32>(in, scale, out, pairs); break;
    }
}

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
    case DType::BF16: encodeTyped<DType::BF16>(in, scale, out, n); break;
    case DType::F16: encodeTyped<DType::F16>(in, scale, out, n); break;
    default: encodeTyped<DType::F32>(in, scale, out, n); break;
    }
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
