// SPDX-License-Identifier: GPL-3.0-or-later
#include "TorchScriptExport.h"

#include <torch/script.h>

#include <sstream>

namespace lepton {
namespace {

std::string attr(const std::string &dotted)
{
    std::string s = dotted;
    for (std::size_t i = s.find('.'); i != std::string::npos; i = s.find('.', i + 2))
        s.replace(i, 1, "__");
    return "self." + s;
}

/// x @ W^T + b of a Linear module registered as `prefix`.
std::string linear(const std::string &x, const std::string &prefix)
{
    return "torch.matmul(" + x + ", " + attr(prefix + ".weight") + ".t()) + " + attr(prefix + ".bias");
}

/// `training`: "False" in a model export (running statistics always); "self.training" in an
/// image encoder written for further training (exportImageFeatures: the module's mode).
std::string batchNorm(const std::string &x, const std::string &p, const char *training)
{
    return "torch.batch_norm(" + x + ", " + attr(p + ".weight") + ", " + attr(p + ".bias") + ", "
        + attr(p + ".running_mean") + ", " + attr(p + ".running_var") + ", " + training + ", 0.1, 1e-05, False)";
}

std::string layerNorm(const std::string &x, const std::string &p, int dim)
{
    return "torch.layer_norm(" + x + ", [" + std::to_string(dim) + "], " + attr(p + ".weight") + ", "
        + attr(p + ".bias") + ", 1e-05, False)";
}

std::string conv(const std::string &x, const std::string &p, int stride, int padding, bool bias = false)
{
    const std::string s = std::to_string(stride), pad = std::to_string(padding);
    return "torch.conv2d(" + x + ", " + attr(p + ".weight") + ", " + (bias ? attr(p + ".bias") : "None") + ", [" + s
        + ", " + s + "], [" + pad + ", " + pad + "], [1, 1], 1)";
}

/// The image encoder's last feature map as `x`: the imported encoder (registered as a submodule
/// image__backbone), or the built-in CNN.
void writeImageFeatures(std::ostringstream &o, const ModelConfig &c, const char *training = "False")
{
    if (c.imageBackbone.isSet()) {
        // The imported encoder (registered as a submodule): the dataset's normalisation turned into
        // the encoder's, then its feature map.
        const ImageBackbone &b = c.imageBackbone;
        o << "    x = image\n";
        if (c.imageChannels == 1 && b.channels == 3)
            o << "    x = x.repeat([1, 3, 1, 1])\n";
        else if (c.imageChannels == 3 && b.channels == 1)
            o << "    x = x.mean([1], True)\n";
        if (b.inputSize > 0)
            o << "    x = torch.upsample_bilinear2d(x, [" << b.inputSize << ", " << b.inputSize
              << "], False, None, None)\n";
        o << "    x = x * " << attr("image.input_scale") << " + " << attr("image.input_shift") << "\n";
        o << "    x = self.image__backbone.forward(x)\n";
        o << "    if x.dim() == 2:\n        x = x.unsqueeze(2).unsqueeze(3)\n";
        return;
    }
    o << "    x = torch.relu(" << batchNorm(conv("image", "image.stem.0", 2, 1), "image.stem.1", training) << ")\n";
    int channels = c.width;
    for (int i = 0; i < c.depth; ++i) {
        const int out = i == 0 ? channels : channels * 2;
        const std::string p = "image.stages." + std::to_string(i);
        o << "    y = torch.relu(" << batchNorm(conv("x", p + ".conv1", 2, 1), p + ".bn1", training) << ")\n";
        o << "    y = " << batchNorm(conv("y", p + ".conv2", 1, 1), p + ".bn2", training) << "\n";
        o << "    x = torch.relu(y + " << batchNorm(conv("x", p + ".project", 2, 0), p + ".bn_project", training)
          << ")\n";
        if (c.imageAdapters > 0) {
            const std::string a = "image.adapters." + std::to_string(i);
            o << "    x = x + " << conv("torch.relu(" + conv("x", a + ".0", 1, 0, true) + ")", a + ".2", 1, 0, true)
              << "\n";
        }
        channels = out;
    }
}

} // namespace

std::string torchScriptSource(const ModelConfig &c)
{
    std::ostringstream o;
    o << "def masked_softmax(self, scores: Tensor, mask: Tensor) -> Tensor:\n"
         "    w = torch.softmax(scores.masked_fill(mask.logical_not(), -1e9), -1) * mask.to(scores.dtype)\n"
         "    return w / (w.sum(-1, True) + 1e-12)\n\n";
    o << "def forward(self, image: Tensor, image_present: Tensor, record_values: Tensor, record_missing: Tensor, "
         "record_category: Tensor, record_present: Tensor, events: Tensor, event_mask: Tensor, "
         "history_present: Tensor"
      << (c.textVocab > 0 ? ", text_tokens: Tensor, text_mask: Tensor, text_present: Tensor" : "")
      << ") -> Tuple[Tensor, Tensor]:\n";
    o << "    B = record_values.size(0)\n";
    o << "    zeros = record_values.new_zeros([B, " << c.embedDim << "])\n";
    o << "    absent = record_values.new_zeros([B]) > 0.0\n";
    // Image encoder.
    if (c.usesImage()) {
        writeImageFeatures(o, c);
        o << "    C, h, w = x.size(1), x.size(2), x.size(3)\n";
        o << "    a = torch.softmax(" << conv("x", "image.score", 1, 0, true) << ".view([B, h * w]), 1)\n";
        o << "    pooled = torch.bmm(x.reshape([B, C, h * w]), a.unsqueeze(2)).squeeze(2)\n";
        o << "    e_image = " << linear("pooled", "image.project") << "\n";
        o << "    p_image = image_present\n";
    } else {
        o << "    e_image = zeros\n    p_image = absent\n";
    }
    // Record encoder.
    if (c.usesRecord() && c.numFields() > 0) {
        o << "    missing = record_missing.unsqueeze(2)\n";
        o << "    is_cat = (record_category > 0).to(record_values.dtype).unsqueeze(2)\n";
        o << "    numeric = record_values.unsqueeze(2) * " << attr("record.value_weight") << " + "
          << attr("record.value_bias") << "\n";
        o << "    cat_index = (record_category + " << attr("record.category_offsets")
          << ") * (record_category > 0).to(record_category.dtype)\n";
        o << "    category = torch.embedding(" << attr("record.categories.weight") << ", cat_index)\n";
        o << "    value = is_cat * category + (1.0 - is_cat) * numeric\n";
        o << "    tokens = " << attr("record.field_embedding") << " + (1.0 - missing) * value + missing * "
          << attr("record.missing_embedding") << "\n";
        o << "    tokens = tokens + "
          << linear("torch.relu(" + linear("tokens", "record.token_mlp.0") + ")", "record.token_mlp.2") << "\n";
        o << "    fw = torch.softmax(torch.matmul(torch.tanh(" << linear("tokens", "record.key") << "), "
          << attr("record.query") << "), 1)\n";
        o << "    e_record = " << linear("(fw.unsqueeze(2) * tokens).sum(1)", "record.project") << "\n";
        o << "    p_record = record_present\n";
    } else {
        o << "    e_record = zeros\n    p_record = absent\n";
    }
    // History encoder.
    if (c.usesHistory()) {
        const std::string rnn = c.rnn == QLatin1String("lstm") ? "lstm" : "gru";
        const std::string p = "history." + rnn;
        o << "    hx = torch.relu(" << linear("events", "history.input") << ")\n";
        o << "    h0 = hx.new_zeros([1, B, " << c.hidden << "])\n";
        o << "    params = [" << attr(p + ".weight_ih_l0") << ", " << attr(p + ".weight_hh_l0") << ", "
          << attr(p + ".bias_ih_l0") << ", " << attr(p + ".bias_hh_l0") << "]\n";
        if (rnn == "lstm")
            o << "    out, _h, _c = torch.lstm(hx, [h0, h0], params, True, 1, 0.0, False, False, True)\n";
        else
            o << "    out, _h = torch.gru(hx, h0, params, True, 1, 0.0, False, False, True)\n";
        o << "    tw = self.masked_softmax(torch.matmul(torch.tanh(" << linear("out", "history.key") << "), "
          << attr("history.query") << "), event_mask)\n";
        o << "    e_history = " << linear("(tw.unsqueeze(2) * out).sum(1)", "history.project") << "\n";
        o << "    p_history = history_present\n";
    } else {
        o << "    e_history = zeros\n    p_history = absent\n";
    }
    // Text encoder.
    if (c.usesText()) {
        const int D = c.embedDim, H = c.textHeads, dh = D / H;
        const bool gru = c.textEncoder == QLatin1String("gru");
        o << "    L = text_tokens.size(1)\n";
        if (gru) {
            // Each direction reads the real tokens only: the backward GRU runs on every note
            // reversed within its own length, and its states are put back in reading order.
            auto params = [](const std::string &p) {
                return "[" + attr(p + ".weight_ih_l0") + ", " + attr(p + ".weight_hh_l0") + ", "
                    + attr(p + ".bias_ih_l0") + ", " + attr(p + ".bias_hh_l0") + "]";
            };
            const int half = D / 2;
            o << "    x = torch.embedding(" << attr("text.tokens.weight") << ", text_tokens, 0)\n";
            o << "    n = text_mask.long().sum(1, True)\n";
            o << "    t = torch.arange(L, device=x.device).unsqueeze(0)\n";
            o << "    order = torch.where(t < n, n - 1 - t, t).unsqueeze(2)\n";
            o << "    xr = x.gather(1, order.expand([B, L, " << D << "]))\n";
            o << "    fo, _hf = torch.gru(x, x.new_zeros([1, B, " << half << "]), " << params("text.gru_forward")
              << ", True, 1, 0.0, False, False, True)\n";
            o << "    bo, _hb = torch.gru(xr, x.new_zeros([1, B, " << D - half << "]), " << params("text.gru_backward")
              << ", True, 1, 0.0, False, False, True)\n";
            o << "    x = torch.cat([fo, bo.gather(1, order.expand([B, L, " << D - half << "]))], 2)\n";
        } else {
            o << "    x = torch.embedding(" << attr("text.tokens.weight") << ", text_tokens, 0) + torch.narrow("
              << attr("text.position") << ", 0, 0, L)\n";
            o << "    key_mask = text_mask.view([B, 1, 1, L])\n";
        }
        for (int i = 0; !gru && i < c.textLayers; ++i) {
            const std::string p = "text.layers." + std::to_string(i);
            o << "    qkv = " << linear(layerNorm("x", p + ".norm1", D), p + ".qkv") << "\n";
            o << "    qkv = qkv.view([B, L, 3, " << H << ", " << dh << "]).permute([2, 0, 3, 1, 4])\n";
            o << "    scores = torch.matmul(qkv[0], qkv[1].transpose(-2, -1)) / " << std::sqrt(static_cast<double>(dh))
              << "\n";
            o << "    att = torch.softmax(scores.masked_fill(key_mask.logical_not(), -1e9), -1)\n";
            o << "    heads = torch.matmul(att, qkv[2]).permute([0, 2, 1, 3]).reshape([B, L, " << D << "])\n";
            o << "    x = x + " << linear("heads", p + ".out") << "\n";
            o << "    x = x + "
              << linear("torch.relu(" + linear(layerNorm("x", p + ".norm2", D), p + ".ff1") + ")", p + ".ff2") << "\n";
        }
        o << "    x = " << layerNorm("x", "text.norm", D) << "\n";
        o << "    xw = self.masked_softmax(torch.matmul(torch.tanh(" << linear("x", "text.key") << "), "
          << attr("text.query") << "), text_mask)\n";
        o << "    e_text = " << linear("(xw.unsqueeze(2) * x).sum(1)", "text.project") << "\n";
        o << "    p_text = text_present\n";
    } else if (c.textVocab > 0) {
        o << "    e_text = zeros\n    p_text = absent\n";
    }
    const char *text = c.textVocab > 0 ? ", e_text" : "";
    const char *textPresent = c.textVocab > 0 ? ", p_text" : "";
    o << "    E = torch.stack([e_image, e_record, e_history" << text << "], 1)\n";
    o << "    mask = torch.stack([p_image, p_record, p_history" << textPresent << "], 1)\n";
    o << "    m = mask.to(E.dtype)\n";
    switch (c.fusion) {
    case FusionVariant::Attention:
        o << "    xm = E + " << attr("modality_type") << "\n";
        o << "    mw = self.masked_softmax(torch.matmul(" << linear("xm", "fusion_key") << ", " << attr("fusion_query")
          << ") / " << std::sqrt(static_cast<double>(c.embedDim)) << ", mask)\n";
        o << "    values = torch.einsum('bmd,mde->bme', [xm, " << attr("fusion_value_weight") << "]) + "
          << attr("fusion_value_bias") << "\n";
        o << "    fused = ((mw * m.sum(1, True)).unsqueeze(2) * values).sum(1)\n";
        break;
    case FusionVariant::Concat:
        o << "    fused = torch.cat([(E * m.unsqueeze(2)).flatten(1), m], 1)\n";
        o << "    mw = m / (m.sum(1, True) + 1e-12)\n";
        break;
    default: {
        const int which = c.fusion == FusionVariant::Image ? 0
            : c.fusion == FusionVariant::Record            ? 1
            : c.fusion == FusionVariant::History           ? 2
                                                           : 3;
        o << "    fused = E.select(1, " << which << ")\n";
        o << "    mw = torch.zeros_like(m)\n";
        o << "    mw[:, " << which << "] = 1.0\n";
    }
    }
    o << "    logits = " << linear("torch.relu(" + linear("fused", "head.0") + ")", "head.3") << "\n";
    o << "    return logits, mw\n";
    return o.str();
}

Status exportTorchScript(FusionNet &model, const QString &path)
{
    try {
        torch::jit::Module m("LeptonFusionNet");
        // An imported encoder goes in as the module it came as, with the run's values (the copy
        // holds them: its tensors are the model's); its tensors are not repeated at the top level.
        const auto fromBackbone = [](const std::string &name) { return name.rfind("image.backbone__", 0) == 0; };
        if (ImageEncoder encoder = model->imageEncoder(); encoder && encoder->backbone()) {
            torch::jit::Module copy = encoder->backbone()->deepcopy();
            copy.to(torch::kCPU);
            copy.eval();
            m.register_module("image__backbone", copy);
        }
        for (const auto &p : model->named_parameters())
            if (!fromBackbone(p.key()))
                m.register_parameter(attr(p.key()).substr(5), p.value().detach().to(torch::kCPU).clone(), false);
        for (const auto &b : model->named_buffers())
            if (!fromBackbone(b.key()))
                m.register_buffer(attr(b.key()).substr(5), b.value().detach().to(torch::kCPU).clone());
        m.define(torchScriptSource(model->config()));
        m.eval();
        m.save(path.toStdString());
        return Status();
    } catch (const c10::Error &e) {
        return Status::failure(QStringLiteral("%1: TorchScript export failed: %2")
                                   .arg(path, QString::fromStdString(e.what_without_backtrace())));
    } catch (const std::exception &e) {
        return Status::failure(
            QStringLiteral("%1: TorchScript export failed: %2").arg(path, QString::fromUtf8(e.what())));
    }
}

Result<QByteArray> exportImageFeatures(ImageEncoder &encoder, const ModelConfig &config)
{
    using R = Result<QByteArray>;
    if (encoder->backbone() || config.imageAdapters > 0)
        return R::failure(QStringLiteral("only the built-in image encoder without adapters is written this way"));
    try {
        torch::jit::Module m("LeptonImageEncoder");
        m.register_attribute("training", c10::BoolType::get(), false);
        const auto keep
            = [](const std::string &name) { return name.rfind("stem.", 0) == 0 || name.rfind("stages.", 0) == 0; };
        for (const auto &p : encoder->named_parameters())
            if (keep(p.key()))
                m.register_parameter(
                    attr("image." + p.key()).substr(5), p.value().detach().to(torch::kCPU).clone(), false);
        for (const auto &b : encoder->named_buffers())
            if (keep(b.key()))
                m.register_buffer(attr("image." + b.key()).substr(5), b.value().detach().to(torch::kCPU).clone());
        std::ostringstream o;
        o << "def forward(self, image: Tensor) -> Tensor:\n";
        writeImageFeatures(o, config, "self.training");
        o << "    return x\n";
        m.define(o.str());
        m.eval();
        std::ostringstream bytes;
        m.save(bytes);
        const std::string out = bytes.str();
        return QByteArray(out.data(), static_cast<qsizetype>(out.size()));
    } catch (const std::exception &e) {
        return R::failure(QStringLiteral("the image encoder cannot be written as TorchScript: %1")
                              .arg(QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
    }
}

} // namespace lepton
