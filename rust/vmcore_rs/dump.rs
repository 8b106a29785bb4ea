// SPDX-License-Identifier: GPL-2.0

//! The dump: the ELF core header built in this kernel's memory, and the
//! map from file offsets to old memory.
//!
//! Size first, allocate once, fill: [`s390_vmcore::layout`] sizes the
//! header and the segment table from the saved CPUs, the VMCOREINFO note,
//! os_info and the memory map, then [`s390_vmcore::build`] fills them.
//!
//! Reference: `elfcorehdr_alloc()` in `arch/s390/kernel/crash_dump.c` and
//! `parse_crash_elf64_headers()` in `fs/proc/vmcore.c`.

use crate::types::boot::{self, ElfcorehdrAddr};
use crate::types::{sched, set_once::SetOnce, user_buf::UserBuf};
use crate::{cpus, file, hsa, oldmem};
use core::fmt;
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::{bindings, c_str, prelude::*};
use s390_vmcore::{
    os_info, vmcoreinfo_from_lowcore, DumpFile, DumpSpec, InRanges, LeftOut, OldMem, OldMemMode,
    Omission, OsInfo, OsInfoError, OsInfoStatus, PhysRange, Segment, SourceBytes, TrustReport,
    VmcoreinfoSource,
};

/// Everything a read of the dump needs; built once, never freed.
pub(crate) struct Dump {
    /// How old memory is reached.
    pub(crate) mode: OldMemMode,
    /// ELF header, program headers and notes, padded to a page: the first
    /// `hdr.len()` bytes of the file. Mappable for `mmap()`.
    pub(crate) hdr: UserBuf,
    /// The PT_LOAD data chunks, by file offset.
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
            header: self.hdr.as_slice(),
            segs: &self.segs,
            size: self.size,
            mode: self.mode,
        }
    }

    /// Formats the trust report ([`TrustReport`]: what the dump trusted
    /// and what it left out, lines that start with `trust:` and end in a
    /// newline) into `buf`, which needs at most
    /// [`s390_vmcore::TRUST_REPORT_MAX`] bytes; returns its length in
    /// bytes, 0 if it does not fit.
    pub(crate) fn write_report(&self, buf: &mut [u8]) -> usize {
        let t = &self.trust;
        let mut left_out = [Omission::new(&"", &""); 3];
        let n = t.found.omissions(&mut left_out);
        let report = TrustReport {
            bytes: t.bytes,
            os_info: match &t.found.os_info {
                Ok(()) => OsInfoStatus::Valid,
                Err(Reason::OsInfo(OsInfoError::NotAvailable)) => OsInfoStatus::Missing,
                Err(why) => OsInfoStatus::Unusable(why),
            },
            vmcoreinfo: t.found.vmcoreinfo,
            cpus: t.cpus,
            vector_registers: t.vector_registers,
            left_out: &left_out[..n],
        };
        // Cannot fail with a buffer of `TRUST_REPORT_MAX` bytes: at most
        // `TRUST_OMISSIONS_MAX` omissions with short texts.
        report.write_to(buf).unwrap_or(0)
    }
}

/// The facts of the trust report, kept from the build.
struct Trust {
    /// Bytes of PT_LOAD data by where they are read from.
    bytes: SourceBytes,
    /// What the build found in old memory and what it left out.
    found: Found,
    /// CPUs whose registers are in the dump.
    cpus: usize,
    /// The dump has the vector register notes.
    vector_registers: bool,
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
    // Without them the dump is served without CPU notes (`build`).
    let cpus = cpus::save_areas();
    let t0 = sched::ktime_get();
    let dump = match memory_ranges(mode).and_then(|ranges| build(mode, cpus, ranges)) {
        Ok(dump) => dump,
        Err(e) if e == ENOMEM => no_dump(c_str!("vmcore_rs: no memory for the ELF core header")),
        // Only the crashed system's memory map and the bounded parts that
        // `build` checked are left: they cannot describe an ELF core.
        Err(e) => {
            pr_err!("cannot build the ELF core header: error {}\n", e.to_errno());
            no_dump(c_str!("vmcore_rs: cannot build the ELF core header"))
        }
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
    let mut left_out = [Omission::new(&"", &""); 3];
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
    let built = KVec::with_capacity(dump.ranges.len(), GFP_KERNEL)
        .map_err(Error::from)
        .and_then(|mut ranges| {
            ranges.extend_from_slice(&dump.ranges, GFP_KERNEL)?;
            build(dump.mode, cpus::save_areas(), ranges)
        });
    let us = (sched::ktime_get() - t0) / 1000;
    let new = built
        .inspect_err(|e| pr_err!("cannot build the ELF core header: error {}\n", e.to_errno()))?;
    if new.trust.found.short_of_memory() && !dump.trust.found.short_of_memory() {
        return Err(ENOMEM);
    }
    if new.hdr.as_slice() != dump.hdr.as_slice() || new.segs != dump.segs || new.size != dump.size {
        pr_err!("the rebuilt ELF core header differs from the one served\n");
        return Err(EINVAL);
    }
    pr_info!("the ELF core header rebuilt in {} us, as served\n", us);
    Ok(())
}

/// Why an optional part of the dump was left out.
#[derive(Clone, Copy)]
enum Reason {
    /// An allocation failed.
    NoMemory,
    /// The os_info page, or its entry, is not usable.
    OsInfo(OsInfoError),
    /// The old lowcore's VMCOREINFO note is not usable.
    Lowcore(s390_vmcore::Error),
    /// os_info describes no kernel layout (its KASLR offset entry is 0, as
    /// C's `os_info_has_vm()` checks) or an inverted kernel image.
    NoKernelLayout,
    /// Old memory at the lowcore's register save area could not be read.
    Unreadable,
    /// os_info's kernel image lies outside the crashed system's memory, or
    /// its size overflows ([`s390_vmcore::TextSegment::check`]).
    Image(s390_vmcore::Error),
    /// No CPU's registers were saved at boot.
    NotSaved,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoMemory => f.write_str("no memory"),
            Reason::OsInfo(e) => write!(f, "{e}"),
            Reason::Lowcore(e) => write!(f, "{e}"),
            Reason::NoKernelLayout => f.write_str("os_info has no kernel layout"),
            Reason::Unreadable => f.write_str("unreadable"),
            Reason::Image(e) => write!(f, "{e}"),
            Reason::NotSaved => f.write_str("none saved"),
        }
    }
}

