#include "core/convert/plan_executor.h"

#include "core/checkpoint/checkpoint.h"
#include "core/convert/atomic_file.h"
#include "core/convert/conversion_journal.h"
#include "core/convert/destination_guard.h"
#include "core/convert/large_buffer_policy.h"
#include "core/convert/op_evaluator.h"
#include "core/convert/output_files.h"
#include "core/job_context.h"
#include "core/kernel_backend.h"
#include "core/plan/plan_json.h"
#include "core/safetensors/safetensors_writer.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace ckpt {
namespace {

struct RunState {
    const Checkpoint& source;
    const ConversionPlan& plan;
    const ExecuteOptions& options;
    OpEvaluator evaluator;
    ExecuteReport report;
    std::uint64_t done = 0;  // output bytes accounted for (written or reused)

    bool cancelled() const { return options.job && options.job->isCancelled(); }
    void progress(const std::string& stage)
    {
        if (options.job) options.job->reportProgress(done, plan.totalBytes, stage);
    }
};

Error cancelledError() { return makeError(ErrorCode::Cancelled, "conversion cancelled"); }

// The journal must refuse to resume with another plan, source or options: fingerprint the plan
// (which holds every op, dtype and shard), where the source is, and each source file's name, size
// and modification time, so a same-shaped copy or a shard rewritten in place is not mixed into
// shards written from the old bytes. (Hashing the contents would mean reading the whole source.)
std::string planFingerprint(const Checkpoint& source, const ConversionPlan& plan)
{
    std::error_code ec;
    std::string text = planToJson(plan).dump() + "\n" + fs::weakly_canonical(source.root(), ec).string();
    for (const auto& f : source.files()) {
        const auto size = fs::file_size(f, ec);
        const auto mtime = fs::last_write_time(f, ec).time_since_epoch().count();
        text += "\n" + fs::path(f).filename().string() + ":" + std::to_string(size) + ":" + std::to_string(mtime);
    }
    return fingerprintOf(text);
}

Status appendValue(SafetensorsWriter& writer, const TensorValue& value, const PlanOutput& out)
{
    Status st = writer.append(value.bytes);
    if (!st.ok() && st.error().tensor.empty()) {
        Error e = st.error();
        e.tensor = out.name;
        return e;
    }
    return st;
}

Status checkValue(const TensorValue& v, DType dtype, const std::vector<std::uint64_t>& shape, const PlanOutput& out)
{
    if (v.dtype == dtype && v.shape == shape) return {};
    return makeError(ErrorCode::PlanInvalid, "ops produce " + std::string(dtypeName(v.dtype)) + " " + shapeToString(v.shape)
                     + ", the plan declares " + std::string(dtypeName(dtype)) + " " + shapeToString(shape), {}, out.name);
}

Status writeOutput(RunState& s, SafetensorsWriter& writer, const PlanOutput& out)
{
    auto ends = OpEvaluator::stackElementEnds(out.ops);
    if (!ends) return makeError(ErrorCode::PlanInvalid, ends.error().message, {}, out.name);
    if (ends->empty()) {
        auto v = s.evaluator.run(out.ops, out);
        if (!v) return v.takeError();
        CKPT_TRY(checkValue(*v, out.dtype, out.shape, out));
        CKPT_TRY(appendValue(writer, *v, out));
        s.evaluator.releaseSourcePages();
        s.done += v->bytes.size();
        return {};
    }
    // Streamed stack: element i is the i-th slab of the output.
    const std::vector<std::uint64_t> elementShape(out.shape.begin() + 1, out.shape.end());
    std::size_t begin = 0;
    for (std::size_t i = 0; i < ends->size(); ++i) {
        if (s.cancelled()) return cancelledError();
        std::span<const PlanOp> element(out.ops.data() + begin, (*ends)[i] - begin);
        auto v = s.evaluator.run(element, out);
        if (!v) return v.takeError();
        CKPT_TRY(checkValue(*v, out.dtype, elementShape, out));
        CKPT_TRY(appendValue(writer, *v, out));
        s.evaluator.releaseSourcePages();
        s.done += v->bytes.size();
        s.progress(out.name);
        begin = (*ends)[i];
    }
    return {};
}

Status writeShard(RunState& s, std::uint32_t shard, const std::vector<const PlanOutput*>& outputs,
                  const std::string& path)
{
    std::vector<DeclaredTensor> declared;
    for (const PlanOutput* o : outputs) declared.push_back({o->name, o->dtype, o->shape});
    auto writer = SafetensorsWriter::create(path, std::move(declared), s.plan.metadata);
    if (!writer) return writer.takeError();
    for (const PlanOutput* o : outputs) {
        if (s.cancelled()) return cancelledError();  // the writer's destructor removes the partial file
        s.progress(o->name);
        CKPT_TRY(writeOutput(s, **writer, *o));
        ++s.report.tensorsWritten;
    }
    CKPT_TRY((*writer)->finish());
    (void)shard;
    return {};
}

Status writeFolderFiles(RunState& s, const std::string& dst)
{
    std::vector<std::pair<std::string, std::string>> weightMap;
    for (const auto& o : s.plan.outputs) weightMap.emplace_back(o.name, shardFileName(o.shard, s.plan.shardCount));
    CKPT_TRY(writeIndexFile(dst, weightMap, s.plan.totalBytes));
    nlohmann::json audit;
    nlohmann::json config = s.source.config();
    if (s.plan.to == Layout::Hf) {
        bool quantized = false;
        for (const auto& o : s.plan.outputs) quantized |= o.dtype == DType::F8_E4M3;
        DType weights = DType::BF16;
        for (const auto& o : s.plan.outputs)
            if (o.dtype == DType::BF16 || o.dtype == DType::F16) { weights = o.dtype; break; }
        config = rewriteConfig(s.source.config(), ConfigChange{.dequantized = !quantized, .quantizedFp8 = quantized,
                                                               .weightDtype = weights}, audit);
    }
    if (s.source.hasConfig())
        CKPT_TRY(writeFileAtomically((fs::path(dst) / "config.json").string(), config.dump(2) + "\n"));
    auto copied = copyAuxiliaryFiles(fs::path(s.source.root()).string(), dst, s.options.resume);
    if (!copied) return copied.takeError();
    s.report.copiedFiles = *copied;
    audit["tool"] = "ckptscope";
    audit["source"] = s.source.root();
    audit["plan"] = planToJson(s.plan);
    audit["plan"].erase("outputs");  // the index and headers already say what was written
    return writeFileAtomically((fs::path(dst) / "ckptscope-audit.json").string(), audit.dump(1) + "\n");
}

void removeStalePartials(const std::string& dst)
{
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dst, ec))
        if (e.path().extension() == ".ckpt-partial") fs::remove(e.path(), ec);
}

} // namespace

