// TensorFilterProxy: substring and regex rows, no match, invalid regex, a new tree under an
// active filter, QAbstractItemModelTester while filtering, and a 100k-tensor tree.

#include "synthetic_tensors.h"
#include "ui/models/model_dump.h"
#include "ui/models/tensor_filter_proxy.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ckpt;
using namespace ckpt::ui;
using Mode = TensorFilter::Mode;

Q_DECLARE_METATYPE(ckpt::ui::TensorFilter::Mode)

namespace {

const QStringList kNames{"model.layers.0.self_attn.q_a_proj.weight",
                         "model.layers.0.self_attn.q_a_proj.weight_scale_inv",
                         "model.layers.0.mlp.experts.0.up_proj.weight",
                         "model.layers.1.mlp.experts.0.up_proj.weight",
                         "model.norm.weight",
                         "lm_head.weight"};

QString names(const QAbstractItemModel& model)
{
    return dumpItemModel(model, {int(TensorTreeModel::Column::Name)});
}

} // namespace

class TstTensorFilterProxy : public QObject {
    Q_OBJECT
private slots:
    void filterRows_data();
    void filterRows();
    void invalidRegex();
    void newTreeKeepsFilter();
    void modelTester();
    void largeTree();
};

void TstTensorFilterProxy::filterRows_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<quint32>("kept");
    QTest::addColumn<QString>("expected");

    QTest::newRow("substring leaf") << "scale_inv" << Mode::Substring << 1u
        << "model\n  layers (2)\n    0\n      self_attn\n        q_a_proj\n          weight_scale_inv\n";
    QTest::newRow("substring ignores case") << "NORM.W" << Mode::Substring << 1u
        << "model\n  norm\n    weight\n";
    QTest::newRow("matching group shows its subtree") << "layers.0.self_attn" << Mode::Substring << 2u
        << "model\n  layers (2)\n    0\n      self_attn\n        q_a_proj\n"
           "          weight\n          weight_scale_inv\n";
    QTest::newRow("regex") << "layers\\.1\\..*up_proj\\.weight$" << Mode::Regex << 1u
        << "model\n  layers (2)\n    1\n      mlp\n        experts (1)\n          0\n"
           "            up_proj\n              weight\n";
    QTest::newRow("regex anchored at start") << "^lm_" << Mode::Regex << 1u << "lm_head\n  weight\n";
    QTest::newRow("no match") << "zzz" << Mode::Substring << 0u << "";
    QTest::newRow("regex metacharacters as substring") << "q_a_proj.weight_" << Mode::Substring << 1u
        << "model\n  layers (2)\n    0\n      self_attn\n        q_a_proj\n          weight_scale_inv\n";
}

void TstTensorFilterProxy::filterRows()
{
    QFETCH(QString, pattern);
    QFETCH(Mode, mode);
    QFETCH(quint32, kept);
    QFETCH(QString, expected);

    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames(kNames));
    TensorFilterProxy proxy;
    proxy.setTreeModel(&model);
    QSignalSpy applied(&proxy, &TensorFilterProxy::filterApplied);
    proxy.UI_setFilter(pattern, mode);
    QCOMPARE(applied.count(), 1);
    QCOMPARE(applied.at(0).at(0).toUInt(), kept);
    QVERIFY(proxy.errorString().isEmpty());
    QCOMPARE(proxy.keptTensors(), kept);
    // The row counts say "(2)" for layers: the label counts the tree's children, not the kept ones.
    QCOMPARE(names(proxy), expected);

    proxy.UI_setFilter(QString(), mode);
    QCOMPARE(names(proxy), names(model));
}

void TstTensorFilterProxy::invalidRegex()
{
    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames(kNames));
    TensorFilterProxy proxy;
    proxy.setTreeModel(&model);
    QSignalSpy applied(&proxy, &TensorFilterProxy::filterApplied);
    proxy.UI_setFilter(QStringLiteral("experts.(["), Mode::Regex);
    QCOMPARE(applied.count(), 1);
    const QString error = applied.at(0).at(1).toString();
    QVERIFY2(error.contains(QLatin1String("Invalid regular expression")), qPrintable(error));
    QCOMPARE(proxy.errorString(), error);
    QVERIFY(!proxy.isFiltering());
    QCOMPARE(names(proxy), names(model));  // an invalid pattern hides nothing

    proxy.UI_setFilter(QStringLiteral("experts.(["), Mode::Substring);  // fine as a substring
    QVERIFY(proxy.errorString().isEmpty());
    QCOMPARE(proxy.keptTensors(), 0u);
}

void TstTensorFilterProxy::newTreeKeepsFilter()
{
    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames(kNames));
    TensorFilterProxy proxy;
    proxy.setTreeModel(&model);
    proxy.UI_setFilter(QStringLiteral("norm"), Mode::Substring);
    model.UI_setTree(test::treeFromNames({"a.norm", "a.other", "b.layernorm.weight", "c"}));
    QCOMPARE(names(proxy), QStringLiteral("a\n  norm\nb\n  layernorm\n    weight\n"));
    QCOMPARE(proxy.keptTensors(), 2u);
}

void TstTensorFilterProxy::modelTester()
{
    TensorTreeModel model;
    TensorFilterProxy proxy;
    proxy.setTreeModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.UI_setTree(test::treeFromNames(test::v3LikeNames(2, 4)));
    for (const char* pattern : {"experts.3", "weight_scale_inv", "", "nothing-matches"})
        proxy.UI_setFilter(QString::fromLatin1(pattern), Mode::Substring);
    proxy.UI_setFilter(QStringLiteral("layers\\.1\\..*down"), Mode::Regex);
    QVERIFY(proxy.rowCount() > 0);
    model.UI_setTree(test::treeFromNames(test::v3LikeNames(1, 2)));
    model.UI_setTree(nullptr);
    QCOMPARE(proxy.rowCount(), 0);
}

// Functional only: timings belong to bench/, not to a test that runs on a loaded CI machine.
void TstTensorFilterProxy::largeTree()
{
    const QStringList all = test::v3LikeNames(61);
    QVERIFY(all.size() > 90000);
    TensorTreeModel model;
    model.UI_setTree(test::treeFromNames(all));
    TensorFilterProxy proxy;
    proxy.setTreeModel(&model);
    proxy.UI_setFilter(QStringLiteral("experts.255.down_proj.weight_scale"), Mode::Substring);
    QCOMPARE(proxy.keptTensors(), 61u);
    proxy.UI_setFilter(QStringLiteral("layers\\.(7|42)\\.mlp\\.experts\\.1[0-9]\\.up"), Mode::Regex);
    QCOMPARE(proxy.keptTensors(), 2u * 10u * 2u);
    QCOMPARE(proxy.rowCount(), 1);  // only "model"
    proxy.UI_setFilter(QString(), Mode::Regex);
    QCOMPARE(proxy.keptTensors(), quint32(all.size()));
}

QTEST_GUILESS_MAIN(TstTensorFilterProxy)
#include "tst_tensor_filter_proxy.moc"
