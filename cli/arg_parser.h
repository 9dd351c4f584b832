#pragma once
// A small, strict argument parser: positional arguments, boolean flags and options with a value
// ("--opt value" or "--opt=value"). Anything not declared is a usage error.

#include "core/result.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ckpt::cli {

struct ArgSpec {
    std::string command;                // e.g. "inspect"
    std::string usage;                  // one-line synopsis after the command name
    std::string help;                   // description printed by --help
    std::vector<std::string> flags;     // e.g. "--json"
    std::vector<std::string> options;   // e.g. "--to"
    std::size_t minPositional = 0;
    std::size_t maxPositional = 0;
};

struct ParsedArgs {
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;
    std::set<std::string> flags;
    bool helpRequested = false;

    bool has(const std::string& flag) const { return flags.count(flag) != 0; }
    std::optional<std::string> get(const std::string& option) const;
    std::string getOr(const std::string& option, const std::string& fallback) const;
};

// args excludes the program and command names. Errors carry ErrorCode::InvalidArgument.
Result<ParsedArgs> parseArgs(const std::vector<std::string>& args, const ArgSpec& spec);

std::string usageLine(const ArgSpec& spec);
std::string helpText(const ArgSpec& spec);

} // namespace ckpt::cli
