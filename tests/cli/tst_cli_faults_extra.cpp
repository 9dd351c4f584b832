// convert under the faults tst_cli_convert_faults does not inject: a read-only destination
// (permission bits, and a read-only mount), a source shard deleted or truncated while the
// conversion runs (one not yet read, and one already mapped and being read), a source shard
// truncated before the run, and --resume into a folder whose journal belongs to another source.
// Each must end in a clean exit 1 (never a signal) naming the file, and leave no partial file.
#include "cli/convert_fixture.h"

#include "core/safetensors/safetensors_header.h"

#include <QJsonArray>
#include <QProcess>
#include <csignal>
#include <map>
#include <unistd.h>

using namespace ckpt::test;

class TestCliFaultsExtra : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void readOnlyDestination_data();
    void readOnlyDestination();
    void sourceShardVanishes_data();
    void sourceShardVanishes();
    void truncatedSourceBeforeRun();
    void resumeForeignJournal_data();
    void resumeForeignJournal();

private:
    QString copySource(const QString& name);
    static QStringList shardFiles(const QString& dir) { return filesIn(dir).filter(".safetensors"); }
    int finishedShards(const QString& dst) const;
    std::map<QString, std::pair<int, int>> sourceUse(const QString& src);  // file -> first/last output shard
    QTemporaryDir m_dir;
    QString m_src;
    int m_faults = 0;
    const QStringList m_opts{"--max-shard-size", "256KB", "--threads", "1"};
};

void TestCliFaultsExtra::initTestCase()
{
    // Readable by everyone: one row runs the CLI as an unprivileged user.
    QFile::setPermissions(m_dir.path(), QFile::permissions(m_dir.path()) | QFile::ReadOther | QFile::ExeOther);
    m_src = m_dir.filePath("v3");
    CKPT_VERIFY_RUN(cli({"demo", m_src, "--family", "deepseek_v3", "--size", "small"}), 0);
}

void TestCliFaultsExtra::cleanupTestCase() { qInfo("faults injected: %d", m_faults); }

QString TestCliFaultsExtra::copySource(const QString& name)
{
    const QString dst = m_dir.filePath(name);
    QDir().mkpath(dst);
    for (const QString& f : filesIn(m_src)) QFile::copy(m_src + "/" + f, dst + "/" + f);
    return dst;
}

int TestCliFaultsExtra::finishedShards(const QString& dst) const
{
    QFile f(dst + "/.ckptscope-convert.json");
    if (!f.open(QIODevice::ReadOnly)) return 0;
    return QJsonDocument::fromJson(f.readAll()).object()["finished"].toArray().size();
}

// For every source file, the first and last output shard (of the planned conversion) that reads
// one of its tensors: the executor writes output shards in order, so a file whose first use is
// late has not been opened yet early in the run.
std::map<QString, std::pair<int, int>> TestCliFaultsExtra::sourceUse(const QString& src)
{
    std::map<QString, std::pair<int, int>> use;
    QFile indexFile(src + "/model.safetensors.index.json");
    if (!indexFile.open(QIODevice::ReadOnly)) return use;
    const QJsonObject weightMap = QJsonDocument::fromJson(indexFile.readAll()).object()["weight_map"].toObject();
    const auto map = cli({"map", src, "--json", "--max-shard-size", m_opts[1]});
    for (const auto& o : jsonOf(map)["outputs"].toArray()) {
        const int shard = o.toObject()["shard"].toInt();
        for (const auto& s : o.toObject()["sources"].toArray()) {
            const QString file = weightMap[s.toString()].toString();
            auto [it, fresh] = use.try_emplace(file, shard, shard);
            it->second.first = std::min(it->second.first, shard);
            it->second.second = std::max(it->second.second, shard);
        }
    }
    return use;
}

void TestCliFaultsExtra::readOnlyDestination_data()
{
    QTest::addColumn<bool>("mount");
    QTest::newRow("chmod 0555 folder") << false;
    QTest::newRow("read-only tmpfs mount") << true;
}

