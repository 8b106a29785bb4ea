// SPDX-License-Identifier: GPL-2.0

//! Host tests of `copy.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use crate::file::tests::test_file;
use crate::file::DumpFile;
use crate::layout::Segment;
use crate::oldmem::tests::{arb_mode, c_byte};
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

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
        (n, stop_of(n, readable, len))
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
    assert_eq!(
        copy_oldmem(m, &mut Misreport::new(|len| len / 2), 0, 0x10),
        (8, Some(CopyStop::Source))
    );
    // One that claims more than asked counts for what was asked.
    assert_eq!(
        copy_oldmem(m, &mut Misreport::new(|len| len + 1), 0xf0, 0x20),
        (0x20, None)
    );
}

/// Primitives that report `says(len)` bytes copied for `len` asked (the
/// real memory and header copies only where they claim more), with no
/// reason; fails after a few calls rather than loop.
struct Misreport<F: Fn(u64) -> u64> {
    says: F,
    calls: u32,
}

impl<F: Fn(u64) -> u64> Misreport<F> {
    fn new(says: F) -> Self {
        Misreport { says, calls: 0 }
    }

    fn call(&mut self, len: u64) -> u64 {
        self.calls += 1;
        assert!(self.calls < 16, "no progress");
        (self.says)(len)
    }
}

impl<F: Fn(u64) -> u64> CopyTarget for Misreport<F> {
    fn copy_real(&mut self, _: u64, len: u64) -> u64 {
        core::cmp::max(self.call(len), len)
    }

    fn copy_hsa(&mut self, _: u64, len: u64) -> (u64, Option<CopyStop>) {
        (self.call(len), None)
    }

    fn copy_header(&mut self, src: &[u8]) -> u64 {
        core::cmp::max(self.call(src.len() as u64), src.len() as u64)
    }
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
fn read_dump_reads_each_piece() {
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
    // At and past the end of the file: nothing.
    let mut t = Fake::new(usize::MAX, u64::MAX);
    assert_eq!(read_dump(&f, &mut t, size, 1), (0, None));
    assert_eq!(read_dump(&f, &mut t, u64::MAX, u64::MAX), (0, None));
    assert!(t.calls.is_empty());
}

proptest! {
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

/// A source of `len` bytes copied into a destination of which only the
/// pages faulted in take bytes; `gone` pages cannot be faulted in.
struct Faulting {
    /// Bytes of the destination present (faulted in) from its start.
    present: u64,
    /// Bytes of the destination that can be present at most.
    faultable: u64,
    copied: u64,
    copies: usize,
    fault_ins: Vec<u64>,
    /// The source fails at this offset.
    source_end: u64,
}

impl NoFaultCopy for Faulting {
    fn copy_nofault(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>) {
        assert_eq!(
            offset,
            0x1000 + self.copied,
            "copies continue where they stopped"
        );
        self.copies += 1;
        assert!(self.copies < 1000, "no progress");
        let readable = core::cmp::min(len, self.source_end.saturating_sub(offset));
        let room = self.present - self.copied;
        let n = core::cmp::min(readable, room);
        self.copied += n;
        (n, stop_of(n, readable, len))
    }

    fn fault_in(&mut self, len: u64) -> u64 {
        self.fault_ins.push(len);
        let can = core::cmp::min(len, self.faultable - self.present);
        self.present += can;
        len - can
    }
}

fn faulting(present: u64, faultable: u64, source_end: u64) -> Faulting {
    Faulting {
        present,
        faultable,
        copied: 0,
        copies: 0,
        fault_ins: Vec::new(),
        source_end,
    }
}

#[test]
fn copy_faulting_in_faults_in_a_step_at_a_time() {
    // All there: one copy, no fault-in.
    let mut c = faulting(0x10000, 0x10000, u64::MAX);
    assert_eq!(
        copy_faulting_in(&mut c, 0x1000, 0x8000, 0x2000),
        (0x8000, None)
    );
    assert_eq!((c.copies, c.fault_ins.len()), (1, 0));
    // Nothing there: faulted in 0x2000 bytes at a time, the last step
    // what is left.
    let mut c = faulting(0, 0x10000, u64::MAX);
    assert_eq!(
        copy_faulting_in(&mut c, 0x1000, 0x5000, 0x2000),
        (0x5000, None)
    );
    assert_eq!(c.fault_ins, [0x2000, 0x2000, 0x1000]);
    // Part of the destination cannot be faulted in: as far as it can.
    let mut c = faulting(0x800, 0x3000, u64::MAX);
    assert_eq!(
        copy_faulting_in(&mut c, 0x1000, 0x5000, 0x2000),
        (0x3000, Some(CopyStop::Destination))
    );
    // The last fault-in finds nothing more to fault in.
    assert_eq!(c.fault_ins, [0x2000, 0x2000, 0x2000]);
    // None of it: one fault-in, then give up.
    let mut c = faulting(0, 0, u64::MAX);
    assert_eq!(
        copy_faulting_in(&mut c, 0x1000, 0x5000, 0x2000),
        (0, Some(CopyStop::Destination))
    );
    assert_eq!((c.copies, c.fault_ins.len()), (1, 1));
    // The source fails: no fault-in helps.
    let mut c = faulting(0x10000, 0x10000, 0x3000);
    assert_eq!(
        copy_faulting_in(&mut c, 0x1000, 0x5000, 0x2000),
        (0x2000, Some(CopyStop::Source))
    );
    assert_eq!(c.fault_ins.len(), 0);
}

/// A destination that says it faulted in but never takes a byte.
struct Liar(usize);

impl NoFaultCopy for Liar {
    fn copy_nofault(&mut self, _: u64, _: u64) -> (u64, Option<CopyStop>) {
        self.0 += 1;
        assert!(self.0 < 16, "spins");
        (0, Some(CopyStop::Destination))
    }

    fn fault_in(&mut self, _: u64) -> u64 {
        0
    }
}

#[test]
fn copy_faulting_in_never_spins() {
    let mut c = Liar(0);
    assert_eq!(
        copy_faulting_in(&mut c, 0, 0x1000, 0x1000),
        (0, Some(CopyStop::Destination))
    );
    assert_eq!(c.0, 2);
    // Nothing to copy: one call, no fault-in.
    let mut c = faulting(0, 0, u64::MAX);
    assert_eq!(copy_faulting_in(&mut c, 0x1000, 0, 0x1000), (0, None));
    assert_eq!(c.fault_ins.len(), 0);
}

/// The stop a primitive reports that copied `n` of `len` bytes asked for,
/// `readable` of them from a readable source: the destination's fault
/// first, then the source's end, as `CopyTarget` documents.
fn stop_of(n: u64, readable: u64, len: u64) -> Option<CopyStop> {
    if n < readable {
        Some(CopyStop::Destination)
    } else if n < len {
        Some(CopyStop::Source)
    } else {
        None
    }
}
