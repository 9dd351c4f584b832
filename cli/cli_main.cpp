#include "cli/cli.h"
#include "cli/commands.h"

#include <cstring>
#include <iostream>
#include <span>

#ifndef CKPT_VERSION
#define CKPT_VERSION "0.0.0"
#endif

namespace ckpt::cli {
namespace {

// The command table: one line per command.
const CommandEntry kCommands[] = {
    {"inspect", "list tensors, family, layout and quant pairs of a checkpoint", runInspect},
    {"demo", "write a synthetic checkpoint of a model family", runDemo},
    {"map", "show the conversion plan (no tensor data read)", runMap},
    {"convert", "convert a checkpoint (dequantize, rename, merge/split experts, reshard)", runConvert},
    {"diff", "compare two checkpoints (key sets, shapes, dtypes, values; --map through the plan)", runDiff},
    {"verify", "check dequantization accuracy, scales and round trips of a quantized checkpoint", runVerify},
    {"hist", "histogram of a tensor's dequantized values or of its scales", runHist},
};

void printUsage(std::ostream& out)
{
    out << "usage: ckptscope-cli <command> [options]\n\n"
           "Inspect, convert and verify Mixture-of-Experts checkpoints (safetensors).\n\n"
           "commands:\n";
    for (const auto& c : kCommands) {
        out << "  " << c.name;
        for (std::size_t i = std::strlen(c.name); i < 10; ++i) out << ' ';
        out << c.summary << '\n';
    }
    out << "\nRun 'ckptscope-cli <command> --help' for a command's options.\n"
           "Every command takes --json. Exit status: 0 success, 1 bad input, 2 usage error.\n";
}

} // namespace

int run(int argc, char** argv)
{
    std::span<char*> all(argv, static_cast<std::size_t>(argc));
    if (all.size() < 2) {
        printUsage(std::cerr);
        return kExitUsage;
    }
    std::string command = all[1];
    if (command == "-h" || command == "--help" || command == "help") {
        printUsage(std::cout);
        return kExitOk;
    }
    if (command == "--version" || command == "-V") {
        std::cout << "ckptscope-cli " << CKPT_VERSION << '\n';
        return kExitOk;
    }
    Args args;
    for (std::size_t i = 2; i < all.size(); ++i) args.emplace_back(all[i]);
    for (const auto& c : kCommands)
        if (command == c.name) {
            try {
                return c.run(args);
            } catch (const std::exception& e) {
                std::cerr << "ckptscope-cli: internal error: " << e.what() << '\n';
                return kExitUserError;
            }
        }
    std::cerr << "ckptscope-cli: unknown command '" << command << "'\n\n";
    printUsage(std::cerr);
    return kExitUsage;
}

} // namespace ckpt::cli
