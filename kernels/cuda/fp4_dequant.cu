// FP4 e2m1 dequantization on the device: one thread per packed byte (two outputs), V4's scale
// rule (byte 0 -> 0, 255 -> inf) from core/numeric/e8m0.h.

#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

namespace ckpt::cuda {

namespace {

__global__ void fp4DequantKernel(const std::uint8_t* packed, const std::uint8_t* scale,
                                 std::uint64_t rows, std::uint64_t cols, std::uint64_t scaleCols,
                                 std::uint32_t group, std::uint8_t* out, DType outDt)
{
    const std::uint64_t half = cols / 2, n = rows * half;
    for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n;
         i += std::uint64_t{gridDim.x} * blockDim.x) {
        const std::uint64_t r = i / half, c = (i % half) * 2;
        const std::uint8_t b = packed[i];
        const float s0 = numeric::e8m0Fp4ScaleToF32(scale[r * scaleCols + c / group]);
        const float s1 = numeric::e8m0Fp4ScaleToF32(scale[r * scaleCols + (c + 1) / group]);
        numeric::storeFromF32(out, outDt, 2 * i, numeric::e2m1ToF32(b & 0xfu) * s0);
        numeric::storeFromF32(out, outDt, 2 * i + 1, numeric::e2m1ToF32(b >> 4) * s1);
    }
}

} // namespace

Status dequantFp4(Pipeline& pipe, const Fp4DequantArgs& a)
{
    if (a.rows == 0 || a.cols == 0) return {};
    const std::uint64_t step = chunkRows(a.cols, 1);
    const std::uint32_t ob = elementBytes(a.outDtype);
    const auto* p = static_cast<const std::uint8_t*>(a.packed);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    auto rowsOf = [&](std::size_t k) { return std::min(step, a.rows - k * step); };
    return pipe.run(
        ceilDiv(a.rows, step),
        [&](std::size_t k) {
            const std::uint64_t r0 = k * step, n = rowsOf(k);
            ChunkIo io;
            io.in[0] = p + r0 * (a.cols / 2), io.inBytes[0] = n * (a.cols / 2);
            io.in[1] = sc + r0 * a.scaleCols, io.inBytes[1] = n * a.scaleCols;
            io.out[0] = out + r0 * a.cols * ob, io.outBytes[0] = n * a.cols * ob;
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            const std::uint64_t n = rowsOf(k);
            fp4DequantKernel<<<gridFor(n * a.cols / 2), kThreads, 0, st>>>(
                d.in[0], d.in[1], n, a.cols, a.scaleCols, a.groupSize, d.out[0], a.outDtype);
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

} // namespace ckpt::cuda
