#include "core/plan/config_values.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ckpt {
namespace {

const nlohmann::json* lookup(const nlohmann::json& config, std::string_view key)
{
    if (!config.is_object()) return nullptr;
    const std::string k(key);
    if (auto it = config.find(k); it != config.end() && !it->is_null()) return &*it;
    if (auto tc = config.find("text_config"); tc != config.end() && tc->is_object())
        if (auto it = tc->find(k); it != tc->end() && !it->is_null()) return &*it;
    return nullptr;
}

} // namespace

std::optional<std::uint64_t> configUInt(const nlohmann::json& config,
                                        std::initializer_list<std::string_view> keys)
{
    for (std::string_view key : keys) {
        const nlohmann::json* v = lookup(config, key);
        if (v && v->is_number_integer() && v->get<long long>() >= 0)
            return static_cast<std::uint64_t>(v->get<long long>());
    }
    return std::nullopt;
}

std::optional<bool> configBool(const nlohmann::json& config, std::string_view key)
{
    const nlohmann::json* v = lookup(config, key);
    if (v && v->is_boolean()) return v->get<bool>();
    return std::nullopt;
}

} // namespace ckpt
