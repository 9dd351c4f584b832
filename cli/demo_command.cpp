// `ckptscope-cli demo DST --family F [--size tiny|small] [--json]`: writes a synthetic HF-layout
// checkpoint of a family (core/demo), then reopens it so the summary reports what is on disk.

#include "cli/arg_parser.h"
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "cli/terminal_progress.h"
#include "core/checkpoint/checkpoint.h"
#include "core/demo/demo_checkpoint.h"

#include <iostream>

#include <nlohmann/json.hpp>

namespace ckpt::cli {
namespace {

const ArgSpec kSpec{
    "demo",
    "DST --family deepseek_v3|deepseek_v4|gemma4_moe|step3p5 [--size tiny|small|full-header|1g|2g|4g] [--json]",
    "Write a synthetic checkpoint of a model family with its real on-disk layout (key set,\n"
    "dtypes, FP8/FP4 quantization, sharding with an index, config.json) at reduced dimensions.\n"
    "tiny is a few MB, small about 20-60 MB. full-header (deepseek_v3, deepseek_v4): the real\n"
    "model's shards, tensors and shapes with real headers and the data left as holes (sparse\n"
    "files, a few MB on disk). 1g, 2g, 4g (deepseek_v3): real per-tensor sizes, about 1, 2 and\n"
    "4 GB of data, for conversion benchmarks. DST must not exist or be an empty folder.",
    {"--json"},
    {"--family", "--size"},
    1,
    1,
};

} // namespace

const ArgSpec& demoSpec() { return kSpec; }

int runDemo(const Args& args)
{
    auto parsed = parseArgs(args, kSpec);
    if (!parsed) return reportUsageError(parsed.error());
    if (parsed->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    auto familyArg = parsed->get("--family");
    if (!familyArg)
        return reportUsageError(makeError(ErrorCode::InvalidArgument,
                                          "demo needs --family\nusage: " + usageLine(kSpec)));
    auto family = parseFamily(*familyArg);
    if (!family || *family == Family::Unknown)
        return reportUsageError(makeError(ErrorCode::InvalidArgument,
                                          "unknown family '" + *familyArg + "'\nusage: " + usageLine(kSpec)));
    std::string sizeArg = parsed->getOr("--size", "tiny");
    auto size = parseDemoSize(sizeArg);
    if (!size)
        return reportUsageError(makeError(ErrorCode::InvalidArgument,
                                          "unknown size '" + sizeArg + "' (tiny, small, full-header, 1g, 2g or 4g)\nusage: " + usageLine(kSpec)));

    if (!demoSizeSupported(*family, *size))
        return reportUsageError(makeError(ErrorCode::InvalidArgument,
                                          "the " + sizeArg + " size is not available for " + *familyArg +
                                              "\nusage: " + usageLine(kSpec)));

    const std::string& dst = parsed->positional[0];
    TerminalProgress progress(true);
    Status written = writeDemoCheckpoint(dst, *family, *size, &progress);
    progress.finish();
    if (!written) return reportError(written.error());

    auto opened = Checkpoint::open(dst);
    if (!opened) return reportError(opened.error());
    const Checkpoint& c = *opened.value();
    if (parsed->has("--json")) {
        printJson({{"path", c.root()}, {"family", familyName(*family)}, {"files", c.files().size()},
                   {"tensors", c.tensors().size()}, {"total_bytes", c.totalBytes()}});
    } else {
        std::cout << "wrote a " << demoSizeName(*size) << ' ' << familyName(*family) << " demo to " << c.root()
                  << ": " << c.files().size() << " shards, " << c.tensors().size() << " tensors, "
                  << humanBytes(c.totalBytes()) << '\n';
    }
    return kExitOk;
}

} // namespace ckpt::cli
