// `ckptscope-cli verify PATH [--reference REF] [--device auto|cpu|cuda] [--json]`: exit 0
// whatever the verdict; 1 for unreadable input (or --device cuda without a device), 2 for usage.
// Dequantization runs on the CPU backend (the reference implementation); the CUDA backend, when
// there is one (auto) or when asked for (cuda), repeats it for the bit-equality check.
#include "cli/arg_parser.h"
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "cli/terminal_progress.h"
#include "core/verify/verify_checkpoint.h"
#include "core/verify/verify_json.h"
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
    "verify",
    "PATH [--reference REF] [--device auto|cpu|cuda] [--json]",
    "Dequantizes every quantized weight and reports, per tensor, NaN/Inf counts, scale sanity\n"
    "(zero, inf, NaN, outlier scales) and either the error against REF (a dequantized checkpoint\n"
    "with the same names: max_abs_err, rmse, snr_db, cosine) or, without REF, CPU vs CUDA\n"
    "bit-equality and the quantize(dequantize(q)) round trip. Verdicts: fail on NaN/Inf weights,\n"
    "bad scales, CPU != CUDA, cosine < 0.99 or snr < 20 dB; warn on outlier scales or round-trip\n"
    "changes. Exit status 0 whatever the verdict.",
    {"--json"},
    {"--reference", "--device"},
    1,
    1,
};

std::string fmt(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, std::isfinite(v) ? "%.4g" : "%g", v);
    return buf;
}

void printHuman(const VerifyReport& r, bool withReference)
{
    std::cout << "verdict: " << verdictName(r.verdict) << " (" << r.passed << " pass, " << r.warned << " warn, "
              << r.failed << " fail); CPU vs CUDA: " << r.cpuCudaNote << "\n\n";
    std::size_t w = 4;
    for (const auto& t : r.tensors) w = std::max(w, t.name.size());
    w = std::min<std::size_t>(w, 72);
    const int iw = static_cast<int>(w);
    if (withReference) std::printf("%-*s  %-7s  %-10s  %-10s  %-9s  %-10s  %s\n", iw, "name", "verdict", "max_abs",
                                   "rmse", "snr_db", "cosine", "reason");
    else std::printf("%-*s  %-7s  %-9s  %-6s  %-6s  %-8s  %s\n", iw, "name", "verdict", "scheme", "nan", "inf",
                     "rt_diff", "reason");
    for (const auto& t : r.tensors) {
        std::string reason;
        for (const auto& s : t.reasons) reason += (reason.empty() ? "" : "; ") + s;
        const std::string verdict(verdictName(t.verdict));
        if (withReference)
            std::printf("%-*s  %-7s  %-10s  %-10s  %-9s  %-10s  %s\n", iw, t.name.c_str(), verdict.c_str(),
                        fmt(t.reference.maxAbs).c_str(), fmt(t.reference.rmse()).c_str(),
                        fmt(t.reference.snrDb()).c_str(), fmt(t.reference.cosine()).c_str(), reason.c_str());
        else
            std::printf("%-*s  %-7s  %-9s  %-6llu  %-6llu  %-8s  %s\n", iw, t.name.c_str(), verdict.c_str(),
                        t.hasScheme ? std::string(quantSchemeName(t.scheme)).c_str() : "-",
                        static_cast<unsigned long long>(t.nan), static_cast<unsigned long long>(t.inf),
                        t.roundTrip.done ? std::to_string(t.roundTrip.mismatched).c_str() : "-", reason.c_str());
    }
    std::cout.flush();
}

// The CUDA backend for the bit-equality check, or null with the reason it is skipped.
Result<std::unique_ptr<KernelBackend>> cudaFor(DeviceChoice device, std::string& skipReason)
{
    if (device == DeviceChoice::Cpu) {
        skipReason = "--device cpu";
        return std::unique_ptr<KernelBackend>();
    }
    if (device == DeviceChoice::Auto && cudaDeviceCount() == 0) {
        skipReason = cudaCompiledIn() ? "no CUDA device" : "no CUDA device (built without CUDA)";
        return std::unique_ptr<KernelBackend>();
    }
    return createKernelBackend(DeviceChoice::Cuda);
}

} // namespace

const ArgSpec& verifySpec() { return kSpec; }

int runVerify(const Args& argv)
{
    auto args = parseArgs(argv, kSpec);
    if (!args) return reportUsageError(args.error());
    if (args->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    auto device = parseDeviceChoice(args->getOr("--device", "auto"));
    if (!device) return reportUsageError(makeError(ErrorCode::InvalidArgument, "--device must be auto, cpu or cuda\nusage: " + usageLine(kSpec)));
    auto checkpoint = Checkpoint::open(args->positional[0]);
    if (!checkpoint) return reportError(checkpoint.error());
    std::shared_ptr<const Checkpoint> reference;
    if (auto ref = args->get("--reference")) {
        auto opened = Checkpoint::open(*ref);
        if (!opened) return reportError(opened.error());
        reference = *opened;
    }
    auto cpu = createKernelBackend(DeviceChoice::Cpu);
    if (!cpu) return reportError(cpu.error());
    std::string skipReason;
    auto cuda = cudaFor(*device, skipReason);
    if (!cuda) return reportError(cuda.error());
    VerifyOptions options;
    options.reference = reference.get();
    TerminalProgress progress(true);
    auto report = verifyCheckpoint(**checkpoint, options, **cpu, cuda->get(), &progress, skipReason);
    progress.finish();
    if (!report) return reportError(report.error());
    if (args->has("--json")) printJson(verifyReportToJson(*report, reference != nullptr));
    else printHuman(*report, reference != nullptr);
    return kExitOk;
}

} // namespace ckpt::cli
