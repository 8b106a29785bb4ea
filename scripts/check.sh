#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# All tests (`make check`): host tests of the pure crate, format and lints,
# then real crashes of the s390x QEMU guest with assertions on the dumps.
# Prints one "ok"/"not ok" line per test and ends with "N passed, N failed".
# Environment: CHECK_OUT (default out/check).
#
# This file is the list of what runs, in order; how each run is made and
# judged is in scripts/harness/check-lib.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=${CHECK_OUT:-$top/out/check}
rm -rf "$out"
mkdir -p "$out"
export PATH=$HOME/.cargo/bin:$PATH
passed=0 failed=0 skipped=0 n=0
# shellcheck source=harness/check-lib.sh
. scripts/harness/check-lib.sh

# A CPU model without the vector facility.
novx=max,vx=off,vxeh=off,vxeh2=off,vxpd=off,vxpdeh=off
# zfcpdump HSA sizes: one not a multiple of 1 MiB, one that is.
hsa_a=0x6003000 hsa_b=0x8000000

# The kselftests each run is expected not to run, TEST=REASON (see tap):
# none is expected to skip; the guest leaves these out by name.
by_itself=("hsa_released=runs by itself after the HSA release (kselftest-released.tap)"
	"sdias_failure=runs by itself when QEMU fails SDIAS requests (sdias-fail runs)")
product_out=("${by_itself[@]}"
	"boundary_reads=a product kernel has no C /proc/vmcore to compare with"
	"oldmem_read_only=a product kernel has no test interfaces (CONFIG_S390_VMCORE_RUST_TEST)"
	"reads_allocate_nothing=a product kernel has no fault injection"
	"header_build_alloc_failures=a product kernel has no fault injection"
	"mmap_alloc_failures=a product kernel has no fault injection"
	"hsa_page_window=a product kernel has no fault injection"
	"kmemleak_clean=a product kernel has no kmemleak")

# The crash matrix (crash_matrix): the test kernel dies each way of
# LKDTM's that s390 can take, Rust against C in one boot, for kdump and
# for the stand-alone dump; with 1, 2, 4 and 8 CPUs, a CPU taken offline
# first, the crash on a CPU other than the IPL CPU, the other CPUs idle or
# spinning with interrupts off. Left out by name: HARDLOCKUP,
# SMP_CALL_LOCKUP (see crash_left_out). Each entry:
# NAME|HOW|APPEND|KDUMP-OPTIONS|ZFCPDUMP-OPTIONS.
crashes=(
	"panic-cpu3|lkdtm:PANIC|vmcore_crash_cpu=3 vmcore_offline_cpu=2|--smp 4|--smp 4"
	"stop-irqoff|lkdtm:PANIC_STOP_IRQOFF||--smp 8|--smp 4"
	"bug|lkdtm:BUG||--smp 1|--smp 1"
	"exception|lkdtm:EXCEPTION|||"
	"exhaust-stack|lkdtm:EXHAUST_STACK|||"
	"list-add|lkdtm:CORRUPT_LIST_ADD|||"
	"softlockup|lkdtm:SOFTLOCKUP|vmcore_crash_cpu=1||"
	"spinlockup|lkdtm:SPINLOCKUP|vmcore_crash_cpu=1||"
	"hung-task|lkdtm:HUNG_TASK||--smp 1|--smp 1"
)
crash_left_out=(
	"HARDLOCKUP: needs a hard-lockup (NMI) watchdog; s390 has none (HARDLOCKUP_DETECTOR)"
	"SMP_CALL_LOCKUP: the same lockup as SPINLOCKUP for the dump (a CPU spinning with preemption off, caught by the RCU stall detector), one run is enough"
)
# The runs of the matrix are lean, to fit CI's time: 512 MiB guests, no
# known patterns, no kselftests, one makedumpfile run; two side by side.
lean="vmcore_pattern_mib=0 vmcore_selftests=0 vmcore_mdf_modes=0"

echo "# host: the pure crate (rust/s390_vmcore)"
crate_checks
echo "# the kernel series: out/series/ (make series)"
series_checks
echo "# host: fuzz every parser of old memory (scripts/fuzz.sh, ${FUZZ_SECONDS:=30} s per target)"
fuzz_checks "$FUZZ_SECONDS"
echo "# kernel builds (logs: build/kernel-*/build.log)"
kernel_checks
# The patched QEMU of the zfcpdump runs builds in the background, niced:
# the kdump runs below leave a CPU to it while their dump kernels run on
# one; the zfcpdump runs wait for it (qemu_built).
nice -n 19 make -s qemu >"$out/qemu-build.log" 2>&1 &
qemu_pid=$!

