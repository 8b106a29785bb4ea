// SPDX-License-Identifier: GPL-2.0

//! The copy engine: a read of old memory, or of the dump file, split into
//! pieces by where its bytes are ([`crate::map_oldmem`],
//! [`crate::DumpFile::pieces`]) and handed piece by piece to the kernel
//! glue's primitive copies ([`CopyTarget`]) (C `copy_oldmem_iter()`,
//! `__read_vmcore()`).

use crate::file::{DumpFile, Piece};
use crate::oldmem::{sources, OldMemMode, Source};

/// Why a copy of old memory ([`crate::HsaWindow::read`], and the kernel
/// glue's copies of real memory) stopped before copying everything it was
/// asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyStop {
    /// The HSA could not be read (SDIAS failed, or the HSA is released or
    /// not there): `-EIO` for `read()`, `SIGBUS` for a mapping.
    Source,
    /// The destination took fewer bytes than offered (a user buffer
    /// faulted): `-EFAULT`.
    Destination,
}

/// The kernel glue's primitive copies of the dump into one destination (a
/// user buffer, a kernel buffer, a page of the page cache), each from one
/// kind of place, each advancing the destination by what it copied. All
/// splitting of reads is done by [`copy_oldmem`] and [`read_dump`]; an
/// implementation copies exactly what it is asked for, or stops short.
pub trait CopyTarget {
    /// Copies `len` bytes of this machine's real memory at physical
    /// address `paddr` (a [`Source::Real`] piece, at most
    /// [`REAL_COPY_STEP`] bytes) into the destination.
    ///
    /// Returns the bytes copied: fewer than `len` only where the
    /// destination faulted.
    fn copy_real(&mut self, paddr: u64, len: u64) -> u64;

    /// Copies `len` bytes of the HSA at byte `offset` (a [`Source::Hsa`]
    /// piece) into the destination.
    ///
    /// Returns the bytes copied and, when fewer than `len`, why.
    fn copy_hsa(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>);

    /// Copies `src`, bytes of the ELF core header in this kernel's memory,
    /// into the destination.
    ///
    /// Returns the bytes copied: fewer than `src.len()` only where the
    /// destination faulted.
    fn copy_header(&mut self, src: &[u8]) -> u64;

    /// Called between two pieces of one copy, for example to let other
    /// tasks run (`cond_resched()`); does nothing by default.
    fn relax(&mut self) {}
}

/// The most bytes of real memory one [`CopyTarget::copy_real`] call is
/// asked for: 1 MiB, so that a long read lets others run
/// ([`CopyTarget::relax`]) at least once per MiB.
pub const REAL_COPY_STEP: u64 = 1 << 20;

/// Copies one piece of old memory from `source` into `target`, real
/// memory in steps of at most [`REAL_COPY_STEP`] bytes.
fn copy_piece(target: &mut impl CopyTarget, source: Source, len: u64) -> (u64, Option<CopyStop>) {
    match source {
        Source::Hsa { offset } => {
            let (copied, stop) = target.copy_hsa(offset, len);
            if copied >= len {
                (len, None)
            } else {
                (copied, Some(stop.unwrap_or(CopyStop::Source)))
            }
        }
        Source::Real { paddr } => {
            let mut done = 0;
            while done < len {
                if done > 0 {
                    target.relax();
                }
                let step = core::cmp::min(len - done, REAL_COPY_STEP);
                let copied = target.copy_real(paddr.wrapping_add(done), step);
                if copied < step {
                    return (done + copied, Some(CopyStop::Destination));
                }
                done += step;
            }
            (done, None)
        }
    }
}

