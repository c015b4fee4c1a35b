#!/usr/bin/env bash
# Quality of the five fusion variants on the demo medical study with the default config:
# trains each on the same study and prints val/test AUROC. Not a test (minutes of training).
# Usage: tests/bench/bench_variants.sh [CASES] [BUILD_DIR] [SEED]
set -euo pipefail
cases=${1:-2000}
build=${2:-build}
seed=${3:-1}
lepton="$build/app/lepton"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$lepton" demo-data --cases "$cases" --out "$work/data" >/dev/null 2>&1
"$lepton" import "$work/s.lepton" --manifest "$work/data/manifest.csv" --events "$work/data/events.csv" >/dev/null 2>&1
printf '%-10s %8s %9s %10s %9s %10s %8s\n' variant epochs "val AUROC" "test AUROC" "test acc" "test AUPRC" seconds
for v in attention concat image record history; do
  start=$(date +%s)
  json=$("$lepton" train "$work/s.lepton" --fusion "$v" --seed "$seed" --quiet --json)
  end=$(date +%s)
  /usr/bin/python3 - "$v" "$((end - start))" "$json" <<'PY'
import json, sys
v, secs, o = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
f = lambda x: "–" if x is None else f"{x:.3f}"
print(f"{v:<10} {o['epochs_run']:>8} {f(o['val']['auroc']):>9} {f(o['test']['auroc']):>10} {f(o['test']['accuracy']):>9} {f(o['test']['auprc']):>10} {secs:>8}")
PY
done
