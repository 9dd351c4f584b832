// The verify loop: one quantized weight at a time (memory: one dequantized tensor, twice with a
// CUDA comparison), problems first as failing entries.
#include "core/verify/verify_checkpoint.h"

#include "core/convert/large_buffer_policy.h"
#include "core/convert/op_evaluator.h"
#include "core/diff/value_compare.h"
#include "core/verify/dequantize_pair.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace ckpt {
namespace {

struct VerifyState {
    const Checkpoint& checkpoint;
    const VerifyOptions& options;
    KernelBackend& primary;
    KernelBackend* cuda;
    JobContext* job;
    OpEvaluator evaluator;
    std::optional<OpEvaluator> cudaEvaluator;
};

// Errors that mean the input or the machine is unusable, as opposed to one bad tensor.
bool fatal(const Error& e)
{
    return e.code == ErrorCode::Io || e.code == ErrorCode::Cancelled || e.code == ErrorCode::DeviceError;
}

Status countNonFinite(KernelBackend& backend, const TensorValue& v, TensorVerification& t)
{
    TensorStats stats;
    CKPT_TRY(backend.accumulateStats(v.bytes.data(), v.dtype, v.elementCount(), stats));
    t.nan = stats.nanCount;
    t.inf = stats.infCount;
    return {};
}

Status compareReference(VerifyState& s, const QuantPair& pair, TensorVerification& t)
{
    const TensorRef* ref = s.options.reference->find(pair.weight);
    if (!ref) {
        t.reasons.push_back("not in the reference checkpoint");
        t.verdict = Verdict::Warn;
        return {};
    }
    if (ref->shape != pair.logicalShape) {
        t.verdict = Verdict::Fail;
        t.reasons.push_back("reference shape " + shapeToString(ref->shape) + " != " + shapeToString(pair.logicalShape));
        return {};
    }
    // The reference's dtype, so that an exact dequantized copy compares with zero error.
    const bool plain = ref->dtype == DType::BF16 || ref->dtype == DType::F16 || ref->dtype == DType::F32;
    auto value = dequantizePair(s.evaluator, pair, plain ? ref->dtype : DType::F32);
    if (!value) return value.takeError();
    CKPT_TRY(countNonFinite(s.primary, *value, t));
    auto refBytes = s.options.reference->tensorBytes(*ref);
    if (!refBytes) return refBytes.takeError();
    CompareOutcome out;
    CKPT_TRY(compareInto(s.primary, {*refBytes, ref->dtype}, {value->bytes, value->dtype}, value->elementCount(), 0.0,
                         0.0, s.job, out));
    t.hasReference = true;
    t.reference = out.metrics;
    return {};
}

Status compareCuda(VerifyState& s, const QuantPair& pair, const TensorValue& cpuValue, TensorVerification& t)
{
    auto cudaValue = dequantizePair(*s.cudaEvaluator, pair, DType::F32);
    if (!cudaValue) return cudaValue.takeError();
    s.cudaEvaluator->releaseSourcePages();
    const auto* x = reinterpret_cast<const std::uint32_t*>(cpuValue.bytes.data());
    const auto* y = reinterpret_cast<const std::uint32_t*>(cudaValue->bytes.data());
    const std::uint64_t n = cpuValue.elementCount();
    if (cudaValue->bytes.size() != cpuValue.bytes.size()) t.cpuCudaMismatches = n;
    else
        for (std::uint64_t i = 0; i < n; ++i) t.cpuCudaMismatches += x[i] != y[i];  // bits, not values
    t.cpuCuda = t.cpuCudaMismatches ? CpuCudaCheck::Differ : CpuCudaCheck::Equal;
    return {};
}

Status measure(VerifyState& s, const QuantPair& pair, TensorVerification& t)
{
    auto scales = checkScales(s.checkpoint, pair, s.options.thresholds.outlierLog2);
    if (!scales) return scales.takeError();
    t.scales = *scales;
    if (s.options.reference) return compareReference(s, pair, t);
    auto value = dequantizePair(s.evaluator, pair, DType::F32);  // owned storage: 64-byte aligned
    if (!value) return value.takeError();
    CKPT_TRY(countNonFinite(s.primary, *value, t));
    if (s.cudaEvaluator) CKPT_TRY(compareCuda(s, pair, *value, t));
    else t.cpuCuda = CpuCudaCheck::Skipped;
    auto rt = roundTripCheck(s.primary, s.checkpoint, pair, *value);
    if (!rt) return rt.takeError();
    t.roundTrip = *rt;
    return {};
}

Result<TensorVerification> verifyPair(VerifyState& s, const QuantPair& pair)
{
    TensorVerification t;
    t.name = pair.weight;
    t.scale = pair.scale;
    t.hasScheme = true;
    t.scheme = pair.scheme;
    t.shape = pair.logicalShape;
    Status st = measure(s, pair, t);
    s.evaluator.releaseSourcePages();
    if (!st) {
        if (fatal(st.error())) return st.takeError();
        t.verdict = Verdict::Fail;
        t.reasons.push_back("cannot verify: " + st.error().toString());
        return t;
    }
    const Verdict early = t.verdict;  // a reference problem found while measuring
    decideVerdict(t, s.options.thresholds);
    if (static_cast<int>(early) > static_cast<int>(t.verdict)) t.verdict = early;
    return t;
}

void addPairingFindings(const Checkpoint& c, VerifyReport& report)
{
    for (const Error& e : c.quant().problems) {
        TensorVerification t;
        t.name = e.tensor;
        t.verdict = Verdict::Fail;
        t.reasons.push_back(e.toString());
        report.tensors.push_back(std::move(t));
    }
    for (const std::string& orphan : c.quant().orphanScales) {
        TensorVerification t;
        t.name = orphan;
        t.scale = orphan;
        t.verdict = Verdict::Warn;
        t.reasons.push_back("scale tensor without a quantized weight (orphan)");
        report.tensors.push_back(std::move(t));
    }
}

bool worseFirst(const TensorVerification& x, const TensorVerification& y)
{
    if (x.verdict != y.verdict) return static_cast<int>(x.verdict) > static_cast<int>(y.verdict);
    if (x.hasReference && y.hasReference && x.reference.cosine() != y.reference.cosine())
        return x.reference.cosine() < y.reference.cosine();
    return x.name < y.name;
}

void summarize(VerifyReport& report)
{
    std::stable_sort(report.tensors.begin(), report.tensors.end(), worseFirst);
    for (const auto& t : report.tensors) {
        report.passed += t.verdict == Verdict::Pass;
        report.warned += t.verdict == Verdict::Warn;
        report.failed += t.verdict == Verdict::Fail;
    }
    report.verdict = report.failed ? Verdict::Fail : Verdict::Pass;
}

} // namespace

