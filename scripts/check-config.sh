#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that every option of the fragments took effect in the merged .config
# (Kconfig silently drops what a dependency does not allow).
# Usage: scripts/check-config.sh .config FRAGMENT...
set -euo pipefail
config=$1; shift
bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	sym=${want#\# }; sym=${sym%%[= ]*}
	if [[ "$want" == "#"* ]]; then
		grep -q "^$sym=" "$config" && { echo "check-config: $sym should be unset"; bad=1; }
	else
		grep -qxF "$want" "$config" || { echo "check-config: want $want, have: $(grep -E "^(# )?$sym[= ]" "$config" || echo none)"; bad=1; }
	fi
done < <(cat "$@")
[ $bad -eq 0 ] || { echo "check-config: FAILED for $config" >&2; exit 1; }
