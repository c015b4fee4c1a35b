#!/usr/bin/env bash
# verify-clean-debian.sh — proves the Lepton Workbench .deb on a clean Debian 12 system.
#
# Copyright (C) Lepton Workbench contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This program is free software: you can redistribute it and/or modify it under the terms of the
# GNU General Public License as published by the Free Software Foundation, either version 3 of the
# License, or (at your option) any later version.
#
# This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; without
# even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the GNU
# General Public License for more details. You should have received a copy of the GNU General
# Public License along with this program. If not, see <https://www.gnu.org/licenses/>.
#
# Usage: sudo packaging/verify-clean-debian.sh PACKAGE.deb [WORKDIR]
#
# What it does (as root, on a Debian/Ubuntu host):
#   1. installs debootstrap on the host if it is missing;
#   2. builds a minimal Debian 12 (bookworm) root with debootstrap --variant=minbase into
#      WORKDIR/base (kept and reused once WORKDIR/base/.lepton-debootstrap-complete exists);
#   3. copies that pristine base to WORKDIR/root, so every check starts from a clean system;
#   4. in a chroot there: apt-get update && apt-get install -y --no-install-recommends ./PACKAGE.deb
#      (apt fetches the package's Depends from Debian's archive, as for any Debian package; without
#      Recommends, so the Depends alone are proven sufficient);
#   5. with networking removed (unshare -n: a network namespace with only a loopback device):
#      lepton --version, lepton demo (headless training), and, after installing xvfb + xauth,
#      the workbench under Xvfb saving a screenshot to WORKDIR/clean-root-workbench.png;
#   6. prints a table of the steps with their durations and results.
# /proc, /sys and /dev are bind-mounted into the root only while it runs and are always unmounted.
# Exits non-zero, naming the failed step, if anything fails.
#
# Environment: MIRROR (default http://deb.debian.org/debian), SUITE (default bookworm),
#              DEMO_TIMEOUT (seconds, default 3600), GUI_TIMEOUT (seconds, default 600).

set -euo pipefail

