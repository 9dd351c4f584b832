#include "core/verify/verify_json.h"

#include <cmath>

namespace ckpt {
namespace {

using json = nlohmann::json;

json number(double v)
{
    if (!std::isfinite(v)) return nullptr;  // JSON has no NaN/Inf; see "exact" for snr_db
    return v;
}

json tensorJson(const TensorVerification& t)
{
    const bool ref = t.hasReference;
    json j = {{"name", t.name}, {"scheme", t.hasScheme ? json(quantSchemeName(t.scheme)) : json(nullptr)},
              {"max_abs_err", ref ? number(t.reference.maxAbs) : json(nullptr)},
              {"rmse", ref ? number(t.reference.rmse()) : json(nullptr)},
              {"snr_db", ref ? number(t.reference.snrDb()) : json(nullptr)},
              {"cosine", ref ? number(t.reference.cosine()) : json(nullptr)},
              {"exact", ref && t.reference.sumSqErr == 0 && t.reference.nanCount == 0},
              {"nan", t.nan}, {"inf", t.inf}, {"verdict", verdictName(t.verdict)}, {"scale", t.scale},
              {"shape", t.shape}, {"cpu_cuda", cpuCudaName(t.cpuCuda)}, {"cpu_cuda_mismatches", t.cpuCudaMismatches},
              {"reason", t.reasons}};
    j["roundtrip_mismatch"] = t.roundTrip.done ? json(t.roundTrip.mismatched) : json(nullptr);
    j["roundtrip_codes"] = t.roundTrip.codes;
    j["roundtrip_codes_changed"] = t.roundTrip.done ? json(t.roundTrip.codesChanged) : json(nullptr);
    j["roundtrip_rate"] = t.roundTrip.done ? json(t.roundTrip.rate()) : json(nullptr);
    const ScaleCheck& s = t.scales;
    j["scale_problems"] = {{"count", s.count}, {"zero", s.zero}, {"inf", s.inf}, {"nan", s.nan},
                           {"negative", s.negative}, {"outliers", s.outliers}, {"median_log2", s.medianLog2},
                           {"first", s.firstProblem}};
    return j;
}

} // namespace

json verifyReportToJson(const VerifyReport& r, bool withReference)
{
    json tensors = json::array();
    for (const auto& t : r.tensors) tensors.push_back(tensorJson(t));
    return {{"verdict", verdictName(r.verdict)}, {"tensors", std::move(tensors)}, {"passed", r.passed},
            {"warned", r.warned}, {"failed", r.failed}, {"cpu_cuda", r.cpuCudaNote}, {"reference", withReference}};
}

} // namespace ckpt
