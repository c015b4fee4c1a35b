// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs the command line built with the tests (LEPTON_CLI) and keeps its exit code and output.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace clitest {

struct Run
{
    int code = -1; ///< -1: did not finish in time (killed); -2: crashed
    QString out;
    QString err;
};

inline Run lepton(const QStringList &args, int timeoutMs = 240000)
{
    QProcess p;
    p.start(QStringLiteral(LEPTON_CLI), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace clitest
