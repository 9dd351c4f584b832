#include "cli/cli.h"
#include "cli/cli_help.h"
#include "cli/cli_output.h"
#include "cli/command_table.h"

#include <algorithm>
#include <iostream>
#include <span>

namespace ckpt::cli {
namespace {

// `-h`/`--help` anywhere before `--` asks for the command's help, whatever else is on the line,
// so a half-typed command line still gets its help rather than a usage error.
bool asksForHelp(const Args& args)
{
    const auto end = std::find(args.begin(), args.end(), "--");
    return std::any_of(args.begin(), end, [](const std::string& a) { return a == "-h" || a == "--help"; });
}

int runCommand(const CommandEntry& command, const Args& args)
{
    if (asksForHelp(args)) {
        printCommandHelp(command, std::cout);
        return kExitOk;
    }
    setUsageHintCommand(command.name);
    try {
        return command.run(args);
    } catch (const std::exception& e) {
        std::cerr << "ckptscope-cli: internal error: " << e.what() << '\n';
        return kExitUserError;
    }
}

int unknownCommand(const std::string& name)
{
    if (name.rfind('-', 0) == 0) {
        std::cerr << "ckptscope-cli: unknown option '" << name << "'\n";
    } else {
        std::cerr << "ckptscope-cli: unknown command '" << name << "'\n";
        if (const CommandEntry* near = closestCommand(name))
            std::cerr << "Did you mean '" << near->name << "'?\n";
    }
    std::cerr << usageHint("");
    return kExitUsage;
}

} // namespace

int run(int argc, char** argv)
{
    std::span<char*> all(argv, static_cast<std::size_t>(argc));
    if (all.size() < 2) {
        std::cerr << "usage: ckptscope-cli <command> [options]\n" << usageHint("");
        return kExitUsage;
    }
    const std::string first = all[1];
    Args args;
    for (std::size_t i = 2; i < all.size(); ++i) args.emplace_back(all[i]);
    if (first == "-h" || first == "--help") {
        printMainHelp(std::cout);
        return kExitOk;
    }
    if (first == "help") return runHelpCommand(args);
    if (first == "--version" || first == "-V") {
        printVersion(std::cout);
        return kExitOk;
    }
    if (first == "--help-man") {  // hidden: the build turns this into ckptscope-cli.1
        std::cout << cliManPage();
        return kExitOk;
    }
    if (const CommandEntry* command = findCommand(first)) return runCommand(*command, args);
    return unknownCommand(first);
}

} // namespace ckpt::cli
