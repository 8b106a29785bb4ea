#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The verdict of `make mutants`:
#
#   scripts/mutants-verdict.sh RC OUTDIR LIST
#
# RC is cargo-mutants' exit status, OUTDIR its mutants.out directory, LIST
# rust/s390_vmcore/mutants-survivors.md. Prints the counts and each
# timeout. Fails on a missed mutant, on a timeout not in LIST's
# ```timeouts block (named as cargo-mutants names a mutant without line and
# column: "FILE: CHANGE in FUNCTION"), and when cargo-mutants itself
# failed. cargo-mutants exits 3 on a timeout even if it also missed
# mutants, so missed.txt decides, not RC.
set -uo pipefail

[ $# -eq 3 ] || { sed -n '5p' "$0" | sed 's/^# *//' >&2; exit 1; }
rc=$1 out=$2 list=$3
for k in caught missed timeout unviable; do
	printf 'mutants %s: %s\n' $k "$(cat "$out/$k.txt" 2>/dev/null | wc -l)"
done
case $rc in
0 | 2 | 3) ;;
*) echo "mutants: cargo-mutants failed (exit $rc)"; exit "$rc" ;;
esac
grep -qx '```timeouts' "$list" || { echo "mutants: no \`\`\`timeouts block in $list"; exit 1; }
listed=$(sed -n '/^```timeouts$/,/^```$/{/^```/!p}' "$list")
verdict=0
while IFS= read -r m; do
	if grep -qxF -e "$(sed 's/:[0-9][0-9]*:[0-9][0-9]*: /: /' <<<"$m")" <<<"$listed"; then
		echo "mutants timeout, listed: $m"
	else
		echo "mutants timeout, NOT LISTED in $list: $m"
		verdict=3
	fi
done < <(cat "$out/timeout.txt" 2>/dev/null)
[ $verdict = 0 ] ||
	echo "mutants: look at each timeout not listed: an endless loop, or tests slowed by load?"
if [ -s "$out/missed.txt" ]; then
	sed 's/^/mutants missed: /' "$out/missed.txt"
	verdict=2
fi
# The exit status and the lists must agree.
if [ "$rc" != 0 ] && [ ! -s "$out/missed.txt" ] && [ ! -s "$out/timeout.txt" ]; then
	echo "mutants: cargo-mutants exited $rc, but no mutant is listed as missed or timed out"
	verdict=$rc
fi
exit $verdict
