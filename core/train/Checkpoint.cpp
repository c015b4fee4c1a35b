// SPDX-License-Identifier: GPL-3.0-or-later
#include "Checkpoint.h"

#include "model/SafeTensors.h"
#include "store/Study.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSet>

#include <torch/serialize.h>

#include <cstring>
#include <limits>
#include <map>
#include <sstream>

namespace lepton {

namespace {

constexpr char kSignature[] = "LEPTCKPT";
constexpr int kSignatureBytes = 8;
constexpr quint32 kFormat = 1;
constexpr int kHashBytes = 32;
constexpr int kMaxDims = 8;
constexpr quint64 kMaxDim = quint64(1) << 31;

using Tensors = std::map<std::string, torch::Tensor>;

/// Every parameter and buffer of a module by its dotted name ("image.stem.0.weight").
std::vector<std::pair<std::string, torch::Tensor>> stateOf(const torch::nn::Module &module)
{
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto &p : module.named_parameters())
        state.emplace_back(p.key(), p.value());
    for (const auto &b : module.named_buffers())
        state.emplace_back(b.key(), b.value());
    return state;
}

struct DType
{
    quint8 code;
    torch::ScalarType type;
};
constexpr DType kTypes[] = { { 1, torch::kFloat32 }, { 2, torch::kFloat64 }, { 3, torch::kInt64 }, { 4, torch::kInt32 },
    { 5, torch::kUInt8 }, { 6, torch::kBool } };

QString firstLine(const c10::Error &e)
{
    return QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
}

QString shown(const std::string &name)
{
    return QString::fromUtf8(name.data(), qsizetype(std::min<std::size_t>(name.size(), 120)));
}

/// Appends little-endian integers and tensors.
class Writer
{
public:
    Writer()
    {
        m_out.append(kSignature, kSignatureBytes);
        put(kFormat, 4);
        put(0, 4); // entry count, filled in by finish()
    }
    Status add(const std::string &name, const torch::Tensor &tensor)
    {
        const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
        quint8 code = 0;
        for (const auto &d : kTypes)
            if (d.type == t.scalar_type())
                code = d.code;
        if (code == 0 || t.dim() > kMaxDims || name.size() > 0xffff)
            return Status::failure(QStringLiteral("'%1' (%2) cannot be stored in a checkpoint")
                                       .arg(shown(name), QString::fromLatin1(c10::toString(t.scalar_type()))));
        put(name.size(), 2);
        m_out.append(name.data(), qsizetype(name.size()));
        put(code, 1);
        put(quint64(t.dim()), 1);
        for (const auto d : t.sizes())
            put(quint64(d), 8);
        const quint64 bytes = quint64(t.numel()) * t.element_size();
        put(bytes, 8);
        m_out.append(static_cast<const char *>(t.data_ptr()), qsizetype(bytes));
        ++m_count;
        return Status();
    }
    QByteArray finish()
    {
        for (int i = 0; i < 4; ++i)
            m_out[kSignatureBytes + 4 + i] = char((m_count >> (8 * i)) & 0xff);
        m_out.append(QCryptographicHash::hash(m_out, QCryptographicHash::Sha256));
        return m_out;
    }

private:
    void put(quint64 v, int bytes)
    {
        for (int i = 0; i < bytes; ++i)
            m_out.append(char((v >> (8 * i)) & 0xff));
    }
    QByteArray m_out;
    quint32 m_count = 0;
};

/// Reads our format: every length is checked against what is left before it is used.
class Reader
{
public:
    explicit Reader(const QByteArray &blob) : m_d(reinterpret_cast<const uchar *>(blob.constData())), m_blob(blob) { }

