# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python (PyTorch 1.13) reference of core/model/FusionNet.cpp, module for module and with
the same default sizes, for the training and prediction benchmark (bench_train.sh).

A batch is a dict of tensors with the fields of core/data/Batch.h: image [B, C, H, W],
image_present [B], record_values / record_missing [B, F], record_category [B, F] (int64),
record_present [B], events [B, T, E], event_mask [B, T], history_present [B], labels [B].
"""

import math
from dataclasses import dataclass, field
from typing import List

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    """Mirror of lepton::ModelConfig (core/model/ModelConfig.h) with its defaults."""
    fusion: str = "attention"  # attention, concat, image, record, history
    image_channels: int = 1
    image_size: int = 128
    width: int = 16
    depth: int = 3
    embed_dim: int = 64
    hidden: int = 64
    rnn: str = "gru"
    dropout: float = 0.2
    modality_dropout: float = 0.2
    num_classes: int = 2
    field_categories: List[int] = field(default_factory=list)  # per record field; 0: numeric
    event_width: int = 1

    def uses_image(self):
        return self.fusion in ("attention", "concat", "image")

    def uses_record(self):
        return self.fusion in ("attention", "concat", "record")

    def uses_history(self):
        return self.fusion in ("attention", "concat", "history")


def masked_softmax(scores, mask):
    """Softmax over the last dimension restricted to mask; rows without valid entries give 0."""
    filled = scores.masked_fill(mask.logical_not(), -1e9)
    w = torch.softmax(filled, -1) * mask.to(scores.dtype)
    return w / (w.sum(-1, keepdim=True) + 1e-12)


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.project = None
        self.bn_project = None
        if cin != cout or stride != 1:
            self.project = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.bn_project = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        shortcut = self.bn_project(self.project(x)) if self.project is not None else x
        return torch.relu(y + shortcut)


class ImageEncoder(nn.Module):
    """Residual CNN ending in spatial attention pooling."""

    def __init__(self, c: ModelConfig):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(c.image_channels, c.width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(c.width), nn.ReLU())
        stages = []
        channels = c.width
        for i in range(c.depth):
            out = channels if i == 0 else channels * 2
            stages.append(ResidualBlock(channels, out, 2))
            channels = out
        self.stages = nn.Sequential(*stages)
        self.score = nn.Conv2d(channels, 1, 1)
        self.project = nn.Linear(channels, c.embed_dim)

    def forward(self, image):
        f = self.stages(self.stem(image))
        B, C, h, w = f.shape
        a = torch.softmax(self.score(f).view(B, h * w), 1)
        pooled = torch.bmm(f.view(B, C, h * w), a.unsqueeze(2)).squeeze(2)
        return self.project(pooled), a.view(B, h, w), f


class RecordEncoder(nn.Module):
    """Record fields as tokens (identity + value or category + missing marker), field attention."""

    def __init__(self, c: ModelConfig):
        super().__init__()
        self.fields = len(c.field_categories)
        n, D = max(1, self.fields), c.embed_dim
        self.field_embedding = nn.Parameter(torch.randn(n, D) * 0.1)
        self.value_weight = nn.Parameter(torch.randn(n, D) * 0.1)
        self.value_bias = nn.Parameter(torch.zeros(n, D))
        self.missing_embedding = nn.Parameter(torch.randn(n, D) * 0.1)
        offsets, total = [], 1  # row 0: numeric fields and unknown categories
        for k in c.field_categories:
            offsets.append(total)
            total += k + 1
        self.register_buffer("category_offsets", torch.tensor(offsets or [0], dtype=torch.int64))
        self.categories = nn.Embedding(total, D)
        self.key = nn.Linear(D, D)
        self.query = nn.Parameter(torch.randn(D) * 0.1)
        self.project = nn.Linear(D, D)
        self.token_mlp = nn.Sequential(nn.Linear(D, 2 * D), nn.ReLU(), nn.Linear(2 * D, D))

    def forward(self, b):
        values = b["record_values"]
        B = values.size(0)
        if self.fields == 0:
            return torch.zeros(B, self.query.size(0)), torch.zeros(B, 0)
        missing = b["record_missing"].unsqueeze(2)
        category_index = b["record_category"]
        is_cat = (category_index > 0).to(values.dtype).unsqueeze(2)
        numeric = values.unsqueeze(2) * self.value_weight + self.value_bias
        cat_index = (category_index + self.category_offsets) * (category_index > 0).to(torch.int64)
        value = is_cat * self.categories(cat_index) + (1.0 - is_cat) * numeric
        tokens = self.field_embedding + (1.0 - missing) * value + missing * self.missing_embedding
        tokens = tokens + self.token_mlp(tokens)
        scores = torch.matmul(torch.tanh(self.key(tokens)), self.query)
        w = torch.softmax(scores, 1)
        return self.project((w.unsqueeze(2) * tokens).sum(1)), w


class HistoryEncoder(nn.Module):
    """Event history through a GRU or LSTM with masked temporal attention pooling."""

    def __init__(self, c: ModelConfig):
        super().__init__()
        self.input = nn.Linear(c.event_width, c.hidden)
        self.rnn = (nn.LSTM if c.rnn == "lstm" else nn.GRU)(c.hidden, c.hidden, batch_first=True)
        self.key = nn.Linear(c.hidden, c.hidden)
        self.query = nn.Parameter(torch.randn(c.hidden) * 0.1)
        self.project = nn.Linear(c.hidden, c.embed_dim)

    def forward(self, b):
        x = torch.relu(self.input(b["events"]))
        out = self.rnn(x)[0]
        scores = torch.matmul(torch.tanh(self.key(out)), self.query)
        w = masked_softmax(scores, b["event_mask"])
        return self.project((w.unsqueeze(2) * out).sum(1)), w


class FusionNet(nn.Module):
    """Image, record and history encoders, modality-attention fusion and an MLP head."""

    def __init__(self, c: ModelConfig):
        super().__init__()
        self.config = c
        D = c.embed_dim
        self.image = ImageEncoder(c) if c.uses_image() else None
        self.record = RecordEncoder(c) if c.uses_record() else None
        self.history = HistoryEncoder(c) if c.uses_history() else None
        head_in = D
        if c.fusion == "attention":
            self.modality_type = nn.Parameter(torch.randn(3, D) * 0.1)
            self.fusion_query = nn.Parameter(torch.randn(D) * 0.1)
            self.fusion_key = nn.Linear(D, D)
            self.fusion_value_weight = nn.Parameter(torch.randn(3, D, D) / math.sqrt(D))
            self.fusion_value_bias = nn.Parameter(torch.zeros(3, D))
        elif c.fusion == "concat":
            head_in = 3 * D + 3
        self.head = nn.Sequential(nn.Linear(head_in, D), nn.ReLU(), nn.Dropout(c.dropout),
                                  nn.Linear(D, c.num_classes))

    def forward(self, b):
        """Returns (logits, modality weights)."""
        B = b["labels"].size(0)
        D = self.config.embed_dim
        embeddings, present = [None] * 3, [None] * 3
        if self.image is not None:
            embeddings[0], _, _ = self.image(b["image"])
            present[0] = b["image_present"]
        if self.record is not None:
            embeddings[1], _ = self.record(b)
            present[1] = b["record_present"]
        if self.history is not None:
            embeddings[2], _ = self.history(b)
            present[2] = b["history_present"]
        for m in range(3):
            if embeddings[m] is None:
                embeddings[m] = torch.zeros(B, D)
                present[m] = torch.zeros(B, dtype=torch.bool)
        mask = torch.stack(present, 1)
        fusion = self.config.fusion
        if self.training and self.config.modality_dropout > 0.0 and fusion in ("attention", "concat"):
            # Hide present modalities at random, never all of a case's.
            drop = torch.rand(B, 3) < self.config.modality_dropout
            kept = mask.logical_and(drop.logical_not())
            mask = torch.where(kept.any(1, keepdim=True), kept, mask)
        E = torch.stack(embeddings, 1)
        if fusion == "attention":
            x = E + self.modality_type
            scores = torch.matmul(self.fusion_key(x), self.fusion_query) / math.sqrt(D)
            weights = masked_softmax(scores, mask)
            values = torch.einsum("bmd,mde->bme", x, self.fusion_value_weight) + self.fusion_value_bias
            present = mask.to(E.dtype).sum(1, keepdim=True)
            fused = ((weights * present).unsqueeze(2) * values).sum(1)
        elif fusion == "concat":
            m = mask.to(E.dtype)
            fused = torch.cat([(E * m.unsqueeze(2)).flatten(1), m], 1)
            weights = m / (m.sum(1, keepdim=True) + 1e-12)
        else:
            which = {"image": 0, "record": 1, "history": 2}[fusion]
            fused = embeddings[which]
            weights = torch.zeros(B, 3)
            weights[:, which] = 1.0
        return self.head(fused), weights

