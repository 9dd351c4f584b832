#pragma once
// The kernel interface core defines and kernels/ implements (CPU always, CUDA when built and a
// device exists). All pointers are host memory; a CUDA backend stages through the device itself.
// Every backend gives bit-identical results for the same arguments: the scalar maths lives in
// core/numeric/*.h, shared by host and device code, compiled without contraction or fast-math.
// Sources may be unaligned (mmap views of unpadded files): backends must not assume alignment of
// `weight`, `scale` or `in` beyond one byte.

#include "core/dtype.h"
#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// out[r, c] = cast_out( f32(e4m3(w[r, c])) * f32(scale[r / blockRows, c / blockCols]) )
// The product is rounded to f32 first, then once to the output dtype (RNE). Edge blocks of shapes
// that are not multiples of the block use their one scale. NaN codes stay NaN.
struct Fp8BlockDequantArgs {
    const void* weight = nullptr;  // F8_E4M3 [rows, cols]
    std::uint64_t rows = 0, cols = 0;
    const void* scale = nullptr;   // [ceil(rows/blockRows), ceil(cols/blockCols)]
    DType scaleDtype = DType::F32; // F32, BF16 or F8_E8M0 (OCP: 2^(b-127), 0xFF = NaN)
    std::uint32_t blockRows = 128, blockCols = 128;
    void* out = nullptr;           // [rows, cols]
    DType outDtype = DType::BF16;  // BF16, F16 or F32
};

// DeepSeek V4 FP4 experts: byte b at [r, k] holds column 2k in its low nibble, 2k+1 in its high
// nibble; e2m1 code -> {0,.5,1,1.5,2,3,4,6} with code 8 = +0.0; scale byte s -> 0.0 if s == 0,
// else 2^(s-127) in f32 (255 -> +inf). Column c uses scale column c / groupSize.
struct Fp4DequantArgs {
    const void* packed = nullptr;  // I8/U8 [rows, cols/2]
    std::uint64_t rows = 0, cols = 0;  // logical (unpacked) shape; cols even
    const void* scale = nullptr;   // F8_E8M0 [rows, scaleCols]
    std::uint64_t scaleCols = 0;   // >= ceil(cols / groupSize); extra columns ignored
    std::uint32_t groupSize = 32;
    void* out = nullptr;           // [rows, cols]
    DType outDtype = DType::BF16;
};

// Per block: amax = max|x| (f32) over the block's finite values (NaN and ±inf do not set the
// scale; inf then saturates); scale = amax / 448 (amax == 0 -> 1; a quotient that underflows to
// 0 -> the smallest f32 subnormal); q = e4m3(x / scale), round to nearest even, saturating to
// ±448, NaN stays NaN. Division, not a reciprocal multiply. E8M0 scales decode with the OCP rule.
// Exact rules: core/numeric/quant_rules.h.
struct Fp8BlockQuantArgs {
    const void* in = nullptr;      // [rows, cols] of inDtype (BF16, F16 or F32)
    DType inDtype = DType::BF16;
    std::uint64_t rows = 0, cols = 0;
    std::uint32_t blockRows = 128, blockCols = 128;
    void* outWeight = nullptr;     // F8_E4M3 [rows, cols]
    void* outScale = nullptr;      // [ceil(rows/blockRows), ceil(cols/blockCols)]
    DType scaleDtype = DType::F32; // F32, or F8_E8M0 (scale rounded up to a power of two)
};

// Per row group of groupSize columns: scale = smallest 2^k >= amax / 6 (E8M0 byte k + 127;
// amax == 0 -> byte 127; k >= -126 so byte 0, which V4 decodes as 0.0, is never written), amax
// over finite values, q = e2m1(x / scale) RNE saturating at ±6, NaN -> code 0 (e2m1 has no
// NaN), packed low nibble first.
struct Fp4QuantArgs {
    const void* in = nullptr;
    DType inDtype = DType::BF16;
    std::uint64_t rows = 0, cols = 0;  // cols even
    std::uint32_t groupSize = 32;
    void* outPacked = nullptr;     // U8 [rows, cols/2]
    void* outScale = nullptr;      // F8_E8M0 [rows, ceil(cols/groupSize)]
};

