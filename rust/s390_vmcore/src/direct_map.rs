// SPDX-License-Identifier: GPL-2.0

//! The direct-map budget: how much of the crashed system's real memory
//! the dump kernel maps into its identity mapping, read-only, so that
//! reads copy straight from it, and in which pieces (the kernel glue maps
//! them with `vmem_add_mapping_ro()`, `arch/s390/mm/vmem.c`). What is not
//! mapped is read through `memcpy_real_iter()`.

use crate::oldmem::OldMemMode;
use crate::ranges::PhysRange;

/// What boot fixed that decides the mapping: the dump kernel's identity
/// mapping, its memory, and the machine's large-page facilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MachineFacts {
    /// End of this kernel's identity mapping (`vm_layout.identity_size`;
    /// physical, bytes).
    pub identity_size: u64,
    /// Highest address the identity mapping may cover (`max_mappable`;
    /// physical, bytes).
    pub max_mappable: u64,
    /// This kernel's memory in pages of 4 KiB (`totalram_pages()`).
    pub total_pages: u64,
    /// The enhanced-DAT facility 1 (1 MiB pages, `MACHINE_HAS_EDAT1`).
    pub edat1: bool,
    /// The enhanced-DAT facility 2 (2 GiB pages, `MACHINE_HAS_EDAT2`).
    pub edat2: bool,
    /// `debug_pagealloc`, which maps everything with 4 KiB pages.
    pub debug_pagealloc: bool,
}

impl MachineFacts {
    /// The largest pages the identity mapping uses here
    /// (`vmem_add_range()`): 4 KiB without EDAT1 or with
    /// `debug_pagealloc`, 1 MiB with EDAT1 only, 2 GiB with EDAT2.
    pub fn map_pages(&self) -> MapPages {
        if !self.edat1 || self.debug_pagealloc {
            MapPages::Pages4K
        } else if !self.edat2 {
            MapPages::Pages1M
        } else {
            MapPages::Pages2G
        }
    }

    /// The most the page tables for old memory may take: 1/16 of this
    /// kernel's memory, in bytes.
    pub fn budget(&self) -> u64 {
        self.total_pages.saturating_mul(crate::PAGE_SIZE) / 16
    }

    /// What to map of the old memory below physical `old_end` (bytes):
    /// [`oldmem_mapping`] from the end of this kernel's identity mapping,
    /// within `max_mappable` and below `cap` (the test kernel's
    /// `vmcore_rs_test_map_cap=`, else `u64::MAX`), with page tables of
    /// at most [`MachineFacts::budget`] bytes.
    pub fn window(&self, old_end: u64, cap: u64) -> Option<(u64, u64)> {
        let max_mappable = core::cmp::min(self.max_mappable, cap);
        oldmem_mapping(
            self.identity_size,
            old_end,
            max_mappable,
            self.budget(),
            self.map_pages(),
        )
    }
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
/// [`oldmem_mapping`] (page aligned): the parts of the crashed system's
/// memory inside it, each widened to whole pages and merged with its
/// neighbour where they then touch, in address order. The holes between
/// them stay unmapped, so that no access through the mapping can reach
/// them.
///
/// The crashed system's memory in real memory is its memory `ranges`
/// and, for kdump, the crashkernel area that holds its low memory
/// ([`OldMemMode::crashkernel_area`]). `ranges` (physical, `end`
/// exclusive) must be sorted by start and not overlap each other or the
/// area, as memblock keeps them. Then every byte of them inside
/// `[start, end)` is in exactly one piece, and every piece lies inside
/// `[start, end)`.
pub fn mapping_pieces(
    mode: OldMemMode,
    ranges: &[PhysRange],
    start: u64,
    end: u64,
) -> MappingPieces<'_> {
    MappingPieces {
        ranges: ranges.iter(),
        area: mode.crashkernel_area(),
        start,
        end,
        next: None,
    }
}

/// The iterator of [`mapping_pieces`].
pub struct MappingPieces<'a> {
    ranges: core::slice::Iter<'a, PhysRange>,
    /// The crashkernel area, until its place among the ranges is reached.
    area: Option<PhysRange>,
    start: u64,
    end: u64,
    /// A piece found that does not touch the one before it.
    next: Option<PhysRange>,
}

impl MappingPieces<'_> {
    /// The next range of the crashed system's memory in real memory, by
    /// start: the crashkernel area before the first range above it.
    fn next_range(&mut self) -> Option<PhysRange> {
        match (self.area, self.ranges.as_slice().first()) {
            (Some(a), Some(r)) if r.start <= a.start => {
                self.ranges.next();
                Some(*r)
            }
            (Some(a), _) => {
                self.area = None;
                Some(a)
            }
            (None, _) => self.ranges.next().copied(),
        }
    }
}

impl Iterator for MappingPieces<'_> {
    type Item = PhysRange;

    fn next(&mut self) -> Option<PhysRange> {
        const PAGE_MASK: u64 = crate::PAGE_SIZE - 1;
        let mut piece = self.next.take();
        while let Some(r) = self.next_range() {
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

#[cfg(test)]
mod tests;
