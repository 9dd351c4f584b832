// Plans over the real headers of each family's demo checkpoint (core/demo writes the on-disk
// layout of the official releases at reduced size): HF -> native -> HF gives back the original
// key set and (logical) shapes; HF -> HF dequantizes everything; every source is accounted for.
#include "core/checkpoint/checkpoint.h"
#include "core/demo/demo_checkpoint.h"
#include "tst_plan_fixtures.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace ckpt;
using namespace ckpt::test;

namespace {

std::shared_ptr<const Checkpoint> openDemo(const QTemporaryDir& tmp, Family family)
{
    const std::string dst = tmp.path().toStdString() + "/demo";
    auto written = writeDemoCheckpoint(dst, family, DemoSize::Tiny);
    if (!written) qWarning("%s", written.error().toString().c_str());
    auto opened = Checkpoint::open(dst);
    if (!opened) qWarning("%s", opened.error().toString().c_str());
    return opened ? opened.value() : nullptr;
}

// Every source tensor is an output's source, consumed, or dropped.
bool accountedFor(const Checkpoint& c, const ConversionPlan& plan)
{
    std::set<std::string> seen;
    for (const PlanOutput& o : plan.outputs) seen.insert(o.sources.begin(), o.sources.end());
    for (const DroppedTensor& d : plan.dropped) seen.insert(d.name);
    for (const DroppedTensor& d : plan.consumed) seen.insert(d.name);
    for (const TensorRef& t : c.tensors())
        if (!seen.count(t.name)) {
            qWarning("not accounted for: %s", t.name.c_str());
            return false;
        }
    return true;
}

} // namespace

class TestPlanDemo : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<int>("family");
        QTest::newRow("R-1 deepseek_v3 demo") << int(Family::DeepseekV3);
        QTest::newRow("R-2 deepseek_v4 demo") << int(Family::DeepseekV4);
        QTest::newRow("R-3 gemma4_moe demo") << int(Family::Gemma4Moe);
        QTest::newRow("R-4 step3p5 demo") << int(Family::Step3p5);
    }
    void roundTrip()
    {
        QFETCH(int, family);
        QTemporaryDir tmp;
        auto c = openDemo(tmp, Family(family));
        QVERIFY(c);
        QCOMPARE(int(c->family()), family);
        auto native = buildPlan(*c, PlanOptions{});
        CKPT_EXPECT_PLAN_OK(native);
        QCOMPARE(native->to, Layout::Native);
        QVERIFY(accountedFor(*c, *native));
        QVERIFY(native->dropped.empty());
        const PlanInput source = planInputFrom(*c);
        auto back = buildPlan(inputFromPlan(*native, source), PlanOptions{});
        CKPT_EXPECT_PLAN_OK(back);
        QCOMPARE(back->to, Layout::Hf);
        const auto want = weightShapes(source);
        const auto got = outputShapes(*back);
        for (const auto& [name, shape] : want) {
            auto it = got.find(name);
            QVERIFY2(it != got.end(), ("missing after round trip: " + name).c_str());
            QVERIFY2(it->second == shape, ("shape changed: " + name).c_str());
        }
        QCOMPARE(got.size(), want.size());
    }

    void hfToHf_data() { roundTrip_data(); }
    void hfToHf()
    {
        QFETCH(int, family);
        QTemporaryDir tmp;
        auto c = openDemo(tmp, Family(family));
        QVERIFY(c);
        PlanOptions o;
        o.target = Layout::Hf;
        auto plan = buildPlan(*c, o);
        CKPT_EXPECT_PLAN_OK(plan);
        QVERIFY(accountedFor(*c, *plan));
        QCOMPARE(plan->consumed.size(), c->quant().pairs.size());
        for (const PlanOutput& out : plan->outputs)
            QVERIFY2(out.dtype != DType::F8_E4M3 && out.dtype != DType::I8, out.name.c_str());
    }

    // The V3 demo follows the official FP8 release: re-quantizing the HF export with the
    // should_quantize_key rules gives back exactly its key set.
    void v3QuantizeRestoresKeySet()
    {
        QTemporaryDir tmp;
        auto c = openDemo(tmp, Family::DeepseekV3);
        QVERIFY(c);
        auto native = buildPlan(*c, PlanOptions{});
        CKPT_EXPECT_PLAN_OK(native);
        PlanOptions o;
        o.quantize = QuantizeMode::Fp8;
        auto back = buildPlan(inputFromPlan(*native, planInputFrom(*c)), o);
        CKPT_EXPECT_PLAN_OK(back);
        std::set<std::string> want;
        for (const TensorRef& t : c->tensors()) want.insert(t.name);
        QVERIFY(outputNames(*back) == want);
        for (const QuantPair& p : c->quant().pairs) QCOMPARE(back->find(p.weight)->dtype, DType::F8_E4M3);
    }
};

QTEST_GUILESS_MAIN(TestPlanDemo)
#include "tst_plan_demo.moc"
