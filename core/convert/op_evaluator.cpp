#include "core/convert/op_evaluator.h"

#include "core/checkpoint/checkpoint.h"
#include "core/convert/layout_ops.h"
#include "core/kernel_backend.h"
#include "core/safetensors/safetensors_file.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace ckpt {
namespace {

constexpr std::uint64_t kQuantCacheLimit = 2ull << 30;

bool isPlainFloat(DType d) { return d == DType::BF16 || d == DType::F16 || d == DType::F32 || d == DType::F64; }

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

Error opError(const PlanOutput& out, const std::string& message)
{
    return makeError(ErrorCode::PlanInvalid, message, {}, out.name);
}

// The dtype a dequantization may produce directly (see the header): the final Cast's dtype when
// nothing but rearrangement follows, else F32.
DType dequantTarget(std::span<const PlanOp> ops)
{
    if (ops.empty() || ops.back().kind != OpKind::Cast || !isPlainFloat(ops.back().dtype)) return DType::F32;
    for (const PlanOp& op : ops)
        if (op.kind == OpKind::ScaleAbsorb || op.kind == OpKind::Fill || op.kind == OpKind::QuantizeFp8Block ||
            op.kind == OpKind::QuantizeFp4)
            return DType::F32;
    return ops.back().dtype;
}

int stackEffect(const PlanOp& op)
{
    switch (op.kind) {
    case OpKind::Read: case OpKind::Fill: return 1;
    case OpKind::Concat: case OpKind::Stack: return 1 - static_cast<int>(op.count);
    default: return 0;
    }
}

} // namespace

// Reading a mapped page past the end of a file that shrank raises SIGBUS. A shard truncated
// after it was opened (a failed download being replaced, a full disk elsewhere) is caught here
// with a clear error before its bytes are touched; a truncation racing the read itself cannot be.
Status OpEvaluator::checkStillThere(const TensorRef& ref) const
{
    const std::string& file = m_source.fileOf(ref);
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        return makeError(ErrorCode::Io, std::string("the source file disappeared: ") + std::strerror(errno), file, ref.name);
    if (static_cast<std::uint64_t>(st.st_size) < ref.offset + ref.nbytes)
        return makeError(ErrorCode::OffsetsPastEnd, "the source file was truncated while being converted (now "
                         + std::to_string(st.st_size) + " bytes)", file, ref.name);
    return {};
}

OpEvaluator::OpEvaluator(const Checkpoint& source, KernelBackend& backend) : m_source(source), m_backend(backend) {}

Result<std::vector<std::size_t>> OpEvaluator::stackElementEnds(std::span<const PlanOp> ops)
{
    std::vector<std::size_t> ends;
    if (ops.empty() || ops.back().kind != OpKind::Stack) return ends;
    const std::size_t n = ops.back().count;
    // Element i is complete after the last op that leaves the stack at depth i + 1.
    ends.assign(n, 0);
    std::vector<bool> seen(n, false);
    long depth = 0;
    for (std::size_t p = 0; p + 1 < ops.size(); ++p) {
        depth += stackEffect(ops[p]);
        if (depth < 1)
            return makeError(ErrorCode::PlanInvalid, "stack program pops more values than it pushed");
        // An element's program may hold a few values at once (gate and up before their concat).
        if (depth > static_cast<long>(n)) continue;
        ends[static_cast<std::size_t>(depth - 1)] = p + 1;
        seen[static_cast<std::size_t>(depth - 1)] = true;
    }
    if (depth != static_cast<long>(n))
        return makeError(ErrorCode::PlanInvalid, "stack of " + std::to_string(n) + " over " + std::to_string(depth) + " values");
    for (std::size_t i = 0; i < n; ++i)
        if (!seen[i] || (i > 0 && ends[i] <= ends[i - 1]))
            return makeError(ErrorCode::PlanInvalid, "stack elements are not separable");
    return ends;
}

