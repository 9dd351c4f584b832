#include "ui/workers/tensor_stats_job.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ckpt::ui {

namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

std::uint64_t numel(const std::vector<std::uint64_t>& shape)
{
    return elementCount(shape).value_or(0);
}

} // namespace

TensorStatsJob::TensorStatsJob(const Checkpoint& checkpoint, std::uint32_t tensorIndex,
                               KernelBackend& backend, std::uint32_t bins, JobContext& job)
    : m_checkpoint(checkpoint), m_ref(checkpoint.tensors().at(tensorIndex)), m_backend(backend),
      m_bins(std::max<std::uint32_t>(bins, 1)), m_job(job)
{
    m_pair = checkpoint.quant().findByWeight(m_ref.name);
    if (m_pair)
        m_scaleRef = checkpoint.find(m_pair->scale);
}

HistogramSpec TensorStatsJob::valueHistogramSpec(const TensorStats& stats, std::uint32_t bins)
{
    HistogramSpec spec;
    spec.bins = std::max<std::uint32_t>(bins, 1);
    const bool anyFinite = stats.count > stats.nanCount + stats.infCount;
    spec.lo = anyFinite ? stats.min : 0.0;
    spec.hi = anyFinite ? stats.max : 1.0;
    if (!(spec.hi > spec.lo)) {  // constant tensor: centre one bar on the value
        const double half = spec.lo == 0.0 ? 0.5 : std::fabs(spec.lo) * 0.5;
        spec.lo -= half;
        spec.hi += half;
    }
    return spec;
}

HistogramSpec TensorStatsJob::scaleHistogramSpec(double minPositive, double max, std::uint32_t bins)
{
    HistogramSpec spec;
    spec.bins = std::max<std::uint32_t>(bins, 1);
    spec.logBins = true;
    if (!(minPositive > 0.0) || !std::isfinite(max) || max < minPositive) {
        spec.lo = 0.5;
        spec.hi = 2.0;
        return spec;
    }
    spec.lo = std::exp2(std::floor(std::log2(minPositive)));
    spec.hi = std::exp2(std::ceil(std::log2(max)));
    if (!(spec.hi > spec.lo))
        spec.hi = spec.lo * 2.0;
    return spec;
}

// The kernels index the scale grid from the weight's shape: a pair whose shapes disagree would
// read out of bounds, so it is shown as raw values instead (QuantPairing reports the problem).
bool TensorStatsJob::canDequantize() const
{
    if (!m_pair || !m_scaleRef || m_ref.shape.size() != 2 || m_scaleRef->shape.size() != 2)
        return false;
    const auto& ws = m_ref.shape;
    const auto& ss = m_scaleRef->shape;
    if (m_pair->scheme == QuantScheme::Fp8Block) {
        return m_ref.dtype == DType::F8_E4M3 && m_pair->blockRows > 0 && m_pair->blockCols > 0
               && ss[0] == ceilDiv(ws[0], m_pair->blockRows)
               && ss[1] == ceilDiv(ws[1], m_pair->blockCols)
               && dtypeBits(m_scaleRef->dtype) % 8 == 0 && m_scaleRef->dtype == m_pair->scaleDtype;
    }
    const auto& logical = m_pair->logicalShape;
    return logical.size() == 2 && dtypeBits(m_ref.dtype) == 8 && logical[0] == ws[0]
           && logical[1] == ws[1] * 2 && m_pair->blockCols > 0 && ss[0] == ws[0]
           && ss[1] >= ceilDiv(logical[1], m_pair->blockCols) && dtypeBits(m_scaleRef->dtype) == 8;
}

Result<std::span<const std::byte>> TensorStatsJob::bytesOf(const TensorRef& ref) const
{
    auto bytes = m_checkpoint.tensorBytes(ref);
    if (!bytes.ok())
        return bytes.takeError();
    if (bytes.value().size() != ref.nbytes)
        return makeError(ErrorCode::Internal, "tensor bytes do not match the header size",
                         m_checkpoint.fileOf(ref), ref.name);
    return bytes.value();
}

Status TensorStatsJob::tick(std::uint64_t elements, std::string_view stage)
{
    m_done += elements;
    m_job.reportProgress(m_done, m_total, stage);
    if (m_job.isCancelled())
        return makeError(ErrorCode::Cancelled, "statistics cancelled", {}, m_ref.name);
    return {};
}

