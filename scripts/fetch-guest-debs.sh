#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the s390x user space of the QEMU guest (busybox, kexec, makedumpfile,
# zgetdump of s390-tools, and every shared library they need) as Debian
# packages and extract them into a staging root.
#
#   scripts/fetch-guest-debs.sh [DESTDIR]      (default: build/guest-debs)
#
# DESTDIR/*.deb      the downloaded packages (kept: a second run downloads
#                    nothing)
# DESTDIR/root/      all of them extracted with dpkg-deb -x (rebuilt on every
#                    run, so it holds exactly the packages of this run)
#
# Needs the s390x foreign architecture in apt (dpkg --add-architecture s390x;
# apt-get update), dpkg-deb and s390x-linux-gnu-readelf (binutils-s390x-linux-gnu).

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$TOP/build/guest-debs}
ARCH=s390x
# What the guest runs. Their library dependencies are resolved below.
ROOTS=(busybox-static kexec-tools makedumpfile s390-tools)
# Dependencies that are not shared libraries the guest binaries load (the
# maintainer-script and perl parts of the packages): never fetched.
SKIP_RE='^(debconf|debconf-2\.0|cdebconf|perl|perl-base|perl-modules-.*|dpkg|install-info|tar|readline-common)$'

die() {
	echo "fetch-guest-debs: FAILED: $*" >&2
	exit 1
}

command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
command -v s390x-linux-gnu-readelf >/dev/null ||
	die "s390x-linux-gnu-readelf not found (apt-get install binutils-s390x-linux-gnu)"
dpkg --print-foreign-architectures | grep -qx "$ARCH" ||
	die "apt has no $ARCH architecture: run dpkg --add-architecture $ARCH && apt-get update"
apt-cache show "makedumpfile:$ARCH" >/dev/null 2>&1 ||
	die "apt knows no makedumpfile:$ARCH: run apt-get update"

mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)

# Resolve the closure of ROOTS over Depends and Pre-Depends (first
# alternative), minus SKIP_RE. One apt-cache call per level of the graph (each
# call costs a second or two).
# Prints "NAME DEP DEP ..." per package named in the arguments.
deps_of() {
	apt-cache show --no-all-versions "${@/%/:$ARCH}" 2>/dev/null | awk '
		/^Package: / { if (p != "") print p, d; p = $2; d = "" }
		/^(Pre-)?Depends: / {
			sub(/^(Pre-)?Depends: /, "")
			n = split($0, a, ",")
			for (i = 1; i <= n; i++) {
				x = a[i]; sub(/\|.*/, "", x); gsub(/\([^)]*\)/, "", x)
				sub(/:any/, "", x); gsub(/[ \t]/, "", x)
				if (x != "") d = d " " x
			}
		}
		END { if (p != "") print p, d }'
}

declare -A seen=()
level=("${ROOTS[@]}")
pkgs=()
while ((${#level[@]})); do
	ask=()
	for p in "${level[@]}"; do
		[[ -n ${seen[$p]:-} ]] && continue
		seen[$p]=1
		[[ $p =~ $SKIP_RE ]] || ask+=("$p")
	done
	((${#ask[@]})) || break
	declare -A got=()
	level=()
	while read -r name rest; do
		got[$name]=1
		# shellcheck disable=SC2206 # word splitting wanted
		level+=($rest)
	done < <(deps_of "${ask[@]}")
	for p in "${ask[@]}"; do
		[[ -n ${got[$p]:-} ]] || die "apt knows no package $p:$ARCH"
		pkgs+=("$p")
	done
	unset got
done
IFS=$'\n' read -r -d '' -a pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u && printf '\0') || true
echo "fetch-guest-debs: packages: ${pkgs[*]}"

# Download what is not there yet. apt-get download writes to the current
# directory; the file name is NAME_VERSION_ARCH.deb with ':' as %3a.
have_deb() {
	compgen -G "$DEST/$1_*_$ARCH.deb" >/dev/null || compgen -G "$DEST/$1_*_all.deb" >/dev/null
}
missing=()
for p in "${pkgs[@]}"; do
	have_deb "$p" || missing+=("$p:$ARCH")
done
if ((${#missing[@]})); then
	echo "fetch-guest-debs: downloading ${missing[*]}"
	(cd "$DEST" && apt-get download "${missing[@]}") ||
		die "apt-get download ${missing[*]} (in $DEST)"
fi
for p in "${pkgs[@]}"; do
	have_deb "$p" || die "no .deb for $p in $DEST after download"
done

# Extract into a fresh staging root.
rm -rf "$DEST/root"
mkdir -p "$DEST/root"
for p in "${pkgs[@]}"; do
	for deb in "$DEST/${p}"_*_"$ARCH".deb "$DEST/${p}"_*_all.deb; do
		[[ -e $deb ]] || continue
		dpkg-deb -x "$deb" "$DEST/root" || die "dpkg-deb -x $deb"
	done
done

# Check: every NEEDED library of every ELF executable and library we ship
# is in the staging root.
R=$DEST/root
libdirs=("$R/lib/$ARCH-linux-gnu" "$R/usr/lib/$ARCH-linux-gnu" "$R/lib" "$R/usr/lib")
bins=("$R/bin/busybox" "$R/sbin/kexec" "$R/usr/bin/makedumpfile" "$R/sbin/zgetdump")
for b in "${bins[@]}"; do
	[[ -x $b ]] || die "expected executable $b is missing from the packages"
done
mapfile -t elfs < <(printf '%s\n' "${bins[@]}"
	find "${libdirs[@]}" -maxdepth 1 -name '*.so*' -type f 2>/dev/null)
bad=0
for f in "${elfs[@]}"; do
	while read -r lib; do
		found=
		for d in "${libdirs[@]}"; do
			[[ -e $d/$lib ]] && found=1 && break
		done
		if [[ -z $found ]]; then
			echo "fetch-guest-debs: ${f#"$R"/} needs $lib, which no fetched package provides" >&2
			bad=1
		fi
	done < <(s390x-linux-gnu-readelf -d "$f" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
((bad == 0)) || die "missing shared libraries (add their packages to ROOTS in $0)"
[[ -e $R/lib/ld64.so.1 ]] || die "no s390x dynamic loader /lib/ld64.so.1 in libc6:$ARCH"

echo "fetch-guest-debs: staging root $R ready (${#pkgs[@]} packages)"