// Elementwise conversion between plain float dtypes (BF16, F16, F32, F64) and from F8_E4M3,
// F8_E5M2, F8_E8M0 to those. RNE on narrowing.
struct CastArgs {
    const void* in = nullptr;
    DType inDtype = DType::F32;
    std::uint64_t count = 0;
    void* out = nullptr;
    DType outDtype = DType::BF16;
};

// out[c * outStride + r] = in[r * cols + c]: a rows x cols row-major matrix of elementBytes-byte
// elements (1, 2, 4 or 8) transposed. outStride (in elements, >= rows) is rows for a plain
// transpose; a larger one writes the result into the first `rows` columns of a wider row-major
// matrix, so a transpose and the concatenation that follows it are one pass.
struct TransposeArgs {
    const void* in = nullptr;
    void* out = nullptr;
    std::uint64_t rows = 0, cols = 0;
    std::uint32_t elementBytes = 2;
    std::uint64_t outStride = 0;  // 0: rows
};

// Streaming statistics: call accumulate() chunk by chunk, then read. Values are decoded from
// `dtype` (any float dtype but F4/F6/FNUZ) to f64 for the sums. min/max/absMax are over non-NaN
// values (±inf included; -0 orders below +0). Sums are added in the fixed order of
// core/numeric/reduce_rules.h, so every backend and thread count gives the same bits for the
// same sequence of calls.
struct TensorStats {
    std::uint64_t count = 0, nanCount = 0, infCount = 0, zeroCount = 0;
    double min = 0, max = 0, absMax = 0;
    double sum = 0, sumSq = 0;  // over finite values
    double mean() const;
    double stddev() const;      // population standard deviation over finite values
};

// Fixed-width bins over [lo, hi] (values outside counted in under/overflow; hi falls in the last
// bin), or log2-spaced bins of |x| over [lo, hi] with lo > 0 (zeros in no bin). NaN and ±inf
// go to `nan`/`inf` only; `zeros` counts ±0 in both modes. `counts` is sized on the first call.
struct HistogramSpec {
    double lo = 0, hi = 1;
    std::uint32_t bins = 64;
    bool logBins = false;
};
struct Histogram {
    HistogramSpec spec;
    std::vector<std::uint64_t> counts;  // spec.bins entries
    std::uint64_t underflow = 0, overflow = 0, zeros = 0, nan = 0, inf = 0;
};

// Comparison of two same-length value streams (a = reference, b = candidate), f64 sums. A pair
// with a NaN counts in nanCount, else one with an inf in infCount; both are left out of maxAbs
// and the sums. Over tolerance: a NaN on one side only, unequal infinities, or the rule below.
struct ErrorMetrics {
    std::uint64_t count = 0, nanCount = 0, infCount = 0, overTolerance = 0;
    double maxAbs = 0, sumSqErr = 0, sumSqRef = 0, dot = 0, sumSqB = 0;
    double rmse() const;
    double snrDb() const;   // 10 log10(sumSqRef / sumSqErr); +inf when identical
    double cosine() const;  // dot / sqrt(sumSqRef * sumSqB); 1 when both zero
};

class KernelBackend {
public:
    virtual ~KernelBackend() = default;
    virtual std::string_view name() const = 0;  // "cpu" or "cuda"
    virtual std::string deviceDescription() const = 0;  // e.g. "CPU, 16 threads", "NVIDIA H100"

    virtual Status dequantFp8Block(const Fp8BlockDequantArgs& args) = 0;
    virtual Status dequantFp4(const Fp4DequantArgs& args) = 0;
    virtual Status quantFp8Block(const Fp8BlockQuantArgs& args) = 0;
    virtual Status quantFp4(const Fp4QuantArgs& args) = 0;
    virtual Status cast(const CastArgs& args) = 0;
    virtual Status transpose(const TransposeArgs& args) = 0;

    virtual Status accumulateStats(const void* data, DType dtype, std::uint64_t count,
                                   TensorStats& stats) = 0;
    virtual Status accumulateHistogram(const void* data, DType dtype, std::uint64_t count,
                                       Histogram& hist) = 0;
    // |a - b| > atol + rtol * |a| counts as over tolerance.
    virtual Status accumulateErrors(const void* a, DType aDtype, const void* b, DType bDtype,
                                    std::uint64_t count, double atol, double rtol,
                                    ErrorMetrics& metrics) = 0;
};

enum class DeviceChoice { Auto, Cpu, Cuda };

} // namespace ckpt
