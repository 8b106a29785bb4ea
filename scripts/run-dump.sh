#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crash an s390x QEMU guest for real and save its kdump or zfcpdump.
#
#   scripts/run-dump.sh --kernel BZIMAGE --vmlinux VMLINUX --out DIR
#       [--dump-kernel BZIMAGE] [--initrd INITRD] [--smp N] [--mem MiB] [--cpu MODEL] [--crashkernel SIZE]
#       [--append EXTRA] [--kdump-append EXTRA] [--timeout SECONDS]
#       [--work DIR] [--keep-disks] [--compare PATH] [--checksum] [--bench] [--edat]
#       [--tb-log FILE]
#       [--zfcpdump HSA_SIZE [--sdias-delay US] [--sdias-fail BLOCK
#        [--sdias-fail-status STATUS]] [--hsa-bench]] [--force nmi|dump-ipl]
#
# The guest boots BZIMAGE with the initramfs of scripts/mkinitramfs.sh (built
# to build/initramfs/initrd.gz unless --initrd is given), loads the same
# kernel and initramfs as its kdump kernel, crashes with sysrq c, and the dump
# kernel saves /proc/vmcore (see scripts/guest/init and the parts it
# sources, scripts/guest/*-kernel.sh). With --zfcpdump the
# guest instead arms an FCP dump as its panic action, and the crash makes
# the patched QEMU (scripts/qemu.sh) do a dump IPL: it saves the IPL CPU's
# status and old memory below HSA_SIZE in its HSA and starts the same kernel
# and initramfs as a zfcpdump kernel. Then DIR holds:
#
#   vmcore        the ELF core exactly as read from the guest's /proc/vmcore
#                 (or the file named by vmcore_path=)
#   dump.kdump    makedumpfile -d 31 of it (kdump-compressed format)
#   dmesg.txt     makedumpfile --dump-dmesg of it (the crashed kernel's log)
#   vmlinux       a copy of VMLINUX
#   console.log   the guest console of both kernels
#   guest/        the dump kernel's stage log, exit statuses, vmcore size and
#                 the first kernel's oldinfo/ (CPU count, cmdline, /proc/iomem,
#                 vmcoreinfo)
#
# --append EXTRA       added to the first kernel's cmdline; the guest passes
#                      it on to the dump kernel too (e.g. vmcore_path=...)
# --kdump-append EXTRA added to the dump kernel's cmdline only
# --dump-kernel BZIMAGE  the dump kernel (kdump or zfcpdump), when it is not
#                      the crashing kernel's image (default --kernel); the
#                      dump is still of --kernel and analysed with --vmlinux
# --compare PATH       the dump kernel also copies PATH (another core file of
#                      the same boot, e.g. the test kernel's C /proc/vmcore)
#                      to a disk; DIR/compare then says "identical" or
#                      "different" (cmp of the two whole files, on the host);
#                      DIR/compare.head is the start of the other file (its
#                      ELF header and program headers), DIR/guest/compare.files
#                      names both files (name, device, inode, size)
# --checksum           the dump kernel reads the whole vmcore once more after
#                      the copy: its MD5 in DIR/guest/vmcore.md5 ("md5=MD5")
# --crashkernel SIZE   default 200M
# --cpu MODEL          QEMU -cpu (default max), e.g. max,vx=off for a CPU
#                      without the vector facility
# --edat               run the patched QEMU (make qemu), whose max CPU model
#                      has the enhanced-DAT facility 1, so that both kernels
#                      map memory with 1 MiB pages as real machines do
# --bench              measure instead of saving the dump (scripts/bench.sh):
#                      the dump kernel (with initcall_debug) times reads of
#                      the vmcore and, if given, of --compare;
#                      DIR/guest/bench.txt. Four more disks for
#                      vmcore_bench_set=shipped: vmmdf (a file under --work,
#                      for makedumpfile's file system) and the sinks of dd:
#                      vmsink (a file under --work, as the vmcore disk),
#                      vmsinkram (a file in /dev/shm: host memory) and
#                      vmsinknull (QEMU's null-co driver: writes discarded)
# --tb-log FILE        QEMU logs each block of guest code its TCG
#                      translates (-d in_asm) to FILE, both kernels';
#                      what runs for the first time (scripts/bench.sh)
# --work DIR           disk images (default build/run-dump); the two big ones
#                      are deleted after extraction unless --keep-disks
# --zfcpdump HSA_SIZE  stand-alone dump through the emulated HSA (bytes, a
#                      multiple of 4 KiB) with the patched QEMU; no
#                      crashkernel=
# --sdias-delay US     completion delay of each SDIAS request (default 0)
# --sdias-fail BLOCK   SDIAS requests that cover block BLOCK (HSA page
#                      BLOCK - 2) fail, with event status STATUS (default
#                      3, no data: the dump kernel runs its kselftests
#                      only, the dump cannot be copied whole); with 0x10,
#                      "partially stored", only requests of several blocks
#                      fail (a block alone is stored), and the dump is
#                      saved whole
# --force nmi|dump-ipl  the guest does not crash but hangs (vmcore_crash=hang:
#                      every CPU spinning, one with interrupts off), and
#                      the operator forces the dump from QEMU's monitor:
#                      nmi is a PSW restart (kdump: the crashed kernel's
#                      restart handler starts the kdump kernel; with
#                      --zfcpdump its on_restart action is an FCP dump),
#                      dump-ipl the patched QEMU's stand-alone dump IPL
#                      (--zfcpdump only); DIR/guest/oldinfo/crash says so
# --hsa-bench          measure reads of the HSA range against --compare
#                      instead of saving the dump (scripts/bench.sh):
#                      DIR/guest/bench.txt
#
# Exit status 0 on success; otherwise the last line is
# "run-dump: FAILED <stage>, see <log>".

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KERNEL='' DUMP_KERNEL='' VMLINUX='' OUT='' INITRD='' WORK=$TOP/build/run-dump
SMP=2 MEM=1024 CPU=max CRASHKERNEL=200M APPEND='' KDUMP_APPEND='' TIMEOUT=600 KEEP='' COMPARE='' BENCH=''
HSA_SIZE='' SDIAS_DELAY=0 SDIAS_FAIL='' SDIAS_FAIL_STATUS=3 HSA_BENCH='' CHECKSUM='' FORCE='' EDAT='' TB_LOG=''

