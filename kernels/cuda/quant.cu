// FP8 block and FP4 group quantization on the device. FP8: one CUDA block per quant block;
// amax is a max over |x| bits (exact, order-free), the scale comes from
// core/numeric/quant_rules.h like on the CPU. FP4: one thread per (row, group).

#include "core/numeric/element_io.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/quant_rules.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

namespace ckpt::cuda {

namespace {

// |x| bits of a finite value, 0 for NaN/inf (they do not set the scale).
__device__ std::uint32_t finiteAbsBits(float x)
{
    const std::uint32_t a = numeric::f32ToBits(x) & numeric::kF32AbsMask;
    return a < numeric::kF32InfBits ? a : 0u;
}

__global__ void fp8QuantKernel(const std::uint8_t* in, DType inDt, std::uint64_t rows,
                               std::uint64_t cols, std::uint32_t blockRows, std::uint32_t blockCols,
                               std::uint64_t gridCols, std::uint8_t* q, std::uint8_t* scale, bool e8m0)
{
    __shared__ std::uint32_t amaxBits;
    __shared__ float s;
    const std::uint64_t blk = blockIdx.x, br = blk / gridCols, bc = blk % gridCols;
    const std::uint64_t r0 = br * blockRows, c0 = bc * blockCols;
    const std::uint64_t nr = min(std::uint64_t{blockRows}, rows - r0), nc = min(std::uint64_t{blockCols}, cols - c0);
    if (threadIdx.x == 0) amaxBits = 0;
    __syncthreads();
    std::uint32_t m = 0;
    for (std::uint64_t k = threadIdx.x; k < nr * nc; k += blockDim.x) {
        const std::uint64_t i = (r0 + k / nc) * cols + c0 + k % nc;
        const std::uint32_t a = finiteAbsBits(numeric::loadF32(in, inDt, i));
        m = a > m ? a : m;
    }
    atomicMax(&amaxBits, m);
    __syncthreads();
    if (threadIdx.x == 0) {
        const numeric::Fp8BlockScale bs = numeric::fp8BlockScale(numeric::bitsToF32(amaxBits), e8m0);
        s = bs.value;
        if (e8m0) scale[blk] = bs.e8m0;
        else numeric::storeU32(scale + 4 * blk, numeric::f32ToBits(bs.value));
    }
    __syncthreads();
    for (std::uint64_t k = threadIdx.x; k < nr * nc; k += blockDim.x) {
        const std::uint64_t i = (r0 + k / nc) * cols + c0 + k % nc;
        q[i] = numeric::f32ToE4m3(numeric::loadF32(in, inDt, i) / s);
    }
}

// One thread per (row, group). With an odd group size two groups share a byte, so then one
// thread takes a whole row instead (no two threads write the same byte).
__global__ void fp4QuantKernel(const std::uint8_t* in, DType inDt, std::uint64_t rows,
                               std::uint64_t cols, std::uint32_t group, std::uint64_t groups,
                               std::uint8_t* packed, std::uint8_t* scale)
{
    const bool perRow = group % 2 != 0;
    const std::uint64_t units = perRow ? rows : rows * groups;
    for (std::uint64_t u = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; u < units;
         u += std::uint64_t{gridDim.x} * blockDim.x) {
        const std::uint64_t r = perRow ? u : u / groups;
        const std::uint64_t g0 = perRow ? 0 : u % groups, g1 = perRow ? groups : g0 + 1;
        for (std::uint64_t g = g0; g < g1; ++g) {
            const std::uint64_t c0 = g * group, c1 = min(cols, c0 + group);
            std::uint32_t m = 0;
            for (std::uint64_t c = c0; c < c1; ++c) {
                const std::uint32_t a = finiteAbsBits(numeric::loadF32(in, inDt, r * cols + c));
                m = a > m ? a : m;
            }
            const std::uint8_t byte = numeric::fp4GroupScale(numeric::bitsToF32(m));
            scale[r * groups + g] = byte;
            const float s = numeric::e8m0Fp4ScaleToF32(byte);
            for (std::uint64_t c = c0; c < c1; ++c) {
                const std::uint8_t code = numeric::f32ToE2m1(numeric::loadF32(in, inDt, r * cols + c) / s);
                std::uint8_t& b = packed[r * (cols / 2) + c / 2];
                const unsigned shift = (c % 2) * 4;
                b = static_cast<std::uint8_t>((b & ~(0xfu << shift)) | (code << shift));
            }
        }
    }
}

} // namespace

Status quantFp8Block(Pipeline& pipe, const Fp8BlockQuantArgs& a)
{
    if (a.rows == 0 || a.cols == 0) return {};
    const std::uint64_t gridCols = ceilDiv(a.cols, a.blockCols), step = chunkRows(a.cols, a.blockRows);
    const std::uint32_t ib = elementBytes(a.inDtype), sb = a.scaleDtype == DType::F8_E8M0 ? 1 : 4;
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* q = static_cast<std::uint8_t*>(a.outWeight);
    auto* sc = static_cast<std::uint8_t*>(a.outScale);
    auto rowsOf = [&](std::size_t k) { return std::min(step, a.rows - k * step); };
    return pipe.run(
        ceilDiv(a.rows, step),
        [&](std::size_t k) {
            const std::uint64_t r0 = k * step, n = rowsOf(k);
            ChunkIo io;
            io.in[0] = in + r0 * a.cols * ib, io.inBytes[0] = n * a.cols * ib;
            io.out[0] = q + r0 * a.cols, io.outBytes[0] = n * a.cols;
            io.out[1] = sc + (r0 / a.blockRows) * gridCols * sb, io.outBytes[1] = ceilDiv(n, a.blockRows) * gridCols * sb;
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            const std::uint64_t n = rowsOf(k), blocks = ceilDiv(n, a.blockRows) * gridCols;
            if (blocks > 0x7fffffffull) return makeError(ErrorCode::InvalidArgument, "fp8 quant: too many blocks per chunk");
            fp8QuantKernel<<<static_cast<unsigned>(blocks), kThreads, 0, st>>>(
                d.in[0], a.inDtype, n, a.cols, a.blockRows, a.blockCols, gridCols, d.out[0], d.out[1],
                a.scaleDtype == DType::F8_E8M0);
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

Status quantFp4(Pipeline& pipe, const Fp4QuantArgs& a)
{
    if (a.rows == 0 || a.cols == 0) return {};
    const std::uint64_t groups = ceilDiv(a.cols, a.groupSize), step = chunkRows(a.cols, 1);
    const std::uint32_t ib = elementBytes(a.inDtype);
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* packed = static_cast<std::uint8_t*>(a.outPacked);
    auto* sc = static_cast<std::uint8_t*>(a.outScale);
    auto rowsOf = [&](std::size_t k) { return std::min(step, a.rows - k * step); };
    return pipe.run(
        ceilDiv(a.rows, step),
        [&](std::size_t k) {
            const std::uint64_t r0 = k * step, n = rowsOf(k);
            ChunkIo io;
            io.in[0] = in + r0 * a.cols * ib, io.inBytes[0] = n * a.cols * ib;
            io.out[0] = packed + r0 * (a.cols / 2), io.outBytes[0] = n * (a.cols / 2);
            io.out[1] = sc + r0 * groups, io.outBytes[1] = n * groups;
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            const std::uint64_t n = rowsOf(k);
            fp4QuantKernel<<<gridFor(a.groupSize % 2 ? n : n * groups), kThreads, 0, st>>>(
                d.in[0], a.inDtype, n, a.cols, a.groupSize, groups, d.out[0], d.out[1]);
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

} // namespace ckpt::cuda
