#include "core/plan/key_pattern.h"

#include <cctype>

namespace ckpt {
namespace {

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// A placeholder "{X}" at pattern[i]: returns its letter, or 0 when pattern[i] is not one.
char placeholderAt(std::string_view pattern, std::size_t i)
{
    if (i + 2 < pattern.size() && pattern[i] == '{' && pattern[i + 2] == '}'
        && std::isalpha(static_cast<unsigned char>(pattern[i + 1])))
        return pattern[i + 1];
    return 0;
}

} // namespace

const std::string* KeyCaptures::get(char name) const
{
    for (const auto& [n, v] : values)
        if (n == name) return &v;
    return nullptr;
}

std::optional<std::uint64_t> KeyCaptures::number(char name) const
{
    const std::string* v = get(name);
    if (!v || v->empty() || v->size() > 18) return std::nullopt;
    return static_cast<std::uint64_t>(std::stoull(*v));
}

std::optional<KeyCaptures> matchKey(std::string_view pattern, std::string_view key)
{
    KeyCaptures out;
    std::size_t p = 0, k = 0;
    while (p < pattern.size()) {
        if (pattern[p] == '*' && p + 1 == pattern.size()) {
            out.rest = std::string(key.substr(k));
            return out;
        }
        if (char name = placeholderAt(pattern, p)) {
            const bool numeric = std::isupper(static_cast<unsigned char>(name)) != 0;
            std::size_t start = k;
            while (k < key.size() && (numeric ? isDigit(key[k]) : isWordChar(key[k]))) ++k;
            if (k == start) return std::nullopt;
            out.values.emplace_back(name, std::string(key.substr(start, k - start)));
            p += 3;
            continue;
        }
        if (k >= key.size() || key[k] != pattern[p]) return std::nullopt;
        ++p;
        ++k;
    }
    if (k != key.size()) return std::nullopt;
    return out;
}

std::string expandKey(std::string_view pattern, const KeyCaptures& captures)
{
    std::string out;
    for (std::size_t p = 0; p < pattern.size();) {
        if (pattern[p] == '*' && p + 1 == pattern.size()) {
            out += captures.rest;
            ++p;
        } else if (char name = placeholderAt(pattern, p)) {
            if (const std::string* v = captures.get(name)) out += *v;
            p += 3;
        } else {
            out += pattern[p++];
        }
    }
    return out;
}

std::optional<std::string> applyRenameRules(std::span<const RenameRule> rules, std::string_view key)
{
    for (const RenameRule& rule : rules)
        if (auto captures = matchKey(rule.from, key)) return expandKey(rule.to, *captures);
    return std::nullopt;
}

std::optional<LayerKey> splitLayerPrefix(std::string_view key)
{
    static constexpr std::string_view kPrefixes[] = {"model.language_model.", "language_model.",
                                                     "model.", ""};
    for (std::string_view p : kPrefixes)
        if (key.starts_with(p) && key.substr(p.size()).starts_with("layers."))
            return LayerKey{p, key.substr(p.size())};
    return std::nullopt;
}

std::optional<LayerKey> findLastLayer(std::string_view key)
{
    for (std::size_t pos = key.rfind("layers."); pos != std::string_view::npos;
         pos = pos == 0 ? std::string_view::npos : key.rfind("layers.", pos - 1)) {
        if (pos != 0 && key[pos - 1] != '.') continue;
        std::size_t i = pos + 7;
        while (i < key.size() && isDigit(key[i])) ++i;
        if (i > pos + 7 && i < key.size() && key[i] == '.')
            return LayerKey{key.substr(0, pos), key.substr(pos)};
    }
    return std::nullopt;
}

} // namespace ckpt
