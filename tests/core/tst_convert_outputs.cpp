// Destination rules, the resume journal and the non-tensor outputs of a conversion.
#include "core/convert/conversion_journal.h"
#include "core/convert/destination_guard.h"
#include "core/convert/output_files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ckpt;

Q_DECLARE_METATYPE(ckpt::ErrorCode)

namespace {

void touch(const fs::path& p, const std::string& contents = "x")
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << contents;
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

class TestConvertOutputs : public QObject {
    Q_OBJECT
private slots:
    void destination_data();
    void destination();
    void journalResume();
    void journalRejectsOtherPlan();
    void journalRedoesChangedShard();
    void configAfterDequant();
    void configAfterQuantize();
    void indexTotalSize();
    void auxiliaryFiles();
};

void TestConvertOutputs::destination_data()
{
    QTest::addColumn<QString>("src");
    QTest::addColumn<QString>("dst");
    QTest::addColumn<bool>("resume");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ErrorCode>("code");
    // Layout built in destination(): root/src (a checkpoint), root/full (non-empty, no journal),
    // root/ours (our journal), root/empty (empty folder).
    QTest::newRow("new folder") << "src" << "new" << false << true << ErrorCode::Internal;
    QTest::newRow("empty folder") << "src" << "empty" << false << true << ErrorCode::Internal;
    QTest::newRow("dst == src") << "src" << "src" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("dst == src with slash") << "src" << "src/" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("dst == src via ..") << "src" << "empty/../src" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("dst inside src") << "src" << "src/out" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("src inside dst") << "src" << "." << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("sibling with common prefix") << "src" << "src2" << false << true << ErrorCode::Internal;
    QTest::newRow("file source, dst its folder") << "src/model.safetensors" << "src" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("non-empty without resume") << "src" << "full" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("non-empty, resume, no journal") << "src" << "full" << true << false << ErrorCode::DestinationInvalid;
    QTest::newRow("resume with journal") << "src" << "ours" << true << true << ErrorCode::Internal;
    QTest::newRow("journal but no resume") << "src" << "ours" << false << false << ErrorCode::DestinationInvalid;
    QTest::newRow("dst is a file") << "src" << "afile" << false << false << ErrorCode::DestinationInvalid;
}

void TestConvertOutputs::destination()
{
    QFETCH(QString, src);
    QFETCH(QString, dst);
    QFETCH(bool, resume);
    QFETCH(bool, ok);
    QFETCH(ErrorCode, code);
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    touch(root / "src/model.safetensors");
    touch(root / "full/keep.txt");
    touch(root / "ours" / kJournalFileName, "{}");
    fs::create_directories(root / "empty");
    touch(root / "afile");
    const std::string d = (root / dst.toStdString()).string() + (dst.endsWith('/') ? "/" : "");
    Status st = checkDestination((root / src.toStdString()).string(), d, resume);
    QCOMPARE(st.ok(), ok);
    if (!ok) {
        QCOMPARE(st.error().code, code);
        QVERIFY(!st.error().file.empty());
    }
    QCOMPARE(slurp(root / "full/keep.txt"), std::string("x"));  // nothing touched
}

void TestConvertOutputs::journalResume()
{
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    auto j = ConversionJournal::create(dir, "fp1", "/src");
    QVERIFY(j.ok());
    touch(fs::path(dir) / "model-00001-of-00002.safetensors", "12345");
    QVERIFY(j->markFinished("model-00001-of-00002.safetensors", 5).ok());
    auto r = ConversionJournal::resume(dir, "fp1");
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    QVERIFY(r->isFinished("model-00001-of-00002.safetensors"));
    QVERIFY(!r->isFinished("model-00002-of-00002.safetensors"));
    QVERIFY(!r->complete());
}

void TestConvertOutputs::journalRejectsOtherPlan()
{
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    QVERIFY(ConversionJournal::create(dir, "fp1", "/src").ok());
    auto r = ConversionJournal::resume(dir, "fp2");
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::DestinationInvalid);
    QVERIFY(r.error().message.find("fp1") != std::string::npos);
}

