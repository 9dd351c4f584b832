// Elementwise casts on the device, one thread per element, through the same codecs as the CPU
// (F64 input: RNE to F32, round-to-odd then RNE to BF16/F16, see core/numeric/element_io.h).

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

namespace ckpt::cuda {

namespace {

__global__ void castKernel(const std::uint8_t* in, DType inDt, std::uint64_t n, std::uint8_t* out, DType outDt)
{
    for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n;
         i += std::uint64_t{gridDim.x} * blockDim.x) {
        if (outDt == DType::F64) {
            numeric::storeU64(out + 8 * i, numeric::f64ToBits(numeric::loadF64(in, inDt, i)));
        } else if (inDt == DType::F64) {
            const double d = numeric::loadF64(in, inDt, i);
            const float f = outDt == DType::F32 ? numeric::f64ToF32(d) : numeric::f64ToF32RoundOdd(d);
            numeric::storeFromF32(out, outDt, i, f);
        } else {
            numeric::storeFromF32(out, outDt, i, numeric::loadF32(in, inDt, i));
        }
    }
}

} // namespace

Status cast(Pipeline& pipe, const CastArgs& a)
{
    const std::uint64_t per = kChunkElements, ib = elementBytes(a.inDtype), ob = elementBytes(a.outDtype);
    const auto* in = static_cast<const std::uint8_t*>(a.in);
    auto* out = static_cast<std::uint8_t*>(a.out);
    auto elems = [&](std::size_t k) { return std::min(per, a.count - k * per); };
    return pipe.run(
        ceilDiv(a.count, per),
        [&](std::size_t k) {
            ChunkIo io;
            io.in[0] = in + k * per * ib, io.inBytes[0] = elems(k) * ib;
            io.out[0] = out + k * per * ob, io.outBytes[0] = elems(k) * ob;
            return io;
        },
        [&](std::size_t k, cudaStream_t st, const DeviceIo& d) -> Status {
            castKernel<<<gridFor(elems(k)), kThreads, 0, st>>>(d.in[0], a.inDtype, elems(k), d.out[0], a.outDtype);
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
}

} // namespace ckpt::cuda
