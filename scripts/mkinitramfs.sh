#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the s390x guest initramfs (gzip'd newc cpio).
#
#   scripts/mkinitramfs.sh OUT.cpio.gz [EXTRA...]
#
# Contents: busybox (applet links made at boot by /init), kexec,
# makedumpfile, zgetdump (s390-tools), the shared libraries they need
# (NEEDED closure, checked with s390x-linux-gnu-readelf), /lib/ld64.so.1,
# /dev/console, /init = scripts/guest/init and the parts it sources
# (scripts/guest/*-kernel.sh, in /lib/vmcore).
#
# EXTRA is SRC or SRC=DEST: the file or directory SRC is copied to DEST
# inside the initramfs (an absolute path; default /extra/<basename of SRC>).
#
# The s390x packages come from scripts/fetch-guest-debs.sh (run here when its
# staging root is missing; GUEST_DEBS overrides its directory, default
# build/guest-debs). The output is reproducible: fixed mtimes, sorted entries,
# owner root, gzip -n.

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
GUEST_DEBS=${GUEST_DEBS:-$TOP/build/guest-debs}
ARCH=s390x
EPOCH=${SOURCE_DATE_EPOCH:-0}

die() {
	echo "mkinitramfs: FAILED: $*" >&2
	exit 1
}

(($# >= 1)) || die "usage: $0 OUT.cpio.gz [SRC[=DEST]...]"
OUT=$1
shift
for t in cpio gzip s390x-linux-gnu-readelf; do
	command -v $t >/dev/null || die "$t not found"
done
# The device node needs root (or fakeroot).
[[ $(id -u) = 0 ]] || die "must run as root (mknod /dev/console)"

R=$GUEST_DEBS/root
if [[ ! -x $R/usr/bin/makedumpfile || ! -x $R/bin/busybox || ! -x $R/sbin/kexec ||
	! -x $R/sbin/zgetdump ]]; then
	"$TOP/scripts/fetch-guest-debs.sh" "$GUEST_DEBS" || die "fetch-guest-debs.sh"
fi

mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
STAGE=$(mktemp -d "${OUT}.stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,lib/$ARCH-linux-gnu,dev,proc,sys,tmp,etc}
install -m 0755 "$R/bin/busybox" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
install -m 0755 "$R/sbin/kexec" "$STAGE/sbin/kexec"
install -m 0755 "$R/usr/bin/makedumpfile" "$STAGE/usr/bin/makedumpfile"
install -m 0755 "$R/sbin/zgetdump" "$STAGE/sbin/zgetdump"
install -m 0755 "$TOP/scripts/guest/init" "$STAGE/init"
# The parts /init sources, one a kernel's role.
install -D -m 0644 -t "$STAGE/lib/vmcore" "$TOP/scripts/guest/first-kernel.sh" \
	"$TOP/scripts/guest/dump-kernel.sh" "$TOP/scripts/guest/bench-kernel.sh"
mknod -m 0600 "$STAGE/dev/console" c 5 1
mknod -m 0666 "$STAGE/dev/null" c 1 3

# The NEEDED closure of the dynamically linked programs. All libraries go to
# /lib/s390x-linux-gnu (in the loader's default path).
libdirs=("$R/lib/$ARCH-linux-gnu" "$R/usr/lib/$ARCH-linux-gnu")
find_lib() {
	local d
	for d in "${libdirs[@]}"; do
		[[ -e $d/$1 ]] && echo "$d/$1" && return 0
	done
	return 1
}
declare -A done_libs=()
todo=("$STAGE/sbin/kexec" "$STAGE/usr/bin/makedumpfile" "$STAGE/sbin/zgetdump")
# glibc dlopen()s libgcc_s.so.1 to unwind a thread that ends with
# pthread_exit(): makedumpfile --num-threads aborts without it.
cp -L "$(find_lib libgcc_s.so.1)" "$STAGE/lib/$ARCH-linux-gnu/libgcc_s.so.1" ||
	die "no libgcc_s.so.1 in $R"
done_libs[libgcc_s.so.1]=1
while ((${#todo[@]})); do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	while read -r lib; do
		[[ -n ${done_libs[$lib]:-} ]] && continue
		done_libs[$lib]=1
		src=$(find_lib "$lib") || die "${f#"$STAGE"} needs $lib, not in $R"
		# Copy the file the soname link points to, under the soname.
		cp -L "$src" "$STAGE/lib/$ARCH-linux-gnu/$lib"
		todo+=("$STAGE/lib/$ARCH-linux-gnu/$lib")
	done < <(s390x-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
# The dynamic loader: PT_INTERP of the programs is /lib/ld64.so.1.
cp -L "$R/lib/ld64.so.1" "$STAGE/lib/$ARCH-linux-gnu/ld64.so.1"
ln -s "$ARCH-linux-gnu/ld64.so.1" "$STAGE/lib/ld64.so.1"
for f in "$STAGE/sbin/kexec" "$STAGE/usr/bin/makedumpfile" "$STAGE/sbin/zgetdump"; do
	interp=$(s390x-linux-gnu-readelf -l "$f" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
	[[ -z $interp || -e $STAGE$interp ]] || die "${f#"$STAGE"}: no interpreter $interp"
done

# Extra files.
for x in "$@"; do
	src=${x%%=*}
	if [[ $x == *=* ]]; then dst=${x#*=}; else dst=/extra/$(basename "$src"); fi
	[[ $dst == /* ]] || die "extra destination $dst is not absolute"
	[[ -e $src ]] || die "extra file $src does not exist"
	mkdir -p "$STAGE$(dirname "$dst")"
	cp -a "$src" "$STAGE$dst"
done

# Reproducible archive.
find "$STAGE" -exec touch -h -d "@$EPOCH" {} +
(cd "$STAGE" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -9 >"$OUT.tmp" ||
	die "cpio/gzip"
mv "$OUT.tmp" "$OUT"
echo "mkinitramfs: wrote $OUT ($(stat -c %s "$OUT") bytes)"
