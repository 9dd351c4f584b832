#pragma once
// A strict, allocation-light JSON reader for safetensors headers (RFC 8259, read the way
// serde_json reads it in the official library). The header schema is fixed and small, so the
// schema parser pulls tokens from this cursor instead of building a DOM: that keeps a
// 90k-tensor checkpoint's headers in the tens of milliseconds, and it sees duplicate keys, which
// nlohmann's DOM would silently collapse to the last one.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace ckpt::detail {

struct JsonNumber {
    enum class Kind {
        Unsigned,    // a non-negative integer literal that fits 64 bits (value is set)
        Negative,    // starts with '-' (including -0)
        NonInteger,  // has a fraction or an exponent
        TooLarge,    // an integer literal above 2^64 - 1
    };
    Kind kind = Kind::Unsigned;
    std::uint64_t value = 0;
};

class JsonCursor {
public:
    explicit JsonCursor(std::span<const char> text);

    // Skips whitespace and returns the next byte without consuming it; '\0' at the end (a raw
    // NUL is never valid JSON outside a string, so it cannot be confused with real input).
    char peek()
    {
        skipWhitespace();
        return m_p < m_end ? *m_p : '\0';
    }
    // Skips whitespace, then consumes `c` if it is the next byte.
    bool consume(char c)
    {
        if (m_p == m_end || peek() != c) return false;
        ++m_p;
        return true;
    }
    // True when only whitespace is left.
    bool atEnd();

    // Reads a string token (the next non-space byte must be '"'), decoding escapes into `out`.
    // False on any syntax error (control character, bad escape, lone surrogate, unterminated).
    bool readString(std::string& out);
    // Reads a number token and classifies it. False on a syntax error.
    bool readNumber(JsonNumber& out);
    // Skips one complete value of any type, validating its syntax.
    bool skipValue();

    std::size_t offset() const { return static_cast<std::size_t>(m_p - m_begin); }

private:
    // Inline: called between every two tokens, from this file and from the schema parser.
    void skipWhitespace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool skipValueAt(int depth);
    bool readEscape(std::string& out);
    bool readHex4(unsigned& out);

    const char* m_begin;
    const char* m_p;
    const char* m_end;
};

// True when `text` is exactly one JSON value with optional surrounding whitespace.
bool isValidJson(std::span<const char> text);

} // namespace ckpt::detail
