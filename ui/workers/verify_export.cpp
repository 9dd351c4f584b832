#include "ui/workers/verify_export.h"

#include "core/convert/atomic_file.h"
#include "ui/workers/csv_field.h"
#include "core/verify/verify_json.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace ckpt::ui {

namespace {

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
        appendCsvField(out, h);
    appendCsvField(out, "reasons", true);
    for (const TensorVerification& t : report.tensors) {
        const bool ref = t.hasReference;
        std::string reasons;
        for (const std::string& r : t.reasons)
            reasons += (reasons.empty() ? "" : "; ") + r;
        appendCsvField(out, t.name);
        appendCsvField(out, t.hasScheme ? quantSchemeName(t.scheme) : "");
        appendCsvField(out, verdictName(t.verdict));
        appendCsvField(out, csvNumber(ref, t.reference.maxAbs));
        appendCsvField(out, csvNumber(ref, t.reference.rmse()));
        appendCsvField(out, csvNumber(ref, t.reference.snrDb()));
        appendCsvField(out, csvNumber(ref, t.reference.cosine()));
        for (std::uint64_t n : {t.nan, t.inf, t.scales.zero, t.scales.inf, t.scales.nan, t.scales.negative,
                                t.scales.outliers})
            appendCsvField(out, std::to_string(n));
        appendCsvField(out, t.roundTrip.done ? std::to_string(t.roundTrip.mismatched) : std::string());
        appendCsvField(out, t.roundTrip.done ? std::to_string(t.roundTrip.codes) : std::string());
        appendCsvField(out, cpuCudaName(t.cpuCuda));
        appendCsvField(out, std::to_string(t.cpuCudaMismatches));
        appendCsvField(out, reasons, true);
    }
    return out;
}

Status exportVerifyReport(const VerifyReport& report, bool withReference, const std::string& path)
{
    const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return writeFileAtomically(path, json ? verifyJson(report, withReference) : verifyCsv(report));
}

} // namespace ckpt::ui
