// Checkpoint::open on real folders: single file, indexed and unindexed folders, every error
// kind naming its file and tensor, header-only mode, lazy tensor bytes, family/layout detection.

#include "core/checkpoint/checkpoint.h"
#include "core/safetensors/safetensors_writer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ckpt;

Q_DECLARE_METATYPE(ckpt::ErrorCode)

namespace {

// Writes a safetensors file whose bytes are a recognisable pattern (byte i of the payload is
// (i * 7 + 3) & 0xff), so lazily read views can be checked.
void writeFile(const fs::path& path, const std::vector<DeclaredTensor>& tensors,
               const std::map<std::string, std::string>& metadata = {{"format", "pt"}})
{
    auto w = SafetensorsWriter::create(path.string(), tensors, metadata);
    QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
    std::vector<std::byte> payload(w.value()->payloadBytes());
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = std::byte((i * 7 + 3) & 0xff);
    QVERIFY(w.value()->append(payload).ok());
    QVERIFY(w.value()->finish().ok());
}

void writeText(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

DeclaredTensor bf16(const std::string& name, std::vector<std::uint64_t> shape)
{
    return {name, DType::BF16, std::move(shape)};
}

// Two shards + index: a, b in shard 1; c in shard 2.
void writeIndexedFolder(const fs::path& dir, const std::string& index)
{
    writeFile(dir / "model-00001-of-00002.safetensors", {bf16("a", {2, 3}), bf16("b", {4})});
    writeFile(dir / "model-00002-of-00002.safetensors", {bf16("c", {5})});
    writeText(dir / "model.safetensors.index.json", index);
}

TensorRef named(const QString& name)
{
    TensorRef t;
    t.name = name.toStdString();
    return t;
}

const char* kGoodIndex = R"({"metadata": {"total_size": 30, "total_parameters": 15, "format": "pt"},
  "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
                 "c": "model-00002-of-00002.safetensors"}})";

} // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private slots:
    void singleFile();
    void indexedFolder();
    void unindexedFolder();
    void indexWarnings();
    void errors_data();
    void errors();
    void headerOnlyTruncated();
    void lazyTensorBytes();
    void cancelled();
    void detectFamily_data();
    void detectFamily();
    void detectLayout_data();
    void detectLayout();
};

void TestCheckpoint::singleFile()
{
    QTemporaryDir tmp;
    const fs::path file = fs::path(tmp.path().toStdString()) / "model.safetensors";
    writeFile(file, {bf16("z", {2}), bf16("a", {3, 4})});
    auto c = Checkpoint::open(file.string());
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
    QCOMPARE(c.value()->files().size(), std::size_t(1));
    QCOMPARE(c.value()->files()[0], fs::path(file).lexically_normal().string());
    QCOMPARE(c.value()->root(), fs::path(tmp.path().toStdString()).lexically_normal().string());
    QCOMPARE(c.value()->tensors().size(), std::size_t(2));
    QCOMPARE(c.value()->tensors()[0].name, std::string("a"));  // sorted by name
    QCOMPARE(c.value()->totalBytes(), std::uint64_t(28));
    QVERIFY(!c.value()->hasIndex());
    QVERIFY(!c.value()->hasConfig());
    QCOMPARE(c.value()->family(), Family::Unknown);
    QCOMPARE(c.value()->metadata().at("format"), std::string("pt"));
}

void TestCheckpoint::indexedFolder()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIndexedFolder(dir, kGoodIndex);
    writeText(dir / "config.json", R"({"model_type": "step3p5"})");
    auto c = Checkpoint::open(dir.string() + "/");
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
    const Checkpoint& ck = *c.value();
    QVERIFY(ck.hasIndex());
    QVERIFY(ck.hasConfig());
    QCOMPARE(ck.family(), Family::Step3p5);
    QCOMPARE(ck.files().size(), std::size_t(2));
    QCOMPARE(ck.tensors().size(), std::size_t(3));
    QCOMPARE(ck.totalBytes(), std::uint64_t(30));
    const TensorRef* cRef = ck.find("c");
    QVERIFY(cRef);
    QCOMPARE(fs::path(ck.fileOf(*cRef)).filename().string(), std::string("model-00002-of-00002.safetensors"));
    QVERIFY(!ck.find("d"));
    QVERIFY(ck.warnings().empty());  // unknown metadata keys are tolerated silently
}

