// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Helpers shared by the fuzz targets: a Qt application object for the plugins (Qt SQL loads its
// SQLite driver as one) and a private scratch folder per process for inputs that must be files.

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace lepton::fuzz {

/// Creates the QCoreApplication once; call from LLVMFuzzerInitialize.
inline void initialiseQt(int *argc, char ***argv)
{
    static QCoreApplication *app = nullptr;
    if (!app) {
        // Few threads: libFuzzer runs one input at a time and OpenMP/Torch pools only add noise.
        setenv("OMP_NUM_THREADS", "1", 0);
        setenv("LEPTON_THREADS", "1", 0);
        app = new QCoreApplication(*argc, *argv); // lives until exit, as libFuzzer's process does
    }
}

/// A scratch folder removed at exit (or left behind if the process crashes).
inline const QString &scratchDir()
{
    static QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/lepton-fuzz-XXXXXX"));
    static const QString path = dir.path();
    return path;
}

/// Writes the input to `name` inside the scratch folder and returns its path (empty on failure).
inline QString writeScratch(const QString &name, const uint8_t *data, size_t size)
{
    const QString path = scratchDir() + QLatin1Char('/') + name;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QString();
    if (size > 0 && file.write(reinterpret_cast<const char *>(data), static_cast<qint64>(size)) != qint64(size))
        return QString();
    return path;
}

/// Prints an outcome when LEPTON_FUZZ_VERBOSE is set (to check that seeds get as far as intended).
inline void trace(const char *what, const QString &detail)
{
    static const bool verbose = qEnvironmentVariableIsSet("LEPTON_FUZZ_VERBOSE");
    if (verbose)
        fprintf(stderr, "%s: %s\n", what, qPrintable(detail));
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

} // namespace lepton::fuzz
