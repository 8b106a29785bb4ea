// SPDX-License-Identifier: GPL-2.0

//! Addressing of the crashed system's memory (`arch/s390/kernel/crash_dump.c`
//! `copy_oldmem_iter()`, `remap_oldmem_pfn_range_kdump()`,
//! `remap_oldmem_pfn_range_zfcpdump()`).

use crate::hsa::CopyStop;
use crate::layout::{next_chunk, Chunk, PhysRange, Segment};
use crate::{Error, OldMem};

/// How old memory is addressed. All values are physical addresses / sizes
/// in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldMemMode {
    /// kdump: the dump kernel runs in `[0, size)`, whose old contents were
    /// swapped into the crashkernel area `[start, start + size)`. Old
    /// `[0, size)` is read from `[start, start + size)` and vice versa;
    /// everything else is identity-mapped real memory
    /// (`oldmem_data.start`/`oldmem_data.size`).
    Kdump {
        /// Crashkernel base.
        start: u64,
        /// Crashkernel size.
        size: u64,
    },
    /// zfcpdump / NVMe dump: `[0, hsa_size)` is read from the HSA, the rest
    /// from real memory (`sclp.hsa_size`).
    Hsa {
        /// Bytes of old memory saved in the HSA.
        hsa_size: u64,
    },
    /// The test HSA of the test kernel (no HSA in QEMU): a kdump boot in
    /// which `[0, hsa_size)` is read through the HSA provider and the rest
    /// exactly as in `Kdump` mode. `hsa_size` need not relate to `size`.
    HsaKdump {
        /// Bytes of old memory served by the (test) HSA provider.
        hsa_size: u64,
        /// Crashkernel base.
        start: u64,
        /// Crashkernel size.
        size: u64,
    },
    /// Plain identity-mapped real memory (tests, no swap).
    Real,
}

impl OldMemMode {
    /// The crashkernel area `[start, start + size)` of a kdump boot
    /// (`Kdump`, `HsaKdump`), which holds the crashed system's low memory;
    /// `None` for the other modes. The end saturates at `u64::MAX`.
    pub fn crashkernel_area(self) -> Option<PhysRange> {
        match self {
            OldMemMode::Kdump { start, size } | OldMemMode::HsaKdump { start, size, .. } => {
                Some(PhysRange {
                    start,
                    end: start.saturating_add(size),
                })
            }
            OldMemMode::Hsa { .. } | OldMemMode::Real => None,
        }
    }
}

/// Where a piece of old memory is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The HSA, at byte `offset` (== the old physical address).
    Hsa {
        /// Byte offset into the HSA.
        offset: u64,
    },
    /// Real memory of the running (dump) system at physical `paddr`.
    Real {
        /// Physical address to read.
        paddr: u64,
    },
}