Result<TensorStatsResult> TensorStatsJob::run()
{
    TensorStatsResult r;
    r.tensor = m_ref.name;
    r.backend = std::string(m_backend.name());
    r.dequantized = canDequantize();
    if (m_pair)
        r.scheme = m_pair->scheme;
    const std::uint64_t values = numel(r.dequantized ? m_pair->logicalShape : m_ref.shape);
    const std::uint64_t scales = m_scaleRef ? numel(m_scaleRef->shape) : 0;
    m_total = 2 * values + 2 * scales;

    const ChunkFn statsPass = [&](const void* data, DType dt, std::uint64_t n) -> Status {
        CKPT_TRY(m_backend.accumulateStats(data, dt, n, r.stats));
        return tick(n, "Statistics");
    };
    CKPT_TRY(forEachValueChunk(statsPass));
    r.histogram.spec = valueHistogramSpec(r.stats, m_bins);
    const ChunkFn histogramPass = [&](const void* data, DType dt, std::uint64_t n) -> Status {
        CKPT_TRY(m_backend.accumulateHistogram(data, dt, n, r.histogram));
        return tick(n, "Histogram");
    };
    CKPT_TRY(forEachValueChunk(histogramPass));
    if (m_pair && m_scaleRef) {
        auto summary = summarizeScales();
        if (!summary.ok())
            return summary.takeError();
        r.scales = std::move(summary.value());
    }
    return r;
}

Status TensorStatsJob::forEachValueChunk(const ChunkFn& fn)
{
    auto weight = bytesOf(m_ref);
    if (!weight.ok())
        return weight.takeError();
    if (!canDequantize())
        return forEachPlainChunk(weight.value(), m_ref, fn);
    auto scale = bytesOf(*m_scaleRef);
    if (!scale.ok())
        return scale.takeError();
    if (m_pair->scheme == QuantScheme::Fp8Block)
        return forEachFp8Chunk(weight.value(), scale.value(), fn);
    return forEachFp4Chunk(weight.value(), scale.value(), fn);
}

Status TensorStatsJob::forEachPlainChunk(std::span<const std::byte> bytes, const TensorRef& ref,
                                         const ChunkFn& fn)
{
    const std::uint64_t count = numel(ref.shape);
    const int bits = dtypeBits(ref.dtype);
    if (bits % 8 != 0)  // sub-byte elements cannot be split at arbitrary counts
        return fn(bytes.data(), ref.dtype, count);
    const std::uint64_t elemBytes = static_cast<std::uint64_t>(bits / 8);
    for (std::uint64_t i = 0; i < count; i += kChunkElements) {
        const std::uint64_t n = std::min(kChunkElements, count - i);
        CKPT_TRY(fn(bytes.data() + i * elemBytes, ref.dtype, n));
    }
    return {};
}

Status TensorStatsJob::forEachFp8Chunk(std::span<const std::byte> w, std::span<const std::byte> s,
                                       const ChunkFn& fn)
{
    const std::uint64_t rows = m_ref.shape[0], cols = m_ref.shape[1];
    const std::uint32_t br = m_pair->blockRows;
    const std::uint64_t gridCols = m_scaleRef->shape[1];
    const std::uint64_t scaleBytes = static_cast<std::uint64_t>(dtypeBits(m_pair->scaleDtype) / 8);
    // Whole block rows per chunk, so each chunk starts on a scale row.
    const std::uint64_t rowsFit = kChunkElements / std::max<std::uint64_t>(cols, 1) / br;
    const std::uint64_t chunkRows = std::max<std::uint64_t>(1, rowsFit) * br;
    m_scratch.resize(std::min(rows, chunkRows) * cols);
    for (std::uint64_t r0 = 0; r0 < rows; r0 += chunkRows) {
        Fp8BlockDequantArgs a;
        a.rows = std::min(chunkRows, rows - r0);
        a.cols = cols;
        a.weight = w.data() + r0 * cols;
        a.scale = s.data() + (r0 / br) * gridCols * scaleBytes;
        a.scaleDtype = m_pair->scaleDtype;
        a.blockRows = br;
        a.blockCols = m_pair->blockCols;
        a.out = m_scratch.data();
        a.outDtype = DType::F32;  // f32 keeps the exact product the kernels round from
        CKPT_TRY(m_backend.dequantFp8Block(a));
        CKPT_TRY(fn(m_scratch.data(), DType::F32, a.rows * cols));
    }
    return {};
}

