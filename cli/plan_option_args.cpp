#include "cli/plan_option_args.h"

#include "core/plan/byte_size.h"

namespace ckpt::cli {

Result<PlanOptions> planOptionsFromArgs(const ParsedArgs& args, const ArgSpec& spec)
{
    auto usage = [&](const std::string& what) {
        return makeError(ErrorCode::InvalidArgument, what + "\nusage: " + usageLine(spec));
    };
    PlanOptions o;
    if (auto to = args.get("--to")) {
        auto layout = parseLayout(*to);
        if (!layout) return usage("--to must be native or hf, not '" + *to + "'");
        o.target = *layout;
    }
    const std::string dtype = args.getOr("--dtype", "bf16");
    if (dtype == "bf16") o.dtype = DType::BF16;
    else if (dtype == "f16") o.dtype = DType::F16;
    else if (dtype == "f32") o.dtype = DType::F32;
    else return usage("--dtype must be bf16, f16 or f32, not '" + dtype + "'");
    if (auto q = args.get("--quantize")) {
        if (*q != "fp8") return usage("--quantize must be fp8, not '" + *q + "'");
        o.quantize = QuantizeMode::Fp8;
    }
    if (auto s = args.get("--max-shard-size")) {
        auto bytes = parseByteSize(*s);
        if (!bytes) return usage("--max-shard-size must be a size like 5GB, 500MiB or 1000000, not '" + *s + "'");
        o.maxShardBytes = *bytes;
    }
    o.skipInvalid = args.has("--skip-invalid");
    return o;
}

} // namespace ckpt::cli
