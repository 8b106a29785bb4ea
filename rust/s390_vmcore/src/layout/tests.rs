// SPDX-License-Identifier: GPL-2.0

//! Host tests of `layout.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use crate::file::{piece_at, Piece};
use crate::notes::cpu_notes_size;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

// The tests read the bytes at run-time offsets with these, independently
// of the crate's `BeFields`.

/// The big-endian `u16` at byte `o` of `b`.
pub(crate) fn be16(b: &[u8], o: usize) -> u16 {
    u16::from_be_bytes(b[o..o + 2].try_into().unwrap())
}
/// The big-endian `u32` at byte `o` of `b`.
pub(crate) fn be32(b: &[u8], o: usize) -> u32 {
    u32::from_be_bytes(b[o..o + 4].try_into().unwrap())
}
/// The big-endian `u64` at byte `o` of `b`.
pub(crate) fn be64(b: &[u8], o: usize) -> u64 {
    u64::from_be_bytes(b[o..o + 8].try_into().unwrap())
}

/// Program header fields parsed independently of `Elf64Phdr::from_bytes`:
/// (type, flags, offset, vaddr, paddr, filesz, memsz, align).
type Ph = (u32, u32, u64, u64, u64, u64, u64, u64);

fn parse_phdrs(b: &[u8]) -> Vec<Ph> {
    assert_eq!(&b[0..4], b"\x7fELF");
    let phoff = be64(b, 32) as usize;
    let phnum = be16(b, 56) as usize;
    (0..phnum)
        .map(|i| {
            let o = phoff + 56 * i;
            (
                be32(b, o),
                be32(b, o + 4),
                be64(b, o + 8),
                be64(b, o + 16),
                be64(b, o + 24),
                be64(b, o + 32),
                be64(b, o + 40),
                be64(b, o + 48),
            )
        })
        .collect()
}

fn cpu(prefix: u32) -> SaveArea {
    SaveArea {
        prefix,
        ..Default::default()
    }
}

#[test]
fn small_spec_exact_layout() {
    let cpus = [cpu(0x2000), cpu(0)];
    let ranges = [
        PhysRange {
            start: 0,
            end: 0x10000,
        },
        PhysRange {
            start: 0x20000,
            end: 0x20800,
        },
    ];
    let spec = DumpSpec {
        cpus: &cpus,
        has_vx: false,
        vmcoreinfo: Some(b"ABCDE"),
        text: Some(TextSegment {
            start: 0x3ffe_0010_0000,
            end: 0x3ffe_0010_2000,
            phys: 0x10_0123,
        }),
        identity_base: 0x3ff0_0000_0000,
        ranges: &ranges,
    };
    let l = layout(&spec).unwrap();
    // 64 + 4 * 56 = 288 -> notes at 4096; notes 156 + 764 + 32 = 952.
    assert_eq!(
        l,
        Layout {
            header_len: 8192,
            nsegments: 3,
            file_size: 0x16000,
            notes_offset: 4096,
            notes_size: 952
        }
    );
    let mut hdr = vec![0xaau8; 9000];
    let mut segs = [Segment::default(); 4];
    assert_eq!(build(&spec, &mut hdr, &mut segs), Ok(0x16000));
    assert!(
        hdr[8192..].iter().all(|&x| x == 0xaa),
        "beyond header_len untouched"
    );
    let want_ehdr: [u8; 64] = [
        0x7f, b'E', b'L', b'F', 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, // e_ident
        0, 4, 0, 22, 0, 0, 0, 1, // type, machine, version
        0, 0, 0, 0, 0, 0, 0, 0, // entry
        0, 0, 0, 0, 0, 0, 0, 64, // phoff
        0, 0, 0, 0, 0, 0, 0, 0, // shoff
        0, 0, 0, 0, 0, 64, 0, 56, // flags, ehsize, phentsize
        0, 4, 0, 0, 0, 0, 0, 0, // phnum, shentsize, shnum, shstrndx
    ];
    assert_eq!(&hdr[..64], &want_ehdr);
    let ph = parse_phdrs(&hdr);
    assert_eq!(
        ph,
        vec![
            (4, 0, 4096, 0, 0, 952, 952, 4),
            (
                1,
                7,
                8192 + 0x123,
                0x3ffe_0010_0000,
                0x10_0123,
                0x2000,
                0x2000,
                4096
            ),
            (1, 7, 0x5000, 0x3ff0_0000_0000, 0, 0x10000, 0x10000, 4096),
            (1, 7, 0x15000, 0x3ff0_0002_0000, 0x20000, 0x800, 0x800, 4096),
        ]
    );
    assert!(hdr[288..4096].iter().all(|&x| x == 0));
    assert!(hdr[4096 + 952..8192].iter().all(|&x| x == 0));
    // First note is prpsinfo, last is vmcoreinfo.
    assert_eq!(
        &hdr[4096..4096 + 12],
        &[0, 0, 0, 5, 0, 0, 0, 136, 0, 0, 0, 3]
    );
    assert_eq!(&hdr[4096 + 952 - 8..4096 + 952], b"ABCDE\0\0\0");
    assert_eq!(
        &segs[..3],
        &[
            Segment {
                offset: 8192,
                size: 0x3000,
                paddr: 0x10_0000
            },
            Segment {
                offset: 0x5000,
                size: 0x10000,
                paddr: 0
            },
            Segment {
                offset: 0x15000,
                size: 0x1000,
                paddr: 0x20000
            },
        ]
    );
    assert_eq!(segs[3], Segment::default());
}

