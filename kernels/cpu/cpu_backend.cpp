#include "kernels/cpu/cpu_backend.h"

#include <thread>

namespace ckpt {

class ThreadPool {};

namespace {
Status notYet() { return makeError(ErrorCode::Internal, "CPU kernel not built yet"); }
}

CpuBackend::CpuBackend(unsigned) : m_pool(std::make_unique<ThreadPool>()) {}
CpuBackend::~CpuBackend() = default;
unsigned CpuBackend::threadCount() const { return 1; }
std::string_view CpuBackend::name() const { return "cpu"; }
std::string CpuBackend::deviceDescription() const { return "CPU"; }
Status CpuBackend::dequantFp8Block(const Fp8BlockDequantArgs&) { return notYet(); }
Status CpuBackend::dequantFp4(const Fp4DequantArgs&) { return notYet(); }
Status CpuBackend::quantFp8Block(const Fp8BlockQuantArgs&) { return notYet(); }
Status CpuBackend::quantFp4(const Fp4QuantArgs&) { return notYet(); }
Status CpuBackend::cast(const CastArgs&) { return notYet(); }
Status CpuBackend::accumulateStats(const void*, DType, std::uint64_t, TensorStats&) { return notYet(); }
Status CpuBackend::accumulateHistogram(const void*, DType, std::uint64_t, Histogram&) { return notYet(); }
Status CpuBackend::accumulateErrors(const void*, DType, const void*, DType, std::uint64_t, double,
                                    double, ErrorMetrics&) { return notYet(); }

} // namespace ckpt
