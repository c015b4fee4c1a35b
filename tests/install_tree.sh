#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Install rules: `cmake --install` the build tree into a temporary prefix, then check that the
# installed tree holds the package content and that the installed `lepton` works on its own
# (run from another folder, with a clean environment and nothing of the build tree on any path).
#
# Usage: install_tree.sh BUILD_DIR [CMAKE] [--gui]
#   BUILD_DIR  the configured and built build tree
#   CMAKE      the cmake to install with (default: cmake from PATH)
#   --gui      lepton-workbench was built, so it must be installed too
# Exits 0 when every check passes, 1 at the end when any failed, 2 on a usage error.
set -u

build=${1:-}
cmake=${2:-cmake}
gui=${3:-}
if [ -z "$build" ] || [ ! -f "$build/CMakeCache.txt" ]; then
    echo "usage: $0 BUILD_DIR [CMAKE] [--gui]" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lepton-install-tree.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix
work=$tmp/work
mkdir -p "$work"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() {
    echo "ok: $*"
}
expect_file() {
    if [ -f "$prefix/$1" ] && [ -s "$prefix/$1" ]; then pass "$1"; else fail "missing or empty: $1"; fi
}
# The installed lepton, run from $work with only the system's paths and nothing else of ours.
lepton() {
    (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$tmp" TMPDIR="$tmp" LANG=C.UTF-8 \
        QT_QPA_PLATFORM=offscreen LEPTON_THREADS=2 "$prefix/bin/lepton" "$@")
}

echo "installing $build into $prefix"
if ! "$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    fail "cmake --install"
    exit 1
fi

# Package content.
expect_file bin/lepton
expect_file libexec/lepton/lepton-tokenizer
[ -x "$prefix/libexec/lepton/lepton-tokenizer" ] || fail "libexec/lepton/lepton-tokenizer is not executable"
[ -x "$prefix/bin/lepton" ] || fail "bin/lepton is not executable"
if [ "$gui" = "--gui" ]; then expect_file bin/lepton-workbench; fi
for t in medical finance generic; do expect_file "share/lepton-workbench/templates/$t.json"; done
expect_file share/applications/lepton-workbench.desktop
expect_file share/icons/hicolor/scalable/apps/lepton-workbench.svg
for s in 16 32 48 64 128 256; do expect_file "share/icons/hicolor/${s}x${s}/apps/lepton-workbench.png"; done
expect_file share/metainfo/lepton-workbench.metainfo.xml
expect_file share/mime/packages/lepton-workbench.xml
expect_file share/man/man1/lepton.1
expect_file share/doc/lepton-workbench/copyright
# No test hook in what is installed (core/util/TestHooks.h): the variables that make the test build's
# command line kill itself, cap a study or slow training are read only by lepton-testhooks, which is
# never installed. Checked in every build, the test build (-DLEPTON_TEST_HOOKS=ON) included.
hooks='LEPTON_TEST_KILL_AT|LEPTON_TEST_MAX_PAGE_COUNT|LEPTON_TEST_STEP_DELAY_MS|LEPTON_TEST_'
[ -e "$prefix/bin/lepton-testhooks" ] && fail "bin/lepton-testhooks is installed; it is for tests only"
for f in "$prefix"/bin/* "$prefix"/lib*/* ; do
    [ -f "$f" ] || continue
    if command -v strings >/dev/null 2>&1; then
        found=$(strings -a "$f" | grep -E -o "$hooks" | sort -u | tr '\n' ' ')
    else
        found=$(grep -a -E -o "$hooks" "$f" | sort -u | tr '\n' ' ')
    fi
    if [ -n "$found" ]; then
        fail "${f#"$prefix"/} holds test hook names: $found"
    else
        pass "${f#"$prefix"/} holds no test hook names"
    fi
done
# Nothing of the build tree may be baked into the installed files' run paths.
if command -v readelf >/dev/null 2>&1 && readelf -d "$prefix/bin/lepton" | grep -E 'R(UN)?PATH' | grep -q "$build"; then
    fail "bin/lepton has a run path into the build tree"
fi

# The installed command line.
if [ -x "$prefix/bin/lepton" ]; then
    version=$(lepton --version 2>&1)
    status=$?
    echo "lepton --version: $version"
    [ "$status" -eq 0 ] || fail "lepton --version exited with $status"
    for lib in LibTorch Qt OpenCV; do
        case $version in
            *"$lib "[0-9]*) pass "--version names $lib" ;;
            *) fail "lepton --version does not name $lib with its version" ;;
        esac
    done

    # With notes: training trains the text tokenizer in the installed helper (libexec/lepton).
    if lepton demo-data --domain finance --cases 50 --notes --out "$tmp/demo" >"$tmp/demo-data.log" 2>&1; then
        pass "lepton demo-data"
    else
        cat "$tmp/demo-data.log" >&2
        fail "lepton demo-data exited non-zero"
    fi
    for f in manifest.csv events.csv ground_truth.json; do
        if [ -s "$tmp/demo/$f" ]; then pass "demo/$f"; else fail "demo-data wrote no $f"; fi
    done
    rows=$(wc -l <"$tmp/demo/manifest.csv" 2>/dev/null || echo 0)
    [ "$rows" -eq 51 ] || fail "manifest.csv has $rows lines, expected 51 (header and 50 cases)"

    # The decision templates are built in: a one-epoch run with the finance template needs no
    # file of the build or install tree.
    if lepton import study.lepton --manifest "$tmp/demo/manifest.csv" --events "$tmp/demo/events.csv" \
        >"$tmp/import.log" 2>&1; then
        pass "lepton import"
    else
        cat "$tmp/import.log" >&2
        fail "lepton import exited non-zero"
    fi
    if lepton train study.lepton --epochs 1 --threads 2 --template finance --quiet --json >"$tmp/train.log" 2>&1 \
        && grep -q '"status": "completed"' "$tmp/train.log"; then
        pass "lepton train with the built-in finance template and the note column (text)"
    else
        cat "$tmp/train.log" >&2
        fail "lepton train with the built-in finance template"
    fi
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "install tree: all checks passed"
