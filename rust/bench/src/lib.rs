// SPDX-License-Identifier: GPL-2.0

//! Synthetic but realistic inputs for the host benchmarks of
//! [`s390_vmcore`] (`benches/header.rs`, `examples/footprint.rs`), built
//! only through the crate's public API.
//!
//! Everything is deterministic ([`Rng`] with fixed seeds), so every run
//! measures the same inputs.

use s390_vmcore::elf::PN_XNUM;
use s390_vmcore::{DumpSpec, PhysRange, SaveArea, TextSegment};

/// The most memory ranges a header with a kernel text PT_LOAD can hold:
/// `e_phnum` (PT_NOTE + text + ranges) must stay below `PN_XNUM` (65,535),
/// so 65,532. [`s390_vmcore::layout`] rejects more with `Error::TooBig`
/// (the C `ehdr_init()` would silently truncate `e_phnum`).
pub const MAX_RANGES: usize = PN_XNUM - 3;

/// Minimum VMCOREINFO size in bytes (a 6.12 s390x VMCOREINFO is about 2 KiB).
pub const VMCOREINFO_MIN_LEN: usize = 2048;

/// Bytes of memory per range and distance between range starts: ranges of
/// 1 MiB (the smallest s390x memory increment) separated by 1 MiB holes.
const RANGE_LEN: u64 = 1 << 20;

/// Virtual address of physical 0 in the old kernel (identity mapping base).
pub const IDENTITY_BASE: u64 = 0x3ff0_0000_0000;

/// A 20 MiB kernel image as os_info describes it: a KASLR-style virtual
/// address, loaded at physical 1 MiB.
pub const TEXT: TextSegment = TextSegment {
    start: 0x3ffe_0010_0000,
    end: 0x3ffe_0150_0000,
    phys: 0x10_0000,
};

/// xorshift64 pseudo-random numbers (Marsaglia), deterministic per seed.
pub struct Rng(u64);

impl Rng {
    /// A generator with the given non-zero seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A pseudo-random number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next_u64() as u8;
        }
    }
}

/// `n` CPUs as the dump kernel saves them: registers parsed with
/// [`SaveArea::from_regs`] from random 512-byte status blocks whose prefix
/// (offset 0x118) is a distinct non-zero lowcore address, so every CPU gets
/// notes, and vector registers added with [`SaveArea::add_vxrs`].
pub fn cpus(n: usize) -> Vec<SaveArea> {
    let mut rng = Rng::new(0x5390);
    (0..n)
        .map(|i| {
            let mut regs = [0u8; SaveArea::REGS_LEN];
            rng.fill(&mut regs);
            let prefix = 0x10_0000 + 0x2000 * i as u32;
            regs[0x118..0x11c].copy_from_slice(&prefix.to_be_bytes());
            let mut sa = SaveArea::from_regs(&regs);
            let mut vxrs = [0u8; SaveArea::VXRS_LEN];
            rng.fill(&mut vxrs);
            sa.add_vxrs(&vxrs);
            sa
        })
        .collect()
}

/// A VMCOREINFO of `KEY=value` lines like the kernel's, at least
/// [`VMCOREINFO_MIN_LEN`] bytes long.
pub fn vmcoreinfo() -> Vec<u8> {
    let mut v = b"OSRELEASE=6.12.0-bench\nBUILD-ID=0123456789abcdef\nPAGESIZE=4096\n".to_vec();
    let mut i = 0u64;
    while v.len() < VMCOREINFO_MIN_LEN {
        v.extend_from_slice(format!("SYMBOL(sym_{i})=3ffe0{:07x}\n", 0x1234 * i).as_bytes());
        i += 1;
    }
    v
}

/// `n` sorted memory ranges of 1 MiB with 1 MiB holes, starting at 0.
pub fn ranges(n: usize) -> Vec<PhysRange> {
    (0..n as u64)
        .map(|i| PhysRange {
            start: 2 * RANGE_LEN * i,
            end: 2 * RANGE_LEN * i + RANGE_LEN,
        })
        .collect()
}

/// The owned inputs of one [`DumpSpec`].
pub struct Inputs {
    cpus: Vec<SaveArea>,
    vmcoreinfo: Vec<u8>,
    ranges: Vec<PhysRange>,
}

impl Inputs {
    /// `nranges` memory ranges ([`ranges`]) and `ncpus` CPUs ([`cpus`]),
    /// with vector registers, [`vmcoreinfo`] and the kernel [`TEXT`].
    pub fn new(nranges: usize, ncpus: usize) -> Self {
        Inputs {
            cpus: cpus(ncpus),
            vmcoreinfo: vmcoreinfo(),
            ranges: ranges(nranges),
        }
    }

    /// The spec the dump kernel would build the header from.
    pub fn spec(&self) -> DumpSpec<'_> {
        DumpSpec {
            cpus: &self.cpus,
            has_vx: true,
            vmcoreinfo: Some(&self.vmcoreinfo),
            text: Some(TEXT),
            identity_base: IDENTITY_BASE,
            ranges: &self.ranges,
        }
    }
}
