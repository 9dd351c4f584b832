#pragma once
// Small files (index.json, config.json, the journal) are written whole to a temporary name,
// fsync'd and renamed, so a crash leaves either the old file or the new one, never half of one.

#include "core/result.h"

#include <string>
#include <string_view>

namespace ckpt {

Status writeFileAtomically(const std::string& path, std::string_view contents);
// Copies a regular file the same way (temporary name, fsync, rename). Never follows into DST
// files that already exist unless `replace` is set.
Status copyFileAtomically(const std::string& from, const std::string& to, bool replace);
// fsync a directory so that renames inside it are durable.
Status syncDirectory(const std::string& dir);
// Maps errno of a failed write to DiskFull (ENOSPC, EDQUOT) or Io, naming the file.
Error writeError(int err, const std::string& path, std::string_view what);

} // namespace ckpt
