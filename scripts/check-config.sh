#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that every option of the fragments took effect in the merged .config
# (Kconfig silently drops what a dependency does not allow).
# Usage: scripts/check-config.sh .config FRAGMENT...
set -euo pipefail
config=$1; shift
# A later fragment overrides an earlier one, as in merge_config.sh: the
# last value of each symbol is the one wanted.
declare -A want=()
order=()
while read -r line; do
	case "$line" in
	CONFIG_*=* | "# CONFIG_"*" is not set") ;;
	*) continue ;;
	esac
	sym=${line#\# }; sym=${sym%%[= ]*}
	[ -n "${want[$sym]:-}" ] || order+=("$sym")
	want[$sym]=$line
done < <(cat "$@")
bad=0
for sym in "${order[@]}"; do
	w=${want[$sym]}
	if [[ "$w" == "#"* ]]; then
		grep -q "^$sym=" "$config" && { echo "check-config: $sym should be unset"; bad=1; }
	else
		grep -qxF "$w" "$config" || { echo "check-config: want $w, have: $(grep -E "^(# )?$sym[= ]" "$config" || echo none)"; bad=1; }
	fi
done
[ $bad -eq 0 ] || { echo "check-config: FAILED for $config" >&2; exit 1; }
