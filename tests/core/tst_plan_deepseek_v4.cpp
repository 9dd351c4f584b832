// Conversion plans for DeepSeek V4 (edge-cases-and-tests.md §1.4, §2; deepseek-v4.md §3-9),
// built from synthetic header facts. Row names carry the scenario ids.
#include "tst_plan_fixtures.h"

#include <QtTest>

#include <functional>

using namespace ckpt;
using namespace ckpt::test;

namespace {

const nlohmann::json kConfig = {{"model_type", "deepseek_v4"}, {"n_routed_experts", 4},
                                {"moe_intermediate_size", 32}, {"hidden_size", 64},
                                {"num_hidden_layers", 4}, {"num_hash_layers", 1},
                                {"num_nextn_predict_layers", 2}};

enum class ExpertKind { Bf16, Fp8, Fp4 };

void addExperts(SynthCheckpoint& s, const std::string& base, int experts, ExpertKind kind)
{
    for (int e = 0; e < experts; ++e)
        for (const char* w : {"w1", "w3", "w2"}) {
            const std::string stem = base + std::to_string(e) + "." + w;
            const bool down = std::string(w) == "w2";
            const std::vector<std::uint64_t> shape = down ? std::vector<std::uint64_t>{64, 32}
                                                          : std::vector<std::uint64_t>{32, 64};
            if (kind == ExpertKind::Fp8) s.addFp8(stem + ".weight", shape, stem + ".scale");
            else if (kind == ExpertKind::Fp4) s.addFp4(stem + ".weight", shape, stem + ".scale");
            else s.add(stem + ".weight", DType::BF16, shape);
        }
}

// A Flash-like checkpoint: layer 0 hash-routed, layer 1 normal, one MTP block.
SynthCheckpoint v4Flash(ExpertKind kind = ExpertKind::Fp4)
{
    SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
    s.add("embed.weight", DType::BF16, {256, 64}).add("norm.weight", DType::BF16, {64});
    s.add("head.weight", DType::BF16, {256, 64});
    s.add("hc_head_fn", DType::F32, {4, 256}).add("hc_head_base", DType::F32, {4});
    s.add("hc_head_scale", DType::F32, {1});
    for (int l = 0; l < 2; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        s.add(p + "attn_norm.weight", DType::BF16, {64}).add(p + "ffn_norm.weight", DType::BF16, {64});
        s.addFp8(p + "attn.wq_a.weight", {32, 64}, p + "attn.wq_a.scale");
        s.add(p + "attn.attn_sink", DType::F32, {4});
        s.add(p + "attn.compressor.wkv.weight", DType::BF16, {16, 64});
        s.add(p + "attn.compressor.ape", DType::F32, {4, 16});
        s.add(p + "ffn.gate.weight", DType::BF16, {4, 64});
        if (l == 0) s.add(p + "ffn.gate.tid2eid", DType::I32, {256, 2});
        else s.add(p + "ffn.gate.bias", DType::F32, {4});
        s.addFp8(p + "ffn.shared_experts.w1.weight", {32, 64}, p + "ffn.shared_experts.w1.scale");
        s.add(p + "hc_attn_fn", DType::F32, {24, 256}).add(p + "hc_ffn_scale", DType::F32, {3});
        addExperts(s, p + "ffn.experts.", 4, kind);
    }
    s.addFp8("mtp.0.attn.wq_a.weight", {32, 64}, "mtp.0.attn.wq_a.scale");
    s.addFp8("mtp.0.e_proj.weight", {64, 64}, "mtp.0.e_proj.scale");
    s.add("mtp.0.enorm.weight", DType::BF16, {64}).add("mtp.0.hc_head_fn", DType::F32, {4, 256});
    addExperts(s, "mtp.0.ffn.experts.", 4, kind);
    return s;
}

Result<ConversionPlan> planOne(Layout layout, const std::string& key, DType dtype = DType::BF16)
{
    SynthCheckpoint s(Family::DeepseekV4, layout, kConfig);
    s.add(key, dtype, {4});
    return s.plan();
}

struct Case {
    const char* name;
    std::function<void()> run;
};

const std::vector<Case> kCases = {
    {"V4-7 tid2eid I32 to I64 and back", [] {
         auto native = planOne(Layout::Hf, "layers.0.ffn.gate.tid2eid", DType::I32);
         CKPT_EXPECT_PLAN_OK(native);
         QCOMPARE(native->outputs[0].name, std::string("model.layers.0.mlp.gate.tid2eid"));
         QCOMPARE(native->outputs[0].dtype, DType::I64);
         QCOMPARE(opsOf(native->outputs[0]).last(), QString("cast i64"));
         auto hf = planOne(Layout::Native, "model.layers.0.mlp.gate.tid2eid", DType::I64);
         CKPT_EXPECT_PLAN_OK(hf);
         QCOMPARE(hf->outputs[0].dtype, DType::I32);
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         s.add("layers.0.ffn.gate.tid2eid", DType::I32, {256, 2});
         auto same = s.plan(withTarget(Layout::Hf));
         CKPT_EXPECT_PLAN_OK(same);
         QCOMPARE(same->outputs[0].dtype, DType::I32);
     }},
    {"V4-8 experts aggregate", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         addExperts(s, "layers.0.ffn.experts.", 4, ExpertKind::Bf16);
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{"model.layers.0.mlp.experts.down_projs",
                                                              "model.layers.0.mlp.experts.gate_and_up_projs"}));
         QCOMPARE(shapeOf(plan->find("model.layers.0.mlp.experts.gate_and_up_projs")->shape), QString("[4,64,64]"));
         QCOMPARE(shapeOf(plan->find("model.layers.0.mlp.experts.down_projs")->shape), QString("[4,32,64]"));
         const QStringList ops = opsOf(*plan->find("model.layers.0.mlp.experts.gate_and_up_projs"));
         QCOMPARE(ops.mid(0, 6), QStringList({"read layers.0.ffn.experts.0.w1.weight", "transpose 0,1",
                                               "read layers.0.ffn.experts.0.w3.weight", "transpose 0,1",
                                               "concat axis=1 n=2", "cast bf16"}));
     }},
    {"V4-9 fp8 expert (Flash-Base)", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, {{"n_routed_experts", 1}});
         s.addFp8("layers.0.ffn.experts.0.w1.weight", {4, 4}, "layers.0.ffn.experts.0.w1.scale");
         s.addFp8("layers.0.ffn.experts.0.w3.weight", {4, 4}, "layers.0.ffn.experts.0.w3.scale");
         s.addFp8("layers.0.ffn.experts.0.w2.weight", {4, 4}, "layers.0.ffn.experts.0.w2.scale");
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(opsOf(*plan->find("model.layers.0.mlp.experts.down_projs"))
                     .contains("dequant-fp8-block 128x128 scale=layers.0.ffn.experts.0.w2.scale"));
     }},
    {"V4-9 fp4 expert (Flash)", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, {{"n_routed_experts", 1}});
         for (const char* w : {"w1", "w3", "w2"})
             s.addFp4(std::string("layers.0.ffn.experts.0.") + w + ".weight", {4, 4},
                      std::string("layers.0.ffn.experts.0.") + w + ".scale");
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         const PlanOutput* down = plan->find("model.layers.0.mlp.experts.down_projs");
         QCOMPARE(shapeOf(down->shape), QString("[1,4,4]"));
         QCOMPARE(opsOf(*down), QStringList({"read layers.0.ffn.experts.0.w2.weight",
             "dequant-fp4 group=32 scale=layers.0.ffn.experts.0.w2.scale", "transpose 0,1",
             "cast bf16", "stack axis=0 n=1"}));
     }},
    {"V4-10 split experts", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Native, kConfig);
         s.add("model.layers.0.mlp.experts.gate_and_up_projs", DType::BF16, {4, 64, 64});
         s.add("model.layers.0.mlp.experts.down_projs", DType::BF16, {4, 32, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(12));
         QCOMPARE(shapeOf(plan->find("layers.0.ffn.experts.0.w1.weight")->shape), QString("[32,64]"));
         QCOMPARE(opsOf(*plan->find("layers.0.ffn.experts.0.w3.weight")).at(1), QString("slice axis=1 32:64"));
         QCOMPARE(shapeOf(plan->find("layers.0.ffn.experts.3.w2.weight")->shape), QString("[64,32]"));
     }},
    {"V4-10 split width contradicts config", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Native, kConfig);
         s.add("model.layers.0.mlp.experts.gate_and_up_projs", DType::BF16, {4, 64, 48});
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ConfigInvalid, "model.layers.0.mlp.experts.gate_and_up_projs");
     }},
    {"V4-11 quantize fp8 experts (Base layout)", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Native, kConfig);
         s.add("model.layers.0.mlp.experts.down_projs", DType::BF16, {4, 32, 64});
         auto plan = s.plan(withFp8());
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->find("layers.0.ffn.experts.0.w2.weight")->dtype, DType::F8_E4M3);
         QCOMPARE(shapeOf(plan->find("layers.0.ffn.experts.0.w2.weight")->shape), QString("[64,32]"));
         QCOMPARE(shapeOf(plan->find("layers.0.ffn.experts.0.w2.scale")->shape), QString("[1,1]"));
         QCOMPARE(plan->find("layers.0.ffn.experts.0.w2.scale")->dtype, DType::F32);
     }},
    {"V4-13 MTP renames", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         s.add("mtp.0.attn.wq_a.weight", DType::BF16, {32, 64}).add("mtp.0.attn_norm.weight", DType::BF16, {64});
         s.add("mtp.1.ffn_norm.weight", DType::BF16, {64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{"mtp.layers.0.self_attn.wq_a.weight",
             "mtp.layers.0.input_layernorm.weight", "mtp.layers.1.post_attention_layernorm.weight"}));
         QVERIFY(plan->warnings.empty());
     }},
    {"V4-14 MTP disabled: converted with a warning", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, {{"num_hidden_layers", 4}, {"num_nextn_predict_layers", 0}});
         s.add("mtp.0.attn_norm.weight", DType::BF16, {64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QVERIFY(plan->find("mtp.layers.0.input_layernorm.weight"));
         QCOMPARE(plan->warnings.size(), std::size_t(1));
     }},
    {"V4-15 legacy MTP layer index", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         s.add("model.layers.4.attn.wq_a.weight", DType::BF16, {32, 64});
         s.add("model.layers.4.input_layernorm.weight", DType::BF16, {64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{"mtp.layers.0.self_attn.wq_a.weight",
                                                              "mtp.layers.0.input_layernorm.weight"}));
     }},
    {"V4-16 MTP fp8 dequantized", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         s.addFp8("mtp.0.attn.wq_a.weight", {32, 64}, "mtp.0.attn.wq_a.scale");
         auto plan = s.plan(withDtype(DType::F32));
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs.size(), std::size_t(1));
         QCOMPARE(plan->outputs[0].name, std::string("mtp.layers.0.self_attn.wq_a.weight"));
         QCOMPARE(plan->outputs[0].dtype, DType::F32);
         QCOMPARE(plan->consumed[0].name, std::string("mtp.0.attn.wq_a.scale"));
     }},
    {"V4-17 MTP experts", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         addExperts(s, "mtp.0.ffn.experts.", 4, ExpertKind::Bf16);
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(outputNames(*plan), (std::set<std::string>{"mtp.layers.0.mlp.experts.down_projs",
                                                              "mtp.layers.0.mlp.experts.gate_and_up_projs"}));
     }},
    {"V4-18 MTP to HF and quantized", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Native, kConfig);
         s.add("mtp.layers.1.self_attn.wq_a.weight", DType::BF16, {32, 64});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(plan->outputs[0].name, std::string("mtp.1.attn.wq_a.weight"));
         SynthCheckpoint q(Family::DeepseekV4, Layout::Native, kConfig);
         q.add("mtp.layers.0.self_attn.wq_a.weight", DType::BF16, {32, 64});
         auto quant = q.plan(withFp8());
         CKPT_EXPECT_PLAN_OK(quant);
         QCOMPARE(quant->find("mtp.0.attn.wq_a.weight")->dtype, DType::F8_E4M3);
         QCOMPARE(quant->find("mtp.0.attn.wq_a.scale")->dtype, DType::F32);
     }},
    {"hash layer gate bias dropped with a reason", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Native, kConfig);
         s.add("model.layers.0.mlp.gate.e_score_correction_bias", DType::F32, {4});
         s.add("model.layers.1.mlp.gate.e_score_correction_bias", DType::F32, {4});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(droppedNames(*plan), std::set<std::string>{"model.layers.0.mlp.gate.e_score_correction_bias"});
         QVERIFY(plan->dropped[0].reason.find("hash") != std::string::npos);
         QCOMPARE(outputNames(*plan), std::set<std::string>{"layers.1.ffn.gate.bias"});
     }},
    {"fp32 keep lists", [] {
         auto plan = v4Flash().plan();
         CKPT_EXPECT_PLAN_OK(plan);
         for (const char* k : {"lm_head.weight", "model.hc_head.hc_fn", "model.layers.0.attn_hc.fn",
                               "model.layers.1.self_attn.sinks_param.weight",
                               "model.layers.1.self_attn.compressor.wkv.weight",
                               "model.layers.1.self_attn.compressor.ape_param.weight",
                               "model.layers.1.mlp.gate.e_score_correction_bias",
                               "mtp.layers.0.hc_head.hc_fn"})
             QVERIFY2(plan->find(k) && plan->find(k)->dtype == DType::F32, k);
         QCOMPARE(plan->find("model.layers.1.self_attn.wq_a.weight")->dtype, DType::BF16);
         auto back = buildPlan(inputFromPlan(*plan, v4Flash().in), {});
         CKPT_EXPECT_PLAN_OK(back);
         QCOMPARE(back->find("head.weight")->dtype, DType::BF16);
         QCOMPARE(back->find("layers.1.attn.compressor.wkv.weight")->dtype, DType::BF16);
         QCOMPARE(back->find("layers.1.hc_attn_fn")->dtype, DType::F32);
         QCOMPARE(back->find("layers.1.ffn.gate.bias")->dtype, DType::F32);
     }},
    {"E-1 missing expert (reference drops silently)", [] {
         auto s = v4Flash(ExpertKind::Bf16);
         s.remove("layers.1.ffn.experts.2.w3.weight");
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::IncompleteExperts, "layers.1.ffn.experts.2.w3.weight");
     }},
    {"E-1 missing MTP expert", [] {
         auto s = v4Flash(ExpertKind::Bf16);
         s.remove("mtp.0.ffn.experts.0.w2.weight");
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::IncompleteExperts, "mtp.0.ffn.experts.0.w2.weight");
     }},
    {"E-2 packed fp4 expert without scale", [] {
         auto s = v4Flash();
         s.remove("layers.1.ffn.experts.1.w2.scale");
         std::erase_if(s.in.quant.pairs, [](const QuantPair& p) { return p.scale == "layers.1.ffn.experts.1.w2.scale"; });
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ScaleMissing, "layers.1.ffn.experts.1.w2.weight");
     }},
    {"E-3 fp4 scale of the wrong shape", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         s.addFp4("layers.0.attn.x.weight", {64, 64}, "layers.0.attn.x.scale");
         s.in.tensors.back().shape = {32, 2};
         CKPT_EXPECT_PLAN_ERROR(s.plan(), ErrorCode::ScaleShapeMismatch, "layers.0.attn.x.weight");
     }},
    {"E-4 mixed expert layouts refused", [] {
         auto s = v4Flash(ExpertKind::Fp4);
         addExperts(s, "layers.2.ffn.experts.", 4, ExpertKind::Fp8);
         auto plan = s.plan();
         QVERIFY(!plan.ok());
         QCOMPARE(plan.error().code, ErrorCode::UnsupportedDtype);
     }},
    {"E-5 orphan .scale dropped", [] {
         SynthCheckpoint s(Family::DeepseekV4, Layout::Hf, kConfig);
         s.add("layers.0.attn.gone.scale", DType::F32, {1, 1});
         auto plan = s.plan();
         CKPT_EXPECT_PLAN_OK(plan);
         QCOMPARE(droppedNames(*plan), std::set<std::string>{"layers.0.attn.gone.scale"});
     }},
    {"round trip HF-native-HF (Flash)", [] {
         auto s = v4Flash();
         auto native = s.plan();
         CKPT_EXPECT_PLAN_OK(native);
         QCOMPARE(native->metadata.at("ckptscope.family"), std::string("deepseek_v4"));
         auto back = buildPlan(inputFromPlan(*native, s.in), {});
         CKPT_EXPECT_PLAN_OK(back);
         QVERIFY(outputShapes(*back) == weightShapes(s.in));
         QVERIFY(back->dropped.empty());
         QCOMPARE(back->find("layers.0.ffn.gate.tid2eid")->dtype, DType::I32);
     }},
};

} // namespace

