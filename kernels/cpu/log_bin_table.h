#pragma once
// Log-bin histograms by a table instead of a binary search per value. For f32 values (BF16 and
// F16 widen exactly), |x|'s slot is a step function of its bits: zero, under, bins 0 .. bins - 1,
// over, inf, NaN, each one run of consecutive bit patterns (the edges are sorted). The table
// holds, for each 65536 patterns sharing their top 16 bits, the counts index at the start and,
// where one run ends inside, the first pattern of the next run and its index: a lookup and a
// compare per value. The runs are found by bisection with histogramSlot itself, so the table
// gives its slots by construction; where two runs end inside one group (bins narrower than
// about 2^-7 of their value) the group's values take histogramSlot.

#include "core/kernel_backend.h"

#include <cstdint>
#include <vector>

namespace ckpt::cpu {

class LogBinTable {
public:
    // spec: log bins (lo > 0); edges: logBinEdges(spec).
    LogBinTable(const HistogramSpec& spec, const double* edges);

    // Adds n BF16 / F16 / F32 values to counts: [0, bins) then under, over, zeros, nan, inf.
    void count(const std::uint8_t* p, DType dtype, std::uint64_t n, std::uint64_t* counts) const;

private:
    struct Group {
        std::uint32_t next;         // first pattern of the next run (0: none inside)
        std::uint16_t index, after; // counts index before and from `next`
    };
    static constexpr std::uint16_t kExact = 0xffff;

    std::uint32_t exactIndex(std::uint32_t absBits) const;

    HistogramSpec m_spec;
    const double* m_edges;
    std::vector<Group> m_groups;  // 32768: top 16 bits of |x|
};

} // namespace ckpt::cpu
