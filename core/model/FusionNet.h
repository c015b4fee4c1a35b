// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dataset/Batch.h"
#include "model/ModelConfig.h"

#include <torch/nn.h>

#include <memory>

namespace torch::jit {
struct Module;
}

namespace lepton {

/// What one forward pass gives: the logits and every attention the explainer and inspector
/// read, so that no second pass is needed. Tensors of modalities the variant does not use are
/// undefined.
struct FusionOutput
{
    torch::Tensor logits; ///< [B, classes]
    torch::Tensor modalityWeights; ///< [B, M]: image, record, history (, text) (0 where absent)
    torch::Tensor imageAttention; ///< [B, h, w] softmax over feature-map positions
    torch::Tensor imageFeatures; ///< [B, C, h, w] last conv block (for Grad-CAM)
    torch::Tensor fieldWeights; ///< [B, F]
    torch::Tensor temporalWeights; ///< [B, T] (0 on padding)
    torch::Tensor tokenWeights; ///< [B, L] token attention of the note (0 on padding)
};

/// Modality embeddings computed once and reused for many variants of one case (explanations vary
/// only the record): a defined tensor ([1, D] or [B, D]) stands in for that encoder's output.
struct FixedEmbeddings
{
    torch::Tensor image, record, history, text;
    /// Token embeddings [B, L, D] to use instead of looking the batch's tokens up (Integrated
    /// Gradients scales them).
    torch::Tensor tokenEmbeddings;
};

/// A residual block: two 3×3 convolutions with batch norm, a 1×1 projection when the shape changes.
class ResidualBlockImpl : public torch::nn::Module
{
public:
    ResidualBlockImpl(int in, int out, int stride);
    torch::Tensor forward(const torch::Tensor &x);

private:
    torch::nn::Conv2d m_conv1 { nullptr }, m_conv2 { nullptr }, m_project { nullptr };
    torch::nn::BatchNorm2d m_bn1 { nullptr }, m_bn2 { nullptr }, m_bnProject { nullptr };
};
TORCH_MODULE(ResidualBlock);

/// F_CNN: a small residual CNN ending in spatial attention pooling; or an imported TorchScript
/// encoder (config.imageBackbone) whose feature map the same attention pools. The imported
/// module's parameters and buffers are this module's too (`backbone__…`, the same tensors), so
/// the optimizer, checkpoints and devices treat them as any other.
class ImageEncoderImpl : public torch::nn::Module
{
public:
    /// Throws std::runtime_error when the imported encoder's file cannot be loaded.
    explicit ImageEncoderImpl(const ModelConfig &config);
    /// Returns the embedding [B, D]; fills attention [B, h, w] and features [B, C, h, w].
    torch::Tensor forward(const torch::Tensor &image, torch::Tensor *attention, torch::Tensor *features);
    /// Freezes (or frees) the convolutions and batch norms of the stem and the stages: their
    /// parameters stop taking gradients and, frozen, their batch norms use the running statistics
    /// even in training. Call after train(). Adapters and the attention score are left as they are;
    /// the projection too, unless `projection` (adapters train without it).
    void setBaseFrozen(bool frozen, bool projection = false);
    bool hasAdapters() const { return !m_adapters.is_empty(); }
    /// The imported encoder; null for the built-in one.
    std::shared_ptr<torch::jit::Module> backbone() const { return m_backbone; }
    /// Also sets the imported encoder's mode (which setBaseFrozen then keeps in evaluation).
    void train(bool on = true) override;

private:
    torch::Tensor backboneFeatures(const torch::Tensor &image);

