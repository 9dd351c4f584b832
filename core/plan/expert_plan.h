#pragma once
// Shared expert aggregation and splitting, used by every MoE adapter (spec: deepseek-v3.md
// §2.1-2.2, deepseek-v4.md §5, gemma4-moe.md §3-4, step3p5.md §3-4).
//   gate_and_up_projs[e] = concat(gate_eᵀ, up_eᵀ, last axis)  -> [H, 2I], gate in columns 0..I-1
//   down_projs[e]        = down_eᵀ                            -> [I, H]
// Every stacked output is Stack(E × element sub-program) so the executor can stream experts.

#include "core/plan/plan_context.h"

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ckpt {

// One input of an expert element.
struct ExpertPiece {
    const TensorRef* tensor = nullptr;
    std::optional<std::uint64_t> index;  // element of a stacked [E, ...] tensor's axis 0
    std::optional<std::pair<std::uint64_t, std::uint64_t>> columns;  // slice [a, b) of axis 1
    bool transpose = false;              // swap the two axes of the 2-D element
    const TensorRef* absorb = nullptr;   // multiply by absorb[absorbIndex] (per_expert_scale)
    std::uint64_t absorbIndex = 0;
};

// Loads, slices, transposes and scales each piece, concatenates them along axis 1 when there are
// several, and casts to `dtype`. The result must be 2-D.
Result<PlanValue> appendExpertElement(const PlanContext& ctx, PlanOutput& out,
                                      std::span<const ExpertPiece> pieces, DType dtype);

using ExpertPiecesFn = std::function<std::vector<ExpertPiece>(std::uint64_t expert)>;

// Real MoE layers have at most a few hundred experts. A count past this limit comes from a
// config.json or a tensor shape that lies, and planning it would build one op list per expert
// (a 300-byte header claiming [2^32, ...] exhausted memory). Fails naming `tensor` when over.
inline constexpr std::uint64_t kMaxExpertsPerLayer = std::uint64_t{1} << 16;
bool checkExpertCount(PlanContext& ctx, std::uint64_t count, const std::string& tensor);

// Output `name` = Stack of `count` elements (all of the same shape), dtype ctx.weightDtype().
// Problems are reported through ctx.fail with every source of the output as affected.
void planStackedExperts(PlanContext& ctx, const std::string& name, std::uint64_t count,
                        const ExpertPiecesFn& pieces);
// Output `name` = one element (a per-expert HF tensor split from a stacked native one).
void planSingleExpert(PlanContext& ctx, const std::string& name,
                      const std::vector<ExpertPiece>& pieces);

enum ExpertProj { kGateProj = 0, kUpProj = 1, kDownProj = 2 };
using ExpertKeyFn = std::function<std::string(std::uint64_t expert, ExpertProj proj)>;

// The per-expert 2-D HF weights of one MoE layer (DeepSeek V3 / V4).
struct PerExpertLayer {
    std::string gateAndUpName;  // native outputs
    std::string downName;
    std::map<std::uint64_t, const TensorRef*> byProj[3];  // expert id -> tensor, per ExpertProj
    ExpertKeyFn hfKey;          // the HF name expected for (expert, proj), for error messages
};

// Checks ids (< numExperts, else UnexpectedExpert) and completeness (else IncompleteExperts
// listing missing keys), then plans gate_and_up_projs and down_projs. `inter` (config I), when
// known, must equal the experts' row count (ConfigInvalid otherwise).
void planMergePerExpert(PlanContext& ctx, const PerExpertLayer& layer, std::uint64_t numExperts,
                        std::optional<std::uint64_t> inter);

// Native -> per-expert HF. gate_and_up [E, H, 2I] gives hfKey(e, gate) = [:, :I]ᵀ and
// hfKey(e, up) = [:, I:]ᵀ; down [E, I, H] gives hfKey(e, down) = down[e]ᵀ. `inter` is the split
// point (config I, or width/2 for V4); shapes contradicting it or numExperts are errors.
void planSplitGateUp(PlanContext& ctx, const TensorRef& gateUp, std::uint64_t numExperts,
                     std::uint64_t inter, const ExpertKeyFn& hfKey);
void planSplitDown(PlanContext& ctx, const TensorRef& down, std::uint64_t numExperts,
                   std::uint64_t inter, const ExpertKeyFn& hfKey);

// Expert count: config value, else (with a warning) max id + 1 seen in the keys.
std::uint64_t expertCountOr(PlanContext& ctx, std::optional<std::uint64_t> fromConfig,
                            std::uint64_t fromKeys, std::string_view configKey);

} // namespace ckpt
