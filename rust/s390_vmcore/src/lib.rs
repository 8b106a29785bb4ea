// SPDX-License-Identifier: GPL-2.0

//! Pure logic of the s390x `/proc/vmcore` crash-dump file.
//!
//! This crate computes, in the dump kernel's own memory, the exact file that
//! user space reads from the C `/proc/vmcore` on s390x (Linux 6.12): the
//! header built by `arch/s390/kernel/crash_dump.c` as transformed by
//! `fs/proc/vmcore.c` (merged PT_NOTE, page-aligned PT_LOAD segments). It also
//! parses the old system's `os_info` page and register save areas and maps
//! old-memory addresses to the HSA / kdump swap / real memory.
//!
//! `#![no_std]`, no allocation, no `unsafe`; everything read from old memory
//! is treated as untrusted (checked arithmetic, bounded sizes, errors
//! instead of panics). All on-the-wire integers are big-endian.
//!
//! Typical use by the kernel glue:
//! 1. [`SaveArea::from_regs`] / [`SaveArea::add_vxrs`] per CPU, early.
//! 2. [`build_dump`] with the saved CPUs, the crashed system's memory
//!    ranges, an [`OldMem`] reader and the kernel's primitives
//!    ([`BuildEnv`]): it reads os_info and VMCOREINFO through an
//!    [`InRanges`] (no address found in old memory is followed
//!    unchecked), lays the header out ([`layout()`], [`build`]) and says
//!    what it left out and why ([`Trust`]).
//! 3. Serve reads with [`read_dump`] (the file's [`Piece`]s, old memory
//!    split by [`map_oldmem`]) over the glue's [`CopyTarget`] primitives;
//!    map with [`DumpFile::pieces`] and [`sources`]; HSA pieces through
//!    an [`HsaWindow`], copied with [`copy_faulting_in`]; map old real
//!    memory as [`MachineFacts::window`] and [`mapping_pieces`] say.
//!
//! Modules, one concern each: [`oldmem`] the address map, [`copy`] the
//! copy engine, [`mod@file`] the file's pieces, [`direct_map`] the
//! direct-map budget, [`ranges`] the memory ranges and the checks against
//! them, [`dump`] the build policy, [`mod@layout`] the header, [`notes`],
//! [`os_info`], [`save_area`], [`hsa`] the HSA window, [`report`] the
//! trust report.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod be;
pub mod copy;
pub mod direct_map;
pub mod dump;
pub mod elf;
pub mod file;
pub mod hsa;
pub mod layout;
pub mod notes;
pub mod oldmem;
pub mod os_info;
pub mod ranges;
pub mod report;
pub mod save_area;

pub use copy::{
    copy_faulting_in, copy_oldmem, read_dump, CopyStop, CopyTarget, NoFaultCopy, REAL_COPY_STEP,
};
pub use direct_map::{mapping_pieces, oldmem_mapping, MachineFacts, MapPages, MappingPieces};
pub use dump::{build_dump, BuildEnv, BuildInputs, Built, Found, Reason, Trust};
pub use file::{piece_at, DumpFile, Piece, Pieces};
pub use hsa::{hsa_block, HsaWindow, HSA_MULTI_FAILURES_MAX, HSA_WINDOW_BLOCKS, HSA_WINDOW_BYTES};
pub use layout::{build, layout, DumpSpec, Layout, Segment, TextSegment};
pub use oldmem::{map_oldmem, sources, OldMemMode, Source, Sources};
pub use os_info::{
    cksm, identity_base, text_segment, vmcoreinfo_from_lowcore, OsInfo, OsInfoError,
    OS_INFO_IDENTITY_BASE, OS_INFO_IMAGE_END, OS_INFO_IMAGE_PHYS, OS_INFO_IMAGE_START,
    OS_INFO_KASLR_OFFSET, OS_INFO_VMCOREINFO, VMCOREINFO_MAX,
};
pub use ranges::{contains, old_memory_end, InRanges, PhysRange};
pub use report::{
    source_bytes, LeftOut, Omission, OsInfoStatus, SourceBytes, TrustReport, VmcoreinfoSource,
    TRUST_OMISSIONS_MAX, TRUST_PREFIX, TRUST_REPORT_MAX, TRUST_TEXT_MAX,
};
pub use save_area::SaveArea;

