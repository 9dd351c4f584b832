#pragma once
// CUDA error handling: every runtime call goes through CKPT_CUDA_TRY, which turns a failure
// into ErrorCode::DeviceError naming the call site and cudaGetErrorName, and returns it. Never
// aborts: a failing device must not take the process (or the GUI) down.

#include "core/result.h"

#include <cuda_runtime.h>

#include <string>

namespace ckpt::cuda {

inline Error deviceError(cudaError_t e, const char* what, const char* file, int line)
{
    std::string f = file;
    const auto slash = f.find_last_of('/');
    if (slash != std::string::npos) f = f.substr(slash + 1);
    return makeError(ErrorCode::DeviceError, std::string(what) + " failed: " + cudaGetErrorName(e) +
                                                 " (" + cudaGetErrorString(e) + ") at " + f + ":" +
                                                 std::to_string(line));
}

} // namespace ckpt::cuda

// Evaluates `call`; on failure returns the Error from the enclosing function (which must
// return Status or Result<T>).
#define CKPT_CUDA_TRY(call)                                                                        \
    do {                                                                                           \
        const cudaError_t ckptErr_ = (call);                                                       \
        if (ckptErr_ != cudaSuccess) {                                                             \
            (void)cudaGetLastError(); /* clear the sticky-free error state */                      \
            return ::ckpt::cuda::deviceError(ckptErr_, #call, __FILE__, __LINE__);                 \
        }                                                                                          \
    } while (0)

// After a kernel launch: launch-configuration errors surface through cudaGetLastError.
#define CKPT_CUDA_TRY_LAUNCH() CKPT_CUDA_TRY(cudaGetLastError())