usage() {
	sed -n '5,12p' "$0" | sed 's/^# \?//' >&2
	exit 2
}

START=$(date +%s)
msg() { echo "run-dump: [$(($(date +%s) - START))s] $*"; }
# fail STAGE LOG [DETAIL]
fail() {
	[[ -n ${3:-} ]] && msg "$3" >&2
	echo "run-dump: FAILED $1, see $2" >&2
	exit 1
}

while (($#)); do
	case $1 in
	--keep-disks) KEEP=1; shift; continue ;;
	--checksum) CHECKSUM=1; shift; continue ;;
	--bench) BENCH=1; shift; continue ;;
	--hsa-bench) HSA_BENCH=1; shift; continue ;;
	--edat) EDAT=1; shift; continue ;;
	-h | --help) usage ;;
	--*) (($# >= 2)) || { echo "run-dump: $1 needs a value" >&2; usage; } ;;
	*) echo "run-dump: unknown argument $1" >&2; usage ;;
	esac
	case $1 in
	--kernel) KERNEL=$2 ;;
	--dump-kernel) DUMP_KERNEL=$2 ;;
	--vmlinux) VMLINUX=$2 ;;
	--out) OUT=$2 ;;
	--initrd) INITRD=$2 ;;
	--smp) SMP=$2 ;;
	--cpu) CPU=$2 ;;
	--mem) MEM=$2 ;;
	--crashkernel) CRASHKERNEL=$2 ;;
	--append) APPEND=$2 ;;
	--kdump-append) KDUMP_APPEND=$2 ;;
	--timeout) TIMEOUT=$2 ;;
	--tb-log) TB_LOG=$2 ;;
	--work) WORK=$2 ;;
	--compare) COMPARE=$2 ;;
	--zfcpdump) HSA_SIZE=$2 ;;
	--sdias-delay) SDIAS_DELAY=$2 ;;
	--sdias-fail) SDIAS_FAIL=$2 ;;
	--sdias-fail-status) SDIAS_FAIL_STATUS=$2 ;;
	--force) FORCE=$2 ;;
	*) echo "run-dump: unknown argument $1" >&2; usage ;;
	esac
	shift 2
