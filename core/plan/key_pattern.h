#pragma once
// Tiny tensor-name patterns, so rename tables read like the spec instead of regexes:
//   literal text     must match exactly;
//   {L} {E} {K} ...  a single upper-case letter in braces captures a decimal number;
//   {w}              a lower-case letter captures a word ([A-Za-z0-9_]+, no dots);
//   *                the rest of the name (possibly empty); only as the last token.
// Patterns are anchored at both ends. Captures are matched greedily without backtracking,
// which is enough for dotted tensor names (a number or word always ends at a '.' or literal).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ckpt {

struct KeyCaptures {
    std::vector<std::pair<char, std::string>> values;  // in pattern order
    std::string rest;                                  // what '*' matched

    const std::string* get(char name) const;
    std::optional<std::uint64_t> number(char name) const;
};

std::optional<KeyCaptures> matchKey(std::string_view pattern, std::string_view key);
// Fills a pattern's placeholders from captures (a missing capture leaves the braces empty).
std::string expandKey(std::string_view pattern, const KeyCaptures& captures);

struct RenameRule {
    std::string_view from;
    std::string_view to;
};

// First matching rule wins; nullopt when none matches.
std::optional<std::string> applyRenameRules(std::span<const RenameRule> rules, std::string_view key);

// "model.layers.3.mlp..." -> prefix "model.", rest "layers.3.mlp...". Only the prefixes the
// DeepSeek V3 and Step3p5 adapters accept in front of "layers." ("model.language_model.",
// "language_model.", "model.", none); nullopt when the key has none of them.
struct LayerKey {
    std::string_view prefix;
    std::string_view rest;
};
std::optional<LayerKey> splitLayerPrefix(std::string_view key);

// Gemma4 style (re.search anchored at the end): the last "layers.N." in the key. `prefix` is
// what precedes "layers.", `rest` starts at "layers.".
std::optional<LayerKey> findLastLayer(std::string_view key);

} // namespace ckpt
