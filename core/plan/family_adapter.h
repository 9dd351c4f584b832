#pragma once
// One FamilyAdapter per model family (one file each, like Tiled's format plugins). The driver
// (build_plan.cpp) asks the adapter to plan the tensors that need more than a rename (experts,
// absorbed scales, hash-layer biases), then sends every tensor still unhandled through rename()
// and plainDtype(). Adapters are stateless; all state lives in the PlanContext.

#include "core/plan/plan_context.h"

#include <string>
#include <string_view>

namespace ckpt {

// Which HF keys become F8_E4M3 weight + scale when exporting with --quantize fp8.
struct Fp8ExportRule {
    bool (*quantizable)(std::string_view hfKey) = nullptr;
    std::string (*scaleName)(std::string_view hfKey) = nullptr;
    DType scaleDtype = DType::F32;
    std::uint32_t block = 128;
};

class FamilyAdapter {
public:
    virtual ~FamilyAdapter() = default;

    virtual Family family() const = 0;
    // False for the generic adapter: an unknown family has no native layout to convert to.
    virtual bool hasNativeLayout() const { return true; }
    // Plans the special tensors of a layout change (ctx.from() != ctx.to()).
    virtual void planSpecial(PlanContext& ctx) const = 0;
    // Name of a plain (unhandled) tensor in the target layout.
    virtual std::string rename(const PlanContext& ctx, std::string_view key) const = 0;
    // Output dtype of a plain tensor (`dequantized`: src is a quantized weight). Default:
    // integers keep their type; the target layout's fp32 keep list gives F32; an F32 tensor kept
    // in its own layout stays F32 (NeMo's consolidation never narrows an F32 original); every
    // other float, dequantized weights included, gets --dtype.
    virtual DType plainDtype(const PlanContext& ctx, std::string_view outName,
                             const TensorRef& src, bool dequantized) const;
    // The fp32 keep list of `layout` (DESIGN.md "Decisions").
    virtual bool keepsF32(std::string_view name, Layout layout) const;
    // Whether an unpaired tensor of this name is a leftover quantization scale (an orphan).
    virtual bool looksLikeScale(std::string_view name, Layout layout) const;
    // nullptr when the family has no FP8 export (Gemma4, Step3p5, unknown).
    virtual const Fp8ExportRule* fp8ExportRule() const { return nullptr; }
};

const FamilyAdapter& adapterFor(Family family);

// The adapters, defined in their own files.
const FamilyAdapter& deepseekV3Adapter();
const FamilyAdapter& deepseekV4Adapter();
const FamilyAdapter& gemma4MoeAdapter();
const FamilyAdapter& step3p5Adapter();
const FamilyAdapter& genericAdapter();

} // namespace ckpt
