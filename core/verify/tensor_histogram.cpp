#include "core/verify/tensor_histogram.h"

#include "core/convert/op_evaluator.h"
#include "core/diff/value_compare.h"
#include "core/numeric/element_io.h"
#include "core/verify/dequantize_pair.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ckpt {
namespace {

constexpr std::uint64_t kChunkElements = 16ull << 20;  // 64 MiB of f32 per range-pass chunk

// Finite extremes, gathered on f32 values the cast kernel decoded.
struct Range {
    double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
    double minAbsNonZero = std::numeric_limits<double>::infinity(), maxAbs = 0;
    bool any() const { return min <= max; }
};

struct Values {
    std::span<const std::byte> bytes;
    DType dtype = DType::F32;
    std::uint64_t count = 0;
    TensorValue owned;  // keeps a dequantized value alive
};

Status scanRange(KernelBackend& backend, const Values& v, JobContext* job, Range& r)
{
    std::vector<float> buf(static_cast<std::size_t>(std::min(kChunkElements, v.count)));
    const std::size_t es = static_cast<std::size_t>(dtypeBits(v.dtype) / 8);
    for (std::uint64_t first = 0; first < v.count; first += kChunkElements) {
        if (job && job->isCancelled()) return cancelledError("histogram");
        const std::uint64_t n = std::min(kChunkElements, v.count - first);
        CKPT_TRY(backend.cast({.in = v.bytes.data() + first * es, .inDtype = v.dtype, .count = n, .out = buf.data(),
                               .outDtype = DType::F32}));
        for (std::uint64_t i = 0; i < n; ++i) {
            const double x = buf[i];
            if (!std::isfinite(x)) continue;
            r.min = std::min(r.min, x);
            r.max = std::max(r.max, x);
            const double a = std::abs(x);
            r.maxAbs = std::max(r.maxAbs, a);
            if (a > 0) r.minAbsNonZero = std::min(r.minAbsNonZero, a);
        }
    }
    return {};
}

HistogramSpec specFor(const Range& r, const HistogramRequest& req)
{
    HistogramSpec s;
    s.bins = req.bins;
    s.logBins = req.logBins;
    if (req.logBins) {
        const bool any = r.minAbsNonZero <= r.maxAbs;
        s.lo = any ? r.minAbsNonZero : 1.0;
        s.hi = any ? r.maxAbs : 2.0;
        if (!(s.lo < s.hi)) { s.lo /= 2; s.hi *= 2; }  // one magnitude: a range around it
    } else {
        s.lo = r.any() ? r.min : 0.0;
        s.hi = r.any() ? r.max : 1.0;
        if (!(s.lo < s.hi)) { s.lo -= 0.5; s.hi += 0.5; }
    }
    return s;
}

std::vector<double> edgesOf(const HistogramSpec& s)
{
    std::vector<double> e(s.bins + 1);
    const double ratio = s.logBins ? std::log2(s.hi / s.lo) : 0.0;
    for (std::uint32_t i = 0; i <= s.bins; ++i) {
        const double t = static_cast<double>(i) / s.bins;
        e[i] = s.logBins ? s.lo * std::exp2(ratio * t) : s.lo + (s.hi - s.lo) * t;
    }
    e.front() = s.lo;
    e.back() = s.hi;
    return e;
}

Result<Values> valuesFor(const Checkpoint& c, const HistogramRequest& req, KernelBackend& backend,
                         TensorHistogram& out)
{
    const TensorRef* ref = c.find(req.tensor);
    if (!ref) return makeError(ErrorCode::InvalidArgument, "no such tensor in the checkpoint", c.root(), req.tensor);
    const QuantPair* pair = c.quant().findByWeight(req.tensor);
    if (req.scales && !c.quant().isScale(req.tensor)) {
        if (!pair) return makeError(ErrorCode::InvalidArgument, "not a quantized weight: it has no scale tensor",
                                    c.fileOf(*ref), req.tensor);
        ref = c.find(pair->scale);
        if (!ref) return makeError(ErrorCode::ScaleMissing, "scale tensor not in the checkpoint", {}, pair->scale);
    }
    Values v;
    out.tensor = ref->name;
    out.source = req.scales ? "scales" : pair ? "dequantized" : "raw";
    if (!req.scales && pair) {
        OpEvaluator evaluator(c, backend);
        auto value = dequantizePair(evaluator, *pair, DType::F32);
        if (!value) return value.takeError();
        v.owned = std::move(*value);
        v.bytes = v.owned.bytes;
        v.dtype = DType::F32;
        v.count = v.owned.elementCount();
        return v;
    }
    if (!numeric::decodesToF64(ref->dtype))
        return makeError(ErrorCode::UnsupportedDtype, "histograms need float values, the tensor is " +
                         std::string(dtypeName(ref->dtype)), c.fileOf(*ref), ref->name);
    auto bytes = c.tensorBytes(*ref);
    if (!bytes) return bytes.takeError();
    v.bytes = *bytes;
    v.dtype = ref->dtype;
    v.count = elementCount(ref->shape).value_or(0);
    return v;
}

} // namespace

Result<TensorHistogram> tensorHistogram(const Checkpoint& checkpoint, const HistogramRequest& request,
                                        KernelBackend& backend, JobContext* job)
{
    if (request.bins == 0 || request.bins > 100000)
        return makeError(ErrorCode::InvalidArgument, "the bin count must be from 1 to 100000");
    TensorHistogram out;
    auto values = valuesFor(checkpoint, request, backend, out);
    if (!values) return values.takeError();
    Range range;
    CKPT_TRY(scanRange(backend, *values, job, range));
    out.dtype = values->dtype;
    out.count = values->count;
    out.min = range.any() ? range.min : 0.0;
    out.max = range.any() ? range.max : 0.0;
    out.histogram.spec = specFor(range, request);
    out.edges = edgesOf(out.histogram.spec);
    const std::size_t es = static_cast<std::size_t>(dtypeBits(values->dtype) / 8);
    for (std::uint64_t first = 0; first < values->count; first += kChunkElements) {
        if (job && job->isCancelled()) return cancelledError("histogram");
        const std::uint64_t n = std::min(kChunkElements, values->count - first);
        CKPT_TRY(backend.accumulateHistogram(values->bytes.data() + first * es, values->dtype, n, out.histogram));
        if (job) job->reportProgress(first + n, values->count, out.tensor);
    }
    if (out.histogram.counts.empty()) out.histogram.counts.assign(out.histogram.spec.bins, 0);
    return out;
}

} // namespace ckpt
