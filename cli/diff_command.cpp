// `ckptscope-cli diff A B [--map] [--json] [--atol X] [--rtol Y]`: exit 0 whether or not the
// checkpoints are identical; 1 only for unreadable input, 2 for usage errors.
#include "cli/arg_parser.h"
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "cli/terminal_progress.h"
#include "core/diff/checkpoint_diff.h"
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
    "diff",
    "A B [--map] [--json] [--atol X] [--rtol Y] [--device auto|cpu|cuda]",
    "Compares two checkpoints: tensors only in A / only in B, shape or dtype mismatches and value\n"
    "mismatches with max_abs, rmse and cosine per tensor. A weight quantized on one side only is\n"
    "dequantized into the other side's dtype. --map compares A converted through the plan to B's\n"
    "layout (HF vs native) with B. A value pair differs when |a - b| > atol + rtol * |a| (default:\n"
    "exact). Exit status 0 whether or not the checkpoints are identical.",
    {"--map", "--json"},
    {"--atol", "--rtol", "--device"},
    2,
    2,
};

Result<double> tolerance(const ParsedArgs& args, const std::string& name)
{
    auto text = args.get(name);
    if (!text) return 0.0;
    try {
        std::size_t used = 0;
        const double v = std::stod(*text, &used);
        if (used == text->size() && v >= 0) return v;
    } catch (const std::exception&) {
    }
    return makeError(ErrorCode::InvalidArgument, name + " must be a non-negative number\nusage: " + usageLine(kSpec));
}

json number(double v)
{
    if (!std::isfinite(v)) return nullptr;  // JSON has no NaN/Inf: null says "not finite"
    return v;
}

json entryJson(const TensorDiff& d)
{
    return {{"name", d.name}, {"kind", diffKindName(d.kind)}, {"max_abs", number(d.maxAbs())},
            {"rmse", number(d.rmse())}, {"cosine", number(d.cosine())}, {"rel_err", number(d.relativeError())},
            {"over_tolerance", d.metrics.overTolerance}, {"count", d.metrics.count}, {"nan", d.metrics.nanCount},
            {"inf", d.metrics.infCount}, {"dtype_a", dtypeName(d.dtypeA)}, {"dtype_b", dtypeName(d.dtypeB)},
            {"shape_a", d.shapeA}, {"shape_b", d.shapeB}, {"via", d.via}, {"values_compared", d.valuesCompared}};
}

json reportJson(const DiffReport& r)
{
    json differences = json::array();
    for (const auto& d : r.differences) differences.push_back(entryJson(d));
    json dropped = json::array();
    for (const auto& d : r.dropped) dropped.push_back({{"name", d.name}, {"reason", d.reason}});
    return {{"identical", r.identical}, {"compared", r.compared}, {"only_in_a", r.onlyInA}, {"only_in_b", r.onlyInB},
            {"differences", std::move(differences)}, {"dropped", std::move(dropped)}, {"warnings", r.warnings}};
}

std::string fmt(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

void printList(const char* title, const std::vector<std::string>& names)
{
    if (names.empty()) return;
    std::cout << title << " (" << names.size() << "):\n";
    for (const auto& n : names) std::cout << "  " << n << '\n';
}

void printHuman(const DiffReport& r)
{
    std::cout << (r.identical ? "identical" : "different") << ": " << r.compared << " tensors compared, "
              << r.differences.size() << " differ, " << r.onlyInA.size() << " only in A, " << r.onlyInB.size()
              << " only in B\n";
    printList("only in A", r.onlyInA);
    printList("only in B", r.onlyInB);
    if (!r.differences.empty()) {
        std::size_t w = 4;
        for (const auto& d : r.differences) w = std::max(w, d.name.size());
        w = std::min<std::size_t>(w, 72);
        std::printf("%-*s  %-6s  %-12s  %-12s  %-10s  %s\n", static_cast<int>(w), "name", "kind", "max_abs", "rmse",
                    "cosine", "detail");
        for (const auto& d : r.differences) {
            std::string detail = d.kind == DiffKind::Shape ? shapeString(d.shapeA) + " vs " + shapeString(d.shapeB)
                               : d.kind == DiffKind::Dtype ? std::string(dtypeName(d.dtypeA)) + " vs " +
                                                                 std::string(dtypeName(d.dtypeB))
                                                           : std::to_string(d.metrics.overTolerance) + " of " +
                                                                 std::to_string(d.metrics.count) + " over tolerance";
            std::printf("%-*s  %-6s  %-12s  %-12s  %-10s  %s\n", static_cast<int>(w), d.name.c_str(),
                        std::string(diffKindName(d.kind)).c_str(), fmt(d.maxAbs()).c_str(), fmt(d.rmse()).c_str(),
                        fmt(d.cosine()).c_str(), detail.c_str());
        }
    }
    for (const auto& d : r.dropped) std::cout << "dropped by the plan: " << d.name << ": " << d.reason << '\n';
    for (const auto& w : r.warnings) std::cout << "warning: " << w << '\n';
    std::cout.flush();
}

} // namespace

const ArgSpec& diffSpec() { return kSpec; }

int runDiff(const Args& argv)
{
    auto args = parseArgs(argv, kSpec);
    if (!args) return reportUsageError(args.error());
    if (args->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    DiffOptions options;
    auto atol = tolerance(*args, "--atol");
    if (!atol) return reportUsageError(atol.error());
    auto rtol = tolerance(*args, "--rtol");
    if (!rtol) return reportUsageError(rtol.error());
    auto device = parseDeviceChoice(args->getOr("--device", "auto"));
    if (!device) return reportUsageError(makeError(ErrorCode::InvalidArgument, "--device must be auto, cpu or cuda\nusage: " + usageLine(kSpec)));
    options.atol = *atol;
    options.rtol = *rtol;
    options.map = args->has("--map");
    auto a = Checkpoint::open(args->positional[0]);
    if (!a) return reportError(a.error());
    auto b = Checkpoint::open(args->positional[1]);
    if (!b) return reportError(b.error());
    auto backend = createKernelBackend(*device);
    if (!backend) return reportError(backend.error());
    TerminalProgress progress(true);
    auto report = diffCheckpoints(**a, **b, options, **backend, &progress);
    progress.finish();
    if (!report) return reportError(report.error());
    if (args->has("--json")) printJson(reportJson(*report));
    else printHuman(*report);
    return kExitOk;
}

} // namespace ckpt::cli
