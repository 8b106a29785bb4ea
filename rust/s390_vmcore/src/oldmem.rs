// SPDX-License-Identifier: GPL-2.0

//! The address map of the crashed system's memory: where each old
//! physical address is read from, the HSA, the kdump swap area or real
//! memory in place (`arch/s390/kernel/crash_dump.c` `copy_oldmem_iter()`,
//! `remap_oldmem_pfn_range_kdump()`, `remap_oldmem_pfn_range_zfcpdump()`).

use crate::ranges::PhysRange;

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

impl OldMemMode {
    /// The crashkernel area `[start, start + size)` of a kdump boot
    /// (`Kdump`, `HsaKdump`), which holds the crashed system's low memory;
    /// `None` for the other modes. The end saturates at `u64::MAX`.
    pub fn crashkernel_area(self) -> Option<PhysRange> {
        match self {
            OldMemMode::Kdump { start, size } | OldMemMode::HsaKdump { start, size, .. } => {
                Some(PhysRange {
                    start,
                    end: start.saturating_add(size),
                })
            }
            OldMemMode::Hsa { .. } | OldMemMode::Real => None,
        }
    }
}

/// Where bytes of old memory are read from.
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

/// Where the old-memory read `[paddr, paddr + len)` is read from, in
/// order: [`map_oldmem`] applied until `len` bytes are covered, each item
/// `(source, bytes)` with `bytes > 0`. Built by [`sources`].
#[derive(Clone, Debug)]
pub struct Sources {
    mode: OldMemMode,
    paddr: u64,
    left: u64,
}

/// Where the old-memory read of `len` bytes at physical `paddr` is read
/// from (see [`Sources`]); addresses wrap like the C `unsigned long` ones.
pub fn sources(mode: OldMemMode, paddr: u64, len: u64) -> Sources {
    Sources {
        mode,
        paddr,
        left: len,
    }
}

impl Iterator for Sources {
    type Item = (Source, u64);

    fn next(&mut self) -> Option<(Source, u64)> {
        if self.left == 0 {
            return None;
        }
        let (source, n) = map_oldmem(self.mode, self.paddr, self.left);
        // `map_oldmem` returns `0 < n <= left`; should it not, the rest
        // comes from this piece's source rather than a loop forever.
        let n = if n == 0 { self.left } else { n.min(self.left) };
        self.left -= n;
        self.paddr = self.paddr.wrapping_add(n);
        Some((source, n))
    }
}

#[cfg(test)]
pub(crate) mod tests;
