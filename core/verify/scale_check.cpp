#include "core/verify/scale_check.h"

#include "core/numeric/e8m0.h"
#include "core/numeric/element_io.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ckpt {
namespace {

struct ScaleGrid {
    std::uint64_t rows = 0, cols = 0, stride = 0;  // cols used of stride stored per row
};

Result<ScaleGrid> gridOf(const TensorRef& scale, const QuantPair& pair, const std::string& file)
{
    if (scale.shape.size() != 2)
        return makeError(ErrorCode::ScaleShapeMismatch, "scale tensor is not 2-D", file, scale.name);
    ScaleGrid g{scale.shape[0], scale.shape[1], scale.shape[1]};
    if (pair.scheme == QuantScheme::Fp4E2m1 && pair.logicalShape.size() == 2 && pair.blockCols > 0)
        g.cols = std::min(g.stride, (pair.logicalShape[1] + pair.blockCols - 1) / pair.blockCols);
    return g;
}

float decodeScale(const std::uint8_t* base, DType dtype, QuantScheme scheme, std::uint64_t i)
{
    if (dtype == DType::F8_E8M0)
        return scheme == QuantScheme::Fp4E2m1 ? numeric::e8m0Fp4ScaleToF32(base[i]) : numeric::e8m0ToF32(base[i]);
    return numeric::loadF32(base, dtype, i);
}

std::string describeAt(std::uint64_t r, std::uint64_t c, float v)
{
    return "scale[" + std::to_string(r) + ", " + std::to_string(c) + "] = " + std::to_string(v);
}

// Counts bad scales and collects log2 of the good ones; returns them for the median.
std::vector<double> classify(const std::uint8_t* base, DType dtype, QuantScheme scheme, const ScaleGrid& g,
                             ScaleCheck& check)
{
    std::vector<double> logs;
    logs.reserve(static_cast<std::size_t>(g.rows * g.cols));
    for (std::uint64_t r = 0; r < g.rows; ++r)
        for (std::uint64_t c = 0; c < g.cols; ++c) {
            const float v = decodeScale(base, dtype, scheme, r * g.stride + c);
            ++check.count;
            const bool bad = std::isnan(v) || std::isinf(v) || v <= 0.0f;
            check.nan += std::isnan(v);
            check.inf += std::isinf(v);
            check.zero += v == 0.0f;
            check.negative += v < 0.0f;
            if (bad && check.firstProblem.empty()) check.firstProblem = describeAt(r, c, v);
            if (!bad) logs.push_back(std::log2(static_cast<double>(v)));
        }
    return logs;
}

} // namespace

Result<ScaleCheck> checkScales(const Checkpoint& checkpoint, const QuantPair& pair, double outlierLog2)
{
    const TensorRef* ref = checkpoint.find(pair.scale);
    if (!ref) return makeError(ErrorCode::ScaleMissing, "scale tensor not in the checkpoint", {}, pair.scale);
    const std::string& file = checkpoint.fileOf(*ref);
    if (ref->dtype != DType::F8_E8M0 && !numeric::decodesToF32(ref->dtype))
        return makeError(ErrorCode::ScaleDtypeInvalid, "scale dtype " + std::string(dtypeName(ref->dtype)), file, ref->name);
    auto grid = gridOf(*ref, pair, file);
    if (!grid) return grid.takeError();
    auto bytes = checkpoint.tensorBytes(*ref);
    if (!bytes) return bytes.takeError();
    ScaleCheck check;
    const auto* base = reinterpret_cast<const std::uint8_t*>(bytes->data());
    std::vector<double> logs = classify(base, ref->dtype, pair.scheme, *grid, check);
    if (logs.empty()) return check;
    std::vector<double> sorted = logs;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    check.medianLog2 = sorted[sorted.size() / 2];
    for (std::uint64_t r = 0, k = 0; r < grid->rows; ++r)
        for (std::uint64_t c = 0; c < grid->cols; ++c) {
            const float v = decodeScale(base, ref->dtype, pair.scheme, r * grid->stride + c);
            if (std::isnan(v) || std::isinf(v) || v <= 0.0f) continue;
            if (std::abs(logs[k++] - check.medianLog2) > outlierLog2) {
                ++check.outliers;
                if (check.firstProblem.empty()) check.firstProblem = describeAt(r, c, v) + " (outlier)";
            }
        }
    return check;
}

} // namespace ckpt