echo "# guest: crash the product kernel, dump it through the Rust /proc/vmcore"
product_kdump "$out/product"

# The test kernel (kdump), Rust against C in one boot; beside it, the test
# kernel with the test HSA below 0x2003000 (not a multiple of
# crashkernel=200M), old memory mapped only below 0x30000000 (of 1 GiB):
# above, reads take the memcpy_real_iter() fallback.
test_pairs "test-kdump|$out/test-kdump|" \
	"test-hsa|$out/test-hsa|vmcore_rs_test_hsa=0x2003000 vmcore_rs_test_map_cap=0x30000000"
t "test-hsa: old memory above 0x30000000 not mapped, read through memcpy_real_iter()" \
	grep -q "vmcore_rs: old memory 0x30000000-0x40000000 not mapped, read page by page" \
	"$out/test-hsa/guest/kmsg-end.txt"
crash_matrix kdump

# The test kernel on a CPU without the vector facility (no NT_S390_VXRS_*
# notes); beside it, hostile old memory: the crashed kernel points its
# lowcore at an os_info with a bad checksum and at a VMCOREINFO note of
# 2 GiB (vmcore_rs_test_corrupt=, rust/vmcore_rs/test.c).
test_pairs "test-novx|$out/test-novx|vmcore_pattern_mib=0 vmcore_selftests=0|--cpu $novx" \
	"test-hostile|$out/test-hostile|vmcore_rs_test_corrupt=os_info,vmcoreinfo vmcore_pattern_mib=64"
t "test-hostile: warns once: old os_info unusable (checksum failed)" \
	once "vmcore_rs: old os_info unusable (checksum failed)" "$out/test-hostile"
t "test-hostile: warns once: old VMCOREINFO note unusable (size over limit)" \
	once "vmcore_rs: old VMCOREINFO note unusable (size over limit)" "$out/test-hostile"
trust test-hostile "$out/test-hostile" "os_info unusable (checksum failed)" "VMCOREINFO none" \
	"left out: VMCOREINFO note (size over limit)" "left out: kernel-text PT_LOAD (checksum failed)"

# zfcpdump for real: QEMU with an HSA, SDIAS and the dump IPL (patches/qemu).
echo "# QEMU 7.2 with the dump facilities (patches/qemu, scripts/qemu.sh)"
t "build QEMU with HSA, SDIAS, dump IPL and EDAT-1" qemu_built
[ -x build/qemu/qemu-system-s390x ] || summary

# The test kernel with 8 GiB and with 16 GiB dies by LKDTM PANIC, with the
# kselftests (every kselftest at every memory size); the two run side by
# side (each dump kernel has one CPU). Both files of each are copied out
# and compared whole on the host (a copy takes about as long as the read;
# summing in the guest under TCG takes longer); the copies skip blocks of
# zeros (vmcore_copy=sparse), so that the disk images hold what the guest
# wrote, not twice its memory. The 8 GiB guest runs in Debian's QEMU,
# whose CPU has no EDAT: old memory beyond the page-table budget of the
# dump kernel's mapping (1/16 of its 200 MiB, with 4 KiB pages) is read
# page by page, at scale, with no test cap. The 16 GiB guest runs in the
# patched QEMU, whose CPU has EDAT-1 (run-dump.sh --edat), as real machines
# do: all of old memory is mapped, with 1 MiB pages.
big="vmcore_crash=lkdtm:PANIC vmcore_pattern_mib=64 vmcore_mdf_modes=0 vmcore_copy=sparse"
mark8g=$failed
test_pairs "test-8g|$out/test-8g|$big|--mem 8192 --timeout 3000" \
	"test-16g|$out/test-16g|$big|--mem 16384 --timeout 3000 --edat"
t "test-8g: old memory beyond the page-table budget read page by page" \
	grep -q "vmcore_rs: old memory 0x[0-9a-f]*-0x[0-9a-f]* not mapped, read page by page" \
	"$out/test-8g/guest/kmsg-end.txt"
# (At the end the dump kernel's direct map has 16 GiB in 1 MiB pages, less
# what its own 4 KiB pages take: 4 MiB then.)
t "test-16g: with EDAT-1, all old memory mapped (up to 16 GiB), with 1 MiB pages" bash -c '
	k=$1/guest/kmsg-end.txt m=$1/guest/directmap-end.txt
	grep -q "vmcore_rs: old memory 0x[0-9a-f]*-0x400000000 mapped in" "$k" &&
		! grep -q "not mapped, read page by page" "$k" &&
		[ "$(awk "/^DirectMap1M:/ { print \$2 }" "$m")" -ge $((16 * 1024 * 1024 - 65536)) ] || {
		grep "vmcore_rs: old memory" "$k"; cat "$m"; exit 1; }' _ "$out/test-16g"
