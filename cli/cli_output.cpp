#include "cli/cli_output.h"
#include "cli/cli.h"
#include "cli/cli_help.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace ckpt::cli {

void printJson(const nlohmann::json& doc)
{
    // error_handler::replace: a tensor name with invalid UTF-8 must not abort the dump.
    std::cout << doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    std::cout.flush();
}

int reportError(const Error& error)
{
    if (error.code == ErrorCode::InvalidArgument) return reportUsageError(error);
    std::cerr << "ckptscope-cli: error: " << error.toString() << '\n';
    return kExitUserError;
}

namespace {
std::string g_usageHintCommand;  // the command being run; set once by run() before it starts
} // namespace

void setUsageHintCommand(const std::string& command) { g_usageHintCommand = command; }

int reportUsageError(const Error& error)
{
    std::cerr << "ckptscope-cli: " << error.message << '\n' << usageHint(g_usageHintCommand);
    return kExitUsage;
}

std::string humanBytes(std::uint64_t bytes)
{
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 5) { v /= 1024.0; ++u; }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
    return buf;
}

std::string shapeString(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

} // namespace ckpt::cli