Result<TensorValue> OpEvaluator::run(std::span<const PlanOp> ops, const PlanOutput& output)
{
    std::vector<TensorValue> stack;
    const DType dequantTo = dequantTarget(ops);
    for (std::size_t i = 0; i < ops.size(); ++i) {
        auto v = apply(ops, i, stack, dequantTo, output);
        if (!v) {
            Error e = v.takeError();
            if (e.tensor.empty()) e.tensor = output.name;
            return e;
        }
        stack.push_back(std::move(*v));
    }
    if (stack.size() != 1) return opError(output, "op list leaves " + std::to_string(stack.size()) + " values");
    return settle(std::move(stack.back()));
}

Result<TensorValue> OpEvaluator::apply(std::span<const PlanOp> ops, std::size_t at, std::vector<TensorValue>& stack,
                                       DType dequantTo, const PlanOutput& output)
{
    const PlanOp& op = ops[at];
    if (op.kind != OpKind::Read && op.kind != OpKind::Fill && stack.empty())
        return opError(output, "'" + op.describe() + "' on an empty stack");
    if (op.kind == OpKind::Concat) {
        if (op.count == 0 || stack.size() < op.count) return opError(output, "concat needs " + std::to_string(op.count) + " values");
        std::vector<TensorValue> parts(std::make_move_iterator(stack.end() - op.count), std::make_move_iterator(stack.end()));
        stack.resize(stack.size() - op.count);
        return concat(parts, op.axis);
    }
    TensorValue in;
    if (op.kind != OpKind::Read && op.kind != OpKind::Fill && op.kind != OpKind::Stack) {
        in = std::move(stack.back());
        stack.pop_back();
        if (op.kind == OpKind::Transpose) return transpose(std::move(in), op.axis, op.axis2);
        auto settled = settle(std::move(in));
        if (!settled) return settled;
        in = std::move(*settled);
    }
    switch (op.kind) {
    case OpKind::Read: return readSource(op);
    case OpKind::Fill: return fill(op, output);
    case OpKind::DequantFp8Block:
    case OpKind::DequantFp4: return dequant(op, std::move(in), dequantTo);
    case OpKind::Slice: return sliceAxis(in, op.axis, op.begin, op.end);
    case OpKind::ScaleAbsorb: return scaleAbsorb(op, in);
    case OpKind::Cast: return castFloat(in, op.dtype);
    case OpKind::QuantizeFp8Block:
    case OpKind::QuantizeFp4: return quantize(ops, at, in);
    case OpKind::Transpose:
    case OpKind::Concat: break;  // handled above
    case OpKind::Stack: return opError(output, "stack must be the last op and is streamed by the executor");
    }
    return opError(output, "unknown op");
}

Result<TensorValue> OpEvaluator::readSource(const PlanOp& op)
{
    const TensorRef* ref = m_source.find(op.tensor);
    if (!ref) return makeError(ErrorCode::PlanInvalid, "source tensor not in the checkpoint", {}, op.tensor);
    auto bytes = m_source.tensorBytes(*ref);
    if (!bytes) return bytes.takeError();
    CKPT_TRY(checkStillThere(*ref));
    TensorValue v;
    v.dtype = ref->dtype;
    v.shape = ref->shape;
    v.bytes = *bytes;
    if (op.index) {
        if (v.shape.empty() || *op.index >= v.shape[0])
            return makeError(ErrorCode::PlanInvalid, "element " + std::to_string(*op.index) + " out of range for "
                             + shapeToString(v.shape), m_source.fileOf(*ref), op.tensor);
        const std::uint64_t slab = ref->nbytes / v.shape[0];
        v.bytes = v.bytes.subspan(*op.index * slab, slab);
        v.shape.erase(v.shape.begin());
    }
    const std::uint64_t start = ref->offset + static_cast<std::uint64_t>(v.bytes.data() - bytes->data());
    m_touched.push_back({ref->fileIndex, {start, v.bytes.size()}});
    return v;
}

