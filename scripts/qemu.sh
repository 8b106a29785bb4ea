#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build qemu-system-s390x from Debian's qemu 7.2 source package with
# patches/qemu/ (the firmware half of zfcpdump: HSA, SDIAS, dump IPL; and
# EDAT-1 for TCG's max CPU) applied.
# A second run reuses what is there. Usage:
#
#   scripts/qemu.sh BUILD_DIR                  build, print "qemu: ready BINARY"
#   scripts/qemu.sh --print-binary BUILD_DIR   print where the binary goes
#
# Leaves BUILD_DIR/qemu/qemu-system-s390x; run it with -L /usr/share/qemu
# (the s390-ccw firmware of Debian's qemu-system-misc). Options and what each
# patch does: Documentation/qemu-zfcpdump.rst.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
print_binary=
if [ "${1:-}" = --print-binary ]; then
	print_binary=1
	shift
fi
build=$(realpath -m "${1:-$top/build}")
src=$build/qemu-src		# Debian's source, Debian's and our patches applied
dl=$build/qemu-dl		# apt-get source --download-only, kept
obj=$build/qemu			# meson build directory; the binary ends up here
binary=$obj/qemu-system-s390x
if [ -n "$print_binary" ]; then
	echo "$binary"
	exit 0
fi
say() { echo "qemu: $*"; }
die() { echo "qemu: FAILED: $*" >&2; exit 1; }

shopt -s nullglob
patches=("$top"/patches/qemu/*.patch)
shopt -u nullglob
patch_sum=$(cat /dev/null "${patches[@]}" | sha256sum | cut -d' ' -f1)
if [ -x "$binary" ] && [ "$(cat "$src/.vmcore-rs-patches" 2>/dev/null)" = "$patch_sum" ]; then
	say "ready $binary"
	exit 0
fi

# 1. deb-src entries for bookworm, bookworm-updates and bookworm-security:
#    the same URIs and components as the deb entries, in a file of our own.
#    deb822 stanzas (*.sources) and one-line entries (*.list) both count.
src_list=/etc/apt/sources.list.d/vmcore-rs-deb-src.sources
suites_re='^bookworm(-updates|-security)?$'
want=$(
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [option=value ...] URI SUITE COMPONENT...
		sed -e 's/#.*//' "$f" | awk -v re="$suites_re" '$1 == "deb" {
			signed = ""
			i = 2
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					opt = $i
					gsub(/[][]/, "", opt)
					if (opt ~ /^signed-by=/)
						signed = substr(opt, 11)
					if ($i ~ /\]$/)
						break
				}
				i++
			}
			if (NF < i + 2 || $(i + 1) !~ re)
				next
			printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $i, $(i + 1)
			for (j = i + 2; j <= NF; j++)
				printf " %s", $j
			printf "\n"
			if (signed != "")
				printf "Signed-By: %s\n", signed
			printf "\n"
		}'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$src_list" ] || continue
		# Stanzas separated by blank lines; keep those of type deb (and not
		# already deb-src) with at least one of our suites.
		awk -v re="$suites_re" '
		function flush(   i, n, s, out) {
			if (types ~ /(^| )deb( |$)/ && types !~ /deb-src/ && enabled != "no") {
				n = split(suites, s, " ")
				out = ""
				for (i = 1; i <= n; i++)
					if (s[i] ~ re)
						out = out " " s[i]
				if (out != "") {
					printf "Types: deb-src\nURIs: %s\nSuites:%s\nComponents: %s\n", uris, out, comps
					if (signed != "")
						printf "Signed-By: %s\n", signed
					printf "\n"
				}
			}
			types = uris = suites = comps = signed = enabled = ""
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		}
		key == "types" { types = val }
		key == "uris" { uris = val }
		key == "suites" { suites = val }
		key == "components" { comps = val }
		key == "signed-by" { signed = val }
		key == "enabled" { enabled = tolower(val) }
		END { flush() }' "$f"
	done
)
[ -n "$want" ] || die "no deb entry for bookworm in /etc/apt/sources.list{,.d/}"
if [ "$(cat "$src_list" 2>/dev/null)" != "$want" ]; then
	say "adding deb-src entries ($src_list)"
	printf '%s\n' "$want" > "$src_list"
	apt_update=1
fi

# 2. Build dependencies (only what an s390x-softmmu build without docs,
#    tools and UIs needs) and dpkg-dev for unpacking the source package.
pkgs=(ninja-build meson gcc libc6-dev pkg-config libglib2.0-dev libpixman-1-dev
      zlib1g-dev dpkg-dev patch ccache qemu-system-misc)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ -n "${apt_update:-}" ] || ! apt-cache showsrc qemu >/dev/null 2>&1; then
	say "apt-get update"
	apt-get update -qq || die "apt-get update"
fi
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]}"
fi

# 3. Debian's qemu source package, downloaded once into $dl, unpacked with
#    Debian's patches (what apt-get source does), then ours on top.
mkdir -p "$dl"
dsc=$(ls "$dl"/qemu_*.dsc 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$dsc" ]; then
	say "apt-get source --download-only qemu (into $dl)"
	(cd "$dl" && apt-get source -qq -o APT::Sandbox::User=root --download-only qemu) ||
		die "apt-get source qemu"
	dsc=$(ls "$dl"/qemu_*.dsc | sort -V | tail -1)
fi
say "unpacking $(basename "$dsc") and applying patches/qemu/"
rm -rf "$src"
dpkg-source -q --no-copy -x "$dsc" "$src" >/dev/null 2>&1 ||
	{ rm -rf "$dl"; die "dpkg-source -x $dsc (download removed, run again)"; }
for p in "${patches[@]}"; do
	patch -s -d "$src" -p1 < "$p" || die "applying $(basename "$p")"
done

# 4. Configure and build. The +dfsg tarball has no firmware blobs: do not
#    install them (Debian's qemu-system-misc has s390-ccw.img, hence -L).
#    A new source tree means a fresh build directory; ccache keeps it short.
rm -rf "$obj"
mkdir -p "$obj"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
say "configuring (log: $obj/configure.log)"
(cd "$obj" && "$src/configure" --target-list=s390x-softmmu --cc="$cc" \
	--disable-install-blobs --disable-docs --disable-tools --disable-werror \
	--disable-gtk --disable-sdl --disable-vnc --disable-opengl) \
	> "$obj/configure.log" 2>&1 || { tail -30 "$obj/configure.log"; die "configure"; }
say "building (log: $obj/build.log)"
ninja -C "$obj" -j"$(nproc)" qemu-system-s390x > "$obj/build.log" 2>&1 ||
	{ tail -40 "$obj/build.log"; die "ninja"; }
[ -x "$binary" ] || die "no $binary after the build"
echo "$patch_sum" > "$src/.vmcore-rs-patches"
say "ready $binary"
