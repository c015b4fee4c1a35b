#!/usr/bin/env bash
# Import throughput: `lepton import` of the demo data (PNG decode + SHA-256 + validation + the
# SQLite write) against a Python reference doing the same decode and hash with OpenCV/hashlib
# on the same number of worker processes. Prints a table; never run by CTest.
# Usage: tests/bench/bench_import.sh [CASES] [BUILD_DIR]
#   env: IMAGE_SIZE (128; e.g. 2000 for scanner-sized images), FORMAT (png or dicom: the demo's
#        DICOM mix of transfer syntaxes; the Python reference reads PNG only and says n/a)
set -euo pipefail
cases=${1:-5000}
build=${2:-build}
lepton="$build/app/lepton"
threads=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

size=${IMAGE_SIZE:-128}
format=${FORMAT:-png}
"$lepton" demo-data --cases "$cases" --out "$work/data" --image-size "$size" --format "$format" >/dev/null 2>&1
sync
# Warm the page cache once so both sides read from memory.
cat "$work"/data/images/* > /dev/null

start=$(date +%s.%N)
"$lepton" import "$work/s.lepton" --manifest "$work/data/manifest.csv" --events "$work/data/events.csv" --json > "$work/report.json" 2>/dev/null
end=$(date +%s.%N)
images=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/report.json'))['images_decoded'])")
lepton_s=$(/usr/bin/python3 -c "print(f'{$end-$start:.3f}')")

ref=$(/usr/bin/python3 - "$work/data" "$threads" <<'PY'
import csv, hashlib, os, sys, time
from concurrent.futures import ProcessPoolExecutor
root, workers = sys.argv[1], int(sys.argv[2])
def work(path):
    import cv2
    data = open(path, 'rb').read()
    h = hashlib.sha256(data).hexdigest()
    import numpy as np
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return h, None if img is None else img.shape
try:
    import cv2  # noqa: F401
except ImportError:
    print("n/a n/a"); sys.exit(0)
t0 = time.perf_counter()
with open(os.path.join(root, 'manifest.csv'), newline='') as f:
    rows = [r for r in csv.DictReader(f)]
paths = [os.path.join(root, r['image']) for r in rows if r['image']]
if any(p.endswith('.dcm') for p in paths):
    print("n/a n/a"); sys.exit(0)
with ProcessPoolExecutor(workers) as ex:
    out = list(ex.map(work, paths, chunksize=64))
t = time.perf_counter() - t0
print(f"{t:.3f} {len(out)}")
PY
)
ref_s=${ref% *}
ref_n=${ref#* }

printf '\nImport benchmark: %s demo cases, %s images (%sx%s grey %s), %s threads, %s\n' "$cases" "$images" "$size" "$size" "$format" "$threads" "$(date -u +%F)"
printf '%-44s %10s %12s\n' "what" "seconds" "images/s"
printf '%-44s %10s %12s\n' "lepton import (decode+hash+validate+store)" "$lepton_s" "$(/usr/bin/python3 -c "print(f'{$images/$lepton_s:.0f}')")"
if [[ "$ref_s" != "n/a" ]]; then
  printf '%-44s %10s %12s\n' "Python reference (cv2 decode+hash only)" "$ref_s" "$(/usr/bin/python3 -c "print(f'{$ref_n/$ref_s:.0f}')")"
else
  printf '%-44s %10s %12s\n' "Python reference (needs python3-opencv)" "n/a" "n/a"
fi
if (( size >= 1000 )); then
  printf 'target: >= 20 images/s on 2 cores for images of 2000x2000\n'
else
  printf 'target: >= 500 images/s on 2 cores\n'
fi
