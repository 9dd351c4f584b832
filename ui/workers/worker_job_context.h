#pragma once
// The JobContext a UI job runs with: a cancel flag the UI thread sets, and progress that is
// throttled here (at most one update per 50 ms, plus the final one) before it is forwarded, so a
// core job may report per tensor without flooding the UI thread's event queue.

#include "core/job_context.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <functional>

namespace ckpt::ui {

class WorkerJobContext final : public JobContext {
public:
    // Called on the worker thread with throttled updates; must be thread-safe (JobRunner posts
    // a queued call).
    using ProgressSink = std::function<void(quint64 done, quint64 total, const QString& stage)>;

    static constexpr std::chrono::milliseconds kMinInterval{50};

    explicit WorkerJobContext(ProgressSink sink = {});

    void reportProgress(std::uint64_t done, std::uint64_t total, std::string_view stage) override;
    bool isCancelled() const override { return m_cancelled.load(std::memory_order_relaxed); }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }

private:
    ProgressSink m_sink;
    std::atomic<bool> m_cancelled{false};
    std::atomic<std::int64_t> m_lastNs{0};  // steady_clock time of the last forwarded update
};

} // namespace ckpt::ui
