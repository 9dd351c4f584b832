#include "kernels/cuda/cuda_backend.h"

#include <cuda_runtime.h>

namespace ckpt {

int cudaBackendDeviceCount()
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return n;
}

Result<std::unique_ptr<KernelBackend>> createCudaBackend()
{
    return makeError(ErrorCode::DeviceError, "CUDA backend not built yet");
}

} // namespace ckpt
