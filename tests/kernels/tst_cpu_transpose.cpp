// CpuBackend::transpose against an element-by-element reference: every element size, shapes
// that are and are not multiples of the tile (one cache line per row) and of the 256-element
// task block, row pitches that are multiples of 4 KiB (the expert matrices' case), a wider
// output stride (a transpose written into the columns of a concatenation), outputs on and off a
// 64-byte boundary above and below the streaming threshold (non-temporal stores take aligned
// lines only), 1 and 7 threads, and the argument checks. CTest runs it again with
// CKPT_CPU_SCALAR=1 and CKPT_CPU_ISA=avx2 for the scalar and SSE2 tiles.

#include "kernels/cpu/avx2_kernels.h"
#include "kernels/cpu/avx512_kernels.h"
#include "kernels/cpu/cpu_backend.h"

#include <QtTest>

#include <cstring>
#include <vector>

using namespace ckpt;

namespace {

// Distinct bytes everywhere, so a misplaced element or a swapped byte inside one shows.
std::vector<std::uint8_t> patterned(std::size_t n)
{
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = 0x9e3779b9u;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return v;
}

std::vector<std::uint8_t> reference(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t> out,
                                    std::uint64_t rows, std::uint64_t cols, std::uint32_t es, std::uint64_t stride)
{
    for (std::uint64_t r = 0; r < rows; ++r)
        for (std::uint64_t c = 0; c < cols; ++c)
            std::memcpy(out.data() + (c * stride + r) * es, in.data() + (r * cols + c) * es, es);
    return out;
}

} // namespace

class TestCpuTranspose : public QObject {
    Q_OBJECT
    CpuBackend m_one{1}, m_many{7};

private slots:
    void initTestCase();
    void matchesReference_data();
    void matchesReference();
    void rejectsBadArguments_data();
    void rejectsBadArguments();
};

void TestCpuTranspose::initTestCase()
{
    const char* isa = cpu::avx512::available() ? "AVX-512" : cpu::avx2::available() ? "SSE2" : "scalar";
    qInfo("transpose tiles under test: %s", isa);
    // The cache-sized threshold can be hundreds of MiB; the experts below straddle this one.
    qputenv("CKPT_CPU_STREAM_MIN_BYTES", QByteArray::number(qulonglong(cpu::avx2::kStreamMinBytes)));
    QCOMPARE(cpu::avx2::streamMinBytes(), cpu::avx2::kStreamMinBytes);
}

void TestCpuTranspose::matchesReference_data()
{
    QTest::addColumn<quint64>("rows");
    QTest::addColumn<quint64>("cols");
    QTest::addColumn<quint32>("elementBytes");
    QTest::addColumn<quint64>("extraStride");  // output stride = rows + this
    QTest::addColumn<quint32>("outOffset");    // bytes past a 64-byte boundary
    QTest::newRow("bf16 expert 2048x7168 (4 KiB output pitch)") << 2048ull << 7168ull << 2u << 0ull << 0u;
    QTest::newRow("bf16 expert 2048x7168, output off a line") << 2048ull << 7168ull << 2u << 0ull << 2u;
    QTest::newRow("bf16 expert 2048x7168, output off 32 bytes") << 2048ull << 7168ull << 2u << 0ull << 32u;
    QTest::newRow("bf16 2048x1024 streamed into a concat, stride 4096") << 2048ull << 1024ull << 2u << 2048ull << 0u;
    QTest::newRow("u8 fp8 expert 2048x7168 streamed") << 2048ull << 7168ull << 1u << 0ull << 0u;
    QTest::newRow("f32 1024x2048 streamed") << 1024ull << 2048ull << 4u << 0ull << 0u;
    QTest::newRow("f64 1024x1024 streamed") << 1024ull << 1024ull << 8u << 0ull << 0u;
    QTest::newRow("bf16 expert 7168x2048 (4 KiB input pitch)") << 7168ull << 2048ull << 2u << 0ull << 0u;
    QTest::newRow("bf16 odd 37x1001") << 37ull << 1001ull << 2u << 0ull << 0u;
    QTest::newRow("bf16 block edges 257x513") << 257ull << 513ull << 2u << 0ull << 0u;
    QTest::newRow("bf16 one row") << 1ull << 300ull << 2u << 0ull << 0u;
    QTest::newRow("bf16 one column") << 300ull << 1ull << 2u << 0ull << 0u;
    QTest::newRow("bf16 into a concat 64x96, stride 128") << 64ull << 96ull << 2u << 64ull << 0u;
    QTest::newRow("bf16 into a concat 100x70, stride 203") << 100ull << 70ull << 2u << 103ull << 0u;
    QTest::newRow("f32 512x384") << 512ull << 384ull << 4u << 0ull << 0u;
    QTest::newRow("f32 odd 33x47, stride 80") << 33ull << 47ull << 4u << 47ull << 0u;
    QTest::newRow("u8 300x200") << 300ull << 200ull << 1u << 0ull << 0u;
    QTest::newRow("u8 odd 65x129, stride 70") << 65ull << 129ull << 1u << 5ull << 0u;
    QTest::newRow("f64 130x70") << 130ull << 70ull << 8u << 0ull << 0u;
    QTest::newRow("f64 odd 9x17, stride 12") << 9ull << 17ull << 8u << 3ull << 0u;
}

