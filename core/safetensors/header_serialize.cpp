// Compact header JSON in the official writer's form: __metadata__ first, then the tensors in the
// given order, then space padding so that the data buffer starts on an 8-byte boundary.

#include "core/safetensors/safetensors_header.h"

#include <charconv>

namespace ckpt {
namespace {

// Escapes like serde_json: quote, backslash and control characters; everything else (including
// non-ASCII UTF-8 and '/') is written as is.
void appendJsonString(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += kHex[(c >> 4) & 0xF];
                out += kHex[c & 0xF];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void appendNumber(std::string& out, std::uint64_t v)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

} // namespace

std::string serializeSafetensorsHeader(const std::vector<TensorEntry>& tensors,
                                       const std::map<std::string, std::string>& metadata)
{
    std::string out;
    out.reserve(64 + tensors.size() * 96);
    out += '{';
    bool first = true;
    if (!metadata.empty()) {
        out += "\"__metadata__\":{";
        for (const auto& [key, value] : metadata) {
            if (!first) out += ',';
            first = false;
            appendJsonString(out, key);
            out += ':';
            appendJsonString(out, value);
        }
        out += '}';
        first = false;
    }
    for (const TensorEntry& t : tensors) {
        if (!first) out += ',';
        first = false;
        appendJsonString(out, t.name);
        out += ":{\"dtype\":\"";
        out += dtypeName(t.dtype);
        out += "\",\"shape\":[";
        for (std::size_t i = 0; i < t.shape.size(); ++i) {
            if (i) out += ',';
            appendNumber(out, t.shape[i]);
        }
        out += "],\"data_offsets\":[";
        appendNumber(out, t.begin);
        out += ',';
        appendNumber(out, t.end);
        out += "]}";
    }
    out += '}';
    // 8 + N must be a multiple of 8: readers may then view the first tensor without copying.
    out.append((8 - (8 + out.size()) % 8) % 8, ' ');
    return out;
}

} // namespace ckpt
