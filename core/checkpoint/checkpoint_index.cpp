#include "core/checkpoint/checkpoint_index.h"

#include "core/safetensors/json_cursor.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <numeric>

namespace ckpt {
namespace {

using detail::JsonCursor;
using detail::JsonNumber;

class IndexParser {
public:
    IndexParser(std::string_view text, const std::string& path)
        : m_cursor(std::span<const char>(text.data(), text.size())), m_path(path)
    {
    }

    Result<CheckpointIndex> parse();

private:
    Error fail(const std::string& what, const std::string& tensor = {}) const
    {
        return makeError(ErrorCode::IndexInvalid, what + " (at byte " + std::to_string(m_cursor.offset()) + ")",
                         m_path, tensor);
    }
    Status parseWeightMap();
    Status parseMetadata();
    Status addEntry();
    void sortShards();
    Status sortEntries();

    JsonCursor m_cursor;
    const std::string& m_path;
    CheckpointIndex m_index;
    std::vector<std::string> m_shardNames;  // provisional ids = first-seen order
    std::uint32_t m_lastShard = 0;
    std::string m_tensor, m_file;           // reused buffers: no allocation per entry
};

Result<CheckpointIndex> IndexParser::parse()
{
    if (!m_cursor.consume('{')) return fail("the index is not a JSON object");
    bool sawWeightMap = false;
    if (!m_cursor.consume('}')) {
        for (;;) {
            std::string key;
            if (!m_cursor.readString(key) || !m_cursor.consume(':')) return fail("not valid JSON");
            if (key == "weight_map") {
                if (sawWeightMap) return fail("weight_map appears twice");
                sawWeightMap = true;
                CKPT_TRY(parseWeightMap());
            } else if (key == "metadata") {
                CKPT_TRY(parseMetadata());
            } else if (!m_cursor.skipValue()) {
                return fail("not valid JSON");
            }
            if (m_cursor.consume(',')) continue;
            if (m_cursor.consume('}')) break;
            return fail("not valid JSON");
        }
    }
    if (!m_cursor.atEnd()) return fail("not valid JSON: text after the index object");
    if (!sawWeightMap) return fail("no weight_map object");
    sortShards();
    CKPT_TRY(sortEntries());
    return std::move(m_index);
}

Status IndexParser::parseWeightMap()
{
    if (m_cursor.peek() != '{') return fail("weight_map is not an object");
    m_cursor.consume('{');
    if (m_cursor.consume('}')) return {};
    for (;;) {
        m_tensor.clear();
        m_file.clear();
        if (!m_cursor.readString(m_tensor) || !m_cursor.consume(':')) return fail("not valid JSON");
        if (m_cursor.peek() != '"')
            return fail("weight_map entry '" + m_tensor + "' is not a shard file name", m_tensor);
        if (!m_cursor.readString(m_file)) return fail("not valid JSON");
        CKPT_TRY(addEntry());
        if (m_cursor.consume(',')) continue;
        if (m_cursor.consume('}')) return {};
        return fail("not valid JSON");
    }
}

Status IndexParser::parseMetadata()
{
    if (m_cursor.peek() != '{') return fail("metadata is not an object");
    m_cursor.consume('{');
    if (m_cursor.consume('}')) return {};
    for (;;) {
        std::string key;
        if (!m_cursor.readString(key) || !m_cursor.consume(':')) return fail("not valid JSON");
        const char next = m_cursor.peek();
        if (key == "total_size" && (next == '-' || (next >= '0' && next <= '9'))) {
            JsonNumber n;
            if (!m_cursor.readNumber(n)) return fail("not valid JSON");
            if (n.kind == JsonNumber::Kind::Unsigned) m_index.totalSize = n.value;
        } else if (!m_cursor.skipValue()) {
            return fail("not valid JSON");
        }
        if (m_cursor.consume(',')) continue;
        if (m_cursor.consume('}')) return {};
        return fail("not valid JSON");
    }
}

Status IndexParser::addEntry()
{
    const std::string& file = m_file;
    // Shards live beside the index; anything else (sub-paths, "..") could escape the folder.
    if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
        file.find('\\') != std::string::npos)
        return fail("weight_map entry '" + m_tensor + "' names '" + file +
                        "', which is not a file name in the checkpoint folder",
                    m_tensor);
    // Consecutive entries nearly always name the same shard: check the last one first.
    if (m_shardNames.empty() || m_shardNames[m_lastShard] != file) {
        auto it = std::find(m_shardNames.begin(), m_shardNames.end(), file);
        if (it == m_shardNames.end()) it = m_shardNames.insert(it, file);
        m_lastShard = static_cast<std::uint32_t>(it - m_shardNames.begin());
    }
    if (m_index.names.size() + m_tensor.size() > UINT32_MAX) return fail("the index is too large");
    m_index.entries.push_back({static_cast<std::uint32_t>(m_index.names.size()),
                               static_cast<std::uint32_t>(m_tensor.size()), m_lastShard});
    m_index.names += m_tensor;
    return {};
}

void IndexParser::sortShards()
{
    std::vector<std::uint32_t> order(m_shardNames.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return m_shardNames[a] < m_shardNames[b]; });
    std::vector<std::uint32_t> newId(order.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        newId[order[i]] = i;
        m_index.shards.push_back(std::move(m_shardNames[order[i]]));
    }
    for (auto& e : m_index.entries) e.shard = newId[e.shard];
}

Status IndexParser::sortEntries()
{
    auto less = [&](const CheckpointIndex::Entry& a, const CheckpointIndex::Entry& b) {
        return m_index.name(a) < m_index.name(b);
    };
    auto& entries = m_index.entries;
    if (!std::is_sorted(entries.begin(), entries.end(), less)) std::sort(entries.begin(), entries.end(), less);
    auto dup = std::adjacent_find(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
        return m_index.name(a) == m_index.name(b);
    });
    if (dup != entries.end()) {
        const std::string tensor(m_index.name(*dup));
        return makeError(ErrorCode::IndexInvalid, "weight_map lists the tensor twice", m_path, tensor);
    }
    return {};
}

} // namespace

std::string CheckpointIndex::firstTensorIn(std::uint32_t shard) const
{
    for (const auto& e : entries)  // sorted: the first hit is the alphabetically first
        if (e.shard == shard) return std::string(name(e));
    return {};
}

Result<CheckpointIndex> parseCheckpointIndex(std::string_view text, const std::string& pathForErrors)
{
    return IndexParser(text, pathForErrors).parse();
}

Result<CheckpointIndex> readCheckpointIndex(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::Io, std::string("cannot open: ") + std::strerror(errno), path);
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) return makeError(ErrorCode::Io, "cannot determine the size", path);
    std::string text(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    in.read(text.data(), size);
    if (!in) return makeError(ErrorCode::Io, "read failed", path);
    return parseCheckpointIndex(text, path);
}

} // namespace ckpt
