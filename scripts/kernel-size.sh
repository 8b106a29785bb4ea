#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sizes of two kernel builds side by side: bzImage bytes and vmlinux
# text/data/bss (s390x-linux-gnu-size), and the difference in KiB.
# Usage: scripts/kernel-size.sh OURS_BUILD_DIR C_BUILD_DIR [LABEL]
# LABEL names the first column (default "ours (Rust)").
set -euo pipefail
ours=$1 c=$2 label=${3:-ours (Rust)}
bz() { stat -c %s "$1/arch/s390/boot/bzImage"; }
sz() { s390x-linux-gnu-size "$1/vmlinux" | awk 'NR==2 {print $1, $2, $3}'; }
read -r ot od ob < <(sz "$ours")
read -r ct cd cb < <(sz "$c")
ob_z=$(bz "$ours") cb_z=$(bz "$c")
kib() { awk -v d="$1" 'BEGIN {printf "%+.1f KiB", d / 1024}'; }
printf '%-12s %12s %12s %12s\n' "" "$label" "C only" "difference"
printf '%-12s %12d %12d %12s\n' bzImage "$ob_z" "$cb_z" "$(kib $((ob_z - cb_z)))"
printf '%-12s %12d %12d %12s\n' "vmlinux text" "$ot" "$ct" "$(kib $((ot - ct)))"
printf '%-12s %12d %12d %12s\n' "vmlinux data" "$od" "$cd" "$(kib $((od - cd)))"
printf '%-12s %12d %12d %12s\n' "vmlinux bss" "$ob" "$cb" "$(kib $((ob - cb)))"
