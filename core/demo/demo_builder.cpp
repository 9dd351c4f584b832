#include "core/demo/demo_builder.h"

#include "core/convert/atomic_file.h"
#include "core/demo/demo_values.h"
#include "core/safetensors/safetensors_writer.h"

#include <cstdio>
#include <filesystem>

namespace ckpt::demo {
namespace fs = std::filesystem;

namespace {

std::uint64_t tensorBytes(const DemoTensor& t) { return byteSizeFor(t.dtype, t.shape).value_or(0); }

std::size_t elements(const Shape& shape) { return static_cast<std::size_t>(elementCount(shape).value_or(0)); }

std::string shardName(std::size_t index, std::size_t count)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", index + 1, count);
    return buf;
}

// Greedy split in declaration order into `count` shards of about equal bytes (as HF's
// save_pretrained does with max_shard_size), every shard holding at least one tensor.
std::vector<std::size_t> shardBoundaries(const std::vector<DemoTensor>& tensors, std::size_t count)
{
    std::uint64_t total = 0;
    for (const auto& t : tensors) total += tensorBytes(t);
    std::vector<std::size_t> ends;
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        acc += tensorBytes(tensors[i]);
        std::size_t shard = ends.size();
        std::size_t remainingTensors = tensors.size() - i - 1;
        std::size_t remainingShards = count - shard - 1;
        bool full = acc * count >= total * (shard + 1);
        if (shard + 1 < count && (full || remainingTensors == remainingShards)) ends.push_back(i + 1);
    }
    ends.push_back(tensors.size());
    return ends;
}

} // namespace

void DemoBuilder::add(const std::string& name, DType dtype, Shape shape, float mean, float stddev)
{
    Fill fill;
    fill.mean = mean;
    fill.stddev = stddev;
    fill.seed = name;
    m_tensors.push_back(DemoTensor{name, dtype, std::move(shape), std::move(fill)});
}

void DemoBuilder::addFp8(const std::string& weightName, const std::string& scaleName, std::uint64_t rows,
                         std::uint64_t cols, DType scaleDtype, float stddev)
{
    Fill fill;
    fill.kind = FillKind::Fp8Weight;
    fill.stddev = stddev;
    fill.seed = weightName;
    fill.scaleDtype = scaleDtype;
    fill.logical = {rows, cols};
    m_tensors.push_back(DemoTensor{weightName, DType::F8_E4M3, {rows, cols}, fill});
    fill.kind = FillKind::Fp8Scale;
    m_tensors.push_back(DemoTensor{scaleName, scaleDtype, {(rows + 127) / 128, (cols + 127) / 128}, fill});
}

void DemoBuilder::addFp4(const std::string& weightName, const std::string& scaleName, std::uint64_t rows,
                         std::uint64_t cols, float stddev)
{
    Fill fill;
    fill.kind = FillKind::Fp4Weight;
    fill.stddev = stddev;
    fill.seed = weightName;
    fill.logical = {rows, cols};
    m_tensors.push_back(DemoTensor{weightName, DType::I8, {rows, cols / 2}, fill});
    fill.kind = FillKind::Fp4Scale;
    m_tensors.push_back(DemoTensor{scaleName, DType::F8_E8M0, {rows, cols / 32}, fill});
}

void DemoBuilder::addExpertTable(const std::string& name, std::uint64_t rows, std::uint32_t topK,
                                 std::uint32_t experts)
{
    Fill fill;
    fill.kind = FillKind::ExpertTable;
    fill.seed = name;
    fill.topK = topK;
    fill.experts = experts;
    m_tensors.push_back(DemoTensor{name, DType::I32, {rows, topK}, std::move(fill)});
}

std::vector<std::byte> generateTensorBytes(const DemoTensor& t, QuantCache* cache)
{
    const Fill& f = t.fill;
    if (cache && cache->kind == f.kind && cache->seed == f.seed) {
        cache->seed.clear();
        return std::move(cache->bytes);
    }
    auto keep = [&](FillKind other, std::vector<std::byte>&& bytes) {
        if (cache) *cache = QuantCache{f.seed, other, std::move(bytes)};
    };
    switch (f.kind) {
    case FillKind::Normal:
        return encodeFloats(normalValues(f.seed, elements(t.shape), f.mean, f.stddev), t.dtype);
    case FillKind::ExpertTable:
        return expertTable(f.seed, t.shape[0], f.topK, f.experts);
    case FillKind::Fp8Weight:
    case FillKind::Fp8Scale: {
        auto values = normalValues(f.seed, elements(f.logical), f.mean, f.stddev);
        auto q = quantizeFp8Block(values, f.logical[0], f.logical[1], 128, 128, f.scaleDtype);
        if (f.kind == FillKind::Fp8Scale) {
            keep(FillKind::Fp8Weight, std::move(q.weight));
            return std::move(q.scale);
        }
        keep(FillKind::Fp8Scale, std::move(q.scale));
        return std::move(q.weight);
    }
    case FillKind::Fp4Weight:
    case FillKind::Fp4Scale: {
        auto values = normalValues(f.seed, elements(f.logical), f.mean, f.stddev);
        auto q = quantizeFp4(values, f.logical[0], f.logical[1]);
        if (f.kind == FillKind::Fp4Scale) {
            keep(FillKind::Fp4Weight, std::move(q.packed));
            return std::move(q.scale);
        }
        keep(FillKind::Fp4Scale, std::move(q.scale));
        return std::move(q.packed);
    }
    }
    return {};
}

