# SPDX-License-Identifier: GPL-2.0
#
# s390 /proc/vmcore in Rust: build, crash an s390x QEMU guest, dump it.
#
#   make dump    build everything, crash the guest, save and analyse its dump
#   make check   all tests, ending with "N passed, N failed"
#
# Both do their own set-up on a fresh Debian 12 machine (scripts/setup.sh).
#
#   make series  out/series/: the kernel patch series (scripts/series.sh),
#                which every kernel here is built from

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
OUT := $(TOP)/out
KSRC := $(BUILD)/linux-source-6.12
JOBS ?= $(shell nproc)

# Toolchain facts: Documentation/vmcore-rs.rst, "Toolchain".
export PATH := $(HOME)/.cargo/bin:$(PATH)
export LIBCLANG_PATH := /usr/lib/llvm-19/lib
# Every kernel is built as a maintainer builds the series: plain make in
# the tree of out/series (build/linux-source-6.12), with an empty
# environment and the system's PATH, where Debian's rustc, rustfmt and
# clippy-driver are; build/plain-bin adds bindgen, and a cargo that fails
# and logs its call (no kernel build may need cargo; make check asserts
# the log is absent). scripts/setup.sh makes build/plain-bin.
PLAIN_PATH := $(BUILD)/plain-bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
KMAKE = env -i HOME=$(HOME) PATH=$(PLAIN_PATH) $(MAKE) -C $(KSRC) \
	O=$(BUILD)/kernel-$(1) ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- -j$(JOBS)

KIMAGE = $(BUILD)/kernel-$(1)/arch/s390/boot/bzImage

.PHONY: all setup series kernel kernel-product kernel-test dump check host-test \
	clippy selftests fuzz zfcpdump-size bench qemu clean distclean mutants

all: kernel

setup: $(BUILD)/.setup-done

$(BUILD)/.setup-done: scripts/setup.sh $(wildcard rust/s390_vmcore/Cargo.lock)
	scripts/setup.sh $(BUILD)
	touch $@

# out/series/ from patches/series (the patches of patches/ and the Rust
# sources of rust/), and build/linux-source-6.12 at the series applied with
# git am to Debian's linux-source-6.12.
series: $(BUILD)/.series-done

