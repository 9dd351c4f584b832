// FP8 block and FP4 group dequantization on the CPU. FP8 blocks of useful size go through
// per-block 256-entry tables of final output bits (built with core/numeric, so equal to the
// device's per-element maths), looked up 64 at a time with AVX-512 VBMI (avx512_dequant.cpp).
// With AVX2 (avx2_dequant.cpp), smaller FP8 blocks are decoded arithmetically and FP4 is
// looked up in per-call tables of final output bits, 16 codes per scale byte. Without AVX2,
// small blocks and FP4 use branch-free vectorised decode loops (the select forms of the
// codecs), one scale per row segment.

#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_ops.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace ckpt::cpu {

using namespace ckpt::numeric;

namespace {

// One output element from the f32 product: the only rounding after the multiply.
template <DType Out>
inline void storeOut(std::uint8_t* out, std::uint64_t i, float v)
{
    if constexpr (Out == DType::BF16) {
        const std::uint16_t h = f32ToBf16(v);
        std::memcpy(out + 2 * i, &h, 2);
    } else if constexpr (Out == DType::F16) {
        const std::uint16_t h = f32ToF16(v);
        std::memcpy(out + 2 * i, &h, 2);
    } else {
        std::memcpy(out + 4 * i, &v, 4);
    }
}

// The decode is the select form of e4m3ToF32 (no table gather), so the loop vectorises.
template <DType Out>
inline void fp8Segment(const std::uint8_t* w, float scale, std::uint8_t* out,
                       std::uint64_t n)
{
    for (std::uint64_t i = 0; i < n; ++i) storeOut<Out>(out, i, bitsToF32(e4m3ToF32BitsSelect(w[i])) * scale);
}

CKPT_CPU_CLONES void fp8SegmentBf16(const std::uint8_t* w, float s, std::uint8_t* o, std::uint64_t n) { fp8Segment<DType::BF16>(w, s, o, n); }
CKPT_CPU_CLONES void fp8SegmentF16(const std::uint8_t* w, float s, std::uint8_t* o, std::uint64_t n) { fp8Segment<DType::F16>(w, s, o, n); }
CKPT_CPU_CLONES void fp8SegmentF32(const std::uint8_t* w, float s, std::uint8_t* o, std::uint64_t n) { fp8Segment<DType::F32>(w, s, o, n); }

// n packed bytes -> 2n outputs with one scale.
template <DType Out>
inline void fp4Segment(const std::uint8_t* p, float scale, std::uint8_t* out,
                       std::uint64_t n)
{
    for (std::uint64_t i = 0; i < n; ++i) {
        storeOut<Out>(out, 2 * i, bitsToF32(e2m1ToF32BitsSelect(p[i] & 0xfu)) * scale);
        storeOut<Out>(out, 2 * i + 1, bitsToF32(e2m1ToF32BitsSelect(p[i] >> 4)) * scale);
    }
}

CKPT_CPU_CLONES void fp4SegmentBf16(const std::uint8_t* p, float s, std::uint8_t* o, std::uint64_t n) { fp4Segment<DType::BF16>(p, s, o, n); }
CKPT_CPU_CLONES void fp4SegmentF16(const std::uint8_t* p, float s, std::uint8_t* o, std::uint64_t n) { fp4Segment<DType::F16>(p, s, o, n); }
CKPT_CPU_CLONES void fp4SegmentF32(const std::uint8_t* p, float s, std::uint8_t* o, std::uint64_t n) { fp4Segment<DType::F32>(p, s, o, n); }

using SegmentFn = void (*)(const std::uint8_t*, float, std::uint8_t*, std::uint64_t);

SegmentFn pick(DType out, SegmentFn bf16, SegmentFn f16, SegmentFn f32)
{
    return out == DType::BF16 ? bf16 : out == DType::F16 ? f16 : f32;
}

} // namespace

