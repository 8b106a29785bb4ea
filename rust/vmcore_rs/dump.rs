// SPDX-License-Identifier: GPL-2.0

//! The dump: the ELF core header built in this kernel's memory, and the
//! map from file offsets to old memory.
//!
//! What to read, what to leave out and why is the crate's
//! [`s390_vmcore::build_dump`], tested on the host; this module gives it
//! the kernel's primitives ([`KernelEnv`]: allocations and the log), the
//! old-memory reader and the memory map, keeps what it built, and decides
//! what a failure costs the boot.
//!
//! Reference: `elfcorehdr_alloc()` in `arch/s390/kernel/crash_dump.c` and
//! `parse_crash_elf64_headers()` in `fs/proc/vmcore.c`.

use crate::types::boot::{self, ElfcorehdrAddr};
use crate::types::{sched, set_once::SetOnce, user_buf::UserBuf};
use crate::{cpus, file, hsa, oldmem};
use core::fmt;
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::{bindings, c_str, prelude::*};
use s390_vmcore::dump::LEFT_OUT_MAX;
use s390_vmcore::{
    build_dump, old_memory_end, BuildEnv, BuildInputs, DumpFile, LeftOut, OldMemMode, Omission,
    PhysRange, Segment, Trust,
};

/// Everything a read of the dump needs; built once, never freed.
pub(crate) struct Dump {
    /// How old memory is reached.
    pub(crate) mode: OldMemMode,
    /// ELF header, program headers and notes, padded to a page: the first
    /// `hdr.len()` bytes of the file. Mappable for `mmap()`.
    pub(crate) hdr: UserBuf,
    /// The PT_LOAD segments, by file offset.
    pub(crate) segs: KVec<Segment>,
    /// Size of the file in bytes.
    pub(crate) size: u64,
    /// The crashed system's memory ranges the header was built from
    /// (physical addresses): memblock's `physmem` is gone after init, and
    /// the test kernel rebuilds the header from these.
    ranges: KVec<PhysRange>,
    /// What the dump trusted and what it left out, formatted only when
    /// the trust file is read ([`Dump::write_report`]).
    trust: Trust,
}

impl Dump {
    /// The file as the crate's [`s390_vmcore::read_dump`] and
    /// [`DumpFile::pieces`] read it.
    pub(crate) fn file(&self) -> DumpFile<'_> {
        DumpFile {
            header: &self.hdr,
            segs: &self.segs,
            size: self.size,
            mode: self.mode,
        }
    }

    /// Formats the trust report ([`s390_vmcore::TrustReport`]: what the
    /// dump trusted and what it left out, lines that start with `trust:`
    /// and end in a newline) into `buf`, which needs at most
    /// [`s390_vmcore::TRUST_REPORT_MAX`] bytes; returns its length in
    /// bytes, 0 if it does not fit.
    pub(crate) fn write_report(&self, buf: &mut [u8]) -> usize {
        // Cannot fail with a buffer of `TRUST_REPORT_MAX` bytes: at most
        // `TRUST_OMISSIONS_MAX` omissions with short texts.
        self.trust.write_report(buf).unwrap_or(0)
    }
}

/// The dump, set once by [`init`].
static DUMP: SetOnce<Dump> = SetOnce::new();

/// The dump, once built.
pub(crate) fn get() -> Option<&'static Dump> {
    DUMP.as_ref()
}

