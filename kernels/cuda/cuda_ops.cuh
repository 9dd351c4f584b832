#pragma once
// The CUDA kernels behind CudaBackend, one .cu per op. Arguments are already checked
// (kernels/cpu/arg_checks.h); the scalar maths is core/numeric, as on the CPU, so results are
// bit-identical. All pointers are host memory, streamed through the Pipeline.

#include "core/kernel_backend.h"
#include "core/numeric/reduce_rules.h"
#include "kernels/cuda/cuda_pipeline.cuh"

#include <vector>

namespace ckpt::cuda {

inline constexpr int kThreads = 256;
// Elements per pipeline chunk: large enough to amortise launches and transfers, small enough
// that two slots of pinned + device buffers stay in the low hundreds of MiB.
inline constexpr std::uint64_t kChunkElements = 16ull << 20;

// Whole multiples of `align` rows holding about kChunkElements elements (at least `align`).
inline std::uint64_t chunkRows(std::uint64_t cols, std::uint64_t align)
{
    const std::uint64_t rows = cols == 0 ? align : kChunkElements / cols;
    return rows < align ? align : rows / align * align;
}

inline unsigned gridFor(std::uint64_t n)
{
    const std::uint64_t blocks = (n + kThreads - 1) / kThreads;
    return static_cast<unsigned>(blocks > 65535u * 16u ? 65535u * 16u : (blocks == 0 ? 1 : blocks));
}

Status dequantFp8Block(Pipeline& pipe, const Fp8BlockDequantArgs& a);
Status dequantFp4(Pipeline& pipe, const Fp4DequantArgs& a);
Status quantFp8Block(Pipeline& pipe, const Fp8BlockQuantArgs& a);
Status quantFp4(Pipeline& pipe, const Fp4QuantArgs& a);
Status cast(Pipeline& pipe, const CastArgs& a);
Status statsPartials(Pipeline& pipe, const std::uint8_t* data, DType dt, std::uint64_t count,
                     std::vector<numeric::StatsPartial>& parts);
Status errorPartials(Pipeline& pipe, const std::uint8_t* a, DType aDt, const std::uint8_t* b,
                     DType bDt, std::uint64_t count, double atol, double rtol,
                     std::vector<numeric::ErrorPartial>& parts);
Status histogram(Pipeline& pipe, const std::uint8_t* data, DType dt, std::uint64_t count,
                 Histogram& hist);

} // namespace ckpt::cuda