void forEachRowSegment(ThreadPool& pool, std::uint64_t rows, std::uint64_t cols, std::uint64_t align,
                       const std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>& fn)
{
    if (rows == 0 || cols == 0) return;
    // Long rows are cut so that one huge row still spreads over the threads.
    std::uint64_t seg = cols;
    if (cols > kTaskElements) seg = std::max<std::uint64_t>(align, kTaskElements / align * align);
    const std::uint64_t segsPerRow = ceilDiv(cols, seg);
    const std::uint64_t units = rows * segsPerRow;
    const std::uint64_t unitsPerTask = std::max<std::uint64_t>(1, kTaskElements / seg);
    const std::uint64_t tasks = ceilDiv(units, unitsPerTask);
    pool.run(tasks, [&](std::size_t t) {
        const std::uint64_t u0 = t * unitsPerTask, u1 = std::min(units, u0 + unitsPerTask);
        for (std::uint64_t u = u0; u < u1; ++u) {
            const std::uint64_t r = u / segsPerRow, c0 = (u % segsPerRow) * seg;
            fn(r, c0, std::min(cols, c0 + seg));
        }
    });
}

namespace {

// Output bits of every e4m3 code times one scale: within a block the kernel is then a pure
// byte -> output lookup (one load and one store per element). Entries come from the scalar
// codecs, so the result is the same as computing each product.
template <typename OutBits>
void buildTable(DType out, float scale, OutBits* tab)
{
    for (unsigned b = 0; b < 256; ++b) {
        std::uint8_t bytes[4];
        storeFromF32(bytes, out, 0, e4m3ToF32(static_cast<std::uint8_t>(b)) * scale);
        std::memcpy(&tab[b], bytes, sizeof(OutBits));
    }
}

// Blocks of at least this many elements take the table path; the 256-entry tables then cost
// at most a quarter of the block's own work.
constexpr std::uint64_t kTableMinBlock = 1024;

// Tables of a batch of block rows are built first, spread over the pool, then shared by every
// task of their block row: built per task instead (a task is ~36 rows of a 128-row block row),
// the 256 products per block took a quarter of the kernel's time. A batch's tables stay within
// kTableBatchBytes whatever the block shape.
constexpr std::uint64_t kTableBatchBytes = 8u << 20;

// One lookup task = a run of rows inside one block row. Rows are walked whole and in order (one
// table per block column), so reads and writes stream linearly through memory: walking one
// 128x128 tile at a time instead strides by a full row per 128 bytes and leaves the loop
// waiting on DRAM latency.
template <typename OutBits>
void dequantFp8Rows(ThreadPool& pool, const Fp8BlockDequantArgs& a)
{
    const auto* w = static_cast<const std::uint8_t*>(a.weight);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    const std::uint64_t gridRows = ceilDiv(a.rows, a.blockRows), gridCols = ceilDiv(a.cols, a.blockCols);
    const std::uint64_t rowsPerTask = std::clamp<std::uint64_t>(kTaskElements / a.cols, 1, a.blockRows);
    const std::uint64_t pieces = ceilDiv(a.blockRows, rowsPerTask);
    const std::uint64_t batchRows = std::clamp<std::uint64_t>(kTableBatchBytes / (gridCols * 256 * sizeof(OutBits)), 1, gridRows);
    [[maybe_unused]] const bool stream = a.rows * a.cols * sizeof(OutBits) >= avx2::streamMinBytes();
    [[maybe_unused]] const bool wide = avx512::available();
    std::vector<OutBits> batchTabs(batchRows * gridCols * 256);
    // AVX2 without AVX-512: 16-bit outputs by exponent arithmetic where it reproduces the table.
    [[maybe_unused]] const bool byExponent = sizeof(OutBits) == 2 && !wide && avx2::available() && a.blockCols >= 32;
    std::vector<avx2::Fp8ExponentTable> batchExp(byExponent ? batchTabs.size() / 256 : 0);
    std::vector<std::uint8_t> expOk(batchExp.size());
    for (std::uint64_t b0 = 0; b0 < gridRows; b0 += batchRows) {
        const std::uint64_t b1 = std::min(gridRows, b0 + batchRows);
        constexpr std::uint64_t tablesPerTask = 64;
        pool.run(ceilDiv((b1 - b0) * gridCols, tablesPerTask), [&](std::size_t t) {
            const std::uint64_t i1 = std::min((b1 - b0) * gridCols, (t + 1) * tablesPerTask);
            for (std::uint64_t i = t * tablesPerTask; i < i1; ++i) {
                const float scale = loadF32(sc, a.scaleDtype, b0 * gridCols + i);
#if CKPT_CPU_AVX2
                // The AVX2 products: 8 or 16 per step instead of one.
                if (avx2::available()) {
                    if constexpr (sizeof(OutBits) == 2) {
                        avx2::fp8Table16(scale, a.outDtype, batchTabs.data() + i * 256);
                        if (byExponent) expOk[i] = avx2::fp8ExponentTable(batchTabs.data() + i * 256, a.outDtype, batchExp[i]);
                    } else {
                        avx2::fp8Table32(scale, batchTabs.data() + i * 256);
                    }
                    continue;
                }
#endif
                buildTable(a.outDtype, scale, batchTabs.data() + i * 256);
            }
        });
        pool.run((b1 - b0) * pieces, [&](std::size_t t) {
            const std::uint64_t br = b0 + t / pieces, r0 = br * a.blockRows + (t % pieces) * rowsPerTask;
            const std::uint64_t r1 = std::min({a.rows, (br + 1) * a.blockRows, r0 + rowsPerTask});
            if (r0 >= r1) return;
            const OutBits* tabs = batchTabs.data() + (br - b0) * gridCols * 256;
#if CKPT_CPU_AVX2
            if (wide) {
                avx512::fp8LookupRows(w + r0 * a.cols, r1 - r0, a.cols, tabs, a.blockCols,
                                      out + r0 * a.cols * sizeof(OutBits), stream);
                if (stream) avx512::storeFence();
                return;
            }
#endif
            for (std::uint64_t r = r0; r < r1; ++r) {
                const std::uint8_t* src = w + r * a.cols;
                std::uint8_t* dst = out + r * a.cols * sizeof(OutBits);
                for (std::uint64_t j = 0; j < gridCols; ++j) {
                    const OutBits* tab = tabs + j * 256;
                    const std::uint64_t c1 = std::min(a.cols, (j + 1) * a.blockCols);
                    std::uint64_t c = j * a.blockCols;
#if CKPT_CPU_AVX2
                    if (byExponent && expOk[(br - b0) * gridCols + j])
                        c += avx2::fp8ExponentDecode(src + c, batchExp[(br - b0) * gridCols + j], c1 - c, dst + c * 2);
#endif
#if defined(__SSE2__)
                    // Large outputs: eight lookups per non-temporal 16-byte store (no read for
                    // ownership, no cache pollution), where the output is 16-byte aligned.
                    if constexpr (sizeof(OutBits) == 2) {
                        if (stream && reinterpret_cast<std::uintptr_t>(dst + c * 2) % 16 == 0) {
                            for (; c + 8 <= c1; c += 8) {
                                const std::uint8_t* b = src + c;
                                const __m128i v = _mm_setr_epi16(static_cast<short>(tab[b[0]]), static_cast<short>(tab[b[1]]),
                                                                 static_cast<short>(tab[b[2]]), static_cast<short>(tab[b[3]]),
                                                                 static_cast<short>(tab[b[4]]), static_cast<short>(tab[b[5]]),
                                                                 static_cast<short>(tab[b[6]]), static_cast<short>(tab[b[7]]));
                                _mm_stream_si128(reinterpret_cast<__m128i*>(dst + c * 2), v);
                            }
                        }
                    }
#endif
                    // Eight codes per 64-bit load, results stored as whole words.
                    for (; c + 8 <= c1; c += 8) {
                        std::uint64_t codes;
                        std::memcpy(&codes, src + c, 8);
                        OutBits v[8];
                        for (unsigned k = 0; k < 8; ++k) v[k] = tab[(codes >> (8 * k)) & 0xffu];
                        std::memcpy(dst + c * sizeof(OutBits), v, sizeof v);
                    }
                    for (; c < c1; ++c) std::memcpy(dst + c * sizeof(OutBits), &tab[src[c]], sizeof(OutBits));
                }
            }
#if defined(__SSE2__)
            if (stream) _mm_sfence();
#endif
        });
    }
}

#if CKPT_CPU_AVX2
// The same task split as dequantFp8Rows (runs of whole rows inside one block row, walked in
// memory order); each task fences its non-temporal stores before it reports done.
void dequantFp8Avx2(ThreadPool& pool, const Fp8BlockDequantArgs& a)
{
    const auto* w = static_cast<const std::uint8_t*>(a.weight);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    const std::uint64_t gridRows = ceilDiv(a.rows, a.blockRows), gridCols = ceilDiv(a.cols, a.blockCols);
    const std::uint64_t ob = elementBytes(a.outDtype);
    const bool stream = a.rows * a.cols * ob >= avx2::streamMinBytes();
    const std::uint64_t rowsPerTask = std::clamp<std::uint64_t>(kTaskElements / a.cols, 1, a.blockRows);
    const std::uint64_t pieces = ceilDiv(a.blockRows, rowsPerTask);
    pool.run(gridRows * pieces, [&](std::size_t t) {
        const std::uint64_t br = t / pieces, r0 = br * a.blockRows + (t % pieces) * rowsPerTask;
        const std::uint64_t r1 = std::min({a.rows, (br + 1) * a.blockRows, r0 + rowsPerTask});
        if (r0 >= r1) return;
        std::vector<float> scales(gridCols);
        for (std::uint64_t j = 0; j < gridCols; ++j) scales[j] = loadF32(sc, a.scaleDtype, br * gridCols + j);
        for (std::uint64_t r = r0; r < r1; ++r)
            avx2::fp8DequantRow(w + r * a.cols, scales.data(), a.blockCols, a.cols, out + r * a.cols * ob,
                                a.outDtype, stream);
        if (stream) avx2::storeFence();
    });
}

// Output bytes of every FP4 code under every scale byte, as byte planes: entry
// [scale][k][code] is byte k of the output. Built with the scalar codecs (4096 products).
std::vector<std::uint8_t> fp4Planes(DType outDtype)
{
    const std::uint32_t ob = elementBytes(outDtype);
    std::vector<std::uint8_t> planes(256 * ob * 16);
    for (unsigned s = 0; s < 256; ++s) {
        const float scale = e8m0Fp4ScaleToF32(static_cast<std::uint8_t>(s));
        for (unsigned c = 0; c < 16; ++c) {
            std::uint8_t bytes[4];
            storeFromF32(bytes, outDtype, 0, e2m1ToF32(static_cast<std::uint8_t>(c)) * scale);
            for (unsigned k = 0; k < ob; ++k) planes[(s * ob + k) * 16 + c] = bytes[k];
        }
    }
    return planes;
}

// Even group sizes only (a byte never straddles two groups); segments of whole groups.
void dequantFp4Avx2(ThreadPool& pool, const Fp4DequantArgs& a)
{
    const auto* p = static_cast<const std::uint8_t*>(a.packed);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    const std::uint32_t ob = elementBytes(a.outDtype);
    const std::vector<std::uint8_t> planes = fp4Planes(a.outDtype);
    const bool stream = a.rows * a.cols * ob >= avx2::streamMinBytes();
    forEachRowSegment(pool, a.rows, a.cols, a.groupSize, [&](std::uint64_t r, std::uint64_t c0, std::uint64_t c1) {
        const std::uint64_t i = r * a.cols + c0;
        avx2::fp4DequantGroups(p + i / 2, sc + r * a.scaleCols + c0 / a.groupSize, a.groupSize / 2, (c1 - c0) / 2,
                               planes.data(), ob, out + i * ob, stream);
        if (stream) avx2::storeFence();
    });
}

// Below this many elements the 4096-entry FP4 tables cost more than they save.
constexpr std::uint64_t kFp4TableMinElements = 4096;
#endif

} // namespace

