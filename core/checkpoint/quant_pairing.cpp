#include "core/checkpoint/quant_pairing.h"

#include "core/checkpoint/checkpoint.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace ckpt {
namespace {

constexpr std::string_view kWeight = ".weight";
constexpr std::string_view kScaleInv = ".weight_scale_inv";
constexpr std::string_view kScale = ".scale";

std::string shapeText(const std::vector<std::uint64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0); }

// name <=> a + b, without building the joined string.
int compareJoined(std::string_view name, std::string_view a, std::string_view b)
{
    if (int c = name.substr(0, a.size()).compare(a); c != 0) return c;
    return name.substr(a.size()).compare(b);
}

bool isBlockScaleDtype(DType d) { return d == DType::F32 || d == DType::BF16 || d == DType::F8_E8M0; }

// Weight dtypes that cannot be used without a scale: FP8 e4m3 (V3/V4 dense) and int8-packed FP4.
bool needsScale(DType d) { return d == DType::F8_E4M3 || d == DType::I8 || d == DType::U8; }

// Everything one pairing pass needs, so the per-weight steps stay small functions.
class Pairer {
public:
    Pairer(const std::vector<TensorRef>& tensors, const nlohmann::json& config,
           std::span<const std::string> files)
        : m_tensors(tensors), m_files(files), m_configBlock(configBlockSize(config)),
          m_claimed(tensors.size(), false)
    {
    }

    void pairWeight(std::size_t index);
    void collectOrphans();
    void addConfigMismatchProblem();
    QuantPairing take() { return std::move(m_out); }
    void addProblem(Error e) { m_out.problems.push_back(std::move(e)); }

private:
    // The tensor named base + suffix, searched from `near` outwards: a weight's scale is almost
    // always its neighbour in name order ("X.scale" just before "X.weight", "X.weight_scale_inv"
    // just after), so the common case costs one comparison instead of a binary search.
    const TensorRef* findNear(std::size_t near, std::string_view base, std::string_view suffix) const
    {
        if (near < m_tensors.size()) {
            const int c = compareJoined(m_tensors[near].name, base, suffix);
            if (c == 0) return &m_tensors[near];
        }
        auto it = std::lower_bound(m_tensors.begin(), m_tensors.end(), 0, [&](const TensorRef& t, int) {
            return compareJoined(t.name, base, suffix) < 0;
        });
        return it != m_tensors.end() && compareJoined(it->name, base, suffix) == 0 ? &*it : nullptr;
    }
    std::string fileOf(const TensorRef& t) const
    {
        return t.fileIndex < m_files.size() ? m_files[t.fileIndex] : std::string();
    }
    void problem(ErrorCode code, const TensorRef& w, std::string message)
    {
        m_out.problems.push_back(makeError(code, std::move(message), fileOf(w), w.name));
    }
    void claim(const TensorRef* scale)
    {
        if (scale) m_claimed[static_cast<std::size_t>(scale - m_tensors.data())] = true;
    }
    void pairFp8(const TensorRef& w, const TensorRef& s);
    void pairFp4(const TensorRef& w, const TensorRef& s);

    const std::vector<TensorRef>& m_tensors;
    std::span<const std::string> m_files;
    std::optional<std::pair<std::uint32_t, std::uint32_t>> m_configBlock;
    std::vector<bool> m_claimed;
    QuantPairing m_out;
    const TensorRef* m_firstConfigMismatch = nullptr;
    std::size_t m_configMismatches = 0;
};

