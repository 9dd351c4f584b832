// core/diff: key sets, shape/dtype mismatches, value metrics (checked against numpy), tolerances,
// a single flipped byte, dequantized comparison and HF vs native through the plan (--map) for
// every demo family.

#include "core/checkpoint/checkpoint.h"
#include "core/convert/plan_executor.h"
#include "core/demo/demo_checkpoint.h"
#include "core/diff/checkpoint_diff.h"
#include "core/safetensors/safetensors_writer.h"
#include "kernels/kernel_factory.h"
#include "support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ckpt;

namespace {

struct Tensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;
    std::vector<float> values;  // written as F32 or converted to BF16 (truncation is fine here)
};

std::vector<std::byte> encode(const Tensor& t)
{
    std::vector<std::byte> out;
    for (float v : t.values) {
        std::uint32_t bits;
        std::memcpy(&bits, &v, 4);
        if (t.dtype == DType::BF16) {
            const auto hi = static_cast<std::uint16_t>(bits >> 16);
            out.push_back(static_cast<std::byte>(hi & 0xff));
            out.push_back(static_cast<std::byte>(hi >> 8));
        } else {
            for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((bits >> (8 * i)) & 0xff));
        }
    }
    return out;
}

void writeFile(const std::string& path, const std::vector<Tensor>& tensors)
{
    std::vector<DeclaredTensor> declared;
    for (const auto& t : tensors) declared.push_back({t.name, t.dtype, t.shape});
    auto w = SafetensorsWriter::create(path, declared, {{"format", "pt"}});
    QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
    for (const auto& t : tensors) QVERIFY((*w)->append(encode(t)).ok());
    QVERIFY((*w)->finish().ok());
}

std::shared_ptr<const Checkpoint> openOrFail(const std::string& path)
{
    auto c = Checkpoint::open(path);
    if (!c) qFatal("cannot open %s: %s", path.c_str(), c.error().toString().c_str());
    return *c;
}

std::unique_ptr<KernelBackend> cpu()
{
    auto b = createKernelBackend(DeviceChoice::Cpu, 2);
    if (!b) qFatal("no CPU backend");
    return std::move(*b);
}

DiffReport diffOrFail(const std::string& a, const std::string& b, DiffOptions options = {})
{
    auto backend = cpu();
    auto r = diffCheckpoints(*openOrFail(a), *openOrFail(b), options, *backend, nullptr);
    if (!r) qFatal("diff failed: %s", r.error().toString().c_str());
    return *r;
}

// XORs one byte in the middle of `tensor`'s data, in whichever shard holds it.
void flipByte(const std::string& folder, const std::string& tensor)
{
    auto c = openOrFail(folder);
    const TensorRef* t = c->find(tensor);
    QVERIFY2(t, tensor.c_str());
    std::fstream f(c->fileOf(*t), std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(t->offset + t->nbytes / 2);
    char byte = 0;
    f.seekg(at);
    f.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    f.seekp(at);
    f.write(&byte, 1);
}

const TensorRef* firstOf(const Checkpoint& c, DType dtype, bool scale)
{
    for (const auto& t : c.tensors())
        if (t.dtype == dtype && c.quant().isScale(t.name) == scale && t.nbytes >= 4) return &t;
    return nullptr;
}

} // namespace

class TestDiff : public QObject {
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
    std::string convert(const std::string& src, const std::string& name, Layout to)
    {
        const std::string dst = path(name);
        if (fs::exists(dst)) return dst;
        auto c = openOrFail(src);
        PlanOptions po;
        po.target = to;
        auto plan = buildPlan(*c, po);
        if (!plan) qFatal("plan: %s", plan.error().toString().c_str());
        auto backend = cpu();
        auto r = executePlan(*c, *plan, {dst, false, backend.get(), nullptr});
        if (!r) qFatal("convert: %s", r.error().toString().c_str());
        return dst;
    }

private slots:
    void identical_data()
    {
        QTest::addColumn<int>("family");
        for (Family f : {Family::DeepseekV3, Family::DeepseekV4, Family::Gemma4Moe, Family::Step3p5})
            QTest::newRow(std::string(familyName(f)).c_str()) << static_cast<int>(f);
    }
    void identical()
    {
        QFETCH(int, family);
        const std::string a = demo(static_cast<Family>(family));
        const std::string b = copyOf(a, "copy");
        const DiffReport r = diffOrFail(a, b);
        QVERIFY(r.identical);
        QVERIFY(r.differences.empty());
        QVERIFY(r.onlyInA.empty() && r.onlyInB.empty());
        QCOMPARE(r.compared, static_cast<std::uint64_t>(openOrFail(a)->tensors().size()));
    }