void dequantFp8Block(ThreadPool& pool, const Fp8BlockDequantArgs& a)
{
    if (a.rows == 0 || a.cols == 0) return;
    // The table path is one load and one store per element: on the 2-vCPU development VM it
    // measured 2x the AVX2 arithmetic decode (about 28 vector ops per 8 elements), so blocks big
    // enough for tables keep it, AVX2 or not; smaller blocks take the vector decode.
    if (std::uint64_t{a.blockRows} * a.blockCols >= kTableMinBlock) {
        if (a.outDtype == DType::F32) dequantFp8Rows<std::uint32_t>(pool, a);
        else dequantFp8Rows<std::uint16_t>(pool, a);
        return;
    }
#if CKPT_CPU_AVX2
    if (avx2::available()) return dequantFp8Avx2(pool, a);
#endif
    const SegmentFn seg = pick(a.outDtype, fp8SegmentBf16, fp8SegmentF16, fp8SegmentF32);
    const auto* w = static_cast<const std::uint8_t*>(a.weight);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    const std::uint64_t scaleCols = ceilDiv(a.cols, a.blockCols);
    const std::uint32_t outBytes = elementBytes(a.outDtype);
    forEachRowSegment(pool, a.rows, a.cols, a.blockCols, [&](std::uint64_t r, std::uint64_t c0, std::uint64_t c1) {
        const std::uint64_t scaleRow = (r / a.blockRows) * scaleCols;
        for (std::uint64_t c = c0; c < c1;) {
            const std::uint64_t j = c / a.blockCols;
            const std::uint64_t end = std::min(c1, (j + 1) * a.blockCols);
            const float s = loadF32(sc, a.scaleDtype, scaleRow + j);
            const std::uint64_t i = r * a.cols + c;
            seg(w + i, s, out + i * outBytes, end - c);
            c = end;
        }
    });
}

