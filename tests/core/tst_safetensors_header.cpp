// In-memory header parsing and serialisation: the valid-but-unusual inputs a strict parser must
// still accept (escapes, unsorted keys, zero-size tensors, whitespace), and the exact text the
// serialiser produces.

#include "core/safetensors/safetensors_header.h"

#include <QTest>

using namespace ckpt;

namespace {

Result<SafetensorsHeader> parse(const std::string& json, std::uint64_t dataBytes)
{
    return parseSafetensorsHeader(json, 8 + json.size() + dataBytes, DataCheck::Full, "mem");
}

QStringList summary(const SafetensorsHeader& h)
{
    QStringList out;
    for (const TensorEntry& t : h.tensors)
        out << QStringLiteral("%1:%2:%3-%4")
                   .arg(QString::fromStdString(t.name), QString::fromLatin1(dtypeName(t.dtype)))
                   .arg(t.begin)
                   .arg(t.end);
    return out;
}

} // namespace

class TestSafetensorsHeader : public QObject {
    Q_OBJECT

private slots:
    void accepted_data();
    void accepted();
    void escapedNames();
    void serializeExactText();
    void serializeRoundTripsAwkwardNames();
    void headerPastFileSize();
};

void TestSafetensorsHeader::accepted_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<int>("dataBytes");
    QTest::addColumn<QStringList>("tensors");  // in data_offsets order
    QTest::addColumn<bool>("hasMetadata");
    QTest::newRow("no tensors") << "{}" << 0 << QStringList{} << false;
    QTest::newRow("empty metadata") << R"({"__metadata__":{}})" << 0 << QStringList{} << true;
    QTest::newRow("trailing JSON whitespace")
        << "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}} \n\t\r  " << 2
        << QStringList{"a:U8:0-2"} << false;
    QTest::newRow("whitespace between tokens")
        << "{ \"a\" : { \"shape\" : [ 1 , 2 ] ,\n \"data_offsets\":[ 0 , 4 ] , "
           "\"dtype\" : \"F16\" } }"
        << 4 << QStringList{"a:F16:0-4"} << false;
    QTest::newRow("keys not in offset order, metadata last")
        << R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]},)"
           R"("a":{"dtype":"BF16","shape":[],"data_offsets":[0,2]},"__metadata__":{"x":"y"}})"
        << 6 << QStringList{"a:BF16:0-2", "b:F32:2-6"} << true;
    QTest::newRow("zero-size tensors share offsets")
        << R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
           R"("z2":{"dtype":"F16","shape":[0,3],"data_offsets":[4,4]},)"
           R"("z1":{"dtype":"I64","shape":[4294967296,0],"data_offsets":[0,0]},)"
           R"("e":{"dtype":"U8","shape":[0],"data_offsets":[4,4]}})"
        << 4 << QStringList{"z1:I64:0-0", "w:F32:0-4", "e:U8:4-4", "z2:F16:4-4"} << false;
    QTest::newRow("F4 even element count")
        << R"({"q":{"dtype":"F4","shape":[3,2],"data_offsets":[0,3]}})" << 3
        << QStringList{"q:F4:0-3"} << false;
    QTest::newRow("every F8 kind")
        << R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]},)"
           R"("b":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[1,2]},)"
           R"("c":{"dtype":"F8_E8M0","shape":[1],"data_offsets":[2,3]}})"
        << 3 << QStringList{"a:F8_E4M3:0-1", "b:F8_E5M2:1-2", "c:F8_E8M0:2-3"} << false;
}

void TestSafetensorsHeader::accepted()
{
    QFETCH(QString, json);
    QFETCH(int, dataBytes);
    QFETCH(QStringList, tensors);
    QFETCH(bool, hasMetadata);
    auto h = parse(json.toStdString(), std::uint64_t(dataBytes));
    QVERIFY2(h.ok(), h.ok() ? "" : h.error().toString().c_str());
    QCOMPARE(summary(*h), tensors);
    QCOMPARE(h->hasMetadata, hasMetadata);
    QCOMPARE(h->dataLength, std::uint64_t(dataBytes));
    QCOMPARE(h->headerLength, std::uint64_t(json.toUtf8().size()));
}

void TestSafetensorsHeader::escapedNames()
{
    const std::string json = R"({"__metadata__":{"k\"ey":"v\\al\/ue\u0001"},)"
                             R"("a\u00e9\ud83d\ude00\n\t":{"dtype":"U8","shape":[1],)"
                             R"("data_offsets":[0,1]}})";
    auto h = parse(json, 1);
    QVERIFY2(h.ok(), h.ok() ? "" : h.error().toString().c_str());
    QCOMPARE(h->tensors[0].name, std::string("a\xc3\xa9\xf0\x9f\x98\x80\n\t"));
    QCOMPARE(h->metadata.at("k\"ey"), std::string("v\\al/ue\x01"));
    QVERIFY(h->find("a\xc3\xa9\xf0\x9f\x98\x80\n\t"));
}

void TestSafetensorsHeader::serializeExactText()
{
    const std::vector<TensorEntry> tensors{{"b", DType::BF16, {2, 3}, 0, 12},
                                           {"s", DType::F32, {}, 12, 16}};
    const std::string json = serializeSafetensorsHeader(tensors, {{"format", "pt"}});
    const std::string body =
        R"({"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[2,3],)"
        R"("data_offsets":[0,12]},"s":{"dtype":"F32","shape":[],"data_offsets":[12,16]}})";
    QCOMPARE(json.substr(0, body.size()), body);
    QCOMPARE(json.size(), body.size() + (8 - (8 + body.size()) % 8) % 8);
    QVERIFY(json.find_first_not_of(' ', body.size()) == std::string::npos);
    QCOMPARE(serializeSafetensorsHeader({}, {}), std::string("{}      "));
}

void TestSafetensorsHeader::serializeRoundTripsAwkwardNames()
{
    std::vector<TensorEntry> tensors;
    std::uint64_t offset = 0;
    for (const std::string& name : {std::string("quote\"back\\slash"), std::string("ctl\x01\x1f\b"),
                                   std::string("unicode \xe2\x82\xac\xf0\x9f\x98\x80"),
                                   std::string("__metadata"), std::string("")}) {
        tensors.push_back({name, DType::I16, {3}, offset, offset + 6});
        offset += 6;
    }
    const std::map<std::string, std::string> metadata{{"\n", "\"\\/"}, {"format", "pt"}};
    const std::string json = serializeSafetensorsHeader(tensors, metadata);
    auto h = parse(json, offset);
    QVERIFY2(h.ok(), h.ok() ? "" : h.error().toString().c_str());
    QCOMPARE(h->metadata, metadata);
    QCOMPARE(h->tensors.size(), tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        QCOMPARE(h->tensors[i].name, tensors[i].name);
        QCOMPARE(h->tensors[i].shape, tensors[i].shape);
    }
}

void TestSafetensorsHeader::headerPastFileSize()
{
    const std::string json = "{}";
    auto h = parseSafetensorsHeader(json, 5, DataCheck::Full, "short.safetensors");
    QVERIFY(!h.ok());
    QCOMPARE(errorCodeName(h.error().code), errorCodeName(ErrorCode::HeaderPastEof));
    QCOMPARE(h.error().file, std::string("short.safetensors"));
    QVERIFY(parseSafetensorsHeader(json, 5, DataCheck::HeaderOnly, "short.safetensors").ok());
}

QTEST_GUILESS_MAIN(TestSafetensorsHeader)
#include "tst_safetensors_header.moc"