print_read_times test-8g test-16g
# Many GiB: the disk's, not worth keeping.
rm -f "$out/test-8g/vmcore" "$out/test-16g/vmcore"
release $mark8g "$out/test-8g" "$out/test-16g"

echo "# guest: the product kernel dumped by FCP dump IPL, zfcpdump kernel serving /proc/vmcore (HSA $hsa_a)"
product_zfcpdump "$out/product-zfcpdump" $hsa_a

echo "# guest: the test kernel as zfcpdump kernel, Rust against C in one boot"
test_run test-zfcpdump "$out/test-zfcpdump" "" --zfcpdump $hsa_a
crash_matrix zfcpdump --zfcpdump $hsa_a
# zfcpdump on a CPU without the vector facility, HSA $hsa_b; beside it,
# SDIAS answers "partially stored" to the requests of several blocks that
# cover HSA page 0x1234 (and serves that block alone): which blocks it
# stored is not known, so sclp_sdias_copy() fails them (patches/0001) and
# the window asks for their blocks one at a time. Nothing is lost.
test_pairs "test-zfcpdump-novx|$out/test-zfcpdump-novx|vmcore_pattern_mib=0 vmcore_selftests=0|--zfcpdump $hsa_b --cpu $novx" \
	"sdias-partial|$out/test-zfcpdump-sdias-partial|vmcore_pattern_mib=0 vmcore_selftests=0|--zfcpdump $hsa_a --sdias-fail $((0x1236)) --sdias-fail-status 0x10"
t "sdias-partial: sclp_sdias_copy() failed the partial store of a request of 64 blocks" \
	grep -q "SCLP partially stored a request of 64 blocks from the hsa" \
	"$out/test-zfcpdump-sdias-partial/guest/kmsg-end.txt"

# The crashed test kernel points its lowcore's os_info and vmcore_info, or
# os_info's VMCOREINFO entry, into a hole of its memory (the crashkernel
# area, under kdump) or past its end (under zfcpdump, dumped by the product
# kernel: C's /proc/vmcore would take the addressing exception). The dump
# kernel must not follow them: one warning names each, and the dump is
# served without what they pointed to and passes the dump checks. Two at a
# time: the kdump runs, then the zfcpdump runs.
outside="is outside the crashed system's memory"
# The warnings that name each pointer.
os_info_out="old os_info unusable (0x[0-9a-f]* $outside)"
note_out="old VMCOREINFO note unusable (0x[0-9a-f]* ([0-9]* bytes) $outside)"
entry_out="os_info VMCOREINFO entry unusable (0x[0-9a-f]* $outside)"
# os_info's kernel image past the end of memory, or running past 2^64: the
# dump is served without the kernel-text PT_LOAD (and nothing else lost).
text_out="os_info kernel image unusable (0x[0-9a-f]* ([0-9]* bytes) $outside)"
text_wraps="os_info kernel image unusable (address or size overflows 64 bits)"
hostile_pairs \
	"ptr-hole|os_info@hole,vmcoreinfo@hole|kdump|--no-vmcoreinfo|left out: VMCOREINFO note (0x[0-9a-f]* ([0-9]* bytes) $outside)|$os_info_out|$note_out" \
	"entry-hole|os_info_entry@hole,text@end|kdump|--no-text|left out: kernel-text PT_LOAD (0x[0-9a-f]* ([0-9]* bytes) $outside)|$entry_out|$text_out" \
	"ptr-end|os_info@end,vmcoreinfo@end|zfcpdump|--no-vmcoreinfo|left out: kernel-text PT_LOAD (0x[0-9a-f]* $outside)|$os_info_out|$note_out" \
	"entry-end|os_info_entry@end,text_size|zfcpdump|--no-text|left out: kernel-text PT_LOAD (address or size overflows 64 bits)|$entry_out|$text_wraps"

# SDIAS fails the requests for HSA page 0x1234 (block 0x1236) with "no
# data".
echo "# guest: zfcpdump, QEMU fails the SDIAS requests for HSA page 0x1234 with status 0x3"
sdias_fail "$out/test-zfcpdump-sdias-fail-0x3" $hsa_a $((0x1236)) 0x3
summary
