#include "ui/workers/kernel_backend_provider.h"

#include "kernels/kernel_factory.h"

namespace ckpt::ui {

KernelBackendProvider::KernelBackendProvider(DeviceChoice choice, unsigned threads)
    : m_choice(choice), m_threads(threads)
{
}

Result<std::shared_ptr<KernelBackend>> KernelBackendProvider::get()
{
    std::lock_guard lock(m_mutex);
    if (m_backend)
        return m_backend;
    if (m_error)
        return *m_error;
    auto created = createKernelBackend(m_choice, m_threads);
    if (!created.ok()) {
        m_error = created.error();
        return created.takeError();
    }
    m_backend = std::shared_ptr<KernelBackend>(std::move(created.value()));
    return m_backend;
}

} // namespace ckpt::ui
