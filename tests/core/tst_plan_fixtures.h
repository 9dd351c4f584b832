#pragma once
// Synthetic tensor lists for the plan tests: header facts only (name, dtype, shape) plus a
// hand-built QuantPairing, so the plan suites need no files and no pairing implementation.

#include "core/plan/conversion_plan.h"

#include <QString>
#include <QStringList>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ckpt::test {

inline std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

struct SynthCheckpoint {
    PlanInput in;

    SynthCheckpoint(Family family, Layout layout, nlohmann::json config = nlohmann::json::object())
    {
        in.family = family;
        in.layout = layout;
        in.config = std::move(config);
        in.files = {"/ckpt/model-00001-of-00001.safetensors"};
    }

    SynthCheckpoint& add(std::string name, DType dtype, std::vector<std::uint64_t> shape)
    {
        TensorRef t;
        t.name = std::move(name);
        t.dtype = dtype;
        t.shape = std::move(shape);
        in.tensors.push_back(std::move(t));
        return *this;
    }

    // F8_E4M3 [r, c] + F32 scale [ceil(r/128), ceil(c/128)] (or `scaleShape`), paired.
    SynthCheckpoint& addFp8(const std::string& weight, std::vector<std::uint64_t> shape,
                            const std::string& scale, std::vector<std::uint64_t> scaleShape = {},
                            DType scaleDtype = DType::F32)
    {
        if (scaleShape.empty()) scaleShape = {ceilDiv(shape[0], 128), ceilDiv(shape[1], 128)};
        add(weight, DType::F8_E4M3, shape);
        add(scale, scaleDtype, scaleShape);
        pair(weight, scale, QuantScheme::Fp8Block, 128, 128, DType::F8_E4M3, scaleDtype, shape);
        return *this;
    }

    // DeepSeek V4 Flash expert: logical [out, in] -> I8 [out, in/2] + F8_E8M0 [out, in/32].
    SynthCheckpoint& addFp4(const std::string& weight, std::vector<std::uint64_t> logical,
                            const std::string& scale)
    {
        add(weight, DType::I8, {logical[0], logical[1] / 2});
        add(scale, DType::F8_E8M0, {logical[0], ceilDiv(logical[1], 32)});
        pair(weight, scale, QuantScheme::Fp4E2m1, 1, 32, DType::I8, DType::F8_E8M0, logical);
        return *this;
    }

    void pair(const std::string& weight, const std::string& scale, QuantScheme scheme,
              std::uint32_t br, std::uint32_t bc, DType wd, DType sd,
              std::vector<std::uint64_t> logical)
    {
        QuantPair p;
        p.weight = weight;
        p.scale = scale;
        p.scheme = scheme;
        p.blockRows = br;
        p.blockCols = bc;
        p.weightDtype = wd;
        p.scaleDtype = sd;
        p.logicalShape = std::move(logical);
        in.quant.pairs.push_back(std::move(p));  // plans do not need them sorted
    }

    void remove(const std::string& name)
    {
        std::erase_if(in.tensors, [&](const TensorRef& t) { return t.name == name; });
    }

    Result<ConversionPlan> plan(PlanOptions options = {}) const { return buildPlan(in, options); }
};

inline std::set<std::string> outputNames(const ConversionPlan& plan)
{
    std::set<std::string> names;
    for (const PlanOutput& o : plan.outputs) names.insert(o.name);
    return names;
}

inline std::set<std::string> droppedNames(const ConversionPlan& plan)
{
    std::set<std::string> names;
    for (const DroppedTensor& d : plan.dropped) names.insert(d.name);
    return names;
}

inline QStringList opsOf(const PlanOutput& out)
{
    QStringList ops;
    for (const PlanOp& op : out.ops) ops << QString::fromStdString(op.describe());
    return ops;
}

inline QString shapeOf(const std::vector<std::uint64_t>& shape)
{
    QStringList parts;
    for (std::uint64_t d : shape) parts << QString::number(d);
    return "[" + parts.join(",") + "]";
}

// Option sets used by the suites (designated initializers would trip
// -Wmissing-field-initializers).
inline PlanOptions withTarget(Layout layout) { PlanOptions o; o.target = layout; return o; }
inline PlanOptions withDtype(DType dtype) { PlanOptions o; o.dtype = dtype; return o; }
inline PlanOptions withFp8() { PlanOptions o; o.quantize = QuantizeMode::Fp8; return o; }
inline PlanOptions withSkip(std::vector<std::string> names) { PlanOptions o; o.skip = std::move(names); return o; }
inline PlanOptions withSkipInvalid() { PlanOptions o; o.skipInvalid = true; return o; }
inline PlanOptions withShardBytes(std::uint64_t n) { PlanOptions o; o.maxShardBytes = n; return o; }

// The native checkpoint a plan would write, as header facts (for round trips).
inline PlanInput inputFromPlan(const ConversionPlan& plan, const PlanInput& source)
{
    PlanInput in;
    in.family = source.family;
    in.layout = plan.to;
    in.config = source.config;
    for (const PlanOutput& o : plan.outputs) {
        TensorRef t;
        t.name = o.name;
        t.dtype = o.dtype;
        t.shape = o.shape;
        in.tensors.push_back(std::move(t));
    }
    return in;
}

// Name -> shape of every non-scale tensor of a source (what a round trip must give back).
inline std::map<std::string, std::vector<std::uint64_t>> weightShapes(const PlanInput& in)
{
    std::map<std::string, std::vector<std::uint64_t>> out;
    std::set<std::string> scales;
    for (const QuantPair& p : in.quant.pairs) scales.insert(p.scale);
    for (const TensorRef& t : in.tensors) {
        if (scales.count(t.name)) continue;
        std::vector<std::uint64_t> shape = t.shape;
        for (const QuantPair& p : in.quant.pairs)
            if (p.weight == t.name) shape = p.logicalShape;
        out[t.name] = shape;
    }
    return out;
}

inline std::map<std::string, std::vector<std::uint64_t>> outputShapes(const ConversionPlan& plan)
{
    std::map<std::string, std::vector<std::uint64_t>> out;
    for (const PlanOutput& o : plan.outputs) out[o.name] = o.shape;
    return out;
}

} // namespace ckpt::test

// Asserts (from a test function) that `r` failed with `code`, naming `tensor` and a file.
#define CKPT_EXPECT_PLAN_ERROR(result_, code_, tensor_)                                    \
    do {                                                                                   \
        const auto& r_ = (result_);                                                        \
        QVERIFY2(!r_.ok(), "plan unexpectedly succeeded");                                 \
        QCOMPARE(QString::fromStdString(std::string(errorCodeName(r_.error().code))),      \
                 QString::fromStdString(std::string(errorCodeName(code_))));               \
        QCOMPARE(QString::fromStdString(r_.error().tensor), QString(tensor_));             \
        QVERIFY2(!r_.error().file.empty(), r_.error().toString().c_str());                 \
    } while (0)

// Asserts that `r` succeeded (printing the error otherwise).
#define CKPT_EXPECT_PLAN_OK(r) QVERIFY2((r).ok(), (r).ok() ? "" : (r).error().toString().c_str())
