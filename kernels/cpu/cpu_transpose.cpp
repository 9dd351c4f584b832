// Transposes for the executor's layout ops (HF experts [out, in] <-> native [in, out]).
//
// Why tiles of one cache line per row, staged through a small buffer: expert matrices have
// row pitches that are multiples of 4 KiB (2048 bf16 = 4096 bytes), so the lines of one column
// of a tile all fall into the same L1 set; a direct strided copy evicted every line after a
// single element and ran at ~0.7 GB/s. Reading each source line whole, transposing in
// registers and writing each destination line whole touches every line once. Tiles are grouped
// into blocks of kBlock x kBlock elements so one task's pages fit the TLB.
//
// Why each tile prefetches the next: a tile's lines are a row pitch apart, which the hardware
// prefetchers do not follow, so every load and every store of a tile missed L2; with misses on
// both sides the core ran about one tile at a time (2.4 GB/s on one Xeon core, 28 MiB in L3).
// Asking for the next tile's lines while this one is transposed overlaps them (4x). Within a
// block the tiles go down the input rows first, so consecutive tiles write the next line of the
// same output rows: runs the L2 streamer follows (1.2x with 2 threads on the same Xeon).

#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_ops.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ckpt::cpu {
namespace {

constexpr std::uint64_t kLine = 64;
constexpr std::uint64_t kBlock = 256;

struct Matrix {
    const std::uint8_t* in;
    std::uint8_t* out;
    std::uint64_t rows, cols, stride, es;
};

// out[c][r] = in[r][c] for an nr x nc tile of `es`-byte elements, rows `inPitch` and `outPitch`
// bytes apart.
void transposeTileScalar(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* out,
                         std::uint64_t outPitch, std::uint64_t nr, std::uint64_t nc, std::uint64_t es)
{
    for (std::uint64_t r = 0; r < nr; ++r)
        for (std::uint64_t c = 0; c < nc; ++c) std::memcpy(out + c * outPitch + r * es, in + r * inPitch + c * es, es);
}

#if defined(__SSE2__)
// One 8 x 8 block of 16-bit elements.
void transpose8x8u16(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* out, std::uint64_t outPitch)
{
    __m128i r[8], a[8], b[8];
    for (int i = 0; i < 8; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i * inPitch));
    for (int i = 0; i < 4; ++i) {
        a[2 * i] = _mm_unpacklo_epi16(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm_unpackhi_epi16(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            b[4 * i + j] = _mm_unpacklo_epi32(a[4 * i + j], a[4 * i + j + 2]);
            b[4 * i + j + 2] = _mm_unpackhi_epi32(a[4 * i + j], a[4 * i + j + 2]);
        }
    // b[0..3] hold columns {0,1}, {4,5}, {2,3}, {6,7} of rows 0-3; b[4..7] the same of rows 4-7.
    static constexpr int kPair[4] = {0, 2, 1, 3};
    for (int k = 0; k < 4; ++k) {
        const __m128i lo = b[kPair[k]], hi = b[kPair[k] + 4];
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + (2 * k) * outPitch), _mm_unpacklo_epi64(lo, hi));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + (2 * k + 1) * outPitch), _mm_unpackhi_epi64(lo, hi));
    }
}

// One 4 x 4 block of 32-bit elements.
void transpose4x4u32(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* out, std::uint64_t outPitch)
{
    __m128i r[4];
    for (int i = 0; i < 4; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i * inPitch));
    const __m128i t0 = _mm_unpacklo_epi32(r[0], r[1]), t1 = _mm_unpackhi_epi32(r[0], r[1]);
    const __m128i t2 = _mm_unpacklo_epi32(r[2], r[3]), t3 = _mm_unpackhi_epi32(r[2], r[3]);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi64(t0, t2));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + outPitch), _mm_unpackhi_epi64(t0, t2));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * outPitch), _mm_unpacklo_epi64(t1, t3));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * outPitch), _mm_unpackhi_epi64(t1, t3));
}
#endif

// A full T x T tile (T = kLine / es) from `in` into the line-per-row buffer `buf`.
void transposeFullTile(const std::uint8_t* in, std::uint64_t inPitch, std::uint8_t* buf, std::uint64_t es, bool simd)
{
    const std::uint64_t t = kLine / es;
#if defined(__SSE2__)
    if (simd && es == 2) {
        for (std::uint64_t r = 0; r < t; r += 8)
            for (std::uint64_t c = 0; c < t; c += 8)
                transpose8x8u16(in + r * inPitch + c * 2, inPitch, buf + c * kLine + r * 2, kLine);
        return;
    }
    if (simd && es == 4) {
        for (std::uint64_t r = 0; r < t; r += 4)
            for (std::uint64_t c = 0; c < t; c += 4)
                transpose4x4u32(in + r * inPitch + c * 4, inPitch, buf + c * kLine + r * 4, kLine);
        return;
    }
#endif
    (void)simd;
    transposeTileScalar(in, inPitch, buf, kLine, t, t, es);
}

