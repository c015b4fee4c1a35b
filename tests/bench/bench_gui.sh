#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Workbench responsiveness benchmarks; prints tables, never run by CTest.
#  1. GUI-thread stalls during training: lepton_bench_training trains a run from the workbench
#     window's Training view on a demo study (ROUNDS times) and reports the longest gap between
#     the ticks of its 10 ms probe (the probe is the benchmark's; the shipped view has none).
#  2. The case table on a big study: open, page, filter and sort a finance demo of CASES cases.
# Usage: tests/bench/bench_gui.sh [BUILD_DIR]   (default build)
#   env: TRAIN_CASES (2000), EPOCHS (5), ROUNDS (3), CASES (100000), WORK (a temporary folder)
set -euo pipefail
build=${1:-build}
lepton="$build/app/lepton"
training_bench="$build/tests/bench/lepton_bench_training"
cases_bench="$build/tests/bench/lepton_bench_cases"
for b in "$lepton" "$training_bench" "$cases_bench"; do
  [[ -x "$b" ]] || { echo "bench_gui.sh: $b is missing; build the project first" >&2; exit 2; }
done
command -v xvfb-run >/dev/null || { echo "bench_gui.sh: needs xvfb-run (scripts/install-deps --gui)" >&2; exit 2; }
work=${WORK:-$(mktemp -d)}
train_cases=${TRAIN_CASES:-2000}
epochs=${EPOCHS:-5}
rounds=${ROUNDS:-3}
cases=${CASES:-100000}
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; work folder $work" >&2

if [[ ! -f "$work/train.lepton" ]]; then
  "$lepton" demo-data --domain medical --cases "$train_cases" --seed 7 --out "$work/train" >/dev/null 2>&1
  "$lepton" import "$work/train.lepton" --manifest "$work/train/manifest.csv" --events "$work/train/events.csv" >/dev/null 2>&1
fi
echo
echo "GUI thread during training ($train_cases-case medical demo, $epochs epochs, Training view's defaults otherwise)"
printf '%-6s %-12s %s\n' round status "longest gap between 10 ms ticks"
for ((r = 1; r <= rounds; r++)); do
  line=$(xvfb-run -a -s "-screen 0 1400x900x24" "$training_bench" "$work/train.lepton" "$epochs" \
    2>/dev/null | grep '^run ')
  status=$(sed -E 's/^run [0-9]+ ([a-z]+):.*/\1/' <<< "$line")
  gap=$(sed -E 's/.* ([0-9.]+) ms$/\1/' <<< "$line")
  printf '%-6s %-12s %s ms\n' "$r" "$status" "$gap"
done
echo "target: the GUI thread never stalls more than 50 ms during training"

if [[ ! -f "$work/big.lepton" ]]; then
  echo "generating and importing a $cases-case finance study…" >&2
  "$lepton" demo-data --domain finance --cases "$cases" --seed 7 --out "$work/big" >/dev/null 2>&1
  "$lepton" import "$work/big.lepton" --manifest "$work/big/manifest.csv" --events "$work/big/events.csv" >/dev/null 2>&1
fi
echo
echo "Case table on a $cases-case study (Data view, pages of 256 rows)"
xvfb-run -a -s "-screen 0 1400x900x24" "$cases_bench" "$work/big.lepton" 2> >(grep -v -e propagateSizeHints -e XDG_RUNTIME_DIR >&2)
