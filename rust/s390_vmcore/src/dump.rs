// SPDX-License-Identifier: GPL-2.0

//! The build policy of the dump: what the ELF core header is built from,
//! what is left out when old memory is damaged or memory is short, and
//! why (C `elfcorehdr_alloc()` in `arch/s390/kernel/crash_dump.c`).
//!
//! [`build_dump`] reads os_info and the VMCOREINFO note from old memory,
//! checks the kernel image, sizes the header with [`crate::layout()`],
//! allocates it and the segment table once and fills them with
//! [`crate::build`]. The kernel glue supplies the primitives only
//! ([`BuildEnv`]: the allocations and a log line) and the old-memory
//! reader; every address found in old memory is checked against the
//! crashed system's memory ranges ([`InRanges`]) before it is followed.
//!
//! What old memory gets wrong costs only the part it describes: that part
//! is left out, said once through [`BuildEnv::warn`] and named in the
//! trust report ([`Trust`]); the rest is served.

use crate::layout::{build, layout, DumpSpec, Segment};
use crate::oldmem::OldMemMode;
use crate::os_info::{OsInfo, OsInfoError, OS_INFO_SIZE, OS_INFO_VMCOREINFO, VMCOREINFO_MAX};
use crate::ranges::{InRanges, PhysRange};
use crate::report::{
    source_bytes, Omission, OsInfoStatus, SourceBytes, TrustReport, VmcoreinfoSource,
};
use crate::save_area::SaveArea;
use crate::{identity_base, text_segment, vmcoreinfo_from_lowcore, Error, OldMem};
use core::fmt;
use core::ops::DerefMut;

/// What the kernel glue supplies to [`build_dump`]: zeroed memory of
/// three kinds and a log line. Each allocation returns `None` when there
/// is no memory; the buffers are freed when dropped.
pub trait BuildEnv {
    /// Scratch bytes (the os_info page, the VMCOREINFO note's contents).
    type Bytes: DerefMut<Target = [u8]>;
    /// The ELF core header buffer (the kernel glue's is mappable into
    /// user space).
    type Header: DerefMut<Target = [u8]>;
    /// The segment table.
    type Segments: DerefMut<Target = [Segment]>;

    /// `len` zeroed bytes.
    fn bytes(&mut self, len: usize) -> Option<Self::Bytes>;

    /// A zeroed header buffer of `len` bytes (a multiple of
    /// [`crate::PAGE_SIZE`]).
    fn header(&mut self, len: usize) -> Option<Self::Header>;

    /// A table of `n` segments (their values are overwritten).
    fn segments(&mut self, n: usize) -> Option<Self::Segments>;

    /// Logs `msg`, one warning line without its newline, about a part of
    /// old memory the dump does without.
    fn warn(&mut self, msg: fmt::Arguments<'_>);
}

/// What [`build_dump`] builds from: how old memory is addressed, the
/// saved CPUs, whether the machine has vector registers, and the crashed
/// system's memory ranges.
#[derive(Clone, Copy, Debug)]
pub struct BuildInputs<'a> {
    /// How old memory is addressed.
    pub mode: OldMemMode,
    /// The saved CPUs: boot CPU first (with `prefix == 0` when its
    /// registers could not be read), then the others in SIGP address
    /// order; empty when none was saved.
    pub cpus: &'a [SaveArea],
    /// The vector-register notes are written (C `cpu_has_vx()`).
    pub has_vx: bool,
    /// The crashed system's memory ranges (physical, `end` exclusive),
    /// without the crashkernel area, sorted by start.
    pub ranges: &'a [PhysRange],
}

/// The dump as [`build_dump`] built it.
pub struct Built<E: BuildEnv> {
    /// ELF header, program headers and notes, padded to a page: the first
    /// `header.len()` bytes of the file.
    pub header: E::Header,
    /// The PT_LOAD segments, by file offset.
    pub segs: E::Segments,
    /// Size of the file in bytes.
    pub size: u64,
    /// What the dump trusted and what it left out.
    pub trust: Trust,
}

