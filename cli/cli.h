#pragma once
// Entry point of ckptscope-cli. Exit codes (DESIGN.md): 0 success, 1 user error (bad input; the
// message names file and tensor on stderr), 2 usage error.

namespace ckpt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUserError = 1;
inline constexpr int kExitUsage = 2;

int run(int argc, char** argv);

} // namespace ckpt::cli
