// AVX2 dequantization loops: FP8 by arithmetic decode (no table: one multiply rebiases the
// exponent, subnormals included), FP4 by vpshufb lookups into the group's 16-entry tables.
// Outputs larger than half the last-level cache go out with non-temporal stores, as glibc's
// memcpy does for buffers of that size.

#include "kernels/cpu/avx2_kernels.h"

#if CKPT_CPU_AVX2

#include "core/numeric/element_io.h"
#include "kernels/cpu/avx2_codecs.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace ckpt::cpu::avx2 {

bool available()
{
    static const bool yes = [] {
        const char* env = std::getenv("CKPT_CPU_SCALAR");
        if (env != nullptr && std::strcmp(env, "1") == 0) return false;
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }();
    return yes;
}

std::uint64_t streamMinBytes()
{
    static const std::uint64_t bytes = [] {
        if (const char* env = std::getenv("CKPT_CPU_STREAM_MIN_BYTES")) {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(env, &end, 10);
            if (end != env && *end == '\0') return static_cast<std::uint64_t>(v);
        }
        const long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);  // 0 or -1 where the OS does not say
        return std::max<std::uint64_t>(kStreamMinBytes, llc > 0 ? static_cast<std::uint64_t>(llc) / 2 : 0);
    }();
    return bytes;
}

CKPT_AVX2 void storeFence() { _mm_sfence(); }

namespace {

bool aligned(const void* p, std::uintptr_t to) { return (reinterpret_cast<std::uintptr_t>(p) & (to - 1)) == 0; }

CKPT_AVX2_INLINE void store256(std::uint8_t* p, __m256i v, bool stream)
{
    if (stream) _mm256_stream_si256(reinterpret_cast<__m256i*>(p), v);
    else _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

CKPT_AVX2_INLINE void store128(std::uint8_t* p, __m128i v, bool stream)
{
    if (stream) _mm_stream_si128(reinterpret_cast<__m128i*>(p), v);
    else _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
}

// The scalar form of one element, for heads and tails: the product the portable path computes.
template <DType Out>
void fp8Scalar(const std::uint8_t* w, float scale, std::uint8_t* out, std::uint64_t i)
{
    numeric::storeFromF32(out, Out, i, numeric::e4m3ToF32(w[i]) * scale);
}

// Sixteen codes -> sixteen outputs at out.
template <DType Out>
CKPT_AVX2_INLINE void fp8Sixteen(const std::uint8_t* w, __m256 scale, std::uint8_t* out, bool stream)
{
    const __m128i codes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
    const __m256 lo = _mm256_mul_ps(e4m3ToF32(_mm256_cvtepu8_epi32(codes)), scale);
    const __m256 hi = _mm256_mul_ps(e4m3ToF32(_mm256_cvtepu8_epi32(_mm_srli_si128(codes, 8))), scale);
    if constexpr (Out == DType::BF16) {
        store256(out, packU16(f32ToBf16(lo), f32ToBf16(hi)), stream);
    } else if constexpr (Out == DType::F16) {
        store256(out, packU16(f32ToF16(lo), f32ToF16(hi)), stream);
    } else {
        store256(out, _mm256_castps_si256(lo), stream);
        store256(out + 32, _mm256_castps_si256(hi), stream);
    }
}

template <DType Out>
CKPT_AVX2 void fp8Segment(const std::uint8_t* w, float scale, std::uint8_t* out, std::uint64_t n, bool stream)
{
    constexpr std::uint64_t ob = Out == DType::F32 ? 4 : 2;
    std::uint64_t i = 0;
    // Streaming needs 32-byte aligned stores: a scalar head reaches the boundary when the
    // output is at least element-aligned; otherwise the segment uses ordinary stores.
    stream = stream && aligned(out, ob);
    if (stream)
        for (; i < n && !aligned(out + i * ob, 32); ++i) fp8Scalar<Out>(w, scale, out, i);
    const __m256 s = _mm256_set1_ps(scale);
    if (stream) {
        for (; i + 16 <= n; i += 16) fp8Sixteen<Out>(w + i, s, out + i * ob, true);
    } else {
        for (; i + 16 <= n; i += 16) fp8Sixteen<Out>(w + i, s, out + i * ob, false);
    }
    for (; i < n; ++i) fp8Scalar<Out>(w, scale, out, i);
}

template <DType Out>
void fp8Row(const std::uint8_t* w, const float* scales, std::uint64_t blockCols, std::uint64_t cols,
            std::uint8_t* out, bool stream)
{
    constexpr std::uint64_t ob = Out == DType::F32 ? 4 : 2;
    for (std::uint64_t j = 0, c = 0; c < cols; ++j, c += blockCols) {
        const std::uint64_t n = cols - c < blockCols ? cols - c : blockCols;
        fp8Segment<Out>(w + c, scales[j], out + c * ob, n, stream);
    }
}

// Sixteen elements' indices (nibble codes, one per byte) -> their outputs through the planes.
template <unsigned OB>
CKPT_AVX2_INLINE void fp4Sixteen(__m128i idx, const __m128i* t, std::uint8_t* out, bool stream)
{
    if constexpr (OB == 2) {
        const __m128i lo = _mm_shuffle_epi8(t[0], idx), hi = _mm_shuffle_epi8(t[1], idx);
        store128(out, _mm_unpacklo_epi8(lo, hi), stream);
        store128(out + 16, _mm_unpackhi_epi8(lo, hi), stream);
    } else {
        const __m128i b0 = _mm_shuffle_epi8(t[0], idx), b1 = _mm_shuffle_epi8(t[1], idx);
        const __m128i b2 = _mm_shuffle_epi8(t[2], idx), b3 = _mm_shuffle_epi8(t[3], idx);
        const __m128i l01 = _mm_unpacklo_epi8(b0, b1), l23 = _mm_unpacklo_epi8(b2, b3);
        const __m128i h01 = _mm_unpackhi_epi8(b0, b1), h23 = _mm_unpackhi_epi8(b2, b3);
        store128(out, _mm_unpacklo_epi16(l01, l23), stream);
        store128(out + 16, _mm_unpackhi_epi16(l01, l23), stream);
        store128(out + 32, _mm_unpacklo_epi16(h01, h23), stream);
        store128(out + 48, _mm_unpackhi_epi16(h01, h23), stream);
    }
}

template <unsigned OB>
CKPT_AVX2_INLINE void fp4Run(const std::uint8_t* p, std::uint64_t n, const std::uint8_t* planes, std::uint8_t* out,
                      bool stream)
{
    __m128i t[OB];
    for (unsigned k = 0; k < OB; ++k) t[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + 16 * k));
    stream = stream && aligned(out, 16);
    const __m128i nibble = _mm_set1_epi8(0x0f);
    std::uint64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i lo = _mm_and_si128(x, nibble), hi = _mm_and_si128(_mm_srli_epi16(x, 4), nibble);
        // Element 2k is the low nibble of byte k: interleave the indices into element order.
        std::uint8_t* o = out + 2 * i * OB;
        fp4Sixteen<OB>(_mm_unpacklo_epi8(lo, hi), t, o, stream);
        fp4Sixteen<OB>(_mm_unpackhi_epi8(lo, hi), t, o + 16 * OB, stream);
    }
    for (; i < n; ++i) {
        for (unsigned k = 0; k < OB; ++k) {
            out[2 * i * OB + k] = planes[16 * k + (p[i] & 0xfu)];
            out[(2 * i + 1) * OB + k] = planes[16 * k + (p[i] >> 4)];
        }
    }
}

} // namespace

