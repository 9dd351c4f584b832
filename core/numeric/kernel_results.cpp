// Derived figures of the kernel result structs declared in core/kernel_backend.h. They live in
// ckpt_core (not ckpt_kernels) so that code that only reads results need not link the kernels.

#include "core/kernel_backend.h"

#include <cmath>
#include <limits>

namespace ckpt {

namespace {
// Finite values are those that entered sum/sumSq.
std::uint64_t finiteCount(const TensorStats& s) { return s.count - s.nanCount - s.infCount; }
} // namespace

double TensorStats::mean() const
{
    const std::uint64_t n = finiteCount(*this);
    return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

double TensorStats::stddev() const
{
    const std::uint64_t n = finiteCount(*this);
    if (n == 0) return 0.0;
    const double m = mean();
    // E[x²] - E[x]² can go slightly negative through cancellation; clamp rather than return NaN.
    const double var = sumSq / static_cast<double>(n) - m * m;
    return var > 0 ? std::sqrt(var) : 0.0;
}

double ErrorMetrics::rmse() const
{
    const std::uint64_t n = count - nanCount - infCount;
    return n == 0 ? 0.0 : std::sqrt(sumSqErr / static_cast<double>(n));
}

double ErrorMetrics::snrDb() const
{
    if (sumSqErr == 0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(sumSqRef / sumSqErr);
}

double ErrorMetrics::cosine() const
{
    if (sumSqRef == 0 && sumSqB == 0) return 1.0;
    const double den = std::sqrt(sumSqRef * sumSqB);
    return den == 0 ? 0.0 : dot / den;
}

} // namespace ckpt
