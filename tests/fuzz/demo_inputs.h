#pragma once
// Realistic plan inputs for the config and plan fuzzers: the tiny demo checkpoint of each family
// (core/demo, the same key sets, dtypes and quant layouts as the real releases), taken as header
// facts only, in HF layout and, through the demo's own HF -> native plan, in native layout.
// Built once per process; the fuzzers mutate copies.

#include "tests/fuzz/fuzz_support.h"

#include "core/checkpoint/quant_pairing.h"
#include "core/demo/demo_families.h"
#include "core/plan/conversion_plan.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace ckpt::fuzz {

inline constexpr std::array<Family, 4> kFamilies = {Family::DeepseekV3, Family::DeepseekV4,
                                                    Family::Gemma4Moe, Family::Step3p5};

inline void sortAndPair(PlanInput& in)
{
    std::sort(in.tensors.begin(), in.tensors.end(),
              [](const TensorRef& a, const TensorRef& b) { return a.name < b.name; });
    in.quant = pairQuantizedTensors(in.tensors, in.config, in.files);
}

inline PlanInput buildHfDemoInput(Family family)
{
    demo::DemoBuilder b;
    switch (family) {
    case Family::DeepseekV4: demo::buildDeepseekV4(b, DemoSize::Tiny); break;
    case Family::Gemma4Moe: demo::buildGemma4Moe(b, DemoSize::Tiny); break;
    case Family::Step3p5: demo::buildStep3p5(b, DemoSize::Tiny); break;
    default: demo::buildDeepseekV3(b, DemoSize::Tiny); break;
    }
    PlanInput in;
    in.family = family;
    in.layout = Layout::Hf;
    in.config = b.config();
    in.files = {"/fuzz/model-00001-of-00001.safetensors"};
    for (const demo::DemoTensor& t : b.tensors()) in.tensors.push_back({t.name, t.dtype, t.shape, 0, 0, 0});
    sortAndPair(in);
    return in;
}

// The native checkpoint a conversion of the HF demo writes: its plan's outputs.
inline PlanInput buildNativeDemoInput(const PlanInput& hf)
{
    PlanOptions options;
    options.target = Layout::Native;
    auto plan = buildPlan(hf, options);
    FUZZ_CHECK(plan.ok(), "the demo's own HF -> native plan fails: " + plan.error().toString());
    PlanInput in;
    in.family = hf.family;
    in.layout = Layout::Native;
    in.config = hf.config;
    in.files = hf.files;
    for (const PlanOutput& out : plan->outputs) in.tensors.push_back({out.name, out.dtype, out.shape, 0, 0, 0});
    sortAndPair(in);
    return in;
}

// The cached demo input of a family and layout (Unknown uses the DeepSeek V3 keys, as a
// checkpoint without config.json whose keys match no signature would).
inline const PlanInput& demoInput(Family family, Layout layout)
{
    static const std::map<std::pair<Family, Layout>, PlanInput> inputs = [] {
        std::map<std::pair<Family, Layout>, PlanInput> m;
        for (Family f : kFamilies) {
            PlanInput hf = buildHfDemoInput(f);
            m[{f, Layout::Native}] = buildNativeDemoInput(hf);
            m[{f, Layout::Hf}] = std::move(hf);
        }
        PlanInput unknown = m[{Family::DeepseekV3, Layout::Hf}];
        unknown.family = Family::Unknown;
        m[{Family::Unknown, Layout::Hf}] = unknown;
        unknown.layout = Layout::Native;
        m[{Family::Unknown, Layout::Native}] = std::move(unknown);
        return m;
    }();
    return inputs.at({family, layout});
}

} // namespace ckpt::fuzz