#[test]
fn phdrs_spill_past_first_page() {
    // 80 ranges: 64 + 81 * 56 = 4600 -> notes at 8192.
    let ranges: Vec<PhysRange> = (0..80u64)
        .map(|i| PhysRange {
            start: i * 0x10_0000,
            end: i * 0x10_0000 + 0x8_0000,
        })
        .collect();
    let cpus = [cpu(1); 5];
    let spec = DumpSpec {
        cpus: &cpus,
        has_vx: true,
        vmcoreinfo: None,
        text: None,
        identity_base: 0,
        ranges: &ranges,
    };
    let l = layout(&spec).unwrap();
    assert_eq!(l.notes_offset, 8192);
    assert_eq!(l.notes_size, 156 + 5 * cpu_notes_size(true));
    assert_eq!(l.header_len, 8192 + 8192);
    assert_eq!(l.file_size, 16384 + 80 * 0x8_0000);
}

#[test]
fn errors() {
    let bad = [PhysRange { start: 10, end: 5 }];
    let mut spec = DumpSpec {
        cpus: &[],
        has_vx: false,
        vmcoreinfo: None,
        text: None,
        identity_base: 0,
        ranges: &bad,
    };
    assert_eq!(layout(&spec), Err(Error::Invalid));
    let top = [PhysRange {
        start: u64::MAX - 10,
        end: u64::MAX,
    }];
    spec.ranges = &top;
    assert_eq!(layout(&spec), Err(Error::Overflow));
    // The last page below 2^64 is the highest a PT_LOAD can end at; one
    // byte more and its page-aligned end does not fit in 64 bits.
    let last = [PhysRange {
        start: u64::MAX - 0x1fff,
        end: u64::MAX - 0xfff,
    }];
    spec.ranges = &last;
    let l = layout(&spec).unwrap();
    let mut hdr = vec![0u8; l.header_len];
    let mut segs = [Segment::default()];
    assert_eq!(build(&spec, &mut hdr, &mut segs), Ok(l.file_size));
    assert_eq!(segs[0].paddr, u64::MAX - 0x1fff);
    assert_eq!(segs[0].size, 0x1000);
    let over = [PhysRange {
        start: u64::MAX - 0x1fff,
        end: u64::MAX - 0xffe,
    }];
    spec.ranges = &over;
    assert_eq!(layout(&spec), Err(Error::Overflow));
    spec.ranges = &[];
    spec.text = Some(TextSegment {
        start: 10,
        end: 9,
        phys: 0,
    });
    assert_eq!(layout(&spec), Err(Error::Invalid));
    spec.text = None;
    let many = vec![
        PhysRange {
            start: 0,
            end: 4096
        };
        0xfffe
    ];
    spec.ranges = &many;
    assert_eq!(layout(&spec), Err(Error::TooBig));
    spec.ranges = &many[..0xfffd];
    let l = layout(&spec).unwrap();
    // Buffers too small.
    let mut hdr = vec![0u8; l.header_len - 1];
    let mut segs = vec![Segment::default(); l.nsegments];
    assert_eq!(
        build(&spec, &mut hdr, &mut segs),
        Err(Error::BufferTooSmall)
    );
    let mut hdr = vec![0u8; l.header_len];
    assert_eq!(
        build(&spec, &mut hdr, &mut segs[..0xfffc]),
        Err(Error::BufferTooSmall)
    );
    assert_eq!(build(&spec, &mut hdr, &mut segs), Ok(l.file_size));
    assert_eq!(be16(&hdr, 56), 0xfffe);
    // Huge file sizes overflow.
    let huge = [
        PhysRange {
            start: 0,
            end: 1 << 63,
        },
        PhysRange {
            start: 0,
            end: 1 << 63,
        },
    ];
    spec.ranges = &huge;
    assert_eq!(layout(&spec), Err(Error::Overflow));
}

