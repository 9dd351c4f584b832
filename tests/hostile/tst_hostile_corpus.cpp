// The hostile-input corpus (tests/hostile, written by make_corpus.py): every case opened through
// the API that reads it first, and through the CLI, must give its one expected error kind, name
// the file (and the tensor where there is one), and never crash. Rows come from expected.json,
// so a case added to the generator is tested without touching this file.
#include "support/test_support.h"

#include "core/checkpoint/checkpoint.h"
#include "core/plan/conversion_plan.h"
#include "core/safetensors/safetensors_file.h"
#include "core/safetensors/safetensors_header.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace ckpt;
using ckpt::test::ProcessResult;
using ckpt::test::runProcess;

namespace {

const QString kCorpus = QStringLiteral(CKPT_SOURCE_DIR "/tests/hostile");

QJsonObject expectedCases()
{
    QFile f(kCorpus + "/expected.json");
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

ProcessResult cli(const QStringList& args) { return runProcess(QStringLiteral(CKPT_CLI_PATH), args, 60000); }

QString describe(const Error& e) { return QString::fromStdString(e.toString()); }

// The message of a QVERIFY2 is evaluated even when the check passes: never touch error() of a
// Result that holds a value.
template <typename T>
QString errorOf(const Result<T>& r) { return r.ok() ? QString() : describe(r.error()); }

} // namespace

class TestHostileCorpus : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void corpus_data();
    void corpus();

private:
    void checkError(const Error& e, const QString& code, const QString& tensor, const QString& path);
    void checkFile(const QString& path, const QString& code, const QString& tensor);
    void checkPlanCase(const QString& path, const QString& code, const QString& tensor, int mapExit);
};

void TestHostileCorpus::initTestCase()
{
    QVERIFY2(expectedCases().size() >= 40, "tests/hostile/expected.json is missing or short");
}

void TestHostileCorpus::corpus_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("openWith");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<int>("mapExit");
    const QJsonObject cases = expectedCases();
    for (auto it = cases.begin(); it != cases.end(); ++it) {
        const QJsonObject c = it.value().toObject();
        QTest::newRow(qPrintable(it.key()))
            << kCorpus + "/" + c["path"].toString() << c["open_with"].toString() << c["code"].toString()
            << c["tensor"].toString() << c["map_exit"].toInt(1);
    }
}

// The error kind, the file (inside the case: a folder case names the shard, index or config
// at fault) and, where the case has one, the tensor.
void TestHostileCorpus::checkError(const Error& e, const QString& code, const QString& tensor,
                                   const QString& path)
{
    QCOMPARE(QString::fromUtf8(errorCodeName(e.code).data(), qsizetype(errorCodeName(e.code).size())), code);
    const QString file = QString::fromStdString(e.file);
    QVERIFY2(!file.isEmpty() && QFileInfo(file).absoluteFilePath().startsWith(QFileInfo(path).absoluteFilePath()),
             qPrintable("the error does not name the case's file: " + describe(e)));
    if (!tensor.isEmpty()) QCOMPARE(QString::fromStdString(e.tensor), tensor);
    QVERIFY2(!e.message.empty(), qPrintable(describe(e)));
}

// One .safetensors file: the header-only read, the mapped open and a checkpoint open of the file
// must agree on the error.
void TestHostileCorpus::checkFile(const QString& path, const QString& code, const QString& tensor)
{
    const std::string p = path.toStdString();
    auto header = readSafetensorsHeader(p);
    QVERIFY2(!header.ok(), "readSafetensorsHeader accepted it");
    checkError(header.error(), code, tensor, path);
    auto mapped = SafetensorsFile::open(p);
    QVERIFY2(!mapped.ok(), "SafetensorsFile::open accepted it");
    checkError(mapped.error(), code, tensor, path);
    auto checkpoint = Checkpoint::open(p);
    QVERIFY2(!checkpoint.ok(), "Checkpoint::open accepted it");
    checkError(checkpoint.error(), code, tensor, path);
}

// Opens fine; the quant pairing reports the problem; the plan refuses (or, for a config that
// contradicts the tensors, warns and trusts the tensors).
void TestHostileCorpus::checkPlanCase(const QString& path, const QString& code, const QString& tensor,
                                      int mapExit)
{
    auto checkpoint = Checkpoint::open(path.toStdString());
    QVERIFY2(checkpoint.ok(), qPrintable(errorOf(checkpoint)));
    const auto& problems = (*checkpoint)->quant().problems;
    QCOMPARE(problems.size(), std::size_t(1));
    checkError(problems.front(), code, tensor, path);
    auto plan = buildPlan(**checkpoint, PlanOptions{});
    const QString tag = "[" + code + "]";
    if (mapExit == 1) {
        QVERIFY2(!plan.ok(), "buildPlan accepted it");
        checkError(plan.error(), code, tensor, path);
    } else {
        QVERIFY2(plan.ok(), qPrintable(errorOf(plan)));
        QCOMPARE(plan->warnings.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(plan->warnings.front()).contains(tag));
    }
    const ProcessResult map = cli({"map", path});
    QVERIFY2(map.exitCode == mapExit, qPrintable(QString("map exit %1: %2").arg(map.exitCode).arg(QString::fromUtf8(map.err))));
    const QString said = QString::fromUtf8(map.out + map.err);
    QVERIFY2(said.contains(tag) && said.contains(tensor), qPrintable(said.left(2000)));
}

void TestHostileCorpus::corpus()
{
    QFETCH(QString, path);
    QFETCH(QString, openWith);
    QFETCH(QString, code);
    QFETCH(QString, tensor);
    QFETCH(int, mapExit);
    QVERIFY2(QFileInfo::exists(path), qPrintable(path + " is missing: run tests/hostile/make_corpus.py"));

    if (openWith == "file") {
        checkFile(path, code, tensor);
        if (QTest::currentTestFailed()) return;
    } else if (openWith == "checkpoint") {
        auto checkpoint = Checkpoint::open(path.toStdString());
        QVERIFY2(!checkpoint.ok(), "Checkpoint::open accepted it");
        checkError(checkpoint.error(), code, tensor, path);
    } else {
        QCOMPARE(openWith, QStringLiteral("plan"));
        checkPlanCase(path, code, tensor, mapExit);
        if (QTest::currentTestFailed()) return;
    }

    // The CLI: a clean exit (never a signal: runProcess gives -1 for a crash), 1 for input that
    // cannot be opened; plan-level problems are findings that inspect lists and exits 0 on.
    const ProcessResult inspect = cli({"inspect", path});
    const QString said = QString::fromUtf8(inspect.out + inspect.err);
    QVERIFY2(inspect.exitCode == (openWith == "plan" ? 0 : 1),
             qPrintable(QString("inspect exit %1: %2").arg(inspect.exitCode).arg(said.left(2000))));
    QVERIFY2(said.contains("[" + code + "]"), qPrintable(said.left(2000)));
    if (openWith != "plan") {
        const QString leaf = QFileInfo(path).fileName();
        QVERIFY2(QString::fromUtf8(inspect.err).contains(leaf), qPrintable(QString::fromUtf8(inspect.err)));
    }
    const ProcessResult json = cli({"inspect", path, "--json"});
    QVERIFY2(json.exitCode == inspect.exitCode, qPrintable(QString::fromUtf8(json.err)));
}

QTEST_GUILESS_MAIN(TestHostileCorpus)
#include "tst_hostile_corpus.moc"
