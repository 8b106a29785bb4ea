# SPDX-License-Identifier: GPL-2.0
#
# The runs and checks of make check, sourced by scripts/check.sh, which is
# the list of what runs in which order. Each function reports through
# ok/notok/skip/t (TAP lines, counted in the caller's passed, failed,
# skipped and n); guest runs write to $out (the caller's CHECK_OUT).

# ok NAME / notok NAME LOG / skip NAME REASON
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }

notok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 25 "$2" | sed 's/^/#   /'
}

skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP ${2:-}"; }

# t NAME COMMAND...: run COMMAND with its output in a log, report it.
# The log is named by the test's number and the start of NAME (a file
# name has at most 255 bytes).
t() {
	local name=$1 log
	shift
	log=$(echo "$name" | tr -c 'A-Za-z0-9_.-' '_')
	log=$out/$((n + 1))-${log:0:96}.log
	if "$@" >"$log" 2>&1; then ok "$name"; else notok "$name" "$log"; fi
}

# tap PREFIX FILE [TEST=REASON...]: one result per kselftest of a TAP
# file (guest/*.tap), as scripts/harness/kselftests.py judges it: a
# missing file, fewer results than its plan, a failed test or any skip or
# test left out but those named by TEST=REASON (expected not to run here,
# and why) is "not ok", and so is a named test that ran or is nowhere.
tap() {
	local line end=
	while IFS= read -r line; do
		case $line in
		end) end=1 ;;
		"ok "*) ok "${line#ok }" ;;
		"not ok "*) notok "${line#not ok }" ;;
		"skip "*) line=${line#skip }; skip "${line%%$'\t'*}" "${line#*$'\t'}" ;;
		"#"*) echo "$line" ;;
		*) notok "$1: scripts/harness/kselftests.py said: $line" ;;
		esac
	done < <(python3 scripts/harness/kselftests.py "$@" 2>&1)
	[ -n "$end" ] || notok "$1: scripts/harness/kselftests.py judged $2"
}

# release MARK DIR...: once a run's checks are done, its big host files
# go (the vmcore, the makedumpfile dump, the copy of vmlinux: about 1 GiB
# a run), so that make check needs the disk of a few dumps at a time, not
# of all 40. Kept if a test failed since MARK (the failure count before
# the checks), or with CHECK_KEEP_DUMPS=1.
release() {
	local mark=$1 d
	shift
	[ "$failed" = "$mark" ] && [ -z "${CHECK_KEEP_DUMPS:-}" ] || return 0
	for d; do rm -f "$d/vmcore" "$d/dump.kdump" "$d/vmlinux"; done
}

summary() {
	local line="$passed passed, $failed failed"
	[ $skipped -gt 0 ] && line="$line, $skipped skipped"
	echo "1..$n"
	echo "$line"
	[ $failed -eq 0 ]
	exit
}

# trust NAME DIR PATTERN...: the dump kernel's debugfs trust file gives its
# report, whose lines match each PATTERN, and its boot log has the one line
# of it, naming each part the file says was left out, and why; with the
# PATTERN "nothing left out", no line may say "left out:" either.
trust() {
	t "$1: trust report in debugfs, what it leaves out named at boot: ${*:3}" bash -c '
		d=$1; shift
		[ -s "$d/guest/trust.txt" ] && ! grep -v "^trust: " "$d/guest/trust.txt" ||
			{ echo "file:"; cat "$d/guest/trust.txt"; exit 1; }
		logged=$(grep -o "vmcore_rs: dump of [0-9]* bytes ready .*" "$d/guest/kmsg-boot.txt")
		n=$(grep -c "^trust: left out:" "$d/guest/trust.txt")
		case $n in
		0) want="nothing left out" ;;
		1) want="1 part left out: " ;;
		*) want="$n parts left out: " ;;
		esac
		[ "$(grep -c . <<<"$logged")" = 1 ] && [[ $logged == *"), $want"* ]] &&
			! grep -q "vmcore_rs: trust:" "$d/guest/kmsg-boot.txt" ||
			{ echo "logged: $logged (want: $want, one line)"; exit 1; }
		while IFS= read -r entry; do
			[[ $logged == *"$entry"* ]] || { echo "logged: $logged (not naming: $entry)"; exit 1; }
		done < <(sed -n "s/^trust: left out: //p" "$d/guest/trust.txt")
		for p; do grep -q "$p" "$d/guest/trust.txt" || { echo "no line matches $p"; exit 1; }; done
		for p; do
			[ "$p" != "nothing left out" ] || ! grep "left out:" "$d/guest/trust.txt" ||
				{ echo "nothing left out, and yet the lines above"; exit 1; }
		done
