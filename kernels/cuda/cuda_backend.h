#pragma once
// Entry points of the CUDA KernelBackend. Only these two functions are visible to C++ code; the
// backend class itself lives in the .cu files so that no CUDA header leaks into host-only code.

#include "core/kernel_backend.h"

#include <memory>

namespace ckpt {

// Number of usable CUDA devices; 0 (never an error) when there is no driver or no device.
int cudaBackendDeviceCount();

// A backend on device 0, or ErrorCode::DeviceError naming why none can be created.
Result<std::unique_ptr<KernelBackend>> createCudaBackend();

} // namespace ckpt
