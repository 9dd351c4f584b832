// AVX-512 dequantization loops. FP8 -> 16- or 32-bit outputs is a 256-entry table lookup per element
// (the table holds the final output bits of each code under the block's scale, built with the
// scalar codecs). The table is split into a low-byte and a high-byte plane of 256 bytes each,
// four zmm registers per plane, so 64 codes take two vpermt2b per plane, one blend per plane
// and two byte interleaves: about a third of the shuffles of a 16-bit (vpermt2w) lookup,
// which left the loop bound on the shuffle port rather than on memory.

#include "kernels/cpu/avx512_kernels.h"

#if CKPT_CPU_AVX2

#include "kernels/cpu/avx512_target.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

namespace ckpt::cpu::avx512 {

bool available()
{
    static const bool yes = [] {
        if (!avx2::available()) return false;  // also honours CKPT_CPU_SCALAR=1
        const char* isa = std::getenv("CKPT_CPU_ISA");
        if (isa != nullptr && std::strcmp(isa, "avx2") == 0) return false;
        __builtin_cpu_init();
        // __builtin_cpu_supports checks the OS's XSAVE support for zmm state too (GCC >= 11).
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi");
    }();
    return yes;
}

CKPT_AVX512 void storeFence() { _mm_sfence(); }

namespace {

struct BytePlanes {
    __m512i lo[4], hi[4];  // low and high output byte of entries 64k .. 64k + 63
};

// Byte positions that vpunpck{l,h}bw turn into output order: they interleave the low and high
// eight bytes of each 128-bit lane, so lane L must hold codes 8L..8L+7 then 32+8L..32+8L+7.
CKPT_AVX512_INLINE __m512i interleaveOrder()
{
    alignas(64) std::uint8_t order[64];
    for (unsigned lane = 0; lane < 4; ++lane)
        for (unsigned k = 0; k < 8; ++k) {
            order[16 * lane + k] = static_cast<std::uint8_t>(8 * lane + k);
            order[16 * lane + 8 + k] = static_cast<std::uint8_t>(32 + 8 * lane + k);
        }
    return _mm512_load_si512(order);
}

// The outputs of 64 codes, in order: v[m] holds outputs (64 / Bytes) m onwards.
template <unsigned Bytes>
struct Outputs64 {
    __m512i v[Bytes];
};

CKPT_AVX512_INLINE Outputs64<2> lookup64(const BytePlanes& p, __m512i order, __m512i codes)
{
    const __m512i idx = _mm512_permutexvar_epi8(order, codes);
    // vpermt2b reads the low seven bits of each index; bit 7 picks the upper 128 entries.
    const __mmask64 upper = _mm512_movepi8_mask(idx);
    const __m512i lo = _mm512_mask_mov_epi8(_mm512_permutex2var_epi8(p.lo[0], idx, p.lo[1]), upper,
                                            _mm512_permutex2var_epi8(p.lo[2], idx, p.lo[3]));
    const __m512i hi = _mm512_mask_mov_epi8(_mm512_permutex2var_epi8(p.hi[0], idx, p.hi[1]), upper,
                                            _mm512_permutex2var_epi8(p.hi[2], idx, p.hi[3]));
    return {{_mm512_unpacklo_epi8(lo, hi), _mm512_unpackhi_epi8(lo, hi)}};
}

// F32 outputs: four byte planes (sixteen zmm), four lookups per 64 codes, then two rounds of
// interleaves (bytes to words, words to dwords), which leave output dword 16m + 4L + t of the
// 64 in lane L, dword t of result m from index position 16L + 4m + t: the order permutation
// puts code 16m + 4L + t there.
struct BytePlanes4 {
    __m512i b[4][4];  // byte k of entries 64q .. 64q + 63: b[k][q]
};

CKPT_AVX512_INLINE __m512i dwordOrder()
{
    alignas(64) std::uint8_t order[64];
    for (unsigned lane = 0; lane < 4; ++lane)
        for (unsigned m = 0; m < 4; ++m)
            for (unsigned t = 0; t < 4; ++t) order[16 * lane + 4 * m + t] = static_cast<std::uint8_t>(16 * m + 4 * lane + t);
    return _mm512_load_si512(order);
}

CKPT_AVX512_INLINE Outputs64<4> lookup64(const BytePlanes4& p, __m512i order, __m512i codes)
{
    const __m512i idx = _mm512_permutexvar_epi8(order, codes);
    const __mmask64 upper = _mm512_movepi8_mask(idx);
    __m512i b[4];
    for (unsigned k = 0; k < 4; ++k)
        b[k] = _mm512_mask_mov_epi8(_mm512_permutex2var_epi8(p.b[k][0], idx, p.b[k][1]), upper,
                                    _mm512_permutex2var_epi8(p.b[k][2], idx, p.b[k][3]));
    const __m512i w01lo = _mm512_unpacklo_epi8(b[0], b[1]), w01hi = _mm512_unpackhi_epi8(b[0], b[1]);
    const __m512i w23lo = _mm512_unpacklo_epi8(b[2], b[3]), w23hi = _mm512_unpackhi_epi8(b[2], b[3]);
    return {{_mm512_unpacklo_epi16(w01lo, w23lo), _mm512_unpackhi_epi16(w01lo, w23lo), _mm512_unpacklo_epi16(w01hi, w23hi),
             _mm512_unpackhi_epi16(w01hi, w23hi)}};
}

// One segment (one table) of 16- or 32-bit outputs: whole 64-code steps, then a masked tail of
// n % 64 codes; no scalar loop.
template <typename Planes>
CKPT_AVX512_INLINE void lookupRun(const std::uint8_t* codes, const Planes& p, __m512i order, std::uint64_t n,
                                  std::uint8_t* out)
{
    constexpr unsigned ob = std::is_same_v<Planes, BytePlanes4> ? 4 : 2, perVector = 64 / ob;
    std::uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const Outputs64<ob> w = lookup64(p, order, _mm512_loadu_si512(codes + i));
        for (unsigned m = 0; m < ob; ++m) _mm512_storeu_si512(out + ob * i + 64 * m, w.v[m]);
    }
    if (i == n) return;
    const std::uint64_t tail = n - i;  // < 64
    const Outputs64<ob> w = lookup64(p, order, _mm512_maskz_loadu_epi8((std::uint64_t{1} << tail) - 1, codes + i));
    for (unsigned m = 0; perVector * m < tail; ++m) {
        const std::uint64_t left = tail - perVector * m;
        const std::uint64_t lanes = left >= perVector ? (std::uint64_t{1} << perVector) - 1 : (std::uint64_t{1} << left) - 1;
        std::uint8_t* to = out + ob * i + 64 * m;
        if constexpr (ob == 2) _mm512_mask_storeu_epi16(to, static_cast<__mmask32>(lanes), w.v[m]);
        else _mm512_mask_storeu_epi32(to, static_cast<__mmask16>(lanes), w.v[m]);
    }
}

// bytes from a cached staging buffer to the output in whole non-temporal lines; only the first
// and last partial line take ordinary (masked) stores. Why staged: the segments of a row start
// wherever the output does (an allocation is often 16 bytes past a line), so streaming each
// segment straight out splits it into ordinary head and tail stores around the streamed lines,
// about half of all lines, and mixes both kinds of store on the lines at segment edges.
CKPT_AVX512_INLINE void streamOut(const std::uint8_t* src, std::uint8_t* dst, std::uint64_t bytes)
{
    const std::uint64_t toLine = (64 - (reinterpret_cast<std::uintptr_t>(dst) & 63)) & 63;
    const std::uint64_t head = toLine < bytes ? toLine : bytes;
    const auto first = [](std::uint64_t k) { return static_cast<__mmask64>((std::uint64_t{1} << k) - 1); };  // k < 64
    if (head != 0) _mm512_mask_storeu_epi8(dst, first(head), _mm512_maskz_loadu_epi8(first(head), src));
    std::uint64_t i = head;
    for (; i + 64 <= bytes; i += 64) _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i), _mm512_loadu_si512(src + i));
    if (i < bytes) _mm512_mask_storeu_epi8(dst + i, first(bytes - i), _mm512_maskz_loadu_epi8(first(bytes - i), src + i));
}