    Result<Tensors> read()
    {
        using R = Result<Tensors>;
        const qint64 size = m_blob.size();
        if (size < kSignatureBytes || std::memcmp(m_d, kSignature, kSignatureBytes) != 0)
            return R::failure(QStringLiteral("it is not a Lepton checkpoint (its first bytes are not %1)")
                                  .arg(QLatin1String(kSignature)));
        if (size < kSignatureBytes + 8 + kHashBytes)
            return R::failure(QStringLiteral("it is cut off (%1 bytes)").arg(size));
        m_end = size - kHashBytes;
        m_pos = kSignatureBytes;
        const quint64 format = get(4);
        if (format != kFormat)
            return R::failure(QStringLiteral("it is in checkpoint format %1; this version reads format %2 (update "
                                             "Lepton Workbench)")
                                  .arg(format)
                                  .arg(kFormat));
        const QByteArray stored = m_blob.right(kHashBytes);
        if (QCryptographicHash::hash(m_blob.left(m_end), QCryptographicHash::Sha256) != stored)
            return R::failure(QStringLiteral("it was altered or damaged (its SHA-256 does not match its content)"));
        const quint64 count = get(4);
        Tensors tensors;
        for (quint64 i = 0; i < count; ++i) {
            if (!need(2))
                return cut(i);
            const qint64 nameLength = qint64(get(2));
            if (!need(nameLength))
                return cut(i);
            std::string name(reinterpret_cast<const char *>(m_d + m_pos), std::size_t(nameLength));
            m_pos += nameLength;
            if (!need(2))
                return cut(i);
            const quint8 code = quint8(get(1));
            const int dims = int(get(1));
            const DType *type = nullptr;
            for (const auto &d : kTypes)
                if (d.code == code)
                    type = &d;
            if (!type)
                return R::failure(QStringLiteral("entry '%1' has an unknown type %2").arg(shown(name)).arg(code));
            if (dims > kMaxDims || !need(8 * dims + 8))
                return R::failure(QStringLiteral("entry '%1' has a damaged shape").arg(shown(name)));
            std::vector<int64_t> shape;
            const quint64 elementSize = c10::elementSize(type->type);
            quint64 elements = 1;
            bool fits = true;
            for (int d = 0; d < dims; ++d) {
                const quint64 n = get(8);
                if (n > kMaxDim)
                    fits = false;
                else if (n != 0 && elements > quint64(std::numeric_limits<qint64>::max()) / n)
                    fits = false;
                else
                    elements *= n;
                shape.push_back(int64_t(std::min(n, kMaxDim)));
            }
            const quint64 bytes = get(8);
            if (!fits || elements > quint64(m_end - m_pos) / elementSize || bytes != elements * elementSize)
                return R::failure(
                    QStringLiteral("entry '%1' claims more data than the checkpoint holds").arg(shown(name)));
            if (tensors.count(name))
                return R::failure(QStringLiteral("entry '%1' appears twice").arg(shown(name)));
            torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(type->type));
            if (bytes > 0)
                std::memcpy(t.data_ptr(), m_d + m_pos, std::size_t(bytes));
            m_pos += qint64(bytes);
            tensors.emplace(std::move(name), std::move(t));
        }
        if (m_pos != m_end)
            return R::failure(QStringLiteral("it has %1 bytes after its last entry").arg(m_end - m_pos));
        return tensors;
    }

private:
    bool need(qint64 bytes) const { return bytes >= 0 && bytes <= m_end - m_pos; }
    Result<Tensors> cut(quint64 entry) const
    {
        return Result<Tensors>::failure(QStringLiteral("it is cut off in entry %1").arg(entry + 1));
    }
    quint64 get(int bytes)
    {
        quint64 v = 0;
        for (int i = 0; i < bytes && m_pos < m_end; ++i)
            v |= quint64(m_d[m_pos++]) << (8 * i);
        return v;
    }
    const uchar *m_d;
    const QByteArray &m_blob;
    qint64 m_pos = 0;
    qint64 m_end = 0;
};

/// Copies the stored tensors into the module's, checking that every name is there with the same
/// shape. `prefix` selects a sub-module's entries (e.g. "image."); `used` collects the entries read;
/// names starting with `optional` (when not empty) may be absent and then keep their values.
Status loadState(const Tensors &stored, torch::nn::Module &module, const std::string &prefix, QSet<QString> *used,
    const std::string &optional = std::string())
{
    torch::NoGradGuard noGrad;
    for (auto &[name, target] : stateOf(module)) {
        const std::string key = "model." + prefix + name;
        const auto it = stored.find(key);
        if (it == stored.end() && !optional.empty() && name.rfind(optional, 0) == 0)
            continue;
        if (it == stored.end())
            return Status::failure(
                QStringLiteral("the checkpoint has no '%1': it was saved from a different architecture")
                    .arg(QString::fromStdString(prefix + name)));
        if (it->second.sizes() != target.sizes())
            return Status::failure(
                QStringLiteral("'%1' is %2 in the checkpoint but %3 in this model: a different architecture")
                    .arg(QString::fromStdString(prefix + name), QString::fromStdString(c10::str(it->second.sizes())),
                        QString::fromStdString(c10::str(target.sizes()))));
        target.copy_(it->second);
        if (used)
            used->insert(QString::fromStdString(key));
    }
    return Status();
}

