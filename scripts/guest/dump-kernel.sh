# SPDX-License-Identifier: GPL-2.0
#
# The dump kernel's part of the guest's /init (sourced by it; busybox
# sh): dump_kernel copies the vmcore (and the file compared with it) to
# its disks, runs makedumpfile, zgetdump and the kselftests, and
# finish saves the results (save_results) and powers off.

save_results() {
	[ -n "$RES_DEV" ] || return
	[ -n "$SAVED" ] && return
	SAVED=1
	log "saving results to $RES_DEV"
	echo "$CMDLINE" >$RES/cmdline
	uname -r >$RES/release
	# The dump kernel's log at the end, with what its workers logged.
	[ "$KIND" = dump ] && dmesg >$RES/kmsg-end.txt
	# Its direct map by page size, the old memory it mapped included.
	[ "$KIND" = dump ] && grep DirectMap /proc/meminfo >$RES/directmap-end.txt
	(cd $RES && tar cf "$RES_DEV" .) || echo "vmcore-guest: FAILED save-results: tar cf $RES_DEV"
	sync
}

# md5_of NAME COMMAND...: run COMMAND, its stderr to NAME.log in the
# results, its output MD5-summed on the fly (nothing stored); sets md5 and
# rc (COMMAND's exit status).
md5_of() {
	name=$1
	shift
	rm -f /tmp/md5.rc
	md5=$({ "$@" 2>$RES/$name.log; echo $? >/tmp/md5.rc; } | md5sum | cut -d' ' -f1)
	rc=$(cat /tmp/md5.rc)
	rm -f /tmp/md5.rc
}

# copy FILE DISK LOG: FILE to the fresh DISK, with 1 MiB blocks: dd, as
# users copy a dump, or with vmcore_copy=sparse vmcore_bench copy (blocks
# of zeros skipped); its messages and its time to LOG. Exit status: the
# copy's.
copy() {
	local t0 t1 r rc
	t0=$(cut -d' ' -f1 /proc/uptime)
	if [ "${COPY:-1}" = sparse ]; then
		r=$(/extra/vmcore_bench copy "$1" "$2" 1M 2>"$3")
		rc=$?
		echo "vmcore_bench copy: $r" >>"$3"
	else
		dd if="$1" of="$2" bs=1M conv=fsync 2>"$3"
		rc=$?
	fi
	t1=$(cut -d' ' -f1 /proc/uptime)
	log "$1 copied in $(awk "BEGIN { print $t1 - $t0 }") s, exit $rc${r:+ ($r)}"
	return $rc
}

# check_chunk SKIP COUNT: the 4 KiB blocks SKIP..SKIP+COUNT-1 of the vmcore
# and of the vmcore disk are equal.
check_chunk() {
	a=$(dd if="$VMCORE" bs=4096 skip="$1" count="$2" 2>/dev/null | md5sum)
	b=$(dd if="$CORE_DEV" bs=4096 skip="$1" count="$2" 2>/dev/null | md5sum)
	[ "$a" = "$b" ]
}

