#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the crates.io dependencies of the kernel build: the derive macro
# crate zerocopy-derive must be a host proc-macro built by the same rustc
# that builds the kernel (/usr/bin/rustc), and the kernel's make needs the
# source of zerocopy itself. Both versions are pinned by
# rust/s390_vmcore/Cargo.lock. Writes BUILD/crates.mk for the top Makefile.
# Usage: scripts/host-crates.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "$1")
export PATH=$HOME/.cargo/bin:$PATH
manifest=$top/rust/s390_vmcore/Cargo.toml
target=$build/host-crates

RUSTC=/usr/bin/rustc cargo build --quiet --locked --release --lib \
	--manifest-path "$manifest" --target-dir "$target"
derive=$(ls -t "$target"/release/deps/libzerocopy_derive-*.so | head -1)
zsrc=$(cargo metadata --locked --format-version 1 --manifest-path "$manifest" |
	python3 -c 'import json,sys,os
m=json.load(sys.stdin)
print(next(os.path.dirname(p["manifest_path"]) for p in m["packages"] if p["name"]=="zerocopy"))')
[ -f "$zsrc/src/lib.rs" ] && [ -f "$derive" ] || { echo "host-crates: zerocopy not found" >&2; exit 1; }
cat > "$build/crates.mk.tmp" <<EOM
S390_VMCORE_ZEROCOPY := $zsrc
S390_VMCORE_ZEROCOPY_DERIVE := $derive
EOM
mv "$build/crates.mk.tmp" "$build/crates.mk"
