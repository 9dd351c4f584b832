#pragma once
// The table of ckptscope-cli commands, in the order the help and the man page list them.

#include "cli/commands.h"

#include <span>
#include <string_view>

namespace ckpt::cli {

std::span<const CommandEntry> commandTable();
const CommandEntry* findCommand(std::string_view name);  // nullptr when unknown
// The known command closest to a mistyped name (at most two edits away), or nullptr.
const CommandEntry* closestCommand(std::string_view name);

} // namespace ckpt::cli
