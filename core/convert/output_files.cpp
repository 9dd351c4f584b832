#include "core/convert/output_files.h"

#include "core/convert/atomic_file.h"
#include "core/convert/destination_guard.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace ckpt {
namespace {

const char* torchDtypeName(DType d)
{
    switch (d) {
    case DType::F16: return "float16";
    case DType::F32: return "float32";
    default: return "bfloat16";
    }
}

bool endsWith(const std::string& s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void setDtype(nlohmann::json& cfg, const char* name)
{
    // Newer transformers write "dtype"; keep whichever spelling the source used, torch_dtype by default.
    if (cfg.contains("dtype")) cfg["dtype"] = name;
    if (cfg.contains("torch_dtype") || !cfg.contains("dtype")) cfg["torch_dtype"] = name;
}

} // namespace

nlohmann::json rewriteConfig(const nlohmann::json& source, const ConfigChange& change,
                             nlohmann::json& auditOut)
{
    nlohmann::json cfg = source.is_object() ? source : nlohmann::json::object();
    auditOut = nlohmann::json::object();
    if (cfg.contains("quantization_config")) {
        auditOut["original_quantization_config"] = cfg["quantization_config"];
        if (change.dequantized || change.quantizedFp8) cfg.erase("quantization_config");
    }
    if (change.quantizedFp8) {
        cfg["quantization_config"] = {
            {"quant_method", "fp8"}, {"fmt", "e4m3"}, {"activation_scheme", "dynamic"},
            {"weight_block_size", {change.blockRows, change.blockCols}}};
    }
    const char* name = torchDtypeName(change.weightDtype);
    setDtype(cfg, name);
    if (cfg.contains("text_config") && cfg["text_config"].is_object())
        setDtype(cfg["text_config"], name);
    return cfg;
}

Status writeIndexFile(const std::string& dstDir,
                      const std::vector<std::pair<std::string, std::string>>& weightMap,
                      std::uint64_t totalSize)
{
    auto sorted = weightMap;
    std::sort(sorted.begin(), sorted.end());
    nlohmann::ordered_json doc;
    doc["metadata"] = {{"total_size", totalSize}};
    nlohmann::ordered_json map = nlohmann::ordered_json::object();
    for (const auto& [name, file] : sorted) map[name] = file;
    doc["weight_map"] = std::move(map);
    return writeFileAtomically((fs::path(dstDir) / "model.safetensors.index.json").string(),
                               doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<std::vector<std::string>> copyAuxiliaryFiles(const std::string& srcDir, const std::string& dstDir,
                                                    bool replace)
{
    std::vector<std::string> copied;
    std::error_code ec;
    std::vector<fs::path> candidates;
    for (const auto& entry : fs::directory_iterator(srcDir, ec)) {
        if (!entry.is_regular_file(ec)) continue;
        const std::string name = entry.path().filename().string();
        if (endsWith(name, ".safetensors") || endsWith(name, ".ckpt-partial") ||
            name == "model.safetensors.index.json" || name == "config.json" || name == kJournalFileName ||
            name == "ckptscope-audit.json")
            continue;
        candidates.push_back(entry.path());
    }
    if (ec) return makeError(ErrorCode::Io, "cannot list the source folder: " + ec.message(), srcDir);
    std::sort(candidates.begin(), candidates.end());
    for (const auto& from : candidates) {
        const std::string name = from.filename().string();
        CKPT_TRY(copyFileAtomically(from.string(), (fs::path(dstDir) / name).string(), replace));
        copied.push_back(name);
    }
    return copied;
}

std::string shardFileName(std::uint32_t index, std::uint32_t count)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05u-of-%05u.safetensors", index + 1, count);
    return buf;
}

} // namespace ckpt
