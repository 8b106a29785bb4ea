# SPDX-License-Identifier: GPL-2.0
#
# The first kernel's part of the guest's /init (sourced by it; busybox
# sh): first_kernel reads the boot files, saves what the dump checks
# against (oldinfo), loads the dump kernel with kexec -p or arms the FCP
# dump, then crashes the kernel (crash) or hangs it for the operator
# (hang).

first_kernel() {
	STAGE=boot-files
	mkdir -p /tmp/boot
	tar xf "$BOOT_DEV" -C /tmp/boot || fail $STAGE "tar xf $BOOT_DEV"
	for f in bzImage initrd.gz; do
		[ -s /tmp/boot/$f ] || fail $STAGE "no $f on the boot disk"
	done
	log "boot files: $(echo /tmp/boot/*)"

	if [ -n "${OFFLINE_CPU:-}" ]; then
		STAGE=cpu-offline
		echo 0 >/sys/devices/system/cpu/cpu$OFFLINE_CPU/online ||
			fail $STAGE "cpu$OFFLINE_CPU cannot go offline"
		log "CPU $OFFLINE_CPU offline"
	fi

	# What the crash will leave: the CPUs online now are online at the
	# crash (nothing here takes one on- or offline after this).
	STAGE=save-oldinfo
	OLD=/tmp/oldinfo
	mkdir -p $OLD
	echo "${CRASH:-sysrq} ${CRASH_CPU:-0}" >$OLD/crash
	cat /sys/devices/system/cpu/online >$OLD/cpus-online || fail $STAGE "cpu/online"
	cat /sys/kernel/vmcoreinfo >$OLD/vmcoreinfo || fail $STAGE "vmcoreinfo"
	echo "$CMDLINE" >$OLD/cmdline
	uname -r >$OLD/release
	ncpu=0
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[ "$(cat "$c/online" 2>/dev/null || echo 1)" = 1 ] && ncpu=$((ncpu + 1))
	done
	echo $ncpu >$OLD/ncpus
	log "online CPUs: $(cat $OLD/cpus-online) (count $ncpu)"
	# Its memory, for the host's check of the dump's PT_LOADs
	# (check_dump.py): the System RAM ranges and the crashkernel area
	# ("Crash kernel", which s390 keeps out of System RAM).
	cat /proc/iomem >$OLD/iomem || fail $STAGE "/proc/iomem"
	grep -q ' : System RAM$' $OLD/iomem || fail $STAGE "no System RAM in /proc/iomem"
	log "memory: $(grep -e ' : System RAM$' -e ' : Crash kernel$' $OLD/iomem | tr -s ' \n' ' ')"
	log "vmcoreinfo: $(cat $OLD/vmcoreinfo)"
	# Known patterns (selftests/vmcore/vmcore_pattern.c): pages filled from
	# their physical address, kept alive until the crash; the dump kernel's
	# kselftests read every one back through the dump.
	if [ -x /extra/vmcore_pattern ] && [ "${PATTERN_MIB:-256}" != 0 ]; then
		/extra/vmcore_pattern "${PATTERN_MIB:-256}" $OLD/patterns >/tmp/pattern.log 2>&1 &
		i=0
		while [ ! -e $OLD/patterns.done ] && [ $i -lt 300 ]; do
			sleep 1
			i=$((i + 1))
		done
		[ -e $OLD/patterns.done ] || fail $STAGE "vmcore_pattern: $(cat /tmp/pattern.log)"
		rm -f $OLD/patterns.done
		log "$(cat /tmp/pattern.log)"
	fi
	(cd $OLD && tar cf "$OLD_DEV" .) || fail $STAGE "tar cf $OLD_DEV"
	sync

	if [ "${ZFCPDUMP:-0}" = 1 ]; then
		arm_fcp_dump
	else
		kexec_load
	fi

	crash "${CRASH:-sysrq}" "${CRASH_CPU:-0}"
}

# crash HOW CPU: die on CPU CPU (a mask for taskset). By default on CPU 0,
# the IPL CPU, so that the crashed thread's registers are those of the
# kdump entry path itself (__do_machine_kdump ...) rather than of a CPU
# waiting in smp_call_ipl_cpu() for the IPL CPU. HOW is sysrq or
# lkdtm:TYPE; for LKDTM the kernel is first told to panic where TYPE only
# oopses or hangs: panic_on_oops (BUG, EXCEPTION, CORRUPT_LIST_ADD with
# BUG_ON_DATA_CORRUPTION), the hung-task detector (HUNG_TASK), the RCU
# stall detector in the timer interrupt (SOFTLOCKUP, SPINLOCKUP: s390 has
# no soft-lockup detector).
crash() {
	STAGE=crash
	mask=$(printf %x $((1 << $2)))
	case $1 in
	sysrq) cmd='echo c >/proc/sysrq-trigger' ;;
	lkdtm:*)
		type=${1#lkdtm:}
		cmd="echo $type >/sys/kernel/debug/provoke-crash/DIRECT"
		[ -e /sys/kernel/debug/provoke-crash/DIRECT ] || fail $STAGE "no LKDTM"
		echo 1 >/proc/sys/kernel/panic_on_oops || fail $STAGE "panic_on_oops"
		case $type in
		SOFTLOCKUP | SPINLOCKUP)
			echo 1 >/proc/sys/kernel/panic_on_rcu_stall &&
				echo 3 >/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout ||
				fail $STAGE "panic_on_rcu_stall" ;;
		HUNG_TASK)
			echo 1 >/proc/sys/kernel/hung_task_panic &&
				echo 3 >/proc/sys/kernel/hung_task_timeout_secs ||
				fail $STAGE "hung_task_panic" ;;
		esac
		# SPINLOCKUP takes the lock the first time and spins on it the
		# second; HUNG_TASK never returns.
		[ "$type" = SPINLOCKUP ] && taskset "$mask" sh -c "$cmd"
		;;
	hang:*) hang "${1#hang:}" ;;
	*) fail $STAGE "vmcore_crash=$1: not sysrq, lkdtm:TYPE or hang:HOW" ;;
	esac
	log "crashing on CPU $2: taskset $mask $cmd"
	sync
	taskset "$mask" sh -c "$cmd" &
	sleep 120
	fail $STAGE "still running 120 s after: $cmd"
}

