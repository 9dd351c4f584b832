#include "core/plan/plan_finish.h"

namespace ckpt {
namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// The quantizer reads the float value the sub-program computes, not its cast: quantizing the
// already rounded BF16 would round twice.
std::vector<PlanOp> opsBeforeCast(const PlanOutput& out)
{
    std::vector<PlanOp> ops = out.ops;
    if (!ops.empty() && ops.back().kind == OpKind::Cast) ops.pop_back();
    return ops;
}

} // namespace

void applyFp8Export(PlanContext& ctx, const Fp8ExportRule& rule)
{
    std::vector<PlanOutput> result;
    std::size_t skipped = 0;
    for (PlanOutput& out : ctx.plan().outputs) {
        const bool wanted = rule.quantizable(out.name) && isFloatingPoint(out.dtype);
        if (!wanted || out.shape.size() != 2) {
            skipped += wanted ? 1 : 0;
            result.push_back(std::move(out));
            continue;
        }
        PlanOutput scale;
        scale.name = rule.scaleName(out.name);
        scale.dtype = rule.scaleDtype;
        scale.shape = {ceilDiv(out.shape[0], rule.block), ceilDiv(out.shape[1], rule.block)};
        scale.sources = out.sources;
        scale.ops = opsBeforeCast(out);
        scale.ops.push_back(PlanOp::quantizeFp8Block(rule.block, rule.block, rule.scaleDtype,
                                                     QuantPart::Scale));
        out.ops = opsBeforeCast(out);
        out.ops.push_back(PlanOp::quantizeFp8Block(rule.block, rule.block, rule.scaleDtype,
                                                   QuantPart::Weight));
        out.dtype = DType::F8_E4M3;
        result.push_back(std::move(out));
        result.push_back(std::move(scale));
    }
    if (skipped)
        ctx.warn(std::to_string(skipped) + " quantizable tensors are not 2-D and stay unquantized");
    ctx.plan().outputs = std::move(result);
}

} // namespace ckpt
