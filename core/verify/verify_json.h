#pragma once
// The JSON document of a verification (DESIGN.md, `ckptscope-cli verify --json`), in one place so
// that the CLI's output and the GUI's export keep the same keys.

#include "core/verify/verify_checkpoint.h"

#include <nlohmann/json.hpp>

namespace ckpt {

nlohmann::json verifyReportToJson(const VerifyReport& report, bool withReference);

} // namespace ckpt
