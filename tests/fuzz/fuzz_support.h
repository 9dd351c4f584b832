#pragma once
// Shared by the fuzz targets: an invariant check that aborts (so libFuzzer records the input as
// a crash, with the message on stderr) and the bookkeeping invariants of a ConversionPlan.

#include "core/plan/conversion_plan.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace ckpt::fuzz {

// A broken invariant is a bug in core, not in the input: abort so the input is kept.
[[noreturn]] inline void invariantFailed(const char* what, const std::string& detail)
{
    std::fprintf(stderr, "FUZZ INVARIANT FAILED: %s: %s\n", what, detail.c_str());
    std::abort();
}

#define FUZZ_CHECK(cond, detail)                                  \
    do {                                                          \
        if (!(cond)) ::ckpt::fuzz::invariantFailed(#cond, detail); \
    } while (0)

// conversion_plan.h's bookkeeping: every source tensor is accounted for by some output's
// `sources`, by `consumed` or by `dropped`. As implemented (plan_context.cpp addOutput), a scale
// read by a dequant op is listed both in that output's sources and in `consumed`, so the checks
// are: dropped is disjoint from the other two, every consumed tensor is read by some output,
// nothing is listed twice within one list, nothing unknown is listed; outputs' shards <
// shardCount; totalBytes = the sum of the outputs' payloads.
// A tensor dropped before the adapter's special planning (skip list, or a problem turned into a
// drop by skipInvalid) must not be read by any output: PlanContext::addOutput leaves out an
// output that needs one (this fuzzer found the bug: skipped experts were still stacked).
inline void checkPlanBookkeeping(const PlanInput& in, const ConversionPlan& plan)
{
    enum Where { None = 0, Output = 1, Consumed = 2, Dropped = 4 };
    std::map<std::string, int> seen;
    for (const TensorRef& t : in.tensors) seen[t.name] = None;
    auto mark = [&](const std::string& name, int where, const char* kind) {
        auto it = seen.find(name);
        FUZZ_CHECK(it != seen.end(), std::string(kind) + " names a tensor the input lacks: " + name);
        // One tensor may feed several outputs (it is read, not moved); the other lists are sets.
        if (where != Output)
            FUZZ_CHECK((it->second & where) == 0, std::string(kind) + " lists twice: " + name);
        it->second |= where;
    };
    std::uint64_t total = 0;
    for (const PlanOutput& out : plan.outputs) {
        FUZZ_CHECK(out.shard < plan.shardCount, out.name + " shard " + std::to_string(out.shard) +
                                                    " of " + std::to_string(plan.shardCount));
        FUZZ_CHECK(!out.ops.empty(), out.name + " has no ops");
        for (const std::string& s : out.sources) mark(s, Output, "sources");
        total += out.nbytes();
    }
    for (const DroppedTensor& d : plan.consumed) mark(d.name, Consumed, "consumed");
    for (const DroppedTensor& d : plan.dropped) mark(d.name, Dropped, "dropped");
    for (auto& [name, where] : seen) {
        const std::string detail = name + " is in " + std::to_string(where) +
                                   " (1 sources, 2 consumed, 4 dropped)";
        FUZZ_CHECK(where == Output || where == (Output | Consumed) || where == Dropped, detail);
    }
    FUZZ_CHECK(total == plan.totalBytes,
               std::to_string(total) + " != totalBytes " + std::to_string(plan.totalBytes));
}

} // namespace ckpt::fuzz
