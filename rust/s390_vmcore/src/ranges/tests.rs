// SPDX-License-Identifier: GPL-2.0

//! Host tests of `ranges.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use proptest::prelude::*;
use std::cell::RefCell;
use std::vec;
use std::vec::Vec;

fn r(start: u64, end: u64) -> PhysRange {
    PhysRange { start, end }
}

/// Records every read; all reads succeed with 0xaa bytes.
#[derive(Default)]
struct Rec(RefCell<Vec<(u64, usize)>>);
impl OldMem for Rec {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), Error> {
        self.0.borrow_mut().push((paddr, buf.len()));
        buf.fill(0xaa);
        Ok(())
    }
}

#[test]
fn contains_boundaries() {
    let rs = [r(0x1000, 0x2000), r(0x3000, 0x4000)];
    // Ending exactly at a range end: inside; one byte more: outside.
    assert!(contains(&rs, 0x1000, 0x1000));
    assert!(contains(&rs, 0x1fff, 1));
    assert!(!contains(&rs, 0x1000, 0x1001));
    assert!(!contains(&rs, 0x1fff, 2));
    assert!(contains(&rs, 0x3ff0, 0x10));
    assert!(!contains(&rs, 0x3ff0, 0x11));
    // Before the first byte, in the hole, past the end.
    assert!(!contains(&rs, 0xfff, 1));
    assert!(!contains(&rs, 0x2000, 1));
    assert!(!contains(&rs, 0x2fff, 2));
    assert!(!contains(&rs, 0x4000, 1));
    // Covering the hole and both ranges.
    assert!(!contains(&rs, 0x1000, 0x3000));
    // Zero length: inside a range or exactly at its end.
    assert!(contains(&rs, 0x1000, 0));
    assert!(contains(&rs, 0x2000, 0));
    assert!(contains(&rs, 0x4000, 0));
    assert!(!contains(&rs, 0x2001, 0));
    assert!(!contains(&rs, 0xfff, 0));
    assert!(!contains(&rs, 0x4001, 0));
    // Spanning two adjacent ranges: outside (one range only).
    let adj = [r(0, 0x1000), r(0x1000, 0x2000)];
    assert!(contains(&adj, 0xff0, 0x10));
    assert!(contains(&adj, 0x1000, 0x10));
    assert!(!contains(&adj, 0xff0, 0x11));
    // Overflow, empty and inverted ranges, no ranges.
    let top = [r(u64::MAX - 0x10, u64::MAX)];
    assert!(contains(&top, u64::MAX - 1, 1));
    assert!(!contains(&top, u64::MAX - 1, 2));
    assert!(!contains(&top, u64::MAX, u64::MAX));
    assert!(!contains(&[r(0x2000, 0x1000)], 0x1800, 0));
    assert!(contains(&[r(0x1000, 0x1000)], 0x1000, 0));
    assert!(!contains(&[r(0x1000, 0x1000)], 0x1000, 1));
    assert!(!contains(&[], 0, 0));
}

#[test]
fn in_ranges_rejects_before_reading() {
    let rs = [r(0x1000, 0x2000), r(0x3000, 0x4000)];
    let rec = Rec::default();
    let w = InRanges::new(&rec, &rs);
    assert_eq!(w.ranges(), &rs);
    let mut b = [0u8; 0x10];
    assert_eq!(w.read(0x1ff0, &mut b), Ok(()));
    assert_eq!(b, [0xaa; 0x10]);
    let mut b = [0u8; 0x11];
    assert_eq!(
        w.read(0x1ff0, &mut b),
        Err(Error::OutsideMemory {
            paddr: 0x1ff0,
            len: 0x11
        })
    );
    assert_eq!(b, [0; 0x11]);
    assert_eq!(
        w.read(0x2800, &mut [0u8; 8]),
        Err(Error::OutsideMemory {
            paddr: 0x2800,
            len: 8
        })
    );
    assert_eq!(
        w.read(u64::MAX, &mut [0u8; 2]),
        Err(Error::OutsideMemory {
            paddr: u64::MAX,
            len: 2
        })
    );
    assert_eq!(w.read(0x4000, &mut []), Ok(()));
    assert_eq!(
        w.read(0x4001, &mut []),
        Err(Error::OutsideMemory {
            paddr: 0x4001,
            len: 0
        })
    );
    // Only the accepted reads reached the inner memory.
    assert_eq!(*rec.0.borrow(), vec![(0x1ff0, 0x10), (0x4000, 0)]);
    // Errors of the inner memory pass through unchanged.
    struct Fail;
    impl OldMem for Fail {
        fn read(&self, _: u64, _: &mut [u8]) -> Result<(), Error> {
            Err(Error::Read)
        }
    }
    let w = InRanges::new(&Fail, &rs);
    assert_eq!(w.read(0x1000, &mut [0u8; 4]), Err(Error::Read));
}

proptest! {
    #[test]
    fn in_ranges_matches_bytewise(
        rs in proptest::collection::vec((0u64..0x400, 0u64..0x100), 0..4),
        paddr in 0u64..0x500,
        len in 0usize..0x100,
    ) {
        let rs: Vec<PhysRange> = rs.into_iter().map(|(s, l)| r(s, s + l)).collect();
        // Reference: some single range holds every byte (and, for an
        // empty read, `paddr` lies in it or at its end).
        let end = paddr + len as u64;
        let inside = rs.iter().any(|x| {
            if len == 0 {
                x.start <= paddr && paddr <= x.end
            } else {
                (paddr..end).all(|b| x.start <= b && b < x.end)
            }
        });
        prop_assert_eq!(contains(&rs, paddr, len as u64), inside);
        let rec = Rec::default();
        let w = InRanges::new(&rec, &rs);
        let mut buf = vec![0u8; len];
        let res = w.read(paddr, &mut buf);
        if inside {
            prop_assert_eq!(res, Ok(()));
            prop_assert_eq!(rec.0.borrow().clone(), vec![(paddr, len)]);
        } else {
            prop_assert_eq!(res, Err(Error::OutsideMemory { paddr, len: len as u64 }));
            prop_assert!(rec.0.borrow().is_empty());
        }
    }
}

#[test]
fn old_memory_end_of_each_mode() {
    let rs = [r(0, 0x1000_0000), r(0x2000_0000, 0x3000_0000)];
    assert_eq!(old_memory_end(OldMemMode::Real, &rs), 0x3000_0000);
    assert_eq!(old_memory_end(OldMemMode::Real, &[]), 0);
    assert_eq!(
        old_memory_end(
            OldMemMode::Hsa {
                hsa_size: 0x4000_0000
            },
            &rs
        ),
        0x3000_0000
    );
    // The crashkernel area above the ranges ends the memory ...
    let high = OldMemMode::Kdump {
        start: 0x3000_0000,
        size: 0x0800_0000,
    };
    assert_eq!(old_memory_end(high, &rs), 0x3800_0000);
    assert_eq!(old_memory_end(high, &[]), 0x3800_0000);
    // ... one below their end does not, in either kdump mode.
    let low = OldMemMode::HsaKdump {
        hsa_size: 0x1000,
        start: 0x1000_0000,
        size: 0x0800_0000,
    };
    assert_eq!(old_memory_end(low, &rs), 0x3000_0000);
    // Unsorted ranges: the highest end counts, not the last.
    let unsorted = [r(0x2000_0000, 0x3000_0000), r(0, 0x1000_0000)];
    assert_eq!(old_memory_end(OldMemMode::Real, &unsorted), 0x3000_0000);
}
