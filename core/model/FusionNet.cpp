// SPDX-License-Identifier: GPL-3.0-or-later
#include "FusionNet.h"

#include "model/BackboneModule.h"

#include <cmath>

namespace lepton {
namespace F = torch::nn::functional;

namespace {

/// Softmax over the last dimension restricted to `mask`; rows with nothing valid get zeros
/// (not NaN), which is what "modality absent" must mean downstream.
torch::Tensor maskedSoftmax(const torch::Tensor &scores, const torch::Tensor &mask)
{
    const torch::Tensor filled = scores.masked_fill(mask.logical_not(), -1e9);
    torch::Tensor w = torch::softmax(filled, -1) * mask.to(scores.dtype());
    return w / (w.sum(-1, true) + 1e-12);
}

} // namespace

ResidualBlockImpl::ResidualBlockImpl(int in, int out, int stride)
{
    m_conv1 = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
    m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(out));
    m_conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
    m_bn2 = register_module("bn2", torch::nn::BatchNorm2d(out));
    if (in != out || stride != 1) {
        m_project = register_module(
            "project", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
        m_bnProject = register_module("bn_project", torch::nn::BatchNorm2d(out));
    }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor &x)
{
    torch::Tensor y = torch::relu(m_bn1(m_conv1(x)));
    y = m_bn2(m_conv2(y));
    const torch::Tensor shortcut = m_project ? m_bnProject(m_project(x)) : x;
    return torch::relu(y + shortcut);
}

ImageEncoderImpl::ImageEncoderImpl(const ModelConfig &c)
{
    if (c.imageBackbone.isSet()) {
        const ImageBackbone &b = c.imageBackbone;
        auto loaded = loadBackboneModule(b.module, QStringLiteral("image encoder %1").arg(b.name));
        if (!loaded)
            throw std::runtime_error(loaded.error().toStdString());
        m_backbone = std::make_shared<torch::jit::Module>(loaded.value());
        auto flat = [](const std::string &name) { // '.' cannot be in a parameter's name
            std::string s = "backbone__" + name;
            for (std::size_t i = s.find('.'); i != std::string::npos; i = s.find('.', i + 2))
                s.replace(i, 1, "__");
            return s;
        };
        for (const auto &p : m_backbone->named_parameters(true))
            register_parameter(flat(p.name), p.value, true);
        for (const auto &t : m_backbone->named_buffers(true))
            register_buffer(flat(t.name), t.value);
        m_backboneChannels = b.channels;
        m_backboneInputSize = b.inputSize;
        // x01 = x * data_std + data_mean, then (x01 - mean_c) / std_c, as one scale and shift.
        std::vector<float> scale, shift;
        for (int i = 0; i < b.channels; ++i) {
            scale.push_back(static_cast<float>(b.dataStd / b.std[static_cast<std::size_t>(i)]));
            shift.push_back(static_cast<float>(
                (b.dataMean - b.mean[static_cast<std::size_t>(i)]) / b.std[static_cast<std::size_t>(i)]));
        }
        m_inputScale = register_buffer("input_scale", torch::tensor(scale).view({ 1, b.channels, 1, 1 }));
        m_inputShift = register_buffer("input_shift", torch::tensor(shift).view({ 1, b.channels, 1, 1 }));
        m_score = register_module("score", torch::nn::Conv2d(torch::nn::Conv2dOptions(b.features, 1, 1)));
        m_project = register_module("project", torch::nn::Linear(b.features, c.embedDim));
        return;
    }
    m_stem = register_module("stem",
        torch::nn::Sequential(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(c.imageChannels, c.width, 3).stride(2).padding(1).bias(false)),
            torch::nn::BatchNorm2d(c.width), torch::nn::ReLU()));
    m_stages = torch::nn::Sequential();
    if (c.imageAdapters > 0)
        m_adapters = torch::nn::ModuleList();
    int channels = c.width;
    for (int i = 0; i < c.depth; ++i) {
        const int out = i == 0 ? channels : channels * 2;
        m_stages->push_back(ResidualBlock(channels, out, 2));
        if (!m_adapters.is_empty()) {
            // A residual bottleneck whose up-projection starts at zero: the encoder it is added to
            // computes exactly what it did until the adapter learns something.
            torch::nn::Conv2d up(torch::nn::Conv2dOptions(c.imageAdapters, out, 1));
            torch::NoGradGuard noGrad;
            up->weight.zero_();
            up->bias.zero_();
            m_adapters->push_back(torch::nn::Sequential(
                torch::nn::Conv2d(torch::nn::Conv2dOptions(out, c.imageAdapters, 1)), torch::nn::ReLU(), up));
        }
        channels = out;
    }
    register_module("stages", m_stages);
    if (!m_adapters.is_empty())
        register_module("adapters", m_adapters);
    m_score = register_module("score", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 1, 1)));
    m_project = register_module("project", torch::nn::Linear(channels, c.embedDim));
}

