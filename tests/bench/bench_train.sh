#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Training and prediction benchmark: Lepton's C++ pipeline (lepton_bench_train) against the Python
# PyTorch reference of the same architecture, data and augmentations (reference_train.py), in one
# run with the same threads, workers, batch size and steps. Also checks that training memory does
# not grow with the dataset when the image cache is off. Prints a table; never run by CTest.
# Usage: tests/bench/bench_train.sh [CASES] [BUILD_DIR]
#   env: STEPS (60), BATCH (32), WORKERS (2), THREADS (nproc), LATENCY_CASES (100),
#        REPEAT (1: rounds of all runs; the table shows medians), PROFILE=1 (phase and operator times),
#        CHANNELS_LAST=1 (adds a what-if row: ours with NHWC convolutions, cache off)
# Timings on a small machine swing with anything else running: check `uptime` first.
set -euo pipefail
cases=${1:-2000}
build=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)
lepton="$build/app/lepton"
bench="$build/tests/bench/lepton_bench_train"
python=/usr/bin/python3 # Debian's python3-torch; the python3 on PATH may have no torch
steps=${STEPS:-60}
batch=${BATCH:-32}
workers=${WORKERS:-2}
threads=${THREADS:-$(nproc)}
latency=${LATENCY_CASES:-100}
repeat=${REPEAT:-1}
profile=()
[[ "${PROFILE:-0}" == 1 ]] && profile=(--profile)
for f in "$lepton" "$bench"; do
  [[ -x "$f" ]] || { echo "bench_train.sh: $f is missing; build it (ninja -C $build lepton lepton_bench_train)" >&2; exit 2; }
done
"$python" -c 'import torch, cv2' 2>/dev/null || { echo "bench_train.sh: $python needs python3-torch and python3-opencv" >&2; exit 2; }

