// core/diff/difference_histogram: the histogram of A - B against counts worked out by hand
// (dtypes mixed, NaN/inf, integers widened), chunk boundaries of a tensor larger than one
// streaming chunk, error rows naming file and tensor, and cancellation.

#include "core/checkpoint/checkpoint.h"
#include "core/diff/difference_histogram.h"
#include "kernels/kernel_factory.h"
#include "ui/checkpoint_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace ckpt;
using namespace ckpt::test;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::byte> encode(DType dtype, const std::vector<double>& values)
{
    std::vector<std::byte> out;
    for (double v : values) {
        if (dtype == DType::F32) {
            const auto b = toBytes(std::vector<float>{static_cast<float>(v)});
            out.insert(out.end(), b.begin(), b.end());
        } else if (dtype == DType::BF16) {  // test values are exact in bf16: truncation is exact
            const float f = static_cast<float>(v);
            std::uint32_t bits;
            std::memcpy(&bits, &f, 4);
            out.push_back(static_cast<std::byte>((bits >> 16) & 0xff));
            out.push_back(static_cast<std::byte>(bits >> 24));
        } else {
            const auto b = toBytes(std::vector<std::int32_t>{static_cast<std::int32_t>(v)});
            out.insert(out.end(), b.begin(), b.end());
        }
    }
    return out;
}

struct Side {
    DType dtype;
    std::vector<double> values;
};

std::unique_ptr<KernelBackend> cpu()
{
    auto b = createKernelBackend(DeviceChoice::Cpu, 2);
    if (!b) qFatal("no CPU backend");
    return std::move(*b);
}

} // namespace

Q_DECLARE_METATYPE(Side)

class TstDifferenceHistogram : public QObject {
    Q_OBJECT
private slots:
    void knownCounts_data();
    void knownCounts();
    void acrossChunks();
    void errors_data();
    void errors();
    void cancelled();

private:
    std::shared_ptr<const Checkpoint> write(const QString& name, const std::vector<FixtureTensor>& tensors);
    QTemporaryDir m_dir;
    int m_files = 0;
};

std::shared_ptr<const Checkpoint> TstDifferenceHistogram::write(const QString& name,
                                                                const std::vector<FixtureTensor>& tensors)
{
    const std::string path = m_dir.filePath(name + QString::number(++m_files) + ".safetensors").toStdString();
    if (!writeSafetensors(path, tensors)) return nullptr;
    auto c = Checkpoint::open(path);
    if (!c) qWarning("%s", c.error().toString().c_str());
    return c ? *c : nullptr;
}

void TstDifferenceHistogram::knownCounts_data()
{
    QTest::addColumn<Side>("a");
    QTest::addColumn<Side>("b");
    QTest::addColumn<int>("bins");
    QTest::addColumn<QList<quint64>>("counts");
    QTest::addColumn<QList<quint64>>("zerosNanInf");
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");

    // Equal tensors: every difference is 0, the range is a unit interval around it.
    QTest::newRow("identical F32") << Side{DType::F32, {1, 2, 3, 4}} << Side{DType::F32, {1, 2, 3, 4}} << 4
                                   << QList<quint64>{0, 0, 4, 0} << QList<quint64>{4, 0, 0} << -0.5 << 0.5;
    // 0..4 in 4 unit bins: the maximum falls in the last bin.
    QTest::newRow("F32 ramp") << Side{DType::F32, {0, 1, 2, 3, 4}} << Side{DType::F32, {0, 0, 0, 0, 0}} << 4
                              << QList<quint64>{1, 1, 1, 2} << QList<quint64>{1, 0, 0} << 0.0 << 4.0;
    // A - B, not B - A: negative differences where B is larger.
    QTest::newRow("BF16 minus F32") << Side{DType::BF16, {1.5, -2, 0.25}} << Side{DType::F32, {1, 0, 0.25}} << 2
                                    << QList<quint64>{1, 2} << QList<quint64>{1, 0, 0} << -2.0 << 0.5;
    // NaN on one side and inf - inf are NaN; inf - finite is inf; neither sets the range.
    QTest::newRow("NaN and inf") << Side{DType::F32, {kNaN, kInf, 1, kInf, 3}}
                                 << Side{DType::F32, {0, 0, 1, kInf, 1}} << 2 << QList<quint64>{1, 1}
                                 << QList<quint64>{1, 2, 1} << 0.0 << 2.0;
    // Integers are widened exactly (token id tables, expert maps).
    QTest::newRow("I32 widened") << Side{DType::I32, {10, -5, 7}} << Side{DType::I32, {0, 5, 7}} << 2
                                 << QList<quint64>{1, 2} << QList<quint64>{1, 0, 0} << -10.0 << 10.0;
}