/// Builds the dump and creates the proc file.
///
/// What old memory gets wrong costs only the part it describes: that part
/// is left out, logged and named in the trust report, and the rest is
/// served. Where nothing can be served (no HSA size, no memory for the
/// header, no proc file), panics through [`no_dump`]: a dump kernel
/// without a dump is of no use, and the panic lets the machine's panic
/// action (a stand-alone dump) take over where running on, or a reboot,
/// would lose the dump.
pub(crate) fn init() {
    let Some(mode) = oldmem::mode() else {
        if oldmem::dump_available() {
            no_dump(c_str!("vmcore_rs: stand-alone dump without HSA size"));
        }
        return;
    };
    // The boot CPU's registers are in the HSA, which can be read now.
    if let OldMemMode::Hsa { hsa_size } | OldMemMode::HsaKdump { hsa_size, .. } = mode {
        pr_info!("{} bytes of old memory in the HSA\n", hsa_size);
        if hsa::init().is_err() {
            no_dump(c_str!("vmcore_rs: no memory for the HSA buffer"));
        }
        cpus::read_boot_cpu_regs(mode);
    }
    // Without them the dump is served without CPU notes (`build_dump`).
    let cpus = cpus::save_areas();
    let t0 = sched::ktime_get();
    let dump = match memory_ranges(mode).and_then(|ranges| build(mode, cpus, ranges)) {
        Ok(dump) => dump,
        Err(e) if e == ENOMEM => no_dump(c_str!("vmcore_rs: no memory for the ELF core header")),
        // Only the crashed system's memory map and the bounded parts that
        // `build_dump` checked are left: they cannot describe an ELF core.
        Err(_) => no_dump(c_str!("vmcore_rs: cannot build the ELF core header")),
    };
    let us = (sched::ktime_get() - t0) / 1000;
    let size = dump.size;
    let found = dump.trust.found;
    // The one initcall runs once: the cell is empty.
    if !DUMP.populate(dump) {
        pr_err!("the dump was built twice\n");
        return;
    }
    if file::create(size).is_err() {
        no_dump(c_str!("vmcore_rs: cannot create the dump's proc file"));
    }
    // One line at boot, naming what was left out and why; the whole
    // report is formatted when its debugfs file is read.
    let mut left_out = [Omission::new(&"", &""); LEFT_OUT_MAX];
    let n = found.omissions(&mut left_out);
    pr_info!(
        "dump of {} bytes ready (header built in {} us), {}\n",
        size,
        us,
        LeftOut(&left_out[..n])
    );
}

/// No dump can be served: marks the ELF core header unusable as C does
/// (`elfcorehdr_addr = ELFCORE_ADDR_ERR`, so `is_vmcore_usable()` is
/// false), then panics with `why` (a literal without `%`).
fn no_dump(why: &CStr) -> ! {
    // SAFETY: We run in the one initcall thread that sets the dump up.
    unsafe { boot::set_elfcorehdr_addr(ElfcorehdrAddr::Err) };
    crate::panic(why)
}

/// Once the dump is served: creates the trust file, and starts mapping the
/// crashed system's real memory in the background; nothing without a dump.
pub(crate) fn map_real_memory() {
    if let Some(dump) = get() {
        file::create_trust_file();
        let end = old_memory_end(dump.mode, &dump.ranges);
        oldmem::map_real_memory_in_background(dump.mode, &dump.ranges, end);
    }
}

/// Test kernel only: builds the header again from the same inputs as at
/// boot (old memory, the saved CPUs, the stored memory ranges) and checks
/// that it equals the one being served. The fault-injection kselftest
/// calls it through `/sys/kernel/debug/vmcore_rs/rebuild` to fail each
/// allocation of the header build in turn; `make bench` to time the build
/// with its code warm (logged: "rebuilt in N us", N the time of `build`
/// with the copy of the ranges, in microseconds).
///
/// Errors: `ENODEV` without a dump; `ENOMEM` when an allocation failed,
/// also one that only left an optional part out (logged with `pr_err` or
/// `pr_warn` as at boot); `EINVAL` when the new header differs; the
/// crate's errno ([`crate::to_kernel`]) when the header cannot be built.
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub(crate) fn rebuild() -> Result {
    let dump = get().ok_or(ENODEV)?;
    let t0 = sched::ktime_get();
    let mut ranges = KVec::with_capacity(dump.ranges.len(), GFP_KERNEL).inspect_err(|_| {
        pr_err!(
            "cannot build the ELF core header: error {}\n",
            ENOMEM.to_errno()
        )
    })?;
    // Cannot fail: the capacity was reserved above.
    ranges.extend_from_slice(&dump.ranges, GFP_KERNEL)?;
    let new = build(dump.mode, cpus::save_areas(), ranges)?;
    let us = (sched::ktime_get() - t0) / 1000;
    if new.trust.found.short_of_memory() && !dump.trust.found.short_of_memory() {
        return Err(ENOMEM);
    }
    if *new.hdr != *dump.hdr || new.segs != dump.segs || new.size != dump.size {
        pr_err!("the rebuilt ELF core header differs from the one served\n");
        return Err(EINVAL);
    }
    pr_info!("the ELF core header rebuilt in {} us, as served\n", us);
    Ok(())
}