Status DemoBuilder::writeShards(const std::string& dst, JobContext* job,
                                std::vector<std::string>& written) const
{
    std::uint64_t total = 0;
    for (const auto& t : m_tensors) total += tensorBytes(t);
    m_totalSize = total;
    m_weightMap = nlohmann::json::object();
    std::vector<std::size_t> ends = m_shardEnds;
    if (ends.empty()) ends = shardBoundaries(m_tensors, m_shards);
    else if (ends.back() != m_tensors.size()) ends.push_back(m_tensors.size());
    std::uint64_t done = 0;
    std::size_t begin = 0;
    QuantCache cache;
    for (std::size_t s = 0; s < ends.size(); ++s) {
        const std::string name = shardName(s, ends.size());
        std::vector<DeclaredTensor> declared;
        for (std::size_t i = begin; i < ends[s]; ++i) {
            declared.push_back(DeclaredTensor{m_tensors[i].name, m_tensors[i].dtype, m_tensors[i].shape});
            m_weightMap[m_tensors[i].name] = name;
        }
        const std::string path = (fs::path(dst) / name).string();
        if (m_headersOnly) {
            if (job && job->isCancelled()) return makeError(ErrorCode::Cancelled, "writing the demo was cancelled", dst);
            CKPT_TRY(writeSparseShard(path, m_tensors, begin, ends[s]));
            written.push_back(path);
            begin = ends[s];
            if (job) job->reportProgress(s + 1, ends.size(), "writing demo headers");
            continue;
        }
        auto writer = SafetensorsWriter::create(path, std::move(declared), {{"format", "pt"}});
        if (!writer) return writer.takeError();
        for (std::size_t i = begin; i < ends[s]; ++i) {
            if (job && job->isCancelled()) return makeError(ErrorCode::Cancelled, "writing the demo was cancelled", dst);
            auto bytes = generateTensorBytes(m_tensors[i], &cache);
            CKPT_TRY(writer.value()->append(bytes));
            done += bytes.size();
            if (job) job->reportProgress(done, total, "writing demo tensors");
        }
        CKPT_TRY(writer.value()->finish());
        written.push_back(path);
        begin = ends[s];
    }
    return {};
}

Status DemoBuilder::writeSideFiles(const std::string& dst, std::vector<std::string>& written) const
{
    nlohmann::json index = {{"metadata", {{"total_size", m_totalSize}}}, {"weight_map", m_weightMap}};
    // Tokenizer stand-in: enough for "other files are copied" and for tools that look for one.
    nlohmann::json tokenizer = {
        {"tokenizer_class", "PreTrainedTokenizerFast"},
        {"model_max_length", m_config.value("max_position_embeddings", 4096)},
        {"bos_token", "<bos>"},
        {"eos_token", "<eos>"},
        {"ckptscope_demo", "synthetic checkpoint: no real vocabulary"},
    };
    const std::pair<const char*, std::string> files[] = {
        {"model.safetensors.index.json", index.dump(2) + "\n"},
        {"config.json", m_config.dump(2) + "\n"},
        {"generation_config.json", m_generationConfig.dump(2) + "\n"},
        {"tokenizer_config.json", tokenizer.dump(2) + "\n"},
    };
    for (const auto& [name, text] : files) {
        const std::string path = (fs::path(dst) / name).string();
        CKPT_TRY(writeFileAtomically(path, text));
        written.push_back(path);
    }
    return {};
}

Status DemoBuilder::write(const std::string& dst, JobContext* job) const
{
    std::vector<std::string> written;
    Status st = writeShards(dst, job, written);
    if (st) st = writeSideFiles(dst, written);
    if (!st) {
        // Partial output is deleted: a half-written demo must not pass for a checkpoint.
        std::error_code ec;
        for (const auto& p : written) fs::remove(p, ec);
    }
    return st;
}

} // namespace ckpt::demo
