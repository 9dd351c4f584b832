#include "core/plan/plan_context.h"

#include <algorithm>

namespace ckpt {
namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

std::string shapeText(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Dtypes the kernels can turn into plain floats without a scale.
bool isPlainFloat(DType d)
{
    return d == DType::BF16 || d == DType::F16 || d == DType::F32 || d == DType::F64
        || d == DType::F8_E5M2 || d == DType::F8_E8M0;
}

void addSource(PlanOutput& out, const std::string& name)
{
    if (std::find(out.sources.begin(), out.sources.end(), name) == out.sources.end())
        out.sources.push_back(name);
}

} // namespace

PlanContext::PlanContext(const PlanInput& input, const PlanOptions& options, Layout from, Layout to)
    : m_input(input), m_options(options), m_from(from), m_to(to)
{
    m_sorted.reserve(input.tensors.size());
    for (const TensorRef& t : input.tensors) m_sorted.push_back(&t);
    std::sort(m_sorted.begin(), m_sorted.end(),
              [](const TensorRef* a, const TensorRef* b) { return a->name < b->name; });
    for (const TensorRef* t : m_sorted) m_byName.emplace(t->name, t);
    for (const QuantPair& p : input.quant.pairs) {
        m_pairByWeight.emplace(p.weight, &p);
        m_pairByScale.emplace(p.scale, &p);
    }
    m_plan.family = input.family;
    m_plan.from = from;
    m_plan.to = to;
}

const TensorRef* PlanContext::find(std::string_view name) const
{
    auto it = m_byName.find(name);
    return it == m_byName.end() ? nullptr : it->second;
}

const QuantPair* PlanContext::pairOfWeight(std::string_view weight) const
{
    auto it = m_pairByWeight.find(weight);
    return it == m_pairByWeight.end() ? nullptr : it->second;
}

const QuantPair* PlanContext::pairOfScale(std::string_view scale) const
{
    auto it = m_pairByScale.find(scale);
    return it == m_pairByScale.end() ? nullptr : it->second;
}

std::string PlanContext::fileOf(const TensorRef& tensor) const
{
    return tensor.fileIndex < m_input.files.size() ? m_input.files[tensor.fileIndex] : std::string();
}

bool PlanContext::isHandled(std::string_view name) const
{
    return m_handled.count(std::string(name)) != 0;
}

Error PlanContext::tensorError(ErrorCode code, std::string message, std::string_view tensor,
                               const TensorRef* near) const
{
    const TensorRef* t = find(tensor);
    if (!t) t = near;
    return makeError(code, std::move(message), t ? fileOf(*t) : std::string(), std::string(tensor));
}

Result<PlanValue> PlanContext::appendLoad(PlanOutput& out, const TensorRef& t,
                                          std::optional<std::uint64_t> index) const
{
    if (const QuantPair* pair = pairOfWeight(t.name)) return appendDequant(out, t, *pair, index);
    const std::string dt(dtypeName(t.dtype));
    if (t.dtype == DType::F8_E4M3)
        return tensorError(ErrorCode::ScaleMissing,
                           "F8_E4M3 weight has no scale tensor; converting it unscaled would "
                           "corrupt its values", t.name);
    if (t.dtype == DType::I8 || t.dtype == DType::U8)
        return tensorError(ErrorCode::ScaleMissing,
                           dt + " packed FP4 weight has no scale tensor", t.name);
    if (!isPlainFloat(t.dtype))
        return tensorError(ErrorCode::UnsupportedDtype,
                           "dtype " + dt + " cannot be converted to a float type", t.name);
    PlanValue v{t.dtype, t.shape};
    if (index) {
        if (t.shape.empty() || *index >= t.shape[0])
            return tensorError(ErrorCode::PlanInvalid, "element " + std::to_string(*index)
                               + " is outside shape " + shapeText(t.shape), t.name);
        v.shape.erase(v.shape.begin());
    }
    out.ops.push_back(PlanOp::read(t.name, index));
    addSource(out, t.name);
    return v;
}

Result<PlanValue> PlanContext::appendDequant(PlanOutput& out, const TensorRef& t,
                                             const QuantPair& pair,
                                             std::optional<std::uint64_t> index) const
{
    if (index)
        return tensorError(ErrorCode::UnsupportedDtype,
                           "quantized stacked tensors are not supported", t.name);
    const TensorRef* scale = find(pair.scale);
    if (!scale)
        return tensorError(ErrorCode::ScaleMissing, "scale tensor '" + pair.scale + "' is missing",
                           t.name);
    if (t.shape.size() != 2 || scale->shape.size() != 2)
        return tensorError(ErrorCode::ScaleShapeMismatch, "quantized weight " + shapeText(t.shape)
                           + " and scale " + shapeText(scale->shape) + " must both be 2-D", t.name);
    const bool fp4 = pair.scheme == QuantScheme::Fp4E2m1;
    const std::uint64_t rows = t.shape[0], cols = fp4 ? t.shape[1] * 2 : t.shape[1];
    const std::uint32_t br = fp4 ? 1 : std::max<std::uint32_t>(pair.blockRows, 1);
    const std::uint32_t bc = std::max<std::uint32_t>(pair.blockCols, 1);
    const bool weightOk = fp4 ? (t.dtype == DType::I8 || t.dtype == DType::U8)
                              : t.dtype == DType::F8_E4M3;
    if (!weightOk)
        return tensorError(ErrorCode::UnsupportedDtype, std::string("weight dtype ")
                           + std::string(dtypeName(t.dtype)) + " does not fit scheme "
                           + std::string(quantSchemeName(pair.scheme)), t.name);
    const bool scaleDtypeOk = fp4 ? (scale->dtype == DType::F8_E8M0 || scale->dtype == DType::U8)
        : (scale->dtype == DType::F32 || scale->dtype == DType::BF16 || scale->dtype == DType::F8_E8M0);
    if (!scaleDtypeOk)
        return tensorError(ErrorCode::ScaleDtypeInvalid, "scale '" + pair.scale + "' has dtype "
                           + std::string(dtypeName(scale->dtype)), t.name);
    const std::uint64_t wantRows = ceilDiv(rows, br), wantCols = ceilDiv(cols, bc);
    // fp4 decoding ignores extra scale columns (deepseek-v4.md §6.3); fp8 grids must be exact.
    const bool shapeOk = scale->shape[0] == wantRows
        && (fp4 ? scale->shape[1] >= wantCols : scale->shape[1] == wantCols);
    if (!shapeOk)
        return tensorError(ErrorCode::ScaleShapeMismatch, "scale '" + pair.scale + "' has shape "
                           + shapeText(scale->shape) + ", expected ["
                           + std::to_string(wantRows) + ", " + std::to_string(wantCols)
                           + "] for weight " + shapeText(t.shape), t.name);
    out.ops.push_back(PlanOp::read(t.name));
    out.ops.push_back(fp4 ? PlanOp::dequantFp4(pair.scale, bc, scale->dtype)
                          : PlanOp::dequantFp8Block(pair.scale, br, bc, scale->dtype));
    addSource(out, t.name);
    addSource(out, pair.scale);
    return PlanValue{DType::F32, {rows, cols}};
}

void PlanContext::appendCast(PlanOutput& out, PlanValue& value, DType dtype)
{
    if (value.dtype == dtype) return;
    out.ops.push_back(PlanOp::cast(dtype));
    value.dtype = dtype;
}

void PlanContext::addOutput(PlanOutput output)
{
    // A source dropped before (skip list, or a problem turned into a drop by skipInvalid) cannot
    // feed an output: writing it would read the skipped tensor anyway, or stack experts around a
    // hole, or an FP8 weight without its scale. The output goes, with what it would have read.
    const auto gone = std::find_if(output.sources.begin(), output.sources.end(),
                                   [this](const std::string& s) { return m_droppedNames.count(s) != 0; });
    if (gone != output.sources.end()) {
        const std::string reason = "needed by " + output.name + ", which is left out because " + *gone + " is dropped";
        warn(output.name + " is left out: it needs " + *gone + ", which is dropped");
        for (const std::string& s : output.sources) drop(s, reason);
        return;
    }
    for (const std::string& s : output.sources) {
        m_handled.insert(s);
        if (const QuantPair* p = pairOfScale(s))
            m_plan.consumed.push_back({s, "scale consumed by dequantization of " + p->weight});
    }
    m_plan.outputs.push_back(std::move(output));
}

void PlanContext::drop(const std::string& name, std::string reason)
{
    if (!m_handled.insert(name).second) return;
    m_droppedNames.insert(name);
    m_plan.dropped.push_back({name, std::move(reason)});
}

void PlanContext::consume(const std::string& name, std::string reason)
{
    // The output that would have consumed it was left out (see addOutput): it stays dropped.
    if (m_droppedNames.count(name)) return;
    m_handled.insert(name);
    m_plan.consumed.push_back({name, std::move(reason)});
}

void PlanContext::warn(std::string message) { m_plan.warnings.push_back(std::move(message)); }

void PlanContext::fail(Error error, const std::vector<std::string>& affected)
{
    if (!m_options.skipInvalid) {
        m_errors.push_back(std::move(error));
        return;
    }
    std::vector<std::string> names = affected;
    if (names.empty() && !error.tensor.empty()) names.push_back(error.tensor);
    for (const std::string& n : names) {
        drop(n, "skipped: " + error.message);
        // A skipped weight takes its scale with it.
        if (const QuantPair* p = pairOfWeight(n)) drop(p->scale, "scale of skipped " + n);
    }
    warn("skipped: " + error.toString());
}

} // namespace ckpt
