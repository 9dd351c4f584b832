#pragma once
// Helpers shared by the convert end-to-end suites: run the CLI, make demo checkpoints once per
// test run, and run the independent Python checks in tests/python.

#include "support/test_support.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace ckpt::test {

inline ProcessResult cli(const QStringList& args, int timeoutMs = 300000)
{
    return runProcess(QStringLiteral(CKPT_CLI_PATH), args, timeoutMs);
}

inline QString pythonCheck(const QString& script) { return QStringLiteral(CKPT_SOURCE_DIR "/tests/python/") + script; }

inline ProcessResult runCheck(const QString& script, const QStringList& args)
{
    QStringList all{pythonCheck(script)};
    all += args;
    return runProcess(pythonPath(), all, 600000);
}

inline QJsonObject jsonOf(const ProcessResult& r) { return QJsonDocument::fromJson(r.out).object(); }

inline QStringList filesIn(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

inline QString describe(const ProcessResult& r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(r.exitCode).arg(QString::fromUtf8(r.out.left(2000)), QString::fromUtf8(r.err.left(2000)));
}

} // namespace ckpt::test

#define CKPT_VERIFY_RUN(result, expectedExit) \
    QVERIFY2((result).exitCode == (expectedExit), qPrintable(ckpt::test::describe(result)))
