#include "core/safetensors/json_cursor.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <system_error>

namespace ckpt::detail {
namespace {

// serde_json refuses documents nested deeper than 128 levels; so do we, which also bounds the
// recursion of skipValueAt() on hostile input.
constexpr int kMaxDepth = 128;

// Bytes that end a run of plain string content: quote, backslash and the control characters.
constexpr auto kStringStop = [] {
    std::array<bool, 256> stop{};
    for (int c = 0; c < 0x20; ++c) stop[c] = true;
    stop['"'] = stop['\\'] = true;
    return stop;
}();

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// serde_json (like nlohmann) rejects a number beyond the double range, while an underflow just
// becomes 0. std::from_chars reports both as out of range; the sign of the number's decimal
// exponent tells them apart. Only reached for fractions, exponents and huge integers.
bool overflowsDouble(const char* begin, const char* end)
{
    double value = 0;
    if (std::from_chars(begin, end, value).ec != std::errc::result_out_of_range) return false;
    const char* p = begin + (*begin == '-');
    long digits = 0;  // integer digits; none when the integer part is "0"
    if (*p == '0') {
        ++p;
    } else {
        for (; p < end && isDigit(*p); ++p) ++digits;
    }
    long fractionZeros = 0;  // zeros after the point before the first significant digit
    bool significant = digits > 0;
    if (p < end && *p == '.') {
        for (++p; p < end && isDigit(*p); ++p) {
            if (significant) continue;
            if (*p == '0') ++fractionZeros;
            else significant = true;
        }
    }
    long exponent = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const bool negative = *++p == '-';
        if (*p == '+' || *p == '-') ++p;
        for (; p < end; ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1'000'000'000L);
        if (negative) exponent = -exponent;
    }
    const long magnitude = digits > 0 ? digits - 1 + exponent : exponent - fractionZeros - 1;
    return magnitude >= 0;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void appendUtf8(std::string& out, unsigned cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace

JsonCursor::JsonCursor(std::span<const char> text)
    : m_begin(text.data()), m_p(text.data()), m_end(text.data() + text.size())
{
}

bool JsonCursor::atEnd()
{
    skipWhitespace();
    return m_p == m_end;
}

bool JsonCursor::readHex4(unsigned& out)
{
    if (m_end - m_p < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
        const int h = hexValue(m_p[i]);
        if (h < 0) return false;
        out = out * 16 + static_cast<unsigned>(h);
    }
    m_p += 4;
    return true;
}

// Called with m_p just past a backslash.
bool JsonCursor::readEscape(std::string& out)
{
    if (m_p == m_end) return false;
    const char c = *m_p++;
    switch (c) {
    case '"': out += '"'; return true;
    case '\\': out += '\\'; return true;
    case '/': out += '/'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'u': break;
    default: return false;
    }
    unsigned cp = 0;
    if (!readHex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        // A high surrogate must be followed by an escaped low one (serde_json rejects it alone).
        unsigned low = 0;
        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u') return false;
        m_p += 2;
        if (!readHex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, cp);
    return true;
}

bool JsonCursor::readString(std::string& out)
{
    out.clear();
    if (!consume('"')) return false;
    while (true) {
        // Copy runs of plain bytes in one go; the bytes are already known to be valid UTF-8.
        const char* run = m_p;
        while (m_p < m_end && !kStringStop[static_cast<unsigned char>(*m_p)]) ++m_p;
        out.append(run, m_p);
        if (m_p == m_end) return false;
        const char c = *m_p++;
        if (c == '"') return true;
        if (c != '\\') return false;  // a raw control character
        if (!readEscape(out)) return false;
    }
}

bool JsonCursor::readNumber(JsonNumber& out)
{
    skipWhitespace();
    out = JsonNumber{};
    const char* start = m_p;
    bool negative = false;
    if (m_p < m_end && *m_p == '-') {
        negative = true;
        ++m_p;
    }
    if (m_p == m_end || !isDigit(*m_p)) return false;
    bool tooLarge = false;
    std::uint64_t value = 0;
    if (*m_p == '0') {
        ++m_p;  // a leading zero must stand alone ("01" is not JSON)
    } else {
        while (m_p < m_end && isDigit(*m_p)) {
            const auto digit = static_cast<std::uint64_t>(*m_p - '0');
            if (__builtin_mul_overflow(value, 10u, &value) ||
                __builtin_add_overflow(value, digit, &value))
                tooLarge = true;
            ++m_p;
        }
    }
    bool integer = true;
    if (m_p < m_end && *m_p == '.') {
        integer = false;
        ++m_p;
        if (m_p == m_end || !isDigit(*m_p)) return false;
        while (m_p < m_end && isDigit(*m_p)) ++m_p;
    }
    if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
        integer = false;
        ++m_p;
        if (m_p < m_end && (*m_p == '+' || *m_p == '-')) ++m_p;
        if (m_p == m_end || !isDigit(*m_p)) return false;
        while (m_p < m_end && isDigit(*m_p)) ++m_p;
    }
    if ((!integer || tooLarge) && overflowsDouble(start, m_p)) return false;
    using Kind = JsonNumber::Kind;
    if (negative) out.kind = Kind::Negative;
    else if (!integer) out.kind = Kind::NonInteger;
    else if (tooLarge) out.kind = Kind::TooLarge;
    else out.value = value;
    return true;
}

bool JsonCursor::skipValue() { return skipValueAt(0); }

bool JsonCursor::skipValueAt(int depth)
{
    if (depth >= kMaxDepth) return false;
    const char c = peek();
    if (c == '"') {
        std::string scratch;
        return readString(scratch);
    }
    if (c == '-' || isDigit(c)) {
        JsonNumber n;
        return readNumber(n);
    }
    auto literal = [this](std::string_view word) {
        if (static_cast<std::size_t>(m_end - m_p) < word.size() ||
            std::string_view(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    };
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    const bool object = c == '{';
    if (!object && c != '[') return false;
    ++m_p;
    const char close = object ? '}' : ']';
    if (consume(close)) return true;
    std::string key;
    do {
        if (object && (!readString(key) || !consume(':'))) return false;
        if (!skipValueAt(depth + 1)) return false;
    } while (consume(','));
    return consume(close);
}

bool isValidJson(std::span<const char> text)
{
    JsonCursor cursor(text);
    return cursor.skipValue() && cursor.atEnd();
}

} // namespace ckpt::detail