#[test]
fn text_check() {
    let rs = [
        PhysRange {
            start: 0,
            end: 0x10_0000,
        },
        PhysRange {
            start: 0x20_0000,
            end: 0x30_0000,
        },
    ];
    let t = |phys, len| TextSegment {
        start: 0x3ff_0000_0000,
        end: 0x3ff_0000_0000 + len,
        phys,
    };
    // Inside one range, up to its last byte; an empty image too.
    assert_eq!(t(0x1000, 0xf_f000).check(&rs), Ok(()));
    assert_eq!(t(0x2f_ffff, 1).check(&rs), Ok(()));
    assert_eq!(t(0x30_0000, 0).check(&rs), Ok(()));
    // One byte past a range, across the hole, in the hole, past the end.
    for (phys, len) in [
        (0x1000, 0xf_f001),
        (0xf_f000, 0x11_0000),
        (0x10_0000, 1),
        (0x30_0000, 1),
    ] {
        assert_eq!(
            t(phys, len).check(&rs),
            Err(Error::OutsideMemory { paddr: phys, len }),
            "{phys:#x} {len:#x}"
        );
    }
    // The image, or its page-rounded chunk, past 2^64.
    assert_eq!(t(u64::MAX - 5, 10).check(&rs), Err(Error::Overflow));
    assert_eq!(t(u64::MAX - 5, 2).check(&rs), Err(Error::Overflow));
    let mut inverted = t(0x1000, 0);
    inverted.end -= 1;
    assert_eq!(inverted.check(&rs), Err(Error::Invalid));
}

proptest! {
    /// Never lose the dump: an image that passes the check lays out
    /// with any memory ranges, and one that makes layout() fail where
    /// the ranges alone do not never passes it.
    #[test]
    fn checked_text_always_lays_out(
        ranges in arb_ranges(),
        start in any::<u64>(), len in any::<u64>(), phys in any::<u64>(),
        near in any::<bool>(),
    ) {
        // Half the cases: a small image near memory, so that many pass.
        let (phys, len) = if near { (phys % 0x8_0000, len % 0x8000) } else { (phys, len) };
        let text = TextSegment { start, end: start.wrapping_add(len), phys };
        let spec = |text| DumpSpec {
            cpus: &[], has_vx: false, vmcoreinfo: None, text,
            identity_base: 0, ranges: &ranges,
        };
        let without = layout(&spec(None)).unwrap();
        match text.check(&ranges) {
            Ok(()) => {
                let with = layout(&spec(Some(text))).unwrap();
                prop_assert_eq!(with.nsegments, without.nsegments + 1);
                prop_assert!(contains(&ranges, phys, text.end - text.start));
            }
            Err(Error::OutsideMemory { paddr, len: n }) => {
                prop_assert_eq!((paddr, n), (phys, text.end.wrapping_sub(start)));
                prop_assert!(!contains(&ranges, phys, n));
            }
            Err(e) => {
                prop_assert!(matches!(e, Error::Invalid | Error::Overflow), "{:?}", e);
                prop_assert!(layout(&spec(Some(text))).is_err());
            }
        }
    }
}

prop_compose! {
    /// Sorted, non-overlapping, non-empty ranges with arbitrary alignment.
    fn arb_ranges()(steps in proptest::collection::vec((0u64..0x4000, 1u64..0x6000), 0..12))
        -> Vec<PhysRange> {
        let mut at = 0u64;
        steps.into_iter().map(|(gap, len)| {
            let start = at + gap;
            at = start + len;
            PhysRange { start, end: at }
        }).collect()
    }
}

type SpecParts = (
    Vec<PhysRange>,
    Option<TextSegment>,
    usize,
    bool,
    Option<Vec<u8>>,
    u64,
);