void TestCheckpoint::unindexedFolder()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeFile(dir / "b.safetensors", {bf16("x", {1})});
    writeFile(dir / "a.safetensors", {bf16("y", {1})});
    writeText(dir / "notes.txt", "not a shard");
    auto c = Checkpoint::open(dir.string());
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
    QCOMPARE(c.value()->files().size(), std::size_t(2));
    QCOMPARE(fs::path(c.value()->files()[0]).filename().string(), std::string("a.safetensors"));  // sorted
    QCOMPARE(c.value()->find("x")->fileIndex, 1u);
    QVERIFY(!c.value()->hasIndex());
}

void TestCheckpoint::indexWarnings()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    // A stray shard the index does not list is not read, and a wrong total_size is not fatal;
    // neither passes silently.
    writeIndexedFolder(dir, R"({"metadata": {"total_size": 31}, "weight_map": {
        "a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
        "c": "model-00002-of-00002.safetensors"}})");
    writeFile(dir / "extra.safetensors", {bf16("zz", {1})});
    auto c = Checkpoint::open(dir.string());
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
    QVERIFY(!c.value()->find("zz"));
    const auto& w = c.value()->warnings();
    QCOMPARE(w.size(), std::size_t(2));
    QVERIFY(QString::fromStdString(w[0] + w[1]).contains("extra.safetensors"));
    QVERIFY(QString::fromStdString(w[0] + w[1]).contains("total_size is 31"));
}

void TestCheckpoint::errors_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("file");    // expected file name (last path component)
    QTest::addColumn<QString>("tensor");  // expected tensor, empty = none
    QTest::addColumn<QString>("message"); // a substring of the message

    QTest::newRow("index names a missing shard") << "missing-shard" << ErrorCode::IndexMissingShard
                                                 << "model-00003-of-00003.safetensors" << "d" << "does not exist";
    QTest::newRow("tensor missing from its shard") << "missing-tensor" << ErrorCode::IndexMissingTensor
                                                   << "model-00001-of-00002.safetensors" << "ghost" << "does not hold";
    QTest::newRow("tensor in another shard than listed") << "wrong-shard" << ErrorCode::IndexMissingTensor
                                                         << "model-00002-of-00002.safetensors" << "a"
                                                         << "model-00001-of-00002.safetensors";
    QTest::newRow("tensor not in the index") << "unlisted" << ErrorCode::IndexUnlistedTensor
                                             << "model-00002-of-00002.safetensors" << "c" << "not listed";
    QTest::newRow("tensor in two shards") << "two-shards" << ErrorCode::TensorInTwoShards << "a.safetensors"
                                          << "dup" << "b.safetensors";
    QTest::newRow("index not JSON") << "index-garbage" << ErrorCode::IndexInvalid
                                    << "model.safetensors.index.json" << "" << "JSON";
    QTest::newRow("index weight_map not an object") << "index-array" << ErrorCode::IndexInvalid
                                                    << "model.safetensors.index.json" << "" << "weight_map";
    QTest::newRow("index without weight_map") << "index-no-map" << ErrorCode::IndexInvalid
                                              << "model.safetensors.index.json" << "" << "weight_map";
    QTest::newRow("index value not a string") << "index-number" << ErrorCode::IndexInvalid
                                              << "model.safetensors.index.json" << "a" << "'a'";
    QTest::newRow("index escapes the folder") << "index-escape" << ErrorCode::IndexInvalid
                                              << "model.safetensors.index.json" << "a" << "../x.safetensors";
    QTest::newRow("config.json not JSON") << "config-garbage" << ErrorCode::ConfigInvalid << "config.json" << ""
                                          << "config.json";
    QTest::newRow("config.json not an object") << "config-array" << ErrorCode::ConfigInvalid << "config.json"
                                               << "" << "object";
    QTest::newRow("DCP folder") << "distcp" << ErrorCode::UnsupportedFormat << "" << "" << "unpickle";
    QTest::newRow("empty folder") << "empty" << ErrorCode::NoCheckpoint << "" << "" << "no .safetensors";
    QTest::newRow("missing path") << "missing-path" << ErrorCode::Io << "nothing-here" << "" << "no such";
    QTest::newRow("corrupt shard") << "corrupt-shard" << ErrorCode::FileTooSmall << "bad.safetensors" << "" << "";
}

