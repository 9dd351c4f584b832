// Quant pairing from header facts: V3 weight_scale_inv, V4 .scale, FP4 experts, and every problem
// kind (edge-cases-and-tests.md §1.1 V3-1/V3-2/V3-10, §2 "FP8 weight without scale", "orphan
// scale", "wrong scale shape"). Tensors are given as "name DTYPE d0,d1; ..." specs.

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/quant_pairing.h"

#include <QtTest>

#include <algorithm>

using namespace ckpt;

namespace {

// "a.weight F8_E4M3 256,128; a.weight_scale_inv F32 2,1" -> sorted TensorRefs, file i = i % 2.
std::vector<TensorRef> parseSpec(const QString& spec)
{
    std::vector<TensorRef> out;
    std::uint32_t i = 0;
    for (const QString& item : spec.split(';', Qt::SkipEmptyParts)) {
        const QStringList parts = item.trimmed().split(' ', Qt::SkipEmptyParts);
        TensorRef t;
        t.name = parts.value(0).toStdString();
        t.dtype = parseDType(parts.value(1).toStdString()).value_or(DType::F32);
        for (const QString& d : parts.value(2).split(',', Qt::SkipEmptyParts)) t.shape.push_back(d.toULongLong());
        t.fileIndex = i++ % 2;
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

const std::vector<std::string> kFiles{"/ckpt/model-00001-of-00002.safetensors",
                                      "/ckpt/model-00002-of-00002.safetensors"};

} // namespace

class TestQuantPairing : public QObject {
    Q_OBJECT
private slots:
    void pairs_data();
    void pairs();
    void problems_data();
    void problems();
    void scaleGrid_data();
    void scaleGrid();
    void lookups();
};

void TestQuantPairing::pairs_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<int>("blockRows");
    QTest::addColumn<int>("blockCols");
    QTest::addColumn<QString>("scale");
    QTest::addColumn<QString>("logical");

    QTest::newRow("V3 weight_scale_inv pair")
        << "model.layers.0.self_attn.q_a_proj.weight F8_E4M3 256,128; "
           "model.layers.0.self_attn.q_a_proj.weight_scale_inv F32 2,1"
        << "{}" << "fp8_block" << 128 << 128 << "model.layers.0.self_attn.q_a_proj.weight_scale_inv" << "256,128";
    QTest::newRow("V3 576x7168 -> [5,56]")
        << "model.layers.0.self_attn.kv_a_proj_with_mqa.weight F8_E4M3 576,7168; "
           "model.layers.0.self_attn.kv_a_proj_with_mqa.weight_scale_inv F32 5,56"
        << R"({"quantization_config":{"weight_block_size":[128,128]}})" << "fp8_block" << 128 << 128
        << "model.layers.0.self_attn.kv_a_proj_with_mqa.weight_scale_inv" << "576,7168";
    QTest::newRow("V4 .scale pair (E8M0)")
        << "layers.0.attn.wq_a.weight F8_E4M3 1024,4096; layers.0.attn.wq_a.scale F8_E8M0 8,32"
        << "{}" << "fp8_block" << 128 << 128 << "layers.0.attn.wq_a.scale" << "1024,4096";
    QTest::newRow("V4 weight_scale_inv accepted")
        << "layers.0.attn.wkv.weight F8_E4M3 512,4096; layers.0.attn.wkv.weight_scale_inv F32 4,32"
        << "{}" << "fp8_block" << 128 << 128 << "layers.0.attn.wkv.weight_scale_inv" << "512,4096";
    QTest::newRow("V4 BF16 scale accepted")
        << "layers.0.attn.wkv.weight F8_E4M3 200,100; layers.0.attn.wkv.scale BF16 2,1"
        << "{}" << "fp8_block" << 128 << 128 << "layers.0.attn.wkv.scale" << "200,100";
    QTest::newRow("V4 FP4 expert pair")
        << "layers.3.ffn.experts.7.w1.weight I8 2048,2048; layers.3.ffn.experts.7.w1.scale F8_E8M0 2048,128"
        << "{}" << "fp4_e2m1" << 1 << 32 << "layers.3.ffn.experts.7.w1.scale" << "2048,4096";
    QTest::newRow("V4-12 FP4 placeholder shape")
        << "layers.0.ffn.experts.0.w2.weight I8 64,16; layers.0.ffn.experts.0.w2.scale F8_E8M0 64,1"
        << "{}" << "fp4_e2m1" << 1 << 32 << "layers.0.ffn.experts.0.w2.scale" << "64,32";
    QTest::newRow("config block 64x64 honoured")
        << "w.weight F8_E4M3 200,100; w.weight_scale_inv F32 4,2"
        << R"({"quantization_config":{"weight_block_size":[64,64]}})" << "fp8_block" << 64 << 64
        << "w.weight_scale_inv" << "200,100";
}

void TestQuantPairing::pairs()
{
    QFETCH(QString, spec);
    QFETCH(QString, config);
    QFETCH(QString, scheme);
    QFETCH(int, blockRows);
    QFETCH(int, blockCols);
    QFETCH(QString, scale);
    QFETCH(QString, logical);

    const auto tensors = parseSpec(spec);
    const QuantPairing q = pairQuantizedTensors(tensors, nlohmann::json::parse(config.toStdString()), kFiles);
    for (const auto& e : q.problems) qWarning("unexpected problem: %s", e.toString().c_str());
    QVERIFY(q.problems.empty());
    QVERIFY(q.orphanScales.empty());
    QCOMPARE(q.pairs.size(), std::size_t(1));
    const QuantPair& p = q.pairs.front();
    QCOMPARE(QString::fromStdString(std::string(quantSchemeName(p.scheme))), scheme);
    QCOMPARE(int(p.blockRows), blockRows);
    QCOMPARE(int(p.blockCols), blockCols);
    QCOMPARE(QString::fromStdString(p.scale), scale);
    QStringList dims;
    for (auto d : p.logicalShape) dims << QString::number(d);
    QCOMPARE(dims.join(','), logical);
}

void TestQuantPairing::problems_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("code");      // expected problem code; empty = none
    QTest::addColumn<QString>("tensor");    // the tensor the problem names
    QTest::addColumn<int>("pairs");
    QTest::addColumn<QString>("orphan");    // expected single orphan; empty = none

