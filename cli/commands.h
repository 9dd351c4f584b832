#pragma once
// One function per ckptscope-cli command, each in its own file. args excludes program and
// command names. Each returns an exit code (cli.h).

#include <string>
#include <vector>

namespace ckpt::cli {

using Args = std::vector<std::string>;

struct CommandEntry {
    const char* name;
    const char* summary;
    int (*run)(const Args& args);
};

int runInspect(const Args& args);
int runDemo(const Args& args);
int runMap(const Args& args);
int runConvert(const Args& args);
int runDiff(const Args& args);
int runVerify(const Args& args);
int runHist(const Args& args);

} // namespace ckpt::cli
