#pragma once
// Evaluates the op list of one plan output (plan_op.h gives the semantics) against a source
// checkpoint, with dequantization, casts and quantization done by a KernelBackend.
//
// Two evaluation-only shortcuts, both bit-exact: a Cast to the dtype a value already has is a
// no-op (a BF16 source is written straight from its mapping), and a dequantization whose result
// is only rearranged (transpose/slice/concat) before the final Cast produces that dtype directly,
// since out = cast(f32(w) × f32(s)) either way and rearranging never changes bits.
//
// A 2-D transpose is deferred until its value is used (TensorValue::transposePending): a
// concatenation along columns then transposes each part straight into its columns of the
// result, which is how experts [out, in] become native gate_and_up [in, 2 x out] in one pass.

#include "core/convert/tensor_value.h"
#include "core/plan/conversion_plan.h"

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace ckpt {

class Checkpoint;
struct TensorRef;
class KernelBackend;

class OpEvaluator {
public:
    OpEvaluator(const Checkpoint& source, KernelBackend& backend);

    // Runs `ops` (a whole program, or one element of a Stack) and returns the single value left.
    Result<TensorValue> run(std::span<const PlanOp> ops, const PlanOutput& output);

    // For an op list ending in Stack(n): the end (exclusive) of each element's sub-program, so
    // element i is ops[ends[i-1], ends[i]). Empty when the list does not end in a Stack.
    static Result<std::vector<std::size_t>> stackElementEnds(std::span<const PlanOp> ops);

    // Every source byte range read so far, so the caller can let the kernel drop those pages.
    void releaseSourcePages();

private:
    Status checkStillThere(const TensorRef& ref) const;
    Result<TensorValue> readSource(const PlanOp& op);
    Result<TensorValue> dequant(const PlanOp& op, TensorValue weight, DType outDtype);
    Result<TensorValue> castFloat(const TensorValue& in, DType to);
    Result<TensorValue> scaleAbsorb(const PlanOp& op, const TensorValue& in);
    Result<TensorValue> fill(const PlanOp& op, const PlanOutput& output);
    Result<TensorValue> quantize(std::span<const PlanOp> ops, std::size_t at, const TensorValue& in);
    Result<TensorValue> concat(std::vector<TensorValue>& parts, std::uint32_t axis);
    Result<TensorValue> transpose(TensorValue in, std::uint32_t a, std::uint32_t b);
    Result<TensorValue> settle(TensorValue v);  // carries out a pending transpose
    Status transposeInto(const TensorValue& pending, std::byte* out, std::uint64_t outStride);
    Result<TensorValue> apply(std::span<const PlanOp> ops, std::size_t at, std::vector<TensorValue>& stack,
                              DType dequantTo, const PlanOutput& output);

    const Checkpoint& m_source;
    KernelBackend& m_backend;
    std::vector<std::pair<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>>> m_touched;
    // Results of a quantization kept for the companion output (weight <-> scale), keyed by the
    // description of the ops that made its input.
    std::map<std::string, TensorValue> m_quantCache;
    std::uint64_t m_quantCacheBytes = 0;
};

} // namespace ckpt