void TestCpuTranspose::matchesReference()
{
    QFETCH(quint64, rows);
    QFETCH(quint64, cols);
    QFETCH(quint32, elementBytes);
    QFETCH(quint64, extraStride);
    QFETCH(quint32, outOffset);
    const std::uint64_t stride = rows + extraStride;
    const auto in = patterned(rows * cols * elementBytes);
    // Bytes the transpose must not touch (the other columns of a concat) keep their pattern.
    const auto untouched = patterned(cols * stride * elementBytes + 7);
    const auto want = reference(in, untouched, rows, cols, elementBytes, stride);
    for (CpuBackend* backend : {&m_one, &m_many}) {
        std::vector<std::uint8_t> room(untouched.size() + 64 + outOffset);
        std::uint8_t* out = room.data() + (64 - reinterpret_cast<std::uintptr_t>(room.data()) % 64) % 64 + outOffset;
        std::memcpy(out, untouched.data(), untouched.size());
        const Status st = backend->transpose({.in = in.data(), .out = out, .rows = rows, .cols = cols,
                                              .elementBytes = elementBytes,
                                              .outStride = extraStride ? stride : 0});
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        QVERIFY2(std::memcmp(out, want.data(), want.size()) == 0, qPrintable(QStringLiteral("%1 threads").arg(backend->threadCount())));
    }
}

void TestCpuTranspose::rejectsBadArguments_data()
{
    QTest::addColumn<quint32>("elementBytes");
    QTest::addColumn<quint64>("outStride");
    QTest::addColumn<bool>("nullOut");
    QTest::newRow("3-byte elements") << 3u << 0ull << false;
    QTest::newRow("stride below rows") << 2u << 7ull << false;
    QTest::newRow("null output") << 2u << 0ull << true;
}

void TestCpuTranspose::rejectsBadArguments()
{
    QFETCH(quint32, elementBytes);
    QFETCH(quint64, outStride);
    QFETCH(bool, nullOut);
    std::vector<std::uint8_t> in(8 * 4 * 8), out(in.size(), 0xab);
    const Status st = m_many.transpose({.in = in.data(), .out = nullOut ? nullptr : out.data(), .rows = 8, .cols = 4,
                                        .elementBytes = elementBytes, .outStride = outStride});
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, ErrorCode::InvalidArgument);
    QVERIFY(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0xab; }));
}

QTEST_GUILESS_MAIN(TestCpuTranspose)
#include "tst_cpu_transpose.moc"
