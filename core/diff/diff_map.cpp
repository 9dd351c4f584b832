// Map diff: A converted through the plan A -> B's layout, output by output, against B's tensors.
// Stacked expert outputs are evaluated one element at a time (as the executor writes them) and
// compared with the matching slab of B, so memory stays at one expert.
#include "core/convert/op_evaluator.h"
#include "core/diff/diff_internal.h"

#include <cstring>
#include <set>

namespace ckpt::diff_detail {
namespace {

struct MapState {
    const Checkpoint& b;
    const DiffOptions& options;
    KernelBackend& backend;
    JobContext* job;
    ProgressCounter progress;
    OpEvaluator evaluator;
    DiffReport report;
};

// The plan that should reproduce B: B's layout, B's weight dtype, FP8 re-quantization when B is a
// quantized HF checkpoint. The first BF16 weight output present in B tells B's --dtype.
Result<ConversionPlan> planMatching(const Checkpoint& a, const Checkpoint& b)
{
    PlanOptions po;
    po.target = b.layout();
    po.skipInvalid = true;  // unconvertible tensors become `dropped` entries the report lists
    po.maxShardBytes = 0;
    if (b.layout() == Layout::Hf && !b.quant().pairs.empty()) {
        po.quantize = QuantizeMode::Fp8;
        if (auto quantized = buildPlan(a, po)) return quantized;
        po.quantize = QuantizeMode::None;  // a family without an FP8 exporter: compare dequantized
    }
    auto plan = buildPlan(a, po);
    if (!plan) return plan;
    for (const auto& o : plan->outputs) {
        if (o.dtype != DType::BF16) continue;
        const TensorRef* t = b.find(o.name);
        if (!t) continue;
        if (t->dtype == DType::F16 || t->dtype == DType::F32) {
            po.dtype = t->dtype;
            return buildPlan(a, po);
        }
        break;
    }
    return plan;
}

Status compareWhole(MapState& s, const PlanOutput& out, std::span<const std::byte> bBytes, DType bDtype,
                    CompareOutcome& result)
{
    auto v = s.evaluator.run(out.ops, out);
    if (!v) return v.takeError();
    const auto count = v->elementCount();
    CKPT_TRY(compareInto(s.backend, {v->bytes, v->dtype}, {bBytes, bDtype}, count, s.options.atol, s.options.rtol,
                         s.job, result));
    s.evaluator.releaseSourcePages();
    return {};
}

// Pass 1 checks bytes element by element; only when some element differs does pass 2 decode
// every element, so that cosine and relative error cover the whole tensor.
Status compareStacked(MapState& s, const PlanOutput& out, const std::vector<std::size_t>& ends,
                      std::span<const std::byte> bBytes, const TensorRef& tb, CompareOutcome& result)
{
    const DType bDtype = tb.dtype;
    const std::uint64_t n = ends.size();
    const std::uint64_t slab = bBytes.size() / n;
    const std::uint64_t perElement = elementCount(out.shape).value_or(0) / n;
    for (int pass = 0; pass < 2; ++pass) {
        bool allEqual = true;
        std::size_t begin = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (s.job && s.job->isCancelled()) return cancelledError("diff");
            auto v = s.evaluator.run(std::span<const PlanOp>(out.ops.data() + begin, ends[i] - begin), out);
            if (!v) return v.takeError();
            const auto bSlab = bBytes.subspan(i * slab, slab);
            if (pass == 0) {
                allEqual = v->dtype == bDtype && v->bytes.size() == slab &&
                           std::memcmp(v->bytes.data(), bSlab.data(), slab) == 0;
            } else {
                CKPT_TRY(compareInto(s.backend, {v->bytes, v->dtype}, {bSlab, bDtype}, perElement, s.options.atol,
                                     s.options.rtol, s.job, result, false));
            }
            s.evaluator.releaseSourcePages();
            s.b.releasePages(tb, i * slab, slab);  // a stacked tensor is one expert at a time in memory
            begin = ends[i];
            if (!allEqual) break;
        }
        if (pass == 0 && allEqual) {
            result.metrics.count = perElement * n;
            result.bytesEqual = true;
            return {};
        }
    }
    return {};
}

Status compareOutput(MapState& s, const PlanOutput& out, const TensorRef& tb)
{
    TensorDiff d;
    d.name = out.name;
    d.dtypeA = out.dtype;
    d.dtypeB = tb.dtype;
    d.shapeA = out.shape;
    d.shapeB = tb.shape;
    d.via = "plan";
    d.kind = d.shapeA != d.shapeB ? DiffKind::Shape : d.dtypeA != d.dtypeB ? DiffKind::Dtype : DiffKind::Values;
    if (d.kind != DiffKind::Shape) {
        auto bBytes = s.b.tensorBytes(tb);
        if (!bBytes) return bBytes.takeError();
        auto ends = OpEvaluator::stackElementEnds(out.ops);
        if (!ends) return makeError(ErrorCode::PlanInvalid, ends.error().message, {}, out.name);
        CompareOutcome result;
        if (ends->empty() || out.shape.empty() || out.shape[0] != ends->size())
            CKPT_TRY(compareWhole(s, out, *bBytes, tb.dtype, result));
        else
            CKPT_TRY(compareStacked(s, out, *ends, *bBytes, tb, result));
        d.metrics = result.metrics;
        d.valuesCompared = result.decoded;
        d.bytesEqual = result.bytesEqual;
        s.b.releasePages(tb);
    }
    addEntry(s.report, std::move(d), s.options);
    s.progress.add(out.nbytes(), out.name);
    return {};
}

} // namespace

Result<DiffReport> diffMapped(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                              KernelBackend& backend, JobContext* job)
{
    auto plan = planMatching(a, b);
    if (!plan) return plan.takeError();
    MapState s{b, options, backend, job, ProgressCounter(job, plan->totalBytes), OpEvaluator(a, backend), {}};
    std::set<std::string_view> produced;
    for (const auto& out : plan->outputs) {
        if (job && job->isCancelled()) return cancelledError("diff");
        produced.insert(out.name);
        const TensorRef* tb = b.find(out.name);
        if (!tb) {
            s.report.onlyInA.push_back(out.name);
            s.progress.add(out.nbytes(), out.name);
            continue;
        }
        CKPT_TRY(compareOutput(s, out, *tb));
    }
    for (const auto& t : b.tensors())
        if (!produced.count(t.name)) s.report.onlyInB.push_back(t.name);
    s.report.dropped = plan->dropped;
    s.report.warnings = plan->warnings;
    return std::move(s.report);
}

} // namespace ckpt::diff_detail
