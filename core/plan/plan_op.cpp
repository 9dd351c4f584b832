#include "core/plan/plan_op.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace ckpt {
namespace {

std::string partName(QuantPart part) { return part == QuantPart::Weight ? "weight" : "scale"; }

// Scale dtypes other than F32 change the decoding (E8M0 is a power of two), so they are spelled.
std::string scaleDtypeSuffix(DType dtype)
{
    return dtype == DType::F32 ? std::string() : " scale_dtype=" + lowerDtypeName(dtype);
}

std::string formatValue(double v)
{
    if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

} // namespace

std::string lowerDtypeName(DType dtype)
{
    std::string s(dtypeName(dtype));
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string PlanOp::describe() const
{
    const std::string block = std::to_string(blockRows) + "x" + std::to_string(blockCols);
    switch (kind) {
    case OpKind::Read:
        return "read " + tensor + (index ? "[" + std::to_string(*index) + "]" : "");
    case OpKind::DequantFp8Block:
        return "dequant-fp8-block " + block + " scale=" + tensor + scaleDtypeSuffix(dtype);
    case OpKind::DequantFp4:
        return "dequant-fp4 group=" + std::to_string(blockCols) + " scale=" + tensor
            + (dtype == DType::F8_E8M0 ? "" : " scale_dtype=" + lowerDtypeName(dtype));
    case OpKind::Transpose:
        return "transpose " + std::to_string(axis) + "," + std::to_string(axis2);
    case OpKind::Slice:
        return "slice axis=" + std::to_string(axis) + " " + std::to_string(begin) + ":"
            + std::to_string(end);
    case OpKind::Concat:
        return "concat axis=" + std::to_string(axis) + " n=" + std::to_string(count);
    case OpKind::Stack:
        return "stack axis=0 n=" + std::to_string(count);
    case OpKind::ScaleAbsorb:
        return "scale-absorb " + tensor + "[" + std::to_string(index.value_or(0)) + "]";
    case OpKind::Fill:
        return "fill " + formatValue(value);
    case OpKind::Cast:
        return "cast " + lowerDtypeName(dtype);
    case OpKind::QuantizeFp8Block:
        return "quantize-fp8-block " + block + " " + partName(part) + scaleDtypeSuffix(dtype);
    case OpKind::QuantizeFp4:
        return "quantize-fp4 group=" + std::to_string(blockCols) + " " + partName(part);
    }
    return "?";
}

PlanOp PlanOp::read(std::string tensor, std::optional<std::uint64_t> index)
{
    PlanOp op;
    op.kind = OpKind::Read;
    op.tensor = std::move(tensor);
    op.index = index;
    return op;
}

PlanOp PlanOp::dequantFp8Block(std::string scale, std::uint32_t rows, std::uint32_t cols,
                               DType scaleDtype)
{
    PlanOp op;
    op.kind = OpKind::DequantFp8Block;
    op.tensor = std::move(scale);
    op.blockRows = rows;
    op.blockCols = cols;
    op.dtype = scaleDtype;
    return op;
}

PlanOp PlanOp::dequantFp4(std::string scale, std::uint32_t group, DType scaleDtype)
{
    PlanOp op;
    op.kind = OpKind::DequantFp4;
    op.tensor = std::move(scale);
    op.blockRows = 1;
    op.blockCols = group;
    op.dtype = scaleDtype;
    return op;
}

PlanOp PlanOp::transpose(std::uint32_t a, std::uint32_t b)
{
    PlanOp op;
    op.kind = OpKind::Transpose;
    op.axis = a;
    op.axis2 = b;
    return op;
}

PlanOp PlanOp::slice(std::uint32_t axis, std::uint64_t begin, std::uint64_t end)
{
    PlanOp op;
    op.kind = OpKind::Slice;
    op.axis = axis;
    op.begin = begin;
    op.end = end;
    return op;
}

PlanOp PlanOp::concat(std::uint32_t axis, std::uint32_t count)
{
    PlanOp op;
    op.kind = OpKind::Concat;
    op.axis = axis;
    op.count = count;
    return op;
}

PlanOp PlanOp::stack(std::uint32_t count)
{
    PlanOp op;
    op.kind = OpKind::Stack;
    op.count = count;
    return op;
}

PlanOp PlanOp::scaleAbsorb(std::string scale, std::uint64_t index)
{
    PlanOp op;
    op.kind = OpKind::ScaleAbsorb;
    op.tensor = std::move(scale);
    op.index = index;
    return op;
}

PlanOp PlanOp::fill(double value)
{
    PlanOp op;
    op.kind = OpKind::Fill;
    op.value = value;
    return op;
}

PlanOp PlanOp::cast(DType dtype)
{
    PlanOp op;
    op.kind = OpKind::Cast;
    op.dtype = dtype;
    return op;
}

PlanOp PlanOp::quantizeFp8Block(std::uint32_t rows, std::uint32_t cols, DType scaleDtype,
                                QuantPart part)
{
    PlanOp op;
    op.kind = OpKind::QuantizeFp8Block;
    op.blockRows = rows;
    op.blockCols = cols;
    op.dtype = scaleDtype;
    op.part = part;
    return op;
}

PlanOp PlanOp::quantizeFp4(std::uint32_t group, QuantPart part)
{
    PlanOp op;
    op.kind = OpKind::QuantizeFp4;
    op.blockRows = 1;
    op.blockCols = group;
    op.dtype = DType::F8_E8M0;
    op.part = part;
    return op;
}

} // namespace ckpt