class TestPlanDeepseekV4 : public QObject {
    Q_OBJECT
private slots:
    void renames_data()
    {
        QTest::addColumn<QString>("hf");
        QTest::addColumn<QString>("native");
        const char* rows[][3] = {
            {"V4-1 embed", "embed.weight", "model.embed_tokens.weight"},
            {"V4-1 norm", "norm.weight", "model.norm.weight"},
            {"V4-1 head", "head.weight", "lm_head.weight"},
            {"V4-1 attn_norm", "layers.0.attn_norm.weight", "model.layers.0.input_layernorm.weight"},
            {"V4-1 ffn_norm", "layers.2.ffn_norm.weight", "model.layers.2.post_attention_layernorm.weight"},
            {"V4-1 wq_a", "layers.1.attn.wq_a.weight", "model.layers.1.self_attn.wq_a.weight"},
            {"V4-1 wkv", "layers.0.attn.wkv.weight", "model.layers.0.self_attn.wkv.weight"},
            {"V4-2 attn_sink", "layers.0.attn.attn_sink", "model.layers.0.self_attn.sinks_param.weight"},
            {"V4-2 compressor ape", "layers.2.attn.compressor.ape", "model.layers.2.self_attn.compressor.ape_param.weight"},
            {"V4-2 indexer compressor ape", "layers.2.attn.indexer.compressor.ape",
             "model.layers.2.self_attn.compressor.indexer.ape_param.weight"},
            {"V4-2 indexer compressor norm", "layers.2.attn.indexer.compressor.norm.weight",
             "model.layers.2.self_attn.compressor.indexer.kv_norm.weight"},
            {"V4-2 indexer compressor wkv", "layers.2.attn.indexer.compressor.wkv.weight",
             "model.layers.2.self_attn.compressor.indexer.wkv.weight"},
            {"V4-2 indexer wq_b", "layers.2.attn.indexer.wq_b.weight", "model.layers.2.self_attn.compressor.indexer.wq_b.weight"},
            {"V4-2 compressor norm", "layers.2.attn.compressor.norm.weight", "model.layers.2.self_attn.compressor.kv_norm.weight"},
            {"V4-2 compressor wgate", "layers.2.attn.compressor.wgate.weight", "model.layers.2.self_attn.compressor.wgate.weight"},
            {"V4-3 gate weight", "layers.1.ffn.gate.weight", "model.layers.1.mlp.gate.weight"},
            {"V4-3 gate bias", "layers.1.ffn.gate.bias", "model.layers.1.mlp.gate.e_score_correction_bias"},
            {"V4-4 shared w1", "layers.0.ffn.shared_experts.w1.weight", "model.layers.0.mlp.shared_experts.gate_proj.weight"},
            {"V4-4 shared w3", "layers.0.ffn.shared_experts.w3.weight", "model.layers.0.mlp.shared_experts.up_proj.weight"},
            {"V4-4 shared w2", "layers.0.ffn.shared_experts.w2.weight", "model.layers.0.mlp.shared_experts.down_proj.weight"},
            {"V4-4 latent fc1", "layers.0.ffn.fc1_latent_proj.weight", "model.layers.0.mlp.fc1_latent_proj.weight"},
            {"V4-5 hc_attn_fn", "layers.2.hc_attn_fn", "model.layers.2.attn_hc.fn"},
            {"V4-5 hc_ffn_scale", "layers.0.hc_ffn_scale", "model.layers.0.ffn_hc.scale"},
            {"V4-5 hc_head_base", "hc_head_base", "model.hc_head.hc_base"},
            {"V4-6 unknown key", "something.else", "something.else"},
            {"V4-19 MTP e_proj", "mtp.1.e_proj.weight", "mtp.layers.1.e_proj.weight"},
            {"V4-19 MTP h_proj", "mtp.0.h_proj.weight", "mtp.layers.0.h_proj.weight"},
            {"V4-19 MTP enorm", "mtp.0.enorm.weight", "mtp.layers.0.enorm.weight"},
            {"V4-19 MTP hnorm", "mtp.0.hnorm.weight", "mtp.layers.0.hnorm.weight"},
            {"V4-19 MTP norm", "mtp.0.norm.weight", "mtp.layers.0.norm.weight"},
            {"V4-19 MTP hc_head_fn", "mtp.0.hc_head_fn", "mtp.layers.0.hc_head.hc_fn"},
            {"V4-19 MTP hc_attn_base", "mtp.1.hc_attn_base", "mtp.layers.1.attn_hc.base"},
        };
        for (const auto& r : rows) QTest::newRow(r[0]) << QString(r[1]) << QString(r[2]);
    }
    void renames()
    {
        QFETCH(QString, hf);
        QFETCH(QString, native);
        auto toNative = planOne(Layout::Hf, hf.toStdString());
        CKPT_EXPECT_PLAN_OK(toNative);
        QCOMPARE(QString::fromStdString(toNative->outputs.at(0).name), native);
        auto toHf = planOne(Layout::Native, native.toStdString());
        CKPT_EXPECT_PLAN_OK(toHf);
        QCOMPARE(QString::fromStdString(toHf->outputs.at(0).name), hf);
    }
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

QTEST_APPLESS_MAIN(TestPlanDeepseekV4)
#include "tst_plan_deepseek_v4.moc"