// Splits each 256-entry table into its byte planes once per call: a row of a block column
// reuses them for every row of the task. Plane k of table j: planes + (j * ob + k) * 256.
template <typename OutBits>
CKPT_AVX512_INLINE void splitPlanes(const OutBits* tables, std::uint64_t count, std::uint8_t* planes)
{
    constexpr unsigned ob = sizeof(OutBits), perZmm = 64 / ob;
    for (std::uint64_t j = 0; j < count; ++j)
        for (unsigned e = 0; e < 256; e += perZmm) {
            const __m512i v = _mm512_loadu_si512(tables + j * 256 + e);
            for (unsigned k = 0; k < ob; ++k) {
                std::uint8_t* dst = planes + (j * ob + k) * 256 + e;
                if constexpr (ob == 2) _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm512_cvtepi16_epi8(_mm512_srli_epi16(v, 8 * k)));
                else _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_cvtepi32_epi8(_mm512_srli_epi32(v, 8 * k)));
            }
        }
}

template <typename OutBits>
CKPT_AVX512_INLINE auto loadPlanes(const std::uint8_t* at)
{
    if constexpr (sizeof(OutBits) == 2) {
        BytePlanes p;
        for (unsigned q = 0; q < 4; ++q) p.lo[q] = _mm512_loadu_si512(at + 64 * q), p.hi[q] = _mm512_loadu_si512(at + 256 + 64 * q);
        return p;
    } else {
        BytePlanes4 p;
        for (unsigned k = 0; k < 4; ++k)
            for (unsigned q = 0; q < 4; ++q) p.b[k][q] = _mm512_loadu_si512(at + 256 * k + 64 * q);
        return p;
    }
}