/// Why an optional part of the dump was left out. The `Display` texts are
/// short and lower-case, for the log and the trust report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// An allocation failed.
    NoMemory,
    /// The os_info page, or its entry, is not usable.
    OsInfo(OsInfoError),
    /// The old lowcore's VMCOREINFO note is not usable.
    Lowcore(Error),
    /// os_info describes no kernel layout (its KASLR offset entry is 0, as
    /// C's `os_info_has_vm()` checks) or an inverted kernel image.
    NoKernelLayout,
    /// Old memory at the lowcore's register save area could not be read.
    Unreadable,
    /// os_info's kernel image lies outside the crashed system's memory, or
    /// its size overflows ([`crate::TextSegment::check`]).
    Image(Error),
    /// No CPU's registers were saved at boot.
    NotSaved,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoMemory => f.write_str("no memory"),
            Reason::OsInfo(e) => write!(f, "{e}"),
            Reason::Lowcore(e) | Reason::Image(e) => write!(f, "{e}"),
            Reason::NoKernelLayout => f.write_str("os_info has no kernel layout"),
            Reason::Unreadable => f.write_str("unreadable"),
            Reason::NotSaved => f.write_str("none saved"),
        }
    }
}

/// The most parts [`Found`] records as left out: the VMCOREINFO note, the
/// kernel-text PT_LOAD and the CPU registers.
pub const LEFT_OUT_MAX: usize = 3;

