//! Addressing of the crashed system's memory (`arch/s390/kernel/crash_dump.c`
//! `copy_oldmem_iter()`, `remap_oldmem_pfn_range_kdump()`,
//! `remap_oldmem_pfn_range_zfcpdump()`).

use crate::layout::PhysRange;
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

/// Copies one piece of old memory from a [`Source`] into the given slice
/// (the kernel glue's HSA / real memory accessors), for [`read_oldmem`].
pub type SourceReader<'a> = dyn FnMut(Source, &mut [u8]) -> Result<(), Error> + 'a;

/// Read `buf.len()` bytes of old memory at physical `paddr`, split with
/// [`map_oldmem`]; `backend` copies one piece from its [`Source`] into the
/// given slice (the kernel glue's HSA / real memory accessors).
///
/// Errors: the first error of `backend`; [`Error::Overflow`] if the read
/// runs past the end of the 64-bit address space.
pub fn read_oldmem(
    mode: OldMemMode,
    backend: &mut SourceReader<'_>,
    paddr: u64,
    buf: &mut [u8],
) -> Result<(), Error> {
    // The last byte must be addressable.
    if let Some(last) = buf.len().checked_sub(1) {
        paddr
            .checked_add(u64::try_from(last).map_err(|_| Error::Overflow)?)
            .ok_or(Error::Overflow)?;
    }
    let mut paddr = paddr;
    let mut buf = buf;
    while !buf.is_empty() {
        let want = u64::try_from(buf.len()).map_err(|_| Error::Overflow)?;
        let (src, n) = map_oldmem(mode, paddr, want);
        let n = usize::try_from(n).map_err(|_| Error::Overflow)?;
        if n == 0 || n > buf.len() {
            return Err(Error::Invalid);
        }
        let (head, rest) = buf.split_at_mut(n);
        backend(src, head)?;
        buf = rest;
        if !buf.is_empty() {
            paddr = paddr.checked_add(n as u64).ok_or(Error::Overflow)?;
        }
    }
    Ok(())
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
pub(crate) mod tests {
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
            OldMemMode::HsaKdump { start, size, .. } => {
                c_byte(OldMemMode::Kdump { start, size }, src)
            }
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
    fn read_oldmem_splits_and_propagates_errors() {
        let m = OldMemMode::Hsa { hsa_size: 0x100 };
        let mut calls = Vec::new();
        let mut buf = [0u8; 0x20];
        let mut be = |s: Source, b: &mut [u8]| {
            calls.push((s, b.len()));
            b.fill(match s {
                Source::Hsa { .. } => 1,
                Source::Real { .. } => 2,
            });
            Ok(())
        };
        read_oldmem(m, &mut be, 0xf0, &mut buf).unwrap();
        assert_eq!(
            calls,
            vec![
                (Source::Hsa { offset: 0xf0 }, 0x10),
                (Source::Real { paddr: 0x100 }, 0x10)
            ]
        );
        assert_eq!(&buf[..0x10], &[1u8; 0x10]);
        assert_eq!(&buf[0x10..], &[2u8; 0x10]);
        let mut fail = |_: Source, _: &mut [u8]| Err(Error::Read);
        assert_eq!(read_oldmem(m, &mut fail, 0, &mut buf), Err(Error::Read));
        let mut ok = |_: Source, _: &mut [u8]| Ok(());
        assert_eq!(
            read_oldmem(OldMemMode::Real, &mut ok, u64::MAX, &mut [0u8; 1]),
            Ok(())
        );
        assert_eq!(
            read_oldmem(OldMemMode::Real, &mut ok, u64::MAX, &mut [0u8; 2]),
            Err(Error::Overflow)
        );
        assert_eq!(read_oldmem(m, &mut ok, 0, &mut []), Ok(()));
    }

    /// Every mode with small addresses, realistic and overlapping layouts
    /// (also used by the tests of `report`).
    pub(crate) fn arb_mode() -> impl Strategy<Value = OldMemMode> {
        prop_oneof![
            Just(OldMemMode::Real),
            (0u64..0x10000).prop_map(|h| OldMemMode::Hsa { hsa_size: h }),
            // Realistic (start >= size) and overlapping (start < size) layouts.
            (0u64..0x10000, 0u64..0x10000)
                .prop_map(|(start, size)| OldMemMode::Kdump { start, size }),
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
        fn pieces_match_c_bytewise(mode in arb_mode(), paddr in 0u64..0x20000, len in 0u64..0x20000) {
            let bounds: Vec<u64> = match mode {
                OldMemMode::Real => vec![],
                OldMemMode::Hsa { hsa_size } => vec![hsa_size],
                OldMemMode::Kdump { start, size } => vec![start, size, start + size],
                OldMemMode::HsaKdump { hsa_size, start, size } => vec![hsa_size, start, size, start + size],
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
        fn page_reads_equal_c(mode in arb_mode(), page in 0u64..64, off in 0u64..4096, len in 1u64..4096) {
            // C reads page by page; for page-aligned boundaries our first
            // piece is exactly C's first piece.
            let mode = match mode {
                OldMemMode::Kdump { start, size } => OldMemMode::Kdump { start: start & !0xfff, size: size & !0xfff },
                OldMemMode::Hsa { hsa_size } => OldMemMode::Hsa { hsa_size: hsa_size & !0xfff },
                OldMemMode::HsaKdump { hsa_size, start, size } => OldMemMode::HsaKdump {
                    hsa_size: hsa_size & !0xfff, start: start & !0xfff, size: size & !0xfff },
                m => m,
            };
            let len = core::cmp::min(len, 4096 - off);
            let src = page * 4096 + off;
            let c_mode = match mode {
                OldMemMode::HsaKdump { hsa_size, .. } if src < hsa_size => OldMemMode::Hsa { hsa_size },
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
                        (Source::Real { paddr: src - start }, core::cmp::min(len, size - (src - start)))
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
}