/// Page size of s390x in bytes (`PAGE_SIZE`, 4096). File offsets of the
/// notes and of every old-memory segment are multiples of it.
pub const PAGE_SIZE: u64 = 4096;

/// Errors of this crate.
///
/// Three kinds, never mixed: bad input ([`Error::Read`],
/// [`Error::Invalid`], [`Error::TooBig`], [`Error::Overflow`],
/// [`Error::OutsideMemory`]: old memory or the memory ranges are
/// unreadable, damaged or hostile, which a dump kernel must expect), no
/// memory ([`Error::NoMemory`]) and bugs ([`Error::BufferTooSmall`],
/// [`Error::Internal`]: this crate or its caller broke a documented rule;
/// no content of old memory can cause them). The kernel glue turns each
/// into its own Linux error number, in one place (its `to_kernel()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Reading old memory failed (the [`OldMem`] backend reported it).
    Read,
    /// Inconsistent input (e.g. a range with `end < start`, wrong note name).
    Invalid,
    /// A size exceeds a limit (vmcoreinfo size, program header count).
    TooBig,
    /// Arithmetic overflow of sizes, offsets or addresses.
    Overflow,
    /// A caller-provided buffer is shorter than the documented size (e.g. a
    /// header buffer shorter than [`Layout::header_len`]): a bug of the
    /// caller.
    BufferTooSmall,
    /// The old-memory read `[paddr, paddr + len)` does not lie inside one of
    /// the crashed system's memory ranges (or `paddr + len` overflows); it
    /// was rejected before any byte was read (see [`InRanges`]).
    OutsideMemory {
        /// Physical address of the first byte of the rejected read.
        paddr: u64,
        /// Length of the rejected read in bytes.
        len: u64,
    },
    /// An allocation of the caller failed ([`dump::BuildEnv`]): not bad
    /// input, and no bug.
    NoMemory,
    /// A broken invariant: a bug of this crate or of its caller, never
    /// caused by old memory (e.g. a `Display` implementation of the caller
    /// that failed by itself, or two computations of the same size that
    /// disagree).
    Internal,
}

impl core::fmt::Display for Error {
    /// A short lower-case reason for a kernel log line, e.g.
    /// `0x7fff0000 (4096 bytes) is outside the crashed system's memory`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Error::Read => f.write_str("old memory read failed"),
            Error::Invalid => f.write_str("inconsistent input data"),
            Error::TooBig => f.write_str("size over limit"),
            Error::Overflow => f.write_str("address or size overflows 64 bits"),
            Error::BufferTooSmall => f.write_str("buffer too small (a bug)"),
            Error::OutsideMemory { paddr, len } => write!(
                f,
                "{paddr:#x} ({len} bytes) is outside the crashed system's memory"
            ),
            Error::NoMemory => f.write_str("out of memory"),
            Error::Internal => f.write_str("internal error (a bug)"),
        }
    }
}

/// Read access to the crashed system's memory, by physical address. Implemented
/// by the kernel glue (HSA / kdump-swap / real backends, e.g. on top of
/// [`copy_oldmem`]) and by test fakes.
pub trait OldMem {
    /// Fill `buf` with the old memory at physical address `paddr`
    /// (`buf.len()` bytes). Errors: [`Error::Read`] if any byte is
    /// unreadable; [`Error::OutsideMemory`] if the range lies outside the
    /// crashed system's memory ([`InRanges`]).
    fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), Error>;
}

#[cfg(test)]
mod tests;
