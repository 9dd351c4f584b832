#pragma once
// Software prefetch for the CPU loops that stream a large input while they compute hard on it.
//
// Why: such a loop fills the reorder window with its arithmetic, so it cannot run far enough
// ahead to hide an L3 miss, and the hardware prefetchers start late on each new stream and stop
// at page ends (on the Xeon of docs/PERFORMANCE.md, with its large, slow L3). Asking for the
// lines a fixed distance ahead overlaps the misses with the arithmetic.

#include <cstdint>

namespace ckpt::cpu {

// How far ahead a streaming loop asks for its input (2 KiB: from 512 B to 4 KiB measured on the
// FP4 packer and the histogram's counting loop, both fastest at 1-2 KiB).
inline constexpr std::uint64_t kPrefetchAheadBytes = 2048;

// Every cache line of [p, p + bytes), for reading. A prefetch never faults, so the range may run
// past the end of the buffer.
inline void prefetchLines(const void* p, std::uint64_t bytes)
{
    const auto* b = static_cast<const std::uint8_t*>(p);
    for (std::uint64_t o = 0; o < bytes; o += 64) __builtin_prefetch(b + o, 0, 3);
}

} // namespace ckpt::cpu
