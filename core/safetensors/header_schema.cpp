// The fixed schema of a safetensors header, read token by token from JsonCursor:
//   { "__metadata__": {string: string, ...}?,
//     "<name>": {"dtype": string, "shape": [uint...], "data_offsets": [uint, uint]}, ... }
// A schema violation returns at once; parseSafetensorsHeader() then re-validates the whole text
// so that a document which is not JSON at all is reported as such, whatever came first.

#include "core/safetensors/header_internal.h"
#include "core/safetensors/json_cursor.h"

namespace ckpt::detail {
namespace {

using Kind = JsonNumber::Kind;

class SchemaParser {
public:
    SchemaParser(std::span<const char> json, SafetensorsHeader& out, const std::string& file)
        : m_cursor(json), m_out(out), m_file(file)
    {
    }

    Status parse();

private:
    Status parseMetadata();
    Status parseEntry(std::string name);
    Status parseShape(TensorEntry& entry);
    Status parseOffsets(TensorEntry& entry);
    Status checkSize(const TensorEntry& entry);

    Error syntaxError() const
    {
        return makeError(ErrorCode::HeaderInvalidJson,
                         "header is not valid JSON (near byte " +
                             std::to_string(m_cursor.offset()) + " of the header)",
                         m_file);
    }
    Error entryError(ErrorCode code, std::string message, const std::string& name) const
    {
        return makeError(code, std::move(message), m_file, name);
    }

