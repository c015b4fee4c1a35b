#!/usr/bin/env bash
# Import time per DICOM transfer syntax: for each syntax of the demo's DICOM mix, one 2000 × 2000
# demo file copied SMALL and LARGE times, each set imported with one decoding thread; seconds per
# image = (time(LARGE) − time(SMALL)) / (LARGE − SMALL), so start-up and the study write cancel
# out. Each import is repeated ROUNDS times and the median taken. Prints a table; never run by CTest.
# Usage: tests/bench/bench_dicom_syntax.sh [BUILD_DIR]
#   env: IMAGE_SIZE (2000), SMALL (6), LARGE (18), ROUNDS (3)
set -euo pipefail
build=${1:-build}
lepton="$build/app/lepton"
size=${IMAGE_SIZE:-2000}
small=${SMALL:-6}
large=${LARGE:-18}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$lepton" demo-data --cases 12 --out "$work/demo" --image-size "$size" --format dicom >/dev/null 2>&1

# The syntax of each demo file, by the UID in its file meta information.
syntax_of() {
  /usr/bin/python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read(4096)
i = d.find(b'\x02\x00\x10\x00UI')
n = d[i + 6] | (d[i + 7] << 8)
print(d[i + 8:i + 8 + n].rstrip(b'\0 ').decode())
PY
}

declare -A names=(
  [1.2.840.10008.1.2.1]="explicit VR little endian"
  [1.2.840.10008.1.2.5]="RLE lossless"
  [1.2.840.10008.1.2.4.70]="JPEG lossless (SV1)"
  [1.2.840.10008.1.2.4.80]="JPEG-LS lossless"
  [1.2.840.10008.1.2.4.90]="JPEG 2000 lossless"
)
declare -A file_of=()
for f in "$work"/demo/images/*.dcm; do
  uid=$(syntax_of "$f")
  [[ -n "${names[$uid]:-}" && -z "${file_of[$uid]:-}" ]] && file_of[$uid]=$f
done

# Imports COUNT copies of FILE with one thread; prints the median wall time of ROUNDS runs.
time_import() {
  local file=$1 count=$2 dir="$work/set-$2"
  rm -rf "$dir"
  mkdir -p "$dir/images"
  echo "case_id,label,image" > "$dir/manifest.csv"
  for ((i = 0; i < count; i++)); do
    cp "$file" "$dir/images/c$i.dcm"
    echo "C$i,$([[ $((i % 2)) == 0 ]] && echo normal || echo abnormal),images/c$i.dcm" >> "$dir/manifest.csv"
  done
  cat "$dir"/images/* > /dev/null
  local times=()
  for ((r = 0; r < rounds; r++)); do
    rm -f "$dir/s.lepton"
    local start end
    start=$(date +%s.%N)
    "$lepton" import "$dir/s.lepton" --manifest "$dir/manifest.csv" --threads 1 >/dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(/usr/bin/python3 -c "print($end - $start)")")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((rounds + 1) / 2))p"
}

echo
echo "DICOM import per transfer syntax: ${size}x${size} demo files, 1 decoding thread, $(date +%F)"
echo "(seconds per image from $small and $large copies, median of $rounds imports each)"
printf '%-28s %12s %14s\n' "transfer syntax" "s/image" "images/s/core"
for uid in 1.2.840.10008.1.2.1 1.2.840.10008.1.2.5 1.2.840.10008.1.2.4.70 1.2.840.10008.1.2.4.80 1.2.840.10008.1.2.4.90; do
  f=${file_of[$uid]:-}
  if [[ -z "$f" ]]; then
    printf '%-28s %12s %14s\n' "${names[$uid]}" "n/a" "n/a"
    continue
  fi
  a=$(time_import "$f" "$small")
  b=$(time_import "$f" "$large")
  /usr/bin/python3 -c "
per = ($b - $a) / ($large - $small)
print(f'{\"${names[$uid]}\":<28} {per:12.3f} {1 / per if per > 0 else float(\"inf\"):14.1f}')"
done
