#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the seed of the fuzz_study target, tests/fuzz/corpus/fuzz_study/trained.lepton: a small
# study with one dataset (medical demo data: images, records, events), one run trained for an
# epoch with a tiny model (its checkpoint), stored predictions with decisions, and the
# explanations of two cases; 512-byte pages, so mutations hit many structures. The committed file
# was made with this script; run it again after a schema change.
#
#   tests/fuzz/make-study-seed.sh LEPTON [OUT]
#
# LEPTON: a built `lepton` (e.g. build/app/lepton); OUT: the study to write (default: the seed).
# Needs sqlite3. The images are written to a temporary folder and removed: the study keeps only
# their paths, as every study does.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LEPTON [OUT]" >&2
    exit 2
fi
lepton=$1
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here/corpus/fuzz_study/trained.lepton}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lepton-fuzz-seed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export LEPTON_THREADS=1 OMP_NUM_THREADS=1
"$lepton" demo-data --cases 24 --seed 11 --out "$tmp/demo" >/dev/null 2>&1
"$lepton" import "$tmp/s.lepton" --manifest "$tmp/demo/manifest.csv" --events "$tmp/demo/events.csv" \
    --name seed >/dev/null 2>&1
printf '%s' '{"epochs": 1, "batch_size": 8, "model": {"width": 4, "depth": 1, "embed_dim": 4, "hidden": 4}}' \
    >"$tmp/tiny.json"
"$lepton" train "$tmp/s.lepton" --config "$tmp/tiny.json" --image-size 16 --seed 1 --quiet >/dev/null 2>&1
"$lepton" predict "$tmp/s.lepton" --run 1 >/dev/null 2>&1
for c in $(sed -n '2,3p' "$tmp/demo/manifest.csv" | cut -d, -f1); do
    "$lepton" explain "$tmp/s.lepton" --run 1 --case "$c" >/dev/null 2>&1
done
sqlite3 "$tmp/s.lepton" 'PRAGMA journal_mode = DELETE; PRAGMA page_size = 512; VACUUM;' >/dev/null
mkdir -p "$(dirname "$out")"
cp "$tmp/s.lepton" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)"
