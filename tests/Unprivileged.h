// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Checks that need file permissions to bind (a read-only study, a folder that cannot be written)
// cannot be made as root, and CI runs as root. There, the test function runs again in a child
// process of the same test executable as the unprivileged user 65534 (nobody), which makes the
// checks; the parent passes when the child passes. The child drops its privileges between fork
// and exec, as tst_studysafety's `lepton` children do, so it is a plain ordinary-user run of
// the same function (initTestCase included), with a HOME of its own.
//
//     if (unprivileged::isRoot())
//         LEPTON_RERUN_UNPRIVILEGED(); // returns from the test function
//
// Everything the child reads must be readable by that user: the build tree and the sources are
// (0755 folders); the child makes its own temporary files.

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <grp.h>
#include <sys/types.h>
#include <unistd.h>

namespace unprivileged {

/// The user (and group) the child runs as.
constexpr uid_t kNobody = 65534;

/// Whether this process is root, so that file permissions do not stop its writes.
inline bool isRoot()
{
    return ::geteuid() == 0;
}

/// Runs this test executable again with only `function` (and data row `tag`, if any) as user
/// 65534; returns whether it passed, with its output in `log`.
inline bool rerun(const char *function, const char *tag, QString *log)
{
    QTemporaryDir home(QDir::tempPath() + QStringLiteral("/lepton-nobody-XXXXXX"));
    if (!home.isValid() || ::chown(QFile::encodeName(home.path()).constData(), kNobody, kNobody) != 0) {
        *log = QStringLiteral("cannot make a home folder for user %1").arg(kNobody);
        return false;
    }
    QString selector = QString::fromLatin1(function);
    if (tag && *tag)
        selector += QLatin1Char(':') + QString::fromUtf8(tag);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("TMPDIR"), home.path());
    env.remove(QStringLiteral("XDG_RUNTIME_DIR")); // root's: not the child's to use
    env.remove(QStringLiteral("XDG_CONFIG_HOME"));
    env.remove(QStringLiteral("XDG_CACHE_HOME"));
    QProcess child;
    child.setProcessEnvironment(env);
    child.setWorkingDirectory(home.path());
    child.setProcessChannelMode(QProcess::MergedChannels);
    // Runs in the child between fork and exec: async-signal-safe calls only.
    child.setChildProcessModifier([] {
        ::setgroups(0, nullptr);
        if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
            ::_exit(126);
    });
    child.start(QCoreApplication::applicationFilePath(), { selector });
    const bool finished = child.waitForFinished(280000);
    if (!finished)
        child.kill();
    child.waitForFinished();
    *log = QStringLiteral("%1 as user %2 (exit %3):\n%4")
               .arg(selector)
               .arg(kNobody)
               .arg(finished ? child.exitCode() : -1)
               .arg(QString::fromUtf8(child.readAll()));
    if (!finished || child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
        return false;
    // It must really have made the checks: passed, not skipped.
    const QString name = QStringLiteral("::%1(").arg(QString::fromLatin1(function));
    bool passed = false;
    for (const QString &line : log->split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("SKIP")))
            return false;
        if (line.startsWith(QLatin1String("PASS")) && line.contains(name))
            passed = true;
    }
    return passed;
}

} // namespace unprivileged

/// In a test function run as root: runs it again as user 65534 (see above), verifies that it
/// passed and returns.
#define LEPTON_RERUN_UNPRIVILEGED()                                                                                    \
    do {                                                                                                               \
        QString unprivilegedLog;                                                                                       \
        const bool unprivilegedPassed                                                                                  \
            = unprivileged::rerun(QTest::currentTestFunction(), QTest::currentDataTag(), &unprivilegedLog);            \
        qInfo("%s", qPrintable(unprivilegedLog.section(QLatin1Char('\n'), 0, 0)));                                     \
        QVERIFY2(unprivilegedPassed, qPrintable(unprivilegedLog));                                                     \
        return;                                                                                                        \
    } while (false)