    QTest::newRow("FP8 weight without scale")
        << "model.layers.0.mlp.up_proj.weight F8_E4M3 256,128" << "{}" << "scale_missing"
        << "model.layers.0.mlp.up_proj.weight" << 0 << "";
    QTest::newRow("FP4 weight without scale")
        << "layers.0.ffn.experts.0.w1.weight I8 64,16" << "{}" << "scale_missing"
        << "layers.0.ffn.experts.0.w1.weight" << 0 << "";
    QTest::newRow("V3-10 wrong scale shape")
        << "w.weight F8_E4M3 128,64; w.weight_scale_inv F32 2,1" << "{}" << "scale_shape_mismatch"
        << "w.weight" << 0 << "";
    QTest::newRow("FP4 wrong scale shape")
        << "layers.0.ffn.experts.0.w1.weight I8 64,16; layers.0.ffn.experts.0.w1.scale F8_E8M0 64,2" << "{}"
        << "scale_shape_mismatch" << "layers.0.ffn.experts.0.w1.weight" << 0 << "";
    QTest::newRow("FP8 scale dtype F16")
        << "w.weight F8_E4M3 128,64; w.weight_scale_inv F16 1,1" << "{}" << "scale_dtype_invalid"
        << "w.weight" << 0 << "";
    QTest::newRow("FP4 scale dtype F32")
        << "layers.0.ffn.experts.0.w1.weight I8 64,16; layers.0.ffn.experts.0.w1.scale F32 64,1" << "{}"
        << "scale_dtype_invalid" << "layers.0.ffn.experts.0.w1.weight" << 0 << "";
    QTest::newRow("orphan weight_scale_inv")
        << "a.weight BF16 4,4; b.weight_scale_inv F32 1,1" << "{}" << "" << "" << 0 << "b.weight_scale_inv";
    QTest::newRow("orphan V4 E8M0 .scale")
        << "layers.0.attn.wq_a.scale F8_E8M0 1,1" << "{}" << "" << "" << 0 << "layers.0.attn.wq_a.scale";
    QTest::newRow("config block contradicts grid")
        << "w.weight F8_E4M3 256,256; w.weight_scale_inv F32 2,2"
        << R"({"quantization_config":{"weight_block_size":[64,64]}})" << "config_invalid" << "w.weight" << 1 << "";
    QTest::newRow("malformed weight_block_size")
        << "w.weight F8_E4M3 256,256; w.weight_scale_inv F32 2,2"
        << R"({"quantization_config":{"weight_block_size":"128"}})" << "config_invalid" << "" << 1 << "";
    QTest::newRow("scale on a BF16 weight")
        << "w.weight BF16 128,128; w.weight_scale_inv F32 1,1" << "{}" << "unsupported_dtype" << "w.weight" << 0 << "";
    QTest::newRow("Gemma4 router.scale is no quant scale")
        << "model.language_model.layers.0.router.scale BF16 2816; "
           "model.language_model.layers.0.router.proj.weight BF16 128,2816"
        << "{}" << "" << "" << 0 << "";
    QTest::newRow("plain BF16 checkpoint")
        << "model.embed_tokens.weight BF16 10,4; model.norm.weight BF16 4" << "{}" << "" << "" << 0 << "";
}

