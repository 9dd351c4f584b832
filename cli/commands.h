#pragma once
// One function per ckptscope-cli command, each in its own file. args excludes program and
// command names. Each returns an exit code (cli.h). Each command also exposes its ArgSpec, the
// one source of its usage line and help text (`--help`, `help CMD` and the man page).

#include "cli/arg_parser.h"

#include <string>
#include <vector>

namespace ckpt::cli {

using Args = std::vector<std::string>;

struct CommandEntry {
    const char* name;
    const char* summary;
    int (*run)(const Args& args);
    const ArgSpec& (*spec)();
};

int runInspect(const Args& args);
int runDemo(const Args& args);
int runMap(const Args& args);
int runConvert(const Args& args);
int runDiff(const Args& args);
int runVerify(const Args& args);
int runHist(const Args& args);

const ArgSpec& inspectSpec();
const ArgSpec& demoSpec();
const ArgSpec& mapSpec();
const ArgSpec& convertSpec();
const ArgSpec& diffSpec();
const ArgSpec& verifySpec();
const ArgSpec& histSpec();

} // namespace ckpt::cli
