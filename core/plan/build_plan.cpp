// The plan driver: options, pairing problems, the adapter's special tensors, then every other
// tensor (renamed, dequantized, cast), leftover scales, optional FP8 export, and finishing.
#include "core/plan/family_adapter.h"
#include "core/plan/plan_finish.h"

#include <set>
#include <utility>

namespace ckpt {
namespace {

Status checkOptions(const PlanOptions& o, const FamilyAdapter& adapter, Layout to)
{
    if (o.dtype != DType::BF16 && o.dtype != DType::F16 && o.dtype != DType::F32)
        return makeError(ErrorCode::InvalidArgument, "output dtype must be bf16, f16 or f32, not "
                         + std::string(dtypeName(o.dtype)));
    if (to == Layout::Native && !adapter.hasNativeLayout())
        return makeError(ErrorCode::UnknownFamily,
                         "the model family is unknown, so there is no native layout to convert "
                         "to; use --to hf (dequantize / cast only)");
    if (o.quantize == QuantizeMode::None) return {};
    if (to != Layout::Hf)
        return makeError(ErrorCode::InvalidArgument, "--quantize fp8 needs HF output (--to hf)");
    if (!adapter.fp8ExportRule())
        return makeError(ErrorCode::InvalidArgument,
                         "--quantize fp8 is only defined for DeepSeek V3 and V4 checkpoints");
    return {};
}

void reportPairingProblems(PlanContext& ctx)
{
    for (const Error& e : ctx.input().quant.problems) {
        // A block size contradicting config.json: the tensors are trusted (spec §3 proposal).
        if (e.code == ErrorCode::ConfigInvalid) ctx.warn(e.toString());
        else ctx.fail(e);
    }
}

void applySkipList(PlanContext& ctx)
{
    for (const std::string& name : ctx.options().skip) {
        if (!ctx.find(name)) {
            ctx.warn("skip list names '" + name + "', which the checkpoint does not have");
            continue;
        }
        ctx.drop(name, "skipped on request");
        if (const QuantPair* p = ctx.pairOfWeight(name)) ctx.drop(p->scale, "scale of skipped " + name);
    }
}

void planPlainTensor(PlanContext& ctx, const FamilyAdapter& adapter, const TensorRef& t)
{
    const bool quantized = ctx.pairOfWeight(t.name) != nullptr;
    PlanOutput out;
    out.name = ctx.from() == ctx.to() ? t.name : adapter.rename(ctx, t.name);
    out.dtype = adapter.plainDtype(ctx, out.name, t, quantized);
    PlanValue v{t.dtype, t.shape};
    if (isInteger(t.dtype) && !quantized) {
        out.ops.push_back(PlanOp::read(t.name));
        out.sources.push_back(t.name);
    } else {
        auto loaded = ctx.appendLoad(out, t);
        if (!loaded) return ctx.fail(loaded.takeError());
        v = std::move(loaded.value());
    }
    PlanContext::appendCast(out, v, out.dtype);
    out.shape = v.shape;
    ctx.addOutput(std::move(out));
}

bool isListedOrphan(const PlanContext& ctx, const std::string& name)
{
    for (const std::string& s : ctx.input().quant.orphanScales)
        if (s == name) return true;
    return false;
}

// Scales are planned with their weights; what is left here is a scale whose weight has no
// output (skipped) or none at all (orphan).
void planLeftovers(PlanContext& ctx, const FamilyAdapter& adapter)
{
    std::vector<const TensorRef*> later;
    for (const TensorRef* t : ctx.sorted()) {
        if (ctx.isHandled(t->name)) continue;
        const bool scale = ctx.pairOfScale(t->name) || isListedOrphan(ctx, t->name)
            || (adapter.looksLikeScale(t->name, ctx.from()) && !ctx.pairOfWeight(t->name));
        if (scale) later.push_back(t);
        else planPlainTensor(ctx, adapter, *t);
    }
    for (const TensorRef* t : later) {
        if (ctx.isHandled(t->name)) continue;
        if (const QuantPair* p = ctx.pairOfScale(t->name)) {
            ctx.drop(t->name, "scale of " + p->weight + ", which has no output");
            continue;
        }
        ctx.warn("orphan scale '" + t->name + "' (no quantized weight uses it) is left out");
        ctx.drop(t->name, "orphan scale: no quantized weight uses it");
    }
}

// The first error, counting the others. A tensor the pairing already reported is usually
// reported again by the plan's own checks; that is one problem, not two.
Error combinedError(const std::vector<Error>& errors)
{
    std::set<std::pair<ErrorCode, std::string>> distinct;
    for (const Error& e : errors) distinct.emplace(e.code, e.tensor.empty() ? e.message : e.tensor);
    Error e = errors.front();
    if (distinct.size() > 1)
        e.message += " (and " + std::to_string(distinct.size() - 1) + " more problems)";
    return e;
}

} // namespace

Result<ConversionPlan> buildPlan(const PlanInput& input, const PlanOptions& options)
{
    const FamilyAdapter& adapter = adapterFor(input.family);
    const Layout from = input.layout;
    const Layout other = from == Layout::Hf ? Layout::Native : Layout::Hf;
    const Layout to = options.target.value_or(adapter.hasNativeLayout() ? other : Layout::Hf);
    CKPT_TRY(checkOptions(options, adapter, to));

    PlanContext ctx(input, options, from, to);
    reportPairingProblems(ctx);
    applySkipList(ctx);
    if (from != to) adapter.planSpecial(ctx);
    planLeftovers(ctx, adapter);
    if (ctx.hasErrors()) return combinedError(ctx.errors());
    if (options.quantize == QuantizeMode::Fp8) applyFp8Export(ctx, *adapter.fp8ExportRule());
    return finishPlan(ctx);
}

PlanInput planInputFrom(const Checkpoint& checkpoint)
{
    PlanInput in;
    in.family = checkpoint.family();
    in.layout = checkpoint.layout();
    in.tensors = checkpoint.tensors();
    in.files = checkpoint.files();
    in.config = checkpoint.config();
    in.quant = checkpoint.quant();
    return in;
}

Result<ConversionPlan> buildPlan(const Checkpoint& checkpoint, const PlanOptions& options)
{
    return buildPlan(planInputFrom(checkpoint), options);
}

} // namespace ckpt
