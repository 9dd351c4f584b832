#include "ui/workers/verify_export.h"

#include "core/convert/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace ckpt::ui {

namespace {

using json = nlohmann::json;

json number(double v)
{
    if (!std::isfinite(v))
        return nullptr;  // JSON has no NaN/Inf; "exact" tells an infinite SNR apart
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

// RFC 4180: quote every field, double the quotes inside.
void field(std::string& out, std::string_view value, bool last = false)
{
    out += '"';
    for (char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    out += last ? '\n' : ',';
}

// Full precision, empty for "not measured"; CSV readers take "inf"/"nan" as numbers.
std::string csvNumber(bool measured, double v)
{
    if (!measured)
        return {};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

} // namespace

std::string verifyJson(const VerifyReport& r, bool withReference)
{
    json tensors = json::array();
    for (const auto& t : r.tensors)
        tensors.push_back(tensorJson(t));
    const json doc = {{"verdict", verdictName(r.verdict)}, {"tensors", std::move(tensors)}, {"passed", r.passed},
                      {"warned", r.warned}, {"failed", r.failed}, {"cpu_cuda", r.cpuCudaNote},
                      {"reference", withReference}};
    return doc.dump(2) + "\n";
}

std::string verifyCsv(const VerifyReport& report)
{
    std::string out;
    for (const char* h : {"name", "scheme", "verdict", "max_abs_err", "rmse", "snr_db", "cosine", "nan", "inf",
                          "scale_zero", "scale_inf", "scale_nan", "scale_negative", "scale_outliers",
                          "roundtrip_mismatch", "roundtrip_codes", "cpu_cuda", "cpu_cuda_mismatches"})
        field(out, h);
    field(out, "reasons", true);
    for (const TensorVerification& t : report.tensors) {
        const bool ref = t.hasReference;
        std::string reasons;
        for (const std::string& r : t.reasons)
            reasons += (reasons.empty() ? "" : "; ") + r;
        field(out, t.name);
        field(out, t.hasScheme ? quantSchemeName(t.scheme) : "");
        field(out, verdictName(t.verdict));
        field(out, csvNumber(ref, t.reference.maxAbs));
        field(out, csvNumber(ref, t.reference.rmse()));
        field(out, csvNumber(ref, t.reference.snrDb()));
        field(out, csvNumber(ref, t.reference.cosine()));
        for (std::uint64_t n : {t.nan, t.inf, t.scales.zero, t.scales.inf, t.scales.nan, t.scales.negative,
                                t.scales.outliers})
            field(out, std::to_string(n));
        field(out, t.roundTrip.done ? std::to_string(t.roundTrip.mismatched) : std::string());
        field(out, t.roundTrip.done ? std::to_string(t.roundTrip.codes) : std::string());
        field(out, cpuCudaName(t.cpuCuda));
        field(out, std::to_string(t.cpuCudaMismatches));
        field(out, reasons, true);
    }
    return out;
}

Status exportVerifyReport(const VerifyReport& report, bool withReference, const std::string& path)
{
    const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return writeFileAtomically(path, json ? verifyJson(report, withReference) : verifyCsv(report));
}

} // namespace ckpt::ui
