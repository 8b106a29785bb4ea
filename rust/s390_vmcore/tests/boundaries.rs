// SPDX-License-Identifier: GPL-2.0
//! `map_oldmem` exactly at, one below and one above every boundary of the
//! old-memory address map: `hsa_size`, the crashkernel area's start and
//! end (`start`, `start + size`) and the end of the swapped low memory
//! (`size`). Each case asserts the source and the length of the piece,
//! once for a long read (the piece ends at the next boundary) and once for
//! a one-byte read (the piece is that byte).

use s390_vmcore::{map_oldmem, OldMemMode, Source};

const MIB: u64 = 1 << 20;
/// A read longer than any piece in these modes.
const LONG: u64 = 1 << 40;

fn real(paddr: u64) -> Source {
    Source::Real { paddr }
}

fn hsa(offset: u64) -> Source {
    Source::Hsa { offset }
}

/// `map_oldmem(mode, paddr, LONG)` is `(src, n)`, and a one-byte read at
/// `paddr` is `(src, 1)`.
#[track_caller]
fn check(mode: OldMemMode, paddr: u64, src: Source, n: u64) {
    assert_eq!(
        map_oldmem(mode, paddr, LONG),
        (src, n),
        "{mode:?} at {paddr:#x}"
    );
    assert_eq!(
        map_oldmem(mode, paddr, 1),
        (src, 1),
        "{mode:?} at {paddr:#x}, 1 byte"
    );
}

#[test]
fn hsa_size() {
    let h = 0x2003000;
    let m = OldMemMode::Hsa { hsa_size: h };
    check(m, h - 1, hsa(h - 1), 1);
    check(m, h, real(h), LONG);
    check(m, h + 1, real(h + 1), LONG);
    check(m, 0, hsa(0), h);
    // A read that ends exactly at hsa_size, and one byte before it.
    assert_eq!(map_oldmem(m, h - 10, 10), (hsa(h - 10), 10));
    assert_eq!(map_oldmem(m, h - 10, 9), (hsa(h - 10), 9));
    assert_eq!(map_oldmem(m, h - 10, 11), (hsa(h - 10), 10));
}

/// The kdump crashkernel area of the guests: 200 MiB at 256 MiB, so old
/// `[0, 200M)` is read from `[256M, 456M)` and vice versa.
const START: u64 = 256 * MIB;
const SIZE: u64 = 200 * MIB;
const KDUMP: OldMemMode = OldMemMode::Kdump {
    start: START,
    size: SIZE,
};

#[test]
fn crashkernel_start() {
    // Below start: identity, and the piece stops at start.
    check(KDUMP, START - 1, real(START - 1), 1);
    // From start on: the dump kernel's old memory at [0, size).
    check(KDUMP, START, real(0), SIZE);
    check(KDUMP, START + 1, real(1), SIZE - 1);
}

#[test]
fn crashkernel_end() {
    check(KDUMP, START + SIZE - 1, real(SIZE - 1), 1);
    check(KDUMP, START + SIZE, real(START + SIZE), LONG);
    check(KDUMP, START + SIZE + 1, real(START + SIZE + 1), LONG);
}

#[test]
fn crashkernel_size() {
    // Old [0, size) lives in the crashkernel area.
    check(KDUMP, 0, real(START), SIZE);
    check(KDUMP, SIZE - 1, real(START + SIZE - 1), 1);
    // From size on: identity, up to start.
    check(KDUMP, SIZE, real(SIZE), START - SIZE);
    check(KDUMP, SIZE + 1, real(SIZE + 1), START - SIZE - 1);
}

#[test]
fn crashkernel_right_after_the_swapped_memory() {
    // start == size: the two areas touch; every boundary is one address.
    let m = OldMemMode::Kdump {
        start: SIZE,
        size: SIZE,
    };
    check(m, SIZE - 1, real(2 * SIZE - 1), 1);
    check(m, SIZE, real(0), SIZE);
    check(m, SIZE + 1, real(1), SIZE - 1);
    check(m, 2 * SIZE - 1, real(SIZE - 1), 1);
    check(m, 2 * SIZE, real(2 * SIZE), LONG);
}

#[test]
fn hsa_below_a_crashkernel_area() {
    // The test HSA: [0, hsa_size) through the HSA, the rest as kdump.
    let h = 0x2003000;
    let m = OldMemMode::HsaKdump {
        hsa_size: h,
        start: START,
        size: SIZE,
    };
    check(m, h - 1, hsa(h - 1), 1);
    check(m, h, real(START + h), SIZE - h);
    check(m, h + 1, real(START + h + 1), SIZE - h - 1);
    check(m, SIZE - 1, real(START + SIZE - 1), 1);
    check(m, SIZE, real(SIZE), START - SIZE);
    check(m, START - 1, real(START - 1), 1);
    check(m, START, real(0), SIZE);
    check(m, START + SIZE - 1, real(SIZE - 1), 1);
    check(m, START + SIZE, real(START + SIZE), LONG);
    // An HSA beyond the crashkernel area hides all of it.
    let m = OldMemMode::HsaKdump {
        hsa_size: START + SIZE + 1,
        start: START,
        size: SIZE,
    };
    check(m, START + SIZE, hsa(START + SIZE), 1);
    check(m, START + SIZE + 1, real(START + SIZE + 1), LONG);
}

#[test]
fn zero_sizes() {
    // No HSA, no crashkernel area: identity everywhere.
    check(OldMemMode::Hsa { hsa_size: 0 }, 0, real(0), LONG);
    let m = OldMemMode::Kdump { start: 0, size: 0 };
    check(m, 0, real(0), LONG);
    check(m, 1, real(1), LONG);
    let m = OldMemMode::Kdump {
        start: START,
        size: 0,
    };
    check(m, START - 1, real(START - 1), 1);
    check(m, START, real(START), LONG);
    check(OldMemMode::Real, u64::MAX, real(u64::MAX), LONG);
    // A zero-length read is an empty piece.
    assert_eq!(map_oldmem(KDUMP, START, 0), (real(0), 0));
}
