#include "core/diff/difference_histogram.h"

#include "core/convert/op_evaluator.h"
#include "core/diff/value_compare.h"
#include "core/numeric/element_io.h"
#include "core/verify/dequantize_pair.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace ckpt {
namespace {

// One side of the pair: mapped bytes, or a dequantized value that owns its bytes.
struct Side {
    std::span<const std::byte> bytes;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
    TensorValue owned;
};

// Elements [first, first + n) of `side` as f64.
Status decode(KernelBackend& backend, const Side& side, std::uint64_t first, std::uint64_t n, double* out)
{
    const std::size_t es = static_cast<std::size_t>(dtypeBits(side.dtype) / 8);
    const std::byte* p = side.bytes.data() + first * es;
    if (!numeric::decodesToF64(side.dtype)) {
        widenInteger(p, side.dtype, n, out);
        return {};
    }
    return backend.cast({.in = p, .inDtype = side.dtype, .count = n, .out = out, .outDtype = DType::F64});
}

DType dequantTarget(DType other)
{
    return other == DType::BF16 || other == DType::F16 || other == DType::F32 ? other : DType::F32;
}

Status loadSide(const Checkpoint& c, const TensorRef& ref, const QuantPair* dequant, DType target,
                KernelBackend& backend, Side& side)
{
    if (dequant) {
        OpEvaluator evaluator(c, backend);
        auto v = dequantizePair(evaluator, *dequant, target);
        if (!v) return v.takeError();
        side.owned = std::move(*v);
        side.bytes = side.owned.bytes;
        side.dtype = side.owned.dtype;
        side.shape = dequant->logicalShape;
        return {};
    }
    auto bytes = c.tensorBytes(ref);
    if (!bytes) return bytes.takeError();
    side.bytes = *bytes;
    side.dtype = ref.dtype;
    side.shape = ref.shape;
    if (!comparableDtype(ref.dtype))
        return makeError(ErrorCode::UnsupportedDtype, "differences need decodable values, the tensor is " +
                         std::string(dtypeName(ref.dtype)), c.fileOf(ref), ref.name);
    return {};
}

// Runs `fn(differences, n)` over every chunk of A - B; the job is asked between chunks.
template <typename Fn>
Status forEachChunk(KernelBackend& backend, const Side& a, const Side& b, std::uint64_t count, JobContext* job,
                    Fn&& fn)
{
    const std::size_t chunk = static_cast<std::size_t>(std::min(kDifferenceChunkElements, count));
    std::vector<double> da(chunk), db(chunk);
    for (std::uint64_t first = 0; first < count; first += kDifferenceChunkElements) {
        if (job && job->isCancelled()) return cancelledError("difference histogram");
        const std::uint64_t n = std::min(kDifferenceChunkElements, count - first);
        CKPT_TRY(decode(backend, a, first, n, da.data()));
        CKPT_TRY(decode(backend, b, first, n, db.data()));
        for (std::uint64_t i = 0; i < n; ++i) da[i] -= db[i];
        auto st = fn(da.data(), n);
        if (!st.ok()) return st;
    }
    return {};
}

HistogramSpec specFor(double lo, double hi, bool any, std::uint32_t bins)
{
    HistogramSpec s;
    s.bins = bins;
    s.lo = any ? lo : 0.0;
    s.hi = any ? hi : 0.0;
    if (!(s.lo < s.hi)) {  // all differences equal (typically all zero): a unit range around them
        s.lo -= 0.5;
        s.hi += 0.5;
    }
    return s;
}

} // namespace

Result<DifferenceHistogram> differenceHistogram(const Checkpoint& a, const Checkpoint& b,
                                                const DifferenceHistogramRequest& request,
                                                KernelBackend& backend, JobContext* job)
{
    if (request.bins == 0 || request.bins > 100000)
        return makeError(ErrorCode::InvalidArgument, "the bin count must be from 1 to 100000");
    const TensorRef* ta = a.find(request.tensor);
    const TensorRef* tb = b.find(request.tensor);
    if (!ta || !tb)
        return makeError(ErrorCode::InvalidArgument, ta ? "no such tensor in checkpoint B" : "no such tensor in checkpoint A",
                         ta ? b.root() : a.root(), request.tensor);
    const QuantPair* qa = a.quant().findByWeight(ta->name);
    const QuantPair* qb = b.quant().findByWeight(tb->name);
    Side sa, sb;
    CKPT_TRY(loadSide(a, *ta, qa && !qb ? qa : nullptr, dequantTarget(tb->dtype), backend, sa));
    CKPT_TRY(loadSide(b, *tb, qb && !qa ? qb : nullptr, dequantTarget(ta->dtype), backend, sb));
    if (sa.shape != sb.shape)
        return makeError(ErrorCode::InvalidArgument, "the shapes differ, there are no element-wise differences",
                         b.fileOf(*tb), request.tensor);

    DifferenceHistogram out;
    out.tensor = request.tensor;
    out.via = qa && !qb ? "dequantized A" : qb && !qa ? "dequantized B" : "values";
    out.count = elementCount(sa.shape).value_or(0);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const auto widenRange = [&](const double* d, std::uint64_t n) -> Status {
        for (std::uint64_t i = 0; i < n; ++i) {
            if (!std::isfinite(d[i])) continue;
            lo = std::min(lo, d[i]);
            hi = std::max(hi, d[i]);
        }
        return {};
    };
    CKPT_TRY(forEachChunk(backend, sa, sb, out.count, job, widenRange));
    const bool any = lo <= hi;
    out.min = any ? lo : 0.0;
    out.max = any ? hi : 0.0;
    out.histogram.spec = specFor(lo, hi, any, request.bins);
    std::uint64_t done = 0;
    const auto countChunk = [&](const double* d, std::uint64_t n) -> Status {
        auto st = backend.accumulateHistogram(d, DType::F64, n, out.histogram);
        done += n;
        if (st.ok() && job) job->reportProgress(done, out.count, out.tensor);
        return st;
    };
    CKPT_TRY(forEachChunk(backend, sa, sb, out.count, job, countChunk));
    if (out.histogram.counts.empty()) out.histogram.counts.assign(out.histogram.spec.bins, 0);
    return out;
}

} // namespace ckpt
