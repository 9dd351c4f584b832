// FP8 block and FP4 group dequantization on the CPU. The hot loops decode through 256-entry
// tables built once from core/numeric (so they equal the device's arithmetic decode bit for
// bit), multiply by one scale per row segment and round to the output dtype without branches.

#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/cpu_ops.h"

#include <array>
#include <cstring>

namespace ckpt::cpu {

using namespace ckpt::numeric;

namespace {

struct Tables {
    std::array<float, 256> e4m3{};
    std::array<float, 512> e2m1Pairs{};  // byte b -> {low nibble value, high nibble value}
    Tables()
    {
        for (unsigned b = 0; b < 256; ++b) {
            e4m3[b] = e4m3ToF32(static_cast<std::uint8_t>(b));
            e2m1Pairs[2 * b] = e2m1ToF32(static_cast<std::uint8_t>(b & 0xfu));
            e2m1Pairs[2 * b + 1] = e2m1ToF32(static_cast<std::uint8_t>(b >> 4));
        }
    }
};

const Tables& tables()
{
    static const Tables t;
    return t;
}

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

template <DType Out>
inline void fp8Segment(const float* lut, const std::uint8_t* w, float scale, std::uint8_t* out,
                       std::uint64_t n)
{
    for (std::uint64_t i = 0; i < n; ++i) storeOut<Out>(out, i, lut[w[i]] * scale);
}

CKPT_CPU_CLONES void fp8SegmentBf16(const float* lut, const std::uint8_t* w, float s, std::uint8_t* o, std::uint64_t n) { fp8Segment<DType::BF16>(lut, w, s, o, n); }
CKPT_CPU_CLONES void fp8SegmentF16(const float* lut, const std::uint8_t* w, float s, std::uint8_t* o, std::uint64_t n) { fp8Segment<DType::F16>(lut, w, s, o, n); }
CKPT_CPU_CLONES void fp8SegmentF32(const float* lut, const std::uint8_t* w, float s, std::uint8_t* o, std::uint64_t n) { fp8Segment<DType::F32>(lut, w, s, o, n); }

// n packed bytes -> 2n outputs with one scale.
template <DType Out>
inline void fp4Segment(const float* pairs, const std::uint8_t* p, float scale, std::uint8_t* out,
                       std::uint64_t n)
{
    for (std::uint64_t i = 0; i < n; ++i) {
        storeOut<Out>(out, 2 * i, pairs[2 * p[i]] * scale);
        storeOut<Out>(out, 2 * i + 1, pairs[2 * p[i] + 1] * scale);
    }
}

CKPT_CPU_CLONES void fp4SegmentBf16(const float* t, const std::uint8_t* p, float s, std::uint8_t* o, std::uint64_t n) { fp4Segment<DType::BF16>(t, p, s, o, n); }
CKPT_CPU_CLONES void fp4SegmentF16(const float* t, const std::uint8_t* p, float s, std::uint8_t* o, std::uint64_t n) { fp4Segment<DType::F16>(t, p, s, o, n); }
CKPT_CPU_CLONES void fp4SegmentF32(const float* t, const std::uint8_t* p, float s, std::uint8_t* o, std::uint64_t n) { fp4Segment<DType::F32>(t, p, s, o, n); }

using SegmentFn = void (*)(const float*, const std::uint8_t*, float, std::uint8_t*, std::uint64_t);

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

void dequantFp8Block(ThreadPool& pool, const Fp8BlockDequantArgs& a)
{
    const float* lut = tables().e4m3.data();
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
            seg(lut, w + i, s, out + i * outBytes, end - c);
            c = end;
        }
    });
}

void dequantFp4(ThreadPool& pool, const Fp4DequantArgs& a)
{
    const float* pairs = tables().e2m1Pairs.data();
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
                seg(pairs, p + i / 2, s, out + i * outBytes, (end - c) / 2);
                c = end;
            } else {  // odd group size: the element shares its byte with another group
                const std::uint8_t b = p[i / 2];
                const float v = pairs[2 * b + (c % 2)] * s;
                storeFromF32(out, a.outDtype, i, v);
                ++c;
            }
        }
    });
}

} // namespace ckpt::cpu
