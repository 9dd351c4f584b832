#pragma once
// The CLI's JobContext: a progress bar on stderr when it is a terminal (silent otherwise), with
// throughput and ETA, and Ctrl-C (or SIGTERM) turned into a clean cancellation (the job deletes its partial
// output and returns Cancelled) instead of killing the process mid-write.

#include "core/job_context.h"

#include <chrono>
#include <mutex>
#include <string>

namespace ckpt::cli {

class TerminalProgress final : public JobContext {
public:
    explicit TerminalProgress(bool enabled);  // enabled && isatty(2) draws
    ~TerminalProgress() override;

    void reportProgress(std::uint64_t done, std::uint64_t total, std::string_view stage) override;
    bool isCancelled() const override;
    void finish();  // clears the bar line

private:
    void draw(std::uint64_t done, std::uint64_t total, std::string_view stage);
    bool m_draw = false;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
    bool m_drewSomething = false;
};

} // namespace ckpt::cli
