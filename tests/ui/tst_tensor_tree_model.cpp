// TensorTree + TensorTreeModel: structure (expert collapse, numeric order, VLM prefixes) as an
// indented dump, model invariants through QAbstractItemModelTester, columns and roles.

#include "synthetic_tensors.h"
#include "ui/models/model_dump.h"
#include "ui/models/tensor_tree_builder.h"
#include "ui/models/tensor_tree_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ckpt;
using namespace ckpt::ui;
using Column = TensorTreeModel::Column;

class TstTensorTreeModel : public QObject {
    Q_OBJECT
private slots:
    void dump_data();
    void dump();
    void columns();
    void roles();
    void nameOrder();
    void modelTester();
    void resetOnNewTree();
    void cancelledBuild();
    void largeTree();
};

void TstTensorTreeModel::dump_data()
{
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QString>("expected");

    QTest::newRow("V3 experts collapse")
        << QStringList{"model.layers.3.mlp.experts.1.down_proj.weight",
                       "model.layers.3.mlp.experts.0.down_proj.weight",
                       "model.layers.3.mlp.experts.0.down_proj.weight_scale_inv",
                       "model.layers.3.mlp.experts.10.down_proj.weight",
                       "model.layers.3.mlp.experts.2.down_proj.weight",
                       "model.layers.3.mlp.gate.weight", "lm_head.weight"}
        << QStringLiteral("lm_head\n"
                          "  weight\n"
                          "model\n"
                          "  layers (1)\n"
                          "    3\n"
                          "      mlp\n"
                          "        experts (4)\n"
                          "          0\n"
                          "            down_proj\n"
                          "              weight\n"
                          "              weight_scale_inv\n"
                          "          1\n            down_proj\n              weight\n"
                          "          2\n            down_proj\n              weight\n"
                          "          10\n            down_proj\n              weight\n"
                          "        gate\n"
                          "          weight\n");
    QTest::newRow("layers 2 < 10")
        << QStringList{"model.layers.10.w", "model.layers.2.w", "model.layers.1.w", "model.norm.weight"}
        << QStringLiteral("model\n  layers (3)\n    1\n      w\n    2\n      w\n    10\n      w\n"
                          "  norm\n    weight\n");
    QTest::newRow("Gemma4 VLM prefixes")
        << QStringList{"model.vision_tower.encoder.layers.0.mlp.fc1.weight",
                       "model.language_model.layers.1.experts.gate_up_proj",
                       "model.language_model.layers.0.experts.down_proj",
                       "model.embed_vision.embedding_projection.weight"}
        << QStringLiteral("model\n"
                          "  embed_vision\n    embedding_projection\n      weight\n"
                          "  language_model\n    layers (2)\n"
                          "      0\n        experts\n          down_proj\n"
                          "      1\n        experts\n          gate_up_proj\n"
                          "  vision_tower\n    encoder\n      layers (1)\n        0\n"
                          "          mlp\n            fc1\n              weight\n");
    QTest::newRow("tensor that is also a prefix, duplicate")
        << QStringList{"a.b.c", "a.b", "a.b"}
        << QStringLiteral("a\n  b\n  b\n    c\n");
}

void TstTensorTreeModel::dump()
{
    QFETCH(QStringList, names);
    QFETCH(QString, expected);
    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames(names));
    QCOMPARE(dumpItemModel(model, {int(Column::Name)}), expected);
}

void TstTensorTreeModel::columns()
{
    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames({"model.layers.0.mlp.experts.0.w",
                                          "model.layers.0.mlp.experts.0.w_scale_inv",
                                          "model.norm.weight"}));
    const QString f1 = QStringLiteral("model-00001-of-00002.safetensors");
    const QString f2 = QStringLiteral("model-00002-of-00002.safetensors");
    // Groups show the dtype and shard only when every tensor below shares it.
    const QString expected = QStringLiteral("model |  |  | 28 bytes | \n"
                                            "  layers (1) |  |  | 12 bytes | \n"
                                            "    0 |  |  | 12 bytes | \n"
                                            "      mlp |  |  | 12 bytes | \n"
                                            "        experts (1) |  |  | 12 bytes | \n"
                                            "          0 |  |  | 12 bytes | \n"
                                            "            w | F8_E4M3 | [4, 2] | 8 bytes | ")
        + f2 + QStringLiteral("\n            w_scale_inv | F32 | [1, 1] | 4 bytes | ") + f1
        + QStringLiteral("\n  norm | BF16 |  | 16 bytes | ") + f1
        + QStringLiteral("\n    weight | BF16 | [4, 2] | 16 bytes | ") + f1 + QStringLiteral("\n");
    const QList<int> all{int(Column::Name), int(Column::DType), int(Column::Shape),
                         int(Column::Size), int(Column::Shard)};
    QCOMPARE(dumpItemModel(model, all), expected);
}

