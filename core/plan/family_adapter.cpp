#include "core/plan/family_adapter.h"

namespace ckpt {

DType FamilyAdapter::plainDtype(const PlanContext& ctx, std::string_view outName,
                                const TensorRef& src, bool dequantized) const
{
    if (isInteger(src.dtype) && !dequantized) return src.dtype;
    if (keepsF32(outName, ctx.to())) return DType::F32;
    if (ctx.from() == ctx.to() && src.dtype == DType::F32 && !dequantized) return DType::F32;
    return ctx.weightDtype();
}

bool FamilyAdapter::keepsF32(std::string_view, Layout) const { return false; }

bool FamilyAdapter::looksLikeScale(std::string_view name, Layout) const
{
    return name.ends_with("_scale_inv");
}

const FamilyAdapter& adapterFor(Family family)
{
    switch (family) {
    case Family::DeepseekV3: return deepseekV3Adapter();
    case Family::DeepseekV4: return deepseekV4Adapter();
    case Family::Gemma4Moe: return gemma4MoeAdapter();
    case Family::Step3p5: return step3p5Adapter();
    case Family::Unknown: break;
    }
    return genericAdapter();
}

} // namespace ckpt
