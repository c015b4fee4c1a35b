#!/usr/bin/env bash
# The text modality on the medical demo with notes (lepton demo-data --notes), over data seeds and
# training seeds: test AUROC of the text-only variant beside the planted text term's own AUROC on
# the same test cases, attention fusion with the note against the same data without it, and the
# faithfulness of the note's explanations (a planted word in the top 3 words, beside its chance
# level; mean occlusion and IG of signal words affirmed and denied; ms per explained case, by
# `lepton explain --all` alone and by the report with its deletion passes). The text-only variant
# and attention fusion run with both text encoders (Transformer, bidirectional GRU). Then the
# tokenizer's speed on 100 000 notes. Prints tables; not a test (many minutes of training).
# Usage: tests/bench/bench_text.sh [CASES] [BUILD_DIR]   (DATA_SEEDS="7 8" TRAIN_SEEDS="1 2 3"
#        FAITH_SEEDS: training seeds whose runs are explained (default: the first training seed;
#        the report explains every test case, minutes each); CONFIG=file.json to override the
#        training settings; EPOCHS, IMAGE_SIZE; VARIANTS: which of text textgru attention
#        attentiongru plain to train, default all)
set -euo pipefail
cases=${1:-1000}
build=${2:-build}
data_seeds=${DATA_SEEDS:-7 8}
train_seeds=${TRAIN_SEEDS:-1 2 3}
faith_seeds=${FAITH_SEEDS:-${train_seeds%% *}}
variants=${VARIANTS:-text textgru attention attentiongru plain}
lepton="$build/app/lepton"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
config=${CONFIG:-$work/config.json}
if [[ -z "${CONFIG:-}" ]]; then
  printf '{"epochs": %s, "patience": 0, "model": {"image_size": %s}}\n' "${EPOCHS:-15}" "${IMAGE_SIZE:-64}" > "$config"
fi
echo "config: $(cat "$config")   cases: $cases"
gru_config="$work/config-gru.json"
/usr/bin/python3 - "$config" "$gru_config" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.setdefault("model", {})["text_encoder"] = "gru"
json.dump(c, open(sys.argv[2], "w"))
PY
printf '%-5s %-5s %-22s %10s\n' data train run "test AUROC"
results="$work/results.tsv"
: > "$results"
for ds in $data_seeds; do
  d="$work/d$ds"
  "$lepton" demo-data --cases "$cases" --seed "$ds" --notes --out "$d" >/dev/null 2>&1
  # The same manifest without the note column: fusion without text on the same cases and split.
  /usr/bin/python3 - "$d/manifest.csv" "$d/plain.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
