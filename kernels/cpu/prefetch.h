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

// A block of `rows` rows of rowBytes each, `pitch` apart, asked for into L2 a few lines per
// step() over about `steps` steps: the work a thread takes next, fetched while it computes on
// what it has, so that the memory is not idle while it computes and then waited on all at once.
class BlockPrefetch {
public:
    BlockPrefetch() = default;
    BlockPrefetch(const void* p, std::uint64_t pitch, std::uint64_t rowBytes, std::uint64_t rows, std::uint64_t steps)
        : m_row(static_cast<const std::uint8_t*>(p)), m_pitch(pitch), m_rowBytes(rowBytes), m_rows(p ? rows : 0)
    {
        const std::uint64_t lines = rows * ((rowBytes + 63) / 64 + 1);
        m_perStep = steps ? (lines + steps - 1) / steps : lines;
        startRow();
    }

    void step()
    {
        for (std::uint64_t k = 0; k < m_perStep && m_rows != 0; ++k) {
            __builtin_prefetch(m_line, 0, 2);
            m_line += 64;
            if (m_line >= m_row + m_rowBytes) {
                m_row += m_pitch;
                --m_rows;
                startRow();
            }
        }
    }

private:
    void startRow() { m_line = m_row - reinterpret_cast<std::uintptr_t>(m_row) % 64; }

    const std::uint8_t* m_row = nullptr;
    const std::uint8_t* m_line = nullptr;
    std::uint64_t m_pitch = 0, m_rowBytes = 0, m_rows = 0, m_perStep = 0;
};

} // namespace ckpt::cpu
