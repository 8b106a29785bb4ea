#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Set up a fresh Debian 12 machine for this project; a second run reuses what
# is there. Usage: scripts/setup.sh BUILD_DIR
#
# What and why: Documentation/vmcore-rs.rst, "Toolchain".
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
mkdir -p "$build"
say() { echo "setup: $*"; }
die() { echo "setup: FAILED: $*" >&2; exit 1; }

# 1. Debian packages (rustc-web & co. come from bookworm-security).
pkgs=(gcc-s390x-linux-gnu binutils-s390x-linux-gnu libc6-dev-s390x-cross binutils
      rustc-web rust-web-src libstd-rust-web-dev cargo-web rust-web-clippy rustfmt-web
      libclang1-19 clang-19 bc flex bison libelf-dev libssl-dev cpio kmod rsync
      xz-utils ccache qemu-system-misc linux-source-6.12 python3-pip makedumpfile)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	say "adding the s390x architecture (guest user space)"
	dpkg --add-architecture s390x
	apt_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ -n "${apt_update:-}" ]; then
	say "installing Debian packages: ${missing[*]}"
	apt-get update -qq || die "apt-get update"
	[ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]}"
fi

# 2. bindgen-cli from crates.io (Debian's 0.60 is older than the kernel's 0.65.1).
export PATH=$HOME/.cargo/bin:$PATH
if ! bindgen --version 2>/dev/null | grep -q '0\.70\.1'; then
	say "installing bindgen-cli 0.70.1 from crates.io"
	cargo install --quiet bindgen-cli --version 0.70.1 --locked || die "cargo install bindgen-cli"
fi

# 2b. cargo-mutants from crates.io, for make mutants (pinned: the list of
#     mutants, and so rust/s390_vmcore/mutants-survivors.md, depends on it).
if ! cargo mutants --version 2>/dev/null | grep -qx 'cargo-mutants 27\.1\.0'; then
	say "installing cargo-mutants 27.1.0 from crates.io"
	cargo install --quiet --locked cargo-mutants --version 27.1.0 || die "cargo install cargo-mutants"
fi

# 3. Host analysis tools from PyPI.
if ! python3 -c 'import drgn, elftools, tap, yaml' 2>/dev/null; then
	say "installing drgn, pyelftools and tap.py from PyPI"
	pip install --quiet --root-user-action=ignore drgn pyelftools 'tap.py[yaml]' ||
		die "pip install drgn pyelftools tap.py"
fi

# 4. The PATH of kernel builds (Makefile, KMAKE) adds build/plain-bin to
#    the system's: bindgen, and a cargo that fails and logs its call.
mkdir -p "$build/plain-bin"
ln -sfn "$HOME/.cargo/bin/bindgen" "$build/plain-bin/bindgen"
printf '%s\n' '#!/bin/sh' \
	'# No kernel build may run cargo (make check asserts this log is absent).' \
	"echo \"cargo \$*\" >> \"$build/plain-bin/cargo.log\"" \
	'echo "cargo: not in a kernel build" >&2' \
	'exit 1' > "$build/plain-bin/cargo"
chmod +x "$build/plain-bin/cargo"
say "ready"
