// Unknown family: no native layout is known, so the only plan is the identity in HF layout
// (dequantize paired weights, cast floats, keep names). buildPlan refuses --to native.
#include "core/plan/family_adapter.h"

namespace ckpt {
namespace {

class GenericAdapter final : public FamilyAdapter {
public:
    Family family() const override { return Family::Unknown; }
    bool hasNativeLayout() const override { return false; }
    void planSpecial(PlanContext&) const override {}
    std::string rename(const PlanContext&, std::string_view key) const override
    {
        return std::string(key);
    }
};

} // namespace

const FamilyAdapter& genericAdapter()
{
    static const GenericAdapter adapter;
    return adapter;
}

} // namespace ckpt
