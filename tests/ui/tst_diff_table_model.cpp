// DiffTableModel + DiffFilterProxy on a hand-made DiffReport: rows (differing, equal, only in
// A/B), kind texts, sorting on the Sort role for every kind of column, roles, and the proxy's
// "show equal" and name filters; QAbstractItemModelTester over the proxy.

#include "ui/models/diff_filter_proxy.h"
#include "ui/models/diff_table_model.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QTest>

#include <cmath>
#include <limits>

using namespace ckpt;
using namespace ckpt::ui;
using Column = DiffTableModel::Column;
using RowKind = DiffTableModel::RowKind;

namespace {

TensorDiff values(const std::string& name, double maxAbs, double sumSqErr, double cosineDot, bool differs)
{
    TensorDiff d;
    d.name = name;
    d.kind = DiffKind::Values;
    d.differs = differs;
    d.dtypeA = d.dtypeB = DType::BF16;
    d.shapeA = d.shapeB = {4, 4};
    d.valuesCompared = true;
    d.via = "values";
    d.metrics.count = 16;
    d.metrics.maxAbs = maxAbs;
    d.metrics.sumSqErr = sumSqErr;
    d.metrics.sumSqRef = 1.0;
    d.metrics.sumSqB = 1.0;
    d.metrics.dot = cosineDot;  // cosine = dot / sqrt(1 * 1)
    d.metrics.overTolerance = differs ? 3 : 0;
    return d;
}

// The report diffCheckpoints would give (recordAll): differences worst first, tensors by name.
std::shared_ptr<DiffReport> sampleReport()
{
    auto r = std::make_shared<DiffReport>();
    TensorDiff shape = values("m.shape", 0, 0, 1, true);
    shape.kind = DiffKind::Shape;
    shape.shapeB = {4, 5};
    shape.valuesCompared = false;
    shape.metrics = {};
    TensorDiff dtype = values("m.dtype", 0.25, 0.1, 0.9, true);
    dtype.kind = DiffKind::Dtype;
    dtype.dtypeB = DType::F32;
    const TensorDiff big = values("m.big", 2.0, 0.5, 0.5, true);
    const TensorDiff small = values("m.small", 0.5, 0.01, 0.99, true);
    TensorDiff equal = values("m.equal", 0, 0, 1, false);
    equal.bytesEqual = true;
    equal.valuesCompared = false;
    const TensorDiff within = values("m.within", 1e-4, 1e-8, 1, false);
    r->differences = {shape, dtype, big, small};
    r->tensors = {big, dtype, equal, shape, small, within};
    r->onlyInA = {"a.only"};
    r->onlyInB = {"b.only"};
    r->compared = 6;
    r->identical = false;
    return r;
}

QStringList columnOf(const QAbstractItemModel& model, int column = 0)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, column).data().toString();
    return out;
}

} // namespace

class TstDiffTableModel : public QObject {
    Q_OBJECT
private slots:
    void rows();
    void sorting_data();
    void sorting();
    void roles_data();
    void roles();
    void filters_data();
    void filters();
    void emptyReport();
};

void TstDiffTableModel::rows()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.UI_setReport(sampleReport());
    QCOMPARE(model.rowCount(), 8);
    QCOMPARE(model.columnCount(), int(Column::Count));
    QCOMPARE(model.differingRows(), 6);
    // Worst first by construction: differences in report order, equal tensors, only-in rows.
    QCOMPARE(columnOf(model), (QStringList{"m.shape", "m.dtype", "m.big", "m.small", "m.equal", "m.within",
                                           "a.only", "b.only"}));
    QCOMPARE(columnOf(model, int(Column::Kind)), (QStringList{"shape", "dtype", "values", "values", "identical",
                                                              "within tolerance", "only in A", "only in B"}));
    QCOMPARE(model.rowKind(4), RowKind::Same);
    QCOMPARE(model.rowKind(6), RowKind::OnlyInA);
    QVERIFY(model.entry(6) == nullptr);
    QCOMPARE(model.index(1, int(Column::DTypes)).data().toString(), QStringLiteral("BF16 → F32"));
    QCOMPARE(model.index(0, int(Column::Shapes)).data().toString(), QStringLiteral("[4, 4] vs [4, 5]"));
    QCOMPARE(model.index(6, int(Column::MaxAbs)).data().toString(), QString());
}

void TstDiffTableModel::sorting_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("order");
    QTest::addColumn<QStringList>("names");
    const int desc = int(Qt::DescendingOrder), asc = int(Qt::AscendingOrder);
    // Kind ranks shape > dtype > only in A > only in B > values; ties keep the model's order.
    QTest::newRow("kind, worst first") << int(Column::Kind) << desc
                                       << QStringList{"m.shape", "m.dtype", "a.only", "b.only", "m.big", "m.small"};
    // Numbers, not strings: 2 > 0.5 > 0.25; rows without metrics sort last.
    QTest::newRow("max_abs descending") << int(Column::MaxAbs) << desc
                                        << QStringList{"m.big", "m.small", "m.dtype", "m.shape", "a.only", "b.only"};
    QTest::newRow("cosine ascending") << int(Column::Cosine) << asc
                                      << QStringList{"m.shape", "a.only", "b.only", "m.big", "m.dtype", "m.small"};
    QTest::newRow("rmse descending") << int(Column::Rmse) << desc
                                     << QStringList{"m.big", "m.dtype", "m.small", "m.shape", "a.only", "b.only"};
    QTest::newRow("name ascending") << int(Column::Name) << asc
                                    << QStringList{"a.only", "b.only", "m.big", "m.dtype", "m.shape", "m.small"};
}