$(BUILD)/.series-done: $(BUILD)/.setup-done scripts/series.sh patches/series \
		patches/cover-letter $(wildcard patches/*.patch) \
		/usr/src/linux-source-6.12.tar.xz \
		$(shell git -C $(TOP) ls-files $(shell awk '$$1 == "files" {print $$2}' \
			$(TOP)/patches/series) 2>/dev/null)
	scripts/series.sh $(BUILD) $(OUT)
	touch $@

# QEMU 7.2 from Debian's source package with the dump facilities of
# patches/qemu/ (HSA, SDIAS, dump IPL, EDAT-1 for TCG): build/qemu/qemu-system-s390x, built
# again only when the patches change.
qemu: $(BUILD)/.setup-done
	@scripts/qemu.sh $(BUILD)

# Kernels: zfcpdump_defconfig, the series' own fragment
# (arch/s390/configs/vmcore_rust.config, TREE_FRAG_*), then fragments of
# configs/ for the QEMU guest and the tests.
#   product     the QEMU guest's kernel, Rust /proc/vmcore (make dump)
#   test        the same with the C /proc/vmcore beside ours (make check)
#   zfcpdump    the zfcpdump product kernel: exactly zfcpdump_defconfig
#               vmcore_rust.config
#   zfcpdump-c  the zfcpdump kernel with the C implementation instead
#   product-c   the product kernel with the C implementation instead (the
#               other side of make bench's shipped-configuration table)
#   zfcpdump-rt zfcpdump-c with Rust support (CONFIG_RUST) but without our
#               code: what the Rust runtime alone costs (make zfcpdump-size)
TREE_FRAG_product := vmcore_rust.config
TREE_FRAG_test := vmcore_rust.config
TREE_FRAG_zfcpdump := vmcore_rust.config
FRAGS_product := kdump-guest
FRAGS_test := kdump-guest test
FRAGS_zfcpdump :=
FRAGS_zfcpdump-c := c-only
FRAGS_product-c := kdump-guest c-only
FRAGS_zfcpdump-rt := rust c-only

# $(1): kernel name
define kernel_rules
$(BUILD)/kernel-$(1)/.config: $(BUILD)/.series-done $(patsubst %,configs/%.config,$(FRAGS_$(1)))
	mkdir -p $(BUILD)/kernel-$(1)
	$(call KMAKE,$(1)) -s zfcpdump_defconfig $(TREE_FRAG_$(1))
	$(if $(FRAGS_$(1)),$(KSRC)/scripts/kconfig/merge_config.sh -m -O $(BUILD)/kernel-$(1) \
		$(BUILD)/kernel-$(1)/.config $(patsubst %,configs/%.config,$(FRAGS_$(1))) >/dev/null)
	$(call KMAKE,$(1)) -s olddefconfig
	scripts/check-config.sh $(BUILD)/kernel-$(1)/.config \
		$(addprefix $(KSRC)/arch/s390/configs/,$(TREE_FRAG_$(1))) \
		$(patsubst %,configs/%.config,$(FRAGS_$(1)))

kernel-$(1): $(BUILD)/kernel-$(1)/.config
	@echo "vmcore-rs: building the $(1) kernel (log: $(BUILD)/kernel-$(1)/build.log)"
	@$(call KMAKE,$(1)) bzImage > $(BUILD)/kernel-$(1)/build.log 2>&1 || \
		{ tail -40 $(BUILD)/kernel-$(1)/build.log; \
		  echo "vmcore-rs: FAILED kernel build ($(1)), see $(BUILD)/kernel-$(1)/build.log"; exit 1; }
endef
$(foreach k,product test zfcpdump zfcpdump-c product-c zfcpdump-rt,$(eval $(call kernel_rules,$(k))))

# The zfcpdump kernel must fit in the HSA: bzImage and vmlinux sizes of the
# zfcpdump kernel with ours against the one with the C implementation, and
# of Rust support alone (zfcpdump-rt: CONFIG_RUST, the C implementation).
zfcpdump-size: kernel-zfcpdump kernel-zfcpdump-c kernel-zfcpdump-rt
	@mkdir -p $(OUT)
	@{ scripts/kernel-size.sh $(BUILD)/kernel-zfcpdump $(BUILD)/kernel-zfcpdump-c; \
	   scripts/kernel-size.sh $(BUILD)/kernel-zfcpdump-rt $(BUILD)/kernel-zfcpdump-c \
		"Rust support"; } | tee $(OUT)/zfcpdump-size.txt

kernel: kernel-product kernel-test

# MODE=kdump (default): the product kernel, its Rust /proc/vmcore.
# MODE=hsa: the test kernel with the test HSA (QEMU has no HSA): old memory
# below HSA_SIZE is read through the HSA path of /proc/vmcore_rs, the rest
# as in production; the C /proc/vmcore of the same boot is compared whole.
# MODE=zfcpdump: a stand-alone dump with the patched QEMU (make qemu): the
# product kernel crashes, the emulated dump IPL saves old memory below
# HSA_SIZE (default 0x6003000 here) in the HSA and starts the product
# kernel as zfcpdump kernel, which serves /proc/vmcore from the HSA and
# real memory.
MODE ?= kdump
ZFCPDUMP_HSA_SIZE := $(if $(HSA_SIZE),$(HSA_SIZE),0x6003000)
HSA_SIZE ?= 0x2003000
ifeq ($(MODE),hsa)
dump: kernel-test selftests
	scripts/run-dump.sh --kernel $(call KIMAGE,test) \
		--vmlinux $(BUILD)/kernel-test/vmlinux --out $(OUT)/dump-hsa \
		--append "vmcore_path=/proc/vmcore_rs vmcore_rs_test_hsa=$(HSA_SIZE)" \
		--compare /proc/vmcore
	python3 scripts/report.py $(OUT)/dump-hsa
else ifeq ($(MODE),zfcpdump)
dump: kernel-product selftests qemu
	scripts/run-dump.sh --kernel $(call KIMAGE,product) \
		--vmlinux $(BUILD)/kernel-product/vmlinux --out $(OUT)/dump-zfcpdump \
		--zfcpdump $(ZFCPDUMP_HSA_SIZE)
	python3 scripts/report.py $(OUT)/dump-zfcpdump
else ifeq ($(MODE),kdump)
dump: kernel-product
	scripts/run-dump.sh --kernel $(call KIMAGE,product) \
		--vmlinux $(BUILD)/kernel-product/vmlinux --out $(OUT)/dump
	python3 scripts/report.py $(OUT)/dump
else
dump:
	@echo "vmcore-rs: MODE must be kdump, hsa or zfcpdump" >&2; exit 2
endif

# Ours against the C implementation: throughput in the guest, host benches
# of the header build, footprint (scripts/bench.sh; out/bench/bench.json).
bench: kernel-product kernel-product-c kernel-test selftests zfcpdump-size qemu
	scripts/bench.sh $(OUT)/bench $(OUT)/zfcpdump-size.txt

# Fuzz the parsers of old memory longer than make check does.
FUZZ_SECONDS ?= 600
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# Mutation testing of the pure crate with cargo-mutants (not part of make
# check; an hour or more on 2 cores): every viable mutant must make a test
# fail; those no test can observe are skipped by rust/s390_vmcore/.cargo/
# mutants.toml and listed with the reason in
# rust/s390_vmcore/mutants-survivors.md. Copies the crate (never --in-place),
# output in build/mutants/mutants.out; prints the counts and fails on a
# missed mutant and on a timeout (a mutant whose tests never end) not
# listed in the timeouts block of mutants-survivors.md
# (scripts/mutants-verdict.sh). MUTANTS_JOBS parallel builds, MUTANTS_ARGS
# more options (e.g. "-f src/notes.rs").
MUTANTS_JOBS ?= 2
mutants:
	@cargo mutants --version 2>/dev/null | grep -qx 'cargo-mutants 27.1.0' || \
		cargo install --quiet --locked cargo-mutants --version 27.1.0
	@mkdir -p $(BUILD)/mutants
	@cd rust/s390_vmcore && cargo mutants --jobs $(MUTANTS_JOBS) \
		--output $(BUILD)/mutants $(MUTANTS_ARGS); \
	$(TOP)/scripts/mutants-verdict.sh $$? $(BUILD)/mutants/mutants.out \
		$(TOP)/rust/s390_vmcore/mutants-survivors.md

# The guest's kselftests (selftests/), cross-built for s390x.
selftests: $(BUILD)/.series-done
	@$(MAKE) -s -C selftests/vmcore KSRC=$(KSRC) O=$(BUILD)/selftests

# clippy on our crates in the kernel build (kernel CLIPPY=1), warnings as
# errors. rustc warns once per crate that `backchain` is an unstable target
# feature (patches/0003-s390-Enable-Rust-support.patch): that warning, and
# only it, is expected.
clippy: $(BUILD)/kernel-test/.config
	@$(call KMAKE,test) CLIPPY=1 arch/s390/kernel/vmcore/ > $(BUILD)/clippy.log 2>&1 || \
		{ cat $(BUILD)/clippy.log; exit 1; }
	@if sed '/unstable feature specified for `-Ctarget-feature`: `backchain`/,/^$$/d' \
		$(BUILD)/clippy.log | grep -Ev '^warning: [0-9]+ warnings? emitted' | \
		grep -E -A8 '^(warning|error)'; then \
		echo "vmcore-rs: FAILED clippy, see $(BUILD)/clippy.log"; exit 1; fi

host-test: setup
	cd rust/s390_vmcore && cargo test --quiet 2>&1

check: setup
	scripts/check.sh

clean:
	rm -rf $(OUT) $(BUILD)/kernel-* $(BUILD)/.series-done

distclean:
	rm -rf $(OUT) $(BUILD)
