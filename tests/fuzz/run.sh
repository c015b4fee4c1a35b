#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the libFuzzer targets of a LEPTON_FUZZ=ON build, each for a given time, on a copy of its
# seed corpus, and prints a table. Inputs that crash, leak, time out or run out of memory are
# copied to tests/fuzz/regressions/<target>/.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
#
# FUZZ_WORK (default BUILD_DIR/fuzz-work) holds the grown corpora and logs; FUZZ_FLAGS adds
# libFuzzer flags (e.g. "-fork=1 -ignore_crashes=1" to go on after a crash). Exit status 1 when
# any target found something. Regression inputs are not fuzzed from (an unfixed one would stop
# the run at once); CTest replays them (fuzz_<target>_replay).
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS_PER_TARGET [TARGET...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd) || exit 2
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-fuzz_csv fuzz_template fuzz_image fuzz_dicom fuzz_lossless_jpeg fuzz_import fuzz_checkpoint fuzz_study fuzz_tokenizer fuzz_safetensors fuzz_encoder}
work=${FUZZ_WORK:-$build/fuzz-work}
# Leak checks stay on: a reader that leaks per input is a finding too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_odr_violation=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1 LEPTON_THREADS=1

table=$work/summary.txt
mkdir -p "$work"
printf '%-16s %8s %12s %8s %8s %14s\n' target seconds executions exec/s crashes corpus > "$table"
found=0
for t in $targets; do
  bin=$build/tests/fuzz/$t
  if [ ! -x "$bin" ]; then
    echo "$t: not built ($bin); configure with -DLEPTON_FUZZ=ON and build lepton_fuzzers" >&2
    found=1
    continue
  fi
  dir=$work/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$here/corpus/$t/"* "$dir/corpus/" 2>/dev/null
  before=$(ls "$dir/artifacts" | wc -l)
  start=$(date +%s)
  # LibTorch has no frame pointers: its leaks need the slow unwinder to match lsan.supp.
  asan=$ASAN_OPTIONS
  [ "$t" = fuzz_checkpoint ] && asan=$asan:fast_unwind_on_malloc=0
  # GDCM's leaks on refused files (lsan.supp) pass through libstdc++, which has no frame pointers.
  [ "$t" = fuzz_dicom ] && asan=$asan:fast_unwind_on_malloc=0
  # The study seed (a trained run with its checkpoint, predictions and explanations) is ~100 KB.
  maxlen=65536
  [ "$t" = fuzz_study ] && maxlen=131072
  [ "$t" = fuzz_tokenizer ] && maxlen=262144
  ASAN_OPTIONS=$asan "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -max_len=$maxlen -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" ${FUZZ_FLAGS:-} "$dir/corpus" > "$dir/log.txt" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log.txt" | tail -1)
  if [ -z "$execs" ]; then # a crash ends the run before the final stats: take the last status line
    execs=$(grep -o '^#[0-9]*' "$dir/log.txt" | tail -1 | tr -d '#')
    rate=$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))
  fi
  crashes=$(( $(ls "$dir/artifacts" | wc -l) - before ))
  if [ "$crashes" -gt 0 ] || [ "$rc" -ne 0 ]; then
    found=1
    mkdir -p "$here/regressions/$t"
    for a in "$dir/artifacts/"*; do
      [ -f "$a" ] && cp -n "$a" "$here/regressions/$t/"
    done
    echo "$t: exit $rc, see $dir/log.txt" >&2
  fi
  files=$(ls "$dir/corpus" | wc -l)
  bytes=$(du -sk "$dir/corpus" | cut -f1)
  printf '%-16s %8s %12s %8s %8s %14s\n' "$t" "$elapsed" "${execs:-0}" "${rate:-0}" "$crashes" "$files/${bytes}KB" >> "$table"
done
cat "$table"
exit $found
