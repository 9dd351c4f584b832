#pragma once
// The one place the CLI formats results and errors.

#include "core/result.h"

#include <nlohmann/json_fwd.hpp>

namespace ckpt::cli {

void printJson(const nlohmann::json& doc);          // one document on stdout, newline-terminated
int reportError(const Error& error);                 // "ckptscope-cli: error: ..." on stderr -> 1
int reportUsageError(const Error& error);            // usage text + "Try ... --help" on stderr -> 2
void setUsageHintCommand(const std::string& command); // names the command in that hint
std::string humanBytes(std::uint64_t bytes);         // "1.25 GiB"
std::string shapeString(const std::vector<std::uint64_t>& shape);  // "[576, 7168]"

} // namespace ckpt::cli
