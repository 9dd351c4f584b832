#pragma once
// The help of ckptscope-cli in all its forms: `--help`, `help [COMMAND]`, `COMMAND --help`,
// `--version` and the man page (`--help-man`). All of them are built from the command table and
// each command's ArgSpec, so the man page cannot drift from what the binary accepts.

#include "cli/commands.h"

#include <ostream>
#include <string>

namespace ckpt::cli {

void printMainHelp(std::ostream& out);
void printCommandHelp(const CommandEntry& command, std::ostream& out);
void printVersion(std::ostream& out);
// `help [COMMAND]`: 0 with the help on stdout, 2 for an unknown command.
int runHelpCommand(const Args& args);
// The hint printed after every usage error: "Try 'ckptscope-cli [COMMAND] --help'...".
std::string usageHint(const std::string& command);
std::string cliManPage();

} // namespace ckpt::cli
