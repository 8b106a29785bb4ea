//! Addressing of the crashed system's memory (`arch/s390/kernel/crash_dump.c`
//! `copy_oldmem_iter()`, `remap_oldmem_pfn_range_kdump()`,
//! `remap_oldmem_pfn_range_zfcpdump()`).

use crate::Error;

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

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

    fn arb_mode() -> impl Strategy<Value = OldMemMode> {
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
