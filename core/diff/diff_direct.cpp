// Direct diff: tensors matched by name. A name that is a quantized weight on exactly one side is
// compared after dequantizing that side into the other side's dtype.
#include "core/convert/op_evaluator.h"
#include "core/diff/diff_internal.h"
#include "core/verify/dequantize_pair.h"

#include <set>

namespace ckpt::diff_detail {
namespace {

struct DirectState {
    const Checkpoint& a;
    const Checkpoint& b;
    const DiffOptions& options;
    KernelBackend& backend;
    JobContext* job;
    ProgressCounter progress;
    OpEvaluator evalA, evalB;
    DiffReport report;
};

// One side of a name: either the mapped bytes or a dequantized value that owns its bytes.
struct Side {
    const TensorRef& ref;
    const QuantPair* dequant = nullptr;  // set when this side is dequantized
    TensorValue value;
};

Status loadSide(const Checkpoint& c, OpEvaluator& eval, Side& side, DType target)
{
    if (side.dequant) {
        auto v = dequantizePair(eval, *side.dequant, target);
        if (!v) return v.takeError();
        side.value = std::move(*v);
        return {};
    }
    auto bytes = c.tensorBytes(side.ref);
    if (!bytes) return bytes.takeError();
    side.value.dtype = side.ref.dtype;
    side.value.shape = side.ref.shape;
    side.value.bytes = *bytes;
    return {};
}

// The dtype a dequantized side takes: the other side's, so a faithful BF16 export compares equal.
DType dequantTarget(const TensorRef& other) { return isPlainFloat(other.dtype) ? other.dtype : DType::F32; }

Status compareName(DirectState& s, const TensorRef& ta, const TensorRef& tb)
{
    const QuantPair* qa = s.a.quant().findByWeight(ta.name);
    const QuantPair* qb = s.b.quant().findByWeight(tb.name);
    Side sa{ta, qa && !qb ? qa : nullptr, {}};
    Side sb{tb, qb && !qa ? qb : nullptr, {}};
    TensorDiff d;
    d.name = ta.name;
    d.dtypeA = sa.dequant ? dequantTarget(tb) : ta.dtype;
    d.dtypeB = sb.dequant ? dequantTarget(ta) : tb.dtype;
    d.shapeA = sa.dequant ? sa.dequant->logicalShape : ta.shape;
    d.shapeB = sb.dequant ? sb.dequant->logicalShape : tb.shape;
    d.via = sa.dequant ? "dequantized A" : sb.dequant ? "dequantized B" : "values";
    d.kind = d.shapeA != d.shapeB ? DiffKind::Shape : d.dtypeA != d.dtypeB ? DiffKind::Dtype : DiffKind::Values;
    if (d.kind != DiffKind::Shape) {
        CKPT_TRY(loadSide(s.a, s.evalA, sa, d.dtypeA));
        CKPT_TRY(loadSide(s.b, s.evalB, sb, d.dtypeB));
        const auto count = elementCount(d.shapeA).value_or(0);
        CompareOutcome out;
        CKPT_TRY(compareInto(s.backend, {sa.value.bytes, sa.value.dtype}, {sb.value.bytes, sb.value.dtype}, count,
                             s.options.atol, s.options.rtol, s.job, out));
        d.metrics = out.metrics;
        d.valuesCompared = out.decoded;
        d.bytesEqual = out.bytesEqual;
        if (out.bytesEqual && !sa.dequant && !sb.dequant) d.via = "bytes";
        s.evalA.releaseSourcePages();
        s.evalB.releaseSourcePages();
        if (!sa.dequant) s.a.releasePages(ta);  // read straight from the mapping, not by an evaluator
        if (!sb.dequant) s.b.releasePages(tb);
    }
    addEntry(s.report, std::move(d), s.options);
    s.progress.add(ta.nbytes, ta.name);
    return {};
}

// Scales that only exist because their weight is quantized on one side and not on the other:
// they are folded into the comparison, not missing from the other side.
void consumedScales(const Checkpoint& self, const Checkpoint& other, std::set<std::string>& out)
{
    for (const auto& p : self.quant().pairs)
        if (other.find(p.weight) && !other.quant().findByWeight(p.weight)) out.insert(p.scale);
}

} // namespace

Result<DiffReport> diffDirect(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                              KernelBackend& backend, JobContext* job)
{
    DirectState s{a, b, options, backend, job, ProgressCounter(job, a.totalBytes()), OpEvaluator(a, backend),
                  OpEvaluator(b, backend), {}};
    std::set<std::string> consumedA, consumedB;
    consumedScales(a, b, consumedA);
    consumedScales(b, a, consumedB);
    const auto& ta = a.tensors();
    const auto& tb = b.tensors();
    std::size_t i = 0, j = 0;
    // Both lists are sorted by name: one merge pass.
    while (i < ta.size() || j < tb.size()) {
        if (job && job->isCancelled()) return cancelledError("diff");
        if (j == tb.size() || (i < ta.size() && ta[i].name < tb[j].name)) {
            if (!consumedA.count(ta[i].name)) s.report.onlyInA.push_back(ta[i].name);
            s.progress.add(ta[i].nbytes, ta[i].name);
            ++i;
        } else if (i == ta.size() || tb[j].name < ta[i].name) {
            if (!consumedB.count(tb[j].name)) s.report.onlyInB.push_back(tb[j].name);
            ++j;
        } else {
            CKPT_TRY(compareName(s, ta[i], tb[j]));
            ++i;
            ++j;
        }
    }
    return std::move(s.report);
}

} // namespace ckpt::diff_detail
