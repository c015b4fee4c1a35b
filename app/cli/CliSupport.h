// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/Progress.h"
#include "util/Result.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace lepton {
class Study;
}

namespace lepton::cli {

/// Exit codes of every command (docs/ARCHITECTURE.md, "Where to add things"; the man page lists them).
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitInvalidInput = 3 };

/// Results go to stdout, progress and messages to stderr.
void printOut(const QString &text);
void printErr(const QString &text);
void printJson(const QJsonObject &json);

/// Ctrl+C asks long work to stop at the next safe point instead of killing the process.
void installInterruptHandler();
bool interruptRequested();
CancelFn interruptCancel();

/// Whether stderr is a terminal (then progress rewrites one line); portable to Windows.
bool stderrIsTerminal();

/// Progress on stderr: one rewritten line on a terminal, a line every ~10 % otherwise.
ProgressFn stderrProgress();

/// Parses a command's arguments. Returns an exit code when the command must stop here
/// (--help printed: 0; bad arguments: 2), nothing when it should go on.
std::optional<int> parseArguments(QCommandLineParser &parser, const QString &command, const QString &synopsis,
    const QString &description, const QStringList &args, int minPositional, int maxPositional);

/// Prints "lepton COMMAND: message" and a hint to --help; returns ExitUsage.
int usageError(const QString &command, const QString &message);

/// Opens a study writable for an export: each export is recorded in its audit log
/// (docs/AUDIT.md). A study that can be read but not written gets a message that says what to do.
Result<std::shared_ptr<Study>> openForExport(const QString &path);

} // namespace lepton::cli
