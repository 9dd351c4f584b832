#include "cli/terminal_progress.h"

#include "cli/cli_output.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace ckpt::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int)
{
    // A second Ctrl-C falls back to the default action, so a stuck job can still be killed.
    g_interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

std::string clock(double seconds)
{
    if (seconds < 0 || seconds > 360000) return "--:--";
    auto s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

} // namespace

TerminalProgress::TerminalProgress(bool enabled)
    : m_draw(enabled && ::isatty(STDERR_FILENO)),
      m_start(std::chrono::steady_clock::now()), m_lastDraw(m_start)
{
    g_interrupted.store(false);
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

TerminalProgress::~TerminalProgress()
{
    finish();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

bool TerminalProgress::isCancelled() const { return g_interrupted.load(); }

void TerminalProgress::reportProgress(std::uint64_t done, std::uint64_t total, std::string_view stage)
{
    if (!m_draw) return;
    std::lock_guard lock(m_mutex);
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - m_lastDraw < std::chrono::milliseconds(100)) return;
    m_lastDraw = now;
    draw(done, total, stage);
}

void TerminalProgress::draw(std::uint64_t done, std::uint64_t total, std::string_view stage)
{
    const double elapsed = std::chrono::duration<double>(m_lastDraw - m_start).count();
    const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : -1;
    constexpr int kWidth = 28;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '-');
    std::fprintf(stderr, "\r\033[K[%s] %5.1f%% %s/%s %s/s ETA %s %.*s", bar.c_str(), frac * 100.0,
                 humanBytes(done).c_str(), humanBytes(total).c_str(),
                 humanBytes(static_cast<std::uint64_t>(rate)).c_str(), clock(eta).c_str(),
                 static_cast<int>(std::min<std::size_t>(stage.size(), 40)), stage.data());
    std::fflush(stderr);
    m_drewSomething = true;
}

void TerminalProgress::finish()
{
    std::lock_guard lock(m_mutex);
    if (m_drewSomething) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drewSomething = false;
    }
}

} // namespace ckpt::cli
