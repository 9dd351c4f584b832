#pragma once
// Conversion, diff and verify allocate and free tensor-sized buffers (tens of MB) over and over.
// glibc raises its mmap threshold after each such free, so later buffers come from the heap and,
// once freed, stay resident: converting a V3 demo with 38 experts per layer to the native layout
// peaked at 2.2 GB of anonymous memory instead of 270 MB. Pinning the threshold keeps every big
// buffer an mmap of its own that is returned to the system when freed, so memory stays bounded by
// the largest tensor in flight, not by the size of the checkpoint.
//
// A fresh mapping costs the kernel a zeroing of every page (a fifth of a dequantizing convert's
// time was clear_page) and a fault per page, while a conversion asks for the same few sizes over
// and over (one expert after another). So buffers of kLargeBufferBytes and more are 2 MiB aligned
// with transparent huge pages advised, and up to kRecycledBytesLimit of freed ones are kept for a
// request of the same size; releaseRecycledBuffers() returns them when a job ends.

#include <cstddef>

namespace ckpt {

inline constexpr std::size_t kLargeBufferBytes = 8u << 20;
inline constexpr std::size_t kRecycledBytesLimit = 256u << 20;

// Process-wide and idempotent; a no-op outside glibc.
void useSystemPagesForLargeBuffers();

// A 64-byte aligned buffer of at least `bytes` (never null: throws std::bad_alloc); `capacity`
// receives the size to hand back to freeLargeBuffer.
std::byte* allocateLargeBuffer(std::size_t bytes, std::size_t& capacity);
void freeLargeBuffer(std::byte* p, std::size_t capacity);
void releaseRecycledBuffers();

// Releases the recycled buffers when a job (a conversion, a verify) returns, however it returns.
struct RecycledBuffersScope {
    RecycledBuffersScope() { useSystemPagesForLargeBuffers(); }
    ~RecycledBuffersScope() { releaseRecycledBuffers(); }
    RecycledBuffersScope(const RecycledBuffersScope&) = delete;
    RecycledBuffersScope& operator=(const RecycledBuffersScope&) = delete;
};

} // namespace ckpt
