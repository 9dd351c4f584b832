#pragma once
// Helpers shared by the Qt Test suites: where the shared data and Python live, running Python
// reference scripts, and running the CLI.

#include <QString>
#include <QStringList>

namespace ckpt::test {

QString sharedDir();            // ../shared beside the checkout
QString samplesDir();           // ../shared/testdata/safetensors-samples
QString pythonPath();           // interpreter with safetensors, numpy, ml_dtypes

struct ProcessResult {
    int exitCode = -1;
    QByteArray out, err;
};

// Runs `python -c script args...`; fails the test (QFAIL-style via qFatal-free return) is up to
// the caller: check exitCode and print err.
ProcessResult runPython(const QString& script, const QStringList& args = {}, int timeoutMs = 120000);
// True when python3 can import safetensors, numpy and ml_dtypes.
bool pythonReferenceAvailable();
ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs = 300000);

} // namespace ckpt::test
