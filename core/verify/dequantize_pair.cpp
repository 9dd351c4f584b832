#include "core/verify/dequantize_pair.h"

namespace ckpt {

std::vector<PlanOp> dequantOps(const QuantPair& pair, DType out)
{
    std::vector<PlanOp> ops{PlanOp::read(pair.weight)};
    if (pair.scheme == QuantScheme::Fp4E2m1)
        ops.push_back(PlanOp::dequantFp4(pair.scale, pair.blockCols, pair.scaleDtype));
    else
        ops.push_back(PlanOp::dequantFp8Block(pair.scale, pair.blockRows, pair.blockCols, pair.scaleDtype));
    if (out != DType::F32) ops.push_back(PlanOp::cast(out));
    return ops;
}

Result<TensorValue> dequantizePair(OpEvaluator& evaluator, const QuantPair& pair, DType out)
{
    PlanOutput target;
    target.name = pair.weight;
    target.dtype = out;
    target.shape = pair.logicalShape;
    target.sources = {pair.weight, pair.scale};
    target.ops = dequantOps(pair, out);
    auto value = evaluator.run(target.ops, target);
    if (!value) {
        Error e = value.takeError();
        if (e.tensor.empty()) e.tensor = pair.weight;
        return e;
    }
    return value;
}

} // namespace ckpt