    std::shared_ptr<torch::jit::Module> m_backbone;
    int m_backboneChannels = 0, m_backboneInputSize = 0;
    torch::Tensor m_inputScale, m_inputShift; ///< [1, C, 1, 1]: the dataset's normalisation to the encoder's
    torch::nn::Sequential m_stem { nullptr }; ///< built-in encoder only
    torch::nn::Sequential m_stages { nullptr };
    torch::nn::ModuleList m_adapters { nullptr }; ///< per stage: 1×1 down, ReLU, 1×1 up (starts at zero)
    torch::nn::Conv2d m_score { nullptr };
    torch::nn::Linear m_project { nullptr };
};
TORCH_MODULE(ImageEncoder);

/// Static record fields as tokens (field identity + value or category + missing marker),
/// pooled by field attention.
class RecordEncoderImpl : public torch::nn::Module
{
public:
    explicit RecordEncoderImpl(const ModelConfig &config);
    torch::Tensor forward(const Batch &batch, torch::Tensor *weights);

private:
    int m_fields;
    torch::Tensor m_fieldEmbedding, m_valueWeight, m_valueBias, m_missingEmbedding, m_categoryOffsets;
    torch::nn::Embedding m_categories { nullptr };
    torch::nn::Sequential m_tokenMlp { nullptr };
    torch::nn::Linear m_key { nullptr };
    torch::Tensor m_query;
    torch::nn::Linear m_project { nullptr };
};
TORCH_MODULE(RecordEncoder);

/// F_RNN: the event history through a GRU or LSTM with masked temporal attention pooling.
class HistoryEncoderImpl : public torch::nn::Module
{
public:
    explicit HistoryEncoderImpl(const ModelConfig &config);
    torch::Tensor forward(const Batch &batch, torch::Tensor *weights);

private:
    torch::nn::Linear m_input { nullptr };
    torch::nn::GRU m_gru { nullptr };
    torch::nn::LSTM m_lstm { nullptr };
    torch::nn::Linear m_key { nullptr };
    torch::Tensor m_query;
    torch::nn::Linear m_project { nullptr };
};
TORCH_MODULE(HistoryEncoder);

/// The note: token embeddings, then either learned positions and a small pre-norm Transformer
/// encoder with the padding masked, or a bidirectional GRU (each direction reads only the real
/// tokens), then token attention pooling (the inspectable weights).
class TextEncoderImpl : public torch::nn::Module
{
public:
    explicit TextEncoderImpl(const ModelConfig &config);
    /// Token embeddings [B, L, D] of token ids [B, L] (padding embeds to zero). In training, each
    /// real token is read as the unknown token with the config's text_token_dropout chance.
    torch::Tensor embed(const torch::Tensor &tokens);
    /// The embedding [B, D] of embedded tokens; fills the token attention [B, L].
    torch::Tensor forward(const torch::Tensor &embedded, const torch::Tensor &mask, torch::Tensor *weights);

private:
    /// Token states [B, L, D] of the pre-norm Transformer layers (padding masked as keys).
    torch::Tensor transformer(const torch::Tensor &embedded, const torch::Tensor &mask);
    /// Forward and backward GRU states [B, L, D] of each real token, padding left as it is.
    torch::Tensor recurrent(const torch::Tensor &embedded, const torch::Tensor &mask);

    int m_heads;
    double m_tokenDropout;
    torch::nn::Embedding m_tokens { nullptr };
    torch::nn::GRU m_forwardGru { nullptr };
    torch::nn::GRU m_backwardGru { nullptr };
    torch::Tensor m_position;
    torch::nn::ModuleList m_layers { nullptr };
    torch::nn::LayerNorm m_norm { nullptr };
    torch::nn::Linear m_key { nullptr };
    torch::Tensor m_query;
    torch::nn::Linear m_project { nullptr };
};
TORCH_MODULE(TextEncoder);

/// X' = F_CNN(X), Y' = F_RNN(Y), Z' = F_fusion(X', Y'), Z = G(Z'): the whole model.
/// F_fusion is modality attention over the modalities present per case (absent ones are
/// masked out, never zero-filled), or concatenation, or a single modality (for ablations).
class FusionNetImpl : public torch::nn::Module
{
public:
    explicit FusionNetImpl(const ModelConfig &config);
    FusionOutput forward(const Batch &batch) { return forward(batch, FixedEmbeddings()); }
    FusionOutput forward(const Batch &batch, const FixedEmbeddings &fixed);
    /// The image and history encoders' outputs for a batch (record left undefined).
    FixedEmbeddings embedImageAndHistory(const Batch &batch);
    const ModelConfig &config() const { return m_config; }
    /// The image encoder (for transfer learning: load or freeze its weights); null if unused.
    ImageEncoder imageEncoder() const { return m_image; }
    /// The text encoder; null if unused.
    TextEncoder textEncoder() const { return m_text; }

private:
    ModelConfig m_config;
    ImageEncoder m_image { nullptr };
    RecordEncoder m_record { nullptr };
    HistoryEncoder m_history { nullptr };
    TextEncoder m_text { nullptr };
    torch::Tensor m_modalityType; ///< [M, D] learned modality identity
    torch::Tensor m_fusionQuery; ///< [D]
    torch::nn::Linear m_fusionKey { nullptr };
    torch::Tensor m_fusionValueWeight, m_fusionValueBias; ///< one value projection per modality
    torch::nn::Sequential m_head { nullptr };
};
TORCH_MODULE(FusionNet);

} // namespace lepton
