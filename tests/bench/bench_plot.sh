#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Live training plot benchmark: replots per second of LossPlot with 10 000, 100 000 and 300 000
# train-loss points, static and while points keep arriving. Prints a table; never run by CTest.
# Usage: tests/bench/bench_plot.sh [BUILD_DIR]   (default build)
#   env: SIZES ("10000 100000 300000")
# Runs under a virtual X server (xvfb-run) when there is one, else Qt's offscreen platform.
set -euo pipefail
build=${1:-build}
bench="$build/tests/bench/lepton_bench_plot"
[[ -x "$bench" ]] || { echo "bench_plot.sh: $bench is missing; build it (cmake --build $build --target lepton_bench_plot)" >&2; exit 2; }
read -r -a sizes <<< "${SIZES:-10000 100000 300000}"
echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
if command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb "$bench" "${sizes[@]}"
else
  QT_QPA_PLATFORM=offscreen exec "$bench" "${sizes[@]}"
fi