Status loadOptimizer(const Tensors &stored, torch::optim::AdamW &optimizer, QSet<QString> &used)
{
    auto &state = optimizer.state();
    state.clear();
    const auto &groups = optimizer.param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto &params = groups[g].params();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const torch::Tensor &p = params[i];
            const std::string base = "optimizer." + std::to_string(g) + "." + std::to_string(i) + ".";
            const auto step = stored.find(base + "step");
            if (step == stored.end())
                continue; // never stepped (e.g. frozen)
            auto moment = [&](const char *what, bool required, torch::Tensor *out) -> Status {
                const auto it = stored.find(base + what);
                if (it == stored.end())
                    return required ? Status::failure(QStringLiteral("the optimizer state of parameter %1.%2 has no %3")
                                                          .arg(g)
                                                          .arg(i)
                                                          .arg(QLatin1String(what)))
                                    : Status();
                if (it->second.sizes() != p.sizes() || it->second.scalar_type() != p.scalar_type())
                    return Status::failure(QStringLiteral("the optimizer state of parameter %1.%2 does not fit this "
                                                          "model: a different architecture")
                                               .arg(g)
                                               .arg(i));
                *out = it->second.to(p.device());
                used.insert(QString::fromStdString(base + what));
                return Status();
            };
            if (step->second.dim() != 0 || step->second.scalar_type() != torch::kInt64)
                return Status::failure(
                    QStringLiteral("the optimizer step of parameter %1.%2 is damaged").arg(g).arg(i));
            used.insert(QString::fromStdString(base + "step"));
            auto s = std::make_unique<torch::optim::AdamWParamState>();
            s->step(step->second.item<int64_t>());
            torch::Tensor avg, avgSq, maxSq;
            Status st = moment("exp_avg", true, &avg);
            if (st)
                st = moment("exp_avg_sq", true, &avgSq);
            if (st)
                st = moment("max_exp_avg_sq", false, &maxSq);
            if (!st)
                return st;
            s->exp_avg(avg);
            s->exp_avg_sq(avgSq);
            if (maxSq.defined())
                s->max_exp_avg_sq(maxSq);
            state[c10::guts::to_string(p.unsafeGetTensorImpl())] = std::move(s);
        }
    }
    return Status();
}

Status loadOurs(const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch)
{
    Reader reader(blob);
    auto stored = reader.read();
    if (!stored)
        return Status::failure(QStringLiteral("the checkpoint cannot be read: %1").arg(stored.error()));
    try {
        QSet<QString> used;
        Status st = loadState(*stored, *model, std::string(), &used);
        if (st && optimizer)
            st = loadOptimizer(*stored, *optimizer, used);
        if (!st)
            return Status::failure(QStringLiteral("the checkpoint cannot be used with this model: %1").arg(st.error()));
        used.insert(QStringLiteral("epoch"));
        for (const auto &[name, tensor] : *stored) {
            const QString n = QString::fromStdString(name);
            if (!used.contains(n) && (!n.startsWith(QLatin1String("optimizer.")) || optimizer))
                return Status::failure(
                    QStringLiteral("the checkpoint cannot be used with this model: it holds '%1', which this model "
                                   "does not have (a different architecture)")
                        .arg(shown(name)));
        }
        if (epoch) {
            const auto it = stored->find("epoch");
            if (it == stored->end() || it->second.dim() != 0 || it->second.scalar_type() != torch::kInt64)
                return Status::failure(QStringLiteral("the checkpoint has no epoch"));
            *epoch = static_cast<int>(it->second.item<int64_t>());
        }
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("the checkpoint cannot be used with this model: %1").arg(firstLine(e)));
    }
}

