// Histograms on the device: one thread per element, integer atomics into per-chunk counters
// (exact and order-free), slots from core/numeric/reduce_rules.h with the host-computed log
// edges, summed on the host.

#include "core/numeric/element_io.h"
#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

namespace ckpt::cuda {

namespace {

// counts[0..bins) then underflow, overflow, zeros, nan, inf (as the CPU's countRange).
__global__ void histKernel(const std::uint8_t* data, DType dt, std::uint64_t n, double lo, double hi,
                           std::uint32_t bins, bool logBins, const double* edges,
                           unsigned long long* counts)
{
    for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n;
         i += std::uint64_t{gridDim.x} * blockDim.x) {
        const double v = numeric::loadF64(data, dt, i);
        const int slot = numeric::histogramSlot(v, lo, hi, bins, logBins, edges);
        if (slot >= 0) atomicAdd(&counts[slot], 1ull);
        else if (slot == numeric::kSlotUnder) atomicAdd(&counts[bins], 1ull);
        else if (slot == numeric::kSlotOver) atomicAdd(&counts[bins + 1], 1ull);
        else if (slot == numeric::kSlotNan) atomicAdd(&counts[bins + 3], 1ull);
        else if (slot == numeric::kSlotInf) atomicAdd(&counts[bins + 4], 1ull);
        if (v == 0.0) atomicAdd(&counts[bins + 2], 1ull);
    }
}

// Device copy of the log edges, freed when the call returns.
struct DeviceEdges {
    double* ptr = nullptr;
    ~DeviceEdges() { if (ptr) cudaFree(ptr); }
};

} // namespace

Status histogram(Pipeline& pipe, const std::uint8_t* data, DType dt, std::uint64_t count, Histogram& hist)
{
    const HistogramSpec& s = hist.spec;
    DeviceEdges edges;
    if (s.logBins) {
        const std::vector<double> e = cpu::logBinEdges(s);
        CKPT_CUDA_TRY(cudaMalloc(&edges.ptr, e.size() * sizeof(double)));
        CKPT_CUDA_TRY(cudaMemcpy(edges.ptr, e.data(), e.size() * sizeof(double), cudaMemcpyHostToDevice));
    }
    const std::uint64_t per = kChunkElements, eb = elementBytes(dt), width = s.bins + 5;
    const std::uint64_t chunks = ceilDiv(count, per);
    std::vector<unsigned long long> local(chunks * width, 0);
    auto elems = [&](std::size_t k) { return std::min(per, count - k * per); };
    const Status st = pipe.run(
        chunks,
        [&](std::size_t k) {
            ChunkIo io;
            io.in[0] = data + k * per * eb, io.inBytes[0] = elems(k) * eb;
            io.out[0] = reinterpret_cast<std::uint8_t*>(local.data() + k * width);
            io.outBytes[0] = width * sizeof(unsigned long long);
            return io;
        },
        [&](std::size_t k, cudaStream_t stream, const DeviceIo& d) -> Status {
            auto* counts = reinterpret_cast<unsigned long long*>(d.out[0]);
            CKPT_CUDA_TRY(cudaMemsetAsync(counts, 0, width * sizeof(unsigned long long), stream));
            histKernel<<<gridFor(elems(k)), kThreads, 0, stream>>>(d.in[0], dt, elems(k), s.lo, s.hi, s.bins,
                                                                    s.logBins, edges.ptr, counts);
            CKPT_CUDA_TRY_LAUNCH();
            return {};
        });
    if (!st) return st;
    for (std::uint64_t k = 0; k < chunks; ++k) {
        const unsigned long long* c = local.data() + k * width;
        for (std::uint32_t b = 0; b < s.bins; ++b) hist.counts[b] += c[b];
        hist.underflow += c[s.bins], hist.overflow += c[s.bins + 1], hist.zeros += c[s.bins + 2];
        hist.nan += c[s.bins + 3], hist.inf += c[s.bins + 4];
    }
    return {};
}

} // namespace ckpt::cuda
