// SPDX-License-Identifier: GPL-3.0-or-later
#include "BackboneModule.h"

#include <QCryptographicHash>

#include <sstream>

namespace lepton {

Result<torch::jit::Module> loadBackboneModule(const QByteArray &bytes, const QString &origin)
{
    using R = Result<torch::jit::Module>;
    try {
        std::istringstream in(std::string(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        torch::jit::Module m = torch::jit::load(in, torch::kCPU);
        // Modules written from Python carry `training`; one assembled otherwise may not, and
        // train() and eval() need it.
        for (torch::jit::Module sub : m.modules())
            if (!sub.hasattr("training"))
                sub.register_attribute("training", c10::BoolType::get(), false);
        if (!m.find_method("forward"))
            return R::failure(QStringLiteral("%1: the TorchScript module has no forward method; export the encoder "
                                             "with torch.jit.script or torch.jit.trace")
                                  .arg(origin));
        return m;
    } catch (const c10::Error &e) {
        const QString what = QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
        return R::failure(QStringLiteral("%1: not a TorchScript file this build reads (%2); export the encoder with "
                                         "torch.jit.save, see docs/TRANSFER.md")
                              .arg(origin, what));
    } catch (const std::exception &e) {
        return R::failure(QStringLiteral("%1: not a TorchScript file this build reads (%2); export the encoder with "
                                         "torch.jit.save, see docs/TRANSFER.md")
                              .arg(origin, QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
    }
}

namespace {

/// The module's output on a blank [1, channels, size, size] image, or the reason it failed.
Result<torch::Tensor> runOnce(torch::jit::Module &m, int channels, int size)
{
    try {
        torch::NoGradGuard noGrad;
        const c10::IValue out = m.forward({ torch::zeros({ 1, channels, size, size }) });
        if (!out.isTensor())
            return Result<torch::Tensor>::failure(
                QStringLiteral("it returns a %1, not a tensor").arg(QString::fromStdString(out.tagKind())));
        return out.toTensor();
    } catch (const std::exception &e) {
        QString what = QString::fromUtf8(e.what()).trimmed();
        // TorchScript errors carry the whole traceback; its last line says what went wrong.
        const QStringList lines = what.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (!lines.isEmpty())
            what = lines.last().trimmed();
        return Result<torch::Tensor>::failure(what);
    }
}

} // namespace

Result<ImageBackbone> probeBackbone(
    const QByteArray &bytes, const QString &origin, const BackboneRequest &request, std::pair<int, int> *probeSize)
{
    using R = Result<ImageBackbone>;
    auto loaded = loadBackboneModule(bytes, origin);
    if (!loaded)
        return R::failure(loaded.error());
    torch::jit::Module m = loaded.value();
    m.eval();
    const int size = request.inputSize > 0 ? request.inputSize : 224;
    std::vector<int> tries = request.channels > 0 ? std::vector<int> { request.channels } : std::vector<int> { 3, 1 };
    QString firstError;
    for (int channels : tries) {
        auto out = runOnce(m, channels, size);
        if (!out) {
            if (firstError.isEmpty())
                firstError = out.error();
            continue;
        }
        const torch::Tensor t = out.value();
        if (!t.is_floating_point() || (t.dim() != 4 && t.dim() != 2) || t.size(0) != 1 || t.size(1) < 1)
            return R::failure(QStringLiteral("%1: on a [1, %2, %3, %3] image it returns a %4 tensor of shape %5; an "
                                             "image encoder returns a float feature map [1, C, h, w] or features "
                                             "[1, C] (export it without its classifier)")
                                  .arg(origin)
                                  .arg(channels)
                                  .arg(size)
                                  .arg(QString::fromStdString(std::string(c10::toString(t.scalar_type()))))
                                  .arg(QString::fromStdString(c10::str(t.sizes()))));
        ImageBackbone b;
        b.name = request.name;
        b.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        b.channels = channels;
        b.inputSize = request.inputSize;
        b.features = static_cast<int>(t.size(1));
        if (!request.mean.empty() || !request.std.empty()) {
            b.mean = request.mean;
            b.std = request.std;
        } else if (channels == 3) {
            b.mean = { 0.485, 0.456, 0.406 }; // ImageNet, the usual start of a pretrained encoder
            b.std = { 0.229, 0.224, 0.225 };
        } else {
            b.mean = { 0.449 };
            b.std = { 0.226 };
        }
        if (probeSize)
            *probeSize = t.dim() == 4 ? std::pair<int, int>(static_cast<int>(t.size(2)), static_cast<int>(t.size(3)))
                                      : std::pair<int, int>(1, 1);
        const QString problem = b.validate();
        if (!problem.isEmpty())
            return R::failure(QStringLiteral("%1: %2").arg(origin, problem));
        return b;
    }
    return R::failure(QStringLiteral("%1: the module fails on a blank [1, %2, %3, %3] image: %4. Give the channels "
                                     "(--channels) and input size (--input-size) it reads")
                          .arg(origin)
                          .arg(tries.front())
                          .arg(size)
                          .arg(firstError));
}

std::int64_t backboneParameterCount(const torch::jit::Module &module)
{
    std::int64_t n = 0;
    for (const auto &p : module.parameters())
        n += p.numel();
    return n;
}

} // namespace lepton