/// Checkpoints written before our format: LibTorch archives ("model.<name>" tensors, "epoch" and,
/// from training, an "optimizer" archive). LibTorch's reader trusts these bytes: only for the
/// explicit conversion of a study the user trusts (see the class comment).
Status readLegacyArchive(
    const QByteArray &blob, FusionNet &model, torch::optim::AdamW &optimizer, int *epoch, bool *hadOptimizer)
{
    try {
        std::istringstream in(std::string(blob.constData(), static_cast<std::size_t>(blob.size())));
        torch::serialize::InputArchive archive;
        archive.load_from(in);
        torch::NoGradGuard noGrad;
        for (auto &[name, target] : stateOf(*model)) {
            torch::Tensor stored;
            if (!archive.try_read("model." + name, stored) || stored.sizes() != target.sizes())
                return Status::failure(
                    QStringLiteral("the checkpoint cannot be used with this model: '%1' is missing or of another "
                                   "shape (a different architecture)")
                        .arg(QString::fromStdString(name)));
            target.copy_(stored);
        }
        torch::serialize::InputArchive optimizerArchive;
        *hadOptimizer = archive.try_read("optimizer", optimizerArchive);
        if (*hadOptimizer)
            optimizer.load(optimizerArchive);
        torch::Tensor e;
        if (archive.try_read("epoch", e)) {
            if (e.numel() != 1)
                return Status::failure(QStringLiteral("the checkpoint's epoch is damaged"));
            *epoch = static_cast<int>(e.item<std::int64_t>());
        }
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("the checkpoint cannot be used with this model (damaged or of another "
                                              "format): %1")
                                   .arg(firstLine(e)));
    } catch (const std::exception &e) {
        return Status::failure(QStringLiteral("the checkpoint cannot be read: %1").arg(QString::fromUtf8(e.what())));
    }
}

} // namespace

QByteArray CheckpointIO::signature()
{
    return QByteArray(kSignature, kSignatureBytes);
}

Result<QByteArray> CheckpointIO::save(FusionNet &model, torch::optim::AdamW *optimizer, int epoch)
{
    try {
        Writer writer;
        for (const auto &[name, tensor] : stateOf(*model)) {
            Status st = writer.add("model." + name, tensor);
            if (!st)
                return Result<QByteArray>::failure(st.error());
        }
        if (optimizer) {
            const auto &state = optimizer->state();
            const auto &groups = optimizer->param_groups();
            for (std::size_t g = 0; g < groups.size(); ++g) {
                const auto &params = groups[g].params();
                for (std::size_t i = 0; i < params.size(); ++i) {
                    const auto it = state.find(c10::guts::to_string(params[i].unsafeGetTensorImpl()));
                    if (it == state.end())
                        continue;
                    const auto &s = static_cast<const torch::optim::AdamWParamState &>(*it->second);
                    const std::string base = "optimizer." + std::to_string(g) + "." + std::to_string(i) + ".";
                    Status st = writer.add(base + "step", torch::tensor(static_cast<int64_t>(s.step())));
                    if (st)
                        st = writer.add(base + "exp_avg", s.exp_avg());
                    if (st)
                        st = writer.add(base + "exp_avg_sq", s.exp_avg_sq());
                    if (st && s.max_exp_avg_sq().defined())
                        st = writer.add(base + "max_exp_avg_sq", s.max_exp_avg_sq());
                    if (!st)
                        return Result<QByteArray>::failure(st.error());
                }
            }
        }
        Status st = writer.add("epoch", torch::tensor(static_cast<int64_t>(epoch)));
        if (!st)
            return Result<QByteArray>::failure(st.error());
        return writer.finish();
    } catch (const c10::Error &e) {
        return Result<QByteArray>::failure(QStringLiteral("saving the checkpoint failed: %1").arg(firstLine(e)));
    }
}

Status CheckpointIO::verify(const QByteArray &blob)
{
    Reader reader(blob);
    auto stored = reader.read();
    return stored ? Status() : Status::failure(stored.error());
}

bool CheckpointIO::isLegacyArchive(const QByteArray &blob)
{
    return blob.startsWith(QByteArray("PK\x03\x04", 4));
}

