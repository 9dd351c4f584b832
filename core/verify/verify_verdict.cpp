// Verdicts of verify: the thresholds documented in verify_checkpoint.h, in one place.
#include "core/verify/verify_checkpoint.h"

#include <cmath>
#include <cstdio>

namespace ckpt {
namespace {

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void fail(TensorVerification& t, std::string why)
{
    t.verdict = Verdict::Fail;
    t.reasons.push_back(std::move(why));
}

void warn(TensorVerification& t, std::string why)
{
    if (t.verdict == Verdict::Pass) t.verdict = Verdict::Warn;
    t.reasons.push_back(std::move(why));
}

void judgeReference(TensorVerification& t, const VerifyThresholds& th)
{
    const ErrorMetrics& m = t.reference;
    if (m.nanCount > 0) fail(t, std::to_string(m.nanCount) + " value pairs with NaN against the reference");
    if (m.cosine() < th.minCosine || std::isnan(m.cosine()))
        fail(t, "cosine " + number(m.cosine()) + " < " + number(th.minCosine) + " against the reference");
    if (m.snrDb() < th.minSnrDb || std::isnan(m.snrDb()))
        fail(t, "snr " + number(m.snrDb()) + " dB < " + number(th.minSnrDb) + " dB against the reference");
}

} // namespace

std::string_view verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass: return "pass";
    case Verdict::Warn: return "warn";
    case Verdict::Fail: return "fail";
    }
    return "fail";
}

std::string_view cpuCudaName(CpuCudaCheck check)
{
    switch (check) {
    case CpuCudaCheck::NotRun: return "not_run";
    case CpuCudaCheck::Skipped: return "skipped";
    case CpuCudaCheck::Equal: return "equal";
    case CpuCudaCheck::Differ: return "differ";
    }
    return "not_run";
}

void decideVerdict(TensorVerification& t, const VerifyThresholds& th)
{
    if (t.nan > 0) fail(t, std::to_string(t.nan) + " NaN in the dequantized weights");
    if (t.inf > 0) fail(t, std::to_string(t.inf) + " Inf in the dequantized weights");
    const ScaleCheck& s = t.scales;
    if (s.invalid())
        fail(t, std::to_string(s.zero) + " zero, " + std::to_string(s.inf) + " inf, " + std::to_string(s.nan) + " NaN, " +
                    std::to_string(s.negative) + " negative scales (first: " + s.firstProblem + ")");
    if (t.cpuCuda == CpuCudaCheck::Differ)
        fail(t, "CPU and CUDA dequantization differ in " + std::to_string(t.cpuCudaMismatches) + " elements");
    if (t.hasReference) judgeReference(t, th);
    if (s.outliers > 0)
        warn(t, std::to_string(s.outliers) + " outlier scales more than " + number(th.outlierLog2) +
                    " binades from the median 2^" + number(s.medianLog2) + " (first: " + s.firstProblem + ")");
    if (t.roundTrip.done && t.roundTrip.rate() > th.maxRoundTripRate)
        warn(t, "round trip changes " + std::to_string(t.roundTrip.mismatched) + " of " +
                    std::to_string(t.roundTrip.codes) + " values");
}

} // namespace ckpt
