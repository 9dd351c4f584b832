// `ckptscope-cli hist PATH TENSOR [--bins N] [--log] [--scales] [--json] [--png FILE]`:
// histogram of a tensor's dequantized values (or of its scales). An unknown tensor, or --scales
// on a tensor without scales, is bad input (exit 1, naming the tensor); bad options exit 2.
#include "cli/arg_parser.h"
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "cli/png_writer.h"
#include "cli/terminal_progress.h"
#include "core/verify/tensor_histogram.h"
#include "kernels/kernel_factory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

namespace ckpt::cli {
namespace {

using json = nlohmann::json;

const ArgSpec kSpec{
    "hist",
    "PATH TENSOR [--bins N] [--log] [--scales] [--json] [--png FILE] [--device auto|cpu|cuda]",
    "Histogram of a tensor's values: a quantized weight is dequantized first; --scales counts its\n"
    "scale tensor instead. Bins span [min, max] of the finite values; --log uses log2-spaced bins\n"
    "of |x| from the smallest non-zero to the largest magnitude (zeros counted apart). --png FILE\n"
    "writes the bar chart as a PNG image. Default 64 bins.",
    {"--log", "--scales", "--json"},
    {"--bins", "--png", "--device"},
    2,
    2,
};

Result<std::uint32_t> binsOption(const ParsedArgs& args)
{
    auto text = args.get("--bins");
    if (!text) return 64u;
    try {
        std::size_t used = 0;
        const unsigned long n = std::stoul(*text, &used);
        if (used == text->size() && n >= 1 && n <= 100000) return static_cast<std::uint32_t>(n);
    } catch (const std::exception&) {
    }
    return makeError(ErrorCode::InvalidArgument, "--bins must be a number from 1 to 100000\nusage: " + usageLine(kSpec));
}

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json histJson(const TensorHistogram& h)
{
    json bins = json::array();
    for (std::size_t i = 0; i < h.histogram.counts.size(); ++i)
        bins.push_back({{"lo", h.edges[i]}, {"hi", h.edges[i + 1]}, {"count", h.histogram.counts[i]}});
    const Histogram& c = h.histogram;
    return {{"tensor", h.tensor}, {"bins", std::move(bins)}, {"underflow", c.underflow}, {"overflow", c.overflow},
            {"zeros", c.zeros}, {"nan", c.nan}, {"inf", c.inf}, {"min", number(h.min)}, {"max", number(h.max)},
            {"source", h.source}, {"dtype", dtypeName(h.dtype)}, {"log", c.spec.logBins}, {"count", h.count}};
}

void printChart(const TensorHistogram& h)
{
    const Histogram& c = h.histogram;
    std::cout << h.tensor << " (" << h.source << ", " << h.count << " values" << (c.spec.logBins ? ", log2 bins of |x|" : "")
              << "): min " << h.min << ", max " << h.max << '\n';
    const std::uint64_t peak = c.counts.empty() ? 0 : *std::max_element(c.counts.begin(), c.counts.end());
    constexpr int kBarWidth = 50;
    for (std::size_t i = 0; i < c.counts.size(); ++i) {
        const int len = peak ? static_cast<int>(std::lround(kBarWidth * static_cast<double>(c.counts[i]) /
                                                            static_cast<double>(peak))) : 0;
        std::printf("[%12.5g, %12.5g%c %12llu  %s\n", h.edges[i], h.edges[i + 1], i + 1 == c.counts.size() ? ']' : ')',
                    static_cast<unsigned long long>(c.counts[i]), std::string(static_cast<std::size_t>(len), '#').c_str());
    }
    std::printf("underflow %llu, overflow %llu, zeros %llu, nan %llu, inf %llu\n",
                static_cast<unsigned long long>(c.underflow), static_cast<unsigned long long>(c.overflow),
                static_cast<unsigned long long>(c.zeros), static_cast<unsigned long long>(c.nan),
                static_cast<unsigned long long>(c.inf));
    std::fflush(stdout);
}

// A request naming a tensor that does not fit (missing, no scales) is bad input, not bad usage.
int reportInputError(const Error& e)
{
    if (e.code != ErrorCode::InvalidArgument || e.tensor.empty()) return reportError(e);
    std::cerr << "ckptscope-cli: error: " << e.toString() << '\n';
    return kExitUserError;
}

} // namespace

const ArgSpec& histSpec() { return kSpec; }

int runHist(const Args& argv)
{
    auto args = parseArgs(argv, kSpec);
    if (!args) return reportUsageError(args.error());
    if (args->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    auto bins = binsOption(*args);
    if (!bins) return reportUsageError(bins.error());
    auto device = parseDeviceChoice(args->getOr("--device", "auto"));
    if (!device) return reportUsageError(makeError(ErrorCode::InvalidArgument, "--device must be auto, cpu or cuda\nusage: " + usageLine(kSpec)));
    auto checkpoint = Checkpoint::open(args->positional[0]);
    if (!checkpoint) return reportError(checkpoint.error());
    auto backend = createKernelBackend(*device);
    if (!backend) return reportError(backend.error());
    HistogramRequest request{args->positional[1], *bins, args->has("--log"), args->has("--scales")};
    TerminalProgress progress(true);
    auto hist = tensorHistogram(**checkpoint, request, **backend, &progress);
    progress.finish();
    if (!hist) return reportInputError(hist.error());
    if (auto png = args->get("--png")) {
        if (auto st = writePng(*png, drawBarChart(hist->histogram.counts)); !st) return reportError(st.error());
    }
    if (args->has("--json")) printJson(histJson(*hist));
    else printChart(*hist);
    return kExitOk;
}

} // namespace ckpt::cli
