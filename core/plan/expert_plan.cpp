#include "core/plan/expert_plan.h"

#include <algorithm>

namespace ckpt {
namespace {

std::string shapeText(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

Result<PlanValue> appendPiece(const PlanContext& ctx, PlanOutput& out, const ExpertPiece& piece)
{
    auto loaded = ctx.appendLoad(out, *piece.tensor, piece.index);
    if (!loaded) return loaded.takeError();
    PlanValue v = std::move(loaded.value());
    if (v.shape.size() != 2)
        return ctx.tensorError(ErrorCode::PlanInvalid, "expert weight " + shapeText(v.shape)
                               + " is not 2-D", piece.tensor->name);
    if (piece.columns) {
        auto [a, b] = *piece.columns;
        if (a >= b || b > v.shape[1])
            return ctx.tensorError(ErrorCode::PlanInvalid, "cannot take columns "
                                   + std::to_string(a) + ":" + std::to_string(b) + " of "
                                   + shapeText(v.shape), piece.tensor->name);
        out.ops.push_back(PlanOp::slice(1, a, b));
        v.shape[1] = b - a;
    }
    if (piece.transpose) {
        out.ops.push_back(PlanOp::transpose(0, 1));
        std::swap(v.shape[0], v.shape[1]);
    }
    if (piece.absorb) {
        out.ops.push_back(PlanOp::scaleAbsorb(piece.absorb->name, piece.absorbIndex));
        out.sources.push_back(piece.absorb->name);
        v.dtype = DType::F32;
    }
    return v;
}

std::vector<std::string> sourcesOf(std::uint64_t count, const ExpertPiecesFn& pieces)
{
    std::vector<std::string> names;
    for (std::uint64_t e = 0; e < count; ++e)
        for (const ExpertPiece& p : pieces(e)) {
            names.push_back(p.tensor->name);
            if (p.absorb) names.push_back(p.absorb->name);
        }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace

Result<PlanValue> appendExpertElement(const PlanContext& ctx, PlanOutput& out,
                                      std::span<const ExpertPiece> pieces, DType dtype)
{
    PlanValue total;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        auto v = appendPiece(ctx, out, pieces[i]);
        if (!v) return v.takeError();
        if (i == 0) {
            total = v.value();
            continue;
        }
        if (v->shape[0] != total.shape[0])
            return ctx.tensorError(ErrorCode::PlanInvalid, "cannot concatenate "
                                   + shapeText(v->shape) + " to " + shapeText(total.shape)
                                   + " along axis 1", pieces[i].tensor->name);
        total.shape[1] += v->shape[1];
        // Mixed dtypes (e.g. one half dequantized) are resolved by the final cast; the executor
        // converts both halves to the output dtype before joining.
        if (v->dtype != total.dtype) total.dtype = DType::F32;
    }
    if (pieces.size() > 1) out.ops.push_back(PlanOp::concat(1, static_cast<std::uint32_t>(pieces.size())));
    // Always cast, even to the same dtype: each element then visibly ends in the output dtype,
    // which is what lets the executor write element i straight into slab i of the output.
    out.ops.push_back(PlanOp::cast(dtype));
    total.dtype = dtype;
    return total;
}

bool checkExpertCount(PlanContext& ctx, std::uint64_t count, const std::string& tensor)
{
    if (count <= kMaxExpertsPerLayer) return true;
    ctx.fail(ctx.tensorError(ErrorCode::ConfigInvalid, std::to_string(count) + " experts in one layer is not "
                             "plausible (the limit is " + std::to_string(kMaxExpertsPerLayer)
                             + "): config.json or this tensor's shape is wrong", tensor));
    return false;
}

void planStackedExperts(PlanContext& ctx, const std::string& name, std::uint64_t count,
                        const ExpertPiecesFn& pieces)
{
    if (count > kMaxExpertsPerLayer) {
        const std::vector<ExpertPiece> p = pieces(0);
        checkExpertCount(ctx, count, p.empty() || !p.front().tensor ? name : p.front().tensor->name);
        return;
    }
    PlanOutput out;
    out.name = name;
    out.dtype = ctx.weightDtype();
    std::vector<std::uint64_t> first;
    for (std::uint64_t e = 0; e < count; ++e) {
        const std::vector<ExpertPiece> p = pieces(e);
        auto v = appendExpertElement(ctx, out, p, out.dtype);
        if (!v) return ctx.fail(v.takeError(), sourcesOf(count, pieces));
        if (e == 0) {
            first = v->shape;
        } else if (v->shape != first) {
            return ctx.fail(ctx.tensorError(ErrorCode::PlanInvalid, "expert " + std::to_string(e)
                                            + " has shape " + shapeText(v->shape) + ", expert 0 "
                                            + shapeText(first), p.front().tensor->name),
                            sourcesOf(count, pieces));
        }
    }
    out.ops.push_back(PlanOp::stack(static_cast<std::uint32_t>(count)));
    out.shape = {count};
    out.shape.insert(out.shape.end(), first.begin(), first.end());
    ctx.addOutput(std::move(out));
}

void planSingleExpert(PlanContext& ctx, const std::string& name,
                      const std::vector<ExpertPiece>& pieces)
{
    PlanOutput out;
    out.name = name;
    out.dtype = ctx.weightDtype();
    auto v = appendExpertElement(ctx, out, pieces, out.dtype);
    if (!v) return ctx.fail(v.takeError(), {pieces.front().tensor->name});
    out.shape = v->shape;
    ctx.addOutput(std::move(out));
}

std::uint64_t expertCountOr(PlanContext& ctx, std::optional<std::uint64_t> fromConfig,
                            std::uint64_t fromKeys, std::string_view configKey)
{
    if (fromConfig) return *fromConfig;
    ctx.warn("config.json has no " + std::string(configKey) + "; using the " + std::to_string(fromKeys)
             + " experts found in the tensor names");
    return fromKeys;
}

} // namespace ckpt
