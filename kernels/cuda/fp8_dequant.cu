// FP8 block dequantization on the device: one thread per element (grid-stride), the e4m3
// decode, scale decode, f32 product and output rounding all from core/numeric.

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

namespace ckpt::cuda {

namespace {

__global__ void fp8DequantKernel(const std::uint8_t* w, const std::uint8_t* scale, DType scaleDt,
                                 std::uint64_t rows, std::uint64_t cols, std::uint32_t blockRows,
                                 std::uint32_t blockCols, std::uint64_t gridCols, std::uint8_t* out,
                                 DType outDt)
{
    const std::uint64_t n = rows * cols;
    for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n;
         i += std::uint64_t{gridDim.x} * blockDim.x) {
        const std::uint64_t r = i / cols, c = i % cols;
        const float s = numeric::loadF32(scale, scaleDt, (r / blockRows) * gridCols + c / blockCols);
        numeric::storeFromF32(out, outDt, i, numeric::e4m3ToF32(w[i]) * s);
    }
}

} // namespace

Status dequantFp8Block(Pipeline& pipe, const Fp8BlockDequantArgs& a)
{
    if (a.rows == 0 || a.cols == 0) return {};
    const std::uint64_t gridCols = ceilDiv(a.cols, a.blockCols);
    const std::uint64_t step = chunkRows(a.cols, a.blockRows);  // chunks start on a block row
    const std::uint32_t sb = elementBytes(a.scaleDtype), ob = elementBytes(a.outDtype);
    const auto* w = static_cast<const std::uint8_t*>(a.weight);
    const auto* sc = static_cast<const std::uint8_t*>(a.scale);
    auto* out = static_cast<std::uint8_t*>(a.out);
    auto rowsOf = [&](std::size_t k) { return std::min(step, a.rows - k * step); };
    return pipe.run(
        ceilDiv(a.rows, step),
        [&](std::size_t k) {
            const std::uint64_t r0 = k * step, n = rowsOf(k);
            const std::uint64_t sr0 = r0 / a.blockRows, sRows = ceilDiv(n, a.blockRows);
            ChunkIo io;
            io.in[0] = w + r0 * a.cols, io.inBytes[0] = n * a.cols;
            io.in[1] = sc + sr0 * gridCols * sb, io.inBytes[1] = sRows * gridCols * sb;
            io.out[0] = out + r0 * a.cols * ob, io.outBytes[0] = n * a.cols * ob;
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            const std::uint64_t n = rowsOf(k);
            fp8DequantKernel<<<gridFor(n * a.cols), kThreads, 0, st>>>(
                d.in[0], d.in[1], a.scaleDtype, n, a.cols, a.blockRows, a.blockCols, gridCols, d.out[0], a.outDtype);
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

} // namespace ckpt::cuda
