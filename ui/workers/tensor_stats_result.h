#pragma once
// What TensorStatsWorker computes for one tensor: statistics and a histogram of its values
// (dequantized when it is the weight of a quant pair) and, for quantized weights, the scale grid
// and the statistics/histogram of the scales. Plain data: plots only draw what is here.

#include "core/checkpoint/quant_pairing.h"
#include "core/kernel_backend.h"

#include <QMetaType>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ckpt::ui {

struct ScaleGrid {
    std::uint64_t rows = 0, cols = 0;              // cells (one per block)
    std::uint32_t blockRows = 1, blockCols = 1;    // weight elements one scale covers
    std::uint64_t weightRows = 0, weightCols = 0;  // dequantized weight shape
    std::vector<float> log2Values;                 // row-major; NaN where the scale is not > 0
    double minPositive = 0, max = 0;               // over the finite positive scales
};

struct ScaleSummary {
    std::string tensor;  // the scale tensor's name
    DType dtype = DType::F32;
    TensorStats stats;
    Histogram histogram;  // log2-spaced bins (HistogramSpec::logBins)
    ScaleGrid grid;       // empty log2Values when the grid is too large to draw
};

struct TensorStatsResult {
    std::string tensor;
    std::uint32_t tensorIndex = 0;
    bool dequantized = false;  // values went through the quant pair's dequant kernel
    std::optional<QuantScheme> scheme;
    TensorStats stats;
    Histogram histogram;
    std::optional<ScaleSummary> scales;
    std::string backend;  // KernelBackend::name() that computed it
};

using TensorStatsResultPtr = std::shared_ptr<const TensorStatsResult>;

} // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::TensorStatsResultPtr)
