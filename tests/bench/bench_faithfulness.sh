#!/usr/bin/env bash
# Explanation faithfulness over several demo data seeds and training seeds, with the spread: for
# each data seed, the medical demo is generated and imported, one run is trained per training
# seed, and `lepton explain --report` measures it on the test split against the demo's ground
# truth (the first run also against the second for stability). Prints one table per data seed
# (mean, standard deviation, min–max over the training seeds) with each measure's chance level.
# Not a test: minutes of training per run.
# Usage: tests/bench/bench_faithfulness.sh [CASES] [BUILD_DIR] ["DATA SEEDS"] ["TRAIN SEEDS"] [EPOCHS]
set -euo pipefail
cases=${1:-2000}
build=${2:-build}
data_seeds=${3:-"7 11 23"}
train_seeds=${4:-"1 2 3"}
epochs=${5:-}
lepton="$build/app/lepton"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
extra=()
[[ -n "$epochs" ]] && extra+=(--epochs "$epochs")
echo "# $cases cases, data seeds: $data_seeds; training seeds: $train_seeds${epochs:+; $epochs epochs}"
for ds in $data_seeds; do
  d="$work/d$ds"
  "$lepton" demo-data --cases "$cases" --seed "$ds" --out "$d" >/dev/null 2>&1
  "$lepton" import "$d/s.lepton" --manifest "$d/manifest.csv" --events "$d/events.csv" >/dev/null 2>&1
  runs=()
  for ts in $train_seeds; do
    json=$("$lepton" train "$d/s.lepton" --seed "$ts" --quiet --json "${extra[@]}")
    runs+=("$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run_id"])' "$json")")
    echo "$json" > "$d/train-$ts.json"
  done
  i=0
  for ts in $train_seeds; do
    run=${runs[$i]}
    stab=()
    # Stability: each run against the next (the last against the first).
    other=${runs[$(((i + 1) % ${#runs[@]}))]}
    [[ ${#runs[@]} -gt 1 ]] && stab=(--stability-run "$other")
    "$lepton" explain "$d/s.lepton" --run "$run" --report --json "${stab[@]}" > "$d/report-$ts.json" 2>/dev/null
    i=$((i + 1))
  done
  /usr/bin/python3 - "$ds" "$d" $train_seeds <<'PY'
import json, statistics, sys
ds, d, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
reps = [json.load(open(f"{d}/report-{s}.json")) for s in seeds]
trains = [json.load(open(f"{d}/train-{s}.json")) for s in seeds]
def stat(values):
    v = [x for x in values if x is not None]
    if not v:
        return "not measured"
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    return f"{statistics.mean(v):.3f} ± {sd:.3f} ({min(v):.3f}–{max(v):.3f})"
def get(r, k):
    x = r.get(k)
    return x.get("value") if isinstance(x, dict) else x
def offset(r, k):
    v = r.get(k)
    return (v[0] ** 2 + v[1] ** 2) ** 0.5 if v else None
rows = [
    ("test AUROC", [t["test"]["auroc"] for t in trains], None),
    ("pointing game, attention", [get(r, "pointing_game_attention") for r in reps], "pointing_game_chance_attention"),
    ("pointing game, Grad-CAM", [get(r, "pointing_game_gradcam") for r in reps], "pointing_game_chance_gradcam"),
    ("mean peak offset (cells), attention", [offset(r, "peak_offset_attention") for r in reps], None),
    ("mean peak offset (cells), Grad-CAM", [offset(r, "peak_offset_gradcam") for r in reps], None),
    ("precision@k, IG", [get(r, "precision_at_k_ig") for r in reps], "precision_at_k_chance"),
    ("recall@k, IG", [get(r, "recall_at_k_ig") for r in reps], "recall_at_k_chance"),
    ("categorical causal field in top k, IG", [get(r, "categorical_at_k_ig") for r in reps], "categorical_at_k_chance"),
    ("precision@k, field attention", [get(r, "precision_at_k_attention") for r in reps], "precision_at_k_chance"),
    ("recall@k, field attention", [get(r, "recall_at_k_attention") for r in reps], "recall_at_k_chance"),
    ("modality ablation agreement", [get(r, "modality_ablation_agreement") for r in reps], "modality_ablation_chance"),
    ("image deletion top (random beside)", [get(r, "image_deletion_top") for r in reps], "image_deletion_random"),
    ("field deletion top (random beside)", [get(r, "field_deletion_top") for r in reps], "field_deletion_random"),
    ("stability, Spearman of IG", [get(r, "stability_spearman_ig_mean") for r in reps], "stability_chance"),
    ("counterfactuals found / cases", [r.get("counterfactuals_found", 0) / max(1, r.get("cases", 1)) for r in reps], None),
]
print(f"\n## data seed {ds}: {len(seeds)} training seeds ({', '.join(seeds)})")
print(f"| measure | mean ± sd (min–max) | chance (mean) |\n| --- | ---: | ---: |")
for name, values, chance in rows:
    c = "–"
    if chance:
        cv = [get(r, chance) for r in reps]
        cv = [x for x in cv if x is not None]
        c = f"{statistics.mean(cv):.3f}" if cv else "–"
    print(f"| {name} | {stat(values)} | {c} |")
PY
done