/// Copies `len` bytes of old memory at physical address `paddr` into
/// `target`: split by [`crate::map_oldmem`] into HSA, kdump swap area and real
/// memory pieces (C `copy_oldmem_iter()`), real memory in steps of at most
/// [`REAL_COPY_STEP`] bytes.
///
/// Returns the bytes copied and, when fewer than `len`, why: the
/// destination faulted ([`CopyStop::Destination`]; so is a short real
/// memory copy), or the HSA could not be read ([`CopyStop::Source`]; so is
/// a short HSA copy that gives no reason), or the read runs past the end
/// of the 64-bit address space ([`CopyStop::Source`], nothing copied then).
pub fn copy_oldmem(
    mode: OldMemMode,
    target: &mut impl CopyTarget,
    paddr: u64,
    len: u64,
) -> (u64, Option<CopyStop>) {
    if len > 0 && paddr.checked_add(len - 1).is_none() {
        return (0, Some(CopyStop::Source));
    }
    let mut done = 0;
    for (source, n) in sources(mode, paddr, len) {
        if done > 0 {
            target.relax();
        }
        let (copied, stop) = copy_piece(target, source, n);
        done += copied;
        if stop.is_some() {
            return (done, stop);
        }
    }
    (done, None)
}

/// Copies `len` bytes of the dump file at offset `pos` into `target`: the
/// header from `file.header`, old memory as [`copy_oldmem`] copies it. This
/// is `read()` of `/proc/vmcore` and the fill of a page for its mappings
/// (C `__read_vmcore()`).
///
/// Returns the bytes copied (fewer than `len` at the end of the file) and,
/// when a copy stopped short, why ([`copy_oldmem`]).
pub fn read_dump(
    file: &DumpFile<'_>,
    target: &mut impl CopyTarget,
    pos: u64,
    len: u64,
) -> (u64, Option<CopyStop>) {
    let mut done = 0;
    for piece in file.pieces(pos, len) {
        if done > 0 {
            target.relax();
        }
        let (copied, stop) = match piece {
            Piece::Header { start, len } => {
                // `piece_at` keeps header pieces inside the header.
                let Some(src) = file.header.get(start..).and_then(|h| h.get(..len)) else {
                    return (done, Some(CopyStop::Source));
                };
                let copied = core::cmp::min(target.copy_header(src), len as u64);
                (
                    copied,
                    (copied < len as u64).then_some(CopyStop::Destination),
                )
            }
            Piece::OldMem { paddr, len } => copy_oldmem(file.mode, target, paddr, len),
        };
        done += copied;
        if stop.is_some() {
            return (done, stop);
        }
    }
    (done, None)
}

/// A copy into a destination that must not take page faults while it
/// runs (the HSA's copy holds the reader's mutex, which the page-fault
/// path of a mapping of the dump file takes too): the kernel glue's two
/// primitives for [`copy_faulting_in`].
pub trait NoFaultCopy {
    /// Copies `len` bytes of the source at byte `offset` with page faults
    /// disabled, advancing the destination.
    ///
    /// Returns the bytes copied and, when fewer than `len`, why:
    /// [`CopyStop::Destination`] where a destination page is not there.
    fn copy_nofault(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>);

    /// Faults in the next `len` bytes of the destination for writing, with
    /// no lock held (`fault_in_iov_iter_writeable()`).
    ///
    /// Returns the bytes that could not be faulted in, 0 when all were.
    fn fault_in(&mut self, len: u64) -> u64;
}

/// Copies `len` bytes of the source at byte `offset` through `c`: without
/// page faults, and where the destination is not there, faults in up to
/// `step` bytes of it and copies on (the pattern of
/// `generic_perform_write()`).
///
/// Stops when the source fails, when not one byte of the destination can
/// be faulted in, or when a copy right after a fault-in makes no progress
/// (rather than spin).
///
/// Returns the bytes copied and, when fewer than `len`, why.
pub fn copy_faulting_in(
    c: &mut impl NoFaultCopy,
    offset: u64,
    len: u64,
    step: u64,
) -> (u64, Option<CopyStop>) {
    let mut done = 0;
    let mut faulted_in = false;
    loop {
        let (n, stop) = c.copy_nofault(offset + done, len - done);
        done += n;
        if stop != Some(CopyStop::Destination) || (n == 0 && faulted_in) {
            return (done, stop);
        }
        faulted_in = true;
        let want = core::cmp::min(len - done, step);
        if c.fault_in(want) == want {
            return (done, stop);
        }
    }
}

#[cfg(test)]
mod tests;
