// Fuzzes everything that reads config.json: parsing as Checkpoint::open does, family detection,
// the config lookups of the plan (configUInt/configBool/configBlockSize), quant pairing of a
// fixed tensor list (the family's tiny demo) under that config, and buildPlan in both
// directions. Any exception escaping core (e.g. a typed nlohmann access on a value of another
// type) terminates and is reported as a crash: no exception may cross the core API.
// Checked beyond "no crash": pairs name existing tensors and are sorted, problems name a tensor
// or the config file, and an accepted plan keeps the bookkeeping invariants.
#include "tests/fuzz/demo_inputs.h"

#include "core/plan/config_values.h"
#include "core/plan/plan_json.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

using namespace ckpt;
using namespace ckpt::fuzz;

namespace {

const std::string kConfigFile = "/fuzz/config.json";

void exerciseLookups(const nlohmann::json& config)
{
    for (const char* key : {"n_routed_experts", "moe_intermediate_size", "num_hidden_layers",
                            "num_nextn_predict_layers", "num_hash_layers", "num_experts",
                            "moe_num_experts", "first_k_dense_replace", "hidden_size"})
        (void)configUInt(config, {std::string_view(key)});
    (void)configBool(config, "tie_word_embeddings");
    if (auto block = configBlockSize(config))
        FUZZ_CHECK(block->first > 0 && block->second > 0, "a zero block size was accepted");
}

void checkPairing(const PlanInput& in)
{
    const QuantPairing& q = in.quant;
    for (std::size_t i = 0; i < q.pairs.size(); ++i) {
        const QuantPair& p = q.pairs[i];
        FUZZ_CHECK(i == 0 || q.pairs[i - 1].weight < p.weight, "pairs not sorted: " + p.weight);
        FUZZ_CHECK(p.blockRows > 0 && p.blockCols > 0, "zero block for " + p.weight);
        bool weight = false, scale = false;
        for (const TensorRef& t : in.tensors) {
            weight |= t.name == p.weight;
            scale |= t.name == p.scale;
        }
        FUZZ_CHECK(weight && scale, "pair of a missing tensor: " + p.weight + " / " + p.scale);
        FUZZ_CHECK(q.findByWeight(p.weight) == &p && q.isScale(p.scale), "lookup of " + p.weight);
    }
    for (const Error& e : q.problems)
        FUZZ_CHECK(!e.tensor.empty() || e.file == kConfigFile, "problem names nothing: " + e.toString());
}

void planBothWays(const PlanInput& in)
{
    for (Layout target : {Layout::Hf, Layout::Native}) {
        PlanOptions options;
        options.target = target;
        options.maxShardBytes = 1 << 20;
        auto plan = buildPlan(in, options);
        if (!plan.ok()) {
            FUZZ_CHECK(!plan.error().message.empty(), "empty error message");
            continue;
        }
        checkPlanBookkeeping(in, *plan);
        (void)planToJson(*plan).dump();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // As CheckpointLoader::readConfig: parse without exceptions, require an object.
    auto config = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (config.is_discarded() || !config.is_object()) return 0;
    exerciseLookups(config);

    Family family = detectFamily(config, {});
    PlanInput in = demoInput(family, Layout::Hf);
    in.config = std::move(config);
    in.family = detectFamily(in.config, in.tensors);
    in.quant = pairQuantizedTensors(in.tensors, in.config, in.files, kConfigFile);
    checkPairing(in);
    planBothWays(in);
    return 0;
}
