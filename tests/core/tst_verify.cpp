// core/verify: a clean demo passes; corrupted scales (0, inf, NaN) fail naming the tensor; the
// quantize(dequantize) round trip counts changed codes; a dequantized reference gives zero error;
// pairing problems are failing entries; CPU vs CUDA skips loudly without a device.

#include "core/checkpoint/checkpoint.h"
#include "core/convert/plan_executor.h"
#include "core/demo/demo_checkpoint.h"
#include "core/safetensors/safetensors_writer.h"
#include "core/verify/verify_checkpoint.h"
#include "kernels/kernel_factory.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace fs = std::filesystem;
using namespace ckpt;

namespace {

std::shared_ptr<const Checkpoint> openOrFail(const std::string& path)
{
    auto c = Checkpoint::open(path);
    if (!c) qFatal("cannot open %s: %s", path.c_str(), c.error().toString().c_str());
    return *c;
}

std::unique_ptr<KernelBackend> backend(DeviceChoice choice = DeviceChoice::Cpu)
{
    auto b = createKernelBackend(choice, 2);
    if (!b) qFatal("no backend: %s", b.error().toString().c_str());
    return std::move(*b);
}

VerifyReport verifyOrFail(const std::string& path, const Checkpoint* reference = nullptr, KernelBackend* cuda = nullptr)
{
    auto c = openOrFail(path);
    auto cpu = backend();
    VerifyOptions options;
    options.reference = reference;
    auto r = verifyCheckpoint(*c, options, *cpu, cuda, nullptr);
    if (!r) qFatal("verify failed: %s", r.error().toString().c_str());
    return *r;
}

// Overwrites n bytes at byte `offset` of `tensor`'s data.
void patch(const std::string& folder, const std::string& tensor, std::uint64_t offset, const void* bytes, std::size_t n)
{
    auto c = openOrFail(folder);
    const TensorRef* t = c->find(tensor);
    QVERIFY2(t, tensor.c_str());
    std::fstream f(c->fileOf(*t), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(t->offset + offset));
    f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
}

const TensorVerification* entry(const VerifyReport& r, const std::string& name)
{
    for (const auto& t : r.tensors)
        if (t.name == name) return &t;
    return nullptr;
}
// The result points into the report: a temporary report would leave it dangling (ASan found
// `entry(verifyOrFail(p), ...)` reading freed memory), so that does not compile.
const TensorVerification* entry(VerifyReport&&, const std::string&) = delete;

const QuantPair& firstF32ScalePair(const Checkpoint& c)
{
    for (const auto& p : c.quant().pairs)
        if (p.scaleDtype == DType::F32 && p.scheme == QuantScheme::Fp8Block) return p;
    qFatal("no FP8 pair with F32 scales");
}

} // namespace

class TestVerify : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return (fs::path(m_dir.path().toStdString()) / name).string(); }
    std::string demo(Family family)
    {
        const std::string p = path("demo-" + std::string(familyName(family)));
        if (!fs::exists(p)) {
            auto st = writeDemoCheckpoint(p, family, DemoSize::Tiny);
            if (!st) qFatal("demo: %s", st.error().toString().c_str());
        }
        return p;
    }
    std::string copyOf(const std::string& src, const std::string& name)
    {
        const std::string dst = path(name);
        fs::remove_all(dst);
        fs::copy(src, dst, fs::copy_options::recursive);
        return dst;
    }

