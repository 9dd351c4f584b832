#include "cli/inspect_json.h"

#include <array>
#include <charconv>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace ckpt::cli {
namespace {

using json = nlohmann::json;

std::string dumpJson(const json& value)
{
    return value.dump(1, ' ', false, json::error_handler_t::replace);
}

// Bytes that nlohmann would escape or check (controls, quote, backslash, non-ASCII).
constexpr std::array<bool, 256> kNotPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[std::size_t(c)] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    return t;
}();

// Printable ASCII needs no escaping; anything else goes through nlohmann so the escapes (and the
// replacement of invalid UTF-8) stay exactly the library's.
void appendString(std::string& out, std::string_view s)
{
    bool plain = true;
    for (unsigned char ch : s) plain &= !kNotPlain[ch];  // no early exit: vectorises, names are short
    if (!plain) {
        out += dumpJson(json(std::string(s)));
        return;
    }
    out += '"';
    out += s;
    out += '"';
}

void appendUint(std::string& out, std::uint64_t v)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void appendIndent(std::string& out, int level) { out.append(std::size_t(level), ' '); }

// A value as nlohmann dumps it with indent 1, its later lines shifted to nesting `level`.
void appendNested(std::string& out, const json& value, int level)
{
    const std::string text = dumpJson(value);
    for (char ch : text) {
        out += ch;
        if (ch == '\n') appendIndent(out, level);
    }
}

void appendKey(std::string& out, std::string_view key, int level)
{
    appendIndent(out, level);
    appendString(out, key);
    out += ": ";
}

void appendUintArray(std::string& out, std::span<const std::uint64_t> values, int level)
{
    if (values.empty()) {
        out += "[]";
        return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < values.size(); ++i) {
        appendIndent(out, level + 1);
        appendUint(out, values[i]);
        out += i + 1 < values.size() ? ",\n" : "\n";
    }
    appendIndent(out, level);
    out += ']';
}

// Objects of the arrays below sit at level 2, their fields at level 3 (keys in sorted order).
void appendTensors(std::string& out, const Checkpoint& c)
{
    std::vector<std::string> files;  // relative to the root, once per file rather than per tensor
    files.reserve(c.files().size());
    for (const auto& f : c.files())
        files.push_back(std::filesystem::path(f).lexically_relative(c.root()).generic_string());
    const auto& tensors = c.tensors();
    if (tensors.empty()) {
        out += "[]";
        return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const TensorRef& t = tensors[i];
        out += "  {\n";
        appendKey(out, "dtype", 3), appendString(out, dtypeName(t.dtype)), out += ",\n";
        appendKey(out, "file", 3), appendString(out, files[t.fileIndex]), out += ",\n";
        appendKey(out, "name", 3), appendString(out, t.name), out += ",\n";
        appendKey(out, "nbytes", 3), appendUint(out, t.nbytes), out += ",\n";
        appendKey(out, "offset", 3), appendUint(out, t.offset), out += ",\n";
        appendKey(out, "shape", 3), appendUintArray(out, t.shape, 3), out += "\n";
        out += i + 1 < tensors.size() ? "  },\n" : "  }\n";
    }
    out += " ]";
}

void appendQuant(std::string& out, const Checkpoint& c)
{
    const auto& pairs = c.quant().pairs;
    if (pairs.empty()) {
        out += "[]";
        return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const QuantPair& p = pairs[i];
        const std::uint64_t block[2] = {p.blockRows, p.blockCols};
        out += "  {\n";
        appendKey(out, "block", 3), appendUintArray(out, block, 3), out += ",\n";
        appendKey(out, "scale", 3), appendString(out, p.scale), out += ",\n";
        appendKey(out, "scheme", 3), appendString(out, quantSchemeName(p.scheme)), out += ",\n";
        appendKey(out, "weight", 3), appendString(out, p.weight), out += "\n";
        out += i + 1 < pairs.size() ? "  },\n" : "  }\n";
    }
    out += " ]";
}

json errorJson(const Error& e)
{
    return {{"code", errorCodeName(e.code)}, {"message", e.message}, {"file", e.file}, {"tensor", e.tensor}};
}

} // namespace

std::string inspectJsonText(const Checkpoint& c)
{
    json problems = json::array();
    for (const auto& e : c.quant().problems) problems.push_back(errorJson(e));
    // The small fields as a DOM (its key order is the sorted order dump() uses); the two large
    // arrays are placeholders filled in by the streaming writers.
    const json doc = {
        {"family", familyName(c.family())},
        {"layout", layoutName(c.layout())},
        {"files", c.files().size()},
        {"total_bytes", c.totalBytes()},
        {"tensors", nullptr},
        {"quant", nullptr},
        {"problems", std::move(problems)},
        {"orphan_scales", c.quant().orphanScales},
        {"warnings", c.warnings()},
        {"has_index", c.hasIndex()},
        {"has_config", c.hasConfig()},
    };
    std::string out;
    out.reserve(160 * c.tensors().size() + 200 * c.quant().pairs.size() + 4096);
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : doc.items()) {
        if (!first) out += ",\n";
        first = false;
        appendKey(out, key, 1);
        if (key == "tensors") appendTensors(out, c);
        else if (key == "quant") appendQuant(out, c);
        else appendNested(out, value, 1);
    }
    out += "\n}\n";
    return out;
}

} // namespace ckpt::cli
