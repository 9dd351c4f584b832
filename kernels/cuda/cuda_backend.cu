// CudaBackend: the KernelBackend on CUDA device 0. Arguments are checked by the same code as
// the CPU backend; each op streams host memory through one Pipeline. Calls are serialised (one
// pipeline, one set of staging buffers per backend).

#include "kernels/cuda/cuda_backend.h"

#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/cuda_ops.cuh"

#include "kernels/cpu/thread_pool.h"

#include <algorithm>
#include <mutex>
#include <thread>

namespace ckpt {

namespace {

const std::uint8_t* bytes(const void* p) { return static_cast<const std::uint8_t*>(p); }

class CudaBackend final : public KernelBackend {
public:
    Status init()
    {
        CKPT_CUDA_TRY(cudaSetDevice(m_device));
        cudaDeviceProp prop{};
        CKPT_CUDA_TRY(cudaGetDeviceProperties(&prop, m_device));
        m_description = std::string(prop.name) + " (" + std::to_string(prop.totalGlobalMem >> 20) +
                        " MiB, sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
        return m_pipe.init();
    }

    std::string_view name() const override { return "cuda"; }
    std::string deviceDescription() const override { return m_description; }

    Status dequantFp8Block(const Fp8BlockDequantArgs& a) override { return call(a, cuda::dequantFp8Block); }
    Status dequantFp4(const Fp4DequantArgs& a) override { return call(a, cuda::dequantFp4); }
    Status quantFp8Block(const Fp8BlockQuantArgs& a) override { return call(a, cuda::quantFp8Block); }
    Status quantFp4(const Fp4QuantArgs& a) override { return call(a, cuda::quantFp4); }
    Status cast(const CastArgs& a) override { return call(a, cuda::cast); }

    // The operands live in host memory and a transpose only moves bytes: on the device it would
    // cross PCIe twice to do what the host does in one pass, so the host's kernel runs it.
    Status transpose(const TransposeArgs& a) override
    {
        if (auto s = checkArgs(a); !s) return s;
        cpu::transpose(m_hostPool, a);
        return {};
    }

    Status accumulateStats(const void* data, DType dt, std::uint64_t count, TensorStats& stats) override
    {
        if (auto s = checkReduceInput(data, dt, count); !s) return s;
        std::lock_guard lock(m_mutex);
        CKPT_CUDA_TRY(cudaSetDevice(m_device));
        std::vector<numeric::StatsPartial> parts;
        if (auto s = cuda::statsPartials(m_pipe, bytes(data), dt, count, parts); !s) return s;
        cpu::foldStats(parts, stats);
        return {};
    }

    Status accumulateHistogram(const void* data, DType dt, std::uint64_t count, Histogram& hist) override
    {
        if (auto s = checkReduceInput(data, dt, count); !s) return s;
        if (auto s = checkHistogram(hist); !s) return s;
        std::lock_guard lock(m_mutex);
        CKPT_CUDA_TRY(cudaSetDevice(m_device));
        return cuda::histogram(m_pipe, bytes(data), dt, count, hist);
    }

    Status accumulateErrors(const void* a, DType aDt, const void* b, DType bDt, std::uint64_t count,
                            double atol, double rtol, ErrorMetrics& metrics) override
    {
        if (auto s = checkReduceInput(a, aDt, count); !s) return s;
        if (auto s = checkReduceInput(b, bDt, count); !s) return s;
        std::lock_guard lock(m_mutex);
        CKPT_CUDA_TRY(cudaSetDevice(m_device));
        std::vector<numeric::ErrorPartial> parts;
        if (auto s = cuda::errorPartials(m_pipe, bytes(a), aDt, bytes(b), bDt, count, atol, rtol, parts); !s) return s;
        cpu::foldErrors(parts, metrics);
        return {};
    }

private:
    template <typename Args>
    Status call(const Args& a, Status (*op)(cuda::Pipeline&, const Args&))
    {
        if (auto s = checkArgs(a); !s) return s;
        std::lock_guard lock(m_mutex);
        CKPT_CUDA_TRY(cudaSetDevice(m_device));
        return op(m_pipe, a);
    }

    int m_device = 0;
    std::string m_description;
    std::mutex m_mutex;
    cuda::Pipeline m_pipe;
    ThreadPool m_hostPool{std::max(1u, std::thread::hardware_concurrency())};
};

} // namespace

int cudaBackendDeviceCount()
{
    // Without a driver or device cudaGetDeviceCount fails (cudaErrorNoDevice,
    // cudaErrorInsufficientDriver, ...): that means "no device", not an error to report.
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        return 0;
    }
    return n;
}

Result<std::unique_ptr<KernelBackend>> createCudaBackend()
{
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        return makeError(ErrorCode::DeviceError, std::string("no usable CUDA device: ") + cudaGetErrorName(e) +
                                                     " (" + cudaGetErrorString(e) + "); use --device cpu");
    }
    if (n == 0) return makeError(ErrorCode::DeviceError, "no CUDA device found; use --device cpu");
    auto backend = std::make_unique<CudaBackend>();
    if (auto s = backend->init(); !s) return s.takeError();
    return std::unique_ptr<KernelBackend>(std::move(backend));
}

} // namespace ckpt
