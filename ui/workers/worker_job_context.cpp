#include "ui/workers/worker_job_context.h"

namespace ckpt::ui {

WorkerJobContext::WorkerJobContext(ProgressSink sink) : m_sink(std::move(sink)) {}

void WorkerJobContext::reportProgress(std::uint64_t done, std::uint64_t total, std::string_view stage)
{
    if (!m_sink)
        return;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    std::int64_t last = m_lastNs.load(std::memory_order_relaxed);
    const bool final = total != 0 && done >= total;
    const std::int64_t interval = std::chrono::nanoseconds(kMinInterval).count();
    if (!final && last != 0 && now - last < interval)
        return;
    // Several worker threads may report at once: only the one that moves the clock forwards.
    if (!m_lastNs.compare_exchange_strong(last, now, std::memory_order_relaxed) && !final)
        return;
    m_sink(done, total, QString::fromUtf8(stage.data(), static_cast<qsizetype>(stage.size())));
}

} // namespace ckpt::ui
