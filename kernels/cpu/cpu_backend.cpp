#include "kernels/cpu/cpu_backend.h"

#include "kernels/cpu/arg_checks.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/cpu/thread_pool.h"

#include <string>
#include <thread>

namespace ckpt {

namespace {

unsigned resolveThreads(unsigned threads)
{
    if (threads != 0) return threads;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : hw;
}

const std::uint8_t* bytes(const void* p) { return static_cast<const std::uint8_t*>(p); }

} // namespace

CpuBackend::CpuBackend(unsigned threads) : m_pool(std::make_unique<ThreadPool>(resolveThreads(threads))) {}
CpuBackend::~CpuBackend() = default;

unsigned CpuBackend::threadCount() const { return m_pool->size(); }
std::string_view CpuBackend::name() const { return "cpu"; }

std::string CpuBackend::deviceDescription() const
{
    return "CPU, " + std::to_string(threadCount()) + (threadCount() == 1 ? " thread" : " threads");
}

Status CpuBackend::dequantFp8Block(const Fp8BlockDequantArgs& args)
{
    if (auto s = checkArgs(args); !s) return s;
    cpu::dequantFp8Block(*m_pool, args);
    return {};
}

Status CpuBackend::dequantFp4(const Fp4DequantArgs& args)
{
    if (auto s = checkArgs(args); !s) return s;
    cpu::dequantFp4(*m_pool, args);
    return {};
}

Status CpuBackend::quantFp8Block(const Fp8BlockQuantArgs& args)
{
    if (auto s = checkArgs(args); !s) return s;
    cpu::quantFp8Block(*m_pool, args);
    return {};
}

Status CpuBackend::quantFp4(const Fp4QuantArgs& args)
{
    if (auto s = checkArgs(args); !s) return s;
    cpu::quantFp4(*m_pool, args);
    return {};
}

Status CpuBackend::cast(const CastArgs& args)
{
    if (auto s = checkArgs(args); !s) return s;
    cpu::cast(*m_pool, args);
    return {};
}

Status CpuBackend::transpose(const TransposeArgs& args)
{
    if (auto s = checkArgs(args); !s) return s;
    cpu::transpose(*m_pool, args);
    return {};
}

Status CpuBackend::accumulateStats(const void* data, DType dtype, std::uint64_t count, TensorStats& stats)
{
    if (auto s = checkReduceInput(data, dtype, count); !s) return s;
    cpu::foldStats(cpu::statsPartials(*m_pool, bytes(data), dtype, count), stats);
    return {};
}

Status CpuBackend::accumulateHistogram(const void* data, DType dtype, std::uint64_t count, Histogram& hist)
{
    if (auto s = checkReduceInput(data, dtype, count); !s) return s;
    if (auto s = checkHistogram(hist); !s) return s;
    cpu::histogram(*m_pool, bytes(data), dtype, count, hist);
    return {};
}

Status CpuBackend::accumulateErrors(const void* a, DType aDtype, const void* b, DType bDtype,
                                    std::uint64_t count, double atol, double rtol, ErrorMetrics& metrics)
{
    if (auto s = checkReduceInput(a, aDtype, count); !s) return s;
    if (auto s = checkReduceInput(b, bDtype, count); !s) return s;
    cpu::foldErrors(cpu::errorPartials(*m_pool, bytes(a), aDtype, bytes(b), bDtype, count, atol, rtol), metrics);
    return {};
}

} // namespace ckpt
