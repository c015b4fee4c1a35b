// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"

#include "store/Study.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutex>

#include <atomic>
#include <csignal>
#include <cstdio>
#ifdef Q_OS_WIN
#include <io.h> // _isatty, _fileno
#else
#include <unistd.h> // isatty, fileno
#endif

namespace lepton::cli {
namespace {
std::atomic<bool> g_interrupted { false };

extern "C" void onInterrupt(int)
{
    if (g_interrupted.exchange(true))
        std::_Exit(130); // a second Ctrl+C means "now"
}
} // namespace

void printOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
    std::fflush(stderr);
}

void printJson(const QJsonObject &json)
{
    printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
}

void installInterruptHandler()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

bool interruptRequested()
{
    return g_interrupted.load();
}

CancelFn interruptCancel()
{
    return [] { return g_interrupted.load(); };
}

bool stderrIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stderr)) != 0;
#else
    return isatty(fileno(stderr)) != 0;
#endif
}

ProgressFn stderrProgress()
{
    struct State
    {
        QMutex mutex;
        QString stage;
        int lastDecile = -1;
        QElapsedTimer sinceLast;
    };
    auto state = std::make_shared<State>();
    const bool tty = stderrIsTerminal();
    return [state, tty](qint64 done, qint64 total, const QString &stage) {
        QMutexLocker lock(&state->mutex);
        const bool newStage = stage != state->stage;
        if (newStage) {
            if (tty && !state->stage.isEmpty())
                printErr(QStringLiteral("\n"));
            state->stage = stage;
            state->lastDecile = -1;
            state->sinceLast.start();
        }
        if (total <= 0) {
            if (newStage)
                printErr(stage + (tty ? QStringLiteral("…") : QStringLiteral("…\n")));
            return;
        }
        const int percent = static_cast<int>(100 * done / total);
        if (tty) {
            if (done == total || state->sinceLast.elapsed() > 100) {
                printErr(QStringLiteral("\r%1: %2/%3 (%4%)").arg(stage).arg(done).arg(total).arg(percent)
                    + (done == total ? QStringLiteral("\n") : QString()));
                state->sinceLast.restart();
                if (done == total)
                    state->stage.clear();
            }
        } else if (percent / 10 != state->lastDecile) {
            state->lastDecile = percent / 10;
            printErr(QStringLiteral("%1: %2/%3 (%4%)\n").arg(stage).arg(done).arg(total).arg(percent));
        }
    };
}

std::optional<int> parseArguments(QCommandLineParser &parser, const QString &command, const QString &synopsis,
    const QString &description, const QStringList &args, int minPositional, int maxPositional)
{
    parser.setApplicationDescription(QStringLiteral("lepton %1 %2\n\n%3").arg(command, synopsis, description));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({ QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList argv = args;
    argv.prepend(QStringLiteral("lepton ") + command);
    if (!parser.parse(argv))
        return usageError(command, parser.errorText());
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    const int n = static_cast<int>(parser.positionalArguments().size());
    if (n < minPositional)
        return usageError(command, QStringLiteral("missing arguments; usage: lepton %1 %2").arg(command, synopsis));
    if (maxPositional >= 0 && n > maxPositional)
        return usageError(
            command, QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(maxPositional)));
    return std::nullopt;
}

int usageError(const QString &command, const QString &message)
{
    printErr(QStringLiteral("lepton %1: %2\nTry 'lepton %1 --help'.\n").arg(command, message));
    return ExitUsage;
}

Result<std::shared_ptr<Study>> openForExport(const QString &path)
{
    auto study = Study::open(path, Study::Mode::ReadWrite);
    if (study)
        return study;
    const QFileInfo file(path);
    if (file.isFile() && (!file.isWritable() || !QFileInfo(file.absolutePath()).isWritable()))
        return Result<std::shared_ptr<Study>>::failure(
            QStringLiteral("%1: is read-only (the file or its folder). Every export is recorded in the study's "
                           "audit log, so nothing was exported; copy the study to a folder you can write to and "
                           "export from the copy")
                .arg(path));
    return study;
}

} // namespace lepton::cli