# hang nmi|dump-ipl: hang, not die: every online CPU spins, CPU 1 in the
# kernel with interrupts off (LKDTM's HARDLOCKUP, where LKDTM is there;
# nothing panics on s390 for that), the others in user space; then wait for
# the operator (run-dump.sh --force). For a PSW restart (nmi) of a machine
# with a stand-alone dump, the restart action is the dump.
hang() {
	STAGE=hang
	if [ "${ZFCPDUMP:-0}" = 1 ] && [ "$1" = nmi ]; then
		echo dump >/sys/firmware/shutdown_actions/on_restart || fail $STAGE "on_restart dump refused"
		log "on restart: $(cat /sys/firmware/shutdown_actions/on_restart)"
	fi
	# This shell stays on CPU 0, where it shares the CPU with a spinner:
	# on CPU 1 nothing else runs once interrupts are off there.
	taskset -p 1 $$ >/dev/null || fail $STAGE "taskset -p 1 $$"
	lockup=
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		n=${c##*cpu}
		[ "$(cat "$c/online" 2>/dev/null || echo 1)" = 1 ] || continue
		if [ "$n" = 1 ] && [ -e /sys/kernel/debug/provoke-crash/DIRECT ]; then
			lockup=1
		else
			taskset "$(printf %x $((1 << n)))" sh -c 'while :; do :; done' &
		fi
	done
	[ -z "$lockup" ] ||
		taskset 2 sh -c 'echo HARDLOCKUP >/sys/kernel/debug/provoke-crash/DIRECT' &
	sleep 2
	log "hung: every CPU spinning, waiting for the operator ($1)"
	sleep 600
	fail $STAGE "the operator did not force a dump ($1)"
}

# The panic action of a machine with a stand-alone dump: an FCP dump IPL
# (arch/s390/kernel/ipl.c: dump_type fcp, on_panic dump; diag308_dump()).
# The FCP device, WWPN and LUN name the dump disk on a real machine; the
# patched QEMU loads its dump kernel from machine options instead.
arm_fcp_dump() {
	STAGE=fcp-dump
	[ -e /sys/firmware/dump/dump_type ] || fail $STAGE "no /sys/firmware/dump (no FCP dump offered: HSA?)"
	echo fcp >/sys/firmware/dump/dump_type || fail $STAGE "dump_type fcp refused"
	echo 0.0.1700 >/sys/firmware/dump/fcp/device
	echo 0x5005076303004711 >/sys/firmware/dump/fcp/wwpn
	echo 0x4711000000000000 >/sys/firmware/dump/fcp/lun
	echo dump >/sys/firmware/shutdown_actions/on_panic || fail $STAGE "on_panic dump refused"
	log "on panic: $(cat /sys/firmware/shutdown_actions/on_panic), dump_type $(cat /sys/firmware/dump/dump_type)"
	rm -rf /tmp/boot
}

kexec_load() {
	STAGE=kexec-load
	kcmd=
	for p in $CMDLINE; do
		case $p in
		crashkernel=* | maxcpus=* | nr_cpus=* | vmcore_stage=*) ;;
		*) kcmd="$kcmd $p" ;;
		esac
	done
	kcmd="${kcmd# } maxcpus=${DUMP_CPUS:-1} reset_devices vmcore_stage=dump"
	if [ -s /tmp/boot/kdump-append ]; then
		kcmd="$kcmd $(cat /tmp/boot/kdump-append)"
	fi
	log "kexec -p /tmp/boot/bzImage --initrd=/tmp/boot/initrd.gz --command-line=\"$kcmd\""
	kexec -p /tmp/boot/bzImage --initrd=/tmp/boot/initrd.gz --command-line="$kcmd" ||
		fail $STAGE "kexec -p exited $?"
	loaded=$(cat /sys/kernel/kexec_crash_loaded)
	log "kexec_crash_loaded: $loaded"
	[ "$loaded" = 1 ] || fail $STAGE "kexec_crash_loaded is $loaded"
	# The boot files are no longer needed: free their memory.
	rm -rf /tmp/boot
}
