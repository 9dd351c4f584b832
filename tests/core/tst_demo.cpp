// The demo generator: each family's tiny checkpoint opens with the expected family, layout,
// sharding, quant pairs and key set; its quantized weights dequantize to the distribution they
// were drawn from; Python's official safetensors reads every shard.

#include "core/checkpoint/checkpoint.h"
#include "core/demo/demo_checkpoint.h"
#include "core/numeric/bf16.h"
#include "core/numeric/e8m0.h"
#include "core/numeric/fp4_e2m1.h"
#include "core/numeric/fp8_e4m3.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ckpt;

Q_DECLARE_METATYPE(ckpt::Family)

namespace {

struct Moments {
    double mean = 0, stddev = 0;
};

Moments moments(const std::vector<float>& v)
{
    double sum = 0, sq = 0;
    for (float x : v) sum += x;
    const double mean = sum / double(v.size());
    for (float x : v) sq += (x - mean) * (x - mean);
    return {mean, std::sqrt(sq / double(v.size()))};
}

float scaleValue(const std::byte* p, DType dtype, std::size_t i)
{
    if (dtype == DType::F8_E8M0) return numeric::e8m0ToF32(std::uint8_t(p[i]));
    if (dtype == DType::BF16) {
        std::uint16_t b;
        std::memcpy(&b, p + 2 * i, 2);
        return numeric::bf16ToF32(b);
    }
    float f;
    std::memcpy(&f, p + 4 * i, 4);
    return f;
}

// Dequantizes a paired weight with the scalar codecs (reference maths, deepseek-v3.md §3 and
// deepseek-v4.md §6.3).
std::vector<float> dequantize(const Checkpoint& c, const QuantPair& pair)
{
    const TensorRef* w = c.find(pair.weight);
    const TensorRef* s = c.find(pair.scale);
    auto wb = c.tensorBytes(*w);
    auto sb = c.tensorBytes(*s);
    if (!wb || !sb) return {};
    const std::uint64_t rows = pair.logicalShape[0], cols = pair.logicalShape[1];
    std::vector<float> out(rows * cols);
    for (std::uint64_t r = 0; r < rows; ++r) {
        for (std::uint64_t col = 0; col < cols; ++col) {
            float v, sc;
            if (pair.scheme == QuantScheme::Fp8Block) {
                v = numeric::e4m3ToF32(std::uint8_t(wb.value()[r * cols + col]));
                sc = scaleValue(sb.value().data(), pair.scaleDtype, (r / 128) * s->shape[1] + col / 128);
            } else {
                const auto byte = std::uint8_t(wb.value()[r * (cols / 2) + col / 2]);
                v = numeric::e2m1ToF32(col % 2 == 0 ? byte & 0xf : byte >> 4);
                sc = numeric::e8m0Fp4ScaleToF32(std::uint8_t(sb.value()[r * s->shape[1] + col / 32]));
            }
            out[r * cols + col] = v * sc;
        }
    }
    return out;
}

std::vector<float> bf16Values(const Checkpoint& c, const std::string& name)
{
    const TensorRef* t = c.find(name);
    auto b = c.tensorBytes(*t);
    std::vector<float> out(t->nbytes / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint16_t h;
        std::memcpy(&h, b.value().data() + 2 * i, 2);
        out[i] = numeric::bf16ToF32(h);
    }
    return out;
}

int count(const Checkpoint& c, QuantScheme scheme)
{
    int n = 0;
    for (const auto& p : c.quant().pairs) n += p.scheme == scheme;
    return n;
}

// Pairs the family's config implies: recomputed from config.json, so it checks the config too.
std::pair<int, int> expectedPairs(Family family, const nlohmann::json& cfg)
{
    if (family == Family::DeepseekV3) {
        const int layers = cfg["num_hidden_layers"], dense = cfg["first_k_dense_replace"];
        const int experts = cfg["n_routed_experts"], mtp = cfg["num_nextn_predict_layers"];
        return {5 * (layers + mtp) + 3 * dense + (layers + mtp - dense) * (3 + 3 * experts), 0};
    }
    if (family == Family::DeepseekV4) {
        const int layers = cfg["num_hidden_layers"], experts = cfg["n_routed_experts"];
        int fp8 = 2;  // MTP e_proj, h_proj
        for (int l = 0; l <= layers; ++l) fp8 += 5 + 3 + (cfg["compress_ratios"][std::size_t(l)] == 4 ? 1 : 0);
        return {fp8, 3 * experts * (layers + 1)};
    }
    return {0, 0};
}

const char* kPythonCheck = R"PY(
import json, sys, os
import numpy as np, ml_dtypes
for n in ("bfloat16", "float8_e4m3fn", "float8_e8m0fnu"):  # numpy needs the names safetensors uses
    setattr(np, n, getattr(ml_dtypes, n))
from safetensors import safe_open
root = sys.argv[1]
index = json.load(open(os.path.join(root, "model.safetensors.index.json")))
tensors, stds = {}, []
for shard in sorted(set(index["weight_map"].values())):
    with safe_open(os.path.join(root, shard), framework="numpy") as f:
        assert f.metadata().get("format") == "pt", shard
        for k in f.keys():
            assert index["weight_map"][k] == shard, k
            tensors[k] = f.get_tensor(k)
assert len(tensors) == len(index["weight_map"])
fp4 = np.array([0, .5, 1, 1.5, 2, 3, 4, 6, 0, -.5, -1, -1.5, -2, -3, -4, -6], dtype=np.float32)
for k, w in tensors.items():
    if not k.endswith(".weight"): continue
    base = k[: -len(".weight")]
    s = tensors.get(base + ".scale", tensors.get(k + "_scale_inv"))
    if s is None: continue
    s = s.astype(np.float32)
    if w.dtype == np.int8:
        b = w.view(np.uint8)
        codes = np.stack([b & 0xF, b >> 4], axis=-1).reshape(w.shape[0], -1)
        x = fp4[codes] * np.repeat(s, 32, axis=1)[:, : codes.shape[1]]
    else:
        grid = np.repeat(np.repeat(s, 128, axis=0), 128, axis=1)[: w.shape[0], : w.shape[1]]
        x = w.astype(np.float32) * grid
    stds.append(float(x.std()))
print(json.dumps({"tensors": len(tensors), "quantized": len(stds),
                  "std_min": min(stds, default=0.0), "std_max": max(stds, default=0.0)}))
)PY";

} // namespace

