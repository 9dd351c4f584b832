#pragma once
// The one small interface through which every long core job reports progress and learns that it
// was cancelled. Jobs check isCancelled() per tensor and per 64 MiB of data, and return
// ErrorCode::Cancelled when it is set.

#include <atomic>
#include <cstdint>
#include <string_view>

namespace ckpt {

class JobContext {
public:
    virtual ~JobContext() = default;
    // done/total in the job's unit (bytes unless stage says otherwise). May be called from any
    // worker thread; implementations throttle and forward.
    virtual void reportProgress(std::uint64_t done, std::uint64_t total, std::string_view stage) = 0;
    virtual bool isCancelled() const = 0;
};

// For callers that need neither progress nor cancellation; cancel() still works (tests use it).
class SimpleJobContext final : public JobContext {
public:
    void reportProgress(std::uint64_t done, std::uint64_t total, std::string_view) override
    {
        m_done.store(done, std::memory_order_relaxed);
        m_total.store(total, std::memory_order_relaxed);
    }
    bool isCancelled() const override { return m_cancelled.load(std::memory_order_relaxed); }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    std::uint64_t done() const { return m_done.load(std::memory_order_relaxed); }
    std::uint64_t total() const { return m_total.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
    std::atomic<std::uint64_t> m_done{0};
    std::atomic<std::uint64_t> m_total{0};
};

} // namespace ckpt