torch::Tensor ImageEncoderImpl::backboneFeatures(const torch::Tensor &image)
{
    torch::Tensor x = image;
    if (x.size(1) != m_backboneChannels)
        x = m_backboneChannels == 3 ? x.expand({ -1, 3, -1, -1 }) : x.mean(1, true);
    if (m_backboneInputSize > 0 && (x.size(2) != m_backboneInputSize || x.size(3) != m_backboneInputSize))
        x = F::interpolate(x,
            F::InterpolateFuncOptions()
                .size(std::vector<std::int64_t> { m_backboneInputSize, m_backboneInputSize })
                .mode(torch::kBilinear)
                .align_corners(false));
    x = x * m_inputScale + m_inputShift;
    torch::Tensor f = m_backbone->forward({ x }).toTensor();
    return f.dim() == 2 ? f.unsqueeze(2).unsqueeze(3) : f;
}

void ImageEncoderImpl::train(bool on)
{
    // As with the built-in layers, a mode change ends a freeze's hold on the batch norms;
    // setBaseFrozen after train() sets it again.
    torch::nn::Module::train(on);
    if (m_backbone)
        m_backbone->train(on);
}

torch::Tensor ImageEncoderImpl::forward(const torch::Tensor &image, torch::Tensor *attention, torch::Tensor *features)
{
    torch::Tensor f;
    if (m_backbone) {
        f = backboneFeatures(image);
    } else {
        f = m_stem->forward(image);
        for (std::size_t i = 0; i < m_stages->size(); ++i) {
            f = m_stages[i]->as<ResidualBlock>()->forward(f);
            if (!m_adapters.is_empty())
                f = f + m_adapters[i]->as<torch::nn::Sequential>()->forward(f);
        }
    } // f: [B, C, h, w]
    const auto B = f.size(0), C = f.size(1), h = f.size(2), w = f.size(3);
    // Spatial attention pooling: one softmax over the h×w positions is the inspectable map.
    const torch::Tensor a = torch::softmax(m_score(f).view({ B, h * w }), 1);
    const torch::Tensor pooled = torch::bmm(f.reshape({ B, C, h * w }), a.unsqueeze(2)).squeeze(2);
    if (attention)
        *attention = a.view({ B, h, w });
    if (features)
        *features = f;
    return m_project(pooled);
}

void ImageEncoderImpl::setBaseFrozen(bool frozen, bool projection)
{
    if (m_backbone) {
        for (const auto &p : m_backbone->parameters())
            p.set_requires_grad(!frozen);
        if (frozen)
            m_backbone->eval();
        else
            m_backbone->train(is_training());
    } else {
        for (torch::nn::Module *part : { m_stem.get(), m_stages.get() }) {
            for (auto &p : part->parameters())
                p.set_requires_grad(!frozen);
            if (frozen)
                part->eval();
        }
    }
    if (projection)
        for (auto &p : m_project->parameters())
            p.set_requires_grad(!frozen);
}