Result<ExecuteReport> executePlan(const Checkpoint& source, const ConversionPlan& plan, const ExecuteOptions& options)
{
    if (!options.backend) return makeError(ErrorCode::InvalidArgument, "no kernel backend");
    const RecycledBuffersScope buffers;  // memory bounded by the tensors in flight (see the header)
    const auto start = std::chrono::steady_clock::now();
    const std::string& dst = options.destination;
    CKPT_TRY(checkDestination(source.root(), dst, options.resume));
    std::error_code ec;
    fs::create_directories(dst, ec);
    if (ec) return makeError(ErrorCode::Io, "cannot create the destination: " + ec.message(), dst);
    const std::string fingerprint = planFingerprint(source, plan);
    const bool haveJournal = fs::exists(fs::path(dst) / kJournalFileName, ec);
    auto journal = options.resume && haveJournal ? ConversionJournal::resume(dst, fingerprint)
                                                 : ConversionJournal::create(dst, fingerprint, source.root());
    if (!journal) return journal.takeError();
    removeStalePartials(dst);

    RunState s{source, plan, options, OpEvaluator(source, *options.backend), {}, 0};
    std::vector<std::vector<const PlanOutput*>> shards(plan.shardCount);
    for (const auto& o : plan.outputs) {
        if (o.shard >= plan.shardCount) return makeError(ErrorCode::PlanInvalid, "output shard out of range", {}, o.name);
        shards[o.shard].push_back(&o);
    }
    for (std::uint32_t i = 0; i < plan.shardCount; ++i) {
        const std::string file = shardFileName(i, plan.shardCount);
        s.report.shardFiles.push_back(file);
        std::uint64_t bytes = 0;
        for (const PlanOutput* o : shards[i]) bytes += o->nbytes();
        if (journal->isFinished(file)) {
            ++s.report.shardsReused;
            s.done += bytes;
            continue;
        }
        const std::uint64_t before = s.done;
        CKPT_TRY(writeShard(s, i, shards[i], (fs::path(dst) / file).string()));
        s.report.bytesWritten += s.done - before;
        ++s.report.shardsWritten;
        CKPT_TRY(journal->markFinished(file, fs::file_size(fs::path(dst) / file, ec)));
    }
    if (s.cancelled()) return cancelledError();
    CKPT_TRY(writeFolderFiles(s, dst));
    fs::remove(fs::path(dst) / kJournalFileName, ec);  // complete: the folder is a plain checkpoint now
    CKPT_TRY(syncDirectory(dst));
    s.progress("done");
    s.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s.report;
}

} // namespace ckpt