load_start=$(cut -d' ' -f1 /proc/loadavg)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Demo data for CASES and 4 × CASES cases, each imported into its own study.
make_study() { # NAME CASES
  "$lepton" demo-data --cases "$2" --out "$work/$1" >/dev/null 2>&1
  "$lepton" import "$work/$1.lepton" --manifest "$work/$1/manifest.csv" --events "$work/$1/events.csv" >/dev/null 2>&1
  cat "$work/$1"/images/*.png > /dev/null # warm the page cache: both sides then read from memory
}
echo "Generating and importing ${cases} and $((4 * cases)) demo cases…" >&2
make_study small "$cases"
make_study large $((4 * cases))

common=(--dataset 1 --steps "$steps" --batch-size "$batch" --threads "$threads" --workers "$workers" --latency-cases "$latency" --json "${profile[@]}")
for ((r = 1; r <= repeat; ++r)); do
  echo "Round $r of $repeat: Python reference…" >&2
  "$python" "$here/reference_train.py" --study "$work/small.lepton" "${common[@]}" > "$work/ref.$r.json"
  echo "Round $r of $repeat: lepton, cache off; cache on; cache off on $((4 * cases)) cases…" >&2
  "$bench" --study "$work/small.lepton" --cache off "${common[@]}" > "$work/off.$r.json"
  "$bench" --study "$work/small.lepton" --cache on "${common[@]}" > "$work/on.$r.json"
  "$bench" --study "$work/large.lepton" --cache off "${common[@]}" > "$work/large.$r.json"
  if [[ "${CHANNELS_LAST:-0}" == 1 ]]; then
    "$bench" --study "$work/small.lepton" --cache off --channels-last "${common[@]}" > "$work/nhwc.$r.json"
  fi
done
load_end=$(cut -d' ' -f1 /proc/loadavg)

"$python" - "$work" "$repeat" "$load_start" "$load_end" <<'PY'
import json, os, statistics, sys, time
work, repeat, load_start, load_end = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
runs = {k: [json.load(open(os.path.join(work, f"{k}.{r}.json"))) for r in range(1, repeat + 1)]
        for k in ("ref", "off", "on", "large", "nhwc") if os.path.exists(os.path.join(work, f"{k}.1.json"))}


def median(key, name):
    return statistics.median(x[name] for x in runs[key])


ref = runs["ref"][0]
print(f"\nTraining and prediction benchmark, {time.strftime('%Y-%m-%d')}: {ref['cases']} demo cases "
      f"({ref['train_cases']} train), 128 px grey, batch {ref['batch_size']}, {ref['steps']} timed steps after "
      f"{ref['warmup_steps']} warm-up, {ref['threads']} intra-op threads, {ref['workers']} loader workers, "
      f"{os.cpu_count()} cores, load {load_start} at start / {load_end} at end, "
      f"{'median of ' + str(repeat) + ' rounds' if repeat > 1 else 'one round'}; torch {ref['torch']}, "
      f"OpenCV {ref['opencv']}, {ref['parameters']} parameters on each side")
rows = [("Python reference (DataLoader, worker processes)", "ref"),
        ("lepton, image cache off", "off"),
        ("lepton, image cache on", "on"),
        (f"lepton, image cache off, {runs['large'][0]['cases']} cases", "large")]
if "nhwc" in runs:
    rows.append(("what if: lepton, cache off, channels-last", "nhwc"))


def differences(a, b, path=""):
    """Where two settings objects differ (numbers compared with a tolerance)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}{k}.")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if abs(a - b) <= 1e-9 * max(1.0, abs(a)) else [f"{path[:-1]}: {b} here, {a} in the reference"]
    return [] if a == b else [f"{path[:-1]}: {b} here, {a} in the reference"]


for problem in differences(ref.get("settings", {}), runs["off"][0].get("settings", {})):
    print(f"WARNING: settings differ, update reference_train.py / reference_model.py: {problem}")
ref_sps, ref_lat = median("ref", "samples_per_s"), median("ref", "latency_ms_median")
head = (f"{'what':<48} {'samples/s':>9} {'x ref':>6} {'p50 ms':>7} {'p90 ms':>7} {'x ref':>6} "
        f"{'peak RSS MiB':>16}")
print(head)
print("-" * len(head))
for name, key in rows:
    sps, lat = median(key, "samples_per_s"), median(key, "latency_ms_median")
    rss = f"{median(key, 'peak_rss_mib'):.0f}"
    if "peak_rss_children_mib" in runs[key][0]:
        rss += f" + {median(key, 'peak_rss_children_mib'):.0f}/worker"
    spread = ""
    if repeat > 1:
        values = [x["samples_per_s"] for x in runs[key]]
        spread = f"   samples/s {min(values):.0f}-{max(values):.0f}"
    print(f"{name:<48} {sps:>9.1f} {sps / ref_sps:>6.2f} {lat:>7.2f} {median(key, 'latency_ms_p90'):>7.2f} "
          f"{lat / ref_lat:>6.2f} {rss:>16}{spread}")
thr = median("off", "samples_per_s") / ref_sps
lat = median("off", "latency_ms_median") / ref_lat
small, large = median("off", "peak_rss_mib"), median("large", "peak_rss_mib")
print(f"target: training throughput >= 1.30 x reference (ours with the cache off, like the reference): "
      f"{thr:.2f} x, {'met' if thr >= 1.3 else 'MISSED'}")
print(f"target: batch-1 latency <= 0.50 x reference (median): {lat:.2f} x, {'met' if lat <= 0.5 else 'MISSED'}")
print(f"memory with the cache off, {runs['off'][0]['cases']} -> {runs['large'][0]['cases']} cases: peak RSS "
      f"{small:.0f} -> {large:.0f} MiB ({large / small:.2f} x, {'flat' if large / small <= 1.15 else 'GROWS'})")
print("x ref: ours / reference. The reference's workers: the largest worker's peak RSS, pages shared "
      "with the main process included.")
if "step_ms" in ref:
    print("\nPer timed step, ms (PROFILE=1; medians):")
    keys = ["wait", "forward", "backward", "optimizer", "other", "total"]
    print(f"{'':<48} " + " ".join(f"{k:>9}" for k in keys))
    for name, key in rows:
        print(f"{name:<48} " + " ".join(f"{statistics.median(x['step_ms'][k] for x in runs[key]):>9.1f}" for k in keys))
    print("Data pipeline on one thread (image = read + decode + resize + to float; ms per image, per batch):")
    for name, key in rows[:2]:
        p = runs[key][0]["pipeline_ms"]
        print(f"{name:<48} image {p['image_ms']:.2f}, augment {p['augment_ms']:.2f}, batch of "
              f"{runs[key][0]['batch_size']} {p['collate_batch_ms']:.1f}; batch-1 encode "
              f"{runs[key][0]['latency_collate_ms_median']:.2f}")
    ops = runs["off"][0].get("operators_self_ms_per_step", [])
    if ops:
        print("lepton, cache off: self time per training step by operator (autograd profiler, 5 steps):")
        for o in ops[:10]:
            print(f"  {o['op']:<40} {o['self_ms']:>7.1f} ms  {o['calls']:>6.0f} calls")
PY