RecordEncoderImpl::RecordEncoderImpl(const ModelConfig &c) : m_fields(c.numFields())
{
    const int F = std::max(1, m_fields), D = c.embedDim;
    m_fieldEmbedding = register_parameter("field_embedding", torch::randn({ F, D }) * 0.1);
    m_valueWeight = register_parameter("value_weight", torch::randn({ F, D }) * 0.1);
    m_valueBias = register_parameter("value_bias", torch::zeros({ F, D }));
    m_missingEmbedding = register_parameter("missing_embedding", torch::randn({ F, D }) * 0.1);
    // All fields' categories share one table; field f's categories start at its offset.
    std::vector<std::int64_t> offsets;
    std::int64_t total = 1; // row 0: unused (numeric fields, unknown categories)
    for (int n : c.fieldCategories) {
        offsets.push_back(total);
        total += n + 1;
    }
    if (offsets.empty())
        offsets.push_back(0);
    m_categoryOffsets = register_buffer("category_offsets", torch::tensor(offsets, torch::kInt64));
    m_categories = register_module("categories", torch::nn::Embedding(torch::nn::EmbeddingOptions(total, D)));
    // A per-token MLP (residual) lets each field's value act non-linearly (a log-normal lab
    // value, a threshold) before the tokens are pooled.
    m_tokenMlp = register_module("token_mlp",
        torch::nn::Sequential(torch::nn::Linear(D, 2 * D), torch::nn::ReLU(), torch::nn::Linear(2 * D, D)));
    m_key = register_module("key", torch::nn::Linear(D, D));
    m_query = register_parameter("query", torch::randn({ D }) * 0.1);
    m_project = register_module("project", torch::nn::Linear(D, D));
}

torch::Tensor RecordEncoderImpl::forward(const Batch &b, torch::Tensor *weights)
{
    const auto B = b.recordValues.size(0);
    if (m_fields == 0) {
        if (weights)
            *weights = torch::zeros({ B, 0 }, b.recordValues.options());
        return torch::zeros({ B, m_query.size(0) }, b.recordValues.options());
    }
    const torch::Tensor missing = b.recordMissing.unsqueeze(2); // [B, F, 1]
    const torch::Tensor isCat = (b.recordCategory > 0).to(b.recordValues.dtype()).unsqueeze(2);
    const torch::Tensor numeric = b.recordValues.unsqueeze(2) * m_valueWeight + m_valueBias; // [B, F, D]
    const torch::Tensor catIndex = (b.recordCategory + m_categoryOffsets) * (b.recordCategory > 0).to(torch::kInt64);
    const torch::Tensor category = m_categories(catIndex);
    const torch::Tensor value = isCat * category + (1.0 - isCat) * numeric;
    torch::Tensor tokens = m_fieldEmbedding + (1.0 - missing) * value + missing * m_missingEmbedding;
    tokens = tokens + m_tokenMlp->forward(tokens);
    const torch::Tensor scores = torch::matmul(torch::tanh(m_key(tokens)), m_query); // [B, F]
    const torch::Tensor w = torch::softmax(scores, 1);
    if (weights)
        *weights = w;
    return m_project((w.unsqueeze(2) * tokens).sum(1));
}

HistoryEncoderImpl::HistoryEncoderImpl(const ModelConfig &c)
{
    m_input = register_module("input", torch::nn::Linear(c.eventWidth, c.hidden));
    if (c.rnn == QLatin1String("lstm"))
        m_lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(c.hidden, c.hidden).batch_first(true)));
    else
        m_gru = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(c.hidden, c.hidden).batch_first(true)));
    m_key = register_module("key", torch::nn::Linear(c.hidden, c.hidden));
    m_query = register_parameter("query", torch::randn({ c.hidden }) * 0.1);
    m_project = register_module("project", torch::nn::Linear(c.hidden, c.embedDim));
}

torch::Tensor HistoryEncoderImpl::forward(const Batch &b, torch::Tensor *weights)
{
    const torch::Tensor x = torch::relu(m_input(b.events)); // [B, T, H]
    // Padding comes after the real events, and the RNN runs forward, so the outputs at real
    // steps never see padding; the attention mask then ignores the padded steps.
    const torch::Tensor out = m_gru ? std::get<0>(m_gru(x)) : std::get<0>(m_lstm(x));
    const torch::Tensor scores = torch::matmul(torch::tanh(m_key(out)), m_query); // [B, T]
    const torch::Tensor w = maskedSoftmax(scores, b.eventMask);
    if (weights)
        *weights = w;
    return m_project((w.unsqueeze(2) * out).sum(1));
}