' _ "$2" "${@:3}"
}

# elf_end FILE: where the data of the ELF64 core FILE ends, by its own
# header: the largest p_offset + p_filesz of its program headers (FILE may
# be just the start of the core, with its program headers).
elf_end() {
	python3 scripts/harness/elf.py end "$1"
}

# checksum DIR: the host's copy of the vmcore has the MD5 of the whole
# file as the guest read it again (run-dump.sh --checksum), and its length
# is the ELF end and the size the guest saw.
checksum() {
	local line size end host
	line=$(cat "$1/guest/vmcore.md5") || return 1
	size=$(stat -c %s "$1/vmcore") end=$(elf_end "$1/vmcore") || return 1
	host=$(md5sum <"$1/vmcore" | cut -d' ' -f1)
	echo "guest: $line; host: md5=$host, $size bytes; guest's size $(cat "$1/guest/vmcore.size"), ELF end $end"
	[[ $line =~ ^md5=[0-9a-f]{32}$ ]] && [ "$line" = "md5=$host" ] && [ "$size" -gt 0 ] &&
		[ "$size" = "$end" ] && [ "$size" = "$(cat "$1/guest/vmcore.size")" ]
}

# mdf_modes FILE: guest/makedumpfile-modes says that makedumpfile -d 31
# exited 0 and wrote a dump both with mmap() and with --non-mmap, the
# same dump ("MODE exit=N bytes=N md5=MD5", one line per mode; bytes at
# least N).
mdf_modes() {
	local re='^(mmap|non-mmap) exit=([0-9]+) bytes=([0-9]+) md5=([0-9a-f]{32})$' line modes= sums=() bad=
	cat "$1" || return 1
	while IFS= read -r line; do
		[[ $line =~ $re ]] || { echo "not MODE exit=N bytes=N md5=MD5: $line"; return 1; }
		modes+=" ${BASH_REMATCH[1]}"
		[ "${BASH_REMATCH[2]}" = 0 ] || { echo "${BASH_REMATCH[1]}: exit ${BASH_REMATCH[2]}"; bad=1; }
		# A flattened dump: a 4 KiB header, then the records. (bytes is
		# what the guest's dd counted, a lower bound: only the MD5s of
		# the two streams are compared.)
		[ "${BASH_REMATCH[3]}" -gt 4096 ] || { echo "${BASH_REMATCH[1]}: no dump"; bad=1; }
		sums+=("${BASH_REMATCH[4]}")
	done <"$1"
	[ "$modes" = " mmap non-mmap" ] || { echo "modes:$modes, not mmap and non-mmap"; return 1; }
	[ "${sums[0]}" = "${sums[1]}" ] || { echo "the two dumps differ"; bad=1; }
	[ -z "$bad" ]
}

# compared DIR OURS REF: the differential check compared two files, OURS
# and REF, not one file under two names (their device and inode differ),
# and each is as long as its ELF header says: the guest's sizes, the host
# copy of OURS and the cmp length are the ELF ends of OURS and of REF (from
# compare.head, the start of the host copy of REF).
compared() {
	local d=$1 n1 d1 i1 s1 n2 d2 i2 s2 end1 end2 extra
	cat "$d/guest/compare.files" || return 1
	{ read -r n1 d1 i1 s1 && read -r n2 d2 i2 s2 && ! read -r extra; } <"$d/guest/compare.files" ||
		{ echo "not two lines"; return 1; }
	[ "$n1" = "$2" ] && [ "$n2" = "$3" ] || { echo "compared $n1 with $n2, not $2 with $3"; return 1; }
	[ "$d1:$i1" != "$d2:$i2" ] || { echo "one file: device:inode $d1:$i1"; return 1; }
	end1=$(elf_end "$d/vmcore") && end2=$(elf_end "$d/compare.head") || return 1
	echo "ELF ends: $end1 ($2), $end2 ($3); host copy $(stat -c %s "$d/vmcore");" \
		"vmcore.size $(cat "$d/guest/vmcore.size"), compare.size $(cat "$d/guest/compare.size")"
	[ "$end1" -gt 0 ] && [ "$s1" = "$end1" ] && [ "$s2" = "$end2" ] &&
		[ "$(stat -c %s "$d/vmcore")" = "$end1" ] && [ "$(cat "$d/guest/vmcore.size")" = "$end1" ] &&
		[ "$(cat "$d/guest/compare.size")" = "$end2" ]
}