void TstDiffTableModel::sorting()
{
    QFETCH(int, column);
    QFETCH(int, order);
    QFETCH(QStringList, names);
    DiffTableModel model;
    DiffFilterProxy proxy;
    proxy.setTableModel(&model);
    model.UI_setReport(sampleReport());
    proxy.sort(column, Qt::SortOrder(order));
    QCOMPARE(columnOf(proxy), names);
}

void TstDiffTableModel::roles_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("role");
    QTest::addColumn<QVariant>("expected");
    const int sort = int(DiffTableModel::Role::Sort);
    const double lowest = -std::numeric_limits<double>::infinity();
    QTest::newRow("sort max_abs is a number") << 2 << int(Column::MaxAbs) << sort << QVariant(2.0);
    QTest::newRow("sort cosine is a number") << 3 << int(Column::Cosine) << sort << QVariant(0.99);
    QTest::newRow("shape mismatch max_abs sorts lowest") << 0 << int(Column::MaxAbs) << sort << QVariant(lowest);
    QTest::newRow("only-in max_abs sorts lowest") << 7 << int(Column::MaxAbs) << sort << QVariant(lowest);
    QTest::newRow("kind rank of shape") << 0 << int(Column::Kind) << sort << QVariant(6);
    QTest::newRow("kind rank of identical") << 4 << int(Column::Kind) << sort << QVariant(0);
    QTest::newRow("kind role") << 6 << 0 << int(DiffTableModel::Role::Kind) << QVariant(int(RowKind::OnlyInA));
    QTest::newRow("tensor name role") << 2 << 5 << int(DiffTableModel::Role::TensorName) << QVariant("m.big");
    QTest::newRow("numbers right aligned") << 2 << int(Column::Rmse) << int(Qt::TextAlignmentRole)
                                           << QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    QTest::newRow("differing kind in red") << 2 << int(Column::Kind) << int(Qt::ForegroundRole)
                                           << QVariant(QColor(190, 50, 40));
    QTest::newRow("equal kind in green") << 5 << int(Column::Kind) << int(Qt::ForegroundRole)
                                         << QVariant(QColor(60, 130, 60));
    QTest::newRow("max_abs text") << 3 << int(Column::MaxAbs) << int(Qt::DisplayRole) << QVariant("0.5");
    QTest::newRow("over tolerance text") << 2 << int(Column::OverTolerance) << int(Qt::DisplayRole) << QVariant("3");
}

void TstDiffTableModel::roles()
{
    QFETCH(int, row);
    QFETCH(int, column);
    QFETCH(int, role);
    QFETCH(QVariant, expected);
    DiffTableModel model;
    model.UI_setReport(sampleReport());
    const QVariant got = model.index(row, column).data(role);
    if (role == Qt::TextAlignmentRole) {
        QCOMPARE(got.value<Qt::Alignment>(), Qt::Alignment(expected.toInt()));
    } else if (expected.typeId() == QMetaType::Double) {
        QCOMPARE(got.typeId(), int(QMetaType::Double));
        QCOMPARE(got.toDouble(), expected.toDouble());
    } else if (expected.typeId() == QMetaType::QColor) {
        QCOMPARE(got.value<QColor>(), expected.value<QColor>());
    } else {
        QCOMPARE(got.toString(), expected.toString());
    }
}

void TstDiffTableModel::filters_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("regex");
    QTest::addColumn<bool>("showEqual");
    QTest::addColumn<int>("rows");
    QTest::newRow("differing rows only") << "" << false << false << 6;
    QTest::newRow("show equal tensors") << "" << false << true << 8;
    QTest::newRow("substring, case-insensitive") << "M.S" << false << false << 2;  // m.shape, m.small
    QTest::newRow("regex") << "^(a|b)\\.only$" << true << false << 2;
    QTest::newRow("regex with equal rows") << "m\\.(equal|within)" << true << true << 2;
    QTest::newRow("invalid regex filters nothing") << "([" << true << false << 6;
}

void TstDiffTableModel::filters()
{
    QFETCH(QString, pattern);
    QFETCH(bool, regex);
    QFETCH(bool, showEqual);
    QFETCH(int, rows);
    DiffTableModel model;
    DiffFilterProxy proxy;
    proxy.setTableModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.UI_setReport(sampleReport());
    proxy.UI_setShowEqual(showEqual);
    proxy.UI_setFilter(pattern, regex ? NameMatcher::Mode::Regex : NameMatcher::Mode::Substring);
    QCOMPARE(proxy.rowCount(), rows);
    QCOMPARE(proxy.errorString().isEmpty(), pattern != QLatin1String("(["));
}

void TstDiffTableModel::emptyReport()
{
    DiffTableModel model;
    model.UI_setReport(std::make_shared<DiffReport>());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.differingRows(), 0);
    model.UI_setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TstDiffTableModel)
#include "tst_diff_table_model.moc"
