//! The fuzz targets' bodies (one module each, `run(data)`) and their shared
//! pieces: a sparse fake old memory driven by the fuzzer input, with
//! helpers that plant a plausible os_info page and vmcoreinfo note so that
//! the deep paths (checksums, entries) are reached.
//!
//! The binaries in `fuzz_targets/` only call `run`; `cargo test` of the
//! crate includes this file (`tests/fuzz_regressions.rs`) and feeds the
//! inputs of `regressions/<target>/` through the same `run`. So inside
//! this library, paths are relative (`super::`), never `crate::`.

use arbitrary::{Arbitrary, Result, Unstructured};
use s390_vmcore::os_info::{LC_OS_INFO, LC_VMCORE_INFO, OS_INFO_MAGIC, OS_INFO_MAX, OS_INFO_SIZE};
use s390_vmcore::{cksm, Error, OldMem, PhysRange};
use std::cell::Cell;

pub mod header;
pub mod map_oldmem;
pub mod os_info;
pub mod save_area;
pub mod vmcoreinfo;

/// Decode `data` exactly as libfuzzer-sys 0.4's typed `fuzz_target!` does:
/// `None` (the input is rejected) if it is shorter than `T`'s minimal size
/// or does not decode with `arbitrary_take_rest`.
pub fn decode<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    if data.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(data)).ok()
}

/// The big-endian `u16` at byte `o` of `b`: the targets' own reading of
/// what the crate wrote, independent of the crate's `BeFields`.
pub fn be16(b: &[u8], o: usize) -> u16 {
    u16::from_be_bytes(b[o..o + 2].try_into().unwrap())
}
/// The big-endian `u32` at byte `o` of `b`.
pub fn be32(b: &[u8], o: usize) -> u32 {
    u32::from_be_bytes(b[o..o + 4].try_into().unwrap())
}
/// The big-endian `u64` at byte `o` of `b`.
pub fn be64(b: &[u8], o: usize) -> u64 {
    u64::from_be_bytes(b[o..o + 8].try_into().unwrap())
}

/// Most regions a fake memory gets from the input (besides the planted ones).
pub const MAX_REGIONS: usize = 8;
/// Longest region taken from the input, bytes.
pub const MAX_REGION_LEN: usize = 8192;

/// Sparse old memory: a list of `(address, bytes)` regions; the last region
/// covering a byte wins; bytes covered by no region are unreadable
/// ([`Error::Read`]). Counts the bytes handed out so a target can bound the
/// work a parser does.
#[derive(Debug, Default)]
pub struct FakeMem {
    regions: Vec<(u64, Vec<u8>)>,
    /// Total bytes requested by all successful and failed reads.
    pub bytes_read: Cell<u64>,
    /// Number of read calls.
    pub calls: Cell<u64>,
}

impl FakeMem {
    /// Add a region (later regions win over earlier ones).
    pub fn put(&mut self, addr: u64, bytes: Vec<u8>) {
        self.regions.push((addr, bytes));
    }

    /// The byte at `a`, if some region covers it.
    pub fn byte(&self, a: u64) -> Option<u8> {
        self.regions.iter().rev().find_map(|(s, d)| {
            let off = a.checked_sub(*s)?;
            d.get(usize::try_from(off).ok()?).copied()
        })
    }

    /// Overwrite already-present bytes (bytes not covered stay unreadable).
    pub fn patch(&mut self, a: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            let Some(at) = a.checked_add(i as u64) else {
                return;
            };
            for (s, d) in self.regions.iter_mut().rev() {
                if let Some(off) = at.checked_sub(*s).and_then(|o| usize::try_from(o).ok()) {
                    if let Some(x) = d.get_mut(off) {
                        *x = *b;
                        break;
                    }
                }
            }
        }
    }

    /// The regions as memory ranges (physical, end exclusive), for
    /// [`s390_vmcore::InRanges`]; regions running past the end of the
    /// address space are cut at `u64::MAX`.
    pub fn ranges(&self) -> Vec<PhysRange> {
        self.regions
            .iter()
            .map(|(s, d)| PhysRange {
                start: *s,
                end: s.saturating_add(d.len() as u64),
            })
            .collect()
    }

    /// [`FakeMem::ranges`] less the middle one when there are more than
    /// two, so that the range check also meets a hole.
    pub fn ranges_with_hole(&self) -> Vec<PhysRange> {
        let mut ranges = self.ranges();
        if ranges.len() > 2 {
            ranges.remove(ranges.len() / 2);
        }
        ranges
    }

    /// Copy `len` readable bytes at `a` (None if any is unreadable).
    pub fn get(&self, a: u64, len: usize) -> Option<Vec<u8>> {
        (0..len)
            .map(|i| a.checked_add(i as u64).and_then(|x| self.byte(x)))
            .collect()
    }
}