// The segment of a row from column c (a block boundary) into `to`; returns its end.
template <typename OutBits>
CKPT_AVX512_INLINE std::uint64_t segment(const std::uint8_t* src, std::uint64_t c, std::uint64_t cols,
                                         std::uint64_t blockCols, const std::uint8_t* planes, __m512i order,
                                         std::uint8_t* to)
{
    const std::uint64_t n = cols - c < blockCols ? cols - c : blockCols;
    lookupRun(src + c, loadPlanes<OutBits>(planes + (c / blockCols) * sizeof(OutBits) * 256), order, n, to);
    return c + n;
}

// A piece of a row streamed at once: small enough to stay in L1 with the planes.
constexpr std::uint64_t kStageBytes = 8192;

// Streaming (stage != nullptr): each row goes through `stage` (stageBytes, at least one segment)
// in pieces of whole segments, then out by streamOut.
template <typename OutBits>
CKPT_AVX512_INLINE void lookupRows(const std::uint8_t* codes, std::uint64_t rows, std::uint64_t cols,
                                   const std::uint8_t* planes, std::uint64_t blockCols, std::uint8_t* out,
                                   std::uint8_t* stage, std::uint64_t stageBytes)
{
    constexpr unsigned ob = sizeof(OutBits);
    const __m512i order = ob == 2 ? interleaveOrder() : dwordOrder();
    for (std::uint64_t r = 0; r < rows; ++r) {
        const std::uint8_t* src = codes + r * cols;
        std::uint8_t* dst = out + r * cols * ob;
        for (std::uint64_t c0 = 0; c0 < cols;) {
            if (stage == nullptr) {
                c0 = segment<OutBits>(src, c0, cols, blockCols, planes, order, dst + ob * c0);
                continue;
            }
            std::uint64_t c = c0;
            do c = segment<OutBits>(src, c, cols, blockCols, planes, order, stage + ob * (c - c0));
            while (c < cols && (c - c0 + blockCols) * ob <= stageBytes);
            streamOut(stage, dst + ob * c0, ob * (c - c0));
            c0 = c;
        }
    }
}

template <typename OutBits>
CKPT_AVX512_INLINE void lookupRowsOf(const std::uint8_t* codes, std::uint64_t rows, std::uint64_t cols,
                                     const OutBits* tables, std::uint64_t blockCols, std::uint8_t* out, bool stream)
{
    const std::uint64_t count = (cols + blockCols - 1) / blockCols;
    thread_local std::vector<std::uint8_t> planes, stage;
    planes.resize(count * 256 * sizeof(OutBits));
    splitPlanes(tables, count, planes.data());
    const std::uint64_t stageBytes = std::max<std::uint64_t>(kStageBytes, blockCols * sizeof(OutBits));
    if (stream) stage.resize(stageBytes);
    lookupRows<OutBits>(codes, rows, cols, planes.data(), blockCols, out, stream ? stage.data() : nullptr, stageBytes);
}

} // namespace

CKPT_AVX512 void fp8LookupRows(const std::uint8_t* codes, std::uint64_t rows, std::uint64_t cols,
                               const std::uint16_t* tables, std::uint64_t blockCols, std::uint8_t* out, bool stream)
{
    lookupRowsOf(codes, rows, cols, tables, blockCols, out, stream);
}

CKPT_AVX512 void fp8LookupRows(const std::uint8_t* codes, std::uint64_t rows, std::uint64_t cols,
                               const std::uint32_t* tables, std::uint64_t blockCols, std::uint8_t* out, bool stream)
{
    lookupRowsOf(codes, rows, cols, tables, blockCols, out, stream);
}

} // namespace ckpt::cpu::avx512

#endif // CKPT_CPU_AVX2
