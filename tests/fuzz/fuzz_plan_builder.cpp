// Fuzzes buildPlan. The input is decoded (FuzzedDataProvider) into edits of a realistic plan
// input, the tiny demo of a family in HF or native layout: tensors removed, cloned under
// another layer / expert id or suffix, re-typed, re-shaped (0, 1, odd, block-edge, huge dims,
// extra or missing dims), config values changed to other numbers or other JSON types; then
// options (target layout, dtype, fp8 export, shard size, skip lists, skipInvalid). Quant
// pairing runs on the edited tensors as Checkpoint::open would. buildPlan runs for every
// family adapter and both targets; it must never crash, throw or trip a sanitizer, and every
// plan it returns must keep the bookkeeping invariants of conversion_plan.h.
#include "tests/fuzz/demo_inputs.h"

#include "core/plan/plan_json.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

using namespace ckpt;
using namespace ckpt::fuzz;

namespace {

// Dimensions that hit edge cases: empty, one, scale-block edges, odd, and sizes whose products
// overflow 64 bits.
std::uint64_t pickDim(FuzzedDataProvider& in)
{
    static constexpr std::uint64_t kDims[] = {0, 1, 2, 3, 4, 7, 8, 31, 32, 33, 64, 127, 128, 129,
                                              255, 256, 576, 4097, 1ull << 32, 1ull << 62,
                                              UINT64_MAX};
    if (in.ConsumeBool()) return in.PickValueInArray(kDims);
    return in.ConsumeIntegralInRange<std::uint64_t>(0, 1 << 12);
}

// Replaces one run of digits (a layer or expert id) with another number.
std::string renumber(FuzzedDataProvider& in, std::string name)
{
    std::vector<std::size_t> runs;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (std::isdigit(static_cast<unsigned char>(name[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(name[i - 1]))))
            runs.push_back(i);
    if (runs.empty()) return name;
    const std::size_t at = runs[in.ConsumeIntegralInRange<std::size_t>(0, runs.size() - 1)];
    std::size_t end = at;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
    const auto id = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 16)
                                     : in.ConsumeIntegral<std::uint64_t>();
    return name.replace(at, end - at, std::to_string(id));
}

std::string resuffix(FuzzedDataProvider& in, std::string name)
{
    static constexpr const char* kSuffixes[] = {".weight", ".weight_scale_inv", ".scale", ".bias",
                                                "_scale_inv", ".per_expert_scale", ".tid2eid",
                                                ".e_score_correction_bias", ""};
    const auto dot = name.rfind('.');
    if (dot != std::string::npos && in.ConsumeBool()) name.resize(dot);
    return name + in.PickValueInArray(kSuffixes);
}

nlohmann::json pickConfigValue(FuzzedDataProvider& in)
{
    switch (in.ConsumeIntegralInRange(0, 6)) {
    case 0: return in.ConsumeIntegralInRange<std::int64_t>(-2, 300);
    case 1: return in.ConsumeIntegral<std::uint64_t>();
    case 2: return in.ConsumeBool();
    case 3: return nullptr;
    case 4: return in.ConsumeFloatingPoint<double>();
    case 5: return nlohmann::json::array({pickDim(in), pickDim(in)});
    default: {
        // ASCII only: a config.json read from disk is valid UTF-8 (nlohmann::json::parse checks),
        // and nlohmann's dump() throws on anything else.
        std::string s = in.ConsumeRandomLengthString(8);
        for (char& c : s) c = static_cast<char>(' ' + static_cast<unsigned char>(c) % 95);
        return s;
    }
    }
}

void editConfig(FuzzedDataProvider& in, nlohmann::json& config)
{
    static constexpr const char* kKeys[] = {
        "n_routed_experts", "moe_intermediate_size", "num_hidden_layers", "num_nextn_predict_layers",
        "num_hash_layers", "num_experts", "moe_num_experts", "hidden_size", "intermediate_size",
        "first_k_dense_replace", "tie_word_embeddings", "moe_layers_enum", "enable_moe_block",
        "top_k_experts", "expert_intermediate_size", "share_expert_dims", "quantization_config"};
    const std::string key = in.PickValueInArray(kKeys);
    nlohmann::json& where = config.contains("text_config") && config["text_config"].is_object() &&
                                    in.ConsumeBool()
                                ? config["text_config"]
                                : config;
    if (key == "quantization_config" && in.ConsumeBool()) {
        where[key] = {{"quant_method", "fp8"}, {"fmt", "e4m3"},
                      {"weight_block_size", pickConfigValue(in)}};
        return;
    }
    if (in.ConsumeIntegralInRange(0, 4) == 0) where.erase(key);
    else where[key] = pickConfigValue(in);
}

void editTensors(FuzzedDataProvider& in, PlanInput& p)
{
    const int edits = in.ConsumeIntegralInRange(0, 12);
    for (int i = 0; i < edits && !p.tensors.empty(); ++i) {
        const auto at = in.ConsumeIntegralInRange<std::size_t>(0, p.tensors.size() - 1);
        TensorRef& t = p.tensors[at];
        switch (in.ConsumeIntegralInRange(0, 7)) {
        case 0: p.tensors.erase(p.tensors.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1: t.dtype = static_cast<DType>(in.ConsumeIntegralInRange(0, kDTypeCount - 1)); break;
        case 2:
            if (!t.shape.empty()) t.shape[in.ConsumeIntegralInRange<std::size_t>(0, t.shape.size() - 1)] = pickDim(in);
            break;
        case 3: t.shape.push_back(pickDim(in)); break;
        case 4: if (!t.shape.empty()) t.shape.pop_back(); break;
        case 5: { TensorRef copy = t; copy.name = renumber(in, copy.name); p.tensors.push_back(std::move(copy)); break; }
        case 6: { TensorRef copy = t; copy.name = resuffix(in, copy.name); p.tensors.push_back(std::move(copy)); break; }
        default: editConfig(in, p.config); break;
        }
    }
    // A Checkpoint never holds a name twice (it fails with TensorInTwoShards): keep the first.
    std::set<std::string> names;
    std::erase_if(p.tensors, [&](const TensorRef& t) { return !names.insert(t.name).second; });
    sortAndPair(p);
}

PlanOptions pickOptions(FuzzedDataProvider& in, const PlanInput& p)
{
    static constexpr DType kDtypes[] = {DType::BF16, DType::F16, DType::F32, DType::F8_E4M3, DType::I32};
    PlanOptions o;
    o.dtype = in.ConsumeIntegralInRange(0, 7) == 0 ? in.PickValueInArray(kDtypes)
                                                   : in.PickValueInArray({DType::BF16, DType::F16, DType::F32});
    o.quantize = in.ConsumeIntegralInRange(0, 3) == 0 ? QuantizeMode::Fp8 : QuantizeMode::None;
    o.maxShardBytes = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 1 << 20)
                                       : in.ConsumeIntegral<std::uint64_t>();
    o.skipInvalid = in.ConsumeBool();
    const int skips = in.ConsumeIntegralInRange(0, 2);
    for (int i = 0; i < skips && !p.tensors.empty(); ++i) {
        const std::string& name = p.tensors[in.ConsumeIntegralInRange<std::size_t>(0, p.tensors.size() - 1)].name;
        o.skip.push_back(name);
    }
    if (in.ConsumeIntegralInRange(0, 7) == 0) o.skip.push_back("not.a.tensor");
    return o;
}

// FUZZ_VERBOSE=1 prints what a (crashing) input decodes to, for the bug report.
void describeCase(const PlanInput& p, const PlanOptions& o, Layout target)
{
    if (!std::getenv("FUZZ_VERBOSE")) return;
    std::fprintf(stderr, "family %s, %s -> %s, %zu tensors, dtype %s, quantize %d, skipInvalid %d, "
                         "maxShardBytes %llu, skip:", std::string(familyName(p.family)).c_str(),
                 std::string(layoutName(p.layout)).c_str(), std::string(layoutName(target)).c_str(),
                 p.tensors.size(), std::string(dtypeName(o.dtype)).c_str(), int(o.quantize),
                 int(o.skipInvalid), static_cast<unsigned long long>(o.maxShardBytes));
    for (const std::string& s : o.skip) std::fprintf(stderr, " %s", s.c_str());
    std::fprintf(stderr, "\nconfig %s\n", p.config.dump().c_str());
}

std::string describeTensor(const TensorRef& t)
{
    std::string s = t.name + " " + std::string(dtypeName(t.dtype)) + " [";
    for (auto d : t.shape) s += std::to_string(d) + ",";
    return s + "]";
}

// FUZZ_VERBOSE=1: the tensors an input removed, added or changed.
void describeEdits(const PlanInput& before, const PlanInput& after)
{
    if (!std::getenv("FUZZ_VERBOSE")) return;
    std::set<std::string> a, b;
    for (const TensorRef& t : before.tensors) a.insert(describeTensor(t));
    for (const TensorRef& t : after.tensors) b.insert(describeTensor(t));
    for (const std::string& s : a)
        if (!b.count(s)) std::fprintf(stderr, "- %s\n", s.c_str());
    for (const std::string& s : b)
        if (!a.count(s)) std::fprintf(stderr, "+ %s\n", s.c_str());
}

void planAndCheck(const PlanInput& p, PlanOptions options)
{
    for (Layout target : {Layout::Hf, Layout::Native}) {
        options.target = target;
        describeCase(p, options, target);
        auto plan = buildPlan(p, options);
        if (!plan.ok()) {
            FUZZ_CHECK(!plan.error().message.empty(), "empty error message");
            FUZZ_CHECK(plan.error().code != ErrorCode::Internal, "internal error: " + plan.error().toString());
            continue;
        }
        checkPlanBookkeeping(p, *plan);
        FUZZ_CHECK(plan->from == p.layout && plan->to == target, "plan direction");
        (void)planToJson(*plan).dump();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    FuzzedDataProvider in(data, size);
    static constexpr Family kAll[] = {Family::DeepseekV3, Family::DeepseekV4, Family::Gemma4Moe,
                                      Family::Step3p5, Family::Unknown};
    const Family keys = in.PickValueInArray(kAll);
    const Layout layout = in.ConsumeBool() ? Layout::Native : Layout::Hf;
    PlanInput p = demoInput(keys, layout);
    editTensors(in, p);
    describeEdits(demoInput(keys, layout), p);
    const PlanOptions options = pickOptions(in, p);
    // The keys are one family's, but every adapter must cope with any input: a config can name
    // the wrong family, and the key fallback can guess wrong.
    for (Family adapter : kAll) {
        p.family = adapter;
        planAndCheck(p, options);
    }
    return 0;
}
