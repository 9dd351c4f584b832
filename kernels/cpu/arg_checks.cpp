#include "kernels/cpu/arg_checks.h"

#include "core/numeric/element_io.h"

#include <initializer_list>
#include <string>

namespace ckpt {

namespace {

Status invalid(std::string what) { return makeError(ErrorCode::InvalidArgument, std::move(what)); }

Status unsupported(std::string_view op, std::string_view role, DType dt)
{
    return makeError(ErrorCode::UnsupportedDtype, std::string(op) + ": " + std::string(role) +
                                                      " dtype " + std::string(dtypeName(dt)) +
                                                      " is not supported");
}

bool isOutputFloat(DType dt) { return dt == DType::BF16 || dt == DType::F16 || dt == DType::F32; }

// rows * cols * 8 must fit in 64 bits so that every byte offset computed later is exact.
Status checkShape(std::string_view op, std::uint64_t rows, std::uint64_t cols)
{
    if (cols != 0 && rows > (~0ull >> 4) / cols)
        return makeError(ErrorCode::ShapeOverflow, std::string(op) + ": rows x cols overflows");
    return {};
}

Status checkPointers(std::string_view op, std::uint64_t n, std::initializer_list<const void*> ptrs)
{
    if (n == 0) return {};
    for (const void* p : ptrs)
        if (!p) return invalid(std::string(op) + ": null data pointer");
    return {};
}

} // namespace

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

std::uint32_t elementBytes(DType dt) { return static_cast<std::uint32_t>(dtypeBits(dt) / 8); }

Status checkArgs(const Fp8BlockDequantArgs& a)
{
    constexpr std::string_view op = "fp8 block dequant";
    if (a.blockRows == 0 || a.blockCols == 0) return invalid("fp8 block dequant: zero block size");
    if (a.scaleDtype != DType::F32 && a.scaleDtype != DType::BF16 && a.scaleDtype != DType::F8_E8M0)
        return unsupported(op, "scale", a.scaleDtype);
    if (!isOutputFloat(a.outDtype)) return unsupported(op, "output", a.outDtype);
    if (auto s = checkShape(op, a.rows, a.cols); !s) return s;
    return checkPointers(op, a.rows * a.cols, {a.weight, a.scale, a.out});
}

Status checkArgs(const Fp4DequantArgs& a)
{
    constexpr std::string_view op = "fp4 dequant";
    if (a.groupSize == 0) return invalid("fp4 dequant: zero group size");
    if (a.cols % 2 != 0) return invalid("fp4 dequant: odd column count " + std::to_string(a.cols));
    if (!isOutputFloat(a.outDtype)) return unsupported(op, "output", a.outDtype);
    if (a.scaleCols < ceilDiv(a.cols, a.groupSize))
        return invalid("fp4 dequant: " + std::to_string(a.scaleCols) + " scale columns for " +
                       std::to_string(a.cols) + " columns in groups of " +
                       std::to_string(a.groupSize));
    if (auto s = checkShape(op, a.rows, a.cols); !s) return s;
    if (auto s = checkShape(op, a.rows, a.scaleCols); !s) return s;
    return checkPointers(op, a.rows * a.cols, {a.packed, a.scale, a.out});
}

Status checkArgs(const Fp8BlockQuantArgs& a)
{
    constexpr std::string_view op = "fp8 block quant";
    if (a.blockRows == 0 || a.blockCols == 0) return invalid("fp8 block quant: zero block size");
    if (!isOutputFloat(a.inDtype)) return unsupported(op, "input", a.inDtype);
    if (a.scaleDtype != DType::F32 && a.scaleDtype != DType::F8_E8M0)
        return unsupported(op, "scale", a.scaleDtype);
    if (auto s = checkShape(op, a.rows, a.cols); !s) return s;
    return checkPointers(op, a.rows * a.cols, {a.in, a.outWeight, a.outScale});
}

Status checkArgs(const Fp4QuantArgs& a)
{
    constexpr std::string_view op = "fp4 quant";
    if (a.groupSize == 0) return invalid("fp4 quant: zero group size");
    if (a.cols % 2 != 0) return invalid("fp4 quant: odd column count " + std::to_string(a.cols));
    if (!isOutputFloat(a.inDtype)) return unsupported(op, "input", a.inDtype);
    if (auto s = checkShape(op, a.rows, a.cols); !s) return s;
    return checkPointers(op, a.rows * a.cols, {a.in, a.outPacked, a.outScale});
}

Status checkArgs(const CastArgs& a)
{
    constexpr std::string_view op = "cast";
    if (!numeric::decodesToF64(a.inDtype)) return unsupported(op, "input", a.inDtype);
    if (!isOutputFloat(a.outDtype) && a.outDtype != DType::F64)
        return unsupported(op, "output", a.outDtype);
    if (auto s = checkShape(op, a.count, 1); !s) return s;
    return checkPointers(op, a.count, {a.in, a.out});
}

Status checkArgs(const TransposeArgs& a)
{
    constexpr std::string_view op = "transpose";
    const std::uint32_t es = a.elementBytes;
    if (es != 1 && es != 2 && es != 4 && es != 8)
        return invalid("transpose: element size " + std::to_string(es) + " is not 1, 2, 4 or 8 bytes");
    if (a.outStride != 0 && a.outStride < a.rows)
        return invalid("transpose: output stride " + std::to_string(a.outStride) + " is below the row count "
                       + std::to_string(a.rows));
    if (auto s = checkShape(op, a.rows, a.cols); !s) return s;
    const std::uint64_t stride = a.outStride == 0 ? a.rows : a.outStride;
    if (auto s = checkShape(op, a.cols, stride); !s) return s;
    return checkPointers(op, a.rows * a.cols, {a.in, a.out});
}

Status checkReduceInput(const void* data, DType dtype, std::uint64_t count)
{
    if (!numeric::decodesToF64(dtype)) return unsupported("statistics", "input", dtype);
    if (auto s = checkShape("statistics", count, 1); !s) return s;
    return checkPointers("statistics", count, {data});
}

Status checkHistogram(Histogram& hist)
{
    const HistogramSpec& s = hist.spec;
    if (s.bins == 0) return invalid("histogram: zero bins");
    if (!(s.lo < s.hi)) return invalid("histogram: lo must be below hi");
    if (s.logBins && !(s.lo > 0)) return invalid("histogram: log bins need lo > 0");
    if (hist.counts.empty()) hist.counts.assign(s.bins, 0);
    if (hist.counts.size() != s.bins)
        return invalid("histogram: counts has " + std::to_string(hist.counts.size()) +
                       " entries for " + std::to_string(s.bins) + " bins");
    return {};
}

} // namespace ckpt