void Pairer::pairWeight(std::size_t index)
{
    const TensorRef& w = m_tensors[index];
    std::string_view base(w.name.data(), w.name.size() - kWeight.size());
    const TensorRef* scaleInv = findNear(index + 1, w.name, "_scale_inv");
    const TensorRef* scale = findNear(index == 0 ? m_tensors.size() : index - 1, base, kScale);
    // `.scale` is also an ordinary parameter name (Gemma4 `router.scale`); it is a quant scale only
    // beside a weight that cannot stand alone, or when it is E8M0 (only ever a block exponent).
    if (scale && !needsScale(w.dtype) && w.dtype != DType::F8_E5M2 && scale->dtype != DType::F8_E8M0)
        scale = nullptr;
    if (!scale && !scaleInv) {
        if (needsScale(w.dtype))
            problem(ErrorCode::ScaleMissing,
                    w, std::string(dtypeName(w.dtype)) + " weight has no scale tensor (expected '" +
                           std::string(base) + ".scale' or '" + w.name + "_scale_inv')");
        return;
    }
    claim(scale);
    claim(scaleInv);
    if (scale && scaleInv)
        problem(ErrorCode::DuplicateTensor, w,
                "weight has two scale tensors, '" + scale->name + "' and '" + scaleInv->name + "'");
    const TensorRef& s = scale ? *scale : *scaleInv;
    if (w.dtype == DType::F8_E4M3) return pairFp8(w, s);
    if (w.dtype == DType::I8 || w.dtype == DType::U8) return pairFp4(w, s);
    problem(ErrorCode::UnsupportedDtype, w,
            std::string(dtypeName(w.dtype)) + " weight has a scale tensor '" + s.name +
                "' but only F8_E4M3 (block FP8) and I8 (packed FP4) weights are scaled");
}

void Pairer::pairFp8(const TensorRef& w, const TensorRef& s)
{
    if (!isBlockScaleDtype(s.dtype)) {
        problem(ErrorCode::ScaleDtypeInvalid, w,
                "scale '" + s.name + "' is " + std::string(dtypeName(s.dtype)) +
                    "; an FP8 block scale must be F32, BF16 or F8_E8M0");
        return;
    }
    auto block = m_configBlock.value_or(std::pair<std::uint32_t, std::uint32_t>{128, 128});
    auto expected = scaleGridShape(w.shape, block.first, block.second);
    if (!expected.empty() && s.shape != expected && m_configBlock && *m_configBlock != std::pair(128u, 128u) &&
        s.shape == scaleGridShape(w.shape, 128, 128)) {
        // The tensors are the ground truth (DeepSeek hard-codes 128); the config is what is wrong.
        if (!m_firstConfigMismatch) m_firstConfigMismatch = &w;
        ++m_configMismatches;
        block = {128, 128};
        expected = s.shape;
    }
    if (expected.empty() || s.shape != expected) {
        problem(ErrorCode::ScaleShapeMismatch, w,
                "scale '" + s.name + "' has shape " + shapeText(s.shape) + " but weight " +
                    shapeText(w.shape) + " with " + std::to_string(block.first) + "x" +
                    std::to_string(block.second) + " blocks needs " +
                    (expected.empty() ? std::string("a 2-D weight") : shapeText(expected)));
        return;
    }
    m_out.pairs.push_back(QuantPair{w.name, s.name, QuantScheme::Fp8Block, block.first, block.second,
                                    w.dtype, s.dtype, w.shape});
}

void Pairer::pairFp4(const TensorRef& w, const TensorRef& s)
{
    if (s.dtype != DType::F8_E8M0) {
        problem(ErrorCode::ScaleDtypeInvalid, w,
                "scale '" + s.name + "' of a packed FP4 weight is " + std::string(dtypeName(s.dtype)) +
                    "; it must be F8_E8M0 (one exponent per 32 columns)");
        return;
    }
    std::vector<std::uint64_t> logical = w.shape;
    std::vector<std::uint64_t> expected;
    if (!logical.empty()) {
        logical.back() *= 2;  // two e2m1 codes per byte
        expected = logical;
        expected.back() = ceilDiv(logical.back(), 32);
    }
    if (w.shape.size() < 2 || s.shape != expected) {
        problem(ErrorCode::ScaleShapeMismatch, w,
                "scale '" + s.name + "' has shape " + shapeText(s.shape) + " but packed FP4 weight " +
                    shapeText(w.shape) + " (logical " + shapeText(logical) + ") needs " +
                    (w.shape.size() < 2 ? std::string("a 2-D weight") : shapeText(expected)));
        return;
    }
    m_out.pairs.push_back(QuantPair{w.name, s.name, QuantScheme::Fp4E2m1, 1, 32, w.dtype, s.dtype,
                                    std::move(logical)});
}

