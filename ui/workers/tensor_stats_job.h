#pragma once
// The computation behind TensorStatsWorker, plain C++ so tests can run it directly: read a
// tensor's bytes (mmap views, no copy), dequantize chunk by chunk when it is a quant pair's
// weight, and feed the values to the KernelBackend twice: statistics first, then a histogram
// whose range comes from those statistics. Cancellation and progress are checked per chunk
// (at most 16 MiB of f32 scratch, whatever the tensor's size).

#include "core/checkpoint/checkpoint.h"
#include "core/job_context.h"
#include "ui/workers/tensor_stats_result.h"

#include <functional>
#include <span>

namespace ckpt::ui {

class TensorStatsJob {
public:
    static constexpr std::uint64_t kChunkElements = std::uint64_t(1) << 22;
    static constexpr std::uint64_t kMaxGridCells = std::uint64_t(1) << 24;

    TensorStatsJob(const Checkpoint& checkpoint, std::uint32_t tensorIndex, KernelBackend& backend,
                   std::uint32_t bins, JobContext& job);
    Result<TensorStatsResult> run();

    // [min, max] of the finite values, widened when the tensor is constant.
    static HistogramSpec valueHistogramSpec(const TensorStats& stats, std::uint32_t bins);
    // Log2-spaced bins from the power of two at or below minPositive to the one at or above max.
    static HistogramSpec scaleHistogramSpec(double minPositive, double max, std::uint32_t bins);

private:
    using ChunkFn = std::function<Status(const void* data, DType dtype, std::uint64_t count)>;

    Status forEachValueChunk(const ChunkFn& fn);
    Status forEachPlainChunk(std::span<const std::byte> bytes, const TensorRef& ref, const ChunkFn& fn);
    Status forEachFp8Chunk(std::span<const std::byte> w, std::span<const std::byte> s, const ChunkFn& fn);
    Status forEachFp4Chunk(std::span<const std::byte> w, std::span<const std::byte> s, const ChunkFn& fn);
    Status tick(std::uint64_t elements, std::string_view stage);
    Result<std::span<const std::byte>> bytesOf(const TensorRef& ref) const;
    Result<ScaleSummary> summarizeScales();
    Status fillGrid(std::span<const std::byte> bytes, ScaleSummary& summary);
    bool canDequantize() const;

    const Checkpoint& m_checkpoint;
    const TensorRef& m_ref;
    KernelBackend& m_backend;
    std::uint32_t m_bins;
    JobContext& m_job;
    const QuantPair* m_pair = nullptr;
    const TensorRef* m_scaleRef = nullptr;
    std::vector<float> m_scratch;
    std::uint64_t m_done = 0, m_total = 0;
};

} // namespace ckpt::ui