/// What the build found in old memory, and what it left out and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// The os_info page: `Ok` when valid, else why not.
    pub os_info: Result<(), Reason>,
    /// Where the VMCOREINFO note came from.
    pub vmcoreinfo: VmcoreinfoSource,
    left_out: [Option<(&'static str, Reason)>; LEFT_OUT_MAX],
}

impl Found {
    const fn new() -> Self {
        Found {
            os_info: Ok(()),
            vmcoreinfo: VmcoreinfoSource::Absent,
            left_out: [None; LEFT_OUT_MAX],
        }
    }

    fn leave_out(&mut self, what: &'static str, why: Reason) {
        if let Some(slot) = self.left_out.iter_mut().find(|s| s.is_none()) {
            *slot = Some((what, why));
        }
    }

    /// What was left out (one of the [`Omission`] names) and why, in the
    /// order it was.
    pub fn left_out(&self) -> impl Iterator<Item = (&'static str, Reason)> + '_ {
        self.left_out.iter().flatten().copied()
    }

    /// Fills `out` with [`Found::left_out`] as [`Omission`]s; returns how
    /// many.
    pub fn omissions<'a>(&'a self, out: &mut [Omission<'a>; LEFT_OUT_MAX]) -> usize {
        let mut n = 0;
        for ((what, why), slot) in self.left_out.iter().flatten().zip(out.iter_mut()) {
            *slot = Omission::new(what, why);
            n += 1;
        }
        n
    }

    /// Whether something was left out, or os_info not used, for want of
    /// memory.
    pub fn short_of_memory(&self) -> bool {
        self.os_info == Err(Reason::NoMemory)
            || self.left_out().any(|(_, why)| why == Reason::NoMemory)
    }
}

/// The facts of the trust report, kept from the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trust {
    /// Bytes of PT_LOAD data by where they are read from.
    pub bytes: SourceBytes,
    /// What the build found in old memory and what it left out.
    pub found: Found,
    /// CPUs whose registers are in the dump.
    pub cpus: usize,
    /// The dump has the vector register notes.
    pub vector_registers: bool,
}

impl Trust {
    /// Formats the trust report ([`TrustReport`]: lines that start with
    /// `trust:` and end in a newline) into `buf`, which needs at most
    /// [`crate::TRUST_REPORT_MAX`] bytes.
    ///
    /// Returns its length in bytes. Errors: [`Error::BufferTooSmall`].
    pub fn write_report(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut left_out = [Omission::new(&"", &""); LEFT_OUT_MAX];
        let n = self.found.omissions(&mut left_out);
        let report = TrustReport {
            bytes: self.bytes,
            os_info: match &self.found.os_info {
                Ok(()) => OsInfoStatus::Valid,
                Err(Reason::OsInfo(OsInfoError::NotAvailable)) => OsInfoStatus::Missing,
                Err(why) => OsInfoStatus::Unusable(why),
            },
            vmcoreinfo: self.found.vmcoreinfo,
            cpus: self.cpus,
            vector_registers: self.vector_registers,
            left_out: &left_out[..n],
        };
        report.write_to(buf)
    }
}

/// Builds the dump: reads os_info and the VMCOREINFO note from old memory
/// through `mem` (every read checked against `inputs.ranges` first), sizes
/// the header, allocates it and the segment table once, and fills them.
///
/// Left out, with a warning through `env` and a [`Reason`] in the trust
/// report (the rest is served):
/// - the kernel-text PT_LOAD, when os_info is missing or unusable, has no
///   kernel layout, or its kernel image lies outside the memory ranges;
/// - the VMCOREINFO note, when neither os_info's entry (preferred,
///   checksummed) nor the note the old lowcore points to (C
///   `nt_vmcoreinfo()`) is usable, or there is no memory for it;
/// - the CPU notes, when no CPU was saved; the boot CPU's registers, when
///   they could not be read (its `prefix` is 0).
///
/// Errors: [`Error::NoMemory`] when the header or the segment table cannot
/// be allocated (nothing is kept); the error of [`crate::layout()`] or
/// [`crate::build`] when the memory ranges cannot describe an ELF core
/// (e.g. too many of them).
pub fn build_dump<E: BuildEnv>(
    env: &mut E,
    mem: &dyn OldMem,
    inputs: &BuildInputs<'_>,
) -> Result<Built<E>, Error> {
    let mem = InRanges::new(mem, inputs.ranges);
    let mut found = Found::new();
    let info = {
        // Freed once os_info is read and checked.
        let mut page = env.bytes(OS_INFO_SIZE);
        read_os_info(env, &mem, page.as_deref_mut(), &mut found)
    };
    let vmcoreinfo = vmcoreinfo(env, &mem, info.as_ref(), &mut found);
    let text = kernel_text(env, info.as_ref(), inputs.ranges, &mut found);
    match inputs.cpus.first() {
        None => {
            env.warn(format_args!(
                "no CPU registers were saved, dump without CPU notes"
            ));
            found.leave_out(Omission::CPU_REGISTERS, Reason::NotSaved);
        }
        Some(boot) if boot.prefix == 0 => {
            found.leave_out(Omission::BOOT_CPU_REGISTERS, Reason::Unreadable)
        }
        Some(_) => {}
    }
    let spec = DumpSpec {
        cpus: inputs.cpus,
        has_vx: inputs.has_vx,
        vmcoreinfo: vmcoreinfo.as_deref(),
        text,
        identity_base: identity_base(info.as_ref()),
        ranges: inputs.ranges,
    };
    let l = layout(&spec)?;
    let mut header = env.header(l.header_len).ok_or(Error::NoMemory)?;
    let mut segs = env.segments(l.nsegments).ok_or(Error::NoMemory)?;
    let size = build(&spec, &mut header, &mut segs)?;
    let trust = Trust {
        bytes: source_bytes(inputs.mode, &segs),
        found,
        cpus: crate::notes::cpu_count(inputs.cpus),
        vector_registers: inputs.has_vx,
    };
    Ok(Built {
        header,
        segs,
        size,
        trust,
    })
}

/// Reads and checks the old os_info page into `page` (one read; `None`
/// when there was no memory for it). Warns when it cannot be used.
fn read_os_info(
    env: &mut impl BuildEnv,
    mem: &dyn OldMem,
    page: Option<&mut [u8]>,
    found: &mut Found,
) -> Option<OsInfo> {
    let result = match page.and_then(|p| <&mut [u8; OS_INFO_SIZE]>::try_from(p).ok()) {
        Some(page) => OsInfo::read(mem, page).map_err(Reason::OsInfo),
        None => Err(Reason::NoMemory),
    };
    found.os_info = result.map(|_| ());
    if let Err(why) = result {
        env.warn(format_args!(
            "old os_info unusable ({why}), dump without the kernel-text PT_LOAD"
        ));
    }
    result.ok()
}

/// The VMCOREINFO note's contents: from os_info's entry (checksummed) or,
/// failing that, from the note the old lowcore points to, like C's
/// `nt_vmcoreinfo()`. `None`, after a warning, when old memory has no
/// usable VMCOREINFO or there is no memory for it.
fn vmcoreinfo<E: BuildEnv>(
    env: &mut E,
    mem: &dyn OldMem,
    info: Option<&OsInfo>,
    found: &mut Found,
) -> Option<E::Bytes> {
    if let Some(info) = info {
        let size = info.entry_size(OS_INFO_VMCOREINFO);
        if size > VMCOREINFO_MAX as u64 {
            env.warn(format_args!(
                "os_info VMCOREINFO entry of {size} bytes is too big"
            ));
        } else if size != 0 {
            let Some(mut buf) = env.bytes(size as usize) else {
                return no_memory_for_vmcoreinfo(env, size, found);
            };
            match info.read_entry(mem, OS_INFO_VMCOREINFO, &mut buf) {
                Ok(_) => {
                    found.vmcoreinfo = VmcoreinfoSource::OsInfo;
                    return Some(buf);
                }
                Err(e) => env.warn(format_args!("os_info VMCOREINFO entry unusable ({e})")),
            }
        }
    }
    let (addr, size) = match vmcoreinfo_from_lowcore(mem) {
        Ok(note) => note,
        Err(e) => return lowcore_note_unusable(env, e, found),
    };
    let Some(mut buf) = env.bytes(size) else {
        return no_memory_for_vmcoreinfo(env, size as u64, found);
    };
    if let Err(e) = mem.read(addr, &mut buf) {
        return lowcore_note_unusable(env, e, found);
    }
    found.vmcoreinfo = VmcoreinfoSource::Lowcore;
    Some(buf)
}

fn no_memory_for_vmcoreinfo<T>(env: &mut impl BuildEnv, size: u64, found: &mut Found) -> Option<T> {
    env.warn(format_args!(
        "no memory for a VMCOREINFO note of {size} bytes, dump without it"
    ));
    found.leave_out(Omission::VMCOREINFO, Reason::NoMemory);
    None
}

fn lowcore_note_unusable<T>(env: &mut impl BuildEnv, e: Error, found: &mut Found) -> Option<T> {
    env.warn(format_args!(
        "old VMCOREINFO note unusable ({e}), dump without VMCOREINFO"
    ));
    found.leave_out(Omission::VMCOREINFO, Reason::Lowcore(e));
    None
}

/// The kernel-text PT_LOAD from os_info, checked against the memory
/// `ranges`; `None`, recorded in `found`, without a usable one.
fn kernel_text(
    env: &mut impl BuildEnv,
    info: Option<&OsInfo>,
    ranges: &[PhysRange],
    found: &mut Found,
) -> Option<crate::TextSegment> {
    let Some(text) = text_segment(info) else {
        let why = found.os_info.err().unwrap_or(Reason::NoKernelLayout);
        found.leave_out(Omission::KERNEL_TEXT, why);
        return None;
    };
    if let Err(e) = text.check(ranges) {
        env.warn(format_args!(
            "os_info kernel image unusable ({e}), dump without the kernel-text PT_LOAD"
        ));
        found.leave_out(Omission::KERNEL_TEXT, Reason::Image(e));
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests;
