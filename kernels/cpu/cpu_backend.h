#pragma once
// The CPU KernelBackend: the reference every other backend must match bit for bit, and the one
// used when no CUDA device exists. Work is split into fixed row/element ranges run on a small
// thread pool; reductions are chunked independently of the thread count so results do not
// depend on it.

#include "core/kernel_backend.h"

#include <memory>

namespace ckpt {

class ThreadPool;

class CpuBackend final : public KernelBackend {
public:
    explicit CpuBackend(unsigned threads = 0);  // 0 = std::thread::hardware_concurrency()
    ~CpuBackend() override;
    CpuBackend(const CpuBackend&) = delete;
    CpuBackend& operator=(const CpuBackend&) = delete;

    unsigned threadCount() const;

    std::string_view name() const override;
    std::string deviceDescription() const override;

    Status dequantFp8Block(const Fp8BlockDequantArgs& args) override;
    Status dequantFp4(const Fp4DequantArgs& args) override;
    Status quantFp8Block(const Fp8BlockQuantArgs& args) override;
    Status quantFp4(const Fp4QuantArgs& args) override;
    Status cast(const CastArgs& args) override;
    Status transpose(const TransposeArgs& args) override;

    Status accumulateStats(const void* data, DType dtype, std::uint64_t count,
                           TensorStats& stats) override;
    Status accumulateHistogram(const void* data, DType dtype, std::uint64_t count,
                               Histogram& hist) override;
    Status accumulateErrors(const void* a, DType aDtype, const void* b, DType bDtype,
                            std::uint64_t count, double atol, double rtol,
                            ErrorMetrics& metrics) override;

private:
    std::unique_ptr<ThreadPool> m_pool;
};

} // namespace ckpt
