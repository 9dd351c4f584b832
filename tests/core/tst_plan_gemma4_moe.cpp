// Conversion plans for Gemma4 MoE (edge-cases-and-tests.md §1.5; gemma4-moe.md), built from
// synthetic header facts (E 4, H 64, I 32 as in the reference tests). Row names carry the
// scenario ids.
#include "tst_plan_fixtures.h"

#include <QtTest>

#include <functional>

using namespace ckpt;
using namespace ckpt::test;

namespace {

const nlohmann::json kConfig = {
    {"model_type", "gemma4"}, {"tie_word_embeddings", true},
    {"text_config", {{"enable_moe_block", true}, {"num_experts", 4}, {"moe_intermediate_size", 32},
                     {"hidden_size", 64}, {"num_hidden_layers", 2}}}};

const std::string kL0 = "model.language_model.layers.0.";

void addLayer(SynthCheckpoint& s, int layer, const std::string& expertGroup = "experts",
              const std::string& scaleGroup = "router")
{
    const std::string p = "model.language_model.layers." + std::to_string(layer) + ".";
    s.add(p + "router.proj.weight", DType::BF16, {4, 64}).add(p + "router.scale", DType::BF16, {64});
    s.add(p + scaleGroup + ".per_expert_scale", DType::BF16, {4});
    s.add(p + expertGroup + ".gate_up_proj", DType::BF16, {4, 64, 64});
    s.add(p + expertGroup + ".down_proj", DType::BF16, {4, 64, 32});
    s.add(p + "self_attn.q_proj.weight", DType::BF16, {64, 64});
    s.add(p + "pre_feedforward_layernorm_2.weight", DType::BF16, {64});
    s.add(p + "layer_scalar", DType::BF16, {1});
}

SynthCheckpoint gemma(int layers = 1)
{
    SynthCheckpoint s(Family::Gemma4Moe, Layout::Hf, kConfig);
    s.add("model.language_model.embed_tokens.weight", DType::BF16, {256, 64});
    s.add("model.vision_tower.encoder.layers.0.mlp.fc1.weight", DType::BF16, {32, 16});
    for (int l = 0; l < layers; ++l) addLayer(s, l);
    return s;
}

struct Case {
    const char* name;
    std::function<void()> run;
};

const std::vector<Case> kCases = {
    {"G-1 router renamed", [] {
         auto plan = gemma().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find(kL0 + "moe.gate.proj.weight"));
         QVERIFY(plan->find(kL0 + "moe.gate.scale"));
         for (const PlanOutput& o : plan->outputs) QVERIFY2(o.name.find(".router.") == std::string::npos, o.name.c_str());
     }},
    {"G-1 skipped down_proj: down_projs left out, its per_expert_scale dropped, not consumed", [] {
         auto plan = gemma().plan(withSkip({kL0 + "experts.down_proj"}));
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(!plan->find(kL0 + "moe.experts.down_projs"));
         QVERIFY(plan->find(kL0 + "moe.experts.gate_and_up_projs"));
         QVERIFY(droppedNames(*plan).count(kL0 + "router.per_expert_scale"));
         for (const DroppedTensor& c : plan->consumed) QVERIFY2(c.name != kL0 + "router.per_expert_scale", c.reason.c_str());
     }},
    {"G-2 gate_and_up_projs transposed", [] {
         auto plan = gemma().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find(kL0 + "moe.experts.gate_and_up_projs");
         QVERIFY(o);
         QCOMPARE(shapeOf(o->shape), QString("[4,64,64]"));
         QCOMPARE(opsOf(*o).mid(0, 3), QStringList({"read " + QString::fromStdString(kL0) + "experts.gate_up_proj[0]",
                                                     "transpose 0,1", "cast bf16"}));
         QCOMPARE(opsOf(*o).last(), QString("stack axis=0 n=4"));
     }},
    {"G-3 per_expert_scale absorbed", [] {
         auto plan = gemma().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find(kL0 + "moe.experts.down_projs");
         QVERIFY(o);
         QCOMPARE(shapeOf(o->shape), QString("[4,32,64]"));
         const QString l0 = QString::fromStdString(kL0);
         QCOMPARE(opsOf(*o).mid(4, 4), QStringList({"read " + l0 + "experts.down_proj[1]", "transpose 0,1",
                                                     "scale-absorb " + l0 + "router.per_expert_scale[1]",
                                                     "cast bf16"}));
         QCOMPARE(plan->consumed.size(), std::size_t(1));
         QCOMPARE(plan->consumed[0].name, kL0 + "router.per_expert_scale");
         QVERIFY(!plan->find(kL0 + "router.per_expert_scale"));
         QVERIFY(!plan->warnings.empty());
     }},
    {"G-4 pass-through keys identical", [] {
         auto plan = gemma().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const std::vector<std::string> keys = {kL0 + "self_attn.q_proj.weight",
             kL0 + "pre_feedforward_layernorm_2.weight", kL0 + "layer_scalar",
             "model.vision_tower.encoder.layers.0.mlp.fc1.weight"};
         for (const std::string& k : keys) {
             const PlanOutput* o = plan->find(k);
             QVERIFY2(o, k.c_str());
             QCOMPARE(opsOf(*o), QStringList{QString::fromStdString("read " + k)});
         }
     }},
    {"G-5 missing gate_up_proj", [] {
         auto s = gemma();
         s.remove(kL0 + "experts.gate_up_proj");
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::IncompleteExperts, QString::fromStdString(kL0 + "experts.gate_up_proj"));
     }},
    {"G-5 missing per_expert_scale (reference: KeyError)", [] {
         auto s = gemma();
         s.remove(kL0 + "router.per_expert_scale");
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::IncompleteExperts, QString::fromStdString(kL0 + "router.per_expert_scale"));
     }},
    {"G-5 shapes contradict config", [] {
         SynthCheckpoint s(Family::Gemma4Moe, Layout::Hf, kConfig);
         s.add(kL0 + "router.per_expert_scale", DType::BF16, {4});
         s.add(kL0 + "experts.gate_up_proj", DType::BF16, {4, 48, 64});
         s.add(kL0 + "experts.down_proj", DType::BF16, {4, 64, 24});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ConfigInvalid, QString::fromStdString(kL0 + "experts.down_proj"));
     }},
    {"G-7 to_hf restores keys and writes ones", [] {
         SynthCheckpoint s(Family::Gemma4Moe, Layout::Native, kConfig);
         s.add(kL0 + "moe.gate.proj.weight", DType::BF16, {4, 64}).add(kL0 + "moe.gate.scale", DType::BF16, {64});
         s.add(kL0 + "moe.experts.gate_and_up_projs", DType::BF16, {4, 64, 64});
         s.add(kL0 + "moe.experts.down_projs", DType::BF16, {4, 32, 64});
         auto plan = s.plan(withDtype(DType::F32));
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{kL0 + "router.proj.weight", kL0 + "router.scale",
             kL0 + "experts.gate_up_proj", kL0 + "experts.down_proj", kL0 + "router.per_expert_scale"}));
         QCOMPARE(shapeOf(plan->find(kL0 + "experts.down_proj")->shape), QString("[4,64,32]"));
         const PlanOutput* ones = plan->find(kL0 + "router.per_expert_scale");
         QCOMPARE(opsOf(*ones), QStringList{"fill 1"});
         QCOMPARE(ones->dtype, DType::F32);
         QCOMPARE(shapeOf(ones->shape), QString("[4]"));
         QVERIFY(ones->sources.empty());
     }},
    {"G-8 round trip keys and shapes", [] {
         auto s = gemma(2);
         auto native = s.plan();
         CKPT_EXPECT_PLAN_OK(native);
         auto back = buildPlan(inputFromPlan(*native, s.in), PlanOptions{});
         CKPT_EXPECT_PLAN_OK(back);
         QVERIFY(outputShapes(*back) == weightShapes(s.in));
         QVERIFY(!back->warnings.empty());  // lossy unless scales are 1
     }},
    {"G-11 legacy eevee layout accepted", [] {
         SynthCheckpoint s(Family::Gemma4Moe, Layout::Hf, kConfig);
         addLayer(s, 0, "moe", "moe");
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find(kL0 + "moe.experts.gate_and_up_projs"));
         QVERIFY(plan->find(kL0 + "moe.experts.down_projs"));
     }},
    {"G-12 unprefixed keys", [] {
         SynthCheckpoint s(Family::Gemma4Moe, Layout::Hf, kConfig);
         s.add("language_model.layers.0.experts.gate_up_proj", DType::BF16, {4, 64, 64});
         s.add("language_model.layers.0.experts.down_proj", DType::BF16, {4, 64, 32});
         s.add("language_model.layers.0.router.per_expert_scale", DType::BF16, {4});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("language_model.layers.0.moe.experts.gate_and_up_projs"));
     }},
    {"G-13 no FP8 export", [] {
         SynthCheckpoint s(Family::Gemma4Moe, Layout::Native, kConfig);
         auto plan = s.plan(withFp8());
         QVERIFY(!plan.ok());
         QCOMPARE(plan.error().code, ErrorCode::InvalidArgument);
     }},
};

} // namespace

class TestPlanGemma4Moe : public QObject {
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

QTEST_APPLESS_MAIN(TestPlanGemma4Moe)
#include "tst_plan_gemma4_moe.moc"