Result<TensorValue> OpEvaluator::dequant(const PlanOp& op, TensorValue w, DType outDtype)
{
    const TensorRef* scaleRef = m_source.find(op.tensor);
    if (!scaleRef) return makeError(ErrorCode::ScaleMissing, "scale tensor not in the checkpoint", {}, op.tensor);
    auto scale = m_source.tensorBytes(*scaleRef);
    if (!scale) return scale.takeError();
    CKPT_TRY(checkStillThere(*scaleRef));
    m_touched.push_back({scaleRef->fileIndex, {scaleRef->offset, scaleRef->nbytes}});
    const std::string& file = m_source.fileOf(*scaleRef);
    if (w.shape.size() != 2) return makeError(ErrorCode::PlanInvalid, "dequantization needs a 2-D weight, got " + shapeToString(w.shape), file, op.tensor);
    const std::uint64_t rows = w.shape[0];
    const bool fp4 = op.kind == OpKind::DequantFp4;
    const std::uint64_t cols = fp4 ? w.shape[1] * 2 : w.shape[1];
    const auto& ss = scaleRef->shape;
    const bool shapeOk = fp4 ? (ss.size() == 2 && ss[0] == rows && ss[1] >= ceilDiv(cols, op.blockCols))
                             : (ss.size() == 2 && ss[0] == ceilDiv(rows, op.blockRows) && ss[1] == ceilDiv(cols, op.blockCols));
    if (!shapeOk || op.blockCols == 0 || (!fp4 && op.blockRows == 0))
        return makeError(ErrorCode::ScaleShapeMismatch, "scale shape " + shapeToString(ss) + " does not fit weight "
                         + shapeToString(w.shape), file, op.tensor);
    auto out = TensorValue::allocate(outDtype, {rows, cols});
    if (!out) return out;
    Status st;
    if (fp4) {
        st = m_backend.dequantFp4({.packed = w.bytes.data(), .rows = rows, .cols = cols, .scale = scale->data(),
                                   .scaleCols = ss[1], .groupSize = op.blockCols, .out = out->mutableData(),
                                   .outDtype = outDtype});
    } else {
        st = m_backend.dequantFp8Block({.weight = w.bytes.data(), .rows = rows, .cols = cols, .scale = scale->data(),
                                        .scaleDtype = scaleRef->dtype, .blockRows = op.blockRows,
                                        .blockCols = op.blockCols, .out = out->mutableData(), .outDtype = outDtype});
    }
    if (!st.ok()) {
        Error e = st.error();
        if (e.tensor.empty()) e.tensor = op.tensor;
        if (e.file.empty()) e.file = file;
        return e;
    }
    return out;
}

Result<TensorValue> OpEvaluator::castFloat(const TensorValue& in, DType to)
{
    if (in.dtype == to) return in;
    if (isInteger(in.dtype) && isInteger(to)) return castInteger(in, to);
    if (!isFloatingPoint(in.dtype) || !isPlainFloat(to))
        return makeError(ErrorCode::UnsupportedDtype, "cannot cast " + std::string(dtypeName(in.dtype)) + " to "
                         + std::string(dtypeName(to)));
    auto out = TensorValue::allocate(to, in.shape);
    if (!out) return out;
    CKPT_TRY(m_backend.cast({.in = in.bytes.data(), .inDtype = in.dtype, .count = in.elementCount(),
                             .out = out->mutableData(), .outDtype = to}));
    return out;
}