void TestConvertOutputs::journalRedoesChangedShard()
{
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    auto j = ConversionJournal::create(dir, "fp", "/src");
    QVERIFY(j.ok());
    touch(fs::path(dir) / "a.safetensors", "123");
    QVERIFY(j->markFinished("a.safetensors", 3).ok());
    touch(fs::path(dir) / "a.safetensors", "12");  // truncated after the journal said finished
    auto r = ConversionJournal::resume(dir, "fp");
    QVERIFY(r.ok());
    QVERIFY(!r->isFinished("a.safetensors"));
}

void TestConvertOutputs::configAfterDequant()
{
    auto src = nlohmann::json::parse(R"({"model_type":"deepseek_v3","torch_dtype":"bfloat16",
        "quantization_config":{"quant_method":"fp8","fmt":"e4m3","weight_block_size":[128,128]}})");
    nlohmann::json audit;
    auto out = rewriteConfig(src, ConfigChange{.dequantized = true, .weightDtype = DType::F16}, audit);
    QVERIFY(!out.contains("quantization_config"));
    QCOMPARE(out["torch_dtype"].get<std::string>(), std::string("float16"));
    QCOMPARE(out["model_type"].get<std::string>(), std::string("deepseek_v3"));
    QCOMPARE(audit["original_quantization_config"]["quant_method"].get<std::string>(), std::string("fp8"));
}

void TestConvertOutputs::configAfterQuantize()
{
    auto src = nlohmann::json::parse(R"({"model_type":"deepseek_v3","dtype":"bfloat16",
        "text_config":{"torch_dtype":"float32"}})");
    nlohmann::json audit;
    auto out = rewriteConfig(src, ConfigChange{.quantizedFp8 = true}, audit);
    QCOMPARE(out["quantization_config"]["fmt"].get<std::string>(), std::string("e4m3"));
    QCOMPARE(out["quantization_config"]["weight_block_size"], nlohmann::json({128, 128}));
    QCOMPARE(out["dtype"].get<std::string>(), std::string("bfloat16"));
    QVERIFY(!out.contains("torch_dtype"));
    QCOMPARE(out["text_config"]["torch_dtype"].get<std::string>(), std::string("bfloat16"));
}

void TestConvertOutputs::indexTotalSize()
{
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    QVERIFY(writeIndexFile(dir, {{"b", "model-00002-of-00002.safetensors"},
                                 {"a", "model-00001-of-00002.safetensors"}}, 12345).ok());
    auto doc = nlohmann::json::parse(slurp(fs::path(dir) / "model.safetensors.index.json"));
    QCOMPARE(doc["metadata"]["total_size"].get<std::uint64_t>(), std::uint64_t(12345));
    QCOMPARE(doc["weight_map"].size(), std::size_t(2));
    QCOMPARE(doc["weight_map"]["a"].get<std::string>(), std::string("model-00001-of-00002.safetensors"));
    QCOMPARE(shardFileName(0, 163), std::string("model-00001-of-00163.safetensors"));
}

void TestConvertOutputs::auxiliaryFiles()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    touch(root / "src/tokenizer.json", "tok");
    touch(root / "src/generation_config.json", "gen");
    touch(root / "src/config.json", "{}");
    touch(root / "src/model-00001-of-00001.safetensors");
    touch(root / "src/model.safetensors.index.json");
    touch(root / "src/sub/ignored.txt");
    fs::create_directories(root / "dst");
    auto copied = copyAuxiliaryFiles((root / "src").string(), (root / "dst").string(), false);
    QVERIFY(copied.ok());
    QCOMPARE(copied->size(), std::size_t(2));
    QCOMPARE(slurp(root / "dst/tokenizer.json"), std::string("tok"));
    QVERIFY(!fs::exists(root / "dst/config.json"));
    QVERIFY(!fs::exists(root / "dst/model-00001-of-00001.safetensors"));
    // A second copy without `replace` refuses to overwrite.
    auto again = copyAuxiliaryFiles((root / "src").string(), (root / "dst").string(), false);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, ErrorCode::DestinationInvalid);
}

QTEST_GUILESS_MAIN(TestConvertOutputs)
#include "tst_convert_outputs.moc"
