#include "kernels/cpu/thread_pool.h"

#include <algorithm>

namespace ckpt {

ThreadPool::ThreadPool(unsigned threads)
{
    for (unsigned i = 1; i < threads; ++i)
        m_workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& t : m_workers) t.join();
}

// Takes task numbers under the lock one by one; tasks are coarse (>= tens of microseconds), so
// the lock is not contended enough to matter.
void ThreadPool::drain()
{
    std::unique_lock lock(m_mutex);
    while (m_fn && m_next < m_tasks) {
        const std::size_t task = m_next++;
        const auto* fn = m_fn;
        lock.unlock();
        (*fn)(task);
        lock.lock();
        if (++m_finished == m_tasks) m_done.notify_all();
    }
}

void ThreadPool::workerLoop()
{
    std::size_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) return;
            seen = m_generation;
        }
        drain();
    }
}

void ThreadPool::run(std::size_t tasks, const std::function<void(std::size_t)>& fn)
{
    if (tasks == 0) return;
    std::lock_guard runLock(m_runMutex);
    if (m_workers.empty() || tasks == 1) {
        for (std::size_t i = 0; i < tasks; ++i) fn(i);
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_fn = &fn;
        m_tasks = tasks;
        m_next = 0;
        m_finished = 0;
        ++m_generation;
    }
    m_wake.notify_all();
    drain();
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [&] { return m_finished == m_tasks; });
    m_fn = nullptr;
}

void ThreadPool::runInRuns(std::size_t items, const std::function<void(std::size_t, std::size_t)>& fn)
{
    const std::size_t run = std::max<std::size_t>(1, items / (4 * std::size_t{size()}));
    this->run((items + run - 1) / run, [&](std::size_t t) { fn(t * run, std::min(items, (t + 1) * run)); });
}

} // namespace ckpt
