#include "cli/cli_help.h"

#include "cli/cli.h"
#include "cli/command_table.h"
#include "cli/man_page.h"
#include "kernels/kernel_factory.h"

#include <cstring>
#include <iostream>

#ifndef CKPT_VERSION
#define CKPT_VERSION "0.0.0"
#endif

namespace ckpt::cli {
namespace {

// The prose shared by `--help` and the man page.
constexpr const char* kSummary = "inspect, convert and verify Mixture-of-Experts LLM checkpoints";
constexpr const char* kDescription =
    "Reads safetensors checkpoints of DeepSeek V3, DeepSeek V4, Gemma4 MoE and Step3p5 in Hugging\n"
    "Face or NeMo AutoModel (native) layout: lists their tensors and quantized weight/scale pairs,\n"
    "converts between the layouts (dequantizing FP8/FP4 on the CPU or with CUDA), compares and\n"
    "verifies checkpoints. Every command takes --json for one machine-readable JSON document on\n"
    "stdout; progress goes to stderr.";
constexpr const char* kExitStatus =
    "0 on success (diff and verify: whatever the comparison found), 1 for bad input (the\n"
    "message on stderr names the file and the tensor), 2 for a usage error.";
constexpr const char* kDevice =
    "--device auto (the default) runs the kernels on a CUDA GPU when this build has the CUDA\n"
    "backend and a device is visible, else on all CPU cores; the results are bit-identical.\n"
    "--device cuda fails when no GPU can be used. The second line of --version tells whether CUDA\n"
    "is compiled in and how many devices it sees.";
constexpr const char* kExamples =
    "  ckptscope-cli demo /tmp/v3 --family deepseek_v3\n"
    "  ckptscope-cli inspect /tmp/v3 --json\n"
    "  ckptscope-cli map /tmp/v3 --to native\n"
    "  ckptscope-cli convert /tmp/v3 /tmp/v3-native\n"
    "  ckptscope-cli convert /tmp/v3 /tmp/v3-bf16 --to hf\n"
    "  ckptscope-cli diff /tmp/v3 /tmp/v3-native --map\n"
    "  ckptscope-cli verify /tmp/v3 --reference /tmp/v3-bf16\n"
    "  ckptscope-cli hist /tmp/v3 model.layers.1.mlp.experts.0.down_proj.weight --log";

struct GlobalOption {
    const char* names;
    const char* help;
};
const GlobalOption kGlobalOptions[] = {
    {"-h, --help", "print this help and exit"},
    {"-V, --version", "print the version and the CUDA backend state and exit"},
};

void padTo(std::ostream& out, std::size_t used, std::size_t width)
{
    for (std::size_t i = used; i < width; ++i) out << ' ';
}

} // namespace

void printMainHelp(std::ostream& out)
{
    out << "usage: ckptscope-cli <command> [options]\n"
           "       ckptscope-cli help <command>\n\n"
        << "ckptscope-cli: " << kSummary << ".\n\n" << kDescription << "\n\ncommands:\n";
    for (const auto& c : commandTable()) {
        out << "  " << c.name;
        padTo(out, std::strlen(c.name), 10);
        out << c.summary << '\n';
    }
    out << "\noptions:\n";
    for (const auto& o : kGlobalOptions) {
        out << "  " << o.names;
        padTo(out, std::strlen(o.names), 16);
        out << o.help << '\n';
    }
    out << "\nexit status:\n  ";
    for (const char* c = kExitStatus; *c; ++c) out << *c << (*c == '\n' ? "  " : "");
    out << "\n\nRun 'ckptscope-cli <command> --help' for a command's options; 'man ckptscope-cli' for more.\n";
}

void printCommandHelp(const CommandEntry& command, std::ostream& out) { out << helpText(command.spec()); }

void printVersion(std::ostream& out)
{
    out << "ckptscope-cli " << CKPT_VERSION << '\n';
    if (!cudaCompiledIn()) {
        out << "CUDA backend: not compiled in (CPU kernels only)\n";
        return;
    }
    const int devices = cudaDeviceCount();
    out << "CUDA backend: compiled in, " << devices << (devices == 1 ? " device" : " devices")
        << (devices == 0 ? " visible (--device auto uses the CPU)" : "") << '\n';
}

int runHelpCommand(const Args& args)
{
    if (args.empty()) {
        printMainHelp(std::cout);
        return kExitOk;
    }
    if (args.size() > 1) {
        std::cerr << "ckptscope-cli: help takes one command name\n" << usageHint("");
        return kExitUsage;
    }
    if (const CommandEntry* c = findCommand(args[0])) {
        printCommandHelp(*c, std::cout);
        return kExitOk;
    }
    std::cerr << "ckptscope-cli: unknown command '" << args[0] << "'\n" << usageHint("");
    return kExitUsage;
}

std::string usageHint(const std::string& command)
{
    if (command.empty()) return "Try 'ckptscope-cli --help' for the list of commands.\n";
    return "Try 'ckptscope-cli " + command + " --help' for more information.\n";
}

std::string cliManPage()
{
    ManPage page{"ckptscope-cli", CKPT_VERSION, kSummary, {"COMMAND [OPTIONS] [ARGUMENTS]", "help [COMMAND]",
                                                           "--help", "--version"}, {}};
    page.sections.push_back({"Description", kDescription, {}, false});
    ManSection commands{"Commands", "", {}, true};
    for (const auto& c : commandTable()) {
        const ArgSpec& spec = c.spec();
        commands.items.push_back({c.name, spec.help, usageLine(spec)});
    }
    page.sections.push_back(std::move(commands));
    ManSection options{"Options", "", {}, false};
    for (const auto& o : kGlobalOptions) options.items.push_back({o.names, o.help, ""});
    page.sections.push_back(std::move(options));
    page.sections.push_back({"Devices", kDevice, {}, false});
    page.sections.push_back({"Exit status", kExitStatus, {}, false});
    page.sections.push_back({"Examples", kExamples, {}, false});
    page.sections.push_back({"See also", "ckptscope(1)", {}, false});
    return renderRoff(page);
}

} // namespace ckpt::cli
