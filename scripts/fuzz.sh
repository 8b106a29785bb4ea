#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the pure crate (rust/s390_vmcore) with cargo-fuzz / libFuzzer.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
#
# Builds every target of rust/s390_vmcore/fuzz and runs each for that many
# seconds. Corpora live in build/fuzz-corpus/<target> (seeded from
# rust/s390_vmcore/fuzz/regressions/<target>/, which every run replays
# first, as `cargo test` of the crate does), logs in
# build/fuzz-logs/<target>.log, crash inputs in build/fuzz-artifacts/<target>/.
# Prints one line per target,
#   fuzz <target>: N execs, 0 crashes
# and exits non-zero if any target crashed (printing the input's path), ran
# no input at all, or did not run: the targets are the files of
# fuzz/fuzz_targets/, and `cargo fuzz list` must name the same ones.
#
# Uses the stable rustup toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs
# -Z flags); installs cargo-fuzz 0.13 from crates.io if it is missing.
# Environment: FUZZ_SANITIZER (default none: the crate has no unsafe code;
# "address" for ASan), FUZZ_TARGETS (space-separated subset).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
# At least 1: libFuzzer takes -max_total_time=0 as "no limit".
case "$secs" in
'' | *[!0-9]* | 0 | 0*) echo "usage: $0 [SECONDS_PER_TARGET]   (1 or more)" >&2; exit 2 ;;
esac
fuzz=$top/rust/s390_vmcore/fuzz
build=$top/build
logs=$build/fuzz-logs
die() { echo "fuzz: FAILED: $*" >&2; exit 1; }

export PATH=$HOME/.cargo/bin:$PATH
export RUSTC_BOOTSTRAP=1
san=${FUZZ_SANITIZER:-none}
mkdir -p "$logs" || die "mkdir $logs"

if ! cargo fuzz --version >/dev/null 2>&1; then
	echo "fuzz: installing cargo-fuzz 0.13 from crates.io"
	cargo install --quiet cargo-fuzz --version '~0.13' --locked >"$logs/install.log" 2>&1 ||
		die "cargo install cargo-fuzz (see $logs/install.log)"
fi

cd "$fuzz" || die "no $fuzz"
triple=$(rustc -vV | sed -n 's/^host: //p')
cargo fuzz build --sanitizer "$san" --debug-assertions >"$logs/build.log" 2>&1 ||
	die "cargo fuzz build (see $logs/build.log)"
# Every file of fuzz_targets/ is a target, and cargo-fuzz knows each.
all=$(cd fuzz_targets && ls -- *.rs | sed 's/\.rs$//' | sort)
[ -n "$all" ] || die "no fuzz targets in $fuzz/fuzz_targets"
listed=$(cargo fuzz list 2>/dev/null | sort)
[ "$all" = "$listed" ] ||
	die "fuzz_targets/ has [$(echo $all)], cargo fuzz list [$(echo $listed)] (Cargo.toml [[bin]]?)"
targets=${FUZZ_TARGETS:-$all}
for t in $targets; do
	grep -qx -- "$t" <<<"$all" || die "FUZZ_TARGETS: no target $t"
done

crashed=0
declare -A ran=()
for t in $targets; do
	bin=$fuzz/target/$triple/release/$t
	[ -x "$bin" ] || die "$bin not built"
	corpus=$build/fuzz-corpus/$t
	art=$build/fuzz-artifacts/$t
	log=$logs/$t.log
	mkdir -p "$corpus" "$art"
	seeds=()
	[ -d "$fuzz/regressions/$t" ] && seeds=("$fuzz/regressions/$t")
	# First corpus directory is written to; the regressions are read only.
	nice "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$art/" "$corpus" "${seeds[@]}" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	if [ $rc -eq 0 ] && [ -z "$input" ] && [ "${execs:-0}" -gt 0 ]; then
		echo "fuzz $t: $execs execs, 0 crashes"
		ran[$t]=1
	elif [ $rc -eq 0 ] && [ -z "$input" ]; then
		crashed=1
		echo "fuzz $t: FAILED: ${execs:-no} execs (nothing was fuzzed); log $log"
	else
		crashed=1
		echo "fuzz $t: ${execs:-0} execs, 1 crash (exit $rc): ${input:-no input saved}; log $log"
		grep -m 3 -E 'panicked at|==ERROR|deadly signal|timeout|out-of-memory' "$log" | sed 's/^/#   /'
	fi
done
# Every target asked for has its line of success, or the run failed. (Not
# `printf | grep -q`: under pipefail, grep quitting at its match can kill
# printf with SIGPIPE and fail a target that ran.)
for t in $targets; do
	[ -n "${ran[$t]:-}" ] || { crashed=1; echo "fuzz $t: did not run"; }
done
exit $crashed
