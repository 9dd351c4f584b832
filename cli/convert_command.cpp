// `ckptscope-cli convert SRC DST [--to native|hf] [--dtype bf16|f16|f32] [--quantize fp8]
//  [--device auto|cpu|cuda] [--threads N] [--max-shard-size 5GB] [--resume] [--skip-invalid] [--json]`
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "cli/plan_option_args.h"
#include "cli/terminal_progress.h"
#include "core/checkpoint/checkpoint.h"
#include "core/convert/plan_executor.h"
#include "kernels/kernel_factory.h"

#include <iostream>
#include <sys/resource.h>
#include <nlohmann/json.hpp>

namespace ckpt::cli {
namespace {

const ArgSpec kSpec{
    "convert",
    "SRC DST [--to native|hf] [--dtype bf16|f16|f32] [--quantize fp8] [--device auto|cpu|cuda] "
    "[--threads N] [--max-shard-size 5GB] [--resume] [--skip-invalid] [--json]",
    "Writes a complete checkpoint folder DST from SRC through the conversion plan that `map` shows:\n"
    "dequantizes, renames, merges or splits experts, casts, optionally re-quantizes to FP8, shards\n"
    "the output with an index, rewrites config.json and copies the other files of SRC.\n"
    "DST must not be inside SRC and must be empty, unless --resume finishes an interrupted run\n"
    "(the result is byte-identical to an uninterrupted one). Default --to: the other layout;\n"
    "--to hf on an HF source only dequantizes/casts. --skip-invalid leaves out tensors the plan\n"
    "cannot convert (listed as dropped) instead of failing. Ctrl-C cancels cleanly.",
    {"--resume", "--json", "--skip-invalid"},
    {"--to", "--dtype", "--quantize", "--device", "--threads", "--max-shard-size"},
    2,
    2,
};

Result<unsigned> threadsOption(const ParsedArgs& args)
{
    auto t = args.get("--threads");
    if (!t) return 0u;
    try {
        std::size_t used = 0;
        const unsigned long n = std::stoul(*t, &used);
        if (used == t->size() && n >= 1 && n <= 1024) return static_cast<unsigned>(n);
    } catch (const std::exception&) {
    }
    return makeError(ErrorCode::InvalidArgument, "--threads must be a number from 1 to 1024\nusage: " + usageLine(kSpec));
}

nlohmann::json reportJson(const ExecuteReport& r, const ConversionPlan& plan, const KernelBackend& backend,
                          const std::string& dst)
{
    nlohmann::json dropped = nlohmann::json::array();
    for (const auto& d : plan.dropped) dropped.push_back(d.name);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // ru_maxrss is in KiB on Linux
    return {{"destination", dst}, {"peak_rss_bytes", static_cast<std::uint64_t>(usage.ru_maxrss) * 1024}, {"family", familyName(plan.family)}, {"from", layoutName(plan.from)},
            {"to", layoutName(plan.to)}, {"device", backend.deviceDescription()},
            {"shards", r.shardFiles}, {"shards_written", r.shardsWritten}, {"shards_reused", r.shardsReused},
            {"tensors", plan.outputs.size()}, {"total_bytes", plan.totalBytes},
            {"bytes_written", r.bytesWritten}, {"seconds", r.seconds}, {"copied_files", r.copiedFiles},
            {"dropped", dropped}, {"warnings", plan.warnings}};
}

void printHuman(const ExecuteReport& r, const ConversionPlan& plan, const KernelBackend& backend,
                const std::string& dst)
{
    const double rate = r.seconds > 0 ? static_cast<double>(r.bytesWritten) / r.seconds : 0.0;
    std::cout << "converted " << familyName(plan.family) << " " << layoutName(plan.from) << " -> "
              << layoutName(plan.to) << " into " << dst << "\n  " << plan.outputs.size() << " tensors, "
              << humanBytes(plan.totalBytes) << " in " << plan.shardCount << " shard(s)";
    if (r.shardsReused) std::cout << " (" << r.shardsReused << " reused from the interrupted run)";
    std::cout << "\n  " << r.seconds << " s, " << humanBytes(static_cast<std::uint64_t>(rate)) << "/s on "
              << backend.deviceDescription() << "\n";
    if (!r.copiedFiles.empty()) std::cout << "  copied " << r.copiedFiles.size() << " other file(s)\n";
    for (const auto& d : plan.dropped) std::cout << "  dropped " << d.name << ": " << d.reason << "\n";
    for (const auto& w : plan.warnings) std::cout << "  warning: " << w << "\n";
}

} // namespace

const ArgSpec& convertSpec() { return kSpec; }

int runConvert(const Args& argv)
{
    auto args = parseArgs(argv, kSpec);
    if (!args) return reportUsageError(args.error());
    if (args->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    auto options = planOptionsFromArgs(*args, kSpec);
    if (!options) return reportUsageError(options.error());
    auto device = parseDeviceChoice(args->getOr("--device", "auto"));
    if (!device) return reportUsageError(makeError(ErrorCode::InvalidArgument, "--device must be auto, cpu or cuda\nusage: " + usageLine(kSpec)));
    auto threads = threadsOption(*args);
    if (!threads) return reportUsageError(threads.error());

    const std::string& src = args->positional[0];
    const std::string& dst = args->positional[1];
    auto checkpoint = Checkpoint::open(src);
    if (!checkpoint) return reportError(checkpoint.error());
    auto plan = buildPlan(**checkpoint, *options);
    if (!plan) return reportError(plan.error());
    auto backend = createKernelBackend(*device, *threads);
    if (!backend) return reportError(backend.error());

    TerminalProgress progress(true);
    ExecuteOptions exec{dst, args->has("--resume"), backend->get(), &progress};
    auto report = executePlan(**checkpoint, *plan, exec);
    progress.finish();
    if (!report) {
        if (report.error().code == ErrorCode::Cancelled)
            std::cerr << "ckptscope-cli: cancelled; finished shards are kept, run again with --resume to finish\n";
        return reportError(report.error());
    }
    if (args->has("--json")) printJson(reportJson(*report, *plan, **backend, dst));
    else printHuman(*report, *plan, **backend, dst);
    return kExitOk;
}

} // namespace ckpt::cli