void TstDifferenceHistogram::knownCounts()
{
    QFETCH(Side, a);
    QFETCH(Side, b);
    QFETCH(int, bins);
    QFETCH(QList<quint64>, counts);
    QFETCH(QList<quint64>, zerosNanInf);
    QFETCH(double, lo);
    QFETCH(double, hi);
    const std::vector<std::uint64_t> shape{a.values.size()};
    auto ca = write("a", {{"layer.w", a.dtype, shape, encode(a.dtype, a.values)}});
    auto cb = write("b", {{"layer.w", b.dtype, shape, encode(b.dtype, b.values)}});
    QVERIFY(ca && cb);
    auto backend = cpu();
    auto h = differenceHistogram(*ca, *cb, {"layer.w", static_cast<std::uint32_t>(bins)}, *backend, nullptr);
    QVERIFY2(h.ok(), h.ok() ? "" : h.error().toString().c_str());
    QCOMPARE(h->tensor, std::string("layer.w"));
    QCOMPARE(h->via, std::string("values"));
    QCOMPARE(h->count, quint64(a.values.size()));
    QCOMPARE(QList<quint64>(h->histogram.counts.begin(), h->histogram.counts.end()), counts);
    QCOMPARE(h->histogram.zeros, zerosNanInf[0]);
    QCOMPARE(h->histogram.nan, zerosNanInf[1]);
    QCOMPARE(h->histogram.inf, zerosNanInf[2]);
    QCOMPARE(h->histogram.spec.lo, lo);
    QCOMPARE(h->histogram.spec.hi, hi);
}

// A tensor of more than one chunk: the range pass and the counting pass must both see the
// elements past the first chunk (the extremes are placed there).
void TstDifferenceHistogram::acrossChunks()
{
    const std::uint64_t n = kDifferenceChunkElements + 5;
    std::vector<float> va(n), vb(n, 0.0f);
    for (std::uint64_t i = 0; i < n; ++i) va[i] = static_cast<float>(i % 4);  // differences 0..3
    va[n - 1] = 8.0f;                                                          // max in the tail
    va[n - 2] = 0.0f;
    vb[n - 2] = 4.0f;                                                          // min -4 in the tail
    auto ca = write("big", {{"big", DType::F32, {n}, toBytes(va)}});
    auto cb = write("big", {{"big", DType::F32, {n}, toBytes(vb)}});
    QVERIFY(ca && cb);
    auto backend = cpu();
    SimpleJobContext job;
    auto h = differenceHistogram(*ca, *cb, {"big", 12}, *backend, &job);
    QVERIFY2(h.ok(), h.ok() ? "" : h.error().toString().c_str());
    QCOMPARE(h->min, -4.0);
    QCOMPARE(h->max, 8.0);
    // 12 unit bins over [-4, 8]: bin k holds differences in [k - 4, k - 3).
    std::vector<std::uint64_t> expected(12, 0);
    for (std::uint64_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(va[i]) - static_cast<double>(vb[i]);
        ++expected[std::min<std::size_t>(11, static_cast<std::size_t>(d + 4))];
    }
    QCOMPARE(h->histogram.counts, expected);
    QCOMPARE(job.done(), n);
    QCOMPARE(job.total(), n);
}

void TstDifferenceHistogram::errors_data()
{
    QTest::addColumn<QString>("tensorB");
    QTest::addColumn<quint64>("lengthB");
    QTest::addColumn<int>("bins");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing in B") << "other.w" << quint64(4) << 8 << "no such tensor in checkpoint B";
    QTest::newRow("shape mismatch") << "layer.w" << quint64(5) << 8 << "shapes differ";
    QTest::newRow("zero bins") << "layer.w" << quint64(4) << 0 << "bin count";
}

void TstDifferenceHistogram::errors()
{
    QFETCH(QString, tensorB);
    QFETCH(quint64, lengthB);
    QFETCH(int, bins);
    QFETCH(QString, message);
    auto ca = write("a", {{"layer.w", DType::F32, {4}, encode(DType::F32, {1, 2, 3, 4})}});
    auto cb = write("b", {{tensorB.toStdString(), DType::F32, {lengthB},
                           encode(DType::F32, std::vector<double>(lengthB, 1.0))}});
    QVERIFY(ca && cb);
    auto backend = cpu();
    auto h = differenceHistogram(*ca, *cb, {"layer.w", static_cast<std::uint32_t>(bins)}, *backend, nullptr);
    QVERIFY(!h.ok());
    const QString text = QString::fromStdString(h.error().toString());
    QVERIFY2(text.contains(message), qPrintable(text));
    if (bins > 0) {
        QCOMPARE(h.error().tensor, std::string("layer.w"));
        QVERIFY2(!h.error().file.empty(), qPrintable(text));
    }
}

void TstDifferenceHistogram::cancelled()
{
    auto ca = write("a", {{"w", DType::F32, {3}, encode(DType::F32, {1, 2, 3})}});
    auto cb = write("b", {{"w", DType::F32, {3}, encode(DType::F32, {1, 2, 4})}});
    QVERIFY(ca && cb);
    auto backend = cpu();
    SimpleJobContext job;
    job.cancel();
    auto h = differenceHistogram(*ca, *cb, {"w", 8}, *backend, &job);
    QVERIFY(!h.ok());
    QCOMPARE(h.error().code, ErrorCode::Cancelled);
}

QTEST_GUILESS_MAIN(TstDifferenceHistogram)
#include "tst_difference_histogram.moc"
