#include "core/checkpoint/family.h"

#include <array>

namespace ckpt {
namespace {

struct FamilyName {
    Family family;
    std::string_view name;
};

constexpr std::array<FamilyName, 5> kFamilyNames{{
    {Family::DeepseekV3, "deepseek_v3"},
    {Family::DeepseekV4, "deepseek_v4"},
    {Family::Gemma4Moe, "gemma4_moe"},
    {Family::Step3p5, "step3p5"},
    {Family::Unknown, "unknown"},
}};

} // namespace

std::string_view familyName(Family family)
{
    for (const auto& f : kFamilyNames)
        if (f.family == family) return f.name;
    return "unknown";
}

std::optional<Family> parseFamily(std::string_view name)
{
    for (const auto& f : kFamilyNames)
        if (f.name == name) return f.family;
    return std::nullopt;
}

std::string_view layoutName(Layout layout)
{
    return layout == Layout::Native ? "native" : "hf";
}

std::optional<Layout> parseLayout(std::string_view name)
{
    if (name == "hf") return Layout::Hf;
    if (name == "native") return Layout::Native;
    return std::nullopt;
}

} // namespace ckpt
