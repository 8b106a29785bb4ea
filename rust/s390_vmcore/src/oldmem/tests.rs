// SPDX-License-Identifier: GPL-2.0

//! Host tests of `oldmem.rs`: built only by `cargo test`, never in the kernel.

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

/// Byte-wise reference: C `copy_oldmem_iter()` for a 1-byte copy.
fn c_byte(mode: OldMemMode, src: u64) -> Source {
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

/// Real memory byte at `paddr` of the fake machine.
fn real_byte(paddr: u64) -> u8 {
    (paddr ^ (paddr >> 8) ^ (paddr >> 16)) as u8 | 1
}

/// HSA byte at `offset`: differs from every real byte (even).
fn hsa_byte(offset: u64) -> u8 {
    (offset ^ (offset >> 8)) as u8 & !1
}

/// What a byte of `source` holds.
fn source_byte(source: Source) -> u8 {
    match source {
        Source::Hsa { offset } => hsa_byte(offset),
        Source::Real { paddr } => real_byte(paddr),
    }
}

/// A destination of `room` bytes over the fake machine; the HSA can be
/// read below `hsa_ok` only. Records every primitive call.
struct Fake {
    dest: Vec<u8>,
    room: usize,
    hsa_ok: u64,
    calls: Vec<(char, u64, u64)>,
    /// Bytes asked for by all calls.
    asked: u64,
    relaxes: usize,
}

impl Fake {
    fn new(room: usize, hsa_ok: u64) -> Self {
        Fake {
            dest: Vec::new(),
            room,
            hsa_ok,
            calls: Vec::new(),
            asked: 0,
            relaxes: 0,
        }
    }

    fn take(&mut self, len: u64) -> u64 {
        // No test asks for 64 MiB: a copy that makes no progress
        // fails here instead of looping until memory runs out.
        self.asked += len;
        let asked = self.asked;
        assert!(
            asked <= 64 << 20,
            "{} calls, {asked:#x} bytes",
            self.calls.len()
        );
        core::cmp::min(len, (self.room - self.dest.len()) as u64)
    }
}

impl CopyTarget for Fake {
    fn copy_real(&mut self, paddr: u64, len: u64) -> u64 {
        assert!(len > 0 && len <= REAL_COPY_STEP, "real piece of {len:#x}");
        self.calls.push(('r', paddr, len));
        let n = self.take(len);
        self.dest.extend((0..n).map(|k| real_byte(paddr + k)));
        n
    }

    fn copy_hsa(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>) {
        assert!(len > 0);
        self.calls.push(('h', offset, len));
        let readable = core::cmp::min(len, self.hsa_ok.saturating_sub(offset));
        let n = self.take(readable);
        self.dest.extend((0..n).map(|k| hsa_byte(offset + k)));
        let stop = if n < readable {
            Some(CopyStop::Destination)
        } else if n < len {
            Some(CopyStop::Source)
        } else {
            None
        };
        (n, stop)
    }

    fn copy_header(&mut self, src: &[u8]) -> u64 {
        assert!(!src.is_empty());
        self.calls.push(('e', 0, src.len() as u64));
        let n = self.take(src.len() as u64);
        self.dest.extend_from_slice(&src[..n as usize]);
        n
    }

    fn relax(&mut self) {
        self.relaxes += 1;
    }
}

#[test]
fn copy_oldmem_splits_at_the_hsa_end() {
    let m = OldMemMode::Hsa { hsa_size: 0x100 };
    let mut t = Fake::new(usize::MAX, u64::MAX);
    assert_eq!(copy_oldmem(m, &mut t, 0xf0, 0x20), (0x20, None));
    assert_eq!(t.calls, vec![('h', 0xf0, 0x10), ('r', 0x100, 0x10)]);
    assert_eq!(t.relaxes, 1);
    let want: Vec<u8> = (0xf0..0x100)
        .map(hsa_byte)
        .chain((0x100..0x110).map(real_byte))
        .collect();
    assert_eq!(t.dest, want);
}

#[test]
fn copy_oldmem_steps_real_memory_by_the_mib() {
    let mut t = Fake::new(usize::MAX, 0);
    let len = 2 * REAL_COPY_STEP + 3;
    assert_eq!(copy_oldmem(OldMemMode::Real, &mut t, 5, len), (len, None));
    assert_eq!(
        t.calls,
        vec![
            ('r', 5, REAL_COPY_STEP),
            ('r', 5 + REAL_COPY_STEP, REAL_COPY_STEP),
            ('r', 5 + 2 * REAL_COPY_STEP, 3)
        ]
    );
    assert_eq!(t.relaxes, 2);
}

#[test]
fn copy_oldmem_stops_where_a_copy_stops() {
    let m = OldMemMode::Hsa { hsa_size: 0x100 };
    // The HSA cannot be read from 0x80 on: nothing past it is tried.
    let mut t = Fake::new(usize::MAX, 0x80);
    assert_eq!(
        copy_oldmem(m, &mut t, 0x40, 0x100),
        (0x40, Some(CopyStop::Source))
    );
    assert_eq!(t.calls, vec![('h', 0x40, 0xc0)]);
    // The destination faults in the real memory part.
    let mut t = Fake::new(0x30, u64::MAX);
    assert_eq!(
        copy_oldmem(m, &mut t, 0xf0, 0x100),
        (0x30, Some(CopyStop::Destination))
    );
    // A primitive that copies less without a reason: the source for
    // the HSA. (Each fake fails after a few calls rather than let a
    // read that makes no progress loop.)
    struct Short(u32);
    impl CopyTarget for Short {
        fn copy_real(&mut self, _: u64, len: u64) -> u64 {
            self.0 += 1;
            assert!(self.0 < 16, "no progress");
            len
        }
        fn copy_hsa(&mut self, _: u64, len: u64) -> (u64, Option<CopyStop>) {
            self.0 += 1;
            assert!(self.0 < 16, "no progress");
            (len / 2, None)
        }
        fn copy_header(&mut self, src: &[u8]) -> u64 {
            src.len() as u64
        }
    }
    assert_eq!(
        copy_oldmem(m, &mut Short(0), 0, 0x10),
        (8, Some(CopyStop::Source))
    );
    // One that claims more than asked counts for what was asked.
    struct Long(u32);
    impl CopyTarget for Long {
        fn copy_real(&mut self, _: u64, len: u64) -> u64 {
            self.0 += 1;
            assert!(self.0 < 16, "no progress");
            len + 1
        }
        fn copy_hsa(&mut self, _: u64, len: u64) -> (u64, Option<CopyStop>) {
            self.0 += 1;
            assert!(self.0 < 16, "no progress");
            (len + 1, None)
        }
        fn copy_header(&mut self, src: &[u8]) -> u64 {
            src.len() as u64 + 1
        }
    }
    assert_eq!(copy_oldmem(m, &mut Long(0), 0xf0, 0x20), (0x20, None));
}

#[test]
fn copy_oldmem_refuses_to_wrap() {
    let mut t = Fake::new(usize::MAX, u64::MAX);
    assert_eq!(
        copy_oldmem(OldMemMode::Real, &mut t, u64::MAX, 1),
        (1, None)
    );
    assert_eq!(
        copy_oldmem(OldMemMode::Real, &mut t, u64::MAX, 2),
        (0, Some(CopyStop::Source))
    );
    assert_eq!(
        copy_oldmem(OldMemMode::Real, &mut t, u64::MAX, 0),
        (0, None)
    );
    assert_eq!(t.calls, vec![('r', u64::MAX, 1)]);
}

/// A dump file of a 0x2000-byte header and two segments, old memory
/// `[0x1000, 0x4000)` and `[0x10000, 0x12000)`.
fn test_file() -> (Vec<Segment>, u64) {
    let segs = vec![
        Segment {
            offset: 0x2000,
            size: 0x3000,
            paddr: 0x1000,
        },
        Segment {
            offset: 0x5000,
            size: 0x2000,
            paddr: 0x10000,
        },
    ];
    (segs, 0x7000)
}

/// What the test file holds at file offset `pos`.
fn file_byte(mode: OldMemMode, header: &[u8], segs: &[Segment], pos: u64) -> u8 {
    if pos < header.len() as u64 {
        return header[pos as usize];
    }
    let s = segs
        .iter()
        .find(|s| s.offset <= pos && pos < s.offset + s.size)
        .unwrap();
    source_byte(c_byte(mode, s.paddr + pos - s.offset))
}

#[test]
fn read_dump_pieces() {
    let m = OldMemMode::Kdump {
        start: 0x2000,
        size: 0x2000,
    };
    let header: Vec<u8> = (0..0x2000u32).map(|i| (i * 7) as u8).collect();
    let (segs, size) = test_file();
    let f = DumpFile {
        header: &header,
        segs: &segs,
        size,
        mode: m,
    };
    let pieces: Vec<Piece> = f.pieces(0x1ff0, 0x10000).collect();
    assert_eq!(
        pieces,
        vec![
            Piece::Header {
                start: 0x1ff0,
                len: 0x10
            },
            // Old 0x1000-0x2000 is below size: at 0x1000 + start.
            Piece::OldMem {
                source: Source::Real { paddr: 0x3000 },
                len: 0x1000
            },
            // Old 0x2000-0x4000 is the crashkernel area: old low memory.
            Piece::OldMem {
                source: Source::Real { paddr: 0 },
                len: 0x2000
            },
            Piece::OldMem {
                source: Source::Real { paddr: 0x10000 },
                len: 0x2000
            },
        ]
    );
    let mut t = Fake::new(usize::MAX, u64::MAX);
    assert_eq!(read_dump(&f, &mut t, 0x1ff0, 0x10000), (0x5010, None));
    assert_eq!(t.relaxes, 3);
    let want: Vec<u8> = (0x1ff0..0x7000)
        .map(|p| file_byte(m, &header, &segs, p))
        .collect();
    assert_eq!(t.dest, want);
    // The header stops at a fault of the destination.
    let mut t = Fake::new(4, u64::MAX);
    assert_eq!(
        read_dump(&f, &mut t, 0, 0x100),
        (4, Some(CopyStop::Destination))
    );
    assert_eq!(t.dest, header[..4]);
    // Lengths of pieces.
    assert_eq!(pieces.iter().map(Piece::len).sum::<u64>(), 0x5010);
    assert!(pieces.iter().all(|p| !p.is_empty()));
    assert!(Piece::Header { start: 5, len: 0 }.is_empty());
    let none = Piece::OldMem {
        source: Source::Real { paddr: 5 },
        len: 0,
    };
    assert!(none.is_empty());
    // At and past the end of the file: nothing.
    let mut t = Fake::new(usize::MAX, u64::MAX);
    assert_eq!(read_dump(&f, &mut t, size, 1), (0, None));
    assert_eq!(read_dump(&f, &mut t, u64::MAX, u64::MAX), (0, None));
    assert!(t.calls.is_empty());
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
    let all: Vec<_> = mapping_pieces(&rs, 0x8_0000, 0x88_0000).collect();
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
    assert_eq!(mapping_pieces(&rs, 0x60_0000, 0x80_0000).count(), 0);
    assert_eq!(mapping_pieces(&rs, 0x20_0000, 0x20_0000).count(), 0);
    assert_eq!(mapping_pieces(&[], 0, u64::MAX).count(), 0);
    // The last page of the address space.
    let top = [r(u64::MAX - 0x1fff, u64::MAX)];
    assert_eq!(
        mapping_pieces(&top, 0, !0xfff).collect::<Vec<_>>(),
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
        let pieces: Vec<_> = mapping_pieces(&ranges, start, end).collect();
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
    const G: u64 = 1 << 30;
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

    #[test]
    fn copy_oldmem_copies_what_c_reads(
        mode in arb_mode(),
        paddr in 0u64..0x20000,
        len in 0u64..0x20000,
        room in 0usize..0x20000,
        hsa_ok in 0u64..0x10000,
    ) {
        let mut t = Fake::new(room, hsa_ok);
        let (copied, stop) = copy_oldmem(mode, &mut t, paddr, len);
        prop_assert_eq!(copied as usize, t.dest.len());
        for (k, &b) in t.dest.iter().enumerate() {
            prop_assert_eq!(b, source_byte(c_byte(mode, paddr + k as u64)), "byte {:#x}", k);
        }
        // It stops only where the destination is full or the HSA
        // unreadable, and says which.
        let next = paddr + copied;
        match stop {
            None => prop_assert_eq!(copied, len),
            Some(CopyStop::Destination) => prop_assert_eq!(t.dest.len(), room),
            Some(CopyStop::Source) => {
                let unreadable =
                    matches!(c_byte(mode, next), Source::Hsa { offset } if offset >= hsa_ok);
                prop_assert!(unreadable);
            }
        }
        prop_assert!(copied <= len);
    }

    #[test]
    fn read_dump_reads_the_file(
        mode in arb_mode(),
        pos in 0u64..0x8000,
        len in 0u64..0x8000,
        room in 0usize..0x8000,
    ) {
        let header: Vec<u8> = (0..0x2000u32).map(|i| (i * 13) as u8).collect();
        let (segs, size) = test_file();
        let f = DumpFile { header: &header, segs: &segs, size, mode };
        let mut t = Fake::new(room, u64::MAX);
        let (copied, stop) = read_dump(&f, &mut t, pos, len);
        prop_assert_eq!(copied as usize, t.dest.len());
        for (k, &b) in t.dest.iter().enumerate() {
            let want = file_byte(mode, &header, &segs, pos + k as u64);
            prop_assert_eq!(b, want, "byte {:#x}", k);
        }
        let want = core::cmp::min(len, size.saturating_sub(pos));
        match stop {
            None => prop_assert_eq!(copied, want),
            Some(CopyStop::Destination) => prop_assert_eq!(t.dest.len(), room),
            Some(CopyStop::Source) => prop_assert!(false, "the HSA is readable"),
        }
        // The pieces cover the same bytes, in order, none empty.
        let mut at = pos;
        for p in f.pieces(pos, len) {
            prop_assert!(!p.is_empty());
            at += p.len();
        }
        prop_assert_eq!(at, pos + want);
    }
}