class TestDemo : public QObject {
    Q_OBJECT
private slots:
    void family_data();
    void family();
    void deterministic();
    void refusesNonEmptyDestination();
    void cancelLeavesNothing();
};

void TestDemo::family_data()
{
    QTest::addColumn<Family>("fam");
    QTest::newRow("deepseek_v3 tiny") << Family::DeepseekV3;
    QTest::newRow("deepseek_v4 tiny") << Family::DeepseekV4;
    QTest::newRow("gemma4_moe tiny") << Family::Gemma4Moe;
    QTest::newRow("step3p5 tiny") << Family::Step3p5;
}

void TestDemo::family()
{
    QFETCH(Family, fam);
    QTemporaryDir tmp;
    const std::string dst = tmp.path().toStdString() + "/demo";
    Status st = writeDemoCheckpoint(dst, fam, DemoSize::Tiny);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
    auto opened = Checkpoint::open(dst);
    QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().toString().c_str());
    const Checkpoint& c = *opened.value();

    QCOMPARE(c.family(), fam);
    QCOMPARE(c.layout(), Layout::Hf);
    QVERIFY(c.files().size() >= 3);
    QVERIFY(c.hasIndex());  // open() already checked the index against every shard
    QVERIFY(c.hasConfig());
    QVERIFY(c.totalBytes() < 16u << 20);  // "a few MB"
    for (const auto& e : c.quant().problems) qWarning("%s", e.toString().c_str());
    QVERIFY(c.quant().problems.empty());
    QVERIFY(c.quant().orphanScales.empty());
    QVERIFY(c.warnings().empty());  // includes index total_size == payload
    for (const char* side : {"tokenizer_config.json", "generation_config.json", "config.json"})
        QVERIFY(fs::exists(fs::path(dst) / side));

    const auto [fp8, fp4] = expectedPairs(fam, c.config());
    QCOMPARE(count(c, QuantScheme::Fp8Block), fp8);
    QCOMPARE(count(c, QuantScheme::Fp4E2m1), fp4);

    auto has = [&](const std::string& n) { return c.find(n) != nullptr; };
    auto dtypeOf = [&](const std::string& n) { return c.find(n) ? c.find(n)->dtype : DType::C64; };
    const nlohmann::json& cfg = c.config();
    if (fam == Family::DeepseekV3) {
        const std::string mtp = "model.layers." + std::to_string(cfg["num_hidden_layers"].get<int>()) + ".";
        for (const char* k : {"embed_tokens.weight", "enorm.weight", "hnorm.weight", "eh_proj.weight",
                              "shared_head.norm.weight", "shared_head.head.weight", "mlp.experts.0.up_proj.weight"})
            QVERIFY2(has(mtp + k), (mtp + k).c_str());
        QVERIFY(has("model.layers.0.mlp.gate_proj.weight") && !has("model.layers.0.mlp.gate.weight"));
        QCOMPARE(dtypeOf("model.layers.1.mlp.gate.e_score_correction_bias"), DType::F32);
        QCOMPARE(dtypeOf("model.layers.1.mlp.gate.weight"), DType::BF16);
        QVERIFY(c.find("model.layers.0.self_attn.kv_a_proj_with_mqa.weight")->shape[0] % 128 != 0);  // edge blocks
        QCOMPARE(cfg["quantization_config"]["weight_block_size"], nlohmann::json({128, 128}));
        const QuantPair* kv = c.quant().findByWeight("model.layers.0.self_attn.kv_a_proj_with_mqa.weight");
        QVERIFY(kv);
        auto w = dequantize(c, *kv);
        const Moments m = moments(w);
        QVERIFY2(m.stddev > 0.01 && m.stddev < 0.04, qPrintable(QString::number(m.stddev)));
        // The edge block rows alone (128..) dequantize to the same distribution.
        const auto edgeStart = std::ptrdiff_t(128 * kv->logicalShape[1]);
        const Moments edge = moments(std::vector<float>(w.begin() + edgeStart, w.end()));
        QVERIFY2(edge.stddev > 0.01 && edge.stddev < 0.04, qPrintable(QString::number(edge.stddev)));
    } else if (fam == Family::DeepseekV4) {
        const int hash = cfg["num_hash_layers"];
        QVERIFY(hash > 0);
        for (int l = 0; l < int(cfg["num_hidden_layers"]); ++l) {
            const std::string p = "layers." + std::to_string(l) + ".";
            QCOMPARE(has(p + "ffn.gate.tid2eid"), l < hash);
            QCOMPARE(has(p + "ffn.gate.bias"), l >= hash);
            const int ratio = cfg["compress_ratios"][std::size_t(l)];
            QCOMPARE(has(p + "attn.compressor.wkv.weight"), ratio > 0);
            QCOMPARE(has(p + "attn.indexer.wq_b.weight"), ratio == 4);
            QVERIFY(has(p + "hc_attn_fn") && has(p + "hc_ffn_scale") && has(p + "attn.attn_sink"));
        }
        QCOMPARE(dtypeOf("layers.0.ffn.gate.tid2eid"), DType::I32);
        QCOMPARE(c.find("layers.0.ffn.gate.tid2eid")->shape,
                 (std::vector<std::uint64_t>{cfg["vocab_size"].get<std::uint64_t>(), cfg["num_experts_per_tok"].get<std::uint64_t>()}));
        for (const char* k : {"mtp.0.e_proj.weight", "mtp.0.h_proj.weight", "mtp.0.enorm.weight", "mtp.0.hnorm.weight",
                              "mtp.0.norm.weight", "mtp.0.hc_head_fn", "mtp.0.ffn.experts.0.w2.scale", "embed.weight",
                              "head.weight", "norm.weight", "hc_head_fn", "hc_head_base", "hc_head_scale"})
            QVERIFY2(has(k), k);
        for (const auto& t : c.tensors()) QVERIFY2(!t.name.starts_with("model."), t.name.c_str());
        const QuantPair* wkv = c.quant().findByWeight("layers.0.attn.wkv.weight");
        QVERIFY(wkv && wkv->scaleDtype == DType::F8_E8M0);
        const Moments m8 = moments(dequantize(c, *wkv));
        QVERIFY2(m8.stddev > 0.01 && m8.stddev < 0.04, qPrintable(QString::number(m8.stddev)));
        const Moments m4 = moments(dequantize(c, *c.quant().findByWeight("layers.3.ffn.experts.0.w1.weight")));
        QVERIFY2(m4.stddev > 0.01 && m4.stddev < 0.04, qPrintable(QString::number(m4.stddev)));
    } else if (fam == Family::Gemma4Moe) {
        QVERIFY(!has("lm_head.weight"));  // tied
        const std::string p = "model.language_model.layers.0.";
        for (const char* k : {"router.proj.weight", "router.scale", "router.per_expert_scale", "mlp.down_proj.weight"})
            QVERIFY2(has(p + k), k);
        const auto& text = cfg["text_config"];
        const std::uint64_t E = text["num_experts"], I = text["moe_intermediate_size"], H = text["hidden_size"];
        QCOMPARE(c.find(p + "experts.gate_up_proj")->shape, (std::vector<std::uint64_t>{E, 2 * I, H}));
        QCOMPARE(c.find(p + "experts.down_proj")->shape, (std::vector<std::uint64_t>{E, H, I}));
        QVERIFY(text["enable_moe_block"].get<bool>());
        const Moments m = moments(bf16Values(c, p + "experts.gate_up_proj"));
        QVERIFY2(m.stddev > 0.01 && m.stddev < 0.04, qPrintable(QString::number(m.stddev)));
    } else {
        QVERIFY(cfg["moe_layers_enum"].is_string());
        QVERIFY(has("model.layers.0.mlp.gate_proj.weight") && !has("model.layers.0.moe.gate.weight"));
        const std::uint64_t E = cfg["moe_num_experts"], I = cfg["moe_intermediate_size"], H = cfg["hidden_size"];
        QCOMPARE(c.find("model.layers.3.moe.gate_proj.weight")->shape, (std::vector<std::uint64_t>{E, I, H}));
        QCOMPARE(c.find("model.layers.3.moe.down_proj.weight")->shape, (std::vector<std::uint64_t>{E, H, I}));
        QCOMPARE(dtypeOf("model.layers.3.moe.router_bias"), DType::F32);
        QVERIFY(has("model.layers.3.share_expert.down_proj.weight") && has("lm_head.weight"));
    }

    // Python's official safetensors reads every shard and dequantizes the pairs independently.
    if (!test::pythonReferenceAvailable()) QFAIL("python3 with safetensors, numpy, ml_dtypes is required");
    auto py = test::runPython(QString::fromUtf8(kPythonCheck), {QString::fromStdString(dst)});
    QVERIFY2(py.exitCode == 0, py.err.constData());
    qInfo("python safetensors: %s", py.out.trimmed().constData());
    const QJsonObject r = QJsonDocument::fromJson(py.out).object();
    QCOMPARE(r["tensors"].toInt(), int(c.tensors().size()));
    QCOMPARE(r["quantized"].toInt(), int(c.quant().pairs.size()));
    if (!c.quant().pairs.empty()) {
        QVERIFY2(r["std_min"].toDouble() > 0.01 && r["std_max"].toDouble() < 0.04, py.out.constData());
    }
}