/// Map the old-memory physical address `paddr` to its source and return the
/// number of bytes (`<= len`) readable contiguously from there.
///
/// Rules (C `copy_oldmem_iter()`):
/// - `Hsa`: `paddr < hsa_size` -> HSA offset `paddr`, piece ends at
///   `hsa_size`; otherwise real memory, identity.
/// - `Kdump`: `start <= paddr < start + size` -> real `paddr - start`, piece
///   ends at `start + size`; else `paddr < size` -> real `paddr + start`,
///   piece ends at `size`; else identity.
/// - `HsaKdump`: `paddr < hsa_size` -> HSA offset `paddr`, piece ends at
///   `hsa_size`; otherwise as `Kdump`.
/// - `Real`: identity, the whole `len`.
///
/// Difference from C, for robustness only: in `Kdump` mode a piece that
/// starts below `start` also ends at `start`, so every byte is mapped by the
/// same rule whatever the read granularity. C never needs this because it
/// copies page by page and `start` is page (1 MiB) aligned; results for such
/// reads are identical. Additions wrap like the C `unsigned long` ones.
/// Returns length 0 only when `len == 0`.
pub fn map_oldmem(mode: OldMemMode, paddr: u64, len: u64) -> (Source, u64) {
    match mode {
        OldMemMode::Real => (Source::Real { paddr }, len),
        OldMemMode::Hsa { hsa_size } => {
            if paddr < hsa_size {
                (
                    Source::Hsa { offset: paddr },
                    core::cmp::min(len, hsa_size - paddr),
                )
            } else {
                (Source::Real { paddr }, len)
            }
        }
        OldMemMode::HsaKdump {
            hsa_size,
            start,
            size,
        } => {
            if paddr < hsa_size {
                (
                    Source::Hsa { offset: paddr },
                    core::cmp::min(len, hsa_size - paddr),
                )
            } else {
                map_oldmem(OldMemMode::Kdump { start, size }, paddr, len)
            }
        }
        OldMemMode::Kdump { start, size } => {
            let below_start = |n: u64| {
                if paddr < start {
                    core::cmp::min(n, start - paddr)
                } else {
                    n
                }
            };
            if paddr >= start && paddr - start < size {
                let off = paddr - start;
                (Source::Real { paddr: off }, core::cmp::min(len, size - off))
            } else if paddr < size {
                (
                    Source::Real {
                        paddr: paddr.wrapping_add(start),
                    },
                    below_start(core::cmp::min(len, size - paddr)),
                )
            } else {
                (Source::Real { paddr }, below_start(len))
            }
        }
    }
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

/// The pieces of the old-memory read `[paddr, paddr + len)`, in order:
/// [`map_oldmem`] applied until `len` bytes are covered. Each piece is
/// `(source, bytes)` with `bytes > 0`. Built by [`sources`].
#[derive(Clone, Debug)]
pub(crate) struct Sources {
    mode: OldMemMode,
    paddr: u64,
    left: u64,
}

/// The pieces of the old-memory read of `len` bytes at physical `paddr`
/// (see [`Sources`]); addresses wrap like the C `unsigned long` ones.
pub(crate) fn sources(mode: OldMemMode, paddr: u64, len: u64) -> Sources {
    Sources {
        mode,
        paddr,
        left: len,
    }
}

impl Iterator for Sources {
    type Item = (Source, u64);

    fn next(&mut self) -> Option<(Source, u64)> {
        if self.left == 0 {
            return None;
        }
        let (source, n) = map_oldmem(self.mode, self.paddr, self.left);
        // `map_oldmem` returns `0 < n <= left`; should it not, the rest
        // comes from this piece's source rather than a loop forever.
        let n = if n == 0 { self.left } else { n.min(self.left) };
        self.left -= n;
        self.paddr = self.paddr.wrapping_add(n);
        Some((source, n))
    }
}

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
/// `target`: split by [`map_oldmem`] into HSA, kdump swap area and real
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

/// The dump file as [`read_dump`] serves it: the ELF core header and
/// segment table filled by [`crate::build`], the file size it returned, and
/// how old memory is reached.
#[derive(Clone, Copy, Debug)]
pub struct DumpFile<'a> {
    /// The ELF core header (file offsets `[0, header.len())`).
    pub header: &'a [u8],
    /// The old-memory segments, sorted by file offset.
    pub segs: &'a [Segment],
    /// The file size in bytes.
    pub size: u64,
    /// How old memory is addressed.
    pub mode: OldMemMode,
}

/// One piece of the dump file, as [`DumpFile::pieces`] yields them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// `len` bytes of the header from byte `start` on.
    Header {
        /// Offset into the header (== file offset), bytes.
        start: usize,
        /// Bytes.
        len: usize,
    },
    /// `len` bytes of old memory from `source`.
    OldMem {
        /// Where the bytes are.
        source: Source,
        /// Bytes.
        len: u64,
    },
}

impl Piece {
    /// The piece's length in bytes.
    pub fn len(&self) -> u64 {
        match *self {
            Piece::Header { len, .. } => len as u64,
            Piece::OldMem { len, .. } => len,
        }
    }

    /// Whether the piece is empty (never, for pieces of [`Pieces`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The pieces of the file range `[pos, pos + len)` of a [`DumpFile`], in
/// file order: header bytes ([`next_chunk`]) and old memory split by
/// [`map_oldmem`]. They cover the range up to the end of the file; each
/// is non-empty.
#[derive(Clone, Debug)]
pub struct Pieces<'a> {
    file: DumpFile<'a>,
    pos: u64,
    left: u64,
    old: Sources,
}

impl<'a> DumpFile<'a> {
    /// The pieces of `len` bytes at file offset `pos` (see [`Pieces`]).
    pub fn pieces(&self, pos: u64, len: u64) -> Pieces<'a> {
        Pieces {
            file: *self,
            pos,
            left: len,
            old: sources(self.mode, 0, 0),
        }
    }
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        let piece = match self.old.next() {
            Some((source, len)) => Piece::OldMem { source, len },
            None => {
                let f = &self.file;
                match next_chunk(f.header.len(), f.segs, f.size, self.pos, self.left) {
                    Chunk::Eof => return None,
                    Chunk::Header { start, len } => Piece::Header { start, len },
                    Chunk::OldMem { paddr, len } => {
                        self.old = sources(f.mode, paddr, len);
                        let (source, len) = self.old.next()?;
                        Piece::OldMem { source, len }
                    }
                }
            }
        };
        let len = piece.len();
        if len == 0 || len > self.left {
            self.left = 0;
            return None;
        }
        self.pos += len;
        self.left -= len;
        Some(piece)
    }
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
                // `next_chunk` keeps header chunks inside the header.
                let Some(src) = file.header.get(start..).and_then(|h| h.get(..len)) else {
                    return (done, Some(CopyStop::Source));
                };
                let copied = core::cmp::min(target.copy_header(src), len as u64);
                (
                    copied,
                    (copied < len as u64).then_some(CopyStop::Destination),
                )
            }
            Piece::OldMem { source, len } => copy_piece(target, source, len),
        };
        done += copied;
        if stop.is_some() {
            return (done, stop);
        }
    }
    (done, None)
}

