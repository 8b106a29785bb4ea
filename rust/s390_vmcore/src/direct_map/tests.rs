// SPDX-License-Identifier: GPL-2.0

//! Host tests of `direct_map.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use proptest::prelude::*;
use std::vec::Vec;

const G: u64 = 1 << 30;

fn r(start: u64, end: u64) -> PhysRange {
    PhysRange { start, end }
}

#[test]
fn mapping_pieces_leave_the_holes() {
    let rs = [
        r(0, 0x10_0000),
        r(0x20_0000, 0x30_0000),
        // Not page aligned: widened, and then touching the next.
        r(0x40_0800, 0x50_0100),
        r(0x50_1000, 0x60_0000),
        r(0x80_0000, 0x90_0000),
    ];
    let all: Vec<_> = mapping_pieces(OldMemMode::Real, &rs, 0x8_0000, 0x88_0000).collect();
    assert_eq!(
        all,
        [
            r(0x8_0000, 0x10_0000),
            r(0x20_0000, 0x30_0000),
            r(0x40_0000, 0x60_0000),
            r(0x80_0000, 0x88_0000),
        ]
    );
    // A mapping inside a hole, or empty: nothing.
    assert_eq!(
        mapping_pieces(OldMemMode::Real, &rs, 0x60_0000, 0x80_0000).count(),
        0
    );
    assert_eq!(
        mapping_pieces(OldMemMode::Real, &rs, 0x20_0000, 0x20_0000).count(),
        0
    );
    assert_eq!(
        mapping_pieces(OldMemMode::Real, &[], 0, u64::MAX).count(),
        0
    );
    // The last page of the address space.
    let top = [r(u64::MAX - 0x1fff, u64::MAX)];
    assert_eq!(
        mapping_pieces(OldMemMode::Real, &top, 0, !0xfff).collect::<Vec<_>>(),
        [r(u64::MAX - 0x1fff, !0xfff)]
    );
}

proptest! {
    /// Every byte of the ranges inside the mapping is in one piece;
    /// pieces are page aligned, in order, apart, inside the mapping,
    /// and cover no whole page of a hole.
    #[test]
    fn mapping_pieces_cover_the_ranges_only(
        steps in proptest::collection::vec((0u64..0x3000, 1u64..0x6000), 0..10),
        a in 0u64..0x40000, b in 0u64..0x40000,
    ) {
        let mut at = 0;
        let ranges: Vec<PhysRange> = steps.iter().map(|&(gap, len)| {
            let start = at + gap;
            at = start + len;
            r(start, at)
        }).collect();
        let (start, end) = (a.min(b) & !0xfff, a.max(b) & !0xfff);
        let pieces: Vec<_> = mapping_pieces(OldMemMode::Real, &ranges, start, end).collect();
        for w in pieces.windows(2) {
            prop_assert!(w[0].end < w[1].start);
        }
        for p in &pieces {
            prop_assert!(p.start < p.end && p.start % 4096 == 0 && p.end % 4096 == 0);
            prop_assert!(start <= p.start && p.end <= end);
        }
        let mapped = |x: u64| pieces.iter().any(|p| p.start <= x && x < p.end);
        for page in (start..end).step_by(4096) {
            let used = ranges.iter().any(|q| q.start < page + 4096 && page < q.end);
            prop_assert_eq!(mapped(page), used, "page {:#x}", page);
        }
    }
}

#[test]
fn oldmem_mapping_bounds() {
    const M: u64 = 1 << 20;
    let all = u64::MAX;
    // From the end of this kernel's memory to the end of old memory.
    assert_eq!(
        oldmem_mapping(200 * M, 2 * G, all, all, MapPages::Pages2G),
        Some((200 * M, 2 * G))
    );
    // Page aligned: the start up, the end down.
    assert_eq!(
        oldmem_mapping(200 * M + 1, 2 * G + 4095, all, all, MapPages::Pages2G),
        Some((200 * M + 4096, 2 * G))
    );
    assert_eq!(
        oldmem_mapping(200 * M - 4095, 2 * G - 1, all, all, MapPages::Pages2G),
        Some((200 * M, 2 * G - 4096))
    );
    // Nothing above this kernel's memory, or nothing left.
    assert_eq!(
        oldmem_mapping(2 * G, 2 * G, all, all, MapPages::Pages2G),
        None
    );
    assert_eq!(oldmem_mapping(2 * G, G, all, all, MapPages::Pages2G), None);
    assert_eq!(
        oldmem_mapping(G - 1, G + 4095, all, all, MapPages::Pages2G),
        None
    );
    assert_eq!(
        oldmem_mapping(all - 1, all, all, all, MapPages::Pages2G),
        None
    );
    // What the identity mapping can reach, page aligned down.
    assert_eq!(
        oldmem_mapping(G, 4 * G, 3 * G, all, MapPages::Pages2G),
        Some((G, 3 * G))
    );
    assert_eq!(
        oldmem_mapping(G, 4 * G, 3 * G + 4095, all, MapPages::Pages2G),
        Some((G, 3 * G))
    );
    assert_eq!(oldmem_mapping(G, 4 * G, G, all, MapPages::Pages2G), None);
    // The page-table budget: 4 KiB per MiB, 16 KiB per 2 GiB.
    assert_eq!(
        oldmem_mapping(G, 4 * G, all, 64 << 10, MapPages::Pages4K),
        Some((G, G + 16 * M))
    );
    assert_eq!(
        oldmem_mapping(G, 4 * G, all, (64 << 10) - 1, MapPages::Pages4K),
        Some((G, G + 15 * M))
    );
    assert_eq!(
        oldmem_mapping(G, 1 << 40, all, 32 << 10, MapPages::Pages1M),
        Some((G, G + 4 * G))
    );
    assert_eq!(
        oldmem_mapping(G, 1 << 40, all, (32 << 10) - 1, MapPages::Pages1M),
        Some((G, G + 2 * G))
    );
    assert_eq!(oldmem_mapping(G, 4 * G, all, 4095, MapPages::Pages4K), None);
    assert_eq!(oldmem_mapping(G, 4 * G, all, 0, MapPages::Pages1M), None);
    assert_eq!(
        oldmem_mapping(G, 4 * G, all, 0, MapPages::Pages2G),
        Some((G, 4 * G))
    );
    // A budget beyond what there is to map changes nothing.
    assert_eq!(
        oldmem_mapping(G, 4 * G, all, all, MapPages::Pages4K),
        Some((G, 4 * G))
    );
}

