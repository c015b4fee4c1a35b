#!/usr/bin/env bash
# Self-supervised pretraining with few labels: medical demos where only LABELLED_PERCENT % of the
# training cases keep their label (the rest are unlabelled images; val and test stay labelled).
# `lepton pretrain` learns the image encoder from every train and val image (contrastive, no
# labels; test images left out), then image-only runs train on the labelled cases from scratch,
# fine-tuning the pretrained encoder, and with it frozen (a linear probe on its attention-pooled
# features), and, for the ceiling, from scratch with every train label. Image-only test AUROC over
# data seeds × training seeds, with the spread; the pretraining's final loss (and pair accuracy)
# beside their chance levels. With ~140 labelled cases a run takes ~9 steps per epoch, hence 60
# epochs of batch 16 by default: 15 epochs of 32 (75 steps) leave every variant near chance. The
# all-labels run has ten times the cases and trains ALL_EPOCHS (15) epochs of batch 32.
# Prints tables; not a test (many minutes of training).
# Usage: tests/bench/bench_pretrain.sh [CASES] [BUILD_DIR]
#        (DATA_SEEDS="7 8" TRAIN_SEEDS="1 2 3" LABELLED_PERCENT=10 EPOCHS=60 BATCH=16
#         PRETRAIN_EPOCHS=30 IMAGE_SIZE=64 VARIANTS="scratch pretrained frozen all"
#         PRETRAIN_ARGS="--method masked")
set -euo pipefail
cases=${1:-2000}
build=${2:-build}
data_seeds=${DATA_SEEDS:-7 8}
train_seeds=${TRAIN_SEEDS:-1 2 3}
percent=${LABELLED_PERCENT:-10}
epochs=${EPOCHS:-60}
batch=${BATCH:-16}
all_epochs=${ALL_EPOCHS:-15}
pre_epochs=${PRETRAIN_EPOCHS:-30}
size=${IMAGE_SIZE:-64}
variants=${VARIANTS:-scratch pretrained frozen all}
pretrain_args=${PRETRAIN_ARGS:-}
lepton="$build/app/lepton"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "medical demo, $cases cases per data seed ($data_seeds), $percent % of train labels kept; pretraining" \
  "$pre_epochs epochs ${pretrain_args:-(contrastive)}, training $epochs epochs of batch $batch, $size px, image only"
results="$work/results.tsv"
: > "$results"
for ds in $data_seeds; do
  d="$work/d$ds"
  "$lepton" demo-data --cases "$cases" --seed "$ds" --image-size "$size" --out "$d" >/dev/null 2>&1
  # Splits 70/15/15 drawn with the data seed; all but PERCENT % of the train labels blanked.
  /usr/bin/python3 - "$d/manifest.csv" "$d/few.csv" "$ds" "$percent" "$d/all.csv" <<'PY'
import csv, random, sys
src, dst, seed, percent, full = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rows = list(csv.DictReader(open(src, newline="")))
rng = random.Random(seed)
rng.shuffle(rows)
n = len(rows)
kept = 0
for i, r in enumerate(rows):
    r["split"] = "train" if i < 0.7 * n else ("val" if i < 0.85 * n else "test")
w = csv.DictWriter(open(full, "w", newline=""), fieldnames=list(rows[0].keys()))
w.writeheader()
w.writerows(rows)
for r in rows:
    if r["split"] == "train":
        if rng.random() * 100 >= percent:
            r["label"] = ""
        else:
            kept += 1
w = csv.DictWriter(open(dst, "w", newline=""), fieldnames=list(rows[0].keys()))
w.writeheader()
w.writerows(rows)
print(f"data seed {seed}: {kept} labelled train cases of {sum(r['split'] == 'train' for r in rows)}", file=sys.stderr)
PY
  "$lepton" import "$d/s.lepton" --manifest "$d/few.csv" --events "$d/events.csv" >/dev/null 2>&1
  [[ " $variants " == *" all "* ]] &&
    "$lepton" import "$d/all.lepton" --manifest "$d/all.csv" --events "$d/events.csv" >/dev/null 2>&1
  if [[ " $variants " == *" pretrained "* || " $variants " == *" frozen "* ]]; then
    # shellcheck disable=SC2086
    pre=$("$lepton" pretrain "$d/s.lepton" --name ssl --epochs "$pre_epochs" --image-size "$size" $pretrain_args \
      --quiet --json)
    /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1]); e = r["epochs"][-1]
line = "data seed %s: %s pretraining on %d images in %.0f s: loss %.3f (chance %.3f)" % (
    sys.argv[2], r["method"], r["images"], sum(x["seconds"] for x in r["epochs"]), e["loss"], e["chance_loss"])
if e["accuracy"] >= 0:
    line += ", pair found %.3f (chance %.4f)" % (e["accuracy"], r["chance_accuracy"])
print(line)' "$pre" "$ds"
  fi
  for ts in $train_seeds; do
    for v in $variants; do
      extra="" study="$d/s.lepton" run_epochs=$epochs run_batch=$batch
      case $v in
        scratch) ;;
        all) study="$d/all.lepton" run_epochs=$all_epochs run_batch=32 ;;
        pretrained) extra=', "image_encoder": "ssl"' ;;
        frozen) extra=", \"image_encoder\": \"ssl\", \"freeze_image_epochs\": $epochs" ;;
        *) echo "bench_pretrain: unknown variant $v" >&2; exit 2 ;;
      esac
      printf '{"epochs": %s, "batch_size": %s, "patience": 0%s, "model": {"image_size": %s}}\n' "$run_epochs" "$run_batch" \
        "$extra" "$size" > "$work/$v.json"
      json=$("$lepton" train "$study" --config "$work/$v.json" --fusion image --seed "$ts" --quiet --json)
      auc=$(/usr/bin/python3 -c 'import json,sys; print("%.4f" % json.loads(sys.argv[1])["test"]["auroc"])' "$json")
      printf '%-5s %-5s %-11s %s\n' "$ds" "$ts" "$v" "$auc"
      printf '%s\t%s\t%s\t%s\n' "$ds" "$ts" "$v" "$auc" >> "$results"
    done
  done
done

/usr/bin/python3 - "$results" <<'PY'
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
names = []
for r in rows:
    if r[2] not in names:
        names.append(r[2])
print()
print("summary over data seeds × training seeds (image-only test AUROC; chance 0.5)")
print(f"  {'variant':<11} {'mean ± sd':>17} {'min–max':>15} {'n':>3}")
mean = {}
for n in names:
    v = [float(r[3]) for r in rows if r[2] == n]
    mean[n] = st.mean(v)
    sd = st.stdev(v) if len(v) > 1 else 0.0
    print(f"  {n:<11} {st.mean(v):.4f} ± {sd:.4f} {min(v):.4f}–{max(v):.4f} {len(v):>3}")
if "pretrained" in mean and "scratch" in mean:
    gain = mean["pretrained"] - mean["scratch"]
    print()
    print(f"target: pretraining raises image-only test AUROC by >= 0.05 over scratch: {gain:+.4f} -> {'met' if gain >= 0.05 else 'MISSED'}")
if "all" in mean and "scratch" in mean:
    print(f"room left by the labels (every train label - scratch with few): {mean['all'] - mean['scratch']:+.4f}")
PY
