// `ckptscope-cli inspect PATH [--json]`: what a checkpoint holds, from headers only.
// Quant problems (a weight without scale, a wrong scale grid...) are findings, not failures:
// they are listed in the output and echoed as warnings on stderr, and the exit status stays 0.
// Exit 1 is for input that cannot be opened at all.

#include "cli/arg_parser.h"
#include "cli/cli.h"
#include "cli/cli_output.h"
#include "cli/commands.h"
#include "cli/inspect_json.h"
#include "cli/terminal_progress.h"
#include "core/checkpoint/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

namespace ckpt::cli {
namespace {

using json = nlohmann::json;

const ArgSpec kSpec{
    "inspect",
    "PATH [--json]",
    "List the tensors, family, layout and quantized weight/scale pairs of a checkpoint: a folder\n"
    "(with or without model.safetensors.index.json) or one .safetensors file. Reads headers only.",
    {"--json"},
    {},
    1,
    1,
};

// Shard paths relative to the root, once per file (not per tensor: 92k filesystem::path splits
// cost more than the rest of the table).
std::vector<std::string> relativeFiles(const Checkpoint& c)
{
    std::vector<std::string> out;
    out.reserve(c.files().size());
    for (const auto& f : c.files()) out.push_back(std::filesystem::path(f).lexically_relative(c.root()).generic_string());
    return out;
}

std::string pad(std::string s, std::size_t width)
{
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

void printSummary(const Checkpoint& c)
{
    std::cout << "checkpoint  " << c.root() << '\n'
              << "family      " << familyName(c.family()) << '\n'
              << "layout      " << layoutName(c.layout()) << '\n'
              << "files       " << c.files().size() << (c.hasIndex() ? " (model.safetensors.index.json)" : "")
              << '\n'
              << "tensors     " << c.tensors().size() << '\n'
              << "payload     " << humanBytes(c.totalBytes()) << " (" << c.totalBytes() << " bytes)\n"
              << "config      " << (c.hasConfig() ? c.config().value("model_type", std::string("(no model_type)"))
                                                 : std::string("none"))
              << "\n\n";
}

void printQuant(const Checkpoint& c)
{
    const auto& pairs = c.quant().pairs;
    std::map<std::string, std::size_t> byScheme;
    for (const auto& p : pairs)
        ++byScheme[std::string(quantSchemeName(p.scheme)) + " " + std::to_string(p.blockRows) + "x" +
                   std::to_string(p.blockCols) + " " + std::string(dtypeName(p.weightDtype)) + " + " +
                   std::string(dtypeName(p.scaleDtype)) + " scale"];
    std::cout << "quantized weights: " << pairs.size() << '\n';
    for (const auto& [scheme, n] : byScheme) std::cout << "  " << pad(std::to_string(n), 8) << scheme << '\n';
    // A full pair list of a real checkpoint runs to 46k lines; examples here, all in --json.
    constexpr std::size_t kShown = 8;
    for (std::size_t i = 0; i < std::min(kShown, pairs.size()); ++i)
        std::cout << "    " << pairs[i].weight << "  <-  " << pairs[i].scale << '\n';
    if (pairs.size() > kShown) std::cout << "    ... " << pairs.size() - kShown << " more (--json lists all)\n";
    std::cout << '\n';
}

void printFindings(const Checkpoint& c)
{
    const auto& q = c.quant();
    if (q.problems.empty() && c.warnings().empty()) return;
    std::cout << "problems: " << q.problems.size() << ", warnings: " << c.warnings().size() << '\n';
    for (const auto& e : q.problems) std::cout << "  problem: " << e.toString() << '\n';
    for (const auto& w : c.warnings()) std::cout << "  warning: " << w << '\n';
    std::cout << '\n';
}

void printTensorTable(const Checkpoint& c)
{
    const std::vector<std::string> files = relativeFiles(c);
    std::size_t nameWidth = 4, shapeWidth = 5, fileWidth = 4;
    for (const auto& f : files) fileWidth = std::max(fileWidth, f.size());
    for (const auto& t : c.tensors()) {
        nameWidth = std::max(nameWidth, t.name.size());
        shapeWidth = std::max(shapeWidth, shapeString(t.shape).size());
    }
    nameWidth = std::min<std::size_t>(nameWidth, 72);
    std::cout << pad("name", nameWidth) << "  " << pad("dtype", 8) << "  " << pad("shape", shapeWidth) << "  "
              << pad("file", fileWidth) << "  size\n";
    for (const auto& t : c.tensors()) {
        std::string mark = c.quant().findByWeight(t.name) ? "  [q]" : c.quant().isScale(t.name) ? "  [scale]" : "";
        std::cout << pad(t.name, nameWidth) << "  " << pad(std::string(dtypeName(t.dtype)), 8) << "  "
                  << pad(shapeString(t.shape), shapeWidth) << "  " << pad(files[t.fileIndex], fileWidth) << "  "
                  << humanBytes(t.nbytes) << mark << '\n';
    }
}

} // namespace

const ArgSpec& inspectSpec() { return kSpec; }

int runInspect(const Args& args)
{
    auto parsed = parseArgs(args, kSpec);
    if (!parsed) return reportUsageError(parsed.error());
    if (parsed->helpRequested) {
        std::cout << helpText(kSpec);
        return kExitOk;
    }
    const bool asJson = parsed->has("--json");
    TerminalProgress progress(true);
    OpenOptions options;
    options.job = &progress;
    auto opened = Checkpoint::open(parsed->positional[0], options);
    progress.finish();
    if (!opened) return reportError(opened.error());
    const Checkpoint& c = *opened.value();
    for (const auto& e : c.quant().problems) std::cerr << "ckptscope-cli: warning: " << e.toString() << '\n';
    if (asJson) {
        std::cout << inspectJsonText(c);
        return kExitOk;
    }
    printSummary(c);
    printQuant(c);
    printFindings(c);
    printTensorTable(c);
    return kExitOk;
}

} // namespace ckpt::cli