Result<TensorValue> OpEvaluator::concat(std::vector<TensorValue>& parts, std::uint32_t axis)
{
    bool mixed = false, pending = false, columns = axis == 1;
    for (const auto& p : parts) {
        mixed |= p.dtype != parts.front().dtype;
        pending |= p.transposePending;
        columns &= p.shape.size() == 2 && p.shape[0] == parts.front().shape[0];
    }
    if (pending && columns && !mixed) {
        std::uint64_t width = 0;
        for (const auto& p : parts) width += p.shape[1];
        auto out = TensorValue::allocate(parts.front().dtype, {parts.front().shape[0], width});
        if (!out) return out;
        const std::size_t es = static_cast<std::size_t>(dtypeBits(out->dtype) / 8);
        std::uint64_t at = 0;
        for (const auto& p : parts) {
            std::byte* dst = out->mutableData() + at * es;
            if (p.transposePending) {
                CKPT_TRY(transposeInto(p, dst, width));
            } else {
                const std::uint64_t row = p.shape[1] * es;
                for (std::uint64_t r = 0; r < p.shape[0]; ++r) std::memcpy(dst + r * width * es, p.bytes.data() + r * row, row);
            }
            at += p.shape[1];
        }
        return out;
    }
    for (auto& p : parts) {
        auto settled = settle(std::move(p));
        if (!settled) return settled;
        p = std::move(*settled);
    }
    if (mixed)  // F32 holds every narrower float exactly; the final Cast rounds once.
        for (auto& p : parts) {
            auto c = castFloat(p, DType::F32);
            if (!c) return c;
            p = std::move(*c);
        }
    return concatAxis(parts, axis);
}

Result<TensorValue> OpEvaluator::transpose(TensorValue in, std::uint32_t a, std::uint32_t b)
{
    const int bits = dtypeBits(in.dtype);
    const bool lazy = in.shape.size() == 2 && a != b && a < 2 && b < 2 && (bits == 8 || bits == 16 || bits == 32 || bits == 64);
    if (!lazy) {
        auto settled = settle(std::move(in));
        if (!settled) return settled;
        return transposeAxes(*settled, a, b);
    }
    std::swap(in.shape[0], in.shape[1]);
    in.transposePending = !in.transposePending;  // a transpose of a pending transpose is the bytes as they are
    return in;
}

Status OpEvaluator::transposeInto(const TensorValue& pending, std::byte* out, std::uint64_t outStride)
{
    // The bytes are the [shape[1], shape[0]] matrix; its transpose is the value.
    return m_backend.transpose({.in = pending.bytes.data(), .out = out, .rows = pending.shape[1], .cols = pending.shape[0],
                                .elementBytes = static_cast<std::uint32_t>(dtypeBits(pending.dtype) / 8),
                                .outStride = outStride});
}

Result<TensorValue> OpEvaluator::settle(TensorValue v)
{
    if (!v.transposePending) return v;
    auto out = TensorValue::allocate(v.dtype, v.shape);
    if (!out) return out;
    CKPT_TRY(transposeInto(v, out->mutableData(), v.shape[1]));
    return out;
}

Result<TensorValue> OpEvaluator::scaleAbsorb(const PlanOp& op, const TensorValue& in)
{
    const TensorRef* ref = m_source.find(op.tensor);
    if (!ref || !op.index || ref->shape.size() != 1 || *op.index >= ref->shape[0])
        return makeError(ErrorCode::PlanInvalid, "scale vector element missing", {}, op.tensor);
    auto bytes = m_source.tensorBytes(*ref);
    if (!bytes) return bytes.takeError();
    const std::size_t es = static_cast<std::size_t>(dtypeBits(ref->dtype) / 8);
    float s = 0;
    CKPT_TRY(m_backend.cast({.in = bytes->data() + *op.index * es, .inDtype = ref->dtype, .count = 1, .out = &s,
                             .outDtype = DType::F32}));
    auto v = castFloat(in, DType::F32);
    if (!v) return v;
    auto out = TensorValue::allocate(DType::F32, in.shape);
    if (!out) return out;
    const float* src = reinterpret_cast<const float*>(v->bytes.data());
    float* dst = reinterpret_cast<float*>(out->mutableData());
    const std::uint64_t n = in.elementCount();
    for (std::uint64_t i = 0; i < n; ++i) dst[i] = src[i] * s;  // f32 product, as PyTorch computes it
    return out;
}

