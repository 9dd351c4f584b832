#include "core/checkpoint/checkpoint_loader.h"

#include "core/checkpoint/parallel_headers.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

namespace ckpt {
namespace fs = std::filesystem;

namespace {

std::string normalizedAbsolute(const std::string& path)
{
    std::error_code ec;
    fs::path p = fs::absolute(fs::path(path), ec);
    if (ec) p = fs::path(path);
    p = p.lexically_normal();
    if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
    return p.string();
}

std::string joinPath(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

bool isRegularFile(const std::string& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

} // namespace

CheckpointLoader::CheckpointLoader(std::string path, const OpenOptions& options)
    : m_path(std::move(path)), m_options(options), m_ckpt(new Checkpoint())
{
}

Result<std::shared_ptr<const Checkpoint>> CheckpointLoader::load()
{
    CKPT_TRY(resolveFiles());
    CKPT_TRY(readConfig());
    DataCheck check = m_options.headerOnly ? DataCheck::HeaderOnly : DataCheck::Full;
    auto headers = readHeadersParallel(m_ckpt->m_files, check, m_options.threads, m_options.job);
    if (!headers) return headers.takeError();
    CKPT_TRY(collectTensors(std::move(headers.value())));
    CKPT_TRY(checkDuplicates());
    if (m_index) CKPT_TRY(checkAgainstIndex());
    detect();
    m_ckpt->m_mapped.resize(m_ckpt->m_files.size());
    return std::shared_ptr<const Checkpoint>(std::move(m_ckpt));
}

Status CheckpointLoader::resolveFiles()
{
    std::error_code ec;
    auto status = fs::status(m_path, ec);
    if (ec || !fs::exists(status))
        return makeError(ErrorCode::Io, "no such file or directory", m_path);
    std::string abs = normalizedAbsolute(m_path);
    if (fs::is_regular_file(status)) {
        m_ckpt->m_root = fs::path(abs).parent_path().string();
        m_ckpt->m_files.push_back(abs);
        return {};
    }
    if (!fs::is_directory(status))
        return makeError(ErrorCode::NoCheckpoint, "neither a .safetensors file nor a folder", m_path);
    m_ckpt->m_root = abs;
    // A conversion that was interrupted leaves finished shards and its journal but no index: those
    // shards are not a checkpoint, and reading them as one would silently lose tensors.
    if (isRegularFile(joinPath(abs, ".ckptscope-convert.json")))
        return makeError(ErrorCode::UnsupportedFormat,
                         "this folder holds an unfinished ckptscope conversion (finish it with "
                         "'ckptscope-cli convert SRC DST --resume' or delete the folder)", abs);
    std::string indexPath = joinPath(abs, kIndexFileName);
    if (isRegularFile(indexPath)) return resolveIndexedFolder(indexPath);
    return resolveBareFolder();
}

Status CheckpointLoader::resolveIndexedFolder(const std::string& indexPath)
{
    auto index = readCheckpointIndex(indexPath);
    if (!index) return index.takeError();
    m_index = std::move(index.value());
    m_ckpt->m_hasIndex = true;
    for (std::size_t s = 0; s < m_index->shards.size(); ++s) {
        std::string shard = joinPath(m_ckpt->m_root, m_index->shards[s]);
        if (!isRegularFile(shard))
            return makeError(ErrorCode::IndexMissingShard,
                             "shard listed in " + std::string(kIndexFileName) + " does not exist", shard,
                             m_index->firstTensorIn(static_cast<std::uint32_t>(s)));
        m_ckpt->m_files.push_back(std::move(shard));
    }
    if (m_ckpt->m_files.empty())
        return makeError(ErrorCode::IndexInvalid, "weight_map lists no tensors", indexPath);
    // Stray shards are not read (the index is authoritative) but never ignored silently.
    std::set<std::string> listed(m_index->shards.begin(), m_index->shards.end());
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_ckpt->m_root, ec)) {
        std::string name = entry.path().filename().string();
        if (name.ends_with(".safetensors") && !listed.count(name))
            m_ckpt->m_warnings.push_back(name + " is not listed in " + kIndexFileName + " and was not read");
    }
    std::sort(m_ckpt->m_warnings.begin(), m_ckpt->m_warnings.end());
    return {};
}

Status CheckpointLoader::resolveBareFolder()
{
    std::error_code ec;
    std::vector<std::string> names;
    bool distcp = false;
    for (const auto& entry : fs::directory_iterator(m_ckpt->m_root, ec)) {
        std::string name = entry.path().filename().string();
        std::error_code fileEc;
        if (!entry.is_regular_file(fileEc)) continue;
        if (name.ends_with(".safetensors")) names.push_back(std::move(name));
        else if (name.ends_with(".distcp") || name == ".metadata") distcp = true;
    }
    if (ec) return makeError(ErrorCode::Io, "cannot list the folder: " + ec.message(), m_ckpt->m_root);
    if (names.empty() && distcp)
        return makeError(ErrorCode::UnsupportedFormat,
                         "this is a torch DCP checkpoint (*.distcp + .metadata); DCP files are "
                         "pickles and ckptscope refuses to unpickle them (unsafe). Save or "
                         "consolidate the model as safetensors instead",
                         m_ckpt->m_root);
    if (names.empty())
        return makeError(ErrorCode::NoCheckpoint, "no .safetensors file in this folder", m_ckpt->m_root);
    std::sort(names.begin(), names.end());
    for (auto& n : names) m_ckpt->m_files.push_back(joinPath(m_ckpt->m_root, n));
    return {};
}

Status CheckpointLoader::readConfig()
{
    std::string path = joinPath(m_ckpt->m_root, "config.json");
    if (!isRegularFile(path)) return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::Io, "cannot open", path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto config = nlohmann::json::parse(text, nullptr, false);
    if (config.is_discarded()) return makeError(ErrorCode::ConfigInvalid, "config.json is not valid JSON", path);
    if (!config.is_object()) return makeError(ErrorCode::ConfigInvalid, "config.json is not a JSON object", path);
    m_ckpt->m_config = std::move(config);
    m_ckpt->m_hasConfig = true;
    return {};
}

Status CheckpointLoader::collectTensors(std::vector<SafetensorsHeader> headers)
{
    // Sort small {name view, file, entry} records rather than TensorRefs (88-byte moves), then
    // move each entry's name and shape once into its final place.
    struct Slot {
        std::string_view name;
        std::uint32_t file, entry;
    };
    std::vector<Slot> order;
    std::size_t total = 0;
    for (const auto& h : headers) total += h.tensors.size();
    order.reserve(total);
    for (std::size_t f = 0; f < headers.size(); ++f)
        for (std::size_t e = 0; e < headers[f].tensors.size(); ++e)
            order.push_back({headers[f].tensors[e].name, static_cast<std::uint32_t>(f), static_cast<std::uint32_t>(e)});
    // File order breaks ties, so a name stored twice is reported the same way on every run.
    std::sort(order.begin(), order.end(), [](const Slot& a, const Slot& b) {
        const int c = a.name.compare(b.name);
        return c < 0 || (c == 0 && a.file < b.file);
    });

    auto& tensors = m_ckpt->m_tensors;
    tensors.reserve(total);
    for (const Slot& s : order) {
        TensorEntry& e = headers[s.file].tensors[s.entry];
        m_ckpt->m_totalBytes += e.end - e.begin;
        tensors.push_back(TensorRef{std::move(e.name), e.dtype, std::move(e.shape), s.file,
                                    headers[s.file].dataStart + e.begin, e.end - e.begin});
    }
    if (!headers.empty()) m_ckpt->m_metadata = std::move(headers.front().metadata);
    return {};
}

Status CheckpointLoader::checkDuplicates() const
{
    const auto& t = m_ckpt->m_tensors;
    auto dup = std::adjacent_find(t.begin(), t.end(),
                                  [](const TensorRef& a, const TensorRef& b) { return a.name == b.name; });
    if (dup == t.end()) return {};
    const std::string& a = m_ckpt->fileOf(*dup);
    const std::string& b = m_ckpt->fileOf(*(dup + 1));
    return makeError(ErrorCode::TensorInTwoShards,
                     "tensor is stored in two files: " + fs::path(a).filename().string() + " and " +
                         fs::path(b).filename().string() + " (" + b + ")",
                     a, dup->name);
}

Status CheckpointLoader::checkAgainstIndex() const
{
    const auto& tensors = m_ckpt->m_tensors;
    const auto& index = *m_index;
    const std::string indexName = kIndexFileName;
    std::size_t i = 0, j = 0;
    // Both lists are sorted by name and shard k of the index is file k: one merge walk, and the
    // first problem in name order is the one reported.
    while (i < tensors.size() || j < index.entries.size()) {
        const std::string_view listed = j < index.entries.size() ? index.name(index.entries[j]) : std::string_view();
        if (j == index.entries.size() || (i < tensors.size() && std::string_view(tensors[i].name) < listed))
            return makeError(ErrorCode::IndexUnlistedTensor,
                             "tensor is stored in this shard but not listed in " + indexName,
                             m_ckpt->fileOf(tensors[i]), tensors[i].name);
        const std::string& listedFile = m_ckpt->m_files[index.entries[j].shard];
        if (i == tensors.size() || listed < std::string_view(tensors[i].name))
            return makeError(ErrorCode::IndexMissingTensor,
                             indexName + " lists the tensor in this shard, but the shard does not hold it",
                             listedFile, std::string(listed));
        if (tensors[i].fileIndex != index.entries[j].shard)
            return makeError(ErrorCode::IndexMissingTensor,
                             indexName + " lists the tensor in this shard, but it is stored in " +
                                 fs::path(m_ckpt->fileOf(tensors[i])).filename().string(),
                             listedFile, tensors[i].name);
        ++i;
        ++j;
    }
    if (m_index->totalSize && *m_index->totalSize != m_ckpt->m_totalBytes)
        m_ckpt->m_warnings.push_back(indexName + " metadata.total_size is " +
                                     std::to_string(*m_index->totalSize) + " but the tensors hold " +
                                     std::to_string(m_ckpt->m_totalBytes) + " bytes");
    return {};
}

void CheckpointLoader::detect()
{
    Checkpoint& c = *m_ckpt;
    c.m_family = detectFamily(c.m_config, c.m_tensors);
    c.m_layout = detectLayout(c.m_metadata, c.m_tensors);
    c.m_quant = pairQuantizedTensors(c.m_tensors, c.m_config, c.m_files, joinPath(c.m_root, "config.json"));
    for (const auto& orphan : c.m_quant.orphanScales)
        c.m_warnings.push_back("scale tensor '" + orphan + "' has no weight");
}

} // namespace ckpt
