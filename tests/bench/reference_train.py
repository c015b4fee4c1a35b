#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Python reference for the training and prediction benchmark (bench_train.sh).

Reads a Lepton study with sqlite3, encodes it as core/data/MultimodalDataset.cpp does (train-split
statistics, missing flags, category indices, event value + missing per field then the time since
the last event), decodes and augments every image per item with OpenCV/numpy in DataLoader worker
processes, trains the reference FusionNet (reference_model.py) with AdamW, the cosine schedule,
balanced class weights and gradient clipping as core/train/Trainer.cpp does, and measures:
samples/s over the timed steps, batch-1 prediction latency (decode + encode + forward), and peak
RSS of the main process and of the worker processes. Prints one JSON line.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-opencv).
"""

import argparse
import gc
import json
import math
import os
import resource
import sqlite3
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, get_worker_info

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_model import FusionNet, ModelConfig  # noqa: E402

# lepton::TrainConfig defaults (core/train/TrainConfig.h) and AugmentOptions (ImageAugmenter.h).
# The output's "settings" repeats them in TrainConfig's JSON names; bench_train.sh compares them
# with lepton_bench_train's and warns when the defaults there have moved on.
SEED = 1
EPOCHS = 30
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 0.05
MAX_GRAD_NORM = 5.0
MAX_EVENTS = 32
AUGMENT = dict(enabled=True, horizontal_flip=True, vertical_flip=False, max_rotation_degrees=10.0, max_shift=0.05,
               brightness=0.05, contrast=0.05, noise_std=0.01)


class Moments:
    """Mean and population standard deviation, with MultimodalDataset's fall-backs."""

    def __init__(self):
        self.sum = self.sum_sq = 0.0
        self.n = 0

    def add(self, v):
        self.sum += v
        self.sum_sq += v * v
        self.n += 1

    def mean(self):
        return self.sum / self.n if self.n > 0 else 0.0

    def std(self):
        if self.n < 2:
            return 1.0
        m = self.mean()
        var = self.sum_sq / self.n - m * m
        return math.sqrt(var) if var > 1e-12 else 1.0