Result<TensorValue> OpEvaluator::fill(const PlanOp& op, const PlanOutput& output)
{
    auto out = TensorValue::allocate(output.dtype, output.shape);
    if (!out) return out;
    const std::size_t es = static_cast<std::size_t>(dtypeBits(output.dtype) / 8);
    std::byte one[8] = {};
    if (isPlainFloat(output.dtype)) {
        const double v = op.value;
        CKPT_TRY(m_backend.cast({.in = &v, .inDtype = DType::F64, .count = 1, .out = one, .outDtype = output.dtype}));
    } else if (isInteger(output.dtype)) {
        const auto v = static_cast<std::int64_t>(op.value);
        std::memcpy(one, &v, es);
    } else {
        return makeError(ErrorCode::UnsupportedDtype, "cannot fill " + std::string(dtypeName(output.dtype)), {}, output.name);
    }
    const std::uint64_t n = out->elementCount();
    for (std::uint64_t i = 0; i < n; ++i) std::memcpy(out->mutableData() + i * es, one, es);
    return out;
}

Result<TensorValue> OpEvaluator::quantize(std::span<const PlanOp> ops, std::size_t at, const TensorValue& in)
{
    const PlanOp& op = ops[at];
    std::string key;
    for (std::size_t i = 0; i < at; ++i) key += ops[i].describe() + "\n";
    const std::string wanted = key + (op.part == QuantPart::Weight ? "w" : "s");
    if (auto it = m_quantCache.find(wanted); it != m_quantCache.end()) {
        TensorValue v = std::move(it->second);
        m_quantCacheBytes -= v.bytes.size();
        m_quantCache.erase(it);
        return v;
    }
    if (in.shape.size() != 2) return makeError(ErrorCode::PlanInvalid, "quantization needs a 2-D value");
    auto src = isPlainFloat(in.dtype) && in.dtype != DType::F64 ? Result<TensorValue>(in) : castFloat(in, DType::F32);
    if (!src) return src;
    const std::uint64_t rows = in.shape[0], cols = in.shape[1];
    const bool fp4 = op.kind == OpKind::QuantizeFp4;
    auto weight = fp4 ? TensorValue::allocate(DType::I8, {rows, cols / 2}) : TensorValue::allocate(DType::F8_E4M3, {rows, cols});
    auto scale = fp4 ? TensorValue::allocate(DType::F8_E8M0, {rows, ceilDiv(cols, op.blockCols)})
                     : TensorValue::allocate(op.dtype, {ceilDiv(rows, op.blockRows), ceilDiv(cols, op.blockCols)});
    if (!weight) return weight;
    if (!scale) return scale;
    if (fp4)
        CKPT_TRY(m_backend.quantFp4({.in = src->bytes.data(), .inDtype = src->dtype, .rows = rows, .cols = cols,
                                     .groupSize = op.blockCols, .outPacked = weight->mutableData(),
                                     .outScale = scale->mutableData()}));
    else
        CKPT_TRY(m_backend.quantFp8Block({.in = src->bytes.data(), .inDtype = src->dtype, .rows = rows, .cols = cols,
                                          .blockRows = op.blockRows, .blockCols = op.blockCols,
                                          .outWeight = weight->mutableData(), .outScale = scale->mutableData(),
                                          .scaleDtype = op.dtype}));
    TensorValue& other = op.part == QuantPart::Weight ? *scale : *weight;
    if (m_quantCacheBytes + other.bytes.size() <= kQuantCacheLimit) {
        m_quantCacheBytes += other.bytes.size();
        m_quantCache[key + (op.part == QuantPart::Weight ? "s" : "w")] = std::move(other);
    }
    return op.part == QuantPart::Weight ? std::move(*weight) : std::move(*scale);
}

void OpEvaluator::releaseSourcePages()
{
    for (const auto& [fileIndex, range] : m_touched)
        if (auto f = m_source.mappedFile(fileIndex); f.ok()) (*f)->release(range.first, range.second);
    m_touched.clear();
}

} // namespace ckpt
