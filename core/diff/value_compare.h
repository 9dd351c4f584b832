#pragma once
// Value comparison of two equally long element streams, shared by diff and verify. The maths is
// KernelBackend::accumulateErrors; this file only cuts the streams into chunks (so a huge tensor
// is compared piece by piece, with cancellation between pieces), widens integer dtypes the
// kernels do not decode, and takes the bytewise fast path.

#include "core/dtype.h"
#include "core/job_context.h"
#include "core/kernel_backend.h"
#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace ckpt {

// At most this much of either side goes to one accumulateErrors call (and between two calls the
// job is asked whether it was cancelled).
inline constexpr std::uint64_t kCompareChunkBytes = 64ull << 20;

// One side of a comparison: `count` elements of `dtype` (sub-byte dtypes packed) in `bytes`.
struct ValueSpan {
    std::span<const std::byte> bytes;
    DType dtype = DType::F32;
};

struct CompareOutcome {
    ErrorMetrics metrics;      // a = reference side
    bool bytesEqual = false;   // fast path taken: metrics are zero without decoding (count set)
    bool decoded = true;       // false: a dtype no kernel decodes (F4, F6, C64, FNUZ) -> bytes only;
                               // metrics.overTolerance then counts differing bytes, maxAbs is NaN
};

// Progress in bytes over a whole job, plus its cancellation flag; a null job is allowed.
class ProgressCounter {
public:
    ProgressCounter(JobContext* job, std::uint64_t total) : m_job(job), m_total(total) {}
    void add(std::uint64_t bytes, std::string_view stage);
    bool cancelled() const { return m_job && m_job->isCancelled(); }
    JobContext* job() const { return m_job; }

private:
    JobContext* m_job;
    std::uint64_t m_total, m_done = 0;
};

Error cancelledError(std::string_view what);

// Compares a (reference) with b, `count` elements each; |a-b| > atol + rtol|a| is over tolerance.
// fastPath: same dtype and identical bytes give zero metrics without decoding. Without it (the
// caller accumulates several pieces of one tensor into `into`) every element is decoded, so the
// sums behind cosine and relative error cover the whole tensor.
Status compareInto(KernelBackend& backend, ValueSpan a, ValueSpan b, std::uint64_t count, double atol,
                   double rtol, JobContext* job, CompareOutcome& into, bool fastPath = true);

// Integer (and BOOL) elements as f64; NaN for any other dtype. Integers are exact in f64 up to
// 2^53, which covers every id/count tensor in a checkpoint.
void widenInteger(const std::byte* p, DType dtype, std::uint64_t n, double* out);

// True for dtypes the error kernels decode, or that are widened here (integers, BOOL).
bool comparableDtype(DType dtype);

} // namespace ckpt
