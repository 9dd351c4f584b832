#pragma once
// Runs a ConversionPlan end to end: shard by shard, each written through a SafetensorsWriter to a
// temporary name, fsync'd, renamed and recorded in the journal; stacked experts are produced one
// element at a time, so memory stays bounded by the largest single element/tensor, not by the
// checkpoint. The index, config.json, the source's other files and an audit note come last, so
// a folder is only a loadable checkpoint once everything in it is complete.

#include "core/plan/conversion_plan.h"
#include "core/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

class Checkpoint;
class JobContext;
class KernelBackend;

struct ExecuteOptions {
    std::string destination;
    bool resume = false;
    KernelBackend* backend = nullptr;  // required
    JobContext* job = nullptr;         // progress in output bytes; cancellation
};

struct ExecuteReport {
    std::uint64_t bytesWritten = 0;    // payload bytes produced in this run
    std::uint32_t shardsWritten = 0;
    std::uint32_t shardsReused = 0;    // finished by an earlier, interrupted run (--resume)
    std::uint32_t tensorsWritten = 0;
    std::vector<std::string> copiedFiles;
    std::vector<std::string> shardFiles;
    double seconds = 0;
};

Result<ExecuteReport> executePlan(const Checkpoint& source, const ConversionPlan& plan,
                                  const ExecuteOptions& options);

} // namespace ckpt
