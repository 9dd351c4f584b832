#pragma once
// Verification of a quantized checkpoint, one entry per quantized weight (checkpoint.quant()):
//  * dequantize (OpEvaluator, the HF -> HF plan's ops) and count NaN/Inf in the values;
//  * with a reference checkpoint (same HF names, e.g. the official BF16 release or an HF -> HF
//    dequantized copy): the weight is dequantized into the reference tensor's dtype and compared
//    (a = reference): max_abs_err, rmse, snr_db, cosine;
//  * without one: CPU vs CUDA bit-equality of the dequantization when a CUDA backend is given,
//    and the quantize(dequantize(q)) round trip (roundtrip_check.h);
//  * always: scale sanity (scale_check.h).
// Pairing problems (weight without scale, wrong scale grid, bad scale dtype) are failing entries
// naming the tensor; orphan scales are warning entries.
//
// Verdict per tensor (thresholds in VerifyThresholds):
//   fail: NaN or Inf in the dequantized weights; any zero, negative, infinite or NaN scale;
//         CPU != CUDA; vs reference: shape mismatch, cosine < minCosine, snr_db < minSnrDb or NaN
//         in the comparison; a pairing problem; a tensor that cannot be dequantized.
//   warn: outlier scales; round-trip value mismatch rate > maxRoundTripRate; weight not in the
//         reference; orphan scale.
//   pass: otherwise.
// Overall: fail when any tensor fails, else pass (warnings are counted, see VerifyReport).

#include "core/checkpoint/checkpoint.h"
#include "core/kernel_backend.h"
#include "core/verify/roundtrip_check.h"
#include "core/verify/scale_check.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

class JobContext;

enum class Verdict { Pass, Warn, Fail };
std::string_view verdictName(Verdict verdict);  // "pass", "warn", "fail"

struct VerifyThresholds {
    double minCosine = 0.99;         // FP8 block quantization of real weights gives > 0.999
    double minSnrDb = 20.0;          // FP8 e4m3 gives about 30 dB, FP4 e2m1 about 20 dB
    double maxRoundTripRate = 1e-3;  // above: a different quantizer made these values (warn)
    double outlierLog2 = kDefaultOutlierLog2;
};

struct VerifyOptions {
    const Checkpoint* reference = nullptr;  // dequantized checkpoint with the same names, or null
    VerifyThresholds thresholds;
};

enum class CpuCudaCheck { NotRun, Skipped, Equal, Differ };
std::string_view cpuCudaName(CpuCudaCheck check);  // "not_run", "skipped", "equal", "differ"

struct TensorVerification {
    std::string name;                   // the weight (or the tensor a pairing problem names)
    std::string scale;
    bool hasScheme = false;             // false for pairing problems and orphan scales
    QuantScheme scheme = QuantScheme::Fp8Block;
    std::vector<std::uint64_t> shape;   // logical (dequantized) shape
    std::uint64_t nan = 0, inf = 0;     // in the dequantized weights
    bool hasReference = false;          // `reference` holds a comparison
    ErrorMetrics reference;             // a = reference tensor, b = dequantized weight
    CpuCudaCheck cpuCuda = CpuCudaCheck::NotRun;
    std::uint64_t cpuCudaMismatches = 0;  // elements whose bits differ
    RoundTripCheck roundTrip;
    ScaleCheck scales;
    Verdict verdict = Verdict::Pass;
    std::vector<std::string> reasons;   // one sentence per fail/warn cause
};

struct VerifyReport {
    Verdict verdict = Verdict::Pass;    // Pass or Fail
    std::vector<TensorVerification> tensors;  // worst first: fail, warn, pass; then by cosine/name
    std::uint64_t passed = 0, warned = 0, failed = 0;
    std::string cpuCudaNote;            // e.g. "skipped: no CUDA device", "compared on NVIDIA H100"
};

// `primary` dequantizes; `cuda` (may be null) repeats the dequantization for the CPU vs CUDA
// check when there is no reference. `cpuCudaSkipReason` is reported when `cuda` is null
// (default "no CUDA device"). Errors: Io (unreadable data), Cancelled, DeviceError.
Result<VerifyReport> verifyCheckpoint(const Checkpoint& checkpoint, const VerifyOptions& options,
                                      KernelBackend& primary, KernelBackend* cuda, JobContext* job,
                                      std::string_view cpuCudaSkipReason = "no CUDA device");

// The per-tensor verdict from its measurements (fills verdict and reasons).
void decideVerdict(TensorVerification& t, const VerifyThresholds& thresholds);

} // namespace ckpt