/// What the build found in old memory, for the trust report.
#[derive(Clone, Copy)]
struct Found {
    /// The os_info page: `Ok` when valid, else why not.
    os_info: core::result::Result<(), Reason>,
    vmcoreinfo: VmcoreinfoSource,
    /// What was left out and why; `None` entries are unused.
    left_out: [Option<(&'static str, Reason)>; 3],
}

impl Found {
    fn leave_out(&mut self, what: &'static str, why: Reason) {
        if let Some(slot) = self.left_out.iter_mut().find(|s| s.is_none()) {
            *slot = Some((what, why));
        }
    }

    /// Fills `out` with what was left out and why, in the order it was;
    /// returns how many.
    fn omissions<'a>(&'a self, out: &mut [Omission<'a>; 3]) -> usize {
        let mut n = 0;
        for (what, why) in self.left_out.iter().flatten() {
            out[n] = Omission::new(what, why);
            n += 1;
        }
        n
    }

    #[cfg_attr(not(CONFIG_S390_VMCORE_RUST_TEST), allow(dead_code))]
    fn short_of_memory(&self) -> bool {
        matches!(self.os_info, Err(Reason::NoMemory))
            || self
                .left_out
                .iter()
                .flatten()
                .any(|(_, r)| matches!(r, Reason::NoMemory))
    }
}

/// Reads and checks the old os_info page (one read of the page into a
/// buffer of ours). Logs why when it cannot be used.
fn read_os_info(mem: &dyn OldMem, found: &mut Found) -> Option<OsInfo> {
    let page = KBox::new([0u8; os_info::OS_INFO_SIZE], GFP_KERNEL);
    let result = match page {
        Ok(mut page) => OsInfo::read(mem, &mut page).map_err(Reason::OsInfo),
        Err(_) => Err(Reason::NoMemory),
    };
    match result {
        Ok(info) => {
            found.os_info = Ok(());
            Some(info)
        }
        Err(why) => {
            pr_warn!(
                "old os_info unusable ({}), dump without the kernel-text PT_LOAD\n",
                why
            );
            found.os_info = Err(why);
            None
        }
    }
}

/// The VMCOREINFO note's contents: from os_info (checksummed) or, failing
/// that, from the note the old lowcore points to, like `nt_vmcoreinfo()`.
///
/// Returns `None`, after a warning, when old memory has no usable
/// VMCOREINFO or there is no memory for it: the dump is served without it.
fn vmcoreinfo(mem: &dyn OldMem, info: Option<&OsInfo>, found: &mut Found) -> Option<KVec<u8>> {
    if let Some(info) = info {
        let size = info.entry_size(os_info::OS_INFO_VMCOREINFO);
        if size > s390_vmcore::VMCOREINFO_MAX as u64 {
            pr_warn!("os_info VMCOREINFO entry of {} bytes is too big\n", size);
        } else if size != 0 {
            let Ok(mut buf) = zeroed_vec(size as usize) else {
                pr_warn!(
                    "no memory for a VMCOREINFO note of {} bytes, dump without it\n",
                    size
                );
                found.leave_out(Omission::VMCOREINFO, Reason::NoMemory);
                return None;
            };
            match info.read_entry(mem, os_info::OS_INFO_VMCOREINFO, &mut buf) {
                Ok(_) => {
                    found.vmcoreinfo = VmcoreinfoSource::OsInfo;
                    return Some(buf);
                }
                Err(e) => pr_warn!("os_info VMCOREINFO entry unusable ({})\n", e),
            }
        }
    }
    let note = vmcoreinfo_from_lowcore(mem).and_then(|(addr, size)| {
        let Ok(mut buf) = zeroed_vec(size) else {
            return Ok(Err(size));
        };
        mem.read(addr, &mut buf).map(|()| Ok(buf))
    });
    match note {
        Ok(Ok(buf)) => {
            found.vmcoreinfo = VmcoreinfoSource::Lowcore;
            Some(buf)
        }
        Ok(Err(size)) => {
            pr_warn!(
                "no memory for a VMCOREINFO note of {} bytes, dump without it\n",
                size
            );
            found.leave_out(Omission::VMCOREINFO, Reason::NoMemory);
            None
        }
        Err(e) => {
            pr_warn!(
                "old VMCOREINFO note unusable ({}), dump without VMCOREINFO\n",
                e
            );
            found.leave_out(Omission::VMCOREINFO, Reason::Lowcore(e));
            None
        }
    }
}

fn zeroed_vec<T: Copy + Default>(len: usize) -> Result<KVec<T>> {
    Ok(KVec::from_elem(T::default(), len, GFP_KERNEL)?)
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
        // SAFETY: `__next_physmem_range()` walks memblock's table of all
        // physical memory (`physmem`), kept during init (we run from an
        // initcall); `exclude` is a valid table of one region that lives
        // across the call.
        unsafe { bindings::__next_physmem_range(&mut idx, &mut exclude, &mut start, &mut end) };
        if idx == u64::MAX {
            break;
        }
        f(PhysRange { start, end });
    }
}

/// The end (physical, exclusive) of the crashed system's memory: of its
/// memory ranges and, for kdump, of the crashkernel area holding its low
/// memory.
fn old_memory_end(mode: OldMemMode, ranges: &[PhysRange]) -> u64 {
    let top = ranges.iter().map(|r| r.end).max().unwrap_or(0);
    mode.crashkernel_area()
        .map_or(top, |a| core::cmp::max(top, a.end))
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

/// Builds the dump: reads os_info and VMCOREINFO from old memory, sizes the
/// header, allocates it and the segment table once, and fills them; keeps
/// the facts of the trust report. Every address read from old memory is checked against the
/// crashed system's memory `ranges` before it is followed ([`InRanges`]);
/// what fails a check, or finds no memory, is left out and logged.
///
/// Errors: `ENOMEM` when an allocation of the header or the segment table
/// fails (nothing is leaked); when the inputs cannot describe
/// an ELF core (e.g. too many ranges), the crate's error, logged with its
/// reason and turned into an errno by [`crate::to_kernel`].
fn build(
    mode: OldMemMode,
    cpus: &[s390_vmcore::SaveArea],
    ranges: KVec<PhysRange>,
) -> Result<Dump> {
    let kernel = oldmem::Kernel(mode);
    let mem = InRanges::new(&kernel, &ranges);
    let mut found = Found {
        os_info: Ok(()),
        vmcoreinfo: VmcoreinfoSource::Absent,
        left_out: [None; 3],
    };
    let info = read_os_info(&mem, &mut found);
    let vmcoreinfo = vmcoreinfo(&mem, info.as_ref(), &mut found);
    let text = s390_vmcore::text_segment(info.as_ref());
    let text = match text.map(|t| t.check(&ranges)) {
        Some(Ok(())) => text,
        Some(Err(e)) => {
            pr_warn!(
                "os_info kernel image unusable ({}), dump without the kernel-text PT_LOAD\n",
                e
            );
            found.leave_out(Omission::KERNEL_TEXT, Reason::Image(e));
            None
        }
        None => {
            let why = match found.os_info {
                Err(why) => why,
                Ok(()) => Reason::NoKernelLayout,
            };
            found.leave_out(Omission::KERNEL_TEXT, why);
            None
        }
    };
    match cpus.first() {
        None => {
            pr_warn!("no CPU registers were saved, dump without CPU notes\n");
            found.leave_out(Omission::CPU_REGISTERS, Reason::NotSaved);
        }
        Some(boot) if boot.prefix == 0 => {
            found.leave_out(Omission::BOOT_CPU_REGISTERS, Reason::Unreadable)
        }
        Some(_) => {}
    }

    let has_vx = boot::has_vx();
    let spec = DumpSpec {
        cpus,
        has_vx,
        vmcoreinfo: vmcoreinfo.as_deref(),
        text,
        identity_base: s390_vmcore::identity_base(info.as_ref()),
        ranges: &ranges,
    };
    let layout = s390_vmcore::layout(&spec).map_err(|e| {
        pr_err!("cannot size the ELF core header: {}\n", e);
        crate::to_kernel(e)
    })?;
    let mut hdr = UserBuf::new(layout.header_len)?;
    let mut segs = zeroed_vec(layout.nsegments)?;
    let size = s390_vmcore::build(&spec, hdr.as_mut_slice(), &mut segs).map_err(|e| {
        pr_err!("cannot fill the ELF core header: {}\n", e);
        crate::to_kernel(e)
    })?;

    let trust = Trust {
        bytes: s390_vmcore::source_bytes(mode, &segs),
        found,
        cpus: s390_vmcore::notes::cpu_count(cpus),
        vector_registers: has_vx,
    };
    Ok(Dump {
        mode,
        hdr,
        segs,
        size,
        ranges,
        trust,
    })
}