class StudyDataset(Dataset):
    """Every case of a dataset with record and history encoded once; images decoded per item."""

    def __init__(self, study, dataset_id, image_size=128, image_channels=1, max_events=MAX_EVENTS):
        self.image_size = image_size
        self.image_channels = image_channels
        self.augment = False
        self._rng, self._rng_pid = None, None
        con = sqlite3.connect(f"file:{study}?mode=ro", uri=True)
        self.classes = json.loads(con.execute("SELECT classes FROM datasets WHERE id = ?", (dataset_id,)).fetchone()[0])

        def fields(kind):
            return [dict(id=r[0], name=r[1], type=r[2], categories=json.loads(r[3]))
                    for r in con.execute("SELECT id, name, type, categories FROM fields WHERE dataset_id = ? AND kind = ? "
                                         "ORDER BY position", (dataset_id, kind))]

        record_fields, event_fields = fields("record"), fields("event")
        cases = con.execute("SELECT id, case_key, label, split, image_path FROM cases WHERE dataset_id = ? ORDER BY id",
                            (dataset_id,)).fetchall()
        nf, ne = len(record_fields), len(event_fields)
        position = {f["id"]: (i, f["type"] == "categorical") for i, f in enumerate(record_fields)}
        values = {c[0]: [None] * nf for c in cases}
        for case_id, field_id, number, text in con.execute(
                "SELECT rv.case_id, rv.field_id, rv.number, rv.text FROM record_values rv "
                "JOIN cases c ON c.id = rv.case_id WHERE c.dataset_id = ?", (dataset_id,)):
            pos, categorical = position[field_id]
            values[case_id][pos] = text if categorical else number
        events_of = {}
        for case_id, t, vals in con.execute(
                "SELECT e.case_id, e.time, e.vals FROM events e JOIN cases c ON c.id = e.case_id "
                "WHERE c.dataset_id = ? ORDER BY e.case_id, e.time, e.id", (dataset_id,)):
            events_of.setdefault(case_id, []).append((t, json.loads(vals)))
        con.close()

        # Fit on the train split only.
        rec = [Moments() for _ in range(nf)]
        ev = [Moments() for _ in range(ne)]
        time_delta = Moments()
        for case_id, _, _, split, _ in cases:
            if split != "train":
                continue
            row = values[case_id]
            for f in range(nf):
                if row[f] is not None and record_fields[f]["type"] != "categorical":
                    rec[f].add(float(row[f]))
            evs = events_of.get(case_id, [])
            for t, vals in evs:
                time_delta.add(evs[-1][0] - t)
                for f in range(ne):
                    if f < len(vals) and vals[f] is not None and event_fields[f]["type"] != "categorical":
                        ev[f].add(float(vals[f]))
        time_scale = time_delta.std()

        # Encode every case.
        n = len(cases)
        width = 3 * ne + 1
        self.event_width = width
        self.field_categories = [len(f["categories"]) if f["type"] == "categorical" else 0 for f in record_fields]
        self.case_keys = [c[1] for c in cases]
        self.splits = [c[3] or "" for c in cases]
        self.labels = np.array([self.classes.index(c[2]) if c[2] else -1 for c in cases], dtype=np.int64)
        self.image_paths = [c[4] or "" for c in cases]
        self.record_values = np.zeros((n, nf), np.float32)
        self.record_missing = np.ones((n, nf), np.float32)
        self.record_category = np.zeros((n, nf), np.int64)
        self.record_present = np.zeros(n, bool)
        self.event_offsets = np.zeros(n + 1, np.int64)
        steps = []
        for i, (case_id, _, _, _, _) in enumerate(cases):
            row = values[case_id]
            for f, v in enumerate(row):
                if v is None:
                    continue
                self.record_missing[i, f] = 0.0
                self.record_present[i] = True
                if record_fields[f]["type"] == "categorical":
                    cats = record_fields[f]["categories"]
                    self.record_category[i, f] = cats.index(v) + 1 if v in cats else 0
                else:
                    self.record_values[i, f] = (float(v) - rec[f].mean()) / rec[f].std()
            evs = events_of.get(case_id, [])[-max_events:]
            last = evs[-1][0] if evs else 0.0
            first_value = [None] * ne
            for t, vals in evs:
                step = np.zeros(width, np.float32)
                for f in range(ne):
                    v = vals[f] if f < len(vals) else None
                    if v is None:
                        step[3 * f + 1] = 1.0
                        continue
                    if event_fields[f]["type"] == "categorical":
                        cats = event_fields[f]["categories"]
                        step[3 * f] = (cats.index(v) + 1 if v in cats else 0) / len(cats) if cats else 0.0
                    else:
                        step[3 * f] = (float(v) - ev[f].mean()) / ev[f].std()
                        if first_value[f] is None:
                            first_value[f] = step[3 * f]
                        step[3 * f + 2] = step[3 * f] - first_value[f]
                step[width - 1] = (last - t) / time_scale
                steps.append(step)
            self.event_offsets[i + 1] = self.event_offsets[i] + len(evs)
        self.events = np.stack(steps) if steps else np.zeros((0, width), np.float32)

        # Image intensity statistics from (up to about 256) train images spread over the split.
        train = [i for i in range(n) if self.splits[i] == "train" and self.image_paths[i]]
        total = sum_ = sum_sq = 0.0
        for k in range(0, len(train), max(1, len(train) // 256)):
            img = self.load_image(train[k])
            if img is None:
                continue
            m, s = float(img.mean(dtype=np.float64)), float(img.std(dtype=np.float64))
            total += img.size
            sum_ += m * img.size
            sum_sq += (s * s + m * m) * img.size
        self.image_mean = sum_ / total if total else 0.0
        var = sum_sq / total - self.image_mean ** 2 if total else 1.0
        self.image_std = math.sqrt(var) if total and var > 1e-12 else 1.0

    def __len__(self):
        return len(self.labels)

    def indices_of(self, split, labelled_only=True):
        return [i for i in range(len(self.labels)) if self.splits[i] == split and (not labelled_only or self.labels[i] >= 0)]

    def load_image(self, i):
        """The case's image as float32 [0, 1], grey (or 3 channels), resized; None when absent."""
        if not self.image_paths[i]:
            return None
        img = cv2.imread(self.image_paths[i], cv2.IMREAD_UNCHANGED)
        if img is None:
            return None
        if img.ndim == 3 and img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
        if self.image_channels == 1 and img.ndim == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        elif self.image_channels == 3 and img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        s = self.image_size
        if img.shape[0] != s or img.shape[1] != s:
            img = cv2.resize(img, (s, s), interpolation=cv2.INTER_AREA if img.shape[1] > s else cv2.INTER_LINEAR)
        scale = 1.0 / 65535.0 if img.dtype == np.uint16 else 1.0 / 255.0
        return img.astype(np.float32) * np.float32(scale)

    def rng(self):
        """A generator per process: each DataLoader worker draws its own augmentations."""
        if self._rng_pid != os.getpid():
            info = get_worker_info()
            self._rng = np.random.default_rng(info.seed if info is not None else SEED)
            self._rng_pid = os.getpid()
        return self._rng

    @staticmethod
    def augment_image(img, rng, o=AUGMENT):
        """ImageAugmenter::apply with numpy draws: flip, rotation, shift, contrast, brightness, noise."""
        h, w = img.shape[:2]
        flip_h, flip_v = rng.random() < 0.5, rng.random() < 0.5
        angle = rng.uniform(-1.0, 1.0) * o["max_rotation_degrees"]
        dx = rng.uniform(-1.0, 1.0) * o["max_shift"] * w
        dy = rng.uniform(-1.0, 1.0) * o["max_shift"] * h
        gain = 1.0 + rng.uniform(-1.0, 1.0) * o["contrast"]
        bias = rng.uniform(-1.0, 1.0) * o["brightness"]
        if o["horizontal_flip"] and flip_h:
            img = cv2.flip(img, 1)
        if o["vertical_flip"] and flip_v:
            img = cv2.flip(img, 0)
        m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
        m[0, 2] += dx
        m[1, 2] += dy
        img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        mean = img.mean(axis=(0, 1))
        img = img * np.float32(gain) + ((1.0 - gain) * mean + bias).astype(np.float32)
        if o["noise_std"] > 0.0:
            img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(o["noise_std"])
        return img

    def __getitem__(self, i):
        img = self.load_image(i)
        if img is not None:
            if self.augment:
                img = self.augment_image(img, self.rng())
            img = (img - np.float32(self.image_mean)) * np.float32(1.0 / self.image_std)
            img = img[None] if img.ndim == 2 else img.transpose(2, 0, 1)
        return dict(image=img, record_values=self.record_values[i], record_missing=self.record_missing[i],
                    record_category=self.record_category[i], record_present=self.record_present[i],
                    events=self.events[self.event_offsets[i]:self.event_offsets[i + 1]], label=self.labels[i])


class Collate:
    """Stacks items into a batch with the tensors of core/data/Batch.h; pads events to the longest."""

    def __init__(self, channels, size, event_width):
        self.channels, self.size, self.event_width = channels, size, event_width

    def __call__(self, items):
        B = len(items)
        T = max([1] + [len(it["events"]) for it in items])
        image = np.zeros((B, self.channels, self.size, self.size), np.float32)
        image_present = np.zeros(B, bool)
        events = np.zeros((B, T, self.event_width), np.float32)
        event_mask = np.zeros((B, T), bool)
        lengths = np.zeros(B, np.int64)
        for k, it in enumerate(items):
            if it["image"] is not None:
                image[k] = it["image"]
                image_present[k] = True
            n = len(it["events"])
            events[k, :n] = it["events"]
            event_mask[k, :n] = True
            lengths[k] = n
        return dict(image=torch.from_numpy(image), image_present=torch.from_numpy(image_present),
                    record_values=torch.from_numpy(np.stack([it["record_values"] for it in items])),
                    record_missing=torch.from_numpy(np.stack([it["record_missing"] for it in items])),
                    record_category=torch.from_numpy(np.stack([it["record_category"] for it in items])),
                    record_present=torch.from_numpy(np.array([it["record_present"] for it in items], bool)),
                    events=torch.from_numpy(events), event_mask=torch.from_numpy(event_mask),
                    event_lengths=torch.from_numpy(lengths), history_present=torch.from_numpy(lengths > 0),
                    labels=torch.from_numpy(np.array([it["label"] for it in items], np.int64)))


def learning_rate(step, total_steps):
    """The trainer's cosine schedule with a short linear warm-up."""
    warmup = max(1, min(100, total_steps // 20))
    if step < warmup:
        return LEARNING_RATE * (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return LEARNING_RATE * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))


def quantile(values, q):
    return float(np.percentile(values, 100.0 * q)) if values else float("nan")


def profile_pipeline(ds, train, batch_size, collate):
    """Times image load, augmentation and a whole batch (items + collate) in this process."""
    rng = np.random.default_rng(7)
    load = aug = 0.0
    images = 0
    for i in train[:256]:
        t = time.perf_counter()
        img = ds.load_image(i)
        load += time.perf_counter() - t
        if img is None:
            continue
        t = time.perf_counter()
        ds.augment_image(img, rng)
        aug += time.perf_counter() - t
        images += 1
    ds.augment = True
    batch_time, batches = 0.0, 0
    for begin in range(0, len(train) - batch_size + 1, batch_size):
        if batches == 8:
            break
        t = time.perf_counter()
        collate([ds[i] for i in train[begin:begin + batch_size]])
        batch_time += time.perf_counter() - t
        batches += 1
    ds.augment = False
    return dict(image_ms=1000 * load / max(1, images), augment_ms=1000 * aug / max(1, images),
                collate_batch_ms=1000 * batch_time / max(1, batches))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--study", required=True)
    p.add_argument("--dataset", type=int, default=1)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (default: all cores)")
    p.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    p.add_argument("--latency-cases", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.add_argument("--profile", action="store_true")
    a = p.parse_args()

    threads = a.threads if a.threads > 0 else (os.cpu_count() or 1)
    torch.set_num_threads(threads)

    t0 = time.perf_counter()
    ds = StudyDataset(a.study, a.dataset)
    load_s = time.perf_counter() - t0
    train = ds.indices_of("train")
    config = ModelConfig(num_classes=len(ds.classes), field_categories=ds.field_categories, event_width=ds.event_width)
    counts = np.bincount(ds.labels[train], minlength=config.num_classes)
    positive = int(np.argmin(counts))
    class_weight = torch.tensor([len(train) / (len(counts) * c) if c > 0 else 0.0 for c in counts], dtype=torch.float32)

    torch.manual_seed(SEED)
    model = FusionNet(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    parameters = sum(p.numel() for p in model.parameters())
    collate = Collate(config.image_channels, config.image_size, ds.event_width)
    pipeline = profile_pipeline(ds, train, a.batch_size, collate) if a.profile else None

    ds.augment = True
    loader = DataLoader(torch.utils.data.Subset(ds, train), batch_size=a.batch_size, shuffle=True,
                        num_workers=a.workers, collate_fn=collate, persistent_workers=a.workers > 0,
                        generator=torch.Generator().manual_seed(SEED))
    batches = len(loader)
    total_steps = batches * EPOCHS
    wanted = a.warmup + a.steps
    phases = dict(wait=0.0, forward=0.0, backward=0.0, optimizer=0.0, other=0.0)
    train_probs, train_labels = [], []
    step, timed_samples, last_loss = 0, 0, float("nan")
    timed_start = time.perf_counter()
    epoch = 0
    while step < wanted:
        torch.manual_seed(SEED * 1000003 + epoch)
        model.train()
        it = iter(loader)
        while True:
            if step == a.warmup:
                timed_start = time.perf_counter()
            t = time.perf_counter()
            batch = next(it, None)
            if batch is None:
                break
            wait = time.perf_counter() - t
            t = time.perf_counter()
            lr = learning_rate(step, total_steps)
            for group in optimizer.param_groups:
                group["lr"] = lr
            other = time.perf_counter() - t
            t = time.perf_counter()
            logits, _ = model(batch)
            loss = F.cross_entropy(logits, batch["labels"], weight=class_weight)
            last_loss = loss.item()
            forward = time.perf_counter() - t
            t = time.perf_counter()
            optimizer.zero_grad()
            opt = time.perf_counter() - t
            t = time.perf_counter()
            loss.backward()
            backward = time.perf_counter() - t
            t = time.perf_counter()
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
            optimizer.step()
            opt += time.perf_counter() - t
            t = time.perf_counter()
            train_probs.extend(torch.softmax(logits.detach(), 1).reshape(-1).tolist())
            train_labels.extend(batch["labels"].tolist())
            other += time.perf_counter() - t
            if step >= a.warmup:
                timed_samples += len(batch["labels"])
                for k, v in (("wait", wait), ("forward", forward), ("backward", backward), ("optimizer", opt),
                             ("other", other)):
                    phases[k] += v
            step += 1
            if step >= wanted:
                break
        del it
        epoch += 1
    train_s = time.perf_counter() - timed_start
    del loader  # joins the worker processes, so that their peak RSS is counted below
    gc.collect()

    # Batch-1 prediction: decode from disk, encode, forward.
    ds.augment = False
    cases = ds.indices_of("test", False)
    cases += [i for i in range(len(ds)) if ds.splits[i] != "test"][:max(0, a.latency_cases - len(cases))]
    cases = cases[:a.latency_cases]
    latencies, collate_times = [], []
    model.eval()
    checksum = 0.0
    with torch.inference_mode():
        warm = min(3, len(cases))
        for k in range(-warm, len(cases)):
            i = cases[k + warm if k < 0 else k]
            t = time.perf_counter()
            b = collate([ds[i]])
            c = time.perf_counter() - t
            logits, _ = model(b)
            checksum += torch.softmax(logits, 1)[0, positive].item()
            if k >= 0:
                latencies.append(1000 * (time.perf_counter() - t))
                collate_times.append(1000 * c)

    mib = 1.0 / 1024.0  # ru_maxrss is in KiB on Linux
    steps = max(1, a.steps)
    out = dict(impl="python", cache=False, cases=len(ds), train_cases=len(train), batch_size=a.batch_size,
               steps=a.steps, warmup_steps=a.warmup, threads=torch.get_num_threads(), workers=a.workers,
               parameters=parameters, load_s=load_s, train_s=train_s, samples_per_s=timed_samples / train_s,
               last_loss=last_loss, latency_cases=len(latencies), latency_ms_median=quantile(latencies, 0.5),
               latency_ms_p90=quantile(latencies, 0.9),
               peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * mib,
               peak_rss_children_mib=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * mib,
               torch=torch.__version__, opencv=cv2.__version__,
               settings=dict(epochs=EPOCHS, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY, max_grad_norm=MAX_GRAD_NORM,
                             max_events=MAX_EVENTS, augment=AUGMENT,
                             model=dict(fusion=config.fusion, image_channels=config.image_channels,
                                        image_size=config.image_size, width=config.width, depth=config.depth,
                                        embed_dim=config.embed_dim, hidden=config.hidden, rnn=config.rnn,
                                        dropout=config.dropout, modality_dropout=config.modality_dropout,
                                        num_classes=config.num_classes, field_categories=config.field_categories,
                                        event_width=config.event_width)))
    if a.profile:
        out["step_ms"] = {k: 1000 * v / steps for k, v in phases.items()}
        out["step_ms"]["total"] = 1000 * train_s / steps
        out["pipeline_ms"] = pipeline
        out["latency_collate_ms_median"] = quantile(collate_times, 0.5)
    if a.json:
        print(json.dumps(out))
    else:
        print(json.dumps(out, indent=2))
    return 0 if math.isfinite(checksum) else 1


if __name__ == "__main__":
    sys.exit(main())
