#include "support/test_support.h"

#include <QDir>
#include <QProcess>

namespace ckpt::test {

QString sharedDir() { return QDir::cleanPath(QStringLiteral(CKPT_SHARED_DIR)); }
QString samplesDir() { return sharedDir() + QStringLiteral("/testdata/safetensors-samples"); }
QString pythonPath() { return QStringLiteral(CKPT_PYTHON); }

ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs)
{
    QProcess p;
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(30000)) {
        r.err = "could not start " + program.toUtf8();
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out: " + program.toUtf8();
        return r;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

ProcessResult runPython(const QString& script, const QStringList& args, int timeoutMs)
{
    QStringList all{QStringLiteral("-c"), script};
    all += args;
    return runProcess(pythonPath(), all, timeoutMs);
}

bool pythonReferenceAvailable()
{
    static int cached = -1;
    if (cached < 0)
        cached = runPython(QStringLiteral("import safetensors, numpy, ml_dtypes")).exitCode == 0;
    return cached == 1;
}

} // namespace ckpt::test
