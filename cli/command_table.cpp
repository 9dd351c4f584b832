#include "cli/command_table.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace ckpt::cli {
namespace {

// One line per command.
const CommandEntry kCommands[] = {
    {"inspect", "list tensors, family, layout and quant pairs of a checkpoint", runInspect, inspectSpec},
    {"demo", "write a synthetic checkpoint of a model family", runDemo, demoSpec},
    {"map", "show the conversion plan (no tensor data read)", runMap, mapSpec},
    {"convert", "convert a checkpoint (dequantize, rename, merge/split experts, reshard)", runConvert,
     convertSpec},
    {"diff", "compare two checkpoints (key sets, shapes, dtypes, values; --map through the plan)", runDiff,
     diffSpec},
    {"verify", "check dequantization accuracy, scales and round trips of a quantized checkpoint", runVerify,
     verifySpec},
    {"hist", "histogram of a tensor's dequantized values or of its scales", runHist, histSpec},
};

std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

std::span<const CommandEntry> commandTable() { return kCommands; }

const CommandEntry* findCommand(std::string_view name)
{
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

const CommandEntry* closestCommand(std::string_view name)
{
    const CommandEntry* best = nullptr;
    std::size_t bestDistance = 3;
    for (const auto& c : kCommands) {
        const std::size_t d = editDistance(name, c.name);
        if (d < bestDistance) {
            bestDistance = d;
            best = &c;
        }
    }
    return best;
}

} // namespace ckpt::cli
