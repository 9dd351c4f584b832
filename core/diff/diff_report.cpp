// The report side of diff: entry filing, ordering, and the entry point that picks the mode.
#include "core/diff/diff_internal.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ckpt {
namespace diff_detail {
namespace {

// NaN max_abs (undecodable dtypes, NaN pairs) sorts as the worst value.
double severity(const TensorDiff& d)
{
    return std::isnan(d.metrics.maxAbs) ? std::numeric_limits<double>::infinity() : d.metrics.maxAbs;
}

bool worseFirst(const TensorDiff& x, const TensorDiff& y)
{
    if (x.kind != y.kind) return static_cast<int>(x.kind) < static_cast<int>(y.kind);
    const double sx = severity(x), sy = severity(y);
    if (sx != sy) return sx > sy;
    if (x.metrics.overTolerance != y.metrics.overTolerance) return x.metrics.overTolerance > y.metrics.overTolerance;
    return x.name < y.name;
}

} // namespace

bool isPlainFloat(DType dtype) { return dtype == DType::BF16 || dtype == DType::F16 || dtype == DType::F32; }

void addEntry(DiffReport& report, TensorDiff entry, const DiffOptions& options)
{
    ++report.compared;
    entry.differs = entry.kind != DiffKind::Values || entry.metrics.overTolerance > 0;
    if (options.recordAll) report.tensors.push_back(entry);
    if (entry.differs) report.differences.push_back(std::move(entry));
}

void finishReport(DiffReport& report)
{
    std::sort(report.differences.begin(), report.differences.end(), worseFirst);
    std::sort(report.tensors.begin(), report.tensors.end(),
              [](const TensorDiff& x, const TensorDiff& y) { return x.name < y.name; });
    std::sort(report.onlyInA.begin(), report.onlyInA.end());
    std::sort(report.onlyInB.begin(), report.onlyInB.end());
    report.identical = report.onlyInA.empty() && report.onlyInB.empty() && report.differences.empty();
}

} // namespace diff_detail

std::string_view diffKindName(DiffKind kind)
{
    switch (kind) {
    case DiffKind::Shape: return "shape";
    case DiffKind::Dtype: return "dtype";
    case DiffKind::Values: return "values";
    }
    return "values";
}

double TensorDiff::relativeError() const
{
    if (metrics.sumSqErr == 0) return 0.0;
    if (metrics.sumSqRef == 0) return std::numeric_limits<double>::infinity();
    return std::sqrt(metrics.sumSqErr / metrics.sumSqRef);
}

Result<DiffReport> diffCheckpoints(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                                   KernelBackend& backend, JobContext* job)
{
    if (!(options.atol >= 0) || !(options.rtol >= 0))
        return makeError(ErrorCode::InvalidArgument, "tolerances must be non-negative numbers");
    auto report = options.map ? diff_detail::diffMapped(a, b, options, backend, job)
                              : diff_detail::diffDirect(a, b, options, backend, job);
    if (report) diff_detail::finishReport(*report);
    if (report && job) job->reportProgress(1, 1, "done");
    return report;
}

} // namespace ckpt
