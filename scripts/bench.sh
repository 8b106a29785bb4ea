#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ours against the C implementation, side by side.
#   1. the guest: the test kernel crashes for real in QEMU (2 GiB, 2 CPUs);
#      its dump kernel times read() with 1 MiB and 4 KiB buffers, mmap(),
#      4 concurrent readers and makedumpfile on /proc/vmcore_rs and the C
#      /proc/vmcore of the same boot, and memcpy() as the limit
#      (scripts/guest/init, selftests/vmcore/vmcore_bench.c); the header
#      build time at boot from our timestamp and initcall_debug;
#   2. the host: criterion benches of the pure crate (scripts/bench-host.sh);
#   3. the zfcpdump kernel's size against the C-only one (make zfcpdump-size);
#   4. the HSA through SDIAS: the test kernel dumped by the patched QEMU's
#      dump IPL (HSA 0x6003000, each SDIAS request completing after 100 us),
#      its zfcpdump kernel reading the HSA range of both files of the same
#      boot, the SDIAS requests counted by a kprobe (make qemu).
# Prints the table; writes OUT/bench.json.
# Usage: scripts/bench.sh OUT_DIR [ZFCPDUMP_SIZE_TXT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/out/bench}
sizes=${2:-$top/out/zfcpdump-size.txt}
mkdir -p "$out"
"$top/scripts/run-dump.sh" --bench --mem 2048 --smp 2 --timeout 1800 \
	--kernel "$top/build/kernel-test/arch/s390/boot/bzImage" \
	--vmlinux "$top/build/kernel-test/vmlinux" --out "$out/guest-run" \
	--work "$top/build/run-bench" --compare /proc/vmcore \
	--append "vmcore_path=/proc/vmcore_rs vmcore_pattern_mib=0"
"$top/scripts/run-dump.sh" --hsa-bench --zfcpdump 0x6003000 --sdias-delay 100 \
	--timeout 1800 --kernel "$top/build/kernel-test/arch/s390/boot/bzImage" \
	--vmlinux "$top/build/kernel-test/vmlinux" --out "$out/hsa-run" \
	--work "$top/build/run-bench" --compare /proc/vmcore \
	--append "vmcore_path=/proc/vmcore_rs vmcore_pattern_mib=0"
"$top/scripts/bench-host.sh" "$out/host.json"
echo
python3 "$top/scripts/bench-report.py" "$out/guest-run" "$out/host.json" \
	"$sizes" "$out/bench.json" "$out/hsa-run"
