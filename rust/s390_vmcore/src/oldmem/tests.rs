// SPDX-License-Identifier: GPL-2.0

//! Host tests of `oldmem.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

fn r(start: u64, end: u64) -> PhysRange {
    PhysRange { start, end }
}

/// Byte-wise reference: C `copy_oldmem_iter()` for a 1-byte copy.
pub(crate) fn c_byte(mode: OldMemMode, src: u64) -> Source {
    match mode {
        OldMemMode::Real => Source::Real { paddr: src },
        OldMemMode::Hsa { hsa_size } if src < hsa_size => Source::Hsa { offset: src },
        OldMemMode::Hsa { .. } => Source::Real { paddr: src },
        OldMemMode::HsaKdump { hsa_size, .. } if src < hsa_size => Source::Hsa { offset: src },
        OldMemMode::HsaKdump { start, size, .. } => c_byte(OldMemMode::Kdump { start, size }, src),
        OldMemMode::Kdump { start, size } => {
            if src.wrapping_sub(start) < size {
                Source::Real { paddr: src - start }
            } else if src < size {
                Source::Real { paddr: src + start }
            } else {
                Source::Real { paddr: src }
            }
        }
    }
}

fn advance(s: Source, k: u64) -> Source {
    match s {
        Source::Hsa { offset } => Source::Hsa { offset: offset + k },
        Source::Real { paddr } => Source::Real { paddr: paddr + k },
    }
}

#[test]
fn kdump_examples() {
    let m = OldMemMode::Kdump {
        start: 0x1000_0000,
        size: 0x800_0000,
    };
    assert_eq!(
        map_oldmem(m, 0, 0x1000),
        (Source::Real { paddr: 0x1000_0000 }, 0x1000)
    );
    // Straddles the end of the swapped low area.
    assert_eq!(
        map_oldmem(m, 0x7ff_f000, 0x2000),
        (Source::Real { paddr: 0x17ff_f000 }, 0x1000)
    );
    assert_eq!(
        map_oldmem(m, 0x800_0000, 0x10),
        (Source::Real { paddr: 0x800_0000 }, 0x10)
    );
    // Plain memory up to the crashkernel start (robustness split).
    assert_eq!(
        map_oldmem(m, 0xfff_f000, 0x2000),
        (Source::Real { paddr: 0xfff_f000 }, 0x1000)
    );
    // The crashkernel area returns the old low memory.
    assert_eq!(
        map_oldmem(m, 0x1000_0000, 0x10),
        (Source::Real { paddr: 0 }, 0x10)
    );
    assert_eq!(
        map_oldmem(m, 0x17ff_ffff, 0x10),
        (Source::Real { paddr: 0x7ff_ffff }, 1)
    );
    assert_eq!(
        map_oldmem(m, 0x1800_0000, 0x10),
        (Source::Real { paddr: 0x1800_0000 }, 0x10)
    );
}

#[test]
fn hsa_examples() {
    let m = OldMemMode::Hsa {
        hsa_size: 0x2000_0000,
    };
    assert_eq!(
        map_oldmem(m, 0x1fff_fff0, 0x100),
        (
            Source::Hsa {
                offset: 0x1fff_fff0
            },
            0x10
        )
    );
    assert_eq!(
        map_oldmem(m, 0x2000_0000, 0x100),
        (Source::Real { paddr: 0x2000_0000 }, 0x100)
    );
    let z = OldMemMode::Hsa { hsa_size: 0 };
    assert_eq!(map_oldmem(z, 0, 0x100), (Source::Real { paddr: 0 }, 0x100));
    assert_eq!(
        map_oldmem(OldMemMode::Real, 5, 7),
        (Source::Real { paddr: 5 }, 7)
    );
}

#[test]
fn crashkernel_area_of_each_mode() {
    let (start, size) = (0x1000_0000, 0x0c80_0000);
    assert_eq!(
        OldMemMode::Kdump { start, size }.crashkernel_area(),
        Some(r(start, start + size))
    );
    let hsa_size = 0x2003000;
    assert_eq!(
        OldMemMode::HsaKdump {
            hsa_size,
            start,
            size
        }
        .crashkernel_area(),
        Some(r(start, start + size))
    );
    assert_eq!(OldMemMode::Hsa { hsa_size }.crashkernel_area(), None);
    assert_eq!(OldMemMode::Real.crashkernel_area(), None);
    let top = OldMemMode::Kdump {
        start: u64::MAX - 1,
        size: 4,
    };
    assert_eq!(top.crashkernel_area(), Some(r(u64::MAX - 1, u64::MAX)));
}

