#pragma once
// Picks a KernelBackend: `auto` = CUDA when compiled in and a device exists, else CPU.

#include "core/kernel_backend.h"

#include <memory>
#include <optional>
#include <string_view>

namespace ckpt {

std::optional<DeviceChoice> parseDeviceChoice(std::string_view name);  // "auto" | "cpu" | "cuda"

bool cudaCompiledIn();
int cudaDeviceCount();  // 0 when not compiled in or no device/driver

// threads: CPU worker threads (0 = hardware concurrency). `cuda` without a device is an error
// (ErrorCode::DeviceError) naming why.
Result<std::unique_ptr<KernelBackend>> createKernelBackend(DeviceChoice choice, unsigned threads = 0);

} // namespace ckpt