/// An [`OldMem`] that asserts every read it forwards lies inside one of
/// `ranges` (checks that [`s390_vmcore::InRanges`] lets nothing else
/// through).
pub struct AssertInside<'a> {
    /// The memory reads are forwarded to.
    pub mem: &'a FakeMem,
    /// The ranges every forwarded read must lie in.
    pub ranges: &'a [PhysRange],
}

impl OldMem for AssertInside<'_> {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> core::result::Result<(), Error> {
        assert!(
            s390_vmcore::contains(self.ranges, paddr, buf.len() as u64),
            "read of {} bytes at {paddr:#x} outside {:x?}",
            buf.len(),
            self.ranges
        );
        self.mem.read(paddr, buf)
    }
}

impl OldMem for FakeMem {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> core::result::Result<(), Error> {
        self.calls.set(self.calls.get() + 1);
        self.bytes_read
            .set(self.bytes_read.get() + buf.len() as u64);
        for (i, b) in buf.iter_mut().enumerate() {
            let a = paddr.checked_add(i as u64).ok_or(Error::Read)?;
            *b = self.byte(a).ok_or(Error::Read)?;
        }
        Ok(())
    }
}

/// An arbitrary region: address and up to [`MAX_REGION_LEN`] bytes.
#[derive(Debug)]
pub struct Region {
    /// Physical address of the first byte.
    pub addr: u64,
    /// Contents.
    pub data: Vec<u8>,
}

impl<'a> Arbitrary<'a> for Region {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let addr = u.arbitrary()?;
        let len = u.int_in_range(0..=MAX_REGION_LEN)?;
        let take = core::cmp::min(len, u.len());
        let mut data = u.bytes(take)?.to_vec();
        // Regions longer than the input left are filled with a pattern.
        let fill: u8 = u.arbitrary().unwrap_or(0);
        data.resize(len, fill);
        Ok(Region { addr, data })
    }
}

/// Where an os_info entry points: into one of the input regions.
#[derive(Debug, Arbitrary)]
pub struct EntryTarget {
    /// Entry index (taken modulo `OS_INFO_MAX + 2`, so also out of range).
    pub nr: u8,
    /// Region index (modulo the number of regions).
    pub region: u8,
    /// Offset into the region.
    pub off: u16,
    /// Entry size in bytes (may run past the region).
    pub size: u16,
}

/// A planted os_info page.
#[derive(Debug, Arbitrary)]
pub struct PageSpec {
    /// Write `OS_INFO_MAGIC` at offset 0.
    pub magic: bool,
    /// Bytes from offset 8 on (the rest is zero).
    pub bytes: Vec<u8>,
    /// Cut the page to this many bytes (unreadable tail).
    pub truncate: Option<u16>,
    /// Entries aimed at input regions.
    pub targets: Vec<EntryTarget>,
    /// Fix the checksums of the targeted entries.
    pub fix_entry_csums: bool,
    /// Fix the page checksum (after the entries).
    pub fix_page_csum: bool,
}

/// A planted vmcoreinfo ELF note.
#[derive(Debug, Arbitrary)]
pub struct NoteSpec {
    /// Physical address of the note (also written at lowcore 0xe0c).
    pub addr: u64,
    /// The 12-byte note header.
    pub nhdr: [u8; 12],
    /// Write "VMCOREINFO" as the name (else `name`).
    pub good_name: bool,
    /// Name bytes used when `good_name` is false.
    pub name: [u8; 10],
    /// Readable descriptor bytes after the 24-byte header + name.
    pub desc: Vec<u8>,
}

