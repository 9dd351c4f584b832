#pragma once
// Histogram of one tensor's values, for `hist` and the GUI: a quantized weight is dequantized
// first (F32, the HF -> HF plan's ops); `scales` takes the weight's scale tensor instead (decoded
// as stored; E8M0 by the OCP rule). The range comes from a first pass over the values: fixed bins
// span [finite min, finite max]; log bins span |x| over [smallest non-zero, largest] finite
// magnitude. The counting itself is KernelBackend::accumulateHistogram. Plain tensors are read
// from their mapping in chunks; a dequantized weight is one tensor in memory.

#include "core/checkpoint/checkpoint.h"
#include "core/kernel_backend.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

class JobContext;

struct HistogramRequest {
    std::string tensor;        // a weight, a scale or any float tensor of the checkpoint
    std::uint32_t bins = 64;
    bool logBins = false;
    bool scales = false;       // the scale tensor of the quantized weight `tensor`
};

struct TensorHistogram {
    std::string tensor;        // the tensor whose values were counted
    std::string source;        // "dequantized", "raw" or "scales"
    DType dtype = DType::F32;  // dtype of the counted values
    Histogram histogram;       // spec.lo/hi as used; log bins count |x|
    std::vector<double> edges; // bins + 1 bin edges (log bins: the kernel's geometric edges)
    double min = 0, max = 0;   // finite extremes of the values (0 when there is none)
    std::uint64_t count = 0;   // values counted
};

// Errors: InvalidArgument naming the tensor when it does not exist, when --scales names a tensor
// without a scale, or for a zero bin count; UnsupportedDtype for integer or packed tensors that
// are not a quantized weight; Io, Cancelled.
Result<TensorHistogram> tensorHistogram(const Checkpoint& checkpoint, const HistogramRequest& request,
                                        KernelBackend& backend, JobContext* job);

} // namespace ckpt