void TestCheckpoint::errors()
{
    QFETCH(QString, scenario);
    QFETCH(ErrorCode, code);
    QFETCH(QString, file);
    QFETCH(QString, tensor);
    QFETCH(QString, message);

    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const std::string s = scenario.toStdString();
    fs::path target = dir;
    if (s == "missing-shard") {
        writeIndexedFolder(dir, R"({"weight_map": {"a": "model-00001-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors",
            "d": "model-00003-of-00003.safetensors"}})");
    } else if (s == "missing-tensor") {
        writeIndexedFolder(dir, R"({"weight_map": {"a": "model-00001-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors",
            "ghost": "model-00001-of-00002.safetensors"}})");
    } else if (s == "wrong-shard") {
        writeIndexedFolder(dir, R"({"weight_map": {"a": "model-00002-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}})");
    } else if (s == "unlisted") {
        writeIndexedFolder(dir, R"({"weight_map": {"a": "model-00001-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors", "x": "model-00002-of-00002.safetensors"}})");
    } else if (s == "two-shards") {
        writeFile(dir / "a.safetensors", {bf16("dup", {2}), bf16("p", {1})});
        writeFile(dir / "b.safetensors", {bf16("dup", {2})});
    } else if (s.starts_with("index-")) {
        const char* text = s == "index-garbage" ? "{\"weight_map\": {"
                         : s == "index-array"   ? R"({"weight_map": ["a"]})"
                         : s == "index-no-map"  ? R"({"metadata": {}})"
                         : s == "index-number"  ? R"({"weight_map": {"a": 1}})"
                                                : R"({"weight_map": {"a": "../x.safetensors"}})";
        writeIndexedFolder(dir, text);
    } else if (s.starts_with("config-")) {
        writeIndexedFolder(dir, kGoodIndex);
        writeText(dir / "config.json", s == "config-garbage" ? "{\"model_type\": " : "[1, 2]");
    } else if (s == "distcp") {
        writeText(dir / "__0_0.distcp", "PK");
        writeText(dir / ".metadata", "pickle");
    } else if (s == "missing-path") {
        target = dir / "nothing-here";
    } else if (s == "corrupt-shard") {
        writeText(dir / "bad.safetensors", "abc");
    }
    auto c = Checkpoint::open(target.string());
    QVERIFY(!c.ok());
    const Error& e = c.error();
    qInfo("%s", e.toString().c_str());
    QCOMPARE(e.code, code);
    if (!file.isEmpty()) QCOMPARE(QString::fromStdString(fs::path(e.file).filename().string()), file);
    else QVERIFY(!e.file.empty());  // the folder itself
    QCOMPARE(QString::fromStdString(e.tensor), tensor);
    QVERIFY2(QString::fromStdString(e.message).contains(message), e.message.c_str());
}

void TestCheckpoint::headerOnlyTruncated()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIndexedFolder(dir, kGoodIndex);
    // Cut every shard right after its header: a header-only copy of a large checkpoint.
    for (const char* name : {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
        auto header = readSafetensorsHeader((dir / name).string());
        QVERIFY(header.ok());
        fs::resize_file(dir / name, header->dataStart);
    }
    auto full = Checkpoint::open(dir.string());
    QVERIFY(!full.ok());
    OpenOptions options;
    options.headerOnly = true;
    options.threads = 2;
    auto c = Checkpoint::open(dir.string(), options);
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
    QCOMPARE(c.value()->tensors().size(), std::size_t(3));
    QCOMPARE(c.value()->totalBytes(), std::uint64_t(30));
    auto bytes = c.value()->tensorBytes(*c.value()->find("a"));
    QVERIFY(!bytes.ok());  // the data is not there, and says so instead of reading garbage
    QVERIFY(!bytes.error().file.empty());
}

void TestCheckpoint::lazyTensorBytes()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIndexedFolder(dir, kGoodIndex);
    auto c = Checkpoint::open(dir.string());
    QVERIFY(c.ok());
    const Checkpoint& ck = *c.value();
    const TensorRef* b = ck.find("b");  // second tensor of shard 1: payload bytes 12..19
    QVERIFY(b);
    auto first = ck.mappedFile(0);
    QVERIFY(first.ok());
    auto again = ck.mappedFile(0);
    QCOMPARE(first.value().get(), again.value().get());  // mapped once, then shared
    auto bytes = ck.tensorBytes(*b);
    QVERIFY(bytes.ok());
    QCOMPARE(bytes.value().size(), std::size_t(8));
    for (std::size_t i = 0; i < 8; ++i) QCOMPARE(bytes.value()[i], std::byte(((12 + i) * 7 + 3) & 0xff));
    QVERIFY(!ck.mappedFile(5).ok());
}

void TestCheckpoint::cancelled()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIndexedFolder(dir, kGoodIndex);
    SimpleJobContext job;
    job.cancel();
    OpenOptions options;
    options.job = &job;
    auto c = Checkpoint::open(dir.string(), options);
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code, ErrorCode::Cancelled);
}

