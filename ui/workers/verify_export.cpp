#include "ui/workers/verify_export.h"

#include "core/convert/atomic_file.h"
#include "core/verify/verify_json.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace ckpt::ui {

namespace {

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
    return verifyReportToJson(r, withReference).dump(2) + "\n";
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
