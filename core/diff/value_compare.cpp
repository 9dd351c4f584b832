#include "core/diff/value_compare.h"

#include "core/numeric/element_io.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace ckpt {
namespace {

template <typename T>
void widen(const std::byte* p, std::uint64_t n, double* out)
{
    for (std::uint64_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, p + i * sizeof(T), sizeof(T));  // sources may be unaligned mmap views
        out[i] = static_cast<double>(v);
    }
}

// A chunk of one side as the kernel sees it: the mapped bytes, or integers widened to F64.
struct KernelInput {
    const void* data = nullptr;
    DType dtype = DType::F64;
    std::vector<double> widened;

    void set(const ValueSpan& side, std::uint64_t first, std::uint64_t n)
    {
        const std::size_t es = static_cast<std::size_t>(dtypeBits(side.dtype) / 8);
        const std::byte* p = side.bytes.data() + first * es;
        if (numeric::decodesToF64(side.dtype)) {
            data = p;
            dtype = side.dtype;
            return;
        }
        widened.resize(static_cast<std::size_t>(n));
        widenInteger(p, side.dtype, n, widened.data());
        data = widened.data();
        dtype = DType::F64;
    }
};

// Neither side decodes: only "same bytes or not" is known.
void compareBytesOnly(ValueSpan a, ValueSpan b, std::uint64_t count, CompareOutcome& into)
{
    into.decoded = false;
    into.metrics.count += count;
    into.metrics.maxAbs = std::numeric_limits<double>::quiet_NaN();
    if (a.dtype != b.dtype || a.bytes.size() != b.bytes.size()) {
        into.metrics.overTolerance += count;
        return;
    }
    for (std::size_t i = 0; i < a.bytes.size(); ++i) into.metrics.overTolerance += a.bytes[i] != b.bytes[i];
}

} // namespace

void widenInteger(const std::byte* p, DType dtype, std::uint64_t n, double* out)
{
    switch (dtype) {
    case DType::BOOL: case DType::U8: widen<std::uint8_t>(p, n, out); break;
    case DType::I8: widen<std::int8_t>(p, n, out); break;
    case DType::U16: widen<std::uint16_t>(p, n, out); break;
    case DType::I16: widen<std::int16_t>(p, n, out); break;
    case DType::U32: widen<std::uint32_t>(p, n, out); break;
    case DType::I32: widen<std::int32_t>(p, n, out); break;
    case DType::U64: widen<std::uint64_t>(p, n, out); break;
    case DType::I64: widen<std::int64_t>(p, n, out); break;
    default: std::fill(out, out + n, std::numeric_limits<double>::quiet_NaN()); break;
    }
}

void ProgressCounter::add(std::uint64_t bytes, std::string_view stage)
{
    m_done += bytes;
    if (m_job) m_job->reportProgress(std::min(m_done, m_total), m_total, stage);
}

Error cancelledError(std::string_view what) { return makeError(ErrorCode::Cancelled, std::string(what) + " cancelled"); }

bool comparableDtype(DType dtype) { return numeric::decodesToF64(dtype) || isInteger(dtype); }

Status compareInto(KernelBackend& backend, ValueSpan a, ValueSpan b, std::uint64_t count, double atol, double rtol,
                   JobContext* job, CompareOutcome& into, bool fastPath)
{
    if (fastPath && a.dtype == b.dtype && a.bytes.size() == b.bytes.size() &&
        (a.bytes.empty() || std::memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size()) == 0)) {
        into.metrics.count += count;
        into.bytesEqual = true;
        return {};
    }
    into.bytesEqual = false;
    if (!comparableDtype(a.dtype) || !comparableDtype(b.dtype)) {
        compareBytesOnly(a, b, count, into);
        return {};
    }
    // Widened integers take 8 bytes per element, so size chunks by the wider of 8 and the dtypes.
    const std::uint64_t widest = 8;
    const std::uint64_t perChunk = std::max<std::uint64_t>(1, kCompareChunkBytes / widest);
    KernelInput ka, kb;
    for (std::uint64_t first = 0; first < count; first += perChunk) {
        if (job && job->isCancelled()) return cancelledError("comparison");
        const std::uint64_t n = std::min(perChunk, count - first);
        ka.set(a, first, n);
        kb.set(b, first, n);
        CKPT_TRY(backend.accumulateErrors(ka.data, ka.dtype, kb.data, kb.dtype, n, atol, rtol, into.metrics));
    }
    return {};
}

} // namespace ckpt