void TestCheckpoint::detectFamily_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("keys");  // comma-separated tensor names
    QTest::addColumn<QString>("family");
    QTest::newRow("config deepseek_v3") << R"({"model_type":"deepseek_v3"})" << "" << "deepseek_v3";
    QTest::newRow("config DeepseekV3ForCausalLM") << R"({"architectures":["DeepseekV3ForCausalLM"]})" << ""
                                                  << "deepseek_v3";
    QTest::newRow("config V3.2 deepseek_v32") << R"({"model_type":"deepseek_v32"})" << "" << "deepseek_v3";
    QTest::newRow("config deepseek_v4") << R"({"architectures":["DeepseekV4ForCausalLM"],"model_type":"deepseek_v4"})"
                                        << "" << "deepseek_v4";
    QTest::newRow("config gemma4 MoE") << R"({"model_type":"gemma4","text_config":{"enable_moe_block":true}})" << ""
                                       << "gemma4_moe";
    QTest::newRow("config gemma4 dense") << R"({"model_type":"gemma4","text_config":{"enable_moe_block":false}})"
                                         << "model.language_model.layers.0.router.proj.weight" << "unknown";
    QTest::newRow("config step3p5") << R"({"model_type":"step3p5"})" << "" << "step3p5";
    QTest::newRow("config Step3p5ForCausalLM") << R"({"architectures":["Step3p5ForCausalLM"]})" << "" << "step3p5";
    QTest::newRow("config llama") << R"({"model_type":"llama"})" << "model.layers.0.self_attn.kv_a_proj_with_mqa.weight"
                                  << "unknown";
    QTest::newRow("keys V3") << "{}" << "lm_head.weight,model.layers.0.self_attn.kv_a_proj_with_mqa.weight"
                             << "deepseek_v3";
    QTest::newRow("keys V4 HF") << "{}" << "embed.weight,layers.0.attn.wq_a.weight" << "deepseek_v4";
    QTest::newRow("keys V4 native") << "{}" << "model.layers.0.attn_hc.fn,model.layers.0.self_attn.wq_a.weight"
                                    << "deepseek_v4";
    QTest::newRow("keys Gemma4 HF") << "{}" << "model.language_model.layers.0.experts.gate_up_proj" << "gemma4_moe";
    QTest::newRow("keys Gemma4 native") << "{}" << "model.language_model.layers.0.moe.gate.proj.weight"
                                        << "gemma4_moe";
    QTest::newRow("keys Step3p5") << "{}" << "model.layers.3.moe.router_bias" << "step3p5";
    QTest::newRow("keys Step3p5 native") << "{}" << "model.layers.3.share_expert.up_proj.weight" << "step3p5";
    QTest::newRow("keys unknown") << "{}" << "model.layers.0.self_attn.q_proj.weight" << "unknown";
}

void TestCheckpoint::detectFamily()
{
    QFETCH(QString, config);
    QFETCH(QString, keys);
    QFETCH(QString, family);
    std::vector<TensorRef> tensors;
    for (const QString& k : keys.split(',', Qt::SkipEmptyParts)) tensors.push_back(named(k));
    Family f = ckpt::detectFamily(nlohmann::json::parse(config.toStdString()), tensors);
    QCOMPARE(QString::fromStdString(std::string(familyName(f))), family);
}

void TestCheckpoint::detectLayout_data()
{
    QTest::addColumn<QString>("layoutMeta");  // value of ckptscope.layout, empty = absent
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("layout");
    QTest::newRow("metadata nemo-native") << "nemo-native" << "model.layers.0.mlp.gate.weight" << "native";
    QTest::newRow("grouped experts") << "" << "model.layers.3.mlp.experts.gate_and_up_projs" << "native";
    QTest::newRow("per-expert HF keys") << "" << "model.layers.3.mlp.experts.0.up_proj.weight" << "hf";
    QTest::newRow("metadata says hf") << "hf" << "model.layers.3.mlp.experts.gate_and_up_projs" << "hf";
}

void TestCheckpoint::detectLayout()
{
    QFETCH(QString, layoutMeta);
    QFETCH(QString, key);
    QFETCH(QString, layout);
    std::map<std::string, std::string> meta{{"format", "pt"}};
    if (!layoutMeta.isEmpty()) meta["ckptscope.layout"] = layoutMeta.toStdString();
    Layout l = ckpt::detectLayout(meta, {named(key)});
    QCOMPARE(QString::fromStdString(std::string(layoutName(l))), layout);
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "tst_checkpoint.moc"