/// Every mode with small addresses, realistic and overlapping layouts
/// (also used by the tests of `report`).
pub(crate) fn arb_mode() -> impl Strategy<Value = OldMemMode> {
    prop_oneof![
        Just(OldMemMode::Real),
        (0u64..0x10000).prop_map(|h| OldMemMode::Hsa { hsa_size: h }),
        // Realistic (start >= size) and overlapping (start < size) layouts.
        (0u64..0x10000, 0u64..0x10000).prop_map(|(start, size)| OldMemMode::Kdump { start, size }),
        (0u64..0x10000, 0u64..0x10000, 0u64..0x10000).prop_map(|(hsa_size, start, size)| {
            OldMemMode::HsaKdump {
                hsa_size,
                start,
                size,
            }
        }),
    ]
}

proptest! {
    #[test]
    fn pieces_match_c_bytewise(
        mode in arb_mode(),
        paddr in 0u64..0x20000,
        len in 0u64..0x20000,
    ) {
        let bounds: Vec<u64> = match mode {
            OldMemMode::Real => vec![],
            OldMemMode::Hsa { hsa_size } => vec![hsa_size],
            OldMemMode::Kdump { start, size } => vec![start, size, start + size],
            OldMemMode::HsaKdump { hsa_size, start, size } => {
                vec![hsa_size, start, size, start + size]
            }
        };
        let end = paddr + len;
        let mut at = paddr;
        while at < end {
            let (src, n) = map_oldmem(mode, at, end - at);
            prop_assert!(n > 0 && n <= end - at);
            // Pieces end only at the request end or at a boundary.
            prop_assert!(at + n == end || bounds.contains(&(at + n)), "split at {:#x}", at + n);
            // Every byte of the piece maps like C maps it individually
            // (check the first, last, and a few in between).
            for k in [0, n / 3, n / 2, n - 1] {
                prop_assert_eq!(advance(src, k), c_byte(mode, at + k));
            }
            at += n;
        }
        prop_assert_eq!(at, end);
        let (_, z) = map_oldmem(mode, paddr, 0);
        prop_assert_eq!(z, 0);
    }

    #[test]
    fn page_reads_equal_c(
        mode in arb_mode(),
        page in 0u64..64,
        off in 0u64..4096,
        len in 1u64..4096,
    ) {
        // C reads page by page; for page-aligned boundaries our first
        // piece is exactly C's first piece.
        let mode = match mode {
            OldMemMode::Kdump { start, size } => {
                OldMemMode::Kdump { start: start & !0xfff, size: size & !0xfff }
            }
            OldMemMode::Hsa { hsa_size } => OldMemMode::Hsa { hsa_size: hsa_size & !0xfff },
            OldMemMode::HsaKdump { hsa_size, start, size } => OldMemMode::HsaKdump {
                hsa_size: hsa_size & !0xfff, start: start & !0xfff, size: size & !0xfff },
            m => m,
        };
        let len = core::cmp::min(len, 4096 - off);
        let src = page * 4096 + off;
        let c_mode = match mode {
            OldMemMode::HsaKdump { hsa_size, .. } if src < hsa_size => {
                OldMemMode::Hsa { hsa_size }
            }
            OldMemMode::HsaKdump { start, size, .. } => OldMemMode::Kdump { start, size },
            m => m,
        };
        let c = match c_mode {
            OldMemMode::Real => (Source::Real { paddr: src }, len),
            OldMemMode::HsaKdump { .. } => unreachable!(),
            OldMemMode::Hsa { hsa_size } if src < hsa_size =>
                (Source::Hsa { offset: src }, core::cmp::min(len, hsa_size - src)),
            OldMemMode::Hsa { .. } => (Source::Real { paddr: src }, len),
            OldMemMode::Kdump { start, size } => {
                if src.wrapping_sub(start) < size {
                    let n = core::cmp::min(len, size - (src - start));
                    (Source::Real { paddr: src - start }, n)
                } else if src < size {
                    (Source::Real { paddr: src + start }, core::cmp::min(len, size - src))
                } else {
                    (Source::Real { paddr: src }, len)
                }
            }
        };
        prop_assert_eq!(map_oldmem(mode, src, len), c);
    }
}
