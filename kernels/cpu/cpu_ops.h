#pragma once
// The CPU kernels behind CpuBackend, one file per family of ops. Arguments are already checked
// (arg_checks.h). Each op splits its work into tasks on the pool; reductions use the fixed order
// of core/numeric/reduce_rules.h.

#include "core/kernel_backend.h"
#include "core/numeric/reduce_rules.h"
#include "kernels/cpu/thread_pool.h"

#include <vector>

// Hot loops get an AVX2 clone next to the baseline x86-64 one, chosen at load time (GCC ifunc):
// the maths is integer or exact float either way, so both clones give the same bytes.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__CUDACC__)
#define CKPT_CPU_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CKPT_CPU_CLONES
#endif

namespace ckpt::cpu {

// Rows x cols are cut into row segments [c0, c1) of one row (segments start at multiples of
// `align` columns), grouped into tasks of about kTaskElements elements.
inline constexpr std::uint64_t kTaskElements = 1u << 18;
void forEachRowSegment(ThreadPool& pool, std::uint64_t rows, std::uint64_t cols,
                       std::uint64_t align,
                       const std::function<void(std::uint64_t r, std::uint64_t c0, std::uint64_t c1)>& fn);

void dequantFp8Block(ThreadPool& pool, const Fp8BlockDequantArgs& a);
void dequantFp4(ThreadPool& pool, const Fp4DequantArgs& a);
void quantFp8Block(ThreadPool& pool, const Fp8BlockQuantArgs& a);
void quantFp4(ThreadPool& pool, const Fp4QuantArgs& a);
void cast(ThreadPool& pool, const CastArgs& a);
void transpose(ThreadPool& pool, const TransposeArgs& a);

// Per-chunk partials in chunk order (reduce_rules.h); the backend folds them into the stream.
std::vector<numeric::StatsPartial> statsPartials(ThreadPool& pool, const std::uint8_t* data,
                                                 DType dtype, std::uint64_t count);
std::vector<numeric::ErrorPartial> errorPartials(ThreadPool& pool, const std::uint8_t* a, DType aDt,
                                                 const std::uint8_t* b, DType bDt,
                                                 std::uint64_t count, double atol, double rtol);
void histogram(ThreadPool& pool, const std::uint8_t* data, DType dtype, std::uint64_t count,
               Histogram& hist);

// Folding partials into the caller's running structs, shared with the CUDA backend.
void foldStats(const std::vector<numeric::StatsPartial>& parts, TensorStats& stats);
void foldErrors(const std::vector<numeric::ErrorPartial>& parts, ErrorMetrics& metrics);
std::vector<double> logBinEdges(const HistogramSpec& spec);

} // namespace ckpt::cpu
