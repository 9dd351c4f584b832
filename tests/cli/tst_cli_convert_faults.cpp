// convert under faults: kill -9 then --resume (byte-identical result), SIGINT/SIGTERM
// cancellation, refused destinations, a full disk, and the memory bound.
#include "cli/convert_fixture.h"

#include <QProcess>
#include <csignal>

using namespace ckpt::test;

class TestCliConvertFaults : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void killAndResume_data();
    void killAndResume();
    void cancelLeavesNoPartialFile_data();
    void cancelLeavesNoPartialFile();
    void refusedDestinations_data();
    void refusedDestinations();
    void fullDisk();
    void peakMemoryBounded();

private:
    int finishedShards(const QString& dst) const;
    bool startAndWaitForShards(QProcess& p, const QString& dst, int shards);
    QTemporaryDir m_dir;
    QString m_src, m_reference;
    const QStringList m_opts{"--max-shard-size", "256KB", "--threads", "1"};
};

void TestCliConvertFaults::initTestCase()
{
    QVERIFY(pythonReferenceAvailable());
    m_src = m_dir.filePath("v3");
    auto r = cli({"demo", m_src, "--family", "deepseek_v3", "--size", "small"});
    CKPT_VERIFY_RUN(r, 0);
    m_reference = m_dir.filePath("reference");
    r = cli(QStringList{"convert", m_src, m_reference, "--json"} + m_opts);
    CKPT_VERIFY_RUN(r, 0);
    QVERIFY2(jsonOf(r)["shards"].toArray().size() >= 8, "the fault tests need many shards");
}

int TestCliConvertFaults::finishedShards(const QString& dst) const
{
    QFile f(dst + "/.ckptscope-convert.json");
    if (!f.open(QIODevice::ReadOnly)) return 0;
    return QJsonDocument::fromJson(f.readAll()).object()["finished"].toArray().size();
}

bool TestCliConvertFaults::startAndWaitForShards(QProcess& p, const QString& dst, int shards)
{
    p.start(QStringLiteral(CKPT_CLI_PATH), QStringList{"convert", m_src, dst} + m_opts);
    if (!p.waitForStarted()) return false;
    QElapsedTimer t;
    t.start();
    while (finishedShards(dst) < shards && p.state() == QProcess::Running && t.elapsed() < 120000)
        QThread::msleep(2);
    return p.state() == QProcess::Running;
}

void TestCliConvertFaults::killAndResume_data()
{
    QTest::addColumn<int>("afterShards");
    QTest::newRow("kill -9 after 1 shard") << 1;
    QTest::newRow("kill -9 after 3 shards") << 3;
    QTest::newRow("kill -9 after 6 shards") << 6;
}

void TestCliConvertFaults::killAndResume()
{
    QFETCH(int, afterShards);
    const QString dst = m_dir.filePath(QStringLiteral("killed-%1").arg(afterShards));
    QProcess p;
    const bool interrupted = startAndWaitForShards(p, dst, afterShards);
    ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
    p.waitForFinished();
    if (!interrupted) QSKIP("the conversion finished before it could be killed");
    QVERIFY(!QFile::exists(dst + "/model.safetensors.index.json"));  // not a loadable checkpoint
    auto half = cli({"inspect", dst});  // and not mistaken for one
    CKPT_VERIFY_RUN(half, 1);
    QVERIFY2(half.err.contains("unfinished ckptscope conversion"), half.err.constData());
    // Without --resume the half-written folder is refused, not overwritten.
    CKPT_VERIFY_RUN(cli(QStringList{"convert", m_src, dst} + m_opts), 1);
    auto r = cli(QStringList{"convert", m_src, dst, "--resume", "--json"} + m_opts);
    CKPT_VERIFY_RUN(r, 0);
    QVERIFY(jsonOf(r)["shards_reused"].toInt() >= afterShards);
    CKPT_VERIFY_RUN(runCheck("check_same.py", {m_reference, dst}), 0);
    for (const QString& f : filesIn(dst)) QVERIFY2(!f.endsWith(".ckpt-partial"), qPrintable(f));
}

void TestCliConvertFaults::cancelLeavesNoPartialFile_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("Ctrl-C") << int(SIGINT);
    QTest::newRow("SIGTERM") << int(SIGTERM);
}