void dequantFp4(ThreadPool& pool, const Fp4DequantArgs& a)
{
#if CKPT_CPU_AVX2
    if (a.groupSize % 2 == 0 && a.rows * a.cols >= kFp4TableMinElements && avx2::available())
        return dequantFp4Avx2(pool, a);
#endif
    const SegmentFn seg = pick(a.outDtype, fp4SegmentBf16, fp4SegmentF16, fp4SegmentF32);
    const auto* p = static_cast<const std::uint8_t*>(a.packed);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    const std::uint32_t outBytes = elementBytes(a.outDtype);
    // Segments of whole groups when the group is even, so a byte never straddles two scales.
    const std::uint64_t align = a.groupSize % 2 == 0 ? a.groupSize : 2ull * a.groupSize;
    forEachRowSegment(pool, a.rows, a.cols, align, [&](std::uint64_t r, std::uint64_t c0, std::uint64_t c1) {
        for (std::uint64_t c = c0; c < c1;) {
            const std::uint64_t g = c / a.groupSize;
            const std::uint64_t end = std::min(c1, (g + 1) * a.groupSize);
            const float s = e8m0Fp4ScaleToF32(sc[r * a.scaleCols + g]);
            const std::uint64_t i = r * a.cols + c;
            if (c % 2 == 0 && end % 2 == 0) {
                seg(p + i / 2, s, out + i * outBytes, (end - c) / 2);
                c = end;
            } else {  // odd group size: the element shares its byte with another group
                const std::uint8_t b = p[i / 2];
                const float v = e2m1ToF32(static_cast<std::uint8_t>(c % 2 == 0 ? b & 0xfu : b >> 4)) * s;
                storeFromF32(out, a.outDtype, i, v);
                ++c;
            }
        }
    });
}

} // namespace ckpt::cpu
