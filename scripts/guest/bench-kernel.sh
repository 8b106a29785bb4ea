# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's part of the guest's /init (sourced by it; busybox
# sh), a dump kernel booted with vmcore_bench=1 (scripts/bench.sh):
# bench_kernel times reads, mmap(), makedumpfile and dd of the dump
# into bench.txt; hsa_bench_kernel (vmcore_hsa_bench=1) reads the HSA
# range of both files of a zfcpdump kernel.

# "bytes=N ns=N" line as "NAME FILE bytes=N ns=N" in bench.txt.
bench() {
	name=$1 file=$2
	shift 2
	r=$(/extra/vmcore_bench "$@") || {
		cp /tmp/vmcore_bench.err $RES/bench-failed.err 2>/dev/null
		fail bench "vmcore_bench $*: $(tail -3 /tmp/vmcore_bench.err 2>/dev/null)"
	}
	echo "$name $file $r" >>$RES/bench.txt
	log "bench: $name $file $r"
}

# mdf_check NAME FILE [OPTION]: one untimed makedumpfile -d 31 of FILE with
# OPTION and all messages: fails unless it exits 0 and writes a dump (to
# tmpfs: a pipe slows the copy down tenfold here); its messages (the time
# of each step) go to makedumpfile-NAME-<file>.log.
mdf_check() {
	name=$1 file=$2 log=$RES/makedumpfile-$1-$(basename "$2").log
	shift 2
	makedumpfile -F -d 31 --message-level 31 "$@" "$file" >/tmp/mdf.out 2>"$log"
	rc=$?
	bytes=$(stat -c %s /tmp/mdf.out)
	rm -f /tmp/mdf.out
	echo "makedumpfile-out $name $file exit=$rc bytes=$bytes" >>$RES/bench.txt
	log "bench: makedumpfile $name $file: exit $rc, $bytes bytes"
	[ "$rc" = 0 ] && [ "$bytes" -gt 4096 ] ||
		fail bench "makedumpfile $name $file: exit $rc, $bytes bytes"
}

# order ROUND: the files to measure in round ROUND, the dump file and, with
# vmcore_compare=, the other file; the order alternates from round to round.
order() {
	if [ $(($1 % 2)) = 1 ]; then echo "$VMCORE ${COMPARE:-}"; else echo "${COMPARE:-} $VMCORE"; fi
}

# makedumpfile --num-threads: each thread ends with pthread_exit(), for
# which glibc dlopen()s libgcc_s.so.1; when two threads end at once that
# can fail ("libgcc_s.so.1 must be installed for pthread_exit to work",
# abort), so from the first threaded run on (in the shipped set after
# everything else, in the parallel set from its start) every program has
# it loaded from the start (LD_PRELOAD), on both kernels alike.
GCC_S=/lib/s390x-linux-gnu/libgcc_s.so.1

# bench_retry NAME FILE CMD...: bench, for makedumpfile --num-threads, which
# now and then ends "The makedumpfile operation may be incomplete" on its
# own (with either /proc/vmcore): up to three tries, each failed one
# recorded as "failed NAME FILE" with its last message.
bench_retry() {
	name=$1 file=$2
	shift 2
	for try in 1 2 3; do
		if r=$(/extra/vmcore_bench "$@"); then
			echo "$name $file $r" >>$RES/bench.txt
			log "bench: $name $file $r"
			return 0
		fi
		echo "failed $name $file $(tail -1 /tmp/vmcore_bench.err)" >>$RES/bench.txt
		log "bench: $name $file failed (try $try): $(tail -1 /tmp/vmcore_bench.err)"
		cp /tmp/vmcore_bench.err $RES/bench-failed-$try.err
	done
	fail bench "vmcore_bench $*: failed three times"
}

# timed NAME FILE CMD...: run CMD (a shell command line) under
# vmcore_bench time, recorded as "NAME FILE bytes=0 ns=N user_ns=N sys_ns=N".
timed() {
	name=$1 file=$2
	shift 2
	bench "$name" "$file" time sh -c "$*"
}

# reads ROUND: read() and mmap() of each file (the order alternating), then
# the ceilings of read(): memcpy() from a 64 MiB buffer and read() of
# /dev/zero, as many bytes as the dump file has, with the same 1 MiB
# destination summed the same way; read() of a page-cache (tmpfs) file.
reads() {
	for f in $(order "$1"); do
		bench read-1m "$f" read "$f" 1M
		bench read-4k "$f" read "$f" 4K 512M
		bench mmap "$f" mmap "$f"
	done
	bench memcpy - memcpy 64 1M "$size"
	bench read-1m /dev/zero read /dev/zero 1M "$size"
	bench read-1m /tmp/bench.file read /tmp/bench.file 1M
}