fn arb_spec_parts() -> impl Strategy<Value = SpecParts> {
    (
        arb_ranges(),
        proptest::option::of((0u64..0x10000, 0u64..0x5000, 0u64..0x10000).prop_map(
            |(phys, len, vs)| TextSegment {
                start: 0x1_0000_0000 + vs,
                end: 0x1_0000_0000 + vs + len,
                phys,
            },
        )),
        0usize..4,
        any::<bool>(),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300)),
        any::<u64>(),
    )
}

proptest! {
    #[test]
    fn pieces_cover_read_exactly(
        (ranges, text, ncpu, has_vx, vmci, base) in arb_spec_parts(),
        pos_frac in 0u64..=1000, len in 0u64..0x30000, step in 1u64..0x3000,
    ) {
        let cpus: Vec<SaveArea> = (0..ncpu as u32).map(|i| cpu(i * 0x1000)).collect();
        let spec = DumpSpec {
            cpus: &cpus, has_vx, vmcoreinfo: vmci.as_deref(), text,
            identity_base: base, ranges: &ranges,
        };
        let l = layout(&spec).unwrap();
        let mut hdr = vec![0xffu8; l.header_len];
        let mut segs = vec![Segment::default(); l.nsegments];
        let fs = build(&spec, &mut hdr, &mut segs).unwrap();
        prop_assert_eq!(fs, l.file_size);
        prop_assert_eq!(l.header_len % 4096, 0);

        // Parse the header back; the PT_LOADs and segments agree.
        let ph = parse_phdrs(&hdr);
        prop_assert_eq!(ph.len(), l.nsegments + 1);
        prop_assert_eq!(ph[0], (4, 0, l.notes_offset as u64, 0, 0,
                                l.notes_size as u64, l.notes_size as u64, 4));
        let headers = 64 + 56 * ph.len() as u64;
        prop_assert_eq!(l.notes_offset as u64, headers.div_ceil(4096) * 4096);
        let mut expect_off = l.header_len as u64;
        for (p, s) in ph[1..].iter().zip(segs.iter()) {
            prop_assert_eq!(p.0, 1);
            prop_assert_eq!(s.offset, expect_off);
            prop_assert_eq!(s.paddr, p.4 / 4096 * 4096);
            prop_assert_eq!(s.size, (p.4 + p.6).div_ceil(4096) * 4096 - s.paddr);
            prop_assert_eq!(p.2, s.offset + p.4 % 4096);
            expect_off += s.size;
        }
        prop_assert_eq!(expect_off, fs);
        // Walk the notes: they fill exactly notes_size, all names non-empty.
        let mut o = l.notes_offset;
        let end = o + l.notes_size;
        while o < end {
            let namesz = be32(&hdr, o) as usize;
            let descsz = be32(&hdr, o + 4) as usize;
            prop_assert!(namesz > 0);
            o += 12 + namesz.div_ceil(4) * 4 + descsz.div_ceil(4) * 4;
        }
        prop_assert_eq!(o, end);

        // Read [pos, pos+len) piecewise with reads of at most `step`.
        let pos0 = fs * pos_frac / 1000;
        let want_end = core::cmp::min(pos0 + len, fs);
        let mut pos = pos0;
        loop {
            let want = core::cmp::min(step, pos0 + len - pos);
            match piece_at(l.header_len, &segs, fs, pos, want) {
                None => break,
                Some(Piece::Header { start, len: n }) => {
                    prop_assert!(n > 0 && n as u64 <= want);
                    prop_assert_eq!(start as u64, pos);
                    prop_assert!(start + n <= l.header_len);
                    pos += n as u64;
                }
                Some(Piece::OldMem { paddr, len: n }) => {
                    prop_assert!(n > 0 && n <= want);
                    prop_assert!(pos >= l.header_len as u64);
                    // Inside exactly one segment (linear search), mapped consistently.
                    let s = segs.iter().find(|s| s.offset <= pos && pos < s.offset + s.size);
                    let s = s.unwrap();
                    prop_assert!(pos + n <= s.offset + s.size);
                    prop_assert_eq!(paddr, s.paddr + (pos - s.offset));
                    // Consistent with every PT_LOAD that covers this file offset.
                    for p in &ph[1..] {
                        if p.2 <= pos && pos < p.2 + p.5 {
                            prop_assert_eq!(paddr, p.4 + (pos - p.2));
                        }
                    }
                    pos += n;
                }
            }
        }
        prop_assert_eq!(pos, want_end);
    }
}