void TstTensorTreeModel::roles()
{
    const QStringList names{"model.layers.0.mlp.experts.7.up_proj.weight", "model.norm.weight"};
    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames(names));
    const auto tree = model.tree();
    for (std::uint32_t t = 0; t < tree->tensors().size(); ++t) {
        const QModelIndex index = model.indexForTensor(t);
        QVERIFY(index.isValid());
        QCOMPARE(index.data(int(TensorTreeModel::Role::TensorIndex)).toUInt(), t);
        QCOMPARE(index.data(int(TensorTreeModel::Role::FullName)).toString(), names[int(t)]);
        QCOMPARE(index.data(Qt::ToolTipRole).toString(), names[int(t)]);
        QCOMPARE(index.data(int(TensorTreeModel::Role::SizeBytes)).toULongLong(),
                 tree->tensors()[t].nbytes);
        QCOMPARE(model.nodeId(index), tree->nodeOfTensor(t));
        QCOMPARE(tree->findTensor(names[int(t)].toStdString()), std::optional<std::uint32_t>(t));
    }
    const QModelIndex group = model.parent(model.indexForTensor(0));
    QCOMPARE(group.data().toString(), QStringLiteral("up_proj"));
    QVERIFY(!group.data(int(TensorTreeModel::Role::TensorIndex)).isValid());
    QCOMPARE(group.data(int(TensorTreeModel::Role::FullName)).toString(),
             QStringLiteral("model.layers.0.mlp.experts.7.up_proj"));
    QCOMPARE(tree->findTensor("model.layers.0"), std::nullopt);
}

void TstTensorTreeModel::nameOrder()
{
    QVERIFY(TensorTreeBuilder::nameLess("layers.2.w", "layers.10.w"));
    QVERIFY(!TensorTreeBuilder::nameLess("layers.10.w", "layers.2.w"));
    QVERIFY(TensorTreeBuilder::nameLess("a.b", "a.b.c"));         // a name before its extensions
    QVERIFY(TensorTreeBuilder::nameLess("a.9", "a.b"));           // numbers before words
    QVERIFY(TensorTreeBuilder::nameLess("x.99999999999999999999", "x.100000000000000000000"));
    QVERIFY(!TensorTreeBuilder::nameLess("a.b", "a.b"));
    QVERIFY(TensorTreeBuilder::isNumber("017"));
    QVERIFY(!TensorTreeBuilder::isNumber(""));
    QVERIFY(!TensorTreeBuilder::isNumber("1a"));
}

void TstTensorTreeModel::modelTester()
{
    TensorTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.UI_setTree(test::treeFromNames(test::v3LikeNames(3, 8)));
    QVERIFY(model.rowCount() > 0);
    model.UI_setTree(nullptr);
    QCOMPARE(model.rowCount(), 0);
    model.UI_setTree(test::treeFromNames({"single"}));
    QCOMPARE(model.rowCount(), 1);
}

void TstTensorTreeModel::resetOnNewTree()
{
    TensorTreeModel model;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.UI_setTree(test::treeFromNames({"a.x", "b.y"}));
    model.UI_setTree(test::treeFromNames({"c.z"}));
    QCOMPARE(resets.count(), 2);
    QCOMPARE(dumpItemModel(model, {int(Column::Name)}), QStringLiteral("c\n  z\n"));
}

void TstTensorTreeModel::cancelledBuild()
{
    SimpleJobContext job;
    job.cancel();
    auto tree = TensorTree::build(test::refsFromNames({"a.b"}), {}, &job);
    QVERIFY(!tree.ok());
    QCOMPARE(tree.error().code, ErrorCode::Cancelled);
}

void TstTensorTreeModel::largeTree()
{
    const QStringList names = test::v3LikeNames(61);
    const auto tree = test::treeFromNames(names);
    QVERIFY(tree);
    QCOMPARE(tree->root().tensorCount, std::uint32_t(names.size()));
    TensorTreeModel model;
    model.UI_setTree(tree);
    const auto t = tree->findTensor("model.layers.60.mlp.experts.255.down_proj.weight_scale_inv");
    QVERIFY(t);
    const QModelIndex experts = model.parent(model.parent(model.parent(model.indexForTensor(*t))));
    QCOMPARE(experts.data().toString(), QStringLiteral("experts (256)"));
    QCOMPARE(model.rowCount(experts), 256);
    QCOMPARE(model.index(255, 0, experts).data().toString(), QStringLiteral("255"));
}

QTEST_GUILESS_MAIN(TstTensorTreeModel)
#include "tst_tensor_tree_model.moc"
