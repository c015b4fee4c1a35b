// SPDX-License-Identifier: GPL-3.0-or-later
#include "TextTokenizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QProcessEnvironment>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace lepton {

/// The helper process and the socket to it (its standard input and output).
struct TextTokenizer::Impl
{
    pid_t pid = -1;
    int fd = -1;
    QByteArray pending; ///< bytes read past the last line

    ~Impl()
    {
        if (fd >= 0)
            ::close(fd); // the helper sees the end of its input and exits
        if (pid > 0) {
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
    }

    Status start()
    {
        QString program;
        for (const QString &candidate : helperCandidates())
            if (QFileInfo(candidate).isExecutable()) {
                program = candidate;
                break;
            }
        if (program.isEmpty())
            return Status::failure(QStringLiteral("the tokenizer program lepton-tokenizer was not found (looked for "
                                                  "%1); reinstall Lepton Workbench")
                                       .arg(helperCandidates().join(QStringLiteral(", "))));
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return Status::failure(
                QStringLiteral("cannot start the tokenizer: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        const QByteArray path = QFile::encodeName(program);
        char *argv[] = { const_cast<char *>(path.constData()), nullptr };
        const int rc = ::posix_spawn(&pid, path.constData(), &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        fd = fds[0];
        if (rc != 0) {
            pid = -1;
            return Status::failure(QStringLiteral("cannot start the tokenizer %1: %2")
                                       .arg(program, QString::fromLocal8Bit(std::strerror(rc))));
        }
        return Status();
    }

    bool send(const QByteArray &bytes)
    {
        qint64 at = 0;
        while (at < bytes.size()) {
            const ssize_t n
                = ::send(fd, bytes.constData() + at, static_cast<std::size_t>(bytes.size() - at), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            at += n;
        }
        return true;
    }

    /// One line of the helper's answer, without its end; false when the helper has gone.
    bool readLine(QByteArray &line)
    {
        for (;;) {
            const qsizetype end = pending.indexOf('\n');
            if (end >= 0) {
                line = pending.left(end);
                pending.remove(0, end + 1);
                return true;
            }
            char buffer[65536];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            pending.append(buffer, n);
        }
    }
};

namespace {

QByteArray base64(const QString &text)
{
    return text.toUtf8().toBase64();
}

QString helperError(const QByteArray &line)
{
    return line.startsWith("ERR ") ? QString::fromUtf8(QByteArray::fromBase64(line.mid(4)))
                                   : QStringLiteral("the tokenizer program stopped unexpectedly");
}

/// UTF-8 byte offset → UTF-16 index of the character holding that byte (end: the text's size).
std::vector<int> utf16Offsets(const QString &text, std::size_t utf8Size)
{
    std::vector<int> at(utf8Size + 1, static_cast<int>(text.size()));
    std::size_t byte = 0;
    for (int i = 0; i < text.size() && byte < utf8Size; ++i) {
        const char16_t c = text.at(i).unicode();
        const bool pair = QChar::isHighSurrogate(c) && i + 1 < text.size();
        const std::size_t bytes = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        for (std::size_t k = 0; k < bytes && byte + k < utf8Size; ++k)
            at[byte + k] = i;
        byte += bytes;
        if (pair)
            ++i;
    }
    return at;
}

/// "id id id …" → tokens with their ids only.
std::vector<TextToken> parseIds(const QByteArray &line)
{
    std::vector<TextToken> out;
    int id = -1;
    for (const char c : line) {
        if (c >= '0' && c <= '9') {
            id = (id < 0 ? 0 : id * 10) + (c - '0');
        } else if (id >= 0) {
            out.push_back(TextToken { id, 0, 0 });
            id = -1;
        }
    }
    if (id >= 0)
        out.push_back(TextToken { id, 0, 0 });
    return out;
}

std::vector<TextToken> parseTokens(const QByteArray &line, const QString &text)
{
    std::vector<TextToken> out;
    if (line.isEmpty())
        return out;
    const std::vector<int> at = utf16Offsets(text, static_cast<std::size_t>(text.toUtf8().size()));
    for (const QByteArray &item : line.split(' ')) {
        const QList<QByteArray> parts = item.split(',');
        if (parts.size() != 3)
            continue;
        TextToken t;
        t.id = parts[0].toInt();
        t.begin = at[std::min<std::size_t>(parts[1].toULongLong(), at.size() - 1)];
        t.end = at[std::min<std::size_t>(parts[2].toULongLong(), at.size() - 1)];
        out.push_back(t);
    }
    return out;
}

} // namespace

QStringList TextTokenizer::helperCandidates()
{
    QStringList out;
    bool inBuildTree = !QCoreApplication::instance();
    const QString env = QProcessEnvironment::systemEnvironment().value(QStringLiteral("LEPTON_TOKENIZER"));
    if (!env.isEmpty())
        return { env }; // an explicit choice: never replaced by another program
    if (QCoreApplication::instance()) {
        const QDir app(QCoreApplication::applicationDirPath());
        out.append(app.filePath(QStringLiteral("lepton-tokenizer")));
        out.append(QDir::cleanPath(app.filePath(
            QStringLiteral("../") + QStringLiteral(LEPTON_LIBEXECDIR) + QStringLiteral("/lepton/lepton-tokenizer"))));
        inBuildTree
            = QDir::cleanPath(app.absolutePath()).startsWith(QDir::cleanPath(QStringLiteral(LEPTON_BINARY_DIR)));
    }
    // The build tree's helper, only for programs run from the build tree (tests, benchmarks): an
    // installed program never depends on it.
    if (inBuildTree)
        out.append(QStringLiteral(LEPTON_TOKENIZER_BUILD_PATH));
    return out;
}

TextTokenizer::TextTokenizer() : m_impl(std::make_unique<Impl>()) { }
TextTokenizer::~TextTokenizer() = default;

Result<std::shared_ptr<const TextTokenizer>> TextTokenizer::train(const QStringList &texts, const TokenizerOptions &o)
{
    using R = Result<std::shared_ptr<const TextTokenizer>>;
    QStringList kept;
    for (const QString &t : texts)
        if (!t.trimmed().isEmpty())
            kept.append(t);
    if (kept.size() < 2)
        return R::failure(QStringLiteral("the training split has %1 non-empty text(s); a tokenizer needs at least 2 "
                                         "(fill the text column or set its type to categorical)")
                              .arg(kept.size()));
    if (o.vocabSize < 16 || o.vocabSize > 100000)
        return R::failure(QStringLiteral("text.vocab_size: %1 is outside 16–100000").arg(o.vocabSize));
    if (o.modelType != QLatin1String("unigram") && o.modelType != QLatin1String("bpe"))
        return R::failure(QStringLiteral("text.tokenizer: '%1' is not unigram or bpe").arg(o.modelType));
    Impl helper;
    if (Status st = helper.start(); !st)
        return R::failure(st.error());
    QByteArray request = QStringLiteral("TRAIN %1 %2 %3 %4\n")
                             .arg(kept.size())
                             .arg(o.modelType)
                             .arg(o.vocabSize)
                             .arg(std::max(1, o.threads))
                             .toLatin1();
    for (const QString &t : kept)
        request += base64(t) + '\n';
    QByteArray line;
    if (!helper.send(request) || !helper.readLine(line) || !line.startsWith("OK "))
        return R::failure(QStringLiteral("training the tokenizer failed: %1").arg(helperError(line)));
    return fromModel(QByteArray::fromBase64(line.mid(3)));
}

Result<std::shared_ptr<const TextTokenizer>> TextTokenizer::fromModel(const QByteArray &serialized)
{
    using R = Result<std::shared_ptr<const TextTokenizer>>;
    std::shared_ptr<TextTokenizer> t(new TextTokenizer());
    if (Status st = t->m_impl->start(); !st)
        return R::failure(st.error());
    QByteArray line;
    if (!t->m_impl->send("LOAD " + serialized.toBase64() + '\n') || !t->m_impl->readLine(line)
        || !line.startsWith("OK "))
        return R::failure(QStringLiteral("the run's tokenizer cannot be read (%1); the run's files are damaged")
                              .arg(helperError(line)));
    const QList<QByteArray> parts = line.mid(3).split(' ');
    for (qsizetype i = 1; i < parts.size(); ++i) {
        QString piece = QString::fromUtf8(QByteArray::fromBase64(parts[i]));
        piece.replace(QChar(0x2581), QLatin1Char(' '));
        t->m_pieces.append(piece);
    }
    t->m_model = serialized;
    return R(std::shared_ptr<const TextTokenizer>(std::move(t)));
}

int TextTokenizer::vocabSize() const
{
    return static_cast<int>(m_pieces.size());
}

std::vector<TextToken> TextTokenizer::encode(const QString &text, int maxTokens) const
{
    return encode(QStringList { text }, maxTokens).front();
}

std::vector<std::vector<TextToken>> TextTokenizer::encode(const QStringList &texts, int maxTokens) const
{
    auto out = encodeAll(texts, maxTokens);
    if (out)
        return std::move(out.value());
    qWarning("%s; %lld note(s) are read as empty", qPrintable(out.error()), static_cast<long long>(texts.size()));
    return std::vector<std::vector<TextToken>>(static_cast<std::size_t>(texts.size()));
}

Result<std::vector<std::vector<TextToken>>> TextTokenizer::encodeAll(
    const QStringList &texts, int maxTokens, bool spans) const
{
    using R = Result<std::vector<std::vector<TextToken>>>;
    QMutexLocker lock(&m_mutex);
    std::vector<std::vector<TextToken>> out;
    // A helper that has gone (killed, crashed) is started again once with the same model.
    QString why = QStringLiteral("it stopped twice");
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (encodeLocked(texts, maxTokens, spans, out))
            return R(std::move(out));
        if (attempt == 1)
            break;
        m_impl = std::make_unique<Impl>();
        QByteArray line;
        if (Status st = m_impl->start(); !st) {
            why = st.error();
            break;
        }
        if (!m_impl->send("LOAD " + m_model.toBase64() + '\n') || !m_impl->readLine(line) || !line.startsWith("OK ")) {
            why = helperError(line);
            break;
        }
    }
    return R::failure(QStringLiteral("the tokenizer program could not read the notes (%1); nothing was changed: try "
                                     "again, and reinstall Lepton Workbench if it happens again")
                          .arg(why));
}

qint64 TextTokenizer::helperProcessId() const
{
    QMutexLocker lock(&m_mutex);
    return m_impl->pid;
}

bool TextTokenizer::encodeLocked(
    const QStringList &texts, int maxTokens, bool spans, std::vector<std::vector<TextToken>> &out) const
{
    out.assign(static_cast<std::size_t>(texts.size()), {});
    // In requests of a few thousand texts: the helper answers one request before reading the next.
    constexpr qsizetype chunk = 4096;
    for (qsizetype from = 0; from < texts.size(); from += chunk) {
        const qsizetype n = std::min(chunk, texts.size() - from);
        QByteArray request = (spans ? QByteArrayLiteral("ENCODE ") : QByteArrayLiteral("IDS ")) + QByteArray::number(n)
            + ' ' + QByteArray::number(std::max(0, maxTokens)) + '\n';
        for (qsizetype i = from; i < from + n; ++i)
            request += base64(texts[i]) + '\n';
        if (!m_impl->send(request))
            return false;
        for (qsizetype i = from; i < from + n; ++i) {
            QByteArray line;
            if (!m_impl->readLine(line))
                return false;
            out[static_cast<std::size_t>(i)] = spans ? parseTokens(line, texts[i]) : parseIds(line);
        }
    }
    return true;
}

QString TextTokenizer::piece(int id) const
{
    return m_pieces.value(id);
}

} // namespace lepton
