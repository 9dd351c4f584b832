#pragma once
// Software prefetch for the CPU loops that stream a large input while they compute hard on it.
//
// Why: such a loop fills the reorder window with its arithmetic, so it cannot run far enough
// ahead to hide an L3 miss, and the hardware prefetchers start late on each new stream and stop
// at page ends (on the Xeon of docs/PERFORMANCE.md, with its large, slow L3). Asking for the
// lines a fixed distance ahead overlaps the misses with the arithmetic.

#include <cstdint>

namespace ckpt::cpu {

// How far ahead a streaming loop asks for its input. The distance is really one of time (an L3
// miss), so a loop that consumes its input faster asks further ahead: 2 KiB for the histogram's
// counting (about a value per cycle; 1-2 KiB were fastest of 512 B to 4 KiB), 4 KiB for the FP4
// packer (several values per cycle; 4-8 KiB fastest, 2 KiB lost a fifth).
inline constexpr std::uint64_t kPrefetchAheadBytes = 2048;
inline constexpr std::uint64_t kPrefetchAheadBytesFastLoop = 4096;

// Every cache line of [p, p + bytes), for reading. A prefetch never faults, so the range may run
// past the end of the buffer.
inline void prefetchLines(const void* p, std::uint64_t bytes)
{
    const auto* b = static_cast<const std::uint8_t*>(p);
    for (std::uint64_t o = 0; o < bytes; o += 64) __builtin_prefetch(b + o, 0, 3);
}

} // namespace ckpt::cpu