dump_kernel() {
	STAGE=find-vmcore
	[ -e "$VMCORE" ] || fail $STAGE "$VMCORE does not exist"
	size=$(stat -c %s "$VMCORE") || fail $STAGE "stat $VMCORE"
	[ "$size" -gt 0 ] || fail $STAGE "$VMCORE is empty"
	echo "$VMCORE" >$RES/vmcore.path
	echo "$size" >$RES/vmcore.size
	log "vmcore: $VMCORE, $size bytes"
	ls -l /proc/vmcore* >>$RES/stage.log 2>&1
	grep DirectMap /proc/meminfo >>$RES/stage.log 2>&1

	STAGE=oldinfo
	mkdir -p $RES/oldinfo
	if tar xf "$OLD_DEV" -C $RES/oldinfo 2>/dev/null; then
		log "first kernel: $(cat $RES/oldinfo/ncpus 2>/dev/null) CPUs, release $(cat $RES/oldinfo/release 2>/dev/null)"
	else
		log "no oldinfo from the first kernel on $OLD_DEV"
	fi

	if [ "${COPY:-1}" = 0 ]; then
		log "no copy (vmcore_copy=0): kselftests only"
		kselftests kselftest.tap -t sdias_failure
		finish
	fi

	STAGE=dd-vmcore
	log "copying $VMCORE to $CORE_DEV"
	copy "$VMCORE" "$CORE_DEV" $RES/dd.log
	rc=$?
	status $STAGE $rc
	cat $RES/dd.log
	[ $rc = 0 ] || fail $STAGE "the copy exited $rc"

	STAGE=check-vmcore
	blocks=$(((size + 4095) / 4096))
	tail=$((blocks > 16 ? blocks - 16 : 0))
	if check_chunk 0 16 && check_chunk $tail 16; then
		status $STAGE 0
		log "vmcore copy: first and last 64 KiB match"
	else
		fail $STAGE "the copy on $CORE_DEV differs from $VMCORE"
	fi

	# The whole vmcore read once more: its MD5, which the host checks its
	# copy (as long as the vmcore) against (vmcore_checksum=1, the product
	# runs of make check).
	if [ "${CHECKSUM:-0}" = 1 ]; then
		STAGE=vmcore-md5
		md5_of vmcore-md5 dd if="$VMCORE" bs=1M
		echo "md5=$md5" >$RES/vmcore.md5
		status $STAGE $rc
		log "MD5 of $VMCORE: $md5, dd exit $rc"
		[ "$rc" = 0 ] || fail $STAGE "dd of $VMCORE exited $rc"
	fi

	# s390-tools must accept the saved dump.
	if [ -n "$HSA" ]; then
		STAGE=zgetdump
		zgetdump -i "$CORE_DEV" >$RES/zgetdump.txt 2>&1
		rc=$?
		status $STAGE $rc
		log "zgetdump -i $CORE_DEV: exit $rc"
		cat $RES/zgetdump.txt
	fi

	# Differential check: copy another core file of the same boot (the test
	# kernel's C /proc/vmcore) to the vmcmp disk; the host compares.
	if [ -n "${COMPARE:-}" ]; then
		STAGE=compare
		CMP_DEV=$(disk vmcmp 5)
		log "copying $COMPARE to $CMP_DEV for the comparison"
		copy "$COMPARE" "$CMP_DEV" $RES/compare-dd.log
		rc=$?
		stat -c %s "$COMPARE" >$RES/compare.size
		# Which two files were compared: the host checks that they are
		# not one file under two names (name, device, inode, size).
		stat -L -c '%n %d %i %s' "$VMCORE" "$COMPARE" >$RES/compare.files
		status $STAGE $rc
	fi

	kselftests kselftest.tap -T hsa_released -T sdias_failure

	# Without VMCOREINFO, or without the kernel-text PT_LOAD whose
	# variables it reads (the test kernel damaged them on purpose, see
	# vmcore_rs_test_corrupt= in rust/vmcore_rs/test.c), makedumpfile cannot work:
	# its exit status is logged, not judged.
	case " $CMDLINE " in
	*" vmcore_rs_test_corrupt="*vmcoreinfo* | *" vmcore_rs_test_corrupt="*text*) expect_fail=1 ;;
	*) expect_fail= ;;
	esac

	# makedumpfile reads with mmap() by default: both ways must give the
	# same dump. One line per mode in guest/makedumpfile-modes, "MODE
	# exit=N bytes=N md5=MD5" of the flattened stream, judged on the host
	# (both exit 0, a dump, the same MD5); messages in makedumpfile-MODE.log.
	# The stream is not kept (a zfcpdump kernel has too little memory for
	# it in tmpfs): tee hands it to md5sum through a FIFO and to dd, whose
	# "A+B records in" of 4 KiB gives bytes >= A * 4096 + B (busybox dd
	# prints no byte count, busybox wc -c counts a pipe byte by byte).
	if [ -n "${COMPARE:-}" ] && [ -z "$expect_fail" ] && [ "${MDF_MODES:-1}" != 0 ]; then
		STAGE=makedumpfile-modes
		: >$RES/makedumpfile-modes
		rm -f /tmp/mdf.fifo
		mkfifo /tmp/mdf.fifo
		for mode in mmap non-mmap; do
			opt=
			[ $mode = mmap ] || opt=--$mode
			md5sum </tmp/mdf.fifo >/tmp/mdf.md5 &
			md5pid=$!
			{
				makedumpfile -F -d 31 $opt "$VMCORE" 2>$RES/makedumpfile-$mode.log
				echo $? >/tmp/mdf.rc
			} | tee /tmp/mdf.fifo | dd of=/dev/null bs=4096 2>/tmp/mdf.dd
			wait $md5pid
			rc=$(cat /tmp/mdf.rc) md5=$(cut -d' ' -f1 </tmp/mdf.md5)
			bytes=$(sed -n 's/^\([0-9]*\)+\([0-9]*\) records in$/\1 \2/p' /tmp/mdf.dd |
				{ read -r full part && echo $((full * 4096 + part)); })
			rm -f /tmp/mdf.rc /tmp/mdf.md5 /tmp/mdf.dd
			echo "$mode exit=$rc bytes=$bytes md5=$md5" >>$RES/makedumpfile-modes
			log "makedumpfile -d 31 ${opt:-(mmap)}: exit $rc, $bytes bytes, md5 $md5"
		done
	fi

	STAGE=makedumpfile
	log "makedumpfile -F -d 31 $VMCORE > $KDUMP_DEV"
	makedumpfile -F -d 31 "$VMCORE" >"$KDUMP_DEV" 2>$RES/makedumpfile.log
	rc=$?
	[ -n "$expect_fail" ] || status $STAGE $rc
	cat $RES/makedumpfile.log
	sync

	STAGE=dump-dmesg
	log "makedumpfile --dump-dmesg $VMCORE"
	makedumpfile --dump-dmesg "$VMCORE" $RES/dmesg.txt >$RES/dump-dmesg.log 2>&1
	rc2=$?
	[ -n "$expect_fail" ] || status $STAGE $rc2
	cat $RES/dump-dmesg.log

	if [ -n "$expect_fail" ]; then
		log "makedumpfile without VMCOREINFO or kernel text: exit $rc, --dump-dmesg exit $rc2"
	else
		[ $rc = 0 ] || fail makedumpfile "makedumpfile -d 31 exited $rc"
		[ $rc2 = 0 ] || fail dump-dmesg "makedumpfile --dump-dmesg exited $rc2"
	fi
	finish
}

