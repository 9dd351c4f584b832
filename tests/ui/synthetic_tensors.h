#pragma once
// Synthetic tensor lists for the model/proxy tests: TensorRefs from names, no files needed.

#include "core/checkpoint/checkpoint.h"
#include "ui/models/tensor_tree.h"

#include <QStringList>

#include <memory>

namespace ckpt::test {

// Every tensor is BF16 [4, 2] (16 bytes) in file 0 unless the name ends in "_scale_inv"
// (F32 [1, 1]) or contains ".experts." (F8_E4M3 [4, 2], file 1).
inline std::vector<TensorRef> refsFromNames(const QStringList& names)
{
    std::vector<TensorRef> refs;
    std::uint64_t offset = 0;
    for (const QString& name : names) {
        TensorRef r;
        r.name = name.toStdString();
        r.dtype = DType::BF16;
        r.shape = {4, 2};
        if (name.endsWith(QLatin1String("_scale_inv"))) {
            r.dtype = DType::F32;
            r.shape = {1, 1};
        } else if (name.contains(QLatin1String(".experts."))) {
            r.dtype = DType::F8_E4M3;
            r.fileIndex = 1;
        }
        r.nbytes = *byteSizeFor(r.dtype, r.shape);
        r.offset = offset;
        offset += r.nbytes;
        refs.push_back(std::move(r));
    }
    return refs;
}

inline std::shared_ptr<const ui::TensorTree> treeFromNames(const QStringList& names)
{
    auto tree = ui::TensorTree::build(refsFromNames(names),
                                      {"/ckpt/model-00001-of-00002.safetensors",
                                       "/ckpt/model-00002-of-00002.safetensors"});
    return tree.ok() ? tree.value() : nullptr;
}

// A V3-sized key set: `layers` layers of 256 experts × (gate, up, down) × (weight, scale) plus
// attention and norms: layers = 61 gives about 100k tensors.
inline QStringList v3LikeNames(int layers, int experts = 256)
{
    QStringList names{QStringLiteral("model.embed_tokens.weight"), QStringLiteral("lm_head.weight"),
                      QStringLiteral("model.norm.weight")};
    for (int l = 0; l < layers; ++l) {
        const QString p = QStringLiteral("model.layers.%1.").arg(l);
        for (const char* m : {"self_attn.q_a_proj", "self_attn.kv_a_proj_with_mqa", "self_attn.o_proj"}) {
            names << p + QLatin1String(m) + QStringLiteral(".weight")
                  << p + QLatin1String(m) + QStringLiteral(".weight_scale_inv");
        }
        names << p + QStringLiteral("input_layernorm.weight") << p + QStringLiteral("mlp.gate.weight");
        for (int e = 0; e < experts; ++e) {
            for (const char* proj : {"gate_proj", "up_proj", "down_proj"}) {
                const QString base = p + QStringLiteral("mlp.experts.%1.").arg(e) + QLatin1String(proj);
                names << base + QStringLiteral(".weight") << base + QStringLiteral(".weight_scale_inv");
            }
        }
    }
    return names;
}

} // namespace ckpt::test
