// `ckptscope-cli map PATH [--to native|hf] [--dtype bf16|f16|f32] [--quantize fp8]
// [--max-shard-size 5GB] [--json]`: the conversion plan, from headers and config.json only. The
// checkpoint is opened header-only, so map works on a copy whose tensor data is missing.
// Exit 1 when the plan is refused (the message names tensor and file), 2 on usage errors.

#include "cli/arg_parser.h"
#include "cli/plan_option_args.h"
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "core/checkpoint/checkpoint.h"
#include "core/plan/conversion_plan.h"
#include "core/plan/plan_json.h"

#include <algorithm>
#include <iostream>

namespace ckpt::cli {
namespace {

const ArgSpec kSpec{
    "map",
    "PATH [--to native|hf] [--dtype bf16|f16|f32] [--quantize fp8] [--max-shard-size 5GB] [--skip-invalid] [--json]",
    "Show the conversion plan without reading tensor data: for every output tensor its name,\n"
    "dtype, shape, shard and the ops that produce it from source tensors; dropped tensors with\n"
    "their reasons; warnings. Default --to: the other layout (HF for an unknown family).\n"
    "--to hf on an HF checkpoint keeps names and only dequantizes / casts.",
    {"--json", "--skip-invalid"},
    {"--to", "--dtype", "--quantize", "--max-shard-size"},
    1,
    1,
};

std::string pad(std::string s, std::size_t width)
{
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// An op without tensor names, for the table ("dequant-fp8-block 128x128", "transpose 0,1").
std::string shortLabel(const PlanOp& op)
{
    switch (op.kind) {
    case OpKind::Read: return "read";
    case OpKind::ScaleAbsorb: return "scale-absorb";
    case OpKind::DequantFp4: return "dequant-fp4";
    case OpKind::DequantFp8Block:
        return "dequant-fp8-block " + std::to_string(op.blockRows) + "x" + std::to_string(op.blockCols);
    default: return op.describe();
    }
}

// A stacked output shows its first element's program once: "4 x [read, transpose, cast bf16], stack".
std::string opsSummary(const PlanOutput& o)
{
    const bool stacked = !o.ops.empty() && o.ops.back().kind == OpKind::Stack;
    std::string s;
    for (const PlanOp& op : o.ops) {
        if (op.kind == OpKind::Stack) break;
        s += (s.empty() ? "" : ", ") + shortLabel(op);
        if (stacked && op.kind == OpKind::Cast) break;  // end of element 0
    }
    if (stacked) s = std::to_string(o.ops.back().count) + " x [" + s + "], stack";
    return s.empty() ? "-" : s;
}

std::string sourceLabel(const PlanOutput& o)
{
    if (o.sources.empty()) return "(new)";
    std::size_t weights = 0;  // sources that are not the first one's scale
    for (const auto& s : o.sources) weights += s.ends_with("_scale_inv") || s.ends_with(".scale") ? 0 : 1;
    return o.sources.front() + (weights > 1 ? " (+" + std::to_string(weights - 1) + " more)" : "");
}

void printPlan(const ConversionPlan& plan, const PlanOptions& options)
{
    std::size_t srcWidth = 6, outWidth = 6;
    for (const auto& o : plan.outputs) {
        srcWidth = std::max(srcWidth, sourceLabel(o).size());
        outWidth = std::max(outWidth, o.name.size());
    }
    srcWidth = std::min<std::size_t>(srcWidth, 64);
    outWidth = std::min<std::size_t>(outWidth, 64);
    std::cout << "plan  " << familyName(plan.family) << ": " << layoutName(plan.from) << " -> "
              << layoutName(plan.to) << "\n\n"
              << pad(std::string(layoutName(plan.from)) + " key", srcWidth) << "    "
              << pad(std::string(layoutName(plan.to)) + " key", outWidth) << "  " << pad("dtype", 8)
              << "  " << pad("shape", 18) << "  shard  ops\n";
    for (const auto& o : plan.outputs)
        std::cout << pad(sourceLabel(o), srcWidth) << " -> " << pad(o.name, outWidth) << "  "
                  << pad(std::string(dtypeName(o.dtype)), 8) << "  " << pad(shapeString(o.shape), 18)
                  << "  " << pad(std::to_string(o.shard + 1), 5) << "  " << opsSummary(o) << '\n';
    if (!plan.dropped.empty()) std::cout << "\ndropped:\n";
    for (const auto& d : plan.dropped) std::cout << "  " << d.name << ": " << d.reason << '\n';
    if (!plan.warnings.empty()) std::cout << "\nwarnings:\n";
    for (const auto& w : plan.warnings) std::cout << "  " << w << '\n';
    std::cout << "\ntotal: " << plan.outputs.size() << " outputs, " << humanBytes(plan.totalBytes)
              << " in " << plan.shardCount << " shard" << (plan.shardCount == 1 ? "" : "s")
              << (options.maxShardBytes ? " (at most " + humanBytes(options.maxShardBytes) + " each)" : "")
              << "; " << plan.consumed.size() << " consumed (scales), " << plan.dropped.size()
              << " dropped, " << plan.warnings.size() << " warnings\n";
}

} // namespace

const ArgSpec& mapSpec() { return kSpec; }

int runMap(const Args& args)
{
    auto parsed = parseArgs(args, kSpec);
    if (!parsed) return reportUsageError(parsed.error());
    if (parsed->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    auto options = planOptionsFromArgs(*parsed, kSpec);
    if (!options) return reportUsageError(options.error());
    OpenOptions open;
    open.headerOnly = true;  // map never reads tensor bytes
    auto opened = Checkpoint::open(parsed->positional[0], open);
    if (!opened) return reportError(opened.error());
    auto plan = buildPlan(*opened.value(), *options);
    if (!plan) return reportError(plan.error());
    if (!parsed->has("--json")) {
        printPlan(*plan, *options);  // warnings are part of the table
        return kExitOk;
    }
    for (const auto& w : plan->warnings) std::cerr << "ckptscope-cli: warning: " << w << '\n';
    printJson(planToJson(*plan));
    return kExitOk;
}

} // namespace ckpt::cli