void Pairer::collectOrphans()
{
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        if (m_claimed[i]) continue;
        const TensorRef& t = m_tensors[i];
        bool scaleInv = t.name.ends_with(kScaleInv);
        // An unclaimed `.scale` is an orphan only when it looks like a block scale (2-D or E8M0):
        // 1-D `.scale` vectors are ordinary parameters (Gemma4 router.scale).
        bool blockScale = t.name.ends_with(kScale) &&
                          (t.dtype == DType::F8_E8M0 || t.shape.size() >= 2);
        if (scaleInv || blockScale) m_out.orphanScales.push_back(t.name);
    }
}

void Pairer::addConfigMismatchProblem()
{
    if (!m_firstConfigMismatch) return;
    const TensorRef& w = *m_firstConfigMismatch;
    problem(ErrorCode::ConfigInvalid, w,
            "config.json quantization_config.weight_block_size [" +
                std::to_string(m_configBlock->first) + ", " + std::to_string(m_configBlock->second) +
                "] contradicts the scale grid of " + std::to_string(m_configMismatches) +
                " weight(s), e.g. this one, which fits 128x128 blocks; using 128x128");
}

} // namespace

std::string_view quantSchemeName(QuantScheme scheme)
{
    return scheme == QuantScheme::Fp4E2m1 ? "fp4_e2m1" : "fp8_block";
}

const QuantPair* QuantPairing::findByWeight(std::string_view weight) const
{
    auto it = std::lower_bound(pairs.begin(), pairs.end(), weight,
                               [](const QuantPair& p, std::string_view w) { return p.weight < w; });
    return it != pairs.end() && it->weight == weight ? &*it : nullptr;
}

bool QuantPairing::isScale(std::string_view name) const
{
    std::string weight;
    if (name.ends_with(kScaleInv))
        weight = name.substr(0, name.size() - std::string_view("_scale_inv").size());
    else if (name.ends_with(kScale))
        weight = std::string(name.substr(0, name.size() - kScale.size())) + std::string(kWeight);
    else
        return false;
    const QuantPair* p = findByWeight(weight);
    return p && p->scale == name;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> configBlockSize(const nlohmann::json& config)
{
    if (!config.is_object()) return std::nullopt;
    auto q = config.find("quantization_config");
    if (q == config.end() || !q->is_object()) return std::nullopt;
    auto b = q->find("weight_block_size");
    if (b == q->end() || !b->is_array() || b->size() != 2) return std::nullopt;
    const auto& r = (*b)[0];
    const auto& c = (*b)[1];
    if (!r.is_number_unsigned() || !c.is_number_unsigned()) return std::nullopt;
    auto rv = r.get<std::uint64_t>(), cv = c.get<std::uint64_t>();
    if (rv == 0 || cv == 0 || rv > UINT32_MAX || cv > UINT32_MAX) return std::nullopt;
    return std::pair{static_cast<std::uint32_t>(rv), static_cast<std::uint32_t>(cv)};
}

std::vector<std::uint64_t> scaleGridShape(const std::vector<std::uint64_t>& weightShape,
                                          std::uint32_t blockRows, std::uint32_t blockCols)
{
    if (weightShape.size() < 2 || blockRows == 0 || blockCols == 0) return {};
    std::vector<std::uint64_t> grid = weightShape;
    grid[grid.size() - 2] = ceilDiv(grid[grid.size() - 2], blockRows);
    grid.back() = ceilDiv(grid.back(), blockCols);
    return grid;
}

QuantPairing pairQuantizedTensors(const std::vector<TensorRef>& tensors, const nlohmann::json& config,
                                  std::span<const std::string> files, const std::string& configFile)
{
    Pairer pairer(tensors, config, files);
    // A weight_block_size that is present but unusable is reported once; pairing then assumes the
    // DeepSeek default of 128x128.
    if (config.is_object() && config.contains("quantization_config")) {
        const auto& q = config["quantization_config"];
        bool present = q.is_object() && q.contains("weight_block_size") && !q["weight_block_size"].is_null();
        if (present && !configBlockSize(config))
            pairer.addProblem(makeError(ErrorCode::ConfigInvalid,
                                        "quantization_config.weight_block_size must be two positive "
                                        "integers, got " + q["weight_block_size"].dump(),
                                        configFile));
    }
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].name.ends_with(kWeight)) pairer.pairWeight(i);
    pairer.collectOrphans();
    pairer.addConfigMismatchProblem();
    return pairer.take();
}

} // namespace ckpt