void TestQuantPairing::problems()
{
    QFETCH(QString, spec);
    QFETCH(QString, config);
    QFETCH(QString, code);
    QFETCH(QString, tensor);
    QFETCH(int, pairs);
    QFETCH(QString, orphan);

    const auto tensors = parseSpec(spec);
    const QuantPairing q = pairQuantizedTensors(tensors, nlohmann::json::parse(config.toStdString()), kFiles,
                                                "/ckpt/config.json");
    QCOMPARE(int(q.pairs.size()), pairs);
    if (code.isEmpty()) {
        QVERIFY(q.problems.empty());
    } else {
        QCOMPARE(q.problems.size(), std::size_t(1));
        const Error& e = q.problems.front();
        QCOMPARE(QString::fromStdString(std::string(errorCodeName(e.code))), code);
        QCOMPARE(QString::fromStdString(e.tensor), tensor);
        // The file is the weight's shard, or config.json for a problem of the config itself.
        if (tensor.isEmpty()) {
            QCOMPARE(QString::fromStdString(e.file), QStringLiteral("/ckpt/config.json"));
        } else {
            auto w = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == e.tensor; });
            QVERIFY(w != tensors.end());
            QCOMPARE(e.file, kFiles[w->fileIndex]);
        }
        QVERIFY(!e.message.empty());
    }
    if (orphan.isEmpty()) {
        QVERIFY(q.orphanScales.empty());
    } else {
        QCOMPARE(q.orphanScales.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(q.orphanScales.front()), orphan);
    }
}

void TestQuantPairing::scaleGrid_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("gridRows");
    QTest::addColumn<int>("gridCols");
    QTest::newRow("V3-1 256x128") << 256 << 128 << 128 << 2 << 1;
    QTest::newRow("V3-1 200x100") << 200 << 100 << 128 << 2 << 1;
    QTest::newRow("V3-1 64x32") << 64 << 32 << 128 << 1 << 1;
    QTest::newRow("V3-1 1024x512") << 1024 << 512 << 128 << 8 << 4;
    QTest::newRow("V3-1 1x1") << 1 << 1 << 128 << 1 << 1;
    QTest::newRow("V3-2 block 50, 200x100") << 200 << 100 << 50 << 4 << 2;
    QTest::newRow("kv_a_proj_with_mqa 576x7168") << 576 << 7168 << 128 << 5 << 56;
}

void TestQuantPairing::scaleGrid()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, block);
    QFETCH(int, gridRows);
    QFETCH(int, gridCols);
    auto grid = scaleGridShape({std::uint64_t(rows), std::uint64_t(cols)}, std::uint32_t(block), std::uint32_t(block));
    QCOMPARE(grid, (std::vector<std::uint64_t>{std::uint64_t(gridRows), std::uint64_t(gridCols)}));
}

void TestQuantPairing::lookups()
{
    const auto tensors = parseSpec("a.weight F8_E4M3 256,256; a.weight_scale_inv F32 2,2; "
                                   "b.weight I8 4,2; b.scale F8_E8M0 4,1; c.weight BF16 4,4");
    const QuantPairing q = pairQuantizedTensors(tensors, nlohmann::json::object());
    QCOMPARE(q.pairs.size(), std::size_t(2));
    QVERIFY(q.pairs[0].weight < q.pairs[1].weight);  // sorted by weight name
    QVERIFY(q.findByWeight("a.weight"));
    QVERIFY(q.findByWeight("b.weight"));
    QVERIFY(!q.findByWeight("c.weight"));
    QVERIFY(q.isScale("a.weight_scale_inv"));
    QVERIFY(q.isScale("b.scale"));
    QVERIFY(!q.isScale("a.weight"));
    QVERIFY(!q.isScale("c.scale"));
    QVERIFY(q.problems.empty());
    QCOMPARE(configBlockSize(nlohmann::json::parse(R"({"quantization_config":{"weight_block_size":[128,64]}})")),
             (std::optional<std::pair<std::uint32_t, std::uint32_t>>{{128, 64}}));
    QVERIFY(!configBlockSize(nlohmann::json::object()));
}

QTEST_GUILESS_MAIN(TestQuantPairing)
#include "tst_quant_pairing.moc"