# test_dump NAME DIR EXTRA-APPEND [RUN-DUMP-OPTION...]: run-dump.sh of the
# test kernel, Rust /proc/vmcore_rs and the C /proc/vmcore of the same boot
# (its own work directory, so that dumps can run side by side).
test_dump() {
	local name=$1 dir=$2 append=$3
	shift 3
	scripts/run-dump.sh --kernel build/kernel-test/arch/s390/boot/bzImage \
		--vmlinux build/kernel-test/vmlinux --out "$dir" --work "build/run-check/$name" \
		--append "vmcore_path=/proc/vmcore_rs $append" --compare /proc/vmcore "$@" \
		>"$out/run-$name.log" 2>&1
}

# test_judge RC NAME DIR EXTRA-APPEND [RUN-DUMP-OPTION...]: the checks of
# a test_dump that exited RC.
test_judge() {
	local rc=$1 name=$2 dir=$3 append=$4 mark=$failed
	shift 4
	if [ "$rc" = 0 ]; then
		ok "$name: kdump of the test kernel saved through /proc/vmcore_rs"
	else
		notok "$name: kdump of the test kernel saved through /proc/vmcore_rs" "$out/run-$name.log"
		return
	fi
	case "$append" in
	*vmcore_rs_test_corrupt=*) ;;
	*)
		t "$name: report.py" python3 scripts/report.py "$dir"
		t "$name: dump assertions" python3 scripts/check_dump.py "$dir"
		case "$append" in
		*vmcore_mdf_modes=0*)
			t "$name: makedumpfile -d 31 exits 0" grep -qx "makedumpfile=0" "$dir/guest/status" ;;
		*)
			t "$name: makedumpfile -d 31 exits 0 with mmap and --non-mmap, the same dump" \
				mdf_modes "$dir/guest/makedumpfile-modes" ;;
		esac
		;;
	esac
	t "$name: two files compared, /proc/vmcore_rs and /proc/vmcore, each as long as its ELF end" \
		compared "$dir" /proc/vmcore_rs /proc/vmcore
	t "$name: /proc/vmcore_rs is byte-identical to the C /proc/vmcore" \
		grep -qx "identical" "$dir/compare"
	case "$append $*" in
	*vmcore_selftests=0*) ;;
	*vmcore_rs_test_hsa=*|*--zfcpdump*)
		tap "$name: kselftest" "$dir/guest/kselftest.tap" "${by_itself[@]}" ;;
	*) tap "$name: kselftest" "$dir/guest/kselftest.tap" "${by_itself[@]}" \
		"hsa_page_window=no HSA in a kdump run" ;;
	esac
	case " $* " in
	*" --zfcpdump "*) zfcpdump_checks "$name" "$dir" "$append" ;;
	esac
	case " $* " in
	*" --cpu $novx "*)
		t "$name: no vector notes without the vector facility" vx_notes no "$dir/vmcore" ;;
	*" --cpu "*) ;;
	*) case $name in
		test-kdump | test-zfcpdump)
			t "$name: vector notes with the vector facility" vx_notes yes "$dir/vmcore" ;;
		esac ;;
	esac
	release $mark "$dir"
}

# vx_notes yes|no VMCORE: VMCORE has NT_PRSTATUS notes and, or not, the
# NT_S390_VXRS_LOW and NT_S390_VXRS_HIGH notes.
vx_notes() {
	local notes
	notes=$(readelf -n "$2") || return 1
	grep -c NT_PRSTATUS <<<"$notes" || return 1
	if [ "$1" = yes ]; then
		grep -q S390_VXRS_LOW <<<"$notes" && grep -q S390_VXRS_HIGH <<<"$notes"
	else
		! grep S390_VXRS <<<"$notes"
	fi
}

# test_run NAME DIR EXTRA-APPEND [RUN-DUMP-OPTION...]: test_dump, then its
# checks.
test_run() {
	test_dump "$@"
	test_judge $? "$@"
}

