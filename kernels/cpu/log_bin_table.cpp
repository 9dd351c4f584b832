#include "kernels/cpu/log_bin_table.h"

#include "core/numeric/element_io.h"
#include "core/numeric/reduce_rules.h"
#include "kernels/cpu/fixed_bins.h"

namespace ckpt::cpu {

using namespace ckpt::numeric;

std::uint32_t LogBinTable::exactIndex(std::uint32_t absBits) const
{
    const int slot = histogramSlot(static_cast<double>(bitsToF32(absBits)), m_spec.lo, m_spec.hi, m_spec.bins, true, m_edges);
    return slot == kSlotNone ? m_spec.bins + 2 : countsIndex(slot, m_spec.bins);  // None: |x| = 0, the zeros
}

LogBinTable::LogBinTable(const HistogramSpec& spec, const double* edges) : m_spec(spec), m_edges(edges)
{
    // The runs over |x|'s patterns 0 .. 0x7fffffff: each starts where the last ended, and ends
    // at the last pattern with its index (bisection: an index never comes back after its run).
    struct Run {
        std::uint32_t first, index;
    };
    std::vector<Run> runs;
    for (std::uint64_t first = 0; first <= 0x7fffffffu;) {
        const std::uint32_t index = exactIndex(static_cast<std::uint32_t>(first));
        runs.push_back({static_cast<std::uint32_t>(first), index});
        if (exactIndex(0x7fffffffu) == index) break;
        std::uint64_t in = first, out = 0x7fffffffu;  // exactIndex(in) == index, exactIndex(out) != index
        while (out - in > 1) {
            const std::uint64_t mid = in + (out - in) / 2;
            (exactIndex(static_cast<std::uint32_t>(mid)) == index ? in : out) = mid;
        }
        first = out;
    }
    m_groups.resize(32768);
    std::size_t r = 0;  // the run holding the group's first pattern
    for (std::uint32_t g = 0; g < 32768; ++g) {
        const std::uint32_t start = g << 16, end = start | 0xffffu;
        while (r + 1 < runs.size() && runs[r + 1].first <= start) ++r;
        std::size_t inside = 0;
        while (r + 1 + inside < runs.size() && runs[r + 1 + inside].first <= end) ++inside;
        const auto index = [&](std::size_t k) { return static_cast<std::uint16_t>(runs[k].index); };
        if (inside == 0) m_groups[g] = {0, index(r), index(r)};
        else if (inside == 1) m_groups[g] = {runs[r + 1].first, index(r), index(r + 1)};
        else m_groups[g] = {0, kExact, kExact};
    }
}

void LogBinTable::count(const std::uint8_t* p, DType dtype, std::uint64_t n, std::uint64_t* counts) const
{
    const auto add = [&](std::uint32_t bits) {
        const std::uint32_t a = bits & 0x7fffffffu;
        const Group& e = m_groups[a >> 16];
        const std::uint32_t index = a >= e.next ? e.after : e.index;
        ++counts[index != kExact ? index : exactIndex(a)];
    };
    if (dtype == DType::F32)
        for (std::uint64_t i = 0; i < n; ++i) add(loadU32(p + 4 * i));
    else if (dtype == DType::BF16)
        for (std::uint64_t i = 0; i < n; ++i) add(static_cast<std::uint32_t>(loadU16(p + 2 * i)) << 16);
    else
        for (std::uint64_t i = 0; i < n; ++i) add(f32ToBits(f16ToF32(loadU16(p + 2 * i))));
}

} // namespace ckpt::cpu