private slots:
    void cleanDemoPasses_data()
    {
        QTest::addColumn<int>("family");
        QTest::newRow("deepseek_v3 fp8") << static_cast<int>(Family::DeepseekV3);
        QTest::newRow("deepseek_v4 fp8+fp4") << static_cast<int>(Family::DeepseekV4);
    }
    void cleanDemoPasses()
    {
        QFETCH(int, family);
        const std::string p = demo(static_cast<Family>(family));
        const VerifyReport r = verifyOrFail(p);
        const auto pairs = openOrFail(p)->quant().pairs.size();
        QVERIFY(pairs > 0);
        QCOMPARE(r.tensors.size(), pairs);
        QCOMPARE(r.verdict, Verdict::Pass);
        QCOMPARE(r.failed, std::uint64_t{0});
        for (const auto& t : r.tensors) {
            QVERIFY2(t.verdict == Verdict::Pass, (t.name + ": " + (t.reasons.empty() ? "" : t.reasons[0])).c_str());
            QCOMPARE(t.nan, std::uint64_t{0});
            QCOMPARE(t.cpuCuda, CpuCudaCheck::Skipped);
            QVERIFY(t.roundTrip.done);
            // The demo uses the kernels' quantizer: values come back exactly (FP4 codes may not,
            // see roundtrip_check.h).
            QCOMPARE(t.roundTrip.mismatched, std::uint64_t{0});
            if (t.scheme == QuantScheme::Fp8Block) QCOMPARE(t.roundTrip.codesChanged, std::uint64_t{0});
            QVERIFY(t.scales.count > 0);
        }
        QCOMPARE(r.cpuCudaNote, std::string("skipped: no CUDA device"));
    }

    void corruptedScale_data()
    {
        QTest::addColumn<float>("value");
        QTest::addColumn<QString>("what");
        QTest::newRow("zero scale") << 0.0f << "1 zero";
        QTest::newRow("inf scale") << std::numeric_limits<float>::infinity() << "1 inf";
        QTest::newRow("NaN scale") << std::numeric_limits<float>::quiet_NaN() << "1 NaN";
        QTest::newRow("negative scale") << -0.001f << "1 negative";
    }
    void corruptedScale()
    {
        QFETCH(float, value);
        QFETCH(QString, what);
        const std::string p = copyOf(demo(Family::DeepseekV3), "corrupt");
        const QuantPair pair = firstF32ScalePair(*openOrFail(p));
        patch(p, pair.scale, 0, &value, sizeof value);
        const VerifyReport r = verifyOrFail(p);
        QCOMPARE(r.verdict, Verdict::Fail);
        QCOMPARE(r.failed, std::uint64_t{1});
        QCOMPARE(r.tensors.front().name, pair.weight);  // worst first
        const TensorVerification* t = entry(r, pair.weight);
        QVERIFY(t);
        QCOMPARE(t->verdict, Verdict::Fail);
        QCOMPARE(t->scales.firstProblem.rfind("scale[0, 0]", 0), std::size_t{0});
        bool named = false;
        for (const auto& reason : t->reasons) named |= QString::fromStdString(reason).contains(what);
        QVERIFY2(named, t->reasons.empty() ? "no reason" : t->reasons[0].c_str());
    }

    void outlierScaleWarns()
    {
        const std::string p = copyOf(demo(Family::DeepseekV3), "outlier");
        auto c = openOrFail(p);
        const QuantPair pair = firstF32ScalePair(*c);
        QVERIFY(c->find(pair.scale)->shape[0] * c->find(pair.scale)->shape[1] >= 2);
        float scale = 0;
        std::ifstream(c->fileOf(*c->find(pair.scale)), std::ios::binary)
            .seekg(static_cast<std::streamoff>(c->find(pair.scale)->offset)).read(reinterpret_cast<char*>(&scale), 4);
        const float huge = scale * 131072.0f;  // 2^17: 17 binades off the median
        patch(p, pair.scale, 0, &huge, sizeof huge);
        const VerifyReport report = verifyOrFail(p);
        const TensorVerification* t = entry(report, pair.weight);
        QVERIFY(t);
        QCOMPARE(t->scales.outliers, std::uint64_t{1});
        QVERIFY(t->verdict != Verdict::Pass);
    }

    void roundTripCounts()
    {
        // Halve every code of magnitude 448 in the first block: the block's amax halves, so the
        // re-quantization doubles every non-zero code there: each of them changes, while the
        // values stay (within the rounding of the new scale) the same.
        const std::string p = copyOf(demo(Family::DeepseekV3), "roundtrip");
        auto c = openOrFail(p);
        const QuantPair pair = firstF32ScalePair(*c);
        const TensorRef* w = c->find(pair.weight);
        auto bytes = c->tensorBytes(*w);
        QVERIFY(bytes.ok());
        const std::uint64_t cols = w->shape[1];
        std::vector<std::uint8_t> codes(reinterpret_cast<const std::uint8_t*>(bytes->data()),
                                        reinterpret_cast<const std::uint8_t*>(bytes->data()) + bytes->size());
        std::uint64_t changedAmax = 0, nonZero = 0;
        for (std::uint64_t r = 0; r < std::min<std::uint64_t>(pair.blockRows, w->shape[0]); ++r)
            for (std::uint64_t col = 0; col < std::min<std::uint64_t>(pair.blockCols, cols); ++col) {
                std::uint8_t& q = codes[r * cols + col];
                if ((q & 0x7f) == 0x7e) { q = static_cast<std::uint8_t>((q & 0x80) | 0x76); ++changedAmax; }
                nonZero += (q & 0x7f) != 0;
            }
        QVERIFY(changedAmax > 0);
        c.reset();
        patch(p, pair.weight, 0, codes.data(), codes.size());
        const VerifyReport report = verifyOrFail(p);
        const TensorVerification* t = entry(report, pair.weight);
        QVERIFY(t);
        QVERIFY(t->roundTrip.done);
        // Nearly all: the new scale is amax / 448 rounded in f32, so a code or two may land back.
        QVERIFY2(t->roundTrip.codesChanged * 100 >= nonZero * 99 && t->roundTrip.codesChanged <= nonZero,
                 qPrintable(QString::number(t->roundTrip.codesChanged)));
        QVERIFY(t->roundTrip.mismatched <= nonZero);
        QVERIFY(t->verdict != Verdict::Fail);
    }

    void roundTripKeepsNanCodes()
    {
        // NaN codes (0x7F, 0xFF) dequantize to NaN and re-quantize to themselves: the round
        // trip must count them as unchanged values (NaN == NaN), while the NaN count sees them.
        const std::string p = copyOf(demo(Family::DeepseekV3), "roundtrip-nan");
        auto c = openOrFail(p);
        const QuantPair pair = firstF32ScalePair(*c);
        const std::uint8_t nan[2] = {0x7f, 0xff};
        c.reset();
        patch(p, pair.weight, 1, nan, 2);
        patch(p, pair.weight, 5, nan, 1);
        const VerifyReport report = verifyOrFail(p);
        const TensorVerification* t = entry(report, pair.weight);
        QVERIFY(t);
        QCOMPARE(t->nan, std::uint64_t{3});
        QVERIFY(t->roundTrip.done);
        QCOMPARE(t->roundTrip.codesChanged, std::uint64_t{0});
        QCOMPARE(t->roundTrip.mismatched, std::uint64_t{0});
    }

    void referenceOfDequantizedCopy()
    {
        const std::string p = demo(Family::DeepseekV3);
        const std::string ref = path("reference");
        if (!fs::exists(ref)) {
            auto c = openOrFail(p);
            PlanOptions po;
            po.target = Layout::Hf;
            auto plan = buildPlan(*c, po);
            QVERIFY(plan.ok());
            auto cpu = backend();
            QVERIFY(executePlan(*c, *plan, {ref, false, cpu.get(), nullptr}).ok());
        }
        auto reference = openOrFail(ref);
        const VerifyReport r = verifyOrFail(p, reference.get());
        QCOMPARE(r.verdict, Verdict::Pass);
        for (const auto& t : r.tensors) {
            QVERIFY(t.hasReference);
            QCOMPARE(t.reference.maxAbs, 0.0);
            QCOMPARE(t.reference.cosine(), 1.0);
            QVERIFY(std::isinf(t.reference.snrDb()));
            QCOMPARE(t.cpuCuda, CpuCudaCheck::NotRun);
        }
    }

    void pairingProblemFails()
    {
        const std::string dir = path("noscale");
        fs::create_directories(dir);
        std::vector<std::byte> codes(16, std::byte{0x38});  // e4m3 1.0
        auto w = SafetensorsWriter::create(dir + "/model.safetensors", {{"layer.weight", DType::F8_E4M3, {4, 4}}},
                                           {{"format", "pt"}});
        QVERIFY(w.ok());
        QVERIFY((*w)->append(codes).ok());
        QVERIFY((*w)->finish().ok());
        const VerifyReport r = verifyOrFail(dir);
        QCOMPARE(r.verdict, Verdict::Fail);
        QVERIFY(entry(r, "layer.weight"));
        QCOMPARE(entry(r, "layer.weight")->verdict, Verdict::Fail);
    }

    void cpuVsCuda()
    {
        if (cudaDeviceCount() == 0) QSKIP("SKIP: no CUDA device");
        auto cuda = backend(DeviceChoice::Cuda);
        const VerifyReport r = verifyOrFail(demo(Family::DeepseekV4), nullptr, cuda.get());
        for (const auto& t : r.tensors) {
            QCOMPARE(t.cpuCuda, CpuCudaCheck::Equal);
            QCOMPARE(t.cpuCudaMismatches, std::uint64_t{0});
        }
        QCOMPARE(r.verdict, Verdict::Pass);
    }
};

QTEST_GUILESS_MAIN(TestVerify)
#include "tst_verify.moc"