# user_makedumpfile ROUND: makedumpfile as users run it, onto a file of an
# ext2 file system on the disk vmmdf, with the sync that makes it durable:
# -l (lzo), -c (zlib) and -E (filtered ELF, as s390-tools' NGDump), each
# with and without mmap().
user_makedumpfile() {
	for opt in -l -c -E; do
		for m in mmap non-mmap; do
			extra=
			[ $m = mmap ] || extra=--non-mmap
			for f in $(order "$1"); do
				rm -f /mnt/mdf/dump
				timed "mdf$opt-$m" "$f" "makedumpfile $opt -d 31 $extra $f /mnt/mdf/dump && sync"
			done
		done
	done
}

# copies ROUND: dd bs=1M conv=fsync of each file to each sink disk, as users
# copy a dump, beside dd of as many bytes of /dev/zero: the sink's own speed;
# to the sinks in host memory also with O_DIRECT and 4 MiB requests (no
# page cache), the fastest way a guest can write.
copies() {
	mib=$(((size + 1048575) / 1048576))
	for s in $SINKS; do
		dev=${s#*=} s=${s%%=*}
		timed "dd-zero-$s" - "dd if=/dev/zero of=$dev bs=1M count=$mib conv=fsync 2>/dev/null"
		for f in $(order "$1"); do
			timed "dd-$s" "$f" "dd if=$f of=$dev bs=1M conv=fsync 2>/dev/null"
		done
		[ "$s" != vmsink ] || continue
		timed "dd-zero-direct-$s" - \
			"dd if=/dev/zero of=$dev bs=4M count=$(((mib + 3) / 4)) oflag=direct 2>/dev/null"
		for f in $(order "$1"); do
			timed "dd-direct-$s" "$f" "dd if=$f of=$dev bs=4M oflag=direct 2>/dev/null"
		done
	done
}

# make bench: ROUNDS rounds (default 5) of the set vmcore_bench_set= (see
# the top) over the dump file and, with vmcore_compare=, the other file of
# the same boot, the order alternating; with vmcore_compare=, the MD5 of
# each file once, untimed.
bench_kernel() {
	STAGE=bench
	[ -x /extra/vmcore_bench ] || fail $STAGE "no /extra/vmcore_bench"
	[ -e "$VMCORE" ] || fail $STAGE "no $VMCORE"
	[ -z "${COMPARE:-}" ] || [ -e "$COMPARE" ] || fail $STAGE "no $COMPARE"
	set=${BENCH_SET:-reads}
	echo "set $set" >>$RES/bench.txt
	echo "cpus $(nproc)" >>$RES/bench.txt
	# Each file's size ("size FILE BYTES"); the ceilings copy as many
	# bytes as the dump file has.
	for f in $VMCORE ${COMPARE:-}; do
		echo "size $f $(stat -c %s "$f")" >>$RES/bench.txt
	done
	size=$(stat -c %s "$VMCORE")
	# No kmemleak scan (test kernel) in the middle of a measurement.
	echo scan=off >/sys/kernel/debug/kmemleak 2>/dev/null
	# A page-cache file: what read() and copy_to_user() reach at best.
	dd if=/dev/zero of=/tmp/bench.file bs=1M count=32 2>/dev/null
	# Both files of the same boot: their MD5s must agree (100 s each under
	# TCG, so not in the single-file runs).
	if [ -n "${COMPARE:-}" ]; then
		for f in $VMCORE $COMPARE; do
			echo "md5 $f $(md5sum <"$f" | cut -d' ' -f1)" >>$RES/bench.txt
		done
	fi
	case $set in
	reads)
		# The test kernel builds the header again on request, logging the
		# time ("rebuilt in N us"): the same code as at boot, warm.
		if [ -e /sys/kernel/debug/vmcore_rs/rebuild ]; then
			for i in 1 2 3; do
				echo 1 >/sys/kernel/debug/vmcore_rs/rebuild ||
					fail $STAGE "vmcore_rs/rebuild"
			done
		fi
		for round in $(seq 1 "${BENCH_ROUNDS:-5}"); do
			reads "$round"
			for f in $(order "$round"); do
				bench readers-4x1m "$f" readers "$f" 4 1M
			done
		done
		;;
	shipped)
		SINKS=
		for s in vmsink vmsinkram vmsinknull; do
			dev=$(disk $s 99) || fail $STAGE "no sink disk $s"
			SINKS="$SINKS $s=$dev"
		done
		mdf_dev=$(disk vmmdf 99) || fail $STAGE "no disk vmmdf"
		mkdir -p /mnt/mdf
		mke2fs -q "$mdf_dev" >/dev/null 2>&1 && mount -t ext2 "$mdf_dev" /mnt/mdf ||
			fail $STAGE "ext2 on $mdf_dev"
		log "bench: sinks$SINKS, makedumpfile onto ext2 on $mdf_dev"
		for f in $VMCORE ${COMPARE:-}; do
			mdf_check mmap "$f"
			mdf_check non-mmap "$f" --non-mmap
		done
		for round in $(seq 1 "${BENCH_ROUNDS:-5}"); do
			reads "$round"
			user_makedumpfile "$round"
		done
		umount /mnt/mdf
		for round in $(seq 1 "${BENCH_ROUNDS:-5}"); do
			copies "$round"
		done
		# Once per boot: makedumpfile's threads on this one CPU.
		export LD_PRELOAD=$GCC_S
		for f in $VMCORE ${COMPARE:-}; do
			bench makedumpfile-mmap-1cpu "$f" time makedumpfile -F -d 31 "$f"
			bench_retry makedumpfile-threads2-1cpu "$f" time makedumpfile -F -d 31 --num-threads 2 "$f"
		done
		;;
	parallel)
		[ "$(nproc)" -ge 2 ] || fail $STAGE "parallel set with $(nproc) CPU"
		export LD_PRELOAD=$GCC_S
		for f in $VMCORE ${COMPARE:-}; do
			mdf_check threads2 "$f" --num-threads 2
		done
		for round in $(seq 1 "${BENCH_ROUNDS:-5}"); do
			for f in $(order "$round"); do
				bench readers-1x1m "$f" readers "$f" 1 1M
				bench readers-2x1m "$f" readers "$f" 2 1M
				bench makedumpfile-mmap "$f" time makedumpfile -F -d 31 "$f"
				bench_retry makedumpfile-threads2 "$f" time makedumpfile -F -d 31 --num-threads 2 "$f"
			done
			bench memcpy-procs-1x1m - memcpy-procs 1 32 1M "$size"
			bench memcpy-procs-2x1m - memcpy-procs 2 32 1M "$size"
		done
		;;
	scale)
		for round in $(seq 1 "${BENCH_ROUNDS:-5}"); do
			for f in $(order "$round"); do
				bench read-1m "$f" read "$f" 1M
			done
			bench memcpy - memcpy 64 1M "$size"
		done
		;;
	*) fail $STAGE "unknown vmcore_bench_set=$set" ;;
	esac
	dmesg >$RES/dmesg-dump.txt
	grep DirectMap /proc/meminfo >$RES/directmap
	status all 0
	save_results
	log "dump complete"
	off
}