/// The largest pages the kernel's identity mapping can use on this
/// machine (`vmem_add_mapping()`, `arch/s390/mm/vmem.c`), which decides
/// what the page tables for mapping old memory cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapPages {
    /// 4 KiB pages only (no EDAT1, as in QEMU's TCG, or
    /// `debug_pagealloc`): a 4 KiB page table per MiB mapped.
    Pages4K,
    /// 1 MiB pages (EDAT1 without EDAT2): a 16 KiB segment table per
    /// 2 GiB mapped.
    Pages1M,
    /// 2 GiB pages (EDAT2): next to nothing.
    Pages2G,
}

/// The part of old real memory to map into the identity mapping, read-only,
/// so that reads copy straight from it: physical `[start, end)` in bytes,
/// or `None` when nothing is to be mapped.
///
/// - `ident_end` is the end of this kernel's own identity mapping
///   (`ident_map_size`); the mapping starts there, page aligned up.
/// - `old_end` is the end of the crashed system's memory, clipped to
///   `max_mappable` (what the identity mapping's virtual range can reach),
///   page aligned down.
/// - The page tables may take at most `budget` bytes (the glue passes 1/16
///   of this kernel's memory); with `pages` that caps the length at
///   `budget / 4 KiB` MiB ([`MapPages::Pages4K`]) or `budget / 16 KiB`
///   times 2 GiB ([`MapPages::Pages1M`]).
///
/// What is not mapped is read through `memcpy_real_iter()`.
pub fn oldmem_mapping(
    ident_end: u64,
    old_end: u64,
    max_mappable: u64,
    budget: u64,
    pages: MapPages,
) -> Option<(u64, u64)> {
    const PAGE_MASK: u64 = crate::PAGE_SIZE - 1;
    let start = ident_end.checked_add(PAGE_MASK)? & !PAGE_MASK;
    let end = core::cmp::min(old_end, max_mappable) & !PAGE_MASK;
    if end <= start {
        return None;
    }
    let max = match pages {
        MapPages::Pages4K => (budget / (4 << 10)).saturating_mul(1 << 20),
        MapPages::Pages1M => (budget / (16 << 10)).saturating_mul(2 << 30),
        MapPages::Pages2G => u64::MAX,
    };
    let len = core::cmp::min(end - start, max);
    (len > 0).then_some((start, start + len))
}

/// The pieces of real memory to map for the mapping `[start, end)` of
/// [`oldmem_mapping`] (page aligned): the parts of `ranges` inside it, each
/// widened to whole pages and merged with its neighbour where they then
/// touch, in address order. The holes between the ranges stay unmapped,
/// so that no access through the mapping can reach them.
///
/// `ranges` (physical, `end` exclusive) must be sorted by start and not
/// overlap, as memblock keeps them: the crashed system's memory and, for
/// kdump, the crashkernel area that holds its low memory. Then every byte
/// of them inside `[start, end)` is in exactly one piece, and every piece
/// lies inside `[start, end)`.
pub fn mapping_pieces(ranges: &[PhysRange], start: u64, end: u64) -> MappingPieces<'_> {
    MappingPieces {
        ranges: ranges.iter(),
        start,
        end,
        next: None,
    }
}

/// The iterator of [`mapping_pieces`].
pub struct MappingPieces<'a> {
    ranges: core::slice::Iter<'a, PhysRange>,
    start: u64,
    end: u64,
    /// A piece found that does not touch the one before it.
    next: Option<PhysRange>,
}

impl Iterator for MappingPieces<'_> {
    type Item = PhysRange;

    fn next(&mut self) -> Option<PhysRange> {
        const PAGE_MASK: u64 = crate::PAGE_SIZE - 1;
        let mut piece = self.next.take();
        for r in self.ranges.by_ref() {
            let start = core::cmp::max(r.start & !PAGE_MASK, self.start);
            let end = r
                .end
                .checked_add(PAGE_MASK)
                .map_or(!PAGE_MASK, |e| e & !PAGE_MASK);
            let end = core::cmp::min(end, self.end);
            if end <= start {
                continue;
            }
            match &mut piece {
                None => piece = Some(PhysRange { start, end }),
                Some(p) if start <= p.end => p.end = core::cmp::max(p.end, end),
                Some(_) => {
                    self.next = Some(PhysRange { start, end });
                    break;
                }
            }
        }
        piece
    }
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

#[cfg(test)]
pub(crate) mod tests;