/// Calls `f` for each range of the crashed system's memory: all physical
/// memory (`physmem`) but the crashkernel area, like `for_each_physmem_range`
/// over `oldmem_type` in `crash_dump.c`.
fn for_each_range(mode: OldMemMode, mut f: impl FnMut(PhysRange)) {
    let mut region = bindings::memblock_region::default();
    let mut exclude = bindings::memblock_type::default();
    if let OldMemMode::Kdump { start, size } | OldMemMode::HsaKdump { start, size, .. } = mode {
        region.base = start;
        region.size = size;
        exclude.total_size = size;
    }
    exclude.cnt = 1;
    exclude.max = 1;
    exclude.regions = &mut region;
    exclude.name = c"oldmem".as_ptr().cast_mut();
    let mut idx: u64 = 0;
    loop {
        let (mut start, mut end) = (0u64, 0u64);
        // SAFETY: memblock's `physmem` table is kept during init, and we run
        // from an initcall; `exclude` is a valid one-region table that
        // outlives the call.
        unsafe { bindings::__next_physmem_range(&mut idx, &mut exclude, &mut start, &mut end) };
        if idx == u64::MAX {
            break;
        }
        f(PhysRange { start, end });
    }
}

/// The crashed system's memory ranges, from memblock (init only).
fn memory_ranges(mode: OldMemMode) -> Result<KVec<PhysRange>> {
    let mut count = 0;
    for_each_range(mode, |_| count += 1);
    let mut ranges = KVec::with_capacity(count, GFP_KERNEL)?;
    for_each_range(mode, |r| {
        // Cannot fail: the capacity was reserved above.
        let _ = ranges.push(r, GFP_KERNEL);
    });
    Ok(ranges)
}

/// The kernel's primitives for [`build_dump`]: zeroed memory from the
/// slab (`vmalloc_user()` for the header, which `mmap()` maps) and
/// `pr_warn`.
struct KernelEnv;

impl BuildEnv for KernelEnv {
    type Bytes = KVec<u8>;
    type Header = UserBuf;
    type Segments = KVec<Segment>;

    fn bytes(&mut self, len: usize) -> Option<KVec<u8>> {
        KVec::from_elem(0, len, GFP_KERNEL).ok()
    }

    fn header(&mut self, len: usize) -> Option<UserBuf> {
        UserBuf::new(len).ok()
    }

    fn segments(&mut self, n: usize) -> Option<KVec<Segment>> {
        KVec::from_elem(Segment::default(), n, GFP_KERNEL).ok()
    }

    fn warn(&mut self, msg: fmt::Arguments<'_>) {
        pr_warn!("{}\n", msg);
    }
}

/// Builds the dump from old memory, the saved CPUs and the crashed
/// system's memory `ranges` ([`build_dump`]), and keeps the ranges.
///
/// Errors: `ENOMEM` when the header or the segment table cannot be
/// allocated (nothing is leaked); when the inputs cannot describe an ELF
/// core (e.g. too many ranges), the crate's error as [`crate::to_kernel`]
/// gives it. Both are logged.
fn build(
    mode: OldMemMode,
    cpus: &[s390_vmcore::SaveArea],
    ranges: KVec<PhysRange>,
) -> Result<Dump> {
    let inputs = BuildInputs {
        mode,
        cpus,
        has_vx: boot::has_vx(),
        ranges: &ranges,
    };
    let built = build_dump(&mut KernelEnv, &oldmem::Kernel(mode), &inputs).map_err(|e| {
        let e = crate::to_kernel(e);
        pr_err!("cannot build the ELF core header: error {}\n", e.to_errno());
        e
    })?;
    Ok(Dump {
        mode,
        hdr: built.header,
        segs: built.segs,
        size: built.size,
        ranges,
        trust: built.trust,
    })
}
