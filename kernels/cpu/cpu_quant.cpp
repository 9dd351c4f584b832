// FP8 block and FP4 group quantization on the CPU. Scale choice and rounding follow
// core/kernel_backend.h exactly; the CUDA kernels (kernels/cuda/quant.cu) call the same
// helpers in core/numeric/quant_rules.h so both pick the same scales and codes.

#include "core/numeric/element_io.h"
#include "core/numeric/quant_rules.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cpu/prefetch.h"

#include <algorithm>
#include <cstring>

namespace ckpt::cpu {

using namespace ckpt::numeric;

namespace {

template <DType In>
inline float loadIn(const std::uint8_t* p, std::uint64_t i)
{
    if constexpr (In == DType::BF16) {
        std::uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        return bf16ToF32(h);
    } else if constexpr (In == DType::F16) {
        std::uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        return f16ToF32(h);
    } else {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        return f;
    }
}

// max |x| over the finite values of one row segment (NaN and inf are left to the encoder).
template <DType In>
inline float amaxSegment(const std::uint8_t* in, std::uint64_t n)
{
    std::uint32_t m = 0;  // |x| bits compare like |x| for finite values
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint32_t a = f32ToBits(loadIn<In>(in, i)) & kF32AbsMask;
        const std::uint32_t v = a < kF32InfBits ? a : 0u;
        m = v > m ? v : m;
    }
    return bitsToF32(m);
}

template <DType In>
inline void fp8QuantSegment(const std::uint8_t* in, float scale, std::uint8_t* out, std::uint64_t n)
{
    for (std::uint64_t i = 0; i < n; ++i) out[i] = f32ToE4m3(loadIn<In>(in, i) / scale);
}

template <DType In>
inline void fp4QuantSegment(const std::uint8_t* in, float scale, std::uint8_t* out, std::uint64_t pairs)
{
    for (std::uint64_t i = 0; i < pairs; ++i) {
        const std::uint8_t lo = f32ToE2m1(loadIn<In>(in, 2 * i) / scale);
        const std::uint8_t hi = f32ToE2m1(loadIn<In>(in, 2 * i + 1) / scale);
        out[i] = static_cast<std::uint8_t>(lo | (hi << 4));
    }
}

template <DType In>
void quantFp8Typed(ThreadPool& pool, const Fp8BlockQuantArgs& a)
{
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* q = static_cast<std::uint8_t*>(a.outWeight);
    auto* sc = static_cast<std::uint8_t*>(a.outScale);
    const std::uint64_t gridRows = ceilDiv(a.rows, a.blockRows), gridCols = ceilDiv(a.cols, a.blockCols);
    const std::uint64_t inBytes = elementBytes(In);
    // One task per block: its amax needs every row of the block before any code is written.
    pool.run(gridRows * gridCols, [&](std::size_t blk) {
        const std::uint64_t br = blk / gridCols, bc = blk % gridCols;
        const std::uint64_t r0 = br * a.blockRows, r1 = std::min(a.rows, r0 + a.blockRows);
        const std::uint64_t c0 = bc * a.blockCols, n = std::min(a.cols, c0 + a.blockCols) - c0;
        float amax = 0;
        for (std::uint64_t r = r0; r < r1; ++r) {
            const float m = amaxSegment<In>(in + (r * a.cols + c0) * inBytes, n);
            amax = m > amax ? m : amax;
        }
        const Fp8BlockScale s = fp8BlockScale(amax, a.scaleDtype == DType::F8_E8M0);
        if (a.scaleDtype == DType::F8_E8M0) sc[blk] = s.e8m0;
        else std::memcpy(sc + 4 * blk, &s.value, 4);
        for (std::uint64_t r = r0; r < r1; ++r)
            fp8QuantSegment<In>(in + (r * a.cols + c0) * inBytes, s.value, q + r * a.cols + c0, n);
    });
}

template <DType In>
void quantFp4Typed(ThreadPool& pool, const Fp4QuantArgs& a)
{
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* packed = static_cast<std::uint8_t*>(a.outPacked);
    auto* sc = static_cast<std::uint8_t*>(a.outScale);
    const std::uint64_t groups = ceilDiv(a.cols, a.groupSize);
    const std::uint64_t inBytes = elementBytes(In);
    const std::uint64_t align = a.groupSize % 2 == 0 ? a.groupSize : 2ull * a.groupSize;
    [[maybe_unused]] const bool simd = avx2::available(), wide = avx512::available() && a.groupSize % 2 == 0;
    forEachRowSegment(pool, a.rows, a.cols, align, [&](std::uint64_t r, std::uint64_t c0, std::uint64_t c1) {
        const std::uint8_t* row = in + r * a.cols * inBytes;
        std::uint8_t* out = packed + r * (a.cols / 2);
#if CKPT_CPU_AVX2
        if (wide && (c1 - c0) % 2 == 0) {  // c0 is a group boundary, so even
            avx512::fp4QuantGroups(row + c0 * inBytes, In, a.groupSize, c1 - c0, out + c0 / 2,
                                   sc + r * groups + c0 / a.groupSize);
            return;
        }
#endif
        for (std::uint64_t c = c0; c < c1;) {
            const std::uint64_t g = c / a.groupSize, end = std::min(c1, (g + 1) * a.groupSize);
#if CKPT_CPU_AVX2
            if (simd && a.groupSize == 32 && c1 - c >= 32) {  // V4's experts: whole groups at once
                const std::uint64_t whole = (c1 - c) / 32;
                avx2::fp4Groups32(row + c * inBytes, In, whole, out + c / 2, sc + r * groups + g);
                c += 32 * whole;
                continue;
            }
            if (simd && c % 2 == 0 && end % 2 == 0) {
                const std::uint8_t byte = fp4GroupScale(bitsToF32(avx2::absMaxBits(row + c * inBytes, In, end - c, 0)));
                sc[r * groups + g] = byte;
                avx2::fp4Encode(row + c * inBytes, In, e8m0Fp4ScaleToF32(byte), out + c / 2, (end - c) / 2);
                c = end;
                continue;
            }
#endif
            const std::uint8_t byte = fp4GroupScale(amaxSegment<In>(row + c * inBytes, end - c));
            sc[r * groups + g] = byte;
            const float s = e8m0Fp4ScaleToF32(byte);
            if (c % 2 == 0 && end % 2 == 0) {
                fp4QuantSegment<In>(row + c * inBytes, s, out + c / 2, (end - c) / 2);
            } else {  // odd group size: bytes shared with the neighbour group, one nibble at a time
                for (std::uint64_t k = c; k < end; ++k) {
                    const std::uint8_t code = f32ToE2m1(loadIn<In>(row, k) / s);
                    const unsigned shift = (k % 2) * 4;
                    out[k / 2] = static_cast<std::uint8_t>((out[k / 2] & ~(0xfu << shift)) | (code << shift));
                }
            }
            c = end;
        }
    });
}

#if CKPT_CPU_AVX2
// Tiles of one block row and as many block columns as fit in about this many input bytes: the
// amax pass walks the tile's rows in memory order and the encode pass finds them in cache.
constexpr std::uint64_t kQuantTileBytes = 256u << 10;

void quantFp8Avx2(ThreadPool& pool, const Fp8BlockQuantArgs& a)
{
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* q = static_cast<std::uint8_t*>(a.outWeight);
    auto* sc = static_cast<std::uint8_t*>(a.outScale);
    const std::uint64_t gridRows = ceilDiv(a.rows, a.blockRows), gridCols = ceilDiv(a.cols, a.blockCols);
    const std::uint64_t inBytes = elementBytes(a.inDtype);
    const std::uint64_t blockBytes = std::uint64_t{a.blockRows} * a.blockCols * inBytes;
    const std::uint64_t tileBlocks = std::clamp<std::uint64_t>(kQuantTileBytes / blockBytes, 1, gridCols);
    const std::uint64_t tilesPerRow = ceilDiv(gridCols, tileBlocks);
    const bool e8m0 = a.scaleDtype == DType::F8_E8M0;
    const bool wide = avx512::available();
    const auto absMax = wide ? avx512::absMaxBits : avx2::absMaxBits;
    const auto encode = wide ? avx512::fp8Encode : avx2::fp8Encode;
    const bool byTable = wide && a.inDtype == DType::BF16;  // avx512::Fp8Bf16Table says why
    const bool byBuckets = !wide && a.inDtype == DType::BF16;  // avx2::Fp8Bf16Buckets
    const bool rowsByTable = byTable && a.blockCols % 32 == 0;  // one call per tile row and pass
    struct Tile {
        std::uint64_t br, j0, j1, r0, r1, c0, width;
    };
    const auto tileAt = [&](std::uint64_t t) {
        Tile g;
        g.br = t / tilesPerRow, g.j0 = (t % tilesPerRow) * tileBlocks, g.j1 = std::min(gridCols, g.j0 + tileBlocks);
        g.r0 = g.br * a.blockRows, g.r1 = std::min(a.rows, g.r0 + a.blockRows);
        g.c0 = g.j0 * a.blockCols, g.width = std::min(a.cols, g.j1 * a.blockCols) - g.c0;
        return g;
    };
    // Runs of consecutive tiles: while a tile is encoded (its input in L2), the next one is asked
    // for, so the amax pass does not wait on all its misses at once.
    pool.runInRuns(gridRows * tilesPerRow, [&](std::size_t t0, std::size_t t1) {
        std::vector<std::uint32_t> amax(tileBlocks);
        std::vector<float> scale(tileBlocks);
        std::vector<avx512::Fp8Bf16Table> tables(byTable ? tileBlocks : 0);
        std::vector<avx2::Fp8Bf16Buckets> buckets(byBuckets ? tileBlocks : 0);
        std::vector<std::uint16_t> lanes(rowsByTable ? 32 * tileBlocks : 0);
        for (std::uint64_t t = t0; t < t1; ++t) {
            const Tile g = tileAt(t);
            BlockPrefetch next;
            if (t + 1 < t1) {
                const Tile n = tileAt(t + 1);
                next = BlockPrefetch(in + (n.r0 * a.cols + n.c0) * inBytes, a.cols * inBytes, n.width * inBytes,
                                     n.r1 - n.r0, (g.r1 - g.r0) * (g.j1 - g.j0));
            }
            // The amax pass asks for the tile's next row while it reads this one: the rows of a
            // tile are a whole row pitch apart, and the hardware prefetchers pick up each late.
            auto forEachSegment = [&](bool prefetchNextRow, auto&& fn) {
                for (std::uint64_t r = g.r0; r < g.r1; ++r) {
                    if (prefetchNextRow && r + 1 < g.r1)
                        prefetchLines(in + ((r + 1) * a.cols + g.c0) * inBytes, g.width * inBytes);
                    for (std::uint64_t j = g.j0; j < g.j1; ++j) {
                        const std::uint64_t s0 = j * a.blockCols, n = std::min(a.cols, s0 + a.blockCols) - s0;
                        fn(r * a.cols + s0, j - g.j0, n);
                    }
                }
            };
            if (rowsByTable) {
                std::fill(lanes.begin(), lanes.end(), std::uint16_t{0});
                for (std::uint64_t r = g.r0; r < g.r1; ++r) {
                    if (r + 1 < g.r1) prefetchLines(in + ((r + 1) * a.cols + g.c0) * 2, g.width * 2);
                    avx512::fp8AbsMaxBf16Row(in + (r * a.cols + g.c0) * 2, a.blockCols, g.width, lanes.data());
                }
                for (std::uint64_t k = 0; k < g.j1 - g.j0; ++k) amax[k] = avx512::fp8AbsMaxBf16Lanes(lanes.data() + 32 * k);
            } else {
                std::fill(amax.begin(), amax.end(), 0u);
                forEachSegment(true, [&](std::uint64_t i, std::uint64_t k, std::uint64_t n) {
                    amax[k] = absMax(in + i * inBytes, a.inDtype, n, amax[k]);
                });
            }
            for (std::uint64_t j = g.j0; j < g.j1; ++j) {
                const Fp8BlockScale s = fp8BlockScale(bitsToF32(amax[j - g.j0]), e8m0);
                const std::uint64_t blk = g.br * gridCols + j;
                if (e8m0) sc[blk] = s.e8m0;
                else std::memcpy(sc + 4 * blk, &s.value, 4);
                scale[j - g.j0] = s.value;
                if (byTable) avx512::fp8Bf16Table(s.value, tables[j - g.j0]);
                if (byBuckets) avx2::fp8Bf16Buckets(s.value, buckets[j - g.j0]);
            }
            if (rowsByTable) {
                for (std::uint64_t r = g.r0; r < g.r1; ++r)
                    avx512::fp8EncodeBf16Row(in + (r * a.cols + g.c0) * 2, tables.data(), a.blockCols, g.width,
                                             q + r * a.cols + g.c0, next);
                continue;
            }
            forEachSegment(false, [&](std::uint64_t i, std::uint64_t k, std::uint64_t n) {
                next.step();
                if (byTable) avx512::fp8EncodeBf16(in + i * inBytes, tables[k], q + i, n);
                else if (byBuckets) avx2::fp8EncodeBf16(in + i * inBytes, buckets[k], q + i, n);
                else encode(in + i * inBytes, a.inDtype, scale[k], q + i, n);
            });
        }
    });
}
#endif

} // namespace

void quantFp8Block(ThreadPool& pool, const Fp8BlockQuantArgs& a)
{
#if CKPT_CPU_AVX2
    if (a.rows != 0 && a.cols != 0 && avx2::available()) return quantFp8Avx2(pool, a);
#endif
    switch (a.inDtype) {
    case DType::BF16: quantFp8Typed<DType::BF16>(pool, a); break;
    case DType::F16: quantFp8Typed<DType::F16>(pool, a); break;
    default: quantFp8Typed<DType::F32>(pool, a); break;
    }
}

void quantFp4(ThreadPool& pool, const Fp4QuantArgs& a)
{
    switch (a.inDtype) {
    case DType::BF16: quantFp4Typed<DType::BF16>(pool, a); break;
    case DType::F16: quantFp4Typed<DType::F16>(pool, a); break;
    default: quantFp4Typed<DType::F32>(pool, a); break;
    }
}

} // namespace ckpt::cpu
