#include "core/convert/large_buffer_policy.h"

#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ckpt {
namespace {

constexpr std::size_t kHugePageBytes = 2u << 20;

// Freed large buffers, oldest first, at most kRecycledBytesLimit in all.
struct Recycled {
    std::mutex mutex;
    std::deque<std::pair<std::byte*, std::size_t>> buffers;
    std::size_t bytes = 0;
};

Recycled& recycled()
{
    static Recycled r;
    return r;
}

} // namespace

void useSystemPagesForLargeBuffers()
{
#if defined(__GLIBC__)
    // 1 MiB: small enough for every tensor-sized buffer, large enough that the many small
    // allocations (names, headers, plan ops) stay on the heap. Setting it also turns off glibc's
    // dynamic adjustment of the threshold, which is what let freed buffers pile up.
    static const bool done = mallopt(M_MMAP_THRESHOLD, 1 << 20) != 0;
    (void)done;
#endif
}

std::byte* allocateLargeBuffer(std::size_t bytes, std::size_t& capacity)
{
    const bool large = bytes >= kLargeBufferBytes;
    const std::size_t align = large ? kHugePageBytes : 64;
    // aligned_alloc needs a size that is a multiple of the alignment; never zero.
    capacity = bytes == 0 ? align : ((bytes + align - 1) / align) * align;
    if (large) {
        Recycled& r = recycled();
        std::lock_guard lock(r.mutex);
        for (auto it = r.buffers.begin(); it != r.buffers.end(); ++it)
            if (it->second == capacity) {
                std::byte* p = it->first;
                r.bytes -= capacity;
                r.buffers.erase(it);
                return p;
            }
    }
    void* p = std::aligned_alloc(align, capacity);
    if (!p) throw std::bad_alloc();
#if defined(__linux__)
    // Only advice: without transparent huge pages nothing changes.
    if (large) ::madvise(p, capacity, MADV_HUGEPAGE);
#endif
    return static_cast<std::byte*>(p);
}

void freeLargeBuffer(std::byte* p, std::size_t capacity)
{
    if (!p) return;
    if (capacity < kLargeBufferBytes || capacity > kRecycledBytesLimit) return std::free(p);
    Recycled& r = recycled();
    std::lock_guard lock(r.mutex);
    r.buffers.emplace_back(p, capacity);
    r.bytes += capacity;
    while (r.bytes > kRecycledBytesLimit) {
        std::free(r.buffers.front().first);
        r.bytes -= r.buffers.front().second;
        r.buffers.pop_front();
    }
}

void releaseRecycledBuffers()
{
    Recycled& r = recycled();
    std::lock_guard lock(r.mutex);
    for (const auto& [p, capacity] : r.buffers) std::free(p);
    r.buffers.clear();
    r.bytes = 0;
}

} // namespace ckpt