usage() {
    echo "usage: $0 PACKAGE.deb [WORKDIR]" >&2
    echo "  WORKDIR defaults to /tmp/lepton-clean-debian" >&2
    exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
[[ "$1" == -h || "$1" == --help ]] && usage
DEB=$(readlink -f -- "$1")
WORKDIR=${2:-/tmp/lepton-clean-debian}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=${SUITE:-bookworm}
DEMO_TIMEOUT=${DEMO_TIMEOUT:-3600}
GUI_TIMEOUT=${GUI_TIMEOUT:-600}

if [[ $(id -u) -ne 0 ]]; then
    echo "error: $0 needs root (debootstrap, mount, chroot)" >&2
    exit 2
fi
if [[ ! -f "$DEB" ]]; then
    echo "error: no such package: $1" >&2
    exit 2
fi

mkdir -p -- "$WORKDIR"
WORKDIR=$(readlink -f -- "$WORKDIR")
BASE=$WORKDIR/base
ROOT=$WORKDIR/root
MARKER=$BASE/.lepton-debootstrap-complete
LOG=$WORKDIR/logs
mkdir -p -- "$LOG"

# --- step bookkeeping ------------------------------------------------------------------------
STEP_NAMES=()
STEP_SECS=()
STEP_RESULTS=()
CURRENT_STEP=""
CURRENT_START=0
MOUNTS=()
NOTES=()

begin() {
    CURRENT_STEP=$1
    CURRENT_START=$(date +%s)
    printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$CURRENT_STEP"
}

end() { # end RESULT
    local secs=$(($(date +%s) - CURRENT_START))
    STEP_NAMES+=("$CURRENT_STEP")
    STEP_SECS+=("$secs")
    STEP_RESULTS+=("$1")
    printf '<== %s: %s (%ss)\n' "$CURRENT_STEP" "$1" "$secs"
    CURRENT_STEP=""
}

summary() {
    local i total=0
    printf '\n%-58s %9s  %s\n' "Step" "Seconds" "Result"
    printf '%-58s %9s  %s\n' "----------------------------------------------------------" "-------" "------"
    for i in "${!STEP_NAMES[@]}"; do
        printf '%-58s %9s  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECS[$i]}" "${STEP_RESULTS[$i]}"
        total=$((total + STEP_SECS[i]))
    done
    printf '%-58s %9s\n' "Total" "$total"
    if [[ ${#NOTES[@]} -gt 0 ]]; then
        echo
        printf '%s\n' "${NOTES[@]}"
    fi
}

unmount_all() {
    local i m
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        m=${MOUNTS[$i]}
        if mountpoint -q -- "$m"; then
            umount -- "$m" 2>/dev/null || umount -l -- "$m" || echo "warning: could not unmount $m" >&2
        fi
    done
    MOUNTS=()
}

on_exit() {
    local rc=$?
    set +e
    if [[ -n "$CURRENT_STEP" ]]; then
        end "FAILED (exit $rc)"
        FAILED_STEP=${STEP_NAMES[-1]}
    fi
    unmount_all
    summary
    if [[ $rc -ne 0 ]]; then
        echo
        echo "FAILED: step '${FAILED_STEP:-setup}' (exit $rc); logs in $LOG" >&2
    else
        echo
        echo "PASSED: $(basename -- "$DEB") installs and runs on a clean Debian $SUITE root."
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Refuses to delete a tree that has anything mounted inside it.
safe_remove() {
    local dir=$1
    [[ -e "$dir" ]] || return 0
    if findmnt -rn -o TARGET | grep -q -- "^$dir\(/\|$\)"; then
        echo "error: something is still mounted under $dir; unmount it first" >&2
        return 1
    fi
    rm -rf --one-file-system -- "$dir"
}

mount_into_root() {
    mkdir -p "$ROOT/proc" "$ROOT/sys" "$ROOT/dev"
    mount -t proc proc "$ROOT/proc" && MOUNTS+=("$ROOT/proc")
    mount --bind /sys "$ROOT/sys" && MOUNTS+=("$ROOT/sys")
    mount --bind /dev "$ROOT/dev" && MOUNTS+=("$ROOT/dev")
    if [[ -d /dev/pts ]]; then
        mount --bind /dev/pts "$ROOT/dev/pts" && MOUNTS+=("$ROOT/dev/pts")
    fi
    # A private /dev/shm for the root (the plain /dev bind leaves the host's tmpfs out).
    mount -t tmpfs -o mode=1777,size=512m tmpfs "$ROOT/dev/shm" && MOUNTS+=("$ROOT/dev/shm")
}

# in_root CMD...: runs a shell command in the root with a clean environment.
in_root() {
    chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive /bin/bash -c "$1"
}

# offline CMD...: the same, inside a new network namespace (no interfaces but a loopback).
offline() {
    unshare --net -- chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/bash -c "$1"
}

echo "Package: $DEB"
echo "Workdir: $WORKDIR"
echo "Mirror:  $MIRROR ($SUITE)"

# --- 1. host tools ---------------------------------------------------------------------------
begin "host: debootstrap available"
if command -v debootstrap >/dev/null 2>&1; then
    end "ok (already installed)"
else
    apt-get update 2>&1 | tee "$LOG/host-apt.log"
    DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap 2>&1 | tee -a "$LOG/host-apt.log"
    end "ok (installed)"
fi
for tool in unshare chroot mountpoint findmnt; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing on the host" >&2; exit 1; }
done

# --- 2. the minimal base root ------------------------------------------------------------------
begin "debootstrap --variant=minbase $SUITE"
if [[ -f "$MARKER" ]]; then
    end "ok (reused $BASE, built $(cat "$MARKER"))"
else
    safe_remove "$BASE"
    debootstrap --variant=minbase "$SUITE" "$BASE" "$MIRROR" 2>&1 | tee "$LOG/debootstrap.log"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$MARKER"
    end "ok ($(du -sh --one-file-system "$BASE" | cut -f1))"
fi

# --- 3. a clean copy for this check --------------------------------------------------------------
begin "copy pristine base to a fresh root"
safe_remove "$ROOT"
cp -a -- "$BASE" "$ROOT"
rm -f -- "$ROOT/.lepton-debootstrap-complete"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
# No daemons may start inside the root.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp -- "$DEB" "$ROOT/root/pkg.deb"
mount_into_root
end "ok"

# --- 4. install the package with apt --------------------------------------------------------------
begin "apt-get update (in root)"
in_root "apt-get update" 2>&1 | tee "$LOG/apt-update.log"
end "ok"

begin "apt-get install -y --no-install-recommends ./pkg.deb"
in_root "cd /root && apt-get install -y --no-install-recommends ./pkg.deb" 2>&1 | tee "$LOG/apt-install.log"
in_root "dpkg-query -W -f='\${Status}\n' lepton-workbench" | grep -q "install ok installed"
GET=$(grep -o 'Need to get [^.]*' "$LOG/apt-install.log" | head -1 || true)
DISK=$(grep -o 'After this operation, .*' "$LOG/apt-install.log" | head -1 || true)
NPKG=$(grep -o '[0-9]* newly installed' "$LOG/apt-install.log" | head -1 || true)
NOTES+=("apt (package + Depends): ${NPKG:-?}; ${GET:-download size not reported}; ${DISK:-}")
NOTES+=("package: $(dpkg-deb -f "$DEB" Package) $(dpkg-deb -f "$DEB" Version), Installed-Size $(dpkg-deb -f "$DEB" Installed-Size) KiB, .deb $(stat -c %s "$DEB") bytes")
end "ok (${GET#Need to get })"

# --- 5. run it with no network ------------------------------------------------------------------
begin "network check (unshare -n: loopback only)"
IFACES=$(offline "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' '")
echo "interfaces inside: $IFACES"
[[ "$IFACES" == "lo " ]] || { echo "error: expected only 'lo' in the namespace" >&2; false; }
end "ok (interfaces: ${IFACES% })"

begin "lepton --version (offline)"
offline "lepton --version" 2>&1 | tee "$LOG/version.log"
end "ok ($(head -1 "$LOG/version.log"))"

begin "lepton demo --cases 200 --epochs 2 (offline)"
offline "rm -rf /tmp/demo && timeout $DEMO_TIMEOUT lepton demo --cases 200 --epochs 2 --dir /tmp/demo" 2>&1 |
    tee "$LOG/demo.log"
test -f "$ROOT/tmp/demo/demo-medical.lepton"
end "ok"

begin "apt-get install -y xvfb xauth (in root)"
in_root "apt-get install -y --no-install-recommends xvfb xauth" 2>&1 | tee "$LOG/apt-xvfb.log"
end "ok"

begin "xvfb-run lepton-workbench --screenshot (offline)"
rm -f -- "$ROOT/tmp/shot.png"
offline "cd /tmp && timeout $GUI_TIMEOUT xvfb-run -a -s '-screen 0 1600x1000x24' \
    lepton-workbench /tmp/demo/demo-medical.lepton --screenshot /tmp/shot.png" 2>&1 | tee "$LOG/workbench.log"
test -s "$ROOT/tmp/shot.png"
cp -- "$ROOT/tmp/shot.png" "$WORKDIR/clean-root-workbench.png"
NOTES+=("screenshot: $WORKDIR/clean-root-workbench.png ($(stat -c %s "$WORKDIR/clean-root-workbench.png") bytes)")
end "ok"

begin "unmount /proc /sys /dev"
unmount_all
end "ok"
