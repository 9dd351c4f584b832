#pragma once
// Creates the KernelBackend once, on first use, from whichever worker thread asks first: probing
// for a CUDA device can take a second, which must not happen on the UI thread. Backends
// serialise concurrent calls themselves, so one instance is shared by every worker.

#include "core/kernel_backend.h"
#include "core/result.h"

#include <memory>
#include <mutex>
#include <optional>

namespace ckpt::ui {

class KernelBackendProvider {
public:
    explicit KernelBackendProvider(DeviceChoice choice = DeviceChoice::Auto, unsigned threads = 0);

    // Blocks while the backend is being created; call from worker threads only.
    Result<std::shared_ptr<KernelBackend>> get();

private:
    DeviceChoice m_choice;
    unsigned m_threads;
    std::mutex m_mutex;
    std::shared_ptr<KernelBackend> m_backend;
    std::optional<Error> m_error;  // creation failed: every later get() reports the same error
};

} // namespace ckpt::ui