k = rows[0].index("note")
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows([r[:k] + r[k + 1:] for r in rows])
PY
  "$lepton" import "$d/text.lepton" --manifest "$d/manifest.csv" --events "$d/events.csv" >/dev/null 2>&1
  "$lepton" import "$d/plain.lepton" --manifest "$d/plain.csv" --events "$d/events.csv" >/dev/null 2>&1
  # The planted text term's own AUROC on the test cases (what a perfect reader of the note scores).
  planted=$(/usr/bin/python3 - "$d/text.lepton" "$d/ground_truth.json" <<'PY'
import json, sqlite3, sys
test = {r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT case_key FROM cases WHERE split = 'test'")}
gt = json.load(open(sys.argv[2]))
pairs = [(c["text_risk"], c["label"] == gt["positive_label"]) for c in gt["case_list"] if c["case_id"] in test]
pos = [s for s, y in pairs if y]; neg = [s for s, y in pairs if not y]
auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
print(f"{auc:.4f}")
PY
)
  printf '%-5s %-5s %-22s %10s\n' "$ds" - "planted text term" "$planted"
  printf '%s\t-\tplanted\t%s\n' "$ds" "$planted" >> "$results"
  for ts in $train_seeds; do
    for variant in $variants; do
      case $variant in
        text) what=text:text ;;
        textgru) what=textgru:text ;;
        attention) what=attention:text ;;
        attentiongru) what=attentiongru:text ;;
        plain) what=attention:plain ;;
        *) echo "bench_text: unknown variant $variant" >&2; exit 2 ;;
      esac
      fusion=${what%%:*}; study=${what##*:}; cfg=$config
      if [[ "$fusion" == *gru ]]; then fusion=${fusion%gru}; cfg=$gru_config; fi
      json=$("$lepton" train "$d/$study.lepton" --config "$cfg" --fusion "$fusion" --seed "$ts" --quiet --json)
      auc=$(/usr/bin/python3 -c 'import json,sys; print("%.4f" % json.loads(sys.argv[1])["test"]["auroc"])' "$json")
      run=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run_id"])' "$json")
      name=${what%%:*}
      printf '%-5s %-5s %-22s %10s\n' "$ds" "$ts" "$name ($study)" "$auc"
      printf '%s\t%s\t%s-%s\t%s\n' "$ds" "$ts" "$name" "$study" "$auc" >> "$results"
      if [[ "$what" == attention:text && " $faith_seeds " == *" $ts "* ]]; then
        # Explaining alone (every test case: what a reviewer waits for), then the report.
        "$lepton" explain "$d/text.lepton" --run "$run" --all --json > "$work/all.json" 2>/dev/null
        "$lepton" explain "$d/text.lepton" --run "$run" --report --json > "$work/report.json" 2>/dev/null
        /usr/bin/python3 - "$ds" "$ts" "$work/report.json" "$work/all.json" >> "$work/faith.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[3]))
g = lambda k: r.get(k)
print("\t".join(str(x) for x in (sys.argv[1], sys.argv[2], g("text_cases"), g("words_at_k_occlusion"), g("words_at_k_ig"),
      g("words_at_k_attention"), g("words_at_k_chance"), g("affirmed_word_occlusion"), g("negated_word_occlusion"),
      g("affirmed_word_ig"), g("negated_word_ig"), json.load(open(sys.argv[4])).get("ms_per_case"), g("ms_per_case"))))
PY
      fi
    done
  done
done
/usr/bin/python3 - "$results" "$work/faith.tsv" <<'PY'
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
def summary(name):
    v = [float(r[3]) for r in rows if r[2] == name]
    return f"{st.mean(v):.4f} ± {st.stdev(v) if len(v) > 1 else 0:.4f} (n={len(v)}, {min(v):.4f}–{max(v):.4f})"
print()
print("summary (mean ± sd over data and training seeds)")
for name, label in (("planted", "planted text term (test)"), ("text-text", "text only (Transformer)"),
                    ("textgru-text", "text only (bidirectional GRU)"),
                    ("attention-text", "attention fusion with note"),
                    ("attentiongru-text", "attention fusion with note (GRU)"),
                    ("attention-plain", "attention fusion without note")):
    if any(r[2] == name for r in rows):
        print(f"  {label:<32} {summary(name)}")
for name, label in (("text-text", "planted − text (Transformer)"), ("textgru-text", "planted − text (GRU)")):
    gap = []
    for ds in sorted({r[0] for r in rows}):
        p = [float(r[3]) for r in rows if r[0] == ds and r[2] == "planted"][0]
        gap += [p - float(r[3]) for r in rows if r[0] == ds and r[2] == name]
    if gap:
        print(f"  {label:<32} {st.mean(gap):+.4f} (max {max(gap):+.4f}; target ≤ 0.03)")
w = [float(r[3]) for r in rows if r[2] == "attention-text"]; wo = [float(r[3]) for r in rows if r[2] == "attention-plain"]
if w and wo:
    print(f"  {'fusion with − without note':<32} {st.mean(w) - st.mean(wo):+.4f} (target ≥ +0.02)")
print()
print("faithfulness of the note's explanations (attention fusion with note, test split)")
print("  top3: a planted word among the note's 3 words of largest |attribution| (target ≥ 0.80), chance beside it;")
print("  occ/IG aff, den: mean attribution of signal words where affirmed and where denied (den < aff wanted)")
print("  ms explain: per case by `lepton explain --all` (target < 250); ms report: with the report's deletion passes")
print(f"  {'data':<5} {'train':<5} {'notes':>6} {'top3 occ':>9} {'top3 IG':>8} {'top3 att':>9} {'chance':>7} {'occ aff':>8} {'occ den':>8} {'IG aff':>8} {'IG den':>8} {'ms explain':>10} {'ms report':>9}")
for l in open(sys.argv[2]) if len(sys.argv) > 2 and __import__("os").path.exists(sys.argv[2]) else []:
    d, t, n, occ, ig, att, ch, oaff, oneg, aff, neg, ms, msr = l.rstrip("\n").split("\t")
    f = lambda x, k=3: "–" if x in ("None", "") else f"{float(x):.{k}f}"
    print(f"  {d:<5} {t:<5} {n:>6} {f(occ):>9} {f(ig):>8} {f(att):>9} {f(ch):>7} {f(oaff, 4):>8} {f(oneg, 4):>8} {f(aff, 4):>8} {f(neg, 4):>8} {f(ms, 0):>10} {f(msr, 0):>9}")
PY
echo
"$build/tests/bench/lepton_bench_text" "$work/d${data_seeds%% *}/manifest.csv" note 100000
