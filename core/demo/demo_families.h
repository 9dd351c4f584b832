#pragma once
// One builder per family (demo_<family>.cpp): declares tensors and config into a DemoBuilder.

#include "core/demo/demo_builder.h"
#include "core/demo/demo_checkpoint.h"

namespace ckpt::demo {

void buildDeepseekV3(DemoBuilder& b, DemoSize size);
void buildDeepseekV4(DemoBuilder& b, DemoSize size);
void buildGemma4Moe(DemoBuilder& b, DemoSize size);
void buildStep3p5(DemoBuilder& b, DemoSize size);

// "model.layers." + std::to_string(l) + "." — spelled once.
std::string layerPrefix(std::string_view root, int layer);

} // namespace ckpt::demo