Status CheckpointIO::load(
    const QByteArray &blob, FusionNet &model, torch::optim::AdamW *optimizer, int *epoch, Source source)
{
    if (isLegacyArchive(blob)) {
        if (source == Source::Study)
            return Status::failure(QStringLiteral("the checkpoint is a LibTorch archive of an earlier version, which "
                                                  "is not read from a study (a crafted one can crash the program); "
                                                  "if you trust the study, convert its checkpoints with `lepton runs "
                                                  "convert-checkpoints`"));
        return Status::failure(QStringLiteral("the checkpoint is a LibTorch archive, which is not read from a file (a "
                                              "crafted one can crash the program); export it again with `lepton "
                                              "export --checkpoint`"));
    }
    return loadOurs(blob, model, optimizer, epoch);
}

Status CheckpointIO::loadFromStudy(const Study &study, qint64 runId, const Checkpoint &checkpoint, FusionNet &model,
    torch::optim::AdamW *optimizer, int *epoch)
{
    if (isLegacyArchive(checkpoint.data))
        return Status::failure(
            QStringLiteral("run %1 of %2: its checkpoint of epoch %3 is a LibTorch archive written by an earlier "
                           "version of Lepton Workbench. Such archives are no longer read from a study: a study is a "
                           "file people send each other, and a crafted archive can crash the program. If you trust "
                           "this study (you or your team trained it), convert the run's checkpoints once with `lepton "
                           "runs convert-checkpoints \"%2\" --run %1 --actor YOUR_NAME` (recorded in its audit log), "
                           "then try again")
                .arg(runId)
                .arg(study.path())
                .arg(checkpoint.epoch + 1));
    Status st = load(checkpoint.data, model, optimizer, epoch, Source::Study);
    return st ? st : Status::failure(QStringLiteral("run %1: %2").arg(runId).arg(st.error()));
}

Result<QByteArray> CheckpointIO::convertLegacyArchive(
    const QByteArray &blob, FusionNet &model, torch::optim::AdamW &optimizer, int fallbackEpoch, bool *hadOptimizer)
{
    if (!isLegacyArchive(blob))
        return Result<QByteArray>::failure(QStringLiteral("it is not a LibTorch archive"));
    int epoch = fallbackEpoch;
    bool withOptimizer = false;
    Status st = readLegacyArchive(blob, model, optimizer, &epoch, &withOptimizer);
    if (!st)
        return Result<QByteArray>::failure(st.error());
    if (hadOptimizer)
        *hadOptimizer = withOptimizer;
    auto converted = save(model, withOptimizer ? &optimizer : nullptr, epoch);
    if (!converted)
        return converted;
    // What was written must read back as a whole before it replaces anything.
    st = verify(converted.value());
    if (!st)
        return Result<QByteArray>::failure(
            QStringLiteral("the converted checkpoint does not verify: %1").arg(st.error()));
    return converted;
}

Status CheckpointIO::loadImageEncoder(const QString &path, FusionNet &model)
{
    if (!model->imageEncoder())
        return Status::failure(QStringLiteral("this model variant has no image encoder to load weights into"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
    const QByteArray blob = file.readAll();
    Tensors stored;
    if (safetensors::looksLike(blob) && !blob.startsWith(signature())) {
        // Weights in the safetensors layout, by the names of `lepton export --safetensors`
        // ("image.stem.0.weight"), or by the image encoder's own names ("stem.0.weight").
        auto weights = safetensors::read(blob);
        if (!weights)
            return Status::failure(QStringLiteral("%1: %2").arg(path, weights.error()));
        bool prefixed = false;
        for (const auto &entry : weights->tensors)
            prefixed = prefixed || entry.first.rfind("image.", 0) == 0;
        for (auto &[name, tensor] : weights->tensors)
            stored.emplace("model." + (prefixed ? name : "image." + name), tensor);
    } else {
        auto ours = Reader(blob).read();
        if (!ours)
            return Status::failure(QStringLiteral(
                "%1: %2; use a file written by `lepton export --checkpoint` or weights in the safetensors layout")
                                       .arg(path, ours.error()));
        stored = std::move(ours.value());
    }
    try {
        Status st = loadState(stored, *model->imageEncoder(), "image.", nullptr, "adapters.");
        if (!st)
            return Status::failure(
                QStringLiteral("%1: holds no image encoder that fits this model: %2").arg(path, st.error()));
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("%1: cannot be used (%2)").arg(path, firstLine(e)));
    }
}

} // namespace lepton