void TestDemo::deterministic()
{
    QTemporaryDir tmp;
    const std::string a = tmp.path().toStdString() + "/a", b = tmp.path().toStdString() + "/b";
    QVERIFY(writeDemoCheckpoint(a, Family::DeepseekV4, DemoSize::Tiny).ok());
    QVERIFY(writeDemoCheckpoint(b, Family::DeepseekV4, DemoSize::Tiny).ok());
    auto slurp = [](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    int compared = 0;
    for (const auto& entry : fs::directory_iterator(a)) {
        QVERIFY2(slurp(entry.path()) == slurp(fs::path(b) / entry.path().filename()),
                 entry.path().filename().c_str());
        ++compared;
    }
    QCOMPARE(compared, 7);  // 3 shards, index, config, generation_config, tokenizer_config
}

void TestDemo::refusesNonEmptyDestination()
{
    QTemporaryDir tmp;
    const std::string dst = tmp.path().toStdString();
    std::ofstream(dst + "/mine.txt") << "user data";
    Status st = writeDemoCheckpoint(dst, Family::Step3p5, DemoSize::Tiny);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, ErrorCode::DestinationInvalid);
    QCOMPARE(st.error().file, dst);
    QVERIFY(fs::exists(dst + "/mine.txt"));
    QCOMPARE(writeDemoCheckpoint(dst + "/x", Family::Unknown, DemoSize::Tiny).error().code, ErrorCode::InvalidArgument);
}

void TestDemo::cancelLeavesNothing()
{
    QTemporaryDir tmp;
    const std::string dst = tmp.path().toStdString() + "/demo";
    SimpleJobContext job;
    job.cancel();
    Status st = writeDemoCheckpoint(dst, Family::DeepseekV3, DemoSize::Tiny, &job);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, ErrorCode::Cancelled);
    QVERIFY(!fs::exists(dst));
}

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