void TestCliConvertFaults::cancelLeavesNoPartialFile()
{
    QFETCH(int, signal);
    const QString dst = m_dir.filePath(QStringLiteral("cancel-%1").arg(signal));
    QProcess p;
    const bool interrupted = startAndWaitForShards(p, dst, 2);
    ::kill(static_cast<pid_t>(p.processId()), signal);
    QVERIFY(p.waitForFinished(60000));
    if (!interrupted) QSKIP("the conversion finished before it could be cancelled");
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(p.readAllStandardError().contains("cancelled"));
    for (const QString& f : filesIn(dst)) QVERIFY2(!f.endsWith(".ckpt-partial"), qPrintable(f));
    QVERIFY(!QFile::exists(dst + "/model.safetensors.index.json"));
    CKPT_VERIFY_RUN(cli(QStringList{"convert", m_src, dst, "--resume"} + m_opts), 0);
    CKPT_VERIFY_RUN(runCheck("check_same.py", {m_reference, dst}), 0);
}

void TestCliConvertFaults::refusedDestinations_data()
{
    QTest::addColumn<QString>("dst");
    QTest::addColumn<QString>("message");
    QTest::newRow("DST == SRC") << "v3" << "is the source";
    QTest::newRow("DST inside SRC") << "v3/out" << "inside the source";
    QTest::newRow("non-empty DST") << "reference" << "not empty";
}

void TestCliConvertFaults::refusedDestinations()
{
    QFETCH(QString, dst);
    QFETCH(QString, message);
    const QStringList before = filesIn(m_src) + filesIn(m_reference);
    auto r = cli({"convert", m_src, m_dir.filePath(dst)});
    CKPT_VERIFY_RUN(r, 1);
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    QCOMPARE(filesIn(m_src) + filesIn(m_reference), before);
    QVERIFY(!QDir(m_src + "/out").exists());
    CKPT_VERIFY_RUN(runCheck("check_same.py", {m_reference, m_reference}), 0);
}

void TestCliConvertFaults::fullDisk()
{
    const QString mnt = m_dir.filePath("small-disk");
    QDir().mkpath(mnt);
    auto mount = runProcess("mount", {"-t", "tmpfs", "-o", "size=1500k", "tmpfs", mnt});
    if (mount.exitCode != 0) QSKIP("SKIP: cannot mount a small tmpfs here (needs root in a mount namespace)");
    auto r = cli(QStringList{"convert", m_src, mnt + "/out"} + m_opts);
    const QStringList left = filesIn(mnt + "/out");
    runProcess("umount", {mnt});
    CKPT_VERIFY_RUN(r, 1);
    QVERIFY2(r.err.contains("[disk_full]") && r.err.toLower().contains("no space left"), r.err.constData());
    QVERIFY2(r.err.contains(".safetensors"), r.err.constData());  // names the file
    for (const QString& f : left) QVERIFY2(!f.endsWith(".ckpt-partial"), qPrintable(f));
}

void TestCliConvertFaults::peakMemoryBounded()
{
    // Peak RSS <= 3 x the largest unit in flight + 256 MiB, whatever the checkpoint size: a unit is
    // an output tensor, or one expert's slab of a stacked output (the executor streams those).
    auto plan = cli({"map", m_src, "--to", "native", "--json"});
    CKPT_VERIFY_RUN(plan, 0);
    qint64 largest = 0;
    for (const auto& value : jsonOf(plan)["outputs"].toArray()) {
        const QJsonObject o = value.toObject();
        qint64 unit = o["nbytes"].toInteger();
        const QJsonArray ops = o["ops"].toArray();
        if (!ops.isEmpty() && ops.last().toString().startsWith("stack "))
            unit /= std::max<qint64>(1, o["shape"].toArray().first().toInteger());
        largest = std::max(largest, unit);
    }
    auto r = cli({"convert", m_src, m_dir.filePath("rss"), "--to", "native", "--json"});
    CKPT_VERIFY_RUN(r, 0);
    const qint64 peak = jsonOf(r)["peak_rss_bytes"].toInteger();
    qInfo("peak RSS %lld bytes, largest output %lld bytes, total %lld bytes", peak, largest,
          jsonOf(r)["total_bytes"].toInteger());
    QVERIFY(peak > 0);
    QVERIFY(peak <= 3 * largest + (256ll << 20));
}

QTEST_GUILESS_MAIN(TestCliConvertFaults)
#include "tst_cli_convert_faults.moc"
