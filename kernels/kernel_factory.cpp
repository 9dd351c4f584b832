#include "kernels/kernel_factory.h"

#include "kernels/cpu/cpu_backend.h"
#if CKPT_HAVE_CUDA
#include "kernels/cuda/cuda_backend.h"
#endif

namespace ckpt {

std::optional<DeviceChoice> parseDeviceChoice(std::string_view name)
{
    if (name == "auto") return DeviceChoice::Auto;
    if (name == "cpu") return DeviceChoice::Cpu;
    if (name == "cuda") return DeviceChoice::Cuda;
    return std::nullopt;
}

bool cudaCompiledIn()
{
#if CKPT_HAVE_CUDA
    return true;
#else
    return false;
#endif
}

int cudaDeviceCount()
{
#if CKPT_HAVE_CUDA
    return cudaBackendDeviceCount();
#else
    return 0;
#endif
}

Result<std::unique_ptr<KernelBackend>> createKernelBackend(DeviceChoice choice, unsigned threads)
{
    if (choice == DeviceChoice::Cpu || (choice == DeviceChoice::Auto && cudaDeviceCount() == 0))
        return std::unique_ptr<KernelBackend>(std::make_unique<CpuBackend>(threads));
#if CKPT_HAVE_CUDA
    return createCudaBackend();
#else
    return makeError(ErrorCode::DeviceError,
                     "this build has no CUDA backend (nvcc was not found at build time); use --device cpu");
#endif
}

} // namespace ckpt