void fp8DequantRow(const std::uint8_t* w, const float* scales, std::uint64_t blockCols, std::uint64_t cols,
                   std::uint8_t* out, DType outDtype, bool stream)
{
    switch (outDtype) {
    case DType::BF16: fp8Row<DType::BF16>(w, scales, blockCols, cols, out, stream); break;
    case DType::F16: fp8Row<DType::F16>(w, scales, blockCols, cols, out, stream); break;
    default: fp8Row<DType::F32>(w, scales, blockCols, cols, out, stream); break;
    }
}

CKPT_AVX2 void fp8Table16(float scale, DType outDtype, std::uint16_t* table)
{
    const __m256 s = _mm256_set1_ps(scale);
    const __m256i step = splat(8), lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i codes = lane;
    for (unsigned b = 0; b < 256; b += 16) {
        const __m256 lo = _mm256_mul_ps(e4m3ToF32(codes), s);
        codes = _mm256_add_epi32(codes, step);
        const __m256 hi = _mm256_mul_ps(e4m3ToF32(codes), s);
        codes = _mm256_add_epi32(codes, step);
        const __m256i v = outDtype == DType::BF16 ? packU16(f32ToBf16(lo), f32ToBf16(hi)) : packU16(f32ToF16(lo), f32ToF16(hi));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(table + b), v);
    }
}

CKPT_AVX2 void fp8Table32(float scale, std::uint32_t* table)
{
    const __m256 s = _mm256_set1_ps(scale);
    __m256i codes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (unsigned b = 0; b < 256; b += 8) {
        _mm256_storeu_ps(reinterpret_cast<float*>(table + b), _mm256_mul_ps(e4m3ToF32(codes), s));
        codes = _mm256_add_epi32(codes, splat(8));
    }
}

namespace {

template <unsigned OB>
CKPT_AVX2 void fp4Groups(const std::uint8_t* packed, const std::uint8_t* scales, std::uint64_t groupBytes,
                         std::uint64_t n, const std::uint8_t* planes, std::uint8_t* out, bool stream)
{
    for (std::uint64_t g = 0, i = 0; i < n; ++g, i += groupBytes)
        fp4Run<OB>(packed + i, n - i < groupBytes ? n - i : groupBytes, planes + scales[g] * OB * 16, out + 2 * i * OB, stream);
}

} // namespace

void fp4DequantGroups(const std::uint8_t* packed, const std::uint8_t* scales, std::uint64_t groupBytes,
                      std::uint64_t n, const std::uint8_t* planes, unsigned outBytes, std::uint8_t* out, bool stream)
{
    if (outBytes == 4) fp4Groups<4>(packed, scales, groupBytes, n, planes, out, stream);
    else fp4Groups<2>(packed, scales, groupBytes, n, planes, out, stream);
}

} // namespace ckpt::cpu::avx2

#endif // CKPT_CPU_AVX2
