#pragma once
// Reads and validates the safetensors headers of many files at once. Headers are read with pread
// (no mmap): a checkpoint of hundreds of shards opens without mapping any data.

#include "core/job_context.h"
#include "core/result.h"
#include "core/safetensors/safetensors_header.h"

#include <string>
#include <vector>

namespace ckpt {

// One header per file, in the order of `files`. On failure, the error of the first failing file
// in that order (so the message does not depend on thread timing); Cancelled when `job` says so.
// threads == 0 -> hardware concurrency; never more threads than files.
Result<std::vector<SafetensorsHeader>> readHeadersParallel(const std::vector<std::string>& files,
                                                           DataCheck check, unsigned threads,
                                                           JobContext* job);

} // namespace ckpt