    void flippedByte_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<bool>("scale");
        QTest::newRow("BF16 tensor") << static_cast<int>(DType::BF16) << false;
        QTest::newRow("FP8 weight") << static_cast<int>(DType::F8_E4M3) << false;
        QTest::newRow("F32 scale") << static_cast<int>(DType::F32) << true;
    }
    void flippedByte()
    {
        QFETCH(int, dtype);
        QFETCH(bool, scale);
        const std::string a = demo(Family::DeepseekV3);
        const std::string b = copyOf(a, "flipped");
        auto source = openOrFail(a);
        const TensorRef* t = firstOf(*source, static_cast<DType>(dtype), scale);
        QVERIFY(t);
        const std::string name = t->name;
        flipByte(b, name);
        const DiffReport r = diffOrFail(a, b);
        QVERIFY(!r.identical);
        QCOMPARE(r.differences.size(), std::size_t{1});
        QCOMPARE(r.differences[0].name, name);
        QCOMPARE(r.differences[0].kind, DiffKind::Values);
        QCOMPARE(r.differences[0].metrics.overTolerance, std::uint64_t{1});
        QVERIFY(r.differences[0].maxAbs() > 0);
    }

    void structure_data()
    {
        QTest::addColumn<QString>("expect");  // "shape", "dtype", "only_in_a", "only_in_b"
        QTest::newRow("shape [2,3] vs [3,2]") << "shape";
        QTest::newRow("dtype BF16 vs F32") << "dtype";
        QTest::newRow("only in A") << "only_in_a";
        QTest::newRow("only in B") << "only_in_b";
    }
    void structure()
    {
        QFETCH(QString, expect);
        const std::vector<float> six{1, 2, 3, 4, 5, 6};
        std::vector<Tensor> ta{{"same", DType::F32, {6}, six}}, tb = ta;
        if (expect == "shape") {
            ta.push_back({"t", DType::F32, {2, 3}, six});
            tb.push_back({"t", DType::F32, {3, 2}, six});
        } else if (expect == "dtype") {
            ta.push_back({"t", DType::BF16, {6}, six});
            tb.push_back({"t", DType::F32, {6}, six});
        } else if (expect == "only_in_a") {
            ta.push_back({"t", DType::F32, {6}, six});
        } else {
            tb.push_back({"t", DType::F32, {6}, six});
        }
        const std::string dir = path("structure-" + expect.toStdString());
        fs::create_directories(dir + "/a");
        fs::create_directories(dir + "/b");
        writeFile(dir + "/a/model.safetensors", ta);
        writeFile(dir + "/b/model.safetensors", tb);
        const DiffReport r = diffOrFail(dir + "/a", dir + "/b");
        QVERIFY(!r.identical);
        if (expect == "only_in_a") {
            QCOMPARE(r.onlyInA, std::vector<std::string>{"t"});
            QVERIFY(r.differences.empty());
        } else if (expect == "only_in_b") {
            QCOMPARE(r.onlyInB, std::vector<std::string>{"t"});
            QVERIFY(r.differences.empty());
        } else {
            QCOMPARE(r.differences.size(), std::size_t{1});
            QCOMPARE(r.differences[0].name, std::string("t"));
            QCOMPARE(QString::fromUtf8(diffKindName(r.differences[0].kind).data()), expect);
        }
    }

    void tolerance_data()
    {
        QTest::addColumn<double>("atol");
        QTest::addColumn<double>("rtol");
        QTest::addColumn<int>("over");
        // A = [1, 2, 3, 4], B = [1.25, 2, 3, 4.5]: errors 0.25 (|a| 1) and 0.5 (|a| 4).
        QTest::newRow("exact") << 0.0 << 0.0 << 2;
        QTest::newRow("atol 0.3") << 0.3 << 0.0 << 1;
        QTest::newRow("atol 0.5") << 0.5 << 0.0 << 0;
        QTest::newRow("rtol 0.2") << 0.0 << 0.2 << 1;   // 0.25 > 0.2, 0.5 <= 0.8
        QTest::newRow("rtol 0.25") << 0.0 << 0.25 << 0;
        QTest::newRow("atol 0.1 + rtol 0.1") << 0.1 << 0.1 << 1;  // 0.25 > 0.2, 0.5 <= 0.5
    }
    void tolerance()
    {
        QFETCH(double, atol);
        QFETCH(double, rtol);
        QFETCH(int, over);
        const std::string dir = path("tolerance");
        if (!fs::exists(dir)) {
            fs::create_directories(dir + "/a");
            fs::create_directories(dir + "/b");
            writeFile(dir + "/a/model.safetensors", {{"t", DType::F32, {4}, {1, 2, 3, 4}}});
            writeFile(dir + "/b/model.safetensors", {{"t", DType::F32, {4}, {1.25f, 2, 3, 4.5f}}});
        }
        const DiffReport r = diffOrFail(dir + "/a", dir + "/b", {atol, rtol, false, true});
        QCOMPARE(r.tensors.size(), std::size_t{1});
        QCOMPARE(r.tensors[0].metrics.overTolerance, static_cast<std::uint64_t>(over));
        QCOMPARE(r.identical, over == 0);
        QCOMPARE(r.tensors[0].maxAbs(), 0.5);
    }

    void metricsAgainstNumpy()
    {
        if (!test::pythonReferenceAvailable()) QSKIP("SKIP: python with numpy not available");
        std::vector<float> x(1000), y(1000);
        for (std::size_t i = 0; i < x.size(); ++i) {
            x[i] = std::sin(0.37f * static_cast<float>(i)) * 3.0f;
            y[i] = x[i] + 0.01f * std::cos(1.3f * static_cast<float>(i)) - (i % 97 == 0 ? 0.5f : 0.0f);
        }
        const std::string dir = path("numpy");
        fs::create_directories(dir + "/a");
        fs::create_directories(dir + "/b");
        writeFile(dir + "/a/model.safetensors", {{"t", DType::F32, {10, 100}, x}});
        writeFile(dir + "/b/model.safetensors", {{"t", DType::F32, {10, 100}, y}});
        const DiffReport r = diffOrFail(dir + "/a", dir + "/b");
        QCOMPARE(r.differences.size(), std::size_t{1});
        const TensorDiff& d = r.differences[0];
        auto py = test::runPython(QStringLiteral(
            "import sys, numpy as np\nfrom safetensors.numpy import load_file\n"
            "a = load_file(sys.argv[1])['t'].astype(np.float64)\nb = load_file(sys.argv[2])['t'].astype(np.float64)\n"
            "e = a - b\nprint(np.abs(e).max(), np.sqrt((e*e).mean()), (a*b).sum()/np.sqrt((a*a).sum()*(b*b).sum()),"
            " np.sqrt((e*e).sum()/(a*a).sum()))\n"),
            {QString::fromStdString(dir + "/a/model.safetensors"), QString::fromStdString(dir + "/b/model.safetensors")});
        QVERIFY2(py.exitCode == 0, py.err.constData());
        const auto parts = QString::fromUtf8(py.out).split(' ', Qt::SkipEmptyParts);
        QCOMPARE(parts.size(), 4);
        QVERIFY(std::abs(d.maxAbs() - parts[0].toDouble()) <= 1e-12 * parts[0].toDouble());
        QVERIFY(std::abs(d.rmse() - parts[1].toDouble()) <= 1e-9 * parts[1].toDouble());
        QVERIFY(std::abs(d.cosine() - parts[2].toDouble()) <= 1e-12);
        QVERIFY(std::abs(d.relativeError() - parts[3].toDouble()) <= 1e-9 * parts[3].toDouble());
    }

    void mapClean_data()
    {
        QTest::addColumn<int>("family");
        for (Family f : {Family::DeepseekV3, Family::DeepseekV4, Family::Gemma4Moe, Family::Step3p5})
            QTest::newRow(std::string(familyName(f)).c_str()) << static_cast<int>(f);
    }
    void mapClean()
    {
        QFETCH(int, family);
        const Family f = static_cast<Family>(family);
        const std::string hf = demo(f);
        const std::string native = convert(hf, "native-" + std::string(familyName(f)), Layout::Native);
        const DiffReport r = diffOrFail(hf, native, {0, 0, true, false});
        QVERIFY2(r.identical, r.differences.empty() ? (r.onlyInA.empty() ? "only in B" : r.onlyInA[0].c_str())
                                                   : r.differences[0].name.c_str());
        QCOMPARE(r.compared, static_cast<std::uint64_t>(openOrFail(native)->tensors().size()));
        // Without --map the key sets differ (HF vs native names).
        QVERIFY(!diffOrFail(hf, native).identical);
    }

    void mapFindsDifference()
    {
        const std::string hf = demo(Family::DeepseekV3);
        const std::string native = copyOf(convert(hf, "native-deepseek_v3", Layout::Native), "native-flipped");
        auto c = openOrFail(native);
        std::string stacked;
        for (const auto& t : c->tensors())
            if (t.name.find("gate_and_up_projs") != std::string::npos) { stacked = t.name; break; }
        QVERIFY(!stacked.empty());
        flipByte(native, stacked);
        const DiffReport r = diffOrFail(hf, native, {0, 0, true, false});
        QCOMPARE(r.differences.size(), std::size_t{1});
        QCOMPARE(r.differences[0].name, stacked);
        QCOMPARE(r.differences[0].metrics.overTolerance, std::uint64_t{1});
        QVERIFY(r.differences[0].cosine() < 1.0 && r.differences[0].cosine() > 0.99);
    }

    void dequantizedSide()
    {
        // FP8 HF vs its BF16 HF export: compared through dequantization, scales not "only in A".
        const std::string hf = demo(Family::DeepseekV3);
        const std::string bf16 = convert(hf, "hf-bf16", Layout::Hf);
        const DiffReport r = diffOrFail(hf, bf16);
        QVERIFY2(r.identical, r.onlyInA.empty() ? "differences" : r.onlyInA[0].c_str());
        const DiffReport back = diffOrFail(bf16, hf);
        QVERIFY(back.identical);
    }

    void cancelled()
    {
        const std::string a = demo(Family::DeepseekV3);
        SimpleJobContext job;
        job.cancel();
        auto backend = cpu();
        auto r = diffCheckpoints(*openOrFail(a), *openOrFail(a), {}, *backend, &job);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "tst_diff.moc"
