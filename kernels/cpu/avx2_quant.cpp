// AVX2 loops of the FP8 block and FP4 group quantizers: the amax (max of |x| bits over finite
// values, an integer max) and the encoders x / scale -> e4m3 / e2m1 (the division the spec
// requires, then the branch-free RNE / saturate / NaN selects of the scalar codecs).

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "kernels/cpu/avx2_codecs.h"

#include <cstring>

namespace ckpt::cpu::avx2 {

namespace {

// Eight inputs from p (element 0 at p) as f32.
template <DType In>
CKPT_AVX2_INLINE __m256 loadEight(const std::uint8_t* p)
{
    if constexpr (In == DType::F32) {
        return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
    } else {
        const __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        if constexpr (In == DType::BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
        else return f16ToF32(h);
    }
}

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

} // namespace

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
