#pragma once
// Writing the verify table to disk: JSON is the document `ckptscope-cli verify --json` prints
// (same keys, non-finite numbers as null); CSV has one line per tensor with the table's columns,
// worst first as the report orders them. Files are written atomically.

#include "core/verify/verify_checkpoint.h"

#include <string>

namespace ckpt::ui {

std::string verifyCsv(const VerifyReport& report);
std::string verifyJson(const VerifyReport& report, bool withReference);
// Format from the extension: ".json" -> JSON, anything else -> CSV.
Status exportVerifyReport(const VerifyReport& report, bool withReference, const std::string& path);

} // namespace ckpt::ui
