// Conversion plans for Step3p5 (edge-cases-and-tests.md §1.6; step3p5.md), built from synthetic
// header facts (E 4, H 64, I 32 as in the reference tests). Row names carry the scenario ids.
#include "tst_plan_fixtures.h"

#include <QtTest>

#include <functional>

using namespace ckpt;
using namespace ckpt::test;

namespace {

const nlohmann::json kConfig = {{"model_type", "step3p5"}, {"moe_num_experts", 4},
                                {"moe_intermediate_size", 32}, {"hidden_size", 64},
                                {"num_hidden_layers", 3}, {"share_expert_dim", 48}};

void addLayer(SynthCheckpoint& s, const std::string& prefix, int layer, DType dtype = DType::BF16)
{
    const std::string p = prefix + "layers." + std::to_string(layer) + ".";
    s.add(p + "moe.gate_proj.weight", dtype, {4, 32, 64}).add(p + "moe.up_proj.weight", dtype, {4, 32, 64});
    s.add(p + "moe.down_proj.weight", dtype, {4, 64, 32});
    s.add(p + "moe.gate.weight", DType::BF16, {4, 64}).add(p + "moe.router_bias", DType::F32, {4});
    s.add(p + "share_expert.gate_proj.weight", DType::BF16, {48, 64});
    s.add(p + "share_expert.down_proj.weight", DType::BF16, {64, 48});
    s.add(p + "input_layernorm.weight", DType::BF16, {64});
}

SynthCheckpoint step(int layers = 1, DType dtype = DType::BF16)
{
    SynthCheckpoint s(Family::Step3p5, Layout::Hf, kConfig);
    s.add("model.embed_tokens.weight", DType::BF16, {128, 64}).add("lm_head.weight", DType::BF16, {128, 64});
    s.add("model.layers.0.mlp.gate_proj.weight", DType::BF16, {96, 64});
    for (int l = 1; l <= layers; ++l) addLayer(s, "model.", l, dtype);
    return s;
}

struct Case {
    const char* name;
    std::function<void()> run;
};

const std::vector<Case> kCases = {
    {"S-1 gate and up concatenated", [] {
         auto plan = step(1, DType::F32).plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find("model.layers.1.moe.experts.gate_and_up_projs");
         QVERIFY(o);
         QCOMPARE(shapeOf(o->shape), QString("[4,64,64]"));
         QCOMPARE(o->dtype, DType::BF16);
         QCOMPARE(opsOf(*o).mid(0, 6), QStringList({"read model.layers.1.moe.gate_proj.weight[0]", "transpose 0,1",
                                                     "read model.layers.1.moe.up_proj.weight[0]", "transpose 0,1",
                                                     "concat axis=1 n=2", "cast bf16"}));
         QCOMPARE(opsOf(*o).size(), 4 * 6 + 1);
     }},
    {"S-2 down transposed", [] {
         auto plan = step().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find("model.layers.1.moe.experts.down_projs");
         QCOMPARE(shapeOf(o->shape), QString("[4,32,64]"));
         QCOMPARE(opsOf(*o).mid(0, 3), QStringList({"read model.layers.1.moe.down_proj.weight[0]", "transpose 0,1", "cast bf16"}));
     }},
    {"S-3 router weight, shared expert, norms unchanged", [] {
         auto plan = step().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         for (const char* k : {"model.layers.1.moe.gate.weight", "model.layers.1.share_expert.gate_proj.weight",
                               "model.layers.1.input_layernorm.weight", "model.layers.0.mlp.gate_proj.weight"})
             QVERIFY2(plan->find(k), k);
     }},
    {"S-4 router_bias", [] {
         auto plan = step().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* o = plan->find("model.layers.1.moe.gate.e_score_correction_bias");
         QVERIFY(o);
         QCOMPARE(o->dtype, DType::F32);
         QVERIFY(!plan->find("model.layers.1.moe.router_bias"));
         SynthCheckpoint n(Family::Step3p5, Layout::Native, kConfig);
         n.add("model.layers.1.moe.gate.e_score_correction_bias", DType::F32, {4});
         auto back = n.plan();
         CKPT_EXPECT_PLAN_OK(back);
         QCOMPARE(back->outputs[0].name, std::string("model.layers.1.moe.router_bias"));
         QCOMPARE(back->outputs[0].dtype, DType::F32);
     }},
    {"S-5 unprefixed keys", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Hf, kConfig);
         addLayer(s, "", 0);
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("layers.0.moe.experts.gate_and_up_projs"));
         QVERIFY(plan->find("layers.0.moe.gate.e_score_correction_bias"));
     }},
    {"S-6 two layers", [] {
         auto plan = step(2).plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("model.layers.1.moe.experts.down_projs"));
         QVERIFY(plan->find("model.layers.2.moe.experts.down_projs"));
     }},
    {"S-7 split gate_and_up_projs and down_projs", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Native, kConfig);
         s.add("model.layers.1.moe.experts.gate_and_up_projs", DType::BF16, {4, 64, 64});
         s.add("model.layers.1.moe.experts.down_projs", DType::BF16, {4, 32, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(shapeOf(plan->find("model.layers.1.moe.gate_proj.weight")->shape), QString("[4,32,64]"));
         QCOMPARE(shapeOf(plan->find("model.layers.1.moe.up_proj.weight")->shape), QString("[4,32,64]"));
         QCOMPARE(shapeOf(plan->find("model.layers.1.moe.down_proj.weight")->shape), QString("[4,64,32]"));
         QCOMPARE(opsOf(*plan->find("model.layers.1.moe.up_proj.weight")).mid(0, 4),
                  QStringList({"read model.layers.1.moe.experts.gate_and_up_projs[0]", "slice axis=1 32:64",
                               "transpose 0,1", "cast bf16"}));
     }},
    {"S-7 split width contradicts config", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Native, kConfig);
         s.add("model.layers.1.moe.experts.gate_and_up_projs", DType::BF16, {4, 64, 80});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ConfigInvalid, "model.layers.1.moe.experts.gate_and_up_projs");
     }},
    {"S-8 legacy gate.bias goes back as router_bias", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Native, kConfig);
         s.add("model.layers.1.moe.gate.bias", DType::F32, {4});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs[0].name, std::string("model.layers.1.moe.router_bias"));
     }},
    {"S-8 both biases: gate.bias keeps its name", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Native, kConfig);
         s.add("model.layers.1.moe.gate.bias", DType::F32, {4});
         s.add("model.layers.1.moe.gate.e_score_correction_bias", DType::F32, {4});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{"model.layers.1.moe.gate.bias", "model.layers.1.moe.router_bias"}));
     }},
    {"S-9 bias without layers.N unchanged", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Native, kConfig);
         s.add("prefix.moe.gate.e_score_correction_bias", DType::F32, {4});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs[0].name, std::string("prefix.moe.gate.e_score_correction_bias"));
     }},
    {"S-10 round trip", [] {
         auto s = step(2);
         auto native = s.plan();
         CKPT_EXPECT_PLAN_OK(native);
         auto back = buildPlan(inputFromPlan(*native, s.in), PlanOptions{});
         CKPT_EXPECT_PLAN_OK(back);
         QVERIFY(outputShapes(*back) == weightShapes(s.in));
         QCOMPARE(back->find("model.layers.2.moe.router_bias")->dtype, DType::F32);
     }},
    {"S-11 gate without up (reference drops silently)", [] {
         auto s = step(2);
         s.remove("model.layers.2.moe.up_proj.weight");
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::IncompleteExperts, "model.layers.2.moe.up_proj.weight");
     }},
    {"S-12 experts contradict moe_num_experts", [] {
         SynthCheckpoint s(Family::Step3p5, Layout::Hf, kConfig);
         s.add("model.layers.1.moe.gate_proj.weight", DType::BF16, {5, 32, 64});
         s.add("model.layers.1.moe.up_proj.weight", DType::BF16, {5, 32, 64});
         s.add("model.layers.1.moe.down_proj.weight", DType::BF16, {5, 64, 32});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ConfigInvalid, "model.layers.1.moe.gate_proj.weight");
     }},
};

} // namespace

class TestPlanStep3p5 : public QObject {
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

QTEST_APPLESS_MAIN(TestPlanStep3p5)
#include "tst_plan_step3p5.moc"
