#pragma once
// A fixed set of worker threads that run numbered tasks of one call at a time. The calling
// thread works too, so ThreadPool(1) runs everything inline. Which thread runs which task is not
// fixed, so callers write each task's result to its own slot and combine slots in task order;
// results are then independent of the thread count.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ckpt {

class ThreadPool {
public:
    explicit ThreadPool(unsigned threads);  // total threads including the caller; >= 1
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    unsigned size() const { return static_cast<unsigned>(m_workers.size()) + 1; }

    // Runs fn(0) .. fn(tasks - 1) and returns when all are done. Concurrent calls from several
    // threads queue one after the other; fn must not call run() on the same pool.
    void run(std::size_t tasks, const std::function<void(std::size_t)>& fn);

    // Runs fn(begin, end) over ranges of consecutive items that cover 0 .. items - 1, about four
    // per thread: for loops whose task prefetches the item it takes next while it works on one.
    void runInRuns(std::size_t items, const std::function<void(std::size_t begin, std::size_t end)>& fn);

private:
    void workerLoop();
    void drain();

    std::vector<std::thread> m_workers;
    std::mutex m_runMutex;  // one run() at a time
    std::mutex m_mutex;     // guards the fields below
    std::condition_variable m_wake, m_done;
    const std::function<void(std::size_t)>* m_fn = nullptr;
    std::size_t m_tasks = 0, m_next = 0, m_finished = 0;
    std::size_t m_generation = 0;
    bool m_stop = false;
};

} // namespace ckpt