# test_pairs NAME|DIR|EXTRA-APPEND|OPTIONS...: test_run of each, two dumps
# at a time (the dump kernel runs on one CPU, the machine has two); the
# checks in order once both are done.
test_pairs() {
	local a b pa pb ra rb
	while [ $# -gt 0 ]; do
		# An empty EXTRA-APPEND or OPTIONS at the end is no field for read.
		IFS='|' read -r -a a <<<"$1"
		test_dump "${a[0]}" "${a[1]}" "${a[2]:-}" ${a[3]:-} &
		pa=$!
		pb=
		if [ $# -gt 1 ]; then
			IFS='|' read -r -a b <<<"$2"
			echo "# guest: ${a[0]} and ${b[0]}, side by side"
			test_dump "${b[0]}" "${b[1]}" "${b[2]:-}" ${b[3]:-} &
			pb=$!
		else
			echo "# guest: ${a[0]}"
		fi
		wait $pa
		ra=$?
		test_judge $ra "${a[0]}" "${a[1]}" "${a[2]:-}" ${a[3]:-}
		if [ -n "$pb" ]; then
			wait $pb
			rb=$?
			test_judge $rb "${b[0]}" "${b[1]}" "${b[2]:-}" ${b[3]:-}
			shift
		fi
		shift
	done
}

# zfcpdump_checks NAME DIR APPEND: what every zfcpdump run must show: the
# dump kernel saw the HSA, zgetdump accepted the saved dump, the HSA was
# released and its range then failed cleanly.
zfcpdump_checks() {
	t "$1: the dump kernel read the HSA (zcore/hsa), zgetdump -i accepts the dump" \
		bash -c '[ -s "$1/guest/hsa.size" ] && grep -qx "zgetdump=0" "$1/guest/status"' _ "$2"
	t "$1: HSA released at the end" grep -qx "release-hsa=0" "$2/guest/status"
	case "$3" in
	*vmcore_selftests=0*) ;;
	*) tap "$1: kselftest after the HSA release" "$2/guest/kselftest-released.tap" ;;
	esac
}

# crash_matrix kdump|zfcpdump [RUN-DUMP-OPTION...]: the crashes, then the
# hung guest dumped by the operator: kdump by a PSW restart (nmi); the
# stand-alone dump by a PSW restart with on_restart=dump, and by the
# patched QEMU's dump IPL.
crash_matrix() {
	local flow=$1 entry name how append kopts zopts opts force runs=()
	shift
	for entry in "${crashes[@]}"; do
		IFS='|' read -r name how append kopts zopts <<<"$entry"
		[ "$flow" = kdump ] && opts=$kopts || opts=$zopts
		echo "# $flow-$name: the test kernel dies by $how${append:+ ($append)}${opts:+ ($opts)}"
		runs+=("$flow-$name|$out/$flow-$name|vmcore_crash=$how${append:+ $append} $lean|$opts --mem 512 $*")
	done
	for force in nmi dump-ipl; do
		[ "$flow" = kdump ] && [ $force = dump-ipl ] && continue
		echo "# $flow-forced-$force: the test kernel hangs (CPU 1 with interrupts off), the operator forces the dump ($force)"
		runs+=("$flow-forced-$force|$out/$flow-forced-$force|$lean|--mem 512 --force $force $*")
	done
	if [ "$flow" = kdump ]; then
		# The crashkernel area as low as it can go (its base no lower than
		# its size: s390 swaps [0, size) with it) and high, explicitly;
		# the default placement is the top of memory.
		for entry in "low|200M@200M" "high|200M@768M"; do
			echo "# $flow-crashkernel-${entry%%|*}: crashkernel=${entry#*|} (PANIC)"
			runs+=("$flow-crashkernel-${entry%%|*}|$out/$flow-crashkernel-${entry%%|*}|vmcore_crash=lkdtm:PANIC $lean|--crashkernel ${entry#*|}")
		done
	fi
	for entry in "${crash_left_out[@]}"; do
		echo "# $flow: left out: $entry"
	done
	test_pairs "${runs[@]}"
}

# once WHAT DIR: the dump kernel logged WHAT exactly once while it booted
# and built its dump: in its whole log when its /init started
# (guest/kmsg-boot.txt; the kselftests rebuild the dump later, and warn
# again), which must be whole (from its command line on) and have the
# "dump of" line.
once() {
	local log=$2/guest/kmsg-boot.txt n
	grep -q "Kernel command line:.*vmcore_stage=dump" "$log" ||
		{ echo "$log: no dump kernel command line (not its whole boot log)"; return 1; }
	grep -q "vmcore_rs: dump of" "$log" || { echo "$log: no \"vmcore_rs: dump of\" line"; return 1; }
	n=$(grep -c "$1" "$log")
	echo "$log: $n lines match $1"
	[ "$n" -eq 1 ]
}