# make bench, zfcpdump kernel: the HSA range [0, HSA) of both files of the
# same boot read with 1 MiB buffers, three rounds, the order alternating;
# the SDIAS requests of each read are the calls of sclp_sdias_copy(),
# counted by a kprobe (the test kernel has kprobe events).
hsa_bench_kernel() {
	STAGE=hsa-bench
	[ -n "$HSA" ] || fail $STAGE "no HSA (not a zfcpdump kernel)"
	[ -x /extra/vmcore_bench ] || fail $STAGE "no /extra/vmcore_bench"
	[ -e "$VMCORE" ] && [ -e "${COMPARE:-}" ] || fail $STAGE "need $VMCORE and vmcore_compare="
	T=/sys/kernel/tracing
	mount -t tracefs tracefs $T 2>/dev/null
	echo 'p:vmcore_sdias sclp_sdias_copy' >>$T/kprobe_events || fail $STAGE "kprobe on sclp_sdias_copy"
	echo 1 >$T/events/kprobes/vmcore_sdias/enable || fail $STAGE "enable the kprobe"
	hits() { awk '$1 == "vmcore_sdias" { print $2 }' $T/kprobe_profile; }
	echo "hsa $HSA" >>$RES/bench.txt
	for round in 1 2 3; do
		for f in $(order "$round"); do
			h0=$(hits)
			r=$(/extra/vmcore_bench read-paddr "$f" 1M 0 "$HSA") || fail $STAGE "vmcore_bench read-paddr $f"
			h1=$(hits)
			echo "hsa-read-1m $f $r requests=$((h1 - h0))" >>$RES/bench.txt
			log "bench: hsa-read-1m $f $r requests=$((h1 - h0))"
		done
	done
	echo 0 >$T/events/kprobes/vmcore_sdias/enable
	status all 0
	save_results
	log "dump complete"
	off
}
