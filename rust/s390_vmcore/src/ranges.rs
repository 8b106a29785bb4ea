// SPDX-License-Identifier: GPL-2.0

//! The crashed system's memory ranges, and the checks that keep every read
//! of old memory inside them.
//!
//! The ranges are memblock's `physmem` without the crashkernel area
//! (C `for_each_physmem_range()` over `oldmem_type` in
//! `arch/s390/kernel/crash_dump.c`); every address found in old memory is
//! checked against them ([`InRanges`]) before it is followed.

use crate::oldmem::OldMemMode;
use crate::{Error, OldMem};

/// A physical memory range `[start, end)` of the crashed system, in bytes.
/// [`crate::layout()`] rejects `end < start` with [`Error::Invalid`]; an empty
/// range is allowed (its segment is empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhysRange {
    /// First byte (physical address).
    pub start: u64,
    /// One past the last byte (physical address).
    pub end: u64,
}

/// Whether the physical byte range `[paddr, paddr + len)` (`len` in bytes)
/// lies entirely inside ONE of `ranges` (physical, `end` exclusive).
///
/// - `paddr + len` overflowing 64 bits: `false`.
/// - `len == 0`: `true` if `start <= paddr <= end` for some range, i.e.
///   `paddr` lies in a range or exactly at its end (an empty read at the
///   end of a range touches no byte outside it).
/// - A range that spans two ranges, even adjacent ones `[a, b)`, `[b, c)`,
///   is rejected. Memory ranges come from memblock, which merges adjacent
///   regions (same node, same flags) when they are added, so in practice
///   neighbouring ranges have a hole between them; the only seams left are
///   where the crashkernel area is cut out, and nothing of the old kernel
///   lives there.
/// - Ranges with `end < start` contain nothing.
pub fn contains(ranges: &[PhysRange], paddr: u64, len: u64) -> bool {
    let Some(end) = paddr.checked_add(len) else {
        return false;
    };
    ranges.iter().any(|r| r.start <= paddr && end <= r.end)
}

/// An [`OldMem`] that forwards only reads lying entirely inside one of the
/// crashed system's memory ranges (see [`contains`]) and rejects every
/// other read before the inner [`OldMem`] sees it.
///
/// Use it for every address found in old memory (lowcore pointers, os_info
/// entries, note descriptors): such an address is untrusted and may point
/// into a hole, past the end of memory, or into I/O space.
#[derive(Clone, Copy)]
pub struct InRanges<'a> {
    mem: &'a dyn OldMem,
    ranges: &'a [PhysRange],
}

impl<'a> InRanges<'a> {
    /// Wrap `mem`, allowing reads only inside `ranges` (physical addresses,
    /// `end` exclusive; the crashed system's memory, in any order).
    pub fn new(mem: &'a dyn OldMem, ranges: &'a [PhysRange]) -> Self {
        InRanges { mem, ranges }
    }

    /// The allowed ranges (physical addresses, `end` exclusive).
    pub fn ranges(&self) -> &'a [PhysRange] {
        self.ranges
    }
}

impl OldMem for InRanges<'_> {
    /// Read `buf.len()` bytes at physical `paddr` from the inner [`OldMem`]
    /// if `[paddr, paddr + buf.len())` lies inside one range (see
    /// [`contains`], also for `buf.len() == 0`).
    ///
    /// Errors: [`Error::OutsideMemory`] (with `paddr` and `len = buf.len()`)
    /// without calling the inner [`OldMem`]; otherwise whatever the inner
    /// [`OldMem`] returns.
    fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), Error> {
        // usize is at most 64 bits on every target this crate supports; a
        // wider length cannot fit in any range anyway.
        let len = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        if !contains(self.ranges, paddr, len) {
            return Err(Error::OutsideMemory { paddr, len });
        }
        self.mem.read(paddr, buf)
    }
}

/// The end (physical, exclusive, bytes) of the crashed system's memory:
/// the highest end of its memory `ranges` and, for kdump, of the
/// crashkernel area that holds its low memory
/// ([`OldMemMode::crashkernel_area`]); 0 without either.
pub fn old_memory_end(mode: OldMemMode, ranges: &[PhysRange]) -> u64 {
    let top = ranges.iter().map(|r| r.end).max().unwrap_or(0);
    mode.crashkernel_area()
        .map_or(top, |a| core::cmp::max(top, a.end))
}

#[cfg(test)]
mod tests;
