#include "core/checkpoint/checkpoint_index.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <numeric>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace ckpt {
namespace {

using json = nlohmann::json;

// Only depth 1 (top-level keys) and depth 2 inside "weight_map" / "metadata" matter; anything
// deeper is skipped by counting nesting.
class IndexSax {
public:
    explicit IndexSax(CheckpointIndex& out) : m_out(out) {}

    bool null() { return scalar("null"); }
    bool boolean(bool) { return scalar("a boolean"); }
    bool number_integer(json::number_integer_t) { return scalar("a number"); }
    bool number_unsigned(json::number_unsigned_t v)
    {
        if (m_depth == 2 && m_section == Section::Metadata && m_key == "total_size") {
            m_out.totalSize = v;
            return true;
        }
        return scalar("a number");
    }
    bool number_float(json::number_float_t, const json::string_t&) { return scalar("a number"); }
    bool binary(json::binary_t&) { return scalar("binary data"); }
    bool string(json::string_t& s)
    {
        if (m_depth == 2 && m_section == Section::WeightMap) return addEntry(std::move(s));
        return scalar("a string");
    }
    bool key(json::string_t& k)
    {
        if (m_depth == 1) m_topKey = k;
        if (m_depth == 2) m_key = std::move(k);
        return true;
    }
    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e)
    {
        m_error = "not valid JSON at byte " + std::to_string(position) + " (" + e.what() + ")";
        return false;
    }

    const std::string& error() const { return m_error; }
    bool sawWeightMap() const { return m_sawWeightMap; }
    std::vector<std::string>& shardNames() { return m_shardNames; }

private:
    enum class Section { Other, WeightMap, Metadata };

    bool fail(std::string message)
    {
        m_error = std::move(message);
        return false;
    }
    bool scalar(const char* what)
    {
        if (m_depth == 0) return fail("the index is not a JSON object");
        if (m_depth == 1 && m_topKey == "weight_map") return fail(std::string("weight_map is ") + what + ", not an object");
        if (m_depth == 2 && m_section == Section::WeightMap)
            return fail("weight_map entry '" + m_key + "' is " + what + ", not a shard file name");
        return true;
    }
    bool open(bool object)
    {
        if (m_depth == 0 && !object) return fail("the index is not a JSON object");
        if (m_depth == 1 && m_topKey == "weight_map" && !object) return fail("weight_map is an array, not an object");
        if (m_depth == 1 && m_topKey == "metadata" && !object) return fail("metadata is an array, not an object");
        if (m_depth == 2 && m_section == Section::WeightMap)
            return fail("weight_map entry '" + m_key + "' is not a shard file name");
        if (m_depth == 1) {
            m_section = m_topKey == "weight_map" ? Section::WeightMap
                      : m_topKey == "metadata"   ? Section::Metadata
                                                 : Section::Other;
            if (m_section == Section::WeightMap) {
                if (m_sawWeightMap) return fail("weight_map appears twice");
                m_sawWeightMap = true;
            }
        }
        ++m_depth;
        return true;
    }
    bool close()
    {
        --m_depth;
        if (m_depth == 1) m_section = Section::Other;
        return true;
    }
    bool addEntry(std::string file)
    {
        // Shards live beside the index; anything else (sub-paths, "..") could escape the folder.
        if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
            file.find('\\') != std::string::npos)
            return fail("weight_map entry '" + m_key + "' names '" + file +
                        "', which is not a file name in the checkpoint folder");
        auto [it, inserted] = m_shardIds.try_emplace(std::move(file), static_cast<std::uint32_t>(m_shardNames.size()));
        if (inserted) m_shardNames.push_back(it->first);
        m_out.entries.push_back(IndexEntry{std::move(m_key), it->second});
        return true;
    }

    CheckpointIndex& m_out;
    int m_depth = 0;
    Section m_section = Section::Other;
    std::string m_topKey, m_key, m_error;
    bool m_sawWeightMap = false;
    std::unordered_map<std::string, std::uint32_t> m_shardIds;
    std::vector<std::string> m_shardNames;  // in first-seen order
};

} // namespace

Result<CheckpointIndex> parseCheckpointIndex(std::string_view text, const std::string& pathForErrors)
{
    CheckpointIndex index;
    IndexSax sax(index);
    bool ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
    if (!ok || !sax.error().empty())
        return makeError(ErrorCode::IndexInvalid, sax.error().empty() ? "not valid JSON" : sax.error(),
                         pathForErrors);
    if (!sax.sawWeightMap()) return makeError(ErrorCode::IndexInvalid, "no weight_map object", pathForErrors);

    // Sort shard names and renumber the entries to match.
    auto& names = sax.shardNames();
    std::vector<std::uint32_t> order(names.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return names[a] < names[b]; });
    std::vector<std::uint32_t> newId(names.size());
    index.shards.reserve(names.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        newId[order[i]] = i;
        index.shards.push_back(std::move(names[order[i]]));
    }
    for (auto& e : index.entries) e.shard = newId[e.shard];

    std::sort(index.entries.begin(), index.entries.end(),
              [](const IndexEntry& a, const IndexEntry& b) { return a.tensor < b.tensor; });
    auto dup = std::adjacent_find(index.entries.begin(), index.entries.end(),
                                  [](const auto& a, const auto& b) { return a.tensor == b.tensor; });
    if (dup != index.entries.end())
        return makeError(ErrorCode::IndexInvalid, "weight_map lists the tensor twice", pathForErrors,
                         dup->tensor);
    return index;
}

Result<CheckpointIndex> readCheckpointIndex(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::Io, std::string("cannot open: ") + std::strerror(errno), path);
    std::string text;
    in.seekg(0, std::ios::end);
    auto size = in.tellg();
    if (size < 0) return makeError(ErrorCode::Io, "cannot determine the size", path);
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    if (!in) return makeError(ErrorCode::Io, "read failed", path);
    return parseCheckpointIndex(text, path);
}

} // namespace ckpt