done
[[ -n $KERNEL && -n $VMLINUX && -n $OUT ]] || usage
[[ -z $COMPARE ]] || APPEND="${APPEND:+$APPEND }vmcore_compare=$COMPARE"
[[ -z $CHECKSUM ]] || APPEND="${APPEND:+$APPEND }vmcore_checksum=1"
case $FORCE in
'') ;;
nmi | dump-ipl)
	[[ $FORCE == nmi || -n $HSA_SIZE ]] ||
		{ echo "run-dump: --force dump-ipl needs --zfcpdump" >&2; usage; }
	APPEND="${APPEND:+$APPEND }vmcore_crash=hang:$FORCE" ;;
*) echo "run-dump: --force takes nmi or dump-ipl" >&2; usage ;;
esac
if [[ -n $BENCH ]]; then
	APPEND="$APPEND vmcore_bench=1"
	KDUMP_APPEND="${KDUMP_APPEND:+$KDUMP_APPEND }initcall_debug"
fi
NO_COPY=
NUM_RE='^(0x[0-9a-fA-F]+|[0-9]+)$'
for v in "$HSA_SIZE" "$SDIAS_DELAY" "$SDIAS_FAIL" "$SDIAS_FAIL_STATUS"; do
	[[ -z $v || $v =~ $NUM_RE ]] || fail args "$0" "not a number: $v"
done
if [[ -n $HSA_SIZE ]]; then
	((HSA_SIZE > 0 && HSA_SIZE % 4096 == 0)) ||
		fail args "$0" "--zfcpdump takes a multiple of 4096"
	if [[ -n $SDIAS_FAIL ]] && ((SDIAS_FAIL_STATUS != 0x10)); then
		# The page that cannot be read, for the kselftests.
		APPEND="$APPEND vmcore_copy=0 vmcore_sdias_fail=$(((SDIAS_FAIL - 2) * 4096))"
		NO_COPY=1
	fi
	if [[ -n $HSA_BENCH ]]; then
		[[ -n $COMPARE ]] || fail args "$0" "--hsa-bench needs --compare"
		APPEND="$APPEND vmcore_hsa_bench=1"
		BENCH=1
	fi
elif [[ -n $SDIAS_FAIL$HSA_BENCH ]]; then
	fail args "$0" "--sdias-fail and --hsa-bench need --zfcpdump"
fi
[[ -f $KERNEL ]] || fail args "$KERNEL" "no kernel image $KERNEL"
DUMP_KERNEL=${DUMP_KERNEL:-$KERNEL}
[[ -f $DUMP_KERNEL ]] || fail args "$DUMP_KERNEL" "no kernel image $DUMP_KERNEL"
[[ -f $VMLINUX ]] || fail args "$VMLINUX" "no vmlinux $VMLINUX"
[[ $SMP =~ ^[0-9]+$ && $MEM =~ ^[0-9]+$ && $TIMEOUT =~ ^[0-9]+$ ]] ||
	fail args "$0" "--smp, --mem and --timeout take numbers"
QEMU_BIN=qemu-system-s390x
# The patched QEMU (scripts/qemu.sh); firmware from Debian's package.
[[ -z $HSA_SIZE$EDAT ]] || QEMU_BIN=$TOP/build/qemu/qemu-system-s390x
for t in "$QEMU_BIN" python3 tar timeout makedumpfile; do
	command -v "$t" >/dev/null || fail args "$0" "$t not found"
done

