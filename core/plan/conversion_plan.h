#pragma once
// ConversionPlan: pure data, built from headers and config.json only (never tensor bytes). For
// every output tensor: its name, dtype, shape, output shard and the ops that make it from source
// tensors (plan_op.h explains how ops are evaluated). The CLI's `map`, the GUI's mapping
// preview and the executor all use it.
//
// Bookkeeping, so that nothing disappears silently:
//   * every source tensor ends up in exactly one of: some output's `sources`, `consumed`, or
//     `dropped`;
//   * `consumed`: tensors folded into an output by computation, i.e. scale tensors used by a
//     dequant op and Gemma4 per_expert_scale absorbed into down_projs (reason says into what);
//   * `dropped`: tensors with no output, each with a reason (orphan scales, V4 hash-layer gate
//     biases, tied lm_head, tensors skipped on request).

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/family.h"
#include "core/checkpoint/quant_pairing.h"
#include "core/dtype.h"
#include "core/plan/plan_op.h"
#include "core/result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ckpt {

struct PlanOutput {
    std::string name;
    DType dtype = DType::BF16;
    std::vector<std::uint64_t> shape;
    std::uint32_t shard = 0;           // output file index, 0-based
    std::vector<std::string> sources;  // every tensor the ops read (weights and scales)
    std::vector<PlanOp> ops;

    std::uint64_t nbytes() const;      // payload size in the output file
};

struct DroppedTensor {
    std::string name;
    std::string reason;
};

struct ConversionPlan {
    Family family = Family::Unknown;
    Layout from = Layout::Hf;
    Layout to = Layout::Native;
    std::vector<PlanOutput> outputs;       // in natural name order (layers.2 before layers.10)
    std::vector<DroppedTensor> dropped;    // sorted by name
    std::vector<DroppedTensor> consumed;   // sorted by name
    std::vector<std::string> warnings;
    std::uint32_t shardCount = 0;
    std::uint64_t totalBytes = 0;          // sum of output payloads
    // __metadata__ of every output file: {"format":"pt"} for HF, plus
    // "ckptscope.layout":"nemo-native" and "ckptscope.family" for native (DESIGN.md).
    std::map<std::string, std::string> metadata;

    const PlanOutput* find(std::string_view name) const;
};

// What a plan is built from: header facts and config, no file access (tests build it by hand).
struct PlanInput {
    Family family = Family::Unknown;
    Layout layout = Layout::Hf;
    std::vector<TensorRef> tensors;   // any order; only name, dtype, shape, fileIndex are used
    std::vector<std::string> files;   // fileIndex -> path, for error messages; may be empty
    nlohmann::json config = nlohmann::json::object();
    QuantPairing quant;               // pairs, problems and orphan scales of `tensors`
};

enum class QuantizeMode { None, Fp8 };

struct PlanOptions {
    // Default: the other layout; HF for an unknown family (it has no native layout). Same layout
    // as the source: keep names, only dequantize and cast (DeepSeek's fp8_cast_bf16.py).
    std::optional<Layout> target;
    DType dtype = DType::BF16;             // weights: BF16, F16 or F32 (fp32 keep lists aside)
    QuantizeMode quantize = QuantizeMode::None;  // only for HF output of DeepSeek V3 / V4
    std::uint64_t maxShardBytes = 5ull << 30;    // 0 = one shard
    // Per-tensor errors (incomplete experts, missing/wrong scales, unsupported dtypes, unexpected
    // experts) become `dropped` entries whose reason is the error, instead of failing the plan.
    bool skipInvalid = false;
    std::vector<std::string> skip;  // source tensors to leave out (listed as dropped)
};

// Errors name the tensor and, where known, its file. Codes: IncompleteExperts, UnexpectedExpert,
// ScaleMissing, ScaleShapeMismatch, ScaleDtypeInvalid, UnsupportedDtype, ConfigInvalid (config
// contradicts shapes), PlanInvalid (two sources map to one output), UnknownFamily (--to native
// of an unknown family), InvalidArgument (bad options).
Result<ConversionPlan> buildPlan(const PlanInput& input, const PlanOptions& options);
Result<ConversionPlan> buildPlan(const Checkpoint& checkpoint, const PlanOptions& options);

PlanInput planInputFrom(const Checkpoint& checkpoint);

} // namespace ckpt