# kselftests TAP [-t TEST | -T TEST...]: the kselftests of the proc file
# (selftests/vmcore), only TEST (-t) or all but the TESTs (-T), TAP output
# saved as guest/TAP; their verdicts are the host's to judge. Without -t,
# guest/TAP.left-out names each test left out, "TEST REASON" a line (the
# host checks it against what it expects of the run).
kselftests() {
	[ -x /extra/vmcore_test ] && [ "${SELFTESTS:-1}" != 0 ] || return 0
	STAGE=kselftest
	tap=$1
	shift
	: >$RES/$tap.left-out
	# leave_out REASON TEST...: run without the TESTs, and say why.
	leave_out() {
		why=$1
		shift
		for t; do
			set_args="$set_args -T $t"
			echo "$t $why" >>$RES/$tap.left-out
		done
	}
	set_args=
	if [ "${1:-}" != -t ]; then
		while [ $# -gt 0 ]; do
			[ "$1" = -T ] && [ $# -ge 2 ] || fail $STAGE "kselftests: $1: not -T TEST"
			leave_out "run by itself where it applies" "$2"
			shift 2
		done
		# Leave out what this kernel cannot test: a product kernel has
		# no C file to compare with, no test interfaces
		# (CONFIG_S390_VMCORE_RUST_TEST), no fault injection, no kmemleak.
		[ -n "${COMPARE:-}" ] || leave_out "no vmcore_compare= file" boundary_reads oldmem_read_only
		[ -e /proc/self/fail-nth ] || leave_out "no /proc/self/fail-nth" \
			reads_allocate_nothing header_build_alloc_failures mmap_alloc_failures \
			hsa_page_window
		[ -e /sys/kernel/debug/kmemleak ] || leave_out "no kmemleak" kmemleak_clean
		# shellcheck disable=SC2086 # the words are the -T options
		set -- $set_args
	fi
	log "kselftests: vmcore_test $*"
	ck=$(sed -n 's/.*crashkernel=\([0-9]*\)M.*/\1/p' $RES/oldinfo/cmdline 2>/dev/null)
	patterns=
	[ -f $RES/oldinfo/patterns ] && patterns=$RES/oldinfo/patterns
	VMCORE=$VMCORE VMCORE_REF=${COMPARE:-} VMCORE_HSA=${TEST_HSA:-${HSA:-0}} \
		VMCORE_PATTERNS=$patterns VMCORE_SWAP=$((${ck:-0} * 1048576)) \
		VMCORE_OLDINFO=$RES/oldinfo VMCORE_SDIAS_FAIL=${SDIAS_FAIL:-} \
		VMCORE_HSA_RELEASED=${RELEASED:-} \
		/extra/vmcore_test "$@" >$RES/$tap 2>&1
	log "kselftests: exit $?, $(grep -c '^ok' $RES/$tap) ok, $(grep -c '^not ok' $RES/$tap) not ok"
}

# The end of a dump kernel's work: a zfcpdump kernel releases the HSA as
# its user space would (zcore's debugfs file) and checks that reads of the
# HSA range then fail cleanly; then the results are saved.
finish() {
	if [ -n "$HSA" ]; then
		STAGE=release-hsa
		echo 0 >/sys/kernel/debug/zcore/hsa
		rc=$?
		left=$(cat /sys/kernel/debug/zcore/hsa)
		log "HSA released (exit $rc, zcore/hsa now $left)"
		[ $rc = 0 ] && [ "$left" = 0 ] || fail $STAGE "zcore/hsa: exit $rc, then $left"
		status $STAGE 0
		RELEASED=1
		kselftests kselftest-released.tap -t hsa_released
	fi
	status all 0
	save_results
	log "dump complete"
	off
}

