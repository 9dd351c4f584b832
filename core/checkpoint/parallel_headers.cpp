#include "core/checkpoint/parallel_headers.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace ckpt {

Result<std::vector<SafetensorsHeader>> readHeadersParallel(const std::vector<std::string>& files,
                                                           DataCheck check, unsigned threads,
                                                           JobContext* job)
{
    const std::size_t n = files.size();
    std::vector<std::optional<Result<SafetensorsHeader>>> results(n);
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> failed{false};

    auto worker = [&] {
        for (;;) {
            if (failed.load(std::memory_order_relaxed) || (job && job->isCancelled())) return;
            std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= n) return;
            results[i].emplace(readSafetensorsHeader(files[i], check));
            // Later files are still read by other threads; only stop handing out new ones.
            if (!results[i]->ok()) failed.store(true, std::memory_order_relaxed);
            std::size_t d = done.fetch_add(1, std::memory_order_relaxed) + 1;
            if (job) job->reportProgress(d, n, "reading headers");
        }
    };

    unsigned want = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    std::size_t count = std::min<std::size_t>(want, n);
    if (count <= 1) {
        worker();
    } else {
        std::vector<std::jthread> pool;
        pool.reserve(count);
        for (std::size_t t = 0; t < count; ++t) pool.emplace_back(worker);
    }

    if (job && job->isCancelled()) return makeError(ErrorCode::Cancelled, "opening the checkpoint was cancelled");
    std::vector<SafetensorsHeader> headers;
    headers.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        // A file never read was skipped because an earlier-handed file failed; report that one.
        if (!results[i]) continue;
        if (!results[i]->ok()) return results[i]->takeError();
        headers.push_back(std::move(results[i]->value()));
    }
    if (headers.size() != n) {
        for (auto& r : results)
            if (r && !r->ok()) return r->takeError();
        return makeError(ErrorCode::Internal, "a header was not read");
    }
    return headers;
}

} // namespace ckpt