#[test]
fn mapping_pieces_take_the_crashkernel_area_in_its_place() {
    let rs = [r(0, 0x10_0000), r(0x40_0000, 0x50_0000)];
    let pieces = |start, size| {
        mapping_pieces(OldMemMode::Kdump { start, size }, &rs, 0, 0x100_0000).collect::<Vec<_>>()
    };
    // Between the ranges, touching the first: merged with it.
    assert_eq!(
        pieces(0x10_0000, 0x10_0000),
        [r(0, 0x20_0000), r(0x40_0000, 0x50_0000)]
    );
    // Between the ranges, apart from both.
    assert_eq!(
        pieces(0x20_0000, 0x10_0000),
        [
            r(0, 0x10_0000),
            r(0x20_0000, 0x30_0000),
            r(0x40_0000, 0x50_0000)
        ]
    );
    // Above the ranges, and at the very start.
    assert_eq!(
        pieces(0x80_0000, 0x10_0000),
        [
            r(0, 0x10_0000),
            r(0x40_0000, 0x50_0000),
            r(0x80_0000, 0x90_0000)
        ]
    );
    let low = [r(0x10_0000, 0x20_0000)];
    assert_eq!(
        mapping_pieces(
            OldMemMode::Kdump {
                start: 0,
                size: 0x8_0000
            },
            &low,
            0,
            !0xfff
        )
        .collect::<Vec<_>>(),
        [r(0, 0x8_0000), r(0x10_0000, 0x20_0000)]
    );
    // The test HSA's kdump boot has the area too; a stand-alone dump not.
    let hsa_kdump = OldMemMode::HsaKdump {
        hsa_size: 0x1000,
        start: 0x20_0000,
        size: 0x10_0000,
    };
    assert_eq!(mapping_pieces(hsa_kdump, &rs, 0, 0x100_0000).count(), 3);
    let hsa = OldMemMode::Hsa {
        hsa_size: 0x20_0000,
    };
    assert_eq!(mapping_pieces(hsa, &rs, 0, 0x100_0000).count(), 2);
}

fn facts(total_pages: u64, edat1: bool, edat2: bool, debug_pagealloc: bool) -> MachineFacts {
    MachineFacts {
        identity_size: G,
        max_mappable: 64 * G,
        total_pages,
        edat1,
        edat2,
        debug_pagealloc,
    }
}

#[test]
fn map_pages_and_budget_of_the_machine() {
    assert_eq!(facts(0, false, false, false).map_pages(), MapPages::Pages4K);
    assert_eq!(facts(0, false, true, false).map_pages(), MapPages::Pages4K);
    assert_eq!(facts(0, true, false, false).map_pages(), MapPages::Pages1M);
    assert_eq!(facts(0, true, true, false).map_pages(), MapPages::Pages2G);
    assert_eq!(facts(0, true, true, true).map_pages(), MapPages::Pages4K);
    // 1 GiB of memory (262144 pages): 64 MiB of page tables.
    assert_eq!(facts(262_144, true, true, false).budget(), 64 << 20);
    assert_eq!(facts(u64::MAX, true, true, false).budget(), u64::MAX / 16);
}

#[test]
fn window_of_the_machine() {
    // 4 KiB pages, 1 GiB of memory: 64 MiB of page tables map 16 GiB.
    let small = facts(262_144, false, false, false);
    assert_eq!(small.window(64 * G, u64::MAX), Some((G, 17 * G)));
    // 1 MiB pages: 4096 segment tables of 16 KiB, 8 TiB; the old memory
    // ends first, and `max_mappable`, and the test kernel's cap.
    let edat1 = facts(262_144, true, false, false);
    assert_eq!(edat1.window(32 * G, u64::MAX), Some((G, 32 * G)));
    assert_eq!(edat1.window(128 * G, u64::MAX), Some((G, 64 * G)));
    assert_eq!(edat1.window(32 * G, 2 * G), Some((G, 2 * G)));
    // Nothing above this kernel's identity mapping: nothing to map.
    assert_eq!(edat1.window(G, u64::MAX), None);
    assert_eq!(edat1.window(32 * G, G), None);
}