# qemu_built: the background build of QEMU (above) succeeded.
qemu_built() {
	wait "$qemu_pid"
	local rc=$?
	cat "$out/qemu-build.log"
	return $rc
}

# hostile_dump NAME CORRUPT kdump|zfcpdump: the test kernel crashes with
# vmcore_rs_test_corrupt=CORRUPT (rust/vmcore_rs/test.c), under kdump or
# dumped by the product kernel as zfcpdump kernel (HSA $hsa_a); its own
# work directory, so that two run side by side.
hostile_dump() {
	local name=$1 corrupt=$2 how=$3
	local args=(--kernel build/kernel-test/arch/s390/boot/bzImage)
	local append="vmcore_rs_test_corrupt=$corrupt vmcore_pattern_mib=0 vmcore_selftests=0"
	if [ "$how" = zfcpdump ]; then
		args+=(--dump-kernel build/kernel-product/arch/s390/boot/bzImage --zfcpdump $hsa_a)
	else
		append="vmcore_path=/proc/vmcore_rs $append"
	fi
	scripts/run-dump.sh "${args[@]}" --vmlinux build/kernel-test/vmlinux --out "$out/$name" \
		--work "build/run-check/$name" --append "$append" >"$out/run-$name.log" 2>&1
}

# hostile_judge RC NAME CORRUPT CHECK-OPTION TRUST-PATTERN WARNING...: the
# checks of a hostile_dump that exited RC: the dump passes the dump
# checks (but for what CHECK-OPTION leaves out), each WARNING is logged
# once, and the trust report matches TRUST-PATTERN.
hostile_judge() {
	local rc=$1 name=$2 corrupt=$3 opt=$4 pattern=$5 dir=$out/$2 w mark=$failed
	shift 5
	echo "# guest: hostile old-memory pointers ($corrupt), $name"
	if [ "$rc" = 0 ]; then
		ok "$name: the dump kernel booted and saved the dump"
	else
		notok "$name: the dump kernel booted and saved the dump" "$out/run-$name.log"
		return
	fi
	case $opt in
	*--no-vmcoreinfo* | *--no-text*) ;;
	*) t "$name: report.py" python3 scripts/report.py "$dir" ;;
	esac
	t "$name: dump assertions${opt:+ ($opt)}" python3 scripts/check_dump.py $opt "$dir"
	for w in "$@"; do
		t "$name: warns once: $w" once "vmcore_rs: $w" "$dir"
	done
	trust "$name" "$dir" "$pattern"
	release $mark "$dir"
}