Result<VerifyReport> verifyCheckpoint(const Checkpoint& checkpoint, const VerifyOptions& options,
                                      KernelBackend& primary, KernelBackend* cuda, JobContext* job,
                                      std::string_view cpuCudaSkipReason)
{
    const RecycledBuffersScope buffers;  // one weight's buffers in flight, reused for the next
    VerifyState s{checkpoint, options, primary, cuda, job, OpEvaluator(checkpoint, primary), std::nullopt};
    VerifyReport report;
    if (options.reference) report.cpuCudaNote = "not run: compared against a reference";
    else if (cuda && cuda != &primary) {
        s.cudaEvaluator.emplace(checkpoint, *cuda);
        report.cpuCudaNote = "compared with " + cuda->deviceDescription();
    } else report.cpuCudaNote = "skipped: " + std::string(cpuCudaSkipReason);
    addPairingFindings(checkpoint, report);
    std::uint64_t total = 0;
    for (const auto& p : checkpoint.quant().pairs)
        if (const TensorRef* w = checkpoint.find(p.weight)) total += w->nbytes;
    ProgressCounter progress(job, total);
    for (const auto& pair : checkpoint.quant().pairs) {
        if (job && job->isCancelled()) return cancelledError("verify");
        auto t = verifyPair(s, pair);
        if (!t) return t.takeError();
        report.tensors.push_back(std::move(*t));
        if (const TensorRef* w = checkpoint.find(pair.weight)) progress.add(w->nbytes, pair.weight);
    }
    summarize(report);
    return report;
}

} // namespace ckpt
