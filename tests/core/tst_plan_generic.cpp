// Plan machinery shared by every family: the generic (unknown family) identity plan, op strings,
// name patterns, ordering, sharding, JSON, options and the bookkeeping rules (nothing dropped
// silently, duplicate outputs refused).
#include "core/plan/key_pattern.h"
#include "core/plan/plan_finish.h"
#include "core/plan/plan_json.h"
#include "tst_plan_fixtures.h"

#include <QtTest>

using namespace ckpt;
using namespace ckpt::test;

namespace {

SynthCheckpoint unknownModel()
{
    SynthCheckpoint s(Family::Unknown, Layout::Hf, {{"model_type", "mystery"}});
    s.addFp8("blk.0.proj.weight", {200, 100}, "blk.0.proj.weight_scale_inv");
    s.add("blk.0.norm.weight", DType::F32, {100}).add("blk.0.bias", DType::F16, {100});
    s.add("blk.0.ids", DType::I32, {7});
    return s;
}

} // namespace

class TestPlanGeneric : public QObject {
    Q_OBJECT
private slots:
    void describe_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("expected");
        const QStringList expected = {
            "read a.weight", "read a.gate_and_up_projs[3]",
            "dequant-fp8-block 128x128 scale=a.weight_scale_inv",
            "dequant-fp8-block 128x128 scale=a.scale scale_dtype=f8_e8m0",
            "dequant-fp4 group=32 scale=a.scale", "transpose 0,1", "slice axis=1 0:64",
            "concat axis=1 n=2", "stack axis=0 n=8", "scale-absorb s[2]", "fill 1", "fill 0.5",
            "cast bf16", "cast i64", "quantize-fp8-block 128x128 weight",
            "quantize-fp8-block 128x128 scale", "quantize-fp4 group=32 scale"};
        for (int i = 0; i < expected.size(); ++i)
            QTest::newRow(qPrintable("op " + expected[i])) << i << expected[i];
    }
    void describe()
    {
        QFETCH(int, row);
        QFETCH(QString, expected);
        const PlanOp ops[] = {
            PlanOp::read("a.weight"), PlanOp::read("a.gate_and_up_projs", 3),
            PlanOp::dequantFp8Block("a.weight_scale_inv", 128, 128, DType::F32),
            PlanOp::dequantFp8Block("a.scale", 128, 128, DType::F8_E8M0),
            PlanOp::dequantFp4("a.scale", 32, DType::F8_E8M0), PlanOp::transpose(0, 1),
            PlanOp::slice(1, 0, 64), PlanOp::concat(1, 2), PlanOp::stack(8),
            PlanOp::scaleAbsorb("s", 2), PlanOp::fill(1.0), PlanOp::fill(0.5),
            PlanOp::cast(DType::BF16), PlanOp::cast(DType::I64),
            PlanOp::quantizeFp8Block(128, 128, DType::F32, QuantPart::Weight),
            PlanOp::quantizeFp8Block(128, 128, DType::F32, QuantPart::Scale),
            PlanOp::quantizeFp4(32, QuantPart::Scale)};
        QCOMPARE(QString::fromStdString(ops[row].describe()), expected);
    }

    void keyPattern_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("expected");  // empty: no match
        QTest::newRow("P-1 number and rest") << "layers.{L}.attn.*" << "layers.12.attn.wq_a.weight"
                                             << "model.layers.{L}.self_attn.*" << "model.layers.12.self_attn.wq_a.weight";
        QTest::newRow("P-2 word capture") << "layers.{L}.hc_attn_{w}" << "layers.3.hc_attn_scale"
                                          << "model.layers.{L}.attn_hc.{w}" << "model.layers.3.attn_hc.scale";
        QTest::newRow("P-3 anchored end") << "layers.{L}.attn.attn_sink" << "layers.3.attn.attn_sink.x" << "" << "";
        QTest::newRow("P-4 anchored start") << "norm.*" << "layers.0.attn_norm.weight" << "" << "";
        QTest::newRow("P-5 number required") << "layers.{L}.*" << "layers.x.y" << "" << "";
        QTest::newRow("P-6 empty rest") << "embed.*" << "embed." << "e.*" << "e.";
    }
    void keyPattern()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, key);
        QFETCH(QString, to);
        QFETCH(QString, expected);
        auto m = matchKey(pattern.toStdString(), key.toStdString());
        QCOMPARE(m.has_value(), !expected.isEmpty());
        if (m) QCOMPARE(QString::fromStdString(expandKey(to.toStdString(), *m)), expected);
    }

    void naturalOrder()
    {
        QVERIFY(naturalLess("layers.2.x", "layers.10.x"));
        QVERIFY(!naturalLess("layers.10.x", "layers.2.x"));
        QVERIFY(naturalLess("a.weight", "b.weight"));
        QVERIFY(!naturalLess("a", "a"));
        QVERIFY(naturalLess("layers.1.mlp", "layers.1.mlp.x"));
    }

    void identityPlan()
    {
        auto plan = unknownModel().plan();
        CKPT_EXPECT_PLAN_OK(plan);
        QCOMPARE(plan->to, Layout::Hf);
        QCOMPARE(outputNames(*plan), (std::set<std::string>{"blk.0.proj.weight", "blk.0.norm.weight",
                                                             "blk.0.bias", "blk.0.ids"}));
        QCOMPARE(opsOf(*plan->find("blk.0.proj.weight")),
                 QStringList({"read blk.0.proj.weight",
                              "dequant-fp8-block 128x128 scale=blk.0.proj.weight_scale_inv", "cast bf16"}));
        QCOMPARE(plan->find("blk.0.norm.weight")->dtype, DType::F32);  // F32 originals stay F32
        QCOMPARE(plan->find("blk.0.bias")->dtype, DType::BF16);
        QCOMPARE(plan->find("blk.0.ids")->dtype, DType::I32);
        QCOMPARE(plan->consumed.size(), std::size_t(1));
        QCOMPARE(plan->metadata.size(), std::size_t(1));
        QCOMPARE(plan->metadata.at("format"), std::string("pt"));
    }

    void optionErrors_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("code");
        QTest::newRow("O-1 unknown family --to native") << 0 << "unknown_family";
        QTest::newRow("O-2 --quantize fp8 without FP8 rule") << 1 << "invalid_argument";
        QTest::newRow("O-3 --dtype f64") << 2 << "invalid_argument";
        QTest::newRow("O-4 --quantize fp8 to native") << 3 << "invalid_argument";
    }
    void optionErrors()
    {
        QFETCH(int, which);
        QFETCH(QString, code);
        SynthCheckpoint s = unknownModel();
        PlanOptions o;
        if (which == 0) o.target = Layout::Native;
        if (which == 1) o.quantize = QuantizeMode::Fp8;
        if (which == 2) o.dtype = DType::F64;
        if (which == 3) {
            s.in.family = Family::DeepseekV3;
            o.quantize = QuantizeMode::Fp8;
        }
        auto plan = s.plan(o);
        QVERIFY(!plan.ok());
        QCOMPARE(QString::fromStdString(std::string(errorCodeName(plan.error().code))), code);
    }

    void pairingProblems()
    {
        SynthCheckpoint s = unknownModel();
        s.in.quant.problems.push_back(makeError(ErrorCode::ScaleMissing, "no scale", "/ckpt/x.safetensors", "blk.0.x.weight"));
        s.in.quant.problems.push_back(makeError(ErrorCode::ConfigInvalid, "block 64 in config", "config.json"));
        auto plan = s.plan();
        QVERIFY(!plan.ok());
        QCOMPARE(plan.error().code, ErrorCode::ScaleMissing);
        QCOMPARE(plan.error().tensor, std::string("blk.0.x.weight"));
        s.in.quant.problems.erase(s.in.quant.problems.begin());
        auto ok = s.plan();
        CKPT_EXPECT_PLAN_OK(ok);
        QCOMPARE(ok->warnings.size(), std::size_t(1));  // the config contradiction is a warning
    }

    void orphanScaleFromPairing()
    {
        SynthCheckpoint s = unknownModel();
        s.add("blk.1.gone.scale", DType::F32, {1, 1});
        s.in.quant.orphanScales.push_back("blk.1.gone.scale");
        auto plan = s.plan();
        CKPT_EXPECT_PLAN_OK(plan);
        QCOMPARE(droppedNames(*plan), std::set<std::string>{"blk.1.gone.scale"});
        QCOMPARE(plan->warnings.size(), std::size_t(1));
    }

    void duplicateOutputsRefused()
    {
        SynthCheckpoint s(Family::DeepseekV4, Layout::Hf);
        s.add("layers.0.attn.attn_sink", DType::F32, {4});
        s.add("model.layers.0.self_attn.sinks_param.weight", DType::F32, {4});
        auto plan = s.plan();
        QVERIFY(!plan.ok());
        QCOMPARE(plan.error().code, ErrorCode::PlanInvalid);
    }

    void shards()
    {
        SynthCheckpoint s(Family::Unknown, Layout::Hf);
        s.add("a", DType::F32, {100}).add("b", DType::F32, {100}).add("c", DType::F32, {300}).add("d", DType::F32, {10});
        PlanOptions o;
        o.maxShardBytes = 1000;
        auto plan = s.plan(o);
        CKPT_EXPECT_PLAN_OK(plan);
        QCOMPARE(plan->shardCount, 3u);  // [a b] [c] [d]
        QCOMPARE(plan->find("b")->shard, 0u);
        QCOMPARE(plan->find("c")->shard, 1u);
        QCOMPARE(plan->find("d")->shard, 2u);
        QCOMPARE(plan->totalBytes, std::uint64_t(2040));
        o.maxShardBytes = 0;
        QCOMPARE(s.plan(o)->shardCount, 1u);
    }

    void json()
    {
        SynthCheckpoint s = unknownModel();
        s.add("x_scale_inv", DType::F32, {1});
        auto plan = s.plan();
        CKPT_EXPECT_PLAN_OK(plan);
        const nlohmann::json j = planToJson(*plan);
        for (const char* k : {"outputs", "dropped", "warnings", "family", "from", "to", "consumed"})
            QVERIFY2(j.contains(k), k);
        QCOMPARE(j["dropped"], nlohmann::json::array({"x_scale_inv"}));
        const nlohmann::json& o = j["outputs"][0];
        for (const char* k : {"name", "dtype", "shape", "sources", "ops", "shard"}) QVERIFY2(o.contains(k), k);
        QCOMPARE(j["family"], "unknown");
        QCOMPARE(j["outputs"][3]["ops"][1], "dequant-fp8-block 128x128 scale=blk.0.proj.weight_scale_inv");
        QCOMPARE(j["outputs"][3]["dtype"], "BF16");
    }
};

QTEST_APPLESS_MAIN(TestPlanGeneric)
#include "tst_plan_generic.moc"
