#include "core/convert/conversion_journal.h"

#include "core/convert/atomic_file.h"
#include "core/convert/destination_guard.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace ckpt {

std::string fingerprintOf(std::string_view text)
{
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

Result<ConversionJournal> ConversionJournal::create(const std::string& dstDir, std::string fingerprint,
                                                    std::string source)
{
    ConversionJournal j;
    j.m_path = (fs::path(dstDir) / kJournalFileName).string();
    j.m_fingerprint = std::move(fingerprint);
    j.m_source = std::move(source);
    CKPT_TRY(j.save());
    return j;
}

Result<ConversionJournal> ConversionJournal::resume(const std::string& dstDir, const std::string& fingerprint)
{
    ConversionJournal j;
    j.m_path = (fs::path(dstDir) / kJournalFileName).string();
    std::ifstream in(j.m_path);
    if (!in) return makeError(ErrorCode::DestinationInvalid, "no journal to resume from", j.m_path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("fingerprint") ||
        !doc["fingerprint"].is_string() || !doc.contains("finished") || !doc["finished"].is_array())
        return makeError(ErrorCode::DestinationInvalid, "the journal is damaged; start again in an empty folder",
                         j.m_path);
    j.m_fingerprint = doc["fingerprint"].get<std::string>();
    if (j.m_fingerprint != fingerprint)
        return makeError(ErrorCode::DestinationInvalid,
                         "the destination holds a conversion of another source or with other options "
                         "(plan fingerprint " + j.m_fingerprint + ", now " + fingerprint + ")",
                         j.m_path);
    j.m_source = doc.value("source", "");
    j.m_complete = doc.value("complete", false);
    for (const auto& f : doc["finished"]) {
        if (!f.is_object() || !f.contains("file") || !f["file"].is_string() || !f.contains("bytes") ||
            !f["bytes"].is_number_unsigned())
            return makeError(ErrorCode::DestinationInvalid, "the journal is damaged", j.m_path);
        FinishedShard s{f["file"].get<std::string>(), f["bytes"].get<std::uint64_t>()};
        // A finished shard that is gone or changed size is simply redone.
        std::error_code ec;
        auto size = fs::file_size(fs::path(dstDir) / s.file, ec);
        if (!ec && size == s.bytes) j.m_finished.push_back(std::move(s));
        else j.m_complete = false;
    }
    return j;
}

bool ConversionJournal::isFinished(const std::string& file) const
{
    return std::any_of(m_finished.begin(), m_finished.end(),
                       [&](const FinishedShard& s) { return s.file == file; });
}

Status ConversionJournal::markFinished(const std::string& file, std::uint64_t bytes)
{
    m_finished.erase(std::remove_if(m_finished.begin(), m_finished.end(),
                                    [&](const FinishedShard& s) { return s.file == file; }),
                     m_finished.end());
    m_finished.push_back({file, bytes});
    return save();
}

Status ConversionJournal::markComplete()
{
    m_complete = true;
    return save();
}

Status ConversionJournal::save() const
{
    nlohmann::json doc = {{"version", 1}, {"tool", "ckptscope"}, {"fingerprint", m_fingerprint},
                          {"source", m_source}, {"complete", m_complete},
                          {"finished", nlohmann::json::array()}};
    for (const auto& s : m_finished) doc["finished"].push_back({{"file", s.file}, {"bytes", s.bytes}});
    return writeFileAtomically(m_path, doc.dump(1));
}

} // namespace ckpt
