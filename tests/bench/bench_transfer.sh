#!/usr/bin/env bash
# Transfer learning on a small dataset: an image encoder trained on a larger, related dataset
# (the medical demo of another data seed, image-only) is written with `lepton export
# --safetensors` and started from (`image_encoder_from`) on small medical demos of other data
# seeds. Image-only test AUROC over target data seeds × training seeds, with the spread, for:
# training from scratch, full fine-tuning, fine-tuning with the encoder at a tenth of the learning
# rate, residual adapters on the frozen encoder (adapters, attention score and projection train),
# and the whole encoder frozen (only the head trains); and each one's trainable parameters as
# recorded with the run.
# Prints tables; not a test (many minutes of training).
# Usage: tests/bench/bench_transfer.sh [SOURCE_CASES] [TARGET_CASES] [BUILD_DIR]
#        (SOURCE_SEED=11 TARGET_SEEDS="7 8" TRAIN_SEEDS="1 2 3" EPOCHS=15 IMAGE_SIZE=64 ADAPTERS=8
#         VARIANTS="scratch full lowlr adapters frozen")
set -euo pipefail
source_cases=${1:-2000}
target_cases=${2:-400}
build=${3:-build}
source_seed=${SOURCE_SEED:-11}
target_seeds=${TARGET_SEEDS:-7 8}
train_seeds=${TRAIN_SEEDS:-1 2 3}
epochs=${EPOCHS:-15}
size=${IMAGE_SIZE:-64}
adapters=${ADAPTERS:-8}
variants=${VARIANTS:-scratch full lowlr adapters frozen}
lepton="$build/app/lepton"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "source: demo seed $source_seed, $source_cases cases; targets: seeds $target_seeds, $target_cases cases each;" \
  "$epochs epochs, $size px, image only"
src="$work/source"
"$lepton" demo-data --cases "$source_cases" --seed "$source_seed" --out "$src" >/dev/null 2>&1
"$lepton" import "$src/s.lepton" --manifest "$src/manifest.csv" --events "$src/events.csv" >/dev/null 2>&1
printf '{"epochs": %s, "patience": 0, "model": {"image_size": %s}}\n' "$epochs" "$size" > "$work/source.json"
json=$("$lepton" train "$src/s.lepton" --config "$work/source.json" --fusion image --seed 1 --quiet --json)
src_run=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run_id"])' "$json")
src_auc=$(/usr/bin/python3 -c 'import json,sys; print("%.4f" % json.loads(sys.argv[1])["test"]["auroc"])' "$json")
"$lepton" export "$src/s.lepton" --run "$src_run" --safetensors "$work/encoder.safetensors" >/dev/null
echo "source run: image-only test AUROC $src_auc on its own test split"

config() { # NAME → a config file for that variant
  local extra="" model=""
  case $1 in
    scratch) ;;
    full) extra=", \"image_encoder_from\": \"$work/encoder.safetensors\"" ;;
    lowlr) extra=", \"image_encoder_from\": \"$work/encoder.safetensors\", \"image_encoder_lr_scale\": 0.1" ;;
    adapters) extra=", \"image_encoder_from\": \"$work/encoder.safetensors\""; model=", \"image_adapters\": $adapters" ;;
    frozen) extra=", \"image_encoder_from\": \"$work/encoder.safetensors\", \"freeze_image_epochs\": $epochs" ;;
    *) echo "bench_transfer: unknown variant $1" >&2; exit 2 ;;
  esac
  printf '{"epochs": %s, "patience": 0%s, "model": {"image_size": %s%s}}\n' "$epochs" "$extra" "$size" "$model" \
    > "$work/$1.json"
  echo "$work/$1.json"
}

results="$work/results.tsv"
: > "$results"
printf '%-5s %-5s %-10s %10s %12s\n' data train variant "test AUROC" trainable
for ds in $target_seeds; do
  d="$work/t$ds"
  "$lepton" demo-data --cases "$target_cases" --seed "$ds" --out "$d" >/dev/null 2>&1
  "$lepton" import "$d/s.lepton" --manifest "$d/manifest.csv" --events "$d/events.csv" >/dev/null 2>&1
  for ts in $train_seeds; do
    for v in $variants; do
      cfg=$(config "$v")
      json=$("$lepton" train "$d/s.lepton" --config "$cfg" --fusion image --seed "$ts" --quiet --json)
      read -r auc trainable frozen < <(/usr/bin/python3 - "$json" "$d/s.lepton" <<'PY'
import json, sqlite3, sys
r = json.loads(sys.argv[1])
cfg = json.loads(sqlite3.connect(sys.argv[2]).execute("SELECT config FROM runs WHERE id = ?", (r["run_id"],)).fetchone()[0])
p = cfg.get("parameters", {})
print("%.4f" % r["test"]["auroc"], p.get("trainable", 0), p.get("trainable_while_frozen", 0))
PY
)
      # The frozen variant is frozen for every epoch: its count is the frozen one.
      [[ $v == frozen ]] && trainable=$frozen
      printf '%-5s %-5s %-10s %10s %12s\n' "$ds" "$ts" "$v" "$auc" "$trainable"
      printf '%s\t%s\t%s\t%s\t%s\n' "$ds" "$ts" "$v" "$auc" "$trainable" >> "$results"
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
print("summary over target data seeds × training seeds (image-only test AUROC; chance 0.5)")
print(f"  {'variant':<10} {'mean ± sd':>17} {'min–max':>15} {'n':>3} {'trainable':>10}")
mean = {}
params = {}
for n in names:
    v = [float(r[3]) for r in rows if r[2] == n]
    p = [int(r[4]) for r in rows if r[2] == n]
    mean[n] = st.mean(v)
    params[n] = max(p)
    sd = st.stdev(v) if len(v) > 1 else 0.0
    print(f"  {n:<10} {st.mean(v):.4f} ± {sd:.4f} {min(v):.4f}–{max(v):.4f} {len(v):>3} {max(p):>10}")
if "adapters" in mean and "full" in mean:
    gap = mean["full"] - mean["adapters"]
    share = params["adapters"] / params["full"] if params["full"] else float("nan")
    print()
    print(f"target: adapters within 0.02 of full fine-tuning: {gap:+.4f} below -> {'met' if gap <= 0.02 else 'MISSED'}")
    print(f"target: adapters train <= 10 % of full fine-tuning's parameters: {100 * share:.1f} % -> {'met' if share <= 0.10 else 'MISSED'}")
if "full" in mean and "scratch" in mean:
    print(f"full fine-tuning - scratch: {mean['full'] - mean['scratch']:+.4f}")
PY