    JsonCursor m_cursor;
    SafetensorsHeader& m_out;
    const std::string& m_file;
    std::string m_scratch;  // reused for field names and dtype strings
};

Status SchemaParser::parse()
{
    if (!m_cursor.consume('{')) return syntaxError();
    if (m_cursor.consume('}')) return m_cursor.atEnd() ? Status{} : Status{syntaxError()};
    do {
        std::string key;
        if (!m_cursor.readString(key) || !m_cursor.consume(':')) return syntaxError();
        if (key == "__metadata__") {
            if (m_out.hasMetadata)
                return makeError(ErrorCode::MetadataInvalid, "__metadata__ appears twice",
                                 m_file);
            CKPT_TRY(parseMetadata());
        } else {
            CKPT_TRY(parseEntry(std::move(key)));
        }
    } while (m_cursor.consume(','));
    if (!m_cursor.consume('}') || !m_cursor.atEnd()) return syntaxError();
    return {};
}

Status SchemaParser::parseMetadata()
{
    m_out.hasMetadata = true;
    if (m_cursor.peek() != '{')
        return makeError(ErrorCode::MetadataInvalid, "__metadata__ is not an object", m_file);
    m_cursor.consume('{');
    if (m_cursor.consume('}')) return {};
    do {
        std::string key;
        std::string value;
        if (!m_cursor.readString(key) || !m_cursor.consume(':')) return syntaxError();
        if (m_cursor.peek() != '"')
            return makeError(ErrorCode::MetadataInvalid,
                             "__metadata__ value of '" + key + "' is not a string", m_file);
        if (!m_cursor.readString(value)) return syntaxError();
        if (!m_out.metadata.emplace(key, std::move(value)).second)
            return makeError(ErrorCode::MetadataInvalid,
                             "__metadata__ key '" + key + "' appears twice", m_file);
    } while (m_cursor.consume(','));
    if (!m_cursor.consume('}')) return syntaxError();
    return {};
}

Status SchemaParser::parseEntry(std::string name)
{
    if (m_cursor.peek() != '{')
        return entryError(ErrorCode::TensorEntryInvalid, "entry is not an object", name);
    m_cursor.consume('{');
    TensorEntry entry;
    entry.name = std::move(name);
    bool haveDtype = false, haveShape = false, haveOffsets = false;
    auto once = [&](bool& seen) -> Status {
        if (seen)
            return entryError(ErrorCode::TensorEntryInvalid,
                              "field '" + m_scratch + "' appears twice", entry.name);
        seen = true;
        return {};
    };
    if (!m_cursor.consume('}')) {
        do {
            if (!m_cursor.readString(m_scratch) || !m_cursor.consume(':')) return syntaxError();
            if (m_scratch == "dtype") {
                CKPT_TRY(once(haveDtype));
                if (m_cursor.peek() != '"')
                    return entryError(ErrorCode::TensorEntryInvalid, "dtype is not a string",
                                      entry.name);
                if (!m_cursor.readString(m_scratch)) return syntaxError();
                const auto dtype = parseDType(m_scratch);
                if (!dtype)
                    return entryError(ErrorCode::UnknownDtype,
                                      "unknown dtype '" + m_scratch + "'", entry.name);
                entry.dtype = *dtype;
            } else if (m_scratch == "shape") {
                CKPT_TRY(once(haveShape));
                CKPT_TRY(parseShape(entry));
            } else if (m_scratch == "data_offsets") {
                CKPT_TRY(once(haveOffsets));
                CKPT_TRY(parseOffsets(entry));
            } else {
                return entryError(ErrorCode::TensorEntryInvalid,
                                  "unexpected field '" + m_scratch + "'", entry.name);
            }
        } while (m_cursor.consume(','));
        if (!m_cursor.consume('}')) return syntaxError();
    }
    const char* missing = !haveDtype ? "dtype" : !haveShape ? "shape"
                        : !haveOffsets ? "data_offsets" : nullptr;
    if (missing)
        return entryError(ErrorCode::TensorEntryInvalid,
                          std::string("missing field '") + missing + "'", entry.name);
    CKPT_TRY(checkSize(entry));
    m_out.tensors.push_back(std::move(entry));
    return {};
}

Status SchemaParser::parseShape(TensorEntry& entry)
{
    if (m_cursor.peek() != '[')
        return entryError(ErrorCode::InvalidShape, "shape is not an array", entry.name);
    m_cursor.consume('[');
    if (m_cursor.consume(']')) return {};  // a scalar
    entry.shape.reserve(4);  // one allocation for the usual 1-4 dimensions
    do {
        const char c = m_cursor.peek();
        if (c != '-' && (c < '0' || c > '9'))
            return entryError(ErrorCode::InvalidShape, "shape holds a non-number", entry.name);
        JsonNumber n;
        if (!m_cursor.readNumber(n)) return syntaxError();
        if (n.kind == Kind::Negative)
            return entryError(ErrorCode::InvalidShape, "shape holds a negative dimension",
                              entry.name);
        if (n.kind == Kind::NonInteger)
            return entryError(ErrorCode::InvalidShape, "shape holds a non-integer dimension",
                              entry.name);
        if (n.kind == Kind::TooLarge)
            return entryError(ErrorCode::InvalidShape,
                              "shape holds a dimension that does not fit 64 bits", entry.name);
        entry.shape.push_back(n.value);
    } while (m_cursor.consume(','));
    if (!m_cursor.consume(']')) return syntaxError();
    return {};
}

Status SchemaParser::parseOffsets(TensorEntry& entry)
{
    auto invalid = [&] {
        return entryError(ErrorCode::InvalidOffsets,
                          "data_offsets is not an array of two non-negative integers",
                          entry.name);
    };
    if (m_cursor.peek() != '[') return invalid();
    m_cursor.consume('[');
    std::uint64_t values[2] = {0, 0};
    int count = 0;
    if (!m_cursor.consume(']')) {
        do {
            const char c = m_cursor.peek();
            if (count == 2 || (c != '-' && (c < '0' || c > '9'))) return invalid();
            JsonNumber n;
            if (!m_cursor.readNumber(n)) return syntaxError();
            if (n.kind != Kind::Unsigned) return invalid();
            values[count++] = n.value;
        } while (m_cursor.consume(','));
        if (!m_cursor.consume(']')) return syntaxError();
    }
    if (count != 2) return invalid();
    if (values[0] > values[1])
        return entryError(ErrorCode::InvalidOffsets,
                          "data_offsets begin " + std::to_string(values[0]) + " is after end " +
                              std::to_string(values[1]),
                          entry.name);
    entry.begin = values[0];
    entry.end = values[1];
    return {};
}

Status SchemaParser::checkSize(const TensorEntry& entry)
{
    // byteSizeFor() folds overflow and "not whole bytes" into one nullopt; they are different
    // errors here, so the two steps are spelled out.
    const auto numel = elementCount(entry.shape);
    std::uint64_t bits = 0;
    if (!numel || __builtin_mul_overflow(*numel, static_cast<std::uint64_t>(dtypeBits(entry.dtype)),
                                         &bits))
        return entryError(ErrorCode::ShapeOverflow,
                          "element count times element size overflows 64 bits", entry.name);
    if (bits % 8 != 0)
        return entryError(ErrorCode::SizeMismatch,
                          std::to_string(*numel) + " elements of " +
                              std::string(dtypeName(entry.dtype)) +
                              " are not a whole number of bytes",
                          entry.name);
    if (entry.nbytes() != bits / 8)
        return entryError(ErrorCode::SizeMismatch,
                          "data_offsets span " + std::to_string(entry.nbytes()) +
                              " bytes but dtype and shape need " + std::to_string(bits / 8),
                          entry.name);
    return {};
}

} // namespace

Status parseHeaderJson(std::span<const char> json, SafetensorsHeader& out, const std::string& file)
{
    return SchemaParser(json, out, file).parse();
}

} // namespace ckpt::detail