void TestCliFaultsExtra::readOnlyDestination()
{
    QFETCH(bool, mount);
    const QString dst = m_dir.filePath(mount ? "ro-mount" : "ro-chmod");
    QDir().mkpath(dst);
    QString program = QStringLiteral(CKPT_CLI_PATH);
    QStringList args = QStringList{"convert", m_src, dst} + m_opts;
    if (mount) {
        if (runProcess("mount", {"-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", dst}).exitCode != 0)
            QSKIP("SKIP: cannot mount a read-only tmpfs here (needs root in a mount namespace)");
    } else {
        QVERIFY(QFile::setPermissions(dst, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup |
                                               QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
        if (::geteuid() == 0) {
            // Root ignores permission bits: run the CLI as nobody, for whom 0555 means read-only.
            args.prepend(program);
            args = QStringList{"--reuid=65534", "--regid=65534", "--clear-groups"} + args;
            program = "setpriv";
        }
    }
    ++m_faults;
    const ProcessResult r = runProcess(program, args);
    const QStringList left = filesIn(dst);
    if (mount) runProcess("umount", {dst});
    CKPT_VERIFY_RUN(r, 1);
    QVERIFY2(r.err.contains(dst.toUtf8()), r.err.constData());
    QVERIFY2(r.err.contains("ermission denied") || r.err.contains("ead-only file system"), r.err.constData());
    QVERIFY2(left.isEmpty(), qPrintable("left behind: " + left.join(", ")));
}

void TestCliFaultsExtra::sourceShardVanishes_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<bool>("alreadyRead");
    QTest::newRow("delete a shard not yet read") << "delete" << false;
    QTest::newRow("truncate a shard not yet read") << "truncate" << false;
    QTest::newRow("truncate a shard being read (mmap)") << "truncate" << true;
}

void TestCliFaultsExtra::sourceShardVanishes()
{
    QFETCH(QString, fault);
    QFETCH(bool, alreadyRead);
    const QString tag = QString(QTest::currentDataTag()).replace(' ', '-').remove('(').remove(')');
    const QString src = copySource("src-" + tag);
    const QString dst = m_dir.filePath("dst-" + tag);
    // Not yet read: the file whose first use is latest. Being read: one used from the first
    // output shard to a late one, so it is mapped when the fault hits and read again after.
    const auto use = sourceUse(src);
    QVERIFY(use.size() >= 3);
    QString victim;
    for (const auto& [file, span] : use) {
        const bool better = victim.isEmpty() || (alreadyRead ? span.first == 0 && span.second > use.at(victim).second
                                                              : span.first > use.at(victim).first);
        if (better && (!alreadyRead || span.first == 0)) victim = file;
    }
    const int mustFinishBefore = alreadyRead ? use.at(victim).second : use.at(victim).first;
    QVERIFY2(mustFinishBefore >= 2, qPrintable(victim));

    // A mapped file keeps only its header, so every later read of it is past the end; an
    // unopened one loses half, which its (re)validated header must reveal.
    auto header = ckpt::readSafetensorsHeader((src + "/" + victim).toStdString());
    QVERIFY(header.ok());
    const qint64 newSize = alreadyRead ? qint64(header->dataStart) : QFileInfo(src + "/" + victim).size() / 2;

    QProcess p;
    p.start(QStringLiteral(CKPT_CLI_PATH), QStringList{"convert", src, dst} + m_opts);
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (finishedShards(dst) < 1 && p.state() == QProcess::Running && t.elapsed() < 120000) QThread::msleep(2);
    const int finishedAtFault = finishedShards(dst);
    ++m_faults;
    if (fault == "delete") QVERIFY(QFile::remove(src + "/" + victim));
    else QVERIFY(QFile::resize(src + "/" + victim, newSize));
    QVERIFY(p.waitForFinished(300000));
    if (finishedAtFault >= mustFinishBefore || finishedAtFault == 0)
        QSKIP("the conversion was not at the planned point when the fault hit");
    const QByteArray err = p.readAllStandardError();
    // Source shards are mmapped and read in place; the executor re-checks each file's size before
    // touching a tensor (op_evaluator.cpp checkStillThere), so a shard that shrank is an error
    // naming the file, not SIGBUS. (A truncation racing the read of one tensor still cannot be.)
    QVERIFY2(p.exitStatus() == QProcess::NormalExit,
             qPrintable(QString("convert died of signal %1 after %2 of %3: %4")
                            .arg(p.exitCode()).arg(fault, victim, QString::fromUtf8(err))));
    QVERIFY2(p.exitCode() == 1, qPrintable(QString("exit %1: %2").arg(p.exitCode()).arg(QString::fromUtf8(err))));
    QVERIFY2(err.contains(victim.toUtf8()), err.constData());
    for (const QString& f : filesIn(dst)) QVERIFY2(!f.endsWith(".ckpt-partial"), qPrintable(f));
    QVERIFY(!QFile::exists(dst + "/model.safetensors.index.json"));
}

void TestCliFaultsExtra::truncatedSourceBeforeRun()
{
    const QString src = copySource("src-truncated");
    const QString shardName = shardFiles(src).value(1);
    const QString shard = src + "/" + shardName;
    auto header = ckpt::readSafetensorsHeader(shard.toStdString());
    QVERIFY(header.ok());
    const qint64 newSize = QFileInfo(shard).size() - 1000;
    // The first tensor, in file order, that no longer fits is the one the error must name.
    QString victim;
    for (const auto& e : header->tensors)
        if (victim.isEmpty() && qint64(header->dataStart + e.end) > newSize) victim = QString::fromStdString(e.name);
    ++m_faults;
    QVERIFY(QFile::resize(shard, newSize));
    const QString dst = m_dir.filePath("dst-truncated");
    const ProcessResult r = cli(QStringList{"convert", src, dst} + m_opts);
    CKPT_VERIFY_RUN(r, 1);
    QVERIFY2(r.err.contains(shardName.toUtf8()), r.err.constData());
    QVERIFY2(r.err.contains(victim.toUtf8()), qPrintable(victim + ": " + QString::fromUtf8(r.err)));
    QVERIFY2(!QFileInfo::exists(dst) || filesIn(dst).isEmpty(), qPrintable(filesIn(dst).join(", ")));
}

void TestCliFaultsExtra::resumeForeignJournal_data()
{
    QTest::addColumn<QString>("other");
    QTest::newRow("another family") << "family";
    QTest::newRow("same names and sizes, other bytes") << "bytes";
}

void TestCliFaultsExtra::resumeForeignJournal()
{
    QFETCH(QString, other);
    const QString dst = m_dir.filePath("foreign-" + other);
    QProcess p;
    p.start(QStringLiteral(CKPT_CLI_PATH), QStringList{"convert", m_src, dst} + m_opts);
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (finishedShards(dst) < 2 && p.state() == QProcess::Running && t.elapsed() < 120000) QThread::msleep(2);
    ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
    p.waitForFinished();
    if (finishedShards(dst) < 2 || QFile::exists(dst + "/model.safetensors.index.json"))
        QSKIP("the conversion finished before it could be killed");

    QString foreign = m_dir.filePath("foreign-src-" + other);
    if (other == "family") {
        CKPT_VERIFY_RUN(cli({"demo", foreign, "--family", "step3p5", "--size", "small"}), 0);
    } else {
        // A copy whose tensor bytes differ (sizes and names identical): e.g. a re-downloaded or
        // fine-tuned checkpoint of the same model.
        foreign = copySource("foreign-src-" + other);
        QFile f(foreign + "/" + shardFiles(foreign).value(0));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(f.size() - 64));
        QVERIFY(f.write(QByteArray(64, '\x11')) == 64);
    }
    QFile journal(dst + "/.ckptscope-convert.json");
    QVERIFY(journal.open(QIODevice::ReadOnly));
    const QByteArray journalBefore = journal.readAll();
    journal.close();
    const QStringList before = filesIn(dst);
    ++m_faults;
    const ProcessResult r = cli(QStringList{"convert", foreign, dst, "--resume"} + m_opts);
    // A same-shaped source with other bytes must be refused too (the journal fingerprints the
    // source's location and each file's size and modification time), never resumed into a mix.
    QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
    QVERIFY2(r.err.contains("another source"), r.err.constData());
    QCOMPARE(filesIn(dst), before);
    QVERIFY(journal.open(QIODevice::ReadOnly));
    QCOMPARE(journal.readAll(), journalBefore);
}

QTEST_GUILESS_MAIN(TestCliFaultsExtra)
#include "tst_cli_faults_extra.moc"