mkdir -p "$OUT" "$WORK"
OUT=$(cd "$OUT" && pwd)
WORK=$(cd "$WORK" && pwd)
CONSOLE=$OUT/console.log
# Nothing from an earlier run may be mistaken for this run's results.
rm -rf "$OUT/vmcore" "$OUT/dump.kdump" "$OUT/dmesg.txt" "$OUT/vmlinux" \
	"$OUT/report.txt" "$OUT/guest" "$OUT/compare" "$OUT/compare.log" "$OUT/compare.head" "$CONSOLE"
[[ -z $TB_LOG ]] || rm -f "$TB_LOG"

# -------------------------------------------------------------- initramfs
if [[ -z $INITRD ]]; then
	INITRD=$TOP/build/initramfs/initrd.gz
	# The guest's kselftests (make selftests), when built, go to /extra.
	EXTRAS=()
	for t in vmcore_test vmcore_pattern vmcore_bench; do
		[[ -x $TOP/build/selftests/$t ]] && EXTRAS+=("$TOP/build/selftests/$t")
	done
	# Built again only when what goes into it changed (its recipe, /init
	# and its parts, the extras; the guest packages are fixed by the
	# recipe): a stamp of their contents beside it. flock: runs in
	# parallel build it once.
	stamp=$(cat "$TOP/scripts/mkinitramfs.sh" "$TOP"/scripts/guest/* "${EXTRAS[@]}" |
		sha256sum | cut -d' ' -f1)
	mkdir -p "$(dirname "$INITRD")"
	exec {lock}>"$INITRD.lock"
	flock "$lock"
	if [[ ! -f $INITRD || $(cat "$INITRD.stamp" 2>/dev/null) != "$stamp" ]]; then
		msg "building the initramfs $INITRD"
		rm -f "$INITRD.stamp"
		"$TOP/scripts/mkinitramfs.sh" "$INITRD" "${EXTRAS[@]}" >"$WORK/mkinitramfs.log" 2>&1 ||
			fail initramfs "$WORK/mkinitramfs.log" "$(tail -5 "$WORK/mkinitramfs.log")"
		echo "$stamp" >"$INITRD.stamp"
	fi
	flock -u "$lock"
fi
[[ -f $INITRD ]] || fail initramfs "$INITRD" "no initramfs $INITRD"

# ------------------------------------------------------------------ disks
# vmboot    tar: bzImage, initrd.gz, kdump-append (read by the first kernel)
# vmold     tar written by the first kernel (its CPU count, vmcoreinfo, ...)
# vmcore    raw copy of the vmcore
# vmkdump   makedumpfile's flattened output stream
# vmresult  tar written by the dump kernel
msg "making the disks in $WORK"
DISKS=$WORK/disks
rm -rf "$DISKS"
mkdir -p "$DISKS/boot"
cp "$DUMP_KERNEL" "$DISKS/boot/bzImage"
cp "$INITRD" "$DISKS/boot/initrd.gz"
if [[ -n $KDUMP_APPEND ]]; then
	printf '%s\n' "$KDUMP_APPEND" >"$DISKS/boot/kdump-append"
else
	: >"$DISKS/boot/kdump-append"
fi
tar cf "$DISKS/boot.img" -C "$DISKS/boot" --owner=0 --group=0 bzImage initrd.gz kdump-append ||
	fail disks "$DISKS" "tar of the boot files"
rm -rf "${DISKS:?}/boot"
truncate -s 16M "$DISKS/old.img"
# The core is at most memory plus headers and the kernel text segment.
truncate -s $((MEM + 256))M "$DISKS/vmcore.img"
truncate -s $((MEM + 256))M "$DISKS/kdump.img"
[[ -z $COMPARE ]] || truncate -s $((MEM + 256))M "$DISKS/compare.img"
truncate -s 64M "$DISKS/result.img"
SHM=
if [[ -n $BENCH ]]; then
	truncate -s $((MEM + 256))M "$DISKS/mdf.img" "$DISKS/sink.img"
	SHM=$(mktemp -d /dev/shm/vmcore-rs-bench.XXXXXX)
	trap 'rm -rf "$SHM"' EXIT
	truncate -s $((MEM + 256))M "$SHM/sink.img"
fi

drive() { # FILE SERIAL DEVNO
	echo "-drive if=none,id=$2,format=raw,cache=unsafe,file=$1"
	echo "-device virtio-blk-ccw,drive=$2,serial=$2,devno=fe.0.$3"
}

MACHINE=s390-ccw-virtio
if [[ -n $HSA_SIZE ]]; then
	# The zfcpdump kernel's command line, as the guest builds the kdump
	# kernel's; commas are doubled for QEMU's option parser.
	DUMP_APPEND="panic=1${APPEND:+ $APPEND} maxcpus=1 vmcore_stage=dump${KDUMP_APPEND:+ $KDUMP_APPEND}"
	CMDLINE="panic=1${APPEND:+ $APPEND} vmcore_zfcpdump=1"
	# QEMU's option parser: a comma in a value is written twice.
	dk=$(realpath "$DUMP_KERNEL") di=$(realpath "$INITRD")
	MACHINE+=",hsa-size=$((HSA_SIZE)),sdias-delay=$((SDIAS_DELAY))"
	MACHINE+=",dump-kernel=${dk//,/,,},dump-initrd=${di//,/,,}"
	MACHINE+=",dump-append=${DUMP_APPEND//,/,,}"
	[[ -z $SDIAS_FAIL ]] ||
		MACHINE+=",sdias-fail-block=$((SDIAS_FAIL)),sdias-fail-status=$((SDIAS_FAIL_STATUS))"
else
	CMDLINE="crashkernel=$CRASHKERNEL panic=1${APPEND:+ $APPEND}"
fi
mapfile -t QEMU < <(
	echo "$QEMU_BIN"
	[[ -z $HSA_SIZE$EDAT ]] || { echo -L; echo /usr/share/qemu; }
	echo -M; echo "$MACHINE"
	echo -cpu; echo "$CPU"
	echo -smp; echo "$SMP"
	echo -m; echo "$MEM"
	echo -nographic
	[[ -z $TB_LOG ]] || { echo -d; echo in_asm; echo -D; echo "$TB_LOG"; }
	echo -no-reboot
	echo -nic; echo none
	echo -kernel; echo "$KERNEL"
	echo -initrd; echo "$INITRD"
	echo -append; echo "$CMDLINE"
	[[ -z $FORCE ]] || { echo -monitor; echo "unix:$WORK/monitor.sock,server=on,wait=off"; }
)
for d in "boot.img vmboot 0001" "old.img vmold 0002" "vmcore.img vmcore 0003" \
	"kdump.img vmkdump 0004" "result.img vmresult 0005"; do
	# shellcheck disable=SC2086 # split into FILE SERIAL DEVNO
	set -- $d
	# shellcheck disable=SC2207 # the words are the QEMU arguments
	QEMU+=($(drive "$DISKS/$1" "$2" "$3"))
done
if [[ -n $COMPARE ]]; then
	# shellcheck disable=SC2207 # the words are the QEMU arguments
	QEMU+=($(drive "$DISKS/compare.img" vmcmp 0006))
fi
if [[ -n $BENCH ]]; then
	# shellcheck disable=SC2207 # the words are the QEMU arguments
	QEMU+=($(drive "$DISKS/mdf.img" vmmdf 0007) $(drive "$DISKS/sink.img" vmsink 0008)
		$(drive "$SHM/sink.img" vmsinkram 0009)
		-blockdev "driver=null-co,node-name=vmsinknull,size=$(((MEM + 256) << 20))"
		-device virtio-blk-ccw,drive=vmsinknull,serial=vmsinknull,devno=fe.0.000a)
fi

# ------------------------------------------------------------------- QEMU
msg "guest cmdline: $CMDLINE"
if [[ -n $HSA_SIZE ]]; then
	msg "zfcpdump: HSA of $HSA_SIZE bytes, SDIAS delay ${SDIAS_DELAY} us${SDIAS_FAIL:+, failing block $SDIAS_FAIL with status $SDIAS_FAIL_STATUS}"
	msg "zfcpdump kernel cmdline: $DUMP_APPEND"
else
	msg "kdump-append: ${KDUMP_APPEND:-(none)}"
fi
msg "running QEMU (cpu $CPU, smp $SMP, $MEM MiB, timeout ${TIMEOUT}s), console: $CONSOLE"
echo "${QEMU[*]}" >"$WORK/qemu.cmd"
# The operator: once the guest says it hangs, the monitor command $FORCE.
operator() {
	local i
	for ((i = 0; i < TIMEOUT; i++)); do
		grep -aq 'vmcore-guest: hung' "$CONSOLE" 2>/dev/null && break
		sleep 1
	done
	sleep 5
	msg "operator: $FORCE"
	python3 - "$WORK/monitor.sock" "$FORCE" <<'EOF' || msg "operator: monitor command failed"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.5)
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(2)
s.close()
EOF
}
rm -f "$WORK/monitor.sock" "$CONSOLE"
op_pid=
if [[ -n $FORCE ]]; then
	operator &
	op_pid=$!
fi
set +e
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 |
	tee "$CONSOLE" | grep --line-buffered -a 'vmcore-guest:' |
	while IFS= read -r line; do
		printf '  [%ss] %s\n' "$(($(date +%s) - START))" "${line%$'\r'}"
	done
rcs=("${PIPESTATUS[@]}")
[[ -z $op_pid ]] || kill "$op_pid" 2>/dev/null
set -e
qrc=${rcs[0]}
# The dump kernel's archive (also written when one of its stages failed).
rm -rf "$OUT/guest"
mkdir -p "$OUT/guest"
have_results=
if tar xf "$DISKS/result.img" -C "$OUT/guest" 2>"$WORK/results.log"; then
	have_results=1
fi
guest_failed=$(grep -a -o 'vmcore-guest: FAILED [^ :]*' "$CONSOLE" | tail -1 | sed 's/.*FAILED //' || true)
if [[ -n $guest_failed ]]; then
	fail "guest stage $guest_failed" "$CONSOLE" "$(grep -a 'vmcore-guest: FAILED' "$CONSOLE" | tail -1 | tr -d '\r')"
fi
if ((qrc == 124 || qrc == 137)); then
	last=$(grep -a 'vmcore-guest:' "$CONSOLE" | tail -1 | tr -d '\r' || true)
	fail qemu "$CONSOLE" "QEMU timed out after ${TIMEOUT}s; last guest line: ${last:-none}"
fi
((qrc == 0)) || fail qemu "$CONSOLE" "QEMU exited with status $qrc"
grep -aq 'vmcore-guest: dump complete' "$CONSOLE" ||
	fail "guest (no 'dump complete' line: did the dump kernel run?)" "$CONSOLE"

# ----------------------------------------------------------------- results
msg "extracting the results"
[[ -n $have_results ]] ||
	fail results "$WORK/results.log" "no results archive on the results disk"
# guest/status: a "STAGE=RC" line for each stage the dump kernel ran, and
# all=0 last when it got to its end. Missing, empty, an RC but 0 or no
# all=0 at the end is a failure.
[[ -s $OUT/guest/status ]] || fail results "$OUT/guest" "the guest wrote no guest/status"
if grep -qv '=0$' "$OUT/guest/status"; then
	fail "guest $(grep -v '=0$' "$OUT/guest/status" | head -1)" "$OUT/guest/stage.log"
fi
[[ $(tail -n 1 "$OUT/guest/status") == all=0 ]] ||
	fail results "$OUT/guest/status" "guest/status does not end with all=0"
if [[ -n $BENCH ]]; then
	[[ -s $OUT/guest/bench.txt ]] || fail bench "$OUT/guest" "no bench.txt from the guest"
	rm -f "$DISKS/mdf.img" "$DISKS/sink.img"
	msg "done: $OUT/guest/bench.txt"
	exit 0
fi
if [[ -n $NO_COPY ]]; then
	msg "done (no copy of the dump by request): $OUT/guest"
	exit 0
fi
size=$(cat "$OUT/guest/vmcore.size" 2>/dev/null || true)
[[ $size =~ ^[0-9]+$ ]] || fail results "$OUT/guest" "the guest did not report the vmcore size"

# The disk becomes the vmcore (no second copy of many GiB) unless it is
# kept.
rm -f "$OUT/vmcore"
if [[ -z $KEEP ]]; then
	mv "$DISKS/vmcore.img" "$OUT/vmcore" || fail vmcore "$DISKS/vmcore.img" "moving the vmcore"
else
	dd if="$DISKS/vmcore.img" of="$OUT/vmcore" bs=1M iflag=count_bytes count="$size" \
		conv=sparse status=none || fail vmcore "$DISKS/vmcore.img" "copying the vmcore"
fi
truncate -s "$size" "$OUT/vmcore"
[[ $(head -c 4 "$OUT/vmcore" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
	fail vmcore "$OUT/vmcore" "the vmcore does not start with the ELF magic"
msg "vmcore: $size bytes"

# A test kernel told to damage its VMCOREINFO pointer or its kernel image in
# os_info (vmcore_rs_test_corrupt=, rust/vmcore_rs/test.c) leaves makedumpfile nothing
# to work with (no VMCOREINFO, or no kernel-text PT_LOAD to read the
# kernel's variables from): no dump.kdump or dmesg.txt then, only the vmcore.
NO_VMCOREINFO=
[[ " $APPEND " == *" vmcore_rs_test_corrupt="*vmcoreinfo* ||
	" $APPEND " == *" vmcore_rs_test_corrupt="*text* ]] && NO_VMCOREINFO=1
if [[ -z $NO_VMCOREINFO ]]; then
# makedumpfile -F wrote a flattened stream to the disk; makedumpfile -R
# rearranges it into the kdump-compressed file it stands for (it stops at
# the stream's end record, before the rest of the disk).
makedumpfile -R "$OUT/dump.kdump" <"$DISKS/kdump.img" >"$WORK/unflatten.log" 2>&1 ||
	fail dump.kdump "$WORK/unflatten.log" "$(cat "$WORK/unflatten.log")"
[[ $(head -c 8 "$OUT/dump.kdump") == KDUMP* ]] ||
	fail dump.kdump "$OUT/dump.kdump" "dump.kdump has no KDUMP signature"
msg "dump.kdump: $(stat -c %s "$OUT/dump.kdump") bytes"

[[ -s $OUT/guest/dmesg.txt ]] || fail dmesg "$OUT/guest" "the guest saved no dmesg.txt"
install -m 0644 "$OUT/guest/dmesg.txt" "$OUT/dmesg.txt"
else
	msg "no VMCOREINFO by request (vmcore_rs_test_corrupt=): no dump.kdump, no dmesg.txt"
fi
cp "$VMLINUX" "$OUT/vmlinux"

if [[ -n $COMPARE ]]; then
	csize=$(cat "$OUT/guest/compare.size" 2>/dev/null || true)
	[[ $csize =~ ^[0-9]+$ ]] || fail compare "$OUT/guest" "the guest did not copy $COMPARE"
	if [[ $csize == "$size" ]] &&
		cmp -n "$size" "$OUT/vmcore" "$DISKS/compare.img" >"$OUT/compare.log" 2>&1; then
		echo identical >"$OUT/compare"
	else
		echo different >"$OUT/compare"
		echo "sizes: $size (vmcore) $csize ($COMPARE)" >>"$OUT/compare.log"
		# The first differing bytes; cmp ends on SIGPIPE after 64 lines.
		cmp -l -n "$size" "$OUT/vmcore" "$DISKS/compare.img" 2>/dev/null |
			head -n 64 >>"$OUT/compare.log" || true
	fi
	# Its ELF header and program headers, for the checks of its length.
	head -c 65536 "$DISKS/compare.img" >"$OUT/compare.head"
	msg "compare with $COMPARE: $(cat "$OUT/compare")"
fi

if [[ -z $KEEP ]]; then
	rm -f "$DISKS/vmcore.img" "$DISKS/kdump.img" "$DISKS/compare.img"
fi
msg "done: $OUT/{vmcore,dump.kdump,dmesg.txt,vmlinux}"