// How the full tiles are transposed: through the SSE2 line buffer, or by avx512::transposeTile,
// with non-temporal stores for outputs past the streaming threshold (avx2::streamMinBytes).
struct TileMode {
    bool simd = false, avx512 = false, stream = false;
};

// Read prefetches for the output too: a write prefetch needs PREFETCHW, and under non-temporal
// stores any prefetch of the output only fetches lines the stores then evict.
void prefetchTile(const Matrix& m, std::uint64_t r, std::uint64_t c, std::uint64_t nr, std::uint64_t nc, bool stream)
{
    const std::uint64_t inPitch = m.cols * m.es, outPitch = m.stride * m.es;
    for (std::uint64_t k = 0; k < nr; ++k) __builtin_prefetch(m.in + (r + k) * inPitch + c * m.es, 0, 3);
    if (!stream)
        for (std::uint64_t k = 0; k < nc; ++k) __builtin_prefetch(m.out + (c + k) * outPitch + r * m.es, 0, 3);
}

void transposeBlock(const Matrix& m, std::uint64_t r0, std::uint64_t c0, TileMode mode)
{
    const std::uint64_t t = kLine / m.es;
    const std::uint64_t r1 = std::min(m.rows, r0 + kBlock), c1 = std::min(m.cols, c0 + kBlock);
    const std::uint64_t inPitch = m.cols * m.es, outPitch = m.stride * m.es;
    alignas(64) std::uint8_t buf[kLine * kLine];  // t rows of one line each
    for (std::uint64_t c = c0; c < c1; c += t)
        for (std::uint64_t r = r0; r < r1; r += t) {
            const std::uint64_t nr = std::min(t, r1 - r), nc = std::min(t, c1 - c);
            const std::uint64_t nextC = r + t < r1 ? c : c + t, nextR = r + t < r1 ? r + t : r0;
            if (nextC < c1) prefetchTile(m, nextR, nextC, std::min(t, r1 - nextR), std::min(t, c1 - nextC), mode.stream);
            const std::uint8_t* in = m.in + r * inPitch + c * m.es;
            std::uint8_t* out = m.out + c * outPitch + r * m.es;
            if (nr != t || nc != t) {
                transposeTileScalar(in, inPitch, out, outPitch, nr, nc, m.es);
            } else if (mode.avx512) {
#if CKPT_CPU_AVX2
                const bool aligned = reinterpret_cast<std::uintptr_t>(out) % kLine == 0 && outPitch % kLine == 0;
                avx512::transposeTile(in, inPitch, out, outPitch, m.es, mode.stream && aligned);
#endif
            } else {
                transposeFullTile(in, inPitch, buf, m.es, mode.simd);
                for (std::uint64_t k = 0; k < t; ++k) std::memcpy(out + k * outPitch, buf + k * kLine, kLine);
            }
        }
#if CKPT_CPU_AVX2
    if (mode.stream) avx512::storeFence();
#endif
}

} // namespace

void transpose(ThreadPool& pool, const TransposeArgs& a)
{
    if (a.rows == 0 || a.cols == 0) return;
    const Matrix m{static_cast<const std::uint8_t*>(a.in), static_cast<std::uint8_t*>(a.out), a.rows, a.cols,
                   a.outStride == 0 ? a.rows : a.outStride, a.elementBytes};
    TileMode mode;
    mode.simd = avx2::available();  // false under CKPT_CPU_SCALAR=1: the scalar tiles are tested too
    mode.avx512 = avx512::available();
    mode.stream = mode.avx512 && a.rows * a.cols * a.elementBytes >= avx2::streamMinBytes();
    const std::uint64_t blockRows = (a.rows + kBlock - 1) / kBlock, blockCols = (a.cols + kBlock - 1) / kBlock;
    pool.run(static_cast<std::size_t>(blockRows * blockCols), [&](std::size_t task) {
        transposeBlock(m, (task / blockCols) * kBlock, (task % blockCols) * kBlock, mode);
    });
}

} // namespace ckpt::cpu