# crate_checks: the pure crate's host tests and lints, and the format of
# all our Rust.
crate_checks() {
	local crate=rust/s390_vmcore
	t "cargo test (unit and property tests)" cargo test --locked --manifest-path $crate/Cargo.toml
	t "cargo clippy -D warnings" cargo clippy --locked --quiet --all-targets \
		--manifest-path $crate/Cargo.toml -- -D warnings
	# rustdoc's lints, broken intra-doc links among them, on every item's
	# docs: private items' too.
	t "cargo doc -D warnings (all items)" env RUSTDOCFLAGS="-D warnings" \
		cargo doc --locked --quiet --no-deps --document-private-items \
		--manifest-path $crate/Cargo.toml
	# Every .rs file under rust/ but build outputs (target/): the crates,
	# their tests, the fuzz crate and its targets, the kernel glue, the
	# benches.
	t "rustfmt --check (all our Rust)" bash -c '
		mapfile -t rs < <(find rust -name target -prune -o -name "*.rs" -print | sort)
		echo "${#rs[@]} files"
		[ ${#rs[@]} -gt 0 ] && /usr/bin/rustfmt --check --edition 2021 "${rs[@]}"'
}

# series_checks: the series a maintainer applies (make series,
# scripts/series.sh): it applies with git am to Debian's linux-source-6.12
# and gives the tree all kernels are built from. Each patch passes
# checkpatch --strict; from stdin, given a path inside a git work tree,
# checkpatch checks the .patch file as a source file. Ends make check
# without patches.
series_checks() {
	local series p
	# (Without its stamp, make series runs scripts/series.sh, which checks
	# git am even where nothing changed.)
	rm -f build/.series-done
	t "make series: out/series applies with git am to linux-source-6.12" make -s series
	mapfile -t series < <(ls out/series/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-cover-letter')
	[ ${#series[@]} -gt 0 ] || { notok "out/series has patches"; summary; }
	for p in "${series[@]}"; do
		t "checkpatch --strict $(basename "$p")" bash -c \
			'out=$(build/linux-source-6.12/scripts/checkpatch.pl --strict --no-tree - <"$1" 2>&1)
			 echo "$out" | grep -qx "total: 0 errors, 0 warnings, 0 checks, [0-9]* lines checked" ||
			 { echo "$out"; exit 1; }' _ "$p"
	done
	# Only what is in the tree is linked into the kernel: no crates.io code
	# (zerocopy was the last), and no initcall placed by hand from Rust;
	# the Rust files are in the series (patches/series adds them), so that
	# the grep can find something.
	t "series: has the Rust sources, no zerocopy, no link_section" bash -c \
		'grep -q "^+++ b/arch/s390/kernel/vmcore/s390_vmcore/lib.rs" "$@" &&
		 ! grep -n "zerocopy\|link_section" "$@"' _ "${series[@]}"
}

# fuzz_checks SECONDS: every fuzz target of scripts/fuzz.sh for SECONDS,
# one result each.
fuzz_checks() {
	local rc line nfuzz=0
	scripts/fuzz.sh "$1" >"$out/fuzz.log" 2>&1
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"fuzz "*", 0 crashes") ok "$line"; nfuzz=$((nfuzz + 1)) ;;
		"fuzz "*:*) notok "$line" "$out/fuzz.log"; nfuzz=$((nfuzz + 1)) ;;
		esac
	done <"$out/fuzz.log"
	[ $rc -eq 0 ] && [ $nfuzz -gt 0 ] || notok "fuzz.sh ran every target (exit $rc)" "$out/fuzz.log"
}

# kernel_checks: the product, test and zfcpdump kernels built by plain
# make (Makefile, KMAKE: an empty environment, the system's PATH, whose
# cargo, build/plain-bin/cargo, fails and logs any call), and what they
# must hold; kernel clippy; the guest's kselftests. Our objects and the
# helpers are compiled and vmlinux linked again in every run, so that
# their warnings and modpost's section mismatches are in the build logs
# checked here. The zfcpdump kernel is the one that has to fit in the
# HSA, and the only one without MEMORY_HOTPLUG, where memblock's
# __meminit code is __init. Ends make check without a product kernel.
kernel_checks() {
	local k
	rm -f build/plain-bin/cargo.log
	for k in product test zfcpdump; do
		rm -f build/kernel-$k/arch/s390/kernel/vmcore/*.o build/kernel-$k/rust/helpers/helpers.o
	done
	for k in product test zfcpdump; do
		t "build the $k kernel" make -s kernel-$k
	done
	[ -f build/kernel-product/arch/s390/boot/bzImage ] || summary
	# modpost's section mismatches are the ones a Rust caller of __init
	# code makes (Rust has no __init); the compiler's warnings, but
	# rustc's about the unstable backchain feature (patches/0003), which
	# every crate gets.
	t "kernel builds: no section mismatch, no compiler warning" bash -c \
		'for k in product test zfcpdump; do
			log=build/kernel-$k/build.log
			! grep -n "section mismatch" "$log" || exit 1
			! sed "/unstable feature specified for \`-Ctarget-feature\`: \`backchain\`/,/^\$/d" "$log" |
				grep -v "^warning: [0-9]* warnings\? emitted" | grep -n -A5 "^warning\|: warning:" || exit 1
		 done'
	t "kernels built by plain make from the tree of out/series, cargo never called" bash -c \
		'[ "$(git -C build/linux-source-6.12 rev-parse HEAD^{tree})" = \
		   "$(git -C build/series-git rev-parse vmcore-rs^{tree})" ] || { echo "the tree is not at the series"; exit 1; }
		 [ -z "$(git -C build/linux-source-6.12 status --porcelain)" ] || { echo "the tree has changes"; exit 1; }
		 ! [ -e build/plain-bin/cargo.log ] || { cat build/plain-bin/cargo.log; exit 1; }'
	t "product .config: PROC_VMCORE off, S390_VMCORE_RUST on" bash -c \
		'grep -qx "# CONFIG_PROC_VMCORE is not set" build/kernel-product/.config &&
		 grep -qx "CONFIG_S390_VMCORE_RUST=y" build/kernel-product/.config'
	# No test code in a kernel that takes or serves real dumps; the same
	# nm and grep find it in the test kernel, so the check can fail, and
	# nm failing fails it.
	t "product and zfcpdump kernels: no CONFIG_S390_VMCORE_RUST_TEST, no test symbols" bash -c \
		'for k in product zfcpdump; do
			grep -qx "# CONFIG_S390_VMCORE_RUST_TEST is not set" build/kernel-$k/.config || exit 1
		 done
		 for k in product zfcpdump test; do
			v=build/kernel-$k/vmlinux
			syms=$(nm "$v") && [ -n "$syms" ] || { echo "nm $v failed"; exit 1; }
			found=$(grep -i "vmcore_rs_test\|test_hsa\|test_corrupt" <<<"$syms")
			echo "$v: $(grep -c . <<<"$found") test symbols${found:+:}"
			[ -z "$found" ] || head -5 <<<"$found"
			if [ $k = test ]; then [ -n "$found" ] || exit 1; else [ -z "$found" ] || exit 1; fi
		 done'
	# CONFIG_RUST_GC_SECTIONS (vmcore_rust.config): vmlinux.a has the
	# support crates as one collected object, vmlinux defines fewer of the
	# functions of rust/core.o and rust/bindings.o than those objects do,
	# and kallsyms still names our code.
	t "kernels: the Rust support crates garbage-collected, our code in kallsyms" bash -c \
		'for k in product test zfcpdump; do
			b=build/kernel-$k
			grep -qx "CONFIG_RUST_GC_SECTIONS=y" $b/.config || { echo "$k: no RUST_GC_SECTIONS"; exit 1; }
			ar t $b/vmlinux.a | grep -q "\(^\|/\)rust/rust-gc.o\$" || { echo "$k: no rust/rust-gc.o in vmlinux.a"; exit 1; }
			map=$(nm $b/vmlinux) || exit 1
			for o in core bindings; do
				all=$(nm --defined-only $b/rust/$o.o | awk "\$2 ~ /[tT]/ { print \$3 }" | sort -u)
				kept=$(comm -12 <(echo "$all") <(awk "{ print \$3 }" <<<"$map" | sort -u) | grep -c .)
				echo "$k: $kept of $(grep -c . <<<"$all") functions of rust/$o.o in vmlinux"
				[ "$kept" -lt "$(grep -c . <<<"$all")" ] || exit 1
			done
			for s in vmcore_rs_init vmcore_rs_map_oldmem "11s390_vmcore6layout5build"; do
				grep -q " [tT] .*$s" <<<"$map" || { echo "$k: no $s in vmlinux"; exit 1; }
			done
			grep -q "kallsyms_names" <<<"$map" || exit 1
		 done'
	t "kernel clippy (CLIPPY=1) on our crates, warnings as errors" make -s clippy
	t "build the guest kselftests (selftests/, s390x)" make -s selftests
}

# product_kdump DIR: the product kernel crashes, its kdump kernel serves
# the Rust /proc/vmcore, read whole and checked.
product_kdump() {
	local dump=$1 mark=$failed
	if scripts/run-dump.sh --kernel build/kernel-product/arch/s390/boot/bzImage \
		--vmlinux build/kernel-product/vmlinux --out "$dump" --work build/run-check --checksum \
		>"$out/run-product.log" 2>&1; then
		ok "kdump of the product kernel saved through /proc/vmcore"
		t "report.py" python3 scripts/report.py "$dump"
		t "dump assertions (ELF, notes per CPU, panic line, drgn backtrace)" \
			python3 scripts/check_dump.py "$dump"
		t "product: the host copy has the MD5 of the whole /proc/vmcore read in the guest, its ELF end" \
			checksum "$dump"
		tap "kselftest (product, /proc/vmcore)" "$dump/guest/kselftest.tap" "${product_out[@]}"
		trust product "$dump" "served from HSA 0 bytes, kdump swap area [1-9][0-9]* bytes, real memory [1-9]" \
			"os_info checksum valid" "VMCOREINFO from the lowcore note" "2 CPUs saved, with vector registers" \
			"nothing left out"
	else
		notok "kdump of the product kernel saved through /proc/vmcore" "$out/run-product.log"
	fi
	release $mark "$dump"
}

# product_zfcpdump DIR HSA-SIZE: the product kernel dumped by FCP dump
# IPL with HSA-SIZE bytes of HSA, the zfcpdump kernel serving
# /proc/vmcore, read whole and checked.
product_zfcpdump() {
	local dump=$1 hsa=$2 mark=$failed
	if scripts/run-dump.sh --kernel build/kernel-product/arch/s390/boot/bzImage \
		--vmlinux build/kernel-product/vmlinux --out "$dump" --work build/run-check \
		--zfcpdump "$hsa" --checksum >"$out/run-product-zfcpdump.log" 2>&1; then
		ok "zfcpdump of the product kernel saved through /proc/vmcore"
		t "product-zfcpdump: report.py names the HSA size" bash -c \
			'python3 scripts/report.py "$1" && grep -q "HSA size: *$2 " "$1/report.txt"' _ "$dump" "$hsa"
		t "product-zfcpdump: dump assertions" python3 scripts/check_dump.py "$dump"
		t "product-zfcpdump: the host copy has the MD5 of the whole /proc/vmcore read in the guest, its ELF end" \
			checksum "$dump"
		tap "kselftest (product-zfcpdump, /proc/vmcore)" "$dump/guest/kselftest.tap" "${product_out[@]}"
		zfcpdump_checks product-zfcpdump "$dump" ""
		trust product-zfcpdump "$dump" "served from HSA [1-9][0-9]* bytes, kdump swap area 0 bytes, real memory [1-9]" \
			"os_info checksum valid" "VMCOREINFO from the lowcore note" "nothing left out"
	else
		notok "zfcpdump of the product kernel saved through /proc/vmcore" "$out/run-product-zfcpdump.log"
	fi
	release $mark "$dump"
}

# hostile_pairs NAME|CORRUPT|HOW|CHECK-OPTION|TRUST-PATTERN|WARNING...:
# hostile_dump of each, two at a time, and hostile_judge of each in order
# once both are done.
hostile_pairs() {
	local a b pa pb ra
	while [ $# -gt 0 ]; do
		IFS='|' read -r -a a <<<"$1"
		hostile_dump "${a[0]}" "${a[1]}" "${a[2]}" &
		pa=$!
		pb=
		if [ $# -gt 1 ]; then
			IFS='|' read -r -a b <<<"$2"
			hostile_dump "${b[0]}" "${b[1]}" "${b[2]}" &
			pb=$!
		fi
		wait $pa
		ra=$?
		hostile_judge $ra "${a[0]}" "${a[1]}" "${a[3]}" "${a[4]}" "${a[@]:5}"
		if [ -n "$pb" ]; then
			wait $pb
			hostile_judge $? "${b[0]}" "${b[1]}" "${b[3]}" "${b[4]}" "${b[@]:5}"
			shift
		fi
		shift
	done
}

# sdias_fail DIR HSA-SIZE BLOCK STATUS: the test kernel as zfcpdump kernel
# while QEMU fails the SDIAS requests for BLOCK with STATUS: its
# kselftests, before and after the HSA release, expect read() of that
# page to fail with EIO and a mapping of it SIGBUS, the rest to read as in
# C's file.
sdias_fail() {
	local dir=$1 hsa=$2 block=$3 status=$4 mark=$failed name
	name=sdias-fail-$status
	if scripts/run-dump.sh --kernel build/kernel-test/arch/s390/boot/bzImage \
		--vmlinux build/kernel-test/vmlinux --out "$dir" --work build/run-check \
		--append "vmcore_path=/proc/vmcore_rs vmcore_pattern_mib=0" --compare /proc/vmcore \
		--zfcpdump "$hsa" --sdias-fail "$block" --sdias-fail-status "$status" \
		>"$out/run-test-zfcpdump-$name.log" 2>&1; then
		ok "$name: the dump kernel ran its kselftests"
		tap "$name: kselftest" "$dir/guest/kselftest.tap"
		tap "$name: kselftest after the HSA release" "$dir/guest/kselftest-released.tap"
	else
		notok "$name: the dump kernel ran its kselftests" "$out/run-test-zfcpdump-$name.log"
	fi
	release $mark "$dir"
}

# print_read_times NAME...: the time each run took to read its files,
# from the guest's console, copy by copy.
print_read_times() {
	local name
	for name; do
		sed -n 's/^ *\[\([0-9]*\)s\] vmcore-guest: \(.* copied in .*\|makedumpfile -F .*\)$/#   [\1 s] \2/p' \
			"$out/run-$name.log"
	done
}