TextEncoderImpl::TextEncoderImpl(const ModelConfig &c) : m_heads(c.textHeads), m_tokenDropout(c.textTokenDropout)
{
    const int D = c.embedDim;
    m_tokens = register_module(
        "tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(std::max(2, c.textVocab), D).padding_idx(0)));
    m_layers = torch::nn::ModuleList();
    if (c.textEncoder == QLatin1String("gru")) {
        const int half = D / 2;
        m_forwardGru = register_module("gru_forward", torch::nn::GRU(torch::nn::GRUOptions(D, half).batch_first(true)));
        m_backwardGru
            = register_module("gru_backward", torch::nn::GRU(torch::nn::GRUOptions(D, D - half).batch_first(true)));
    } else {
        m_position = register_parameter("position", torch::randn({ c.textMaxTokens, D }) * 0.02);
    }
    for (int i = 0; m_position.defined() && i < c.textLayers; ++i) {
        auto layer = torch::nn::ModuleDict();
        layer->update(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> {
            { "norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({ D })).ptr() },
            { "qkv", torch::nn::Linear(D, 3 * D).ptr() }, { "out", torch::nn::Linear(D, D).ptr() },
            { "norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({ D })).ptr() },
            { "ff1", torch::nn::Linear(D, 2 * D).ptr() }, { "ff2", torch::nn::Linear(2 * D, D).ptr() } });
        m_layers->push_back(layer);
    }
    register_module("layers", m_layers);
    m_norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({ D })));
    m_key = register_module("key", torch::nn::Linear(D, D));
    m_query = register_parameter("query", torch::randn({ D }) * 0.1);
    m_project = register_module("project", torch::nn::Linear(D, D));
}

torch::Tensor TextEncoderImpl::embed(const torch::Tensor &tokens)
{
    // Token ids as the tokenizer assigns them: 0 padding, 1 the unknown token.
    constexpr std::int64_t unknown = 1;
    if (is_training() && m_tokenDropout > 0.0) {
        const torch::Tensor drop
            = (torch::rand(tokens.sizes(), torch::TensorOptions().device(tokens.device())) < m_tokenDropout)
                  .logical_and(tokens > unknown);
        return m_tokens(tokens.masked_fill(drop, unknown));
    }
    return m_tokens(tokens);
}

torch::Tensor TextEncoderImpl::forward(const torch::Tensor &embedded, const torch::Tensor &mask, torch::Tensor *weights)
{
    const torch::Tensor x = m_norm(m_forwardGru ? recurrent(embedded, mask) : transformer(embedded, mask));
    const torch::Tensor w = maskedSoftmax(torch::matmul(torch::tanh(m_key(x)), m_query), mask); // [B, L]
    if (weights)
        *weights = w;
    return m_project((w.unsqueeze(2) * x).sum(1));
}

torch::Tensor TextEncoderImpl::transformer(const torch::Tensor &embedded, const torch::Tensor &mask)
{
    const auto B = embedded.size(0), L = embedded.size(1), D = embedded.size(2);
    const auto H = static_cast<std::int64_t>(m_heads), dh = D / H;
    torch::Tensor x = embedded + m_position.slice(0, 0, L);
    // Keys that are padding are masked out of every query's attention.
    const torch::Tensor keyMask = mask.view({ B, 1, 1, L });
    for (const auto &module : *m_layers) {
        auto &layer = *module->as<torch::nn::ModuleDict>();
        auto linear = [&](const char *name, const torch::Tensor &in) {
            return layer[name]->as<torch::nn::Linear>()->forward(in);
        };
        auto norm = [&](const char *name, const torch::Tensor &in) {
            return layer[name]->as<torch::nn::LayerNorm>()->forward(in);
        };
        const torch::Tensor qkv = linear("qkv", norm("norm1", x)).view({ B, L, 3, H, dh }).permute({ 2, 0, 3, 1, 4 });
        const torch::Tensor scores
            = torch::matmul(qkv[0], qkv[1].transpose(-2, -1)) / std::sqrt(static_cast<double>(dh)); // [B, H, L, L]
        const torch::Tensor attention = torch::softmax(scores.masked_fill(keyMask.logical_not(), -1e9), -1);
        const torch::Tensor heads = torch::matmul(attention, qkv[2]).permute({ 0, 2, 1, 3 }).reshape({ B, L, D });
        x = x + linear("out", heads);
        x = x + linear("ff2", torch::relu(linear("ff1", norm("norm2", x))));
    }
    return x;
}

torch::Tensor TextEncoderImpl::recurrent(const torch::Tensor &embedded, const torch::Tensor &mask)
{
    const auto B = embedded.size(0), L = embedded.size(1), D = embedded.size(2);
    // Reverse each note within its own length (padding stays at the end), so the backward GRU
    // starts at the last real token rather than at the padding; the permutation is its own inverse.
    const torch::Tensor length = mask.to(torch::kInt64).sum(1, true); // [B, 1]
    const torch::Tensor t = torch::arange(L, length.options()).unsqueeze(0); // [1, L]
    const torch::Tensor order = torch::where(t < length, length - 1 - t, t).unsqueeze(2); // [B, L, 1]
    const torch::Tensor reversed = embedded.gather(1, order.expand({ B, L, D }));
    const torch::Tensor forward = std::get<0>(m_forwardGru(embedded));
    const torch::Tensor backward = std::get<0>(m_backwardGru(reversed));
    return torch::cat({ forward, backward.gather(1, order.expand({ B, L, backward.size(2) })) }, 2);
}

FusionNetImpl::FusionNetImpl(const ModelConfig &config) : m_config(config)
{
    const int M = config.modalitySlots();
    const int D = config.embedDim;
    if (config.usesImage())
        m_image = register_module("image", ImageEncoder(config));
    if (config.usesRecord())
        m_record = register_module("record", RecordEncoder(config));
    if (config.usesHistory())
        m_history = register_module("history", HistoryEncoder(config));
    if (config.usesText())
        m_text = register_module("text", TextEncoder(config));
    int headIn = D;
    if (config.fusion == FusionVariant::Attention) {
        m_modalityType = register_parameter("modality_type", torch::randn({ M, D }) * 0.1);
        m_fusionQuery = register_parameter("fusion_query", torch::randn({ D }) * 0.1);
        m_fusionKey = register_module("fusion_key", torch::nn::Linear(D, D));
        m_fusionValueWeight
            = register_parameter("fusion_value_weight", torch::randn({ M, D, D }) / std::sqrt(static_cast<double>(D)));
        m_fusionValueBias = register_parameter("fusion_value_bias", torch::zeros({ M, D }));
    } else if (config.fusion == FusionVariant::Concat) {
        headIn = M * D + M;
    }
    m_head = register_module("head",
        torch::nn::Sequential(torch::nn::Linear(headIn, D), torch::nn::ReLU(), torch::nn::Dropout(config.dropout),
            torch::nn::Linear(D, config.numClasses)));
}

FixedEmbeddings FusionNetImpl::embedImageAndHistory(const Batch &b)
{
    FixedEmbeddings e;
    if (m_image)
        e.image = m_image(b.image, nullptr, nullptr);
    if (m_history)
        e.history = m_history(b, nullptr);
    if (m_text && b.textTokens.defined())
        e.text = m_text(m_text->embed(b.textTokens), b.textMask, nullptr);
    return e;
}

FusionOutput FusionNetImpl::forward(const Batch &b, const FixedEmbeddings &fixed)
{
    FusionOutput out;
    const auto B = b.labels.size(0);
    const auto opts = b.recordValues.options();
    const int D = m_config.embedDim;
    const int M = m_config.modalitySlots();
    std::vector<torch::Tensor> embeddings(static_cast<std::size_t>(M)), present(static_cast<std::size_t>(M));
    if (m_image) {
        embeddings[0] = fixed.image.defined() ? fixed.image.expand({ B, D })
                                              : m_image(b.image, &out.imageAttention, &out.imageFeatures);
        present[0] = b.imagePresent;
    }
    if (m_record) {
        embeddings[1] = fixed.record.defined() ? fixed.record.expand({ B, D }) : m_record(b, &out.fieldWeights);
        present[1] = b.recordPresent;
    }
    if (m_history) {
        embeddings[2] = fixed.history.defined() ? fixed.history.expand({ B, D }) : m_history(b, &out.temporalWeights);
        present[2] = b.historyPresent;
    }
    if (m_text && b.textTokens.defined()) {
        if (fixed.text.defined()) {
            embeddings[3] = fixed.text.expand({ B, D });
        } else {
            const torch::Tensor embedded
                = fixed.tokenEmbeddings.defined() ? fixed.tokenEmbeddings : m_text->embed(b.textTokens);
            embeddings[3] = m_text(embedded, b.textMask, &out.tokenWeights);
        }
        present[3] = b.textPresent;
    }
    for (std::size_t m = 0; m < embeddings.size(); ++m) {
        if (!embeddings[m].defined()) {
            embeddings[m] = torch::zeros({ B, D }, opts);
            present[m] = torch::zeros({ B }, torch::TensorOptions().dtype(torch::kBool).device(opts.device()));
        }
    }
    torch::Tensor mask = torch::stack(present, 1); // [B, 3]
    if (is_training() && m_config.modalityDropout > 0.0
        && (m_config.fusion == FusionVariant::Attention || m_config.fusion == FusionVariant::Concat)) {
        // Hide present modalities at random so the model learns to work with any subset,
        // but never hide all of a case's modalities.
        const torch::Tensor drop = torch::rand({ B, M }, opts) < m_config.modalityDropout;
        const torch::Tensor kept = mask.logical_and(drop.logical_not());
        const torch::Tensor anyKept = kept.any(1, true);
        mask = torch::where(anyKept, kept, mask);
    }
    const torch::Tensor E = torch::stack(embeddings, 1); // [B, M, D]
    torch::Tensor fused;
    switch (m_config.fusion) {
    case FusionVariant::Attention: {
        const torch::Tensor x = E + m_modalityType;
        const torch::Tensor scores = torch::matmul(m_fusionKey(x), m_fusionQuery) / std::sqrt(static_cast<double>(D));
        out.modalityWeights = maskedSoftmax(scores, mask);
        // Each modality has its own value projection, so evidence from different modalities
        // lands in different directions; weighting by attention × number present makes equal
        // attention a sum of evidence rather than an average of it.
        const torch::Tensor values = torch::einsum("bmd,mde->bme", { x, m_fusionValueWeight }) + m_fusionValueBias;
        const torch::Tensor present = mask.to(opts.dtype()).sum(1, true);
        fused = ((out.modalityWeights * present).unsqueeze(2) * values).sum(1);
        break;
    }
    case FusionVariant::Concat: {
        const torch::Tensor m = mask.to(opts.dtype());
        fused = torch::cat({ (E * m.unsqueeze(2)).flatten(1), m }, 1);
        out.modalityWeights = m / (m.sum(1, true) + 1e-12);
        break;
    }
    case FusionVariant::Image:
    case FusionVariant::Record:
    case FusionVariant::History:
    case FusionVariant::Text: {
        const int which = m_config.fusion == FusionVariant::Image ? 0
            : m_config.fusion == FusionVariant::Record            ? 1
            : m_config.fusion == FusionVariant::History           ? 2
                                                                  : 3;
        fused = embeddings[static_cast<std::size_t>(which)];
        out.modalityWeights = torch::zeros({ B, M }, opts);
        out.modalityWeights.select(1, which).fill_(1.0);
        break;
    }
    }
    out.logits = m_head->forward(fused);
    return out;
}

} // namespace lepton