/// Fuzzer input describing a whole fake old memory.
#[derive(Debug)]
pub struct MemSpec {
    /// Value at lowcore 0xe18 (8 bytes) if present.
    pub os_info_ptr: Option<u64>,
    /// Value at lowcore 0xe0c (8 bytes) if present.
    pub vmcoreinfo_ptr: Option<u64>,
    /// Free-form regions (added first, so planted data wins).
    pub regions: Vec<Region>,
    /// os_info page planted at `os_info_ptr`.
    pub page: Option<PageSpec>,
    /// vmcoreinfo note planted at its own address.
    pub note: Option<NoteSpec>,
}

impl<'a> Arbitrary<'a> for MemSpec {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let os_info_ptr = u.arbitrary()?;
        let vmcoreinfo_ptr = u.arbitrary()?;
        let page = u.arbitrary()?;
        let note = u.arbitrary()?;
        let n = u.int_in_range(0..=MAX_REGIONS)?;
        let mut regions = Vec::with_capacity(n);
        for _ in 0..n {
            regions.push(u.arbitrary()?);
        }
        Ok(MemSpec {
            os_info_ptr,
            vmcoreinfo_ptr,
            regions,
            page,
            note,
        })
    }
}

impl MemSpec {
    /// Build the fake memory.
    pub fn build(&self) -> FakeMem {
        let mut m = FakeMem::default();
        for r in &self.regions {
            m.put(r.addr, r.data.clone());
        }
        if let Some(n) = &self.note {
            let mut b = Vec::with_capacity(24 + n.desc.len());
            b.extend_from_slice(&n.nhdr);
            if n.good_name {
                b.extend_from_slice(b"VMCOREINFO");
            } else {
                b.extend_from_slice(&n.name);
            }
            b.extend_from_slice(&[0, 0]);
            b.extend_from_slice(&n.desc);
            m.put(n.addr, b);
            if self.vmcoreinfo_ptr.is_none() {
                m.put(LC_VMCORE_INFO, n.addr.to_be_bytes().to_vec());
            }
        }
        if let Some(p) = self.vmcoreinfo_ptr {
            m.put(LC_VMCORE_INFO, p.to_be_bytes().to_vec());
        }
        if let Some(p) = self.os_info_ptr {
            m.put(LC_OS_INFO, p.to_be_bytes().to_vec());
        }
        if let (Some(pg), Some(addr)) = (&self.page, self.os_info_ptr) {
            self.plant_page(&mut m, pg, addr);
        }
        m
    }

    fn plant_page(&self, m: &mut FakeMem, pg: &PageSpec, addr: u64) {
        let mut page = vec![0u8; OS_INFO_SIZE];
        let n = core::cmp::min(pg.bytes.len(), OS_INFO_SIZE - 8);
        page[8..8 + n].copy_from_slice(&pg.bytes[..n]);
        if pg.magic {
            page[..8].copy_from_slice(&OS_INFO_MAGIC.to_be_bytes());
        }
        for t in &pg.targets {
            let nr = t.nr as usize % (OS_INFO_MAX + 2);
            if nr >= OS_INFO_MAX || self.regions.is_empty() {
                continue;
            }
            let r = &self.regions[t.region as usize % self.regions.len()];
            let a = r.addr.wrapping_add(u64::from(t.off));
            let e = 32 + 20 * nr;
            page[e..e + 8].copy_from_slice(&a.to_be_bytes());
            page[e + 8..e + 16].copy_from_slice(&u64::from(t.size).to_be_bytes());
            if pg.fix_entry_csums {
                // Only the bytes the region provides; the rest may be
                // covered by other regions, so take the memory's view.
                if let Some(d) = m.get(a, usize::from(t.size)) {
                    page[e + 16..e + 20].copy_from_slice(&cksm(&d, 0).to_be_bytes());
                }
            }
        }
        if pg.fix_page_csum {
            let s = cksm(&page[12..], 0);
            page[8..12].copy_from_slice(&s.to_be_bytes());
        }
        if let Some(t) = pg.truncate {
            page.truncate(usize::from(t));
        }
        m.put(addr, page);
    }
}
