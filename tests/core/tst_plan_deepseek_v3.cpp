// Conversion plans for DeepSeek V3 / V3.2 (edge-cases-and-tests.md §1.1-1.3, §2), built from
// synthetic header facts. Row names carry the scenario ids.
#include "tst_plan_fixtures.h"

#include <QElapsedTimer>
#include <QtTest>

#include <functional>

using namespace ckpt;
using namespace ckpt::test;

namespace {

const nlohmann::json kConfig = {{"model_type", "deepseek_v3"}, {"n_routed_experts", 4},
                                {"moe_intermediate_size", 32}, {"hidden_size", 64},
                                {"num_hidden_layers", 2}, {"first_k_dense_replace", 1}};

// One MoE layer's routed experts: gate/up [I, H], down [H, I], FP8 with scales or BF16.
void addExperts(SynthCheckpoint& s, const std::string& prefix, int layer, int experts, bool fp8,
                std::uint64_t inter = 32, std::uint64_t hidden = 64)
{
    for (int e = 0; e < experts; ++e)
        for (const char* p : {"gate_proj", "up_proj", "down_proj"}) {
            const std::string w = prefix + "layers." + std::to_string(layer) + ".mlp.experts."
                + std::to_string(e) + "." + p + ".weight";
            const bool down = std::string(p) == "down_proj";
            std::vector<std::uint64_t> shape = down ? std::vector<std::uint64_t>{hidden, inter}
                                                    : std::vector<std::uint64_t>{inter, hidden};
            if (fp8) s.addFp8(w, shape, w + "_scale_inv");
            else s.add(w, DType::BF16, shape);
        }
}

SynthCheckpoint v3Layer(bool fp8 = true)
{
    SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
    s.add("model.embed_tokens.weight", DType::BF16, {256, 64});
    s.add("model.layers.1.input_layernorm.weight", DType::BF16, {64});
    s.addFp8("model.layers.1.self_attn.q_a_proj.weight", {48, 64},
             "model.layers.1.self_attn.q_a_proj.weight_scale_inv");
    s.add("model.layers.1.mlp.gate.weight", DType::BF16, {4, 64});
    s.add("model.layers.1.mlp.gate.e_score_correction_bias", DType::F32, {4});
    addExperts(s, "model.", 1, 4, fp8);
    s.add("lm_head.weight", DType::BF16, {256, 64});
    return s;
}

struct Case {
    const char* name;
    std::function<void()> run;
};

void scaleGridCase(std::uint64_t r, std::uint64_t c, std::vector<std::uint64_t> grid, std::uint32_t block)
{
    SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
    s.addFp8("w.weight", {r, c}, "w.weight_scale_inv", grid);
    s.in.quant.pairs[0].blockRows = s.in.quant.pairs[0].blockCols = block;
    auto plan = s.plan(withTarget(Layout::Hf));
    CKPT_EXPECT_PLAN_OK(plan);
    const PlanOutput* o = plan->find("w.weight");
    QVERIFY(o);
    QCOMPARE(shapeOf(o->shape), shapeOf({r, c}));
    const QString b = QString::number(block);
    QCOMPARE(opsOf(*o), QStringList({"read w.weight",
                                     "dequant-fp8-block " + b + "x" + b + " scale=w.weight_scale_inv",
                                     "cast bf16"}));
}

const std::vector<Case> kCases = {
    {"V3-1 scale grid 256x128", [] { scaleGridCase(256, 128, {2, 1}, 128); }},
    {"V3-1 scale grid 200x100", [] { scaleGridCase(200, 100, {2, 1}, 128); }},
    {"V3-1 scale grid 64x32", [] { scaleGridCase(64, 32, {1, 1}, 128); }},
    {"V3-1 scale grid 1024x512", [] { scaleGridCase(1024, 512, {8, 4}, 128); }},
    {"V3-1 scale grid 1x1", [] { scaleGridCase(1, 1, {1, 1}, 128); }},
    {"V3-2 scale grid block 50", [] { scaleGridCase(200, 100, {4, 2}, 50); }},
    {"V3-5 kv_a_proj_with_mqa 576x7168", [] { scaleGridCase(576, 7168, {5, 56}, 128); }},
    {"V3-9 default output dtype bf16", [] {
         auto plan = v3Layer().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->find("model.layers.1.self_attn.q_a_proj.weight")->dtype, DType::BF16);
         QCOMPARE(plan->find("model.layers.1.mlp.experts.down_projs")->dtype, DType::BF16);
     }},
    {"V3-10 wrong scale shape is an error", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.addFp8("w.weight", {128, 64}, "w.weight_scale_inv", {2, 1});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_ERROR(plan, ErrorCode::ScaleShapeMismatch, "w.weight");
     }},
    {"V3-11 no scales: names unchanged", [] {
         auto s = v3Layer(false);
         s.remove("model.layers.1.self_attn.q_a_proj.weight");
         s.remove("model.layers.1.self_attn.q_a_proj.weight_scale_inv");
         s.in.quant.pairs.clear();
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("model.layers.1.input_layernorm.weight"));
         QVERIFY(plan->consumed.empty());
     }},
    {"V3-12 dequantized weight consumes its scale", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.addFp8("layer1.weight", {64, 64}, "layer1.weight_scale_inv").add("layer2.weight", DType::BF16, {64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{"layer1.weight", "layer2.weight"}));
         QCOMPARE(plan->consumed.size(), std::size_t(1));
         QCOMPARE(plan->consumed[0].name, std::string("layer1.weight_scale_inv"));
         QVERIFY(plan->dropped.empty());
     }},
    {"V3-14 quantize fp8: weight then scale_inv", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("model.layers.0.self_attn.q_proj.weight", DType::BF16, {256, 128});
         auto plan = s.plan(withFp8());
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(2));
         QCOMPARE(plan->outputs[0].dtype, DType::F8_E4M3);
         QCOMPARE(plan->outputs[1].name, std::string("model.layers.0.self_attn.q_proj.weight_scale_inv"));
         QCOMPARE(plan->outputs[1].dtype, DType::F32);
         QCOMPARE(shapeOf(plan->outputs[1].shape), QString("[2,1]"));
         QCOMPARE(opsOf(plan->outputs[1]).last(), QString("quantize-fp8-block 128x128 scale"));
         QCOMPARE(opsOf(plan->outputs[0]).last(), QString("quantize-fp8-block 128x128 weight"));
     }},
    {"V3-15 quantize fp8 leaves input_layernorm alone", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("model.layers.0.input_layernorm.weight", DType::BF16, {64, 64});
         auto plan = s.plan(withFp8());
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(1));
         QCOMPARE(plan->outputs[0].dtype, DType::BF16);
     }},
    {"V3-16 quantize fp8 per-expert outputs", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("model.layers.1.mlp.experts.gate_and_up_projs", DType::BF16, {4, 64, 64});
         auto plan = s.plan(withFp8());
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(16));  // 4 experts x (gate, up) x (w, scale)
         QVERIFY(plan->find("model.layers.1.mlp.experts.3.up_proj.weight_scale_inv"));
     }},
    {"V3-17 skip list drops the named tensor", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.add("exclude_this.weight", DType::BF16, {4}).add("keep.weight", DType::BF16, {4});
         auto plan = s.plan(withSkip({"exclude_this.weight"}));
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), std::set<std::string>{"keep.weight"});
         QCOMPARE(droppedNames(*plan), std::set<std::string>{"exclude_this.weight"});
     }},
    {"V3-17 skipping one stacked expert leaves out its whole stack, which reads nothing", [] {
         const std::string gone = "model.layers.1.mlp.experts.2.gate_proj.weight";
         auto plan = v3Layer().plan(withSkip({gone}));
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(!plan->find("model.layers.1.mlp.experts.gate_and_up_projs"));
         QVERIFY(plan->find("model.layers.1.mlp.experts.down_projs"));
         for (const PlanOutput& o : plan->outputs)
             for (const std::string& src : o.sources)
                 QVERIFY2(src.find("gate_proj") == std::string::npos && src.find("up_proj") == std::string::npos,
                          qPrintable(QString::fromStdString(o.name + " reads " + src)));
         const auto dropped = droppedNames(*plan);
         QVERIFY(dropped.count(gone) && dropped.count(gone + "_scale_inv"));
         QVERIFY(dropped.count("model.layers.1.mlp.experts.0.up_proj.weight"));
         QVERIFY(dropped.count("model.layers.1.mlp.experts.3.gate_proj.weight_scale_inv"));
         QCOMPARE(dropped.size(), std::size_t(16));  // 4 experts x (gate, up) x (weight, scale)
         QVERIFY(!plan->warnings.empty());
     }},
    {"V3-17 an implausible expert count is refused, not planned", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, {{"model_type", "deepseek_v3"}, {"moe_intermediate_size", 32}});
         s.add("model.layers.1.mlp.experts.gate_and_up_projs", DType::BF16, {std::uint64_t{1} << 32, 64, 64});
         auto plan = s.plan(withTarget(Layout::Hf));
         CKPT_EXPECT_PLAN_ERROR(plan, ErrorCode::ConfigInvalid, "model.layers.1.mlp.experts.gate_and_up_projs");
     }},
    {"V3-18 model. prefix kept", [] {
         auto plan = v3Layer().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find("model.layers.1.mlp.experts.gate_and_up_projs");
         QVERIFY(o);
         QCOMPARE(shapeOf(o->shape), QString("[4,64,64]"));
         QCOMPARE(shapeOf(plan->find("model.layers.1.mlp.experts.down_projs")->shape), QString("[4,32,64]"));
     }},
    {"M-1 missing experts", [] {
         auto s = v3Layer(false);
         s.remove("model.layers.1.mlp.experts.3.up_proj.weight");
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_ERROR(plan, ErrorCode::IncompleteExperts, "model.layers.1.mlp.experts.3.up_proj.weight");
     }},
    {"M-1 missing experts skipped on request", [] {
         auto s = v3Layer(false);
         s.remove("model.layers.1.mlp.experts.3.up_proj.weight");
         auto plan = s.plan(withSkipInvalid());
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(!plan->find("model.layers.1.mlp.experts.gate_and_up_projs"));
         QCOMPARE(plan->dropped.size(), std::size_t(11));
         QVERIFY(!plan->warnings.empty());
     }},
    {"M-2 no expert keys", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.add("model.layers.0.mlp.gate_proj.weight", DType::BF16, {128, 64});
         CKPT_EXPECT_PLAN_OK(s.plan());
     }},
    {"M-3 language_model prefix preserved", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, {{"n_routed_experts", 2}, {"moe_intermediate_size", 512}});
         addExperts(s, "model.language_model.", 0, 2, false, 512, 1024);
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find("model.language_model.layers.0.mlp.experts.gate_and_up_projs");
         QVERIFY(o);
         QCOMPARE(shapeOf(o->shape), QString("[2,1024,1024]"));
     }},
    {"M-4 unprefixed keys", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         addExperts(s, "", 0, 4, false);
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("layers.0.mlp.experts.gate_and_up_projs"));
     }},
    {"M-5 one expert down_proj", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, {{"n_routed_experts", 1}, {"moe_intermediate_size", 512}});
         addExperts(s, "model.", 0, 1, false, 512, 1024);
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(shapeOf(plan->find("model.layers.0.mlp.experts.down_projs")->shape), QString("[1,512,1024]"));
     }},
    {"M-7 orphan scale dropped with a warning", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.add("some_weight_scale_inv", DType::F32, {1, 1}).add("a.weight", DType::BF16, {4});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(droppedNames(*plan), std::set<std::string>{"some_weight_scale_inv"});
         QCOMPARE(plan->warnings.size(), std::size_t(1));
     }},
    {"M-8 split gate_and_up_projs and down_projs", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, {{"n_routed_experts", 2}, {"moe_intermediate_size", 512}});
         s.add("model.layers.0.mlp.experts.gate_and_up_projs", DType::BF16, {2, 1024, 1024});
         s.add("model.layers.0.mlp.experts.down_projs", DType::BF16, {2, 512, 1024});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(6));
         const PlanOutput* up = plan->find("model.layers.0.mlp.experts.1.up_proj.weight");
         QVERIFY(up);
         QCOMPARE(shapeOf(up->shape), QString("[512,1024]"));
         QCOMPARE(opsOf(*up), QStringList({"read model.layers.0.mlp.experts.gate_and_up_projs[1]",
                                           "slice axis=1 512:1024", "transpose 0,1", "cast bf16"}));
         QCOMPARE(shapeOf(plan->find("model.layers.0.mlp.experts.0.down_proj.weight")->shape), QString("[1024,512]"));
     }},
    {"M-9 split keeps an empty prefix", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("layers.0.mlp.experts.down_projs", DType::BF16, {4, 32, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("layers.0.mlp.experts.2.down_proj.weight"));
     }},
    {"M-10 non-expert key passes through", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("model.layers.0.self_attn.o_proj.weight", DType::BF16, {64, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(opsOf(plan->outputs[0]), QStringList{"read model.layers.0.self_attn.o_proj.weight"});
     }},
    {"M-12 first dim is not the expert count", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("model.layers.1.mlp.experts.gate_and_up_projs", DType::BF16, {3, 64, 64});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ConfigInvalid, "model.layers.1.mlp.experts.gate_and_up_projs");
     }},
    {"M-12 width contradicts moe_intermediate_size", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Native, kConfig);
         s.add("model.layers.1.mlp.experts.down_projs", DType::BF16, {4, 48, 64});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ConfigInvalid, "model.layers.1.mlp.experts.down_projs");
     }},
    {"E-1 FP8 weight without scale", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.add("model.layers.0.self_attn.o_proj.weight", DType::F8_E4M3, {64, 64});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ScaleMissing, "model.layers.0.self_attn.o_proj.weight");
     }},
    {"E-2 expert id beyond n_routed_experts", [] {
         auto s = v3Layer(false);
         s.add("model.layers.1.mlp.experts.4.gate_proj.weight", DType::BF16, {32, 64});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::UnexpectedExpert, "model.layers.1.mlp.experts.4.gate_proj.weight");
     }},
    {"E-3 unsupported dtype", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         s.add("odd.weight", DType::F8_E4M3FNUZ, {4, 4});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::UnsupportedDtype, "odd.weight");
     }},
    {"E-4 expert merge op order", [] {
         auto plan = v3Layer().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const QStringList ops = opsOf(*plan->find("model.layers.1.mlp.experts.gate_and_up_projs"));
         const QString e0 = "model.layers.1.mlp.experts.0.";
         QCOMPARE(ops.mid(0, 8), QStringList({"read " + e0 + "gate_proj.weight",
             "dequant-fp8-block 128x128 scale=" + e0 + "gate_proj.weight_scale_inv", "transpose 0,1",
             "read " + e0 + "up_proj.weight",
             "dequant-fp8-block 128x128 scale=" + e0 + "up_proj.weight_scale_inv", "transpose 0,1",
             "concat axis=1 n=2", "cast bf16"}));
         QCOMPARE(ops.size(), 4 * 8 + 1);
         QCOMPARE(ops.last(), QString("stack axis=0 n=4"));
     }},
    {"E-5 e_score_correction_bias stays F32", [] {
         auto plan = v3Layer().plan(withDtype(DType::F16));
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->find("model.layers.1.mlp.gate.e_score_correction_bias")->dtype, DType::F32);
         QCOMPARE(plan->find("model.layers.1.mlp.gate.weight")->dtype, DType::F16);
     }},
    {"E-6 MTP layer kept and merged", [] {
         auto s = v3Layer(false);
         addExperts(s, "model.", 2, 4, false);  // num_hidden_layers = 2: layer 2 is MTP
         s.add("model.layers.2.eh_proj.weight", DType::BF16, {64, 128});
         s.add("model.layers.2.shared_head.head.weight", DType::BF16, {256, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("model.layers.2.mlp.experts.gate_and_up_projs"));
         QVERIFY(plan->find("model.layers.2.eh_proj.weight"));
     }},
    {"V3.2 indexer keys", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, kConfig);
         const std::string ix = "model.layers.0.self_attn.indexer.";
         s.addFp8(ix + "wq_b.weight", {128, 48}, ix + "wq_b.weight_scale_inv");
         s.addFp8(ix + "wk.weight", {16, 64}, ix + "wk.weight_scale_inv");
         s.add(ix + "k_norm.weight", DType::BF16, {16}).add(ix + "k_norm.bias", DType::BF16, {16});
         s.add(ix + "weights_proj.weight", DType::BF16, {8, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(5));
         auto back = buildPlan(inputFromPlan(*plan, s.in), withFp8());
         CKPT_EXPECT_PLAN_OK(back);
         QCOMPARE(back->find(ix + "wq_b.weight")->dtype, DType::F8_E4M3);
         QVERIFY(back->find(ix + "wk.weight_scale_inv"));
         QCOMPARE(back->find(ix + "weights_proj.weight")->dtype, DType::BF16);
         QVERIFY(!back->find(ix + "k_norm.weight_scale_inv"));
         QVERIFY(!back->find(ix + "k_norm.bias_scale_inv"));
     }},
    {"HF-HF dequantize only", [] {
         auto plan = v3Layer().plan(withTarget(Layout::Hf));
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("model.layers.1.mlp.experts.0.gate_proj.weight"));
         QCOMPARE(plan->find("model.layers.1.mlp.experts.0.gate_proj.weight")->dtype, DType::BF16);
         QCOMPARE(plan->find("model.layers.1.mlp.gate.e_score_correction_bias")->dtype, DType::F32);
         QCOMPARE(plan->consumed.size(), std::size_t(13));
     }},
    {"shards split by size", [] {
         auto plan = v3Layer().plan(withShardBytes(40000));
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->shardCount > 1);
         for (const PlanOutput& o : plan->outputs) QVERIFY(o.shard < plan->shardCount);
         QCOMPARE(plan->metadata.at("ckptscope.layout"), std::string("nemo-native"));
         QCOMPARE(plan->metadata.at("ckptscope.family"), std::string("deepseek_v3"));
     }},
    {"P-1 671B-scale header (58 MoE layers x 256 FP8 experts)", [] {
         SynthCheckpoint s(Family::DeepseekV3, Layout::Hf, {{"n_routed_experts", 256}, {"moe_intermediate_size", 2048}});
         for (int l = 3; l < 61; ++l) addExperts(s, "model.", l, 256, true, 2048, 7168);
         QElapsedTimer timer;
         timer.start();
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         qInfo("%zu tensors planned in %lld ms", s.in.tensors.size(), static_cast<long long>(timer.elapsed()));
         QCOMPARE(plan->outputs.size(), std::size_t(2 * 58));
         QCOMPARE(shapeOf(plan->outputs[0].shape), QString("[256,2048,7168]"));
         QVERIFY(plan->shardCount > 100);  // 1.6 TiB of BF16 in 5 GiB shards
         QVERIFY(timer.elapsed() < 20000);
     }},
    {"round trip HF-native-HF", [] {
         auto s = v3Layer();
         auto native = s.plan();
         CKPT_EXPECT_PLAN_OK(native);
         auto back = buildPlan(inputFromPlan(*native, s.in), {});
         CKPT_EXPECT_PLAN_OK(back);
         QCOMPARE(back->to, Layout::Hf);
         QVERIFY(outputShapes(*back) == weightShapes(s.in));
         QCOMPARE(back->find("model.layers.1.mlp.gate.e_score_correction_bias")->dtype, DType::F32);
     }},
};

} // namespace

class TestPlanDeepseekV3 : public QObject {
    Q_OBJECT
private slots:
    void scenario_data()
    {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < kCases.size(); ++i)
            QTest::newRow(kCases[i].name) << static_cast<int>(i);
    }
    void scenario()
    {
        QFETCH(int, index);
        kCases[static_cast<std::size_t>(index)].run();
    }
};

QTEST_APPLESS_MAIN(TestPlanDeepseekV3)
#include "tst_plan_deepseek_v3.moc"
