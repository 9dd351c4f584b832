#pragma once
// Runs a program with a chosen environment and working folder (the shared runProcess() inherits
// the test's own), for the packaging tests: the GUI must answer --version with no display and
// no Qt platform set, and cpack runs in the build folder.

#include "support/test_support.h"

#include <QProcess>
#include <QProcessEnvironment>

namespace ckpt::test {

// The test's environment without any display or Qt platform: what a server or a package build has.
inline QProcessEnvironment headlessEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"})
        env.remove(QString::fromLatin1(name));
    return env;
}

inline ProcessResult runIn(const QString& program, const QStringList& args, const QProcessEnvironment& env,
                           const QString& workingDir = {}, int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workingDir.isEmpty()) p.setWorkingDirectory(workingDir);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(30000)) {
        r.err = "could not start " + program.toUtf8();
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out: " + program.toUtf8() + ' ' + args.join(' ').toUtf8();
        return r;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

} // namespace ckpt::test
