#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ours against the C implementation, side by side.
#   1. the shipped configuration: the product kernel (ours) and the
#      product-c kernel (the C implementation, the same configuration
#      otherwise) each crash for real in QEMU (2 GiB, 2 CPUs) in their own
#      boots, in ABBA order, the dump kernel booted with maxcpus=1 as kdump
#      tools boot it (initcall_debug); each dump kernel measures, in
#      BENCH_ROUNDS rounds (default 3), read() with 1 MiB and 4 KiB buffers
#      and mmap() beside the ceilings of read() (memcpy() and read() of
#      /dev/zero into the same buffer), makedumpfile -l, -c and -E -d 31
#      onto a file system on a virtio disk, and dd bs=1M of the dump to
#      three sinks (a disk file, a disk in host memory, QEMU's null-co)
#      beside dd of /dev/zero to each (vmcore_bench_set=shipped in
#      scripts/guest/bench-kernel.sh, selftests/vmcore/vmcore_bench.c);
#   2. parallel readers: one boot of each kernel whose dump kernel has
#      2 CPUs: one reader against two, makedumpfile -F -d 31 with and
#      without --num-threads 2, in PARALLEL_ROUNDS rounds (default 6;
#      vmcore_bench_set=parallel);
#   3. scale: for guests of SCALE_MEM MiB (default 8192 16384), one boot of
#      each kernel: read() with 1 MiB buffers (two rounds) and the
#      initcalls, beside the 2 GiB boots of 1.; then the same for guests of
#      SCALE_EDAT_MEM MiB (default 2048 8192 16384) in the patched QEMU,
#      whose CPU has EDAT-1 (run-dump.sh --edat): memory mapped with 1 MiB
#      pages, as on real machines;
#   4. the test kernel: /proc/vmcore_rs and the C /proc/vmcore of the same
#      boot, the order alternating; the header build and both initcalls of
#      that boot;
#   5. the HSA through SDIAS: the test kernel dumped by the patched QEMU's
#      dump IPL (HSA 0x6003000, each SDIAS request completing after 100 us),
#      its zfcpdump kernel reading the HSA range of both files of the same
#      boot, the SDIAS requests counted by a kprobe (make qemu);
#   5b. translated code: one more boot of each kernel (2 GiB) with QEMU
#      logging each block of guest code it translates (run-dump.sh
#      --tb-log): the code each initcall runs for the first time;
#   6. the host: criterion benches of the pure crate (scripts/bench-host.sh);
#   7. the zfcpdump kernel's size against the C-only one (make zfcpdump-size).
# Prints the tables; writes OUT/bench.json (scripts/bench-report.py).
# The boots of 1. run last; BENCH_REUSE=1 keeps the boots (and the HSA run)
# that have their results, to finish an interrupted run.
# Usage: scripts/bench.sh OUT_DIR [ZFCPDUMP_SIZE_TXT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/out/bench}
sizes=${2:-$top/out/zfcpdump-size.txt}
mkdir -p "$out"
boot=$top/build/kernel-%s/arch/s390/boot/bzImage
# bench_boot KERNEL RUN MIB TIMEOUT APPEND [RUN-DUMP OPTION...]: one boot of
# the KERNEL kernel (a MIB MiB, 2-CPU guest) that crashes, whose dump kernel
# measures (vmcore_bench=1), to $out/RUN; APPEND adds kernel parameters.
# reuse RUN [FILE]: with BENCH_REUSE=1, RUN has its results (FILE, by
# default guest/bench.txt) from a boot that ended well, and is not run
# again (to finish an interrupted make bench).
reuse() {
	[ "${BENCH_REUSE:-0}" = 1 ] && [ -s "$out/$1/${2:-guest/bench.txt}" ] &&
		[ "$(tail -n 1 "$out/$1/guest/status" 2>/dev/null)" = "all=0" ]
}
bench_boot() {
	if reuse "$2"; then
		echo "bench: $2 has its results, not run again (BENCH_REUSE)"
		return
	fi
	"$top/scripts/run-dump.sh" --bench --mem "$3" --smp 2 --timeout "$4" \
		--kernel "$(printf "$boot" "$1")" --vmlinux "$top/build/kernel-$1/vmlinux" \
		--out "$out/$2" --work "$top/build/run-bench" \
		--append "vmcore_pattern_mib=0 $5" "${@:6}"
}
parallel=()
for k in product product-c; do
	bench_boot $k "parallel-$k" 2048 1800 \
		"vmcore_dump_cpus=2 vmcore_bench_set=parallel vmcore_bench_rounds=${PARALLEL_ROUNDS:-6}"
	parallel+=("$out/parallel-$k")
done
scale=()
for mem in ${SCALE_MEM-8192 16384}; do
	for k in product product-c; do
		bench_boot $k "scale-$mem-$k" "$mem" 3600 "vmcore_bench_set=scale vmcore_bench_rounds=2"
		scale+=("$out/scale-$mem-$k")
	done
done
scale_edat=()
for mem in ${SCALE_EDAT_MEM-2048 8192 16384}; do
	for k in product product-c; do
		bench_boot $k "scale-edat-$mem-$k" "$mem" 3600 \
			"vmcore_bench_set=scale vmcore_bench_rounds=2" --edat
		scale_edat+=("$out/scale-edat-$mem-$k")
	done
done
bench_boot test guest-run 2048 1800 \
	"vmcore_path=/proc/vmcore_rs vmcore_bench_rounds=${BENCH_ROUNDS:-3}" --compare /proc/vmcore
reuse hsa-run ||
	"$top/scripts/run-dump.sh" --hsa-bench --zfcpdump 0x6003000 --sdias-delay 100 \
	--timeout 1800 --kernel "$(printf "$boot" test)" \
	--vmlinux "$top/build/kernel-test/vmlinux" --out "$out/hsa-run" \
	--work "$top/build/run-bench" --compare /proc/vmcore \
	--append "vmcore_path=/proc/vmcore_rs vmcore_pattern_mib=0"
# The code the initcalls run for the first time (not timed: the log
# slows QEMU down); the dump itself is not kept.
for k in product product-c; do
	reuse "tb-$k" tb.log && continue
	mkdir -p "$out/tb-$k"
	"$top/scripts/run-dump.sh" --mem 2048 --smp 2 --timeout 1800 \
		--kernel "$(printf "$boot" $k)" --vmlinux "$top/build/kernel-$k/vmlinux" \
		--out "$out/tb-$k" --work "$top/build/run-bench" --tb-log "$out/tb-$k/tb.log" \
		--append "vmcore_pattern_mib=0 vmcore_selftests=0 vmcore_mdf_modes=0" \
		--kdump-append initcall_debug
	rm -f "$out/tb-$k/vmcore" "$out/tb-$k/dump.kdump"
done
"$top/scripts/bench-host.sh" "$out/host.json"
# The longest stage last.
shipped=()
n=0
for k in product product-c product-c product; do
	n=$((n + 1))
	bench_boot $k "shipped-$n-$k" 2048 1800 \
		"vmcore_bench_set=shipped vmcore_bench_rounds=${BENCH_ROUNDS:-3}"
	shipped+=("$out/shipped-$n-$k")
done
echo
python3 "$top/scripts/bench-report.py" "$out/bench.json" --shipped "${shipped[@]}" \
	--parallel "${parallel[@]}" --scale "${scale[@]}" --scale-edat "${scale_edat[@]}" \
	--same-boot "$out/guest-run" --hsa "$out/hsa-run" --host "$out/host.json" \
	--sizes "$sizes" --translated "$out/tb-product" "$out/tb-product-c" | tee "$out/bench.txt"