Status TensorStatsJob::forEachFp4Chunk(std::span<const std::byte> w, std::span<const std::byte> s,
                                       const ChunkFn& fn)
{
    const std::uint64_t rows = m_pair->logicalShape[0], cols = m_pair->logicalShape[1];
    const std::uint64_t scaleCols = m_scaleRef->shape[1];
    const std::uint64_t chunkRows =
        std::max<std::uint64_t>(1, kChunkElements / std::max<std::uint64_t>(cols, 1));
    m_scratch.resize(std::min(rows, chunkRows) * cols);
    for (std::uint64_t r0 = 0; r0 < rows; r0 += chunkRows) {
        Fp4DequantArgs a;
        a.rows = std::min(chunkRows, rows - r0);
        a.cols = cols;
        a.packed = w.data() + r0 * (cols / 2);
        a.scale = s.data() + r0 * scaleCols;  // E8M0: one byte per scale
        a.scaleCols = scaleCols;
        a.groupSize = m_pair->blockCols;
        a.out = m_scratch.data();
        a.outDtype = DType::F32;
        CKPT_TRY(m_backend.dequantFp4(a));
        CKPT_TRY(fn(m_scratch.data(), DType::F32, a.rows * cols));
    }
    return {};
}

Result<ScaleSummary> TensorStatsJob::summarizeScales()
{
    ScaleSummary summary;
    summary.tensor = m_scaleRef->name;
    summary.dtype = m_scaleRef->dtype;
    auto bytes = bytesOf(*m_scaleRef);
    if (!bytes.ok())
        return bytes.takeError();
    const std::uint64_t count = numel(m_scaleRef->shape);
    CKPT_TRY(m_backend.accumulateStats(bytes.value().data(), summary.dtype, count, summary.stats));
    CKPT_TRY(tick(count, "Scales"));
    CKPT_TRY(fillGrid(bytes.value(), summary));
    summary.histogram.spec = scaleHistogramSpec(summary.grid.minPositive, summary.grid.max, m_bins);
    CKPT_TRY(m_backend.accumulateHistogram(bytes.value().data(), summary.dtype, count,
                                           summary.histogram));
    CKPT_TRY(tick(count, "Scales"));
    return summary;
}

// The grid is decoded to f32 with the backend's cast (E8M0 and BF16 decode exactly), then
// stored as log2 so a colour map of scales that span many octaves stays readable.
Status TensorStatsJob::fillGrid(std::span<const std::byte> bytes, ScaleSummary& summary)
{
    ScaleGrid& g = summary.grid;
    g.rows = m_scaleRef->shape[0];
    g.cols = m_scaleRef->shape[1];
    g.blockRows = m_pair->blockRows;
    g.blockCols = m_pair->blockCols;
    const auto& logical = m_pair->logicalShape.size() == 2 ? m_pair->logicalShape : m_ref.shape;
    g.weightRows = logical.empty() ? 0 : logical[0];
    g.weightCols = logical.size() < 2 ? 0 : logical[1];
    const std::uint64_t count = g.rows * g.cols;
    if (count == 0 || count > kMaxGridCells)
        return {};
    std::vector<float> values(count);
    if (summary.dtype == DType::F32) {
        std::memcpy(values.data(), bytes.data(), count * sizeof(float));
    } else {
        const CastArgs cast{bytes.data(), summary.dtype, count, values.data(), DType::F32};
        CKPT_TRY(m_backend.cast(cast));
    }
    g.minPositive = 0;
    g.max = 0;
    g.log2Values.resize(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        const float v = values[i];
        const bool usable = v > 0.0f && std::isfinite(v);
        g.log2Values[i] = usable ? std::log2(v) : std::nanf("");
        if (usable) {
            g.minPositive = g.minPositive == 0 ? v : std::min<double>(g.minPositive, v);
            g.max = std::max<double>(g.max, v);
        }
    }
    return {};
}

} // namespace ckpt::ui
