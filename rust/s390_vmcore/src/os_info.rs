// SPDX-License-Identifier: GPL-2.0

//! The crashed system's `os_info` page (`arch/s390/kernel/os_info.c`,
//! `arch/s390/include/asm/os_info.h`), the s390 `CKSM` checksum, and the
//! lowcore vmcoreinfo fallback (`arch/s390/kernel/crash_dump.c`,
//! `get_vmcoreinfo_old()`).
//!
//! Everything read here comes from old memory and is untrusted: all sizes
//! are bounded and all arithmetic is checked.

use crate::be::BeFields;
use crate::elf::{Elf64Nhdr, NHDR_SIZE};
use crate::layout::TextSegment;
use crate::{Error, OldMem, PAGE_SIZE};

/// Absolute lowcore address of the `vmcore_info` field (`__LC_VMCORE_INFO`,
/// `struct lowcore` in `arch/s390/include/asm/lowcore.h`): 0xe0c, 8 bytes,
/// physical address of the old kernel's vmcoreinfo ELF note.
pub const LC_VMCORE_INFO: u64 = 0xe0c;
/// Absolute lowcore address of the `os_info` field (`__LC_OS_INFO`): 0xe18,
/// 8 bytes, physical address of the old kernel's `struct os_info`.
pub const LC_OS_INFO: u64 = 0xe18;

/// `OS_INFO_MAGIC`: "OSINFOSZ" as a big-endian u64.
pub const OS_INFO_MAGIC: u64 = 0x4f53_494e_464f_535a;
/// `OS_INFO_VERSION_MAJOR`: highest major version understood (1).
pub const OS_INFO_VERSION_MAJOR: u16 = 1;
/// Number of entries in `struct os_info` (`OS_INFO_MAX`, 13).
pub const OS_INFO_MAX: usize = 13;
/// Size of `struct os_info` in bytes (one page, 4096).
pub const OS_INFO_SIZE: usize = 4096;
/// Offset of `version_major` in `struct os_info`, where the checksummed area
/// starts (12); the checksum covers `[12, 4096)`.
pub const OS_INFO_CSUM_START: usize = 12;

/// Entry index: vmcoreinfo note data (address + size + checksum).
pub const OS_INFO_VMCOREINFO: usize = 0;
/// Entry index: re-IPL block (address + size + checksum).
pub const OS_INFO_REIPL_BLOCK: usize = 1;
/// Entry index: flags value.
pub const OS_INFO_FLAGS_ENTRY: usize = 2;
/// Entry index: old kernel's identity mapping base (virtual address) value.
pub const OS_INFO_IDENTITY_BASE: usize = 4;
/// Entry index: old kernel's KASLR offset value (non-zero means the entries
/// describing the virtual memory layout are valid, C `os_info_has_vm()`).
pub const OS_INFO_KASLR_OFFSET: usize = 5;
/// Entry index: physical KASLR offset value.
pub const OS_INFO_KASLR_OFF_PHYS: usize = 6;
/// Entry index: vmemmap virtual address value.
pub const OS_INFO_VMEMMAP: usize = 7;
/// Entry index: amode31 section start value.
pub const OS_INFO_AMODE31_START: usize = 8;
/// Entry index: amode31 section end value.
pub const OS_INFO_AMODE31_END: usize = 9;
/// Entry index: kernel image start (`_stext`, virtual address) value.
pub const OS_INFO_IMAGE_START: usize = 10;
/// Entry index: kernel image end (`_end`, virtual address) value.
pub const OS_INFO_IMAGE_END: usize = 11;
/// Entry index: kernel image start physical address (`__pa_symbol(_stext)`) value.
pub const OS_INFO_IMAGE_PHYS: usize = 12;

/// Max vmcoreinfo size in bytes that we accept from old memory.
pub const VMCOREINFO_MAX: usize = 65536;

/// Compute the s390 `CKSM` checksum of `data` starting from `sum`
/// (`cksm()`, `arch/s390/include/asm/checksum.h`; z/Architecture Principles
/// of Operation, CHECKSUM): the data is taken as big-endian 32-bit words,
/// the last 1-3 bytes padded on the right with zeros, and each word is added
/// to the 32-bit sum with end-around carry (a carry out of bit 0 is added
/// back into bit 31).
///
/// Chunked computation is equivalent as long as every chunk but the last has
/// a length that is a multiple of 4.
pub fn cksm(data: &[u8], sum: u32) -> u32 {
    let mut sum = sum;
    for c in data.chunks(4) {
        let mut w = [0u8; 4];
        for (d, s) in w.iter_mut().zip(c) {
            *d = *s;
        }
        let (s, carry) = sum.overflowing_add(u32::from_be_bytes(w));
        sum = s.wrapping_add(u32::from(carry));
    }
    sum
}

/// One `struct os_info_entry` (packed, 20 bytes, big-endian): `addr`/`val`
/// 0 (physical address of the data, or the value itself), `size` 8 (bytes
/// of data, 0 for values), `csum` 16 ([`cksm`] of the data).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsInfoEntry {
    /// Physical address of the data (data entries) or the value (value entries).
    pub addr: u64,
    /// Size of the data in bytes (0 for value entries).
    pub size: u64,
    /// Checksum of the data.
    pub csum: u32,
}

/// Size in bytes of one `struct os_info_entry` (20).
pub const OS_INFO_ENTRY_SIZE: usize = 20;

impl OsInfoEntry {
    /// The entry whose 20 bytes in old memory are `b`.
    pub fn from_bytes(b: &[u8; OS_INFO_ENTRY_SIZE]) -> Self {
        OsInfoEntry {
            addr: b.be_u64::<0>(),
            size: b.be_u64::<8>(),
            csum: b.be_u32::<16>(),
        }
    }

    /// The 20 bytes of the entry as they are in old memory.
    pub fn to_bytes(&self) -> [u8; OS_INFO_ENTRY_SIZE] {
        let mut b = [0; OS_INFO_ENTRY_SIZE];
        b.set_be_u64::<0>(self.addr);
        b.set_be_u64::<8>(self.size);
        b.set_be_u32::<16>(self.csum);
        b
    }
}

/// The first 292 bytes of `struct os_info` (packed, big-endian): `magic` 0,
/// `csum` 8, `version_major` 12, `version_minor` 14, `crashkernel_addr` 16,
/// `crashkernel_size` 24, `entry[13]` 32 (20 bytes each). The remaining
/// 3804 reserved bytes up to 4096 are only checksummed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsInfoHeader {
    /// `OS_INFO_MAGIC`.
    pub magic: u64,
    /// [`cksm`] of bytes `[12, 4096)` of the page.
    pub csum: u32,
    /// Major version.
    pub version_major: u16,
    /// Minor version.
    pub version_minor: u16,
    /// Physical base of the crashkernel area (bytes).
    pub crashkernel_addr: u64,
    /// Size of the crashkernel area (bytes).
    pub crashkernel_size: u64,
    /// Entries, indexed by the `OS_INFO_*` constants.
    pub entry: [OsInfoEntry; OS_INFO_MAX],
}

/// Byte offset of `entry[0]` in `struct os_info` (32).
const OS_INFO_ENTRY0: usize = 32;

impl OsInfoHeader {
    /// The header whose 292 bytes in old memory are `b`.
    pub fn from_bytes(b: &[u8; OS_INFO_HEADER_SIZE]) -> Self {
        let mut entry = [OsInfoEntry::default(); OS_INFO_MAX];
        for (e, raw) in entry
            .iter_mut()
            .zip(b[OS_INFO_ENTRY0..].chunks_exact(OS_INFO_ENTRY_SIZE))
        {
            let mut r = [0; OS_INFO_ENTRY_SIZE];
            r.copy_from_slice(raw);
            *e = OsInfoEntry::from_bytes(&r);
        }
        OsInfoHeader {
            magic: b.be_u64::<0>(),
            csum: b.be_u32::<8>(),
            version_major: b.be_u16::<12>(),
            version_minor: b.be_u16::<14>(),
            crashkernel_addr: b.be_u64::<16>(),
            crashkernel_size: b.be_u64::<24>(),
            entry,
        }
    }

    /// The 292 bytes of the header as they are in old memory.
    pub fn to_bytes(&self) -> [u8; OS_INFO_HEADER_SIZE] {
        let mut b = [0; OS_INFO_HEADER_SIZE];
        b.set_be_u64::<0>(self.magic);
        b.set_be_u32::<8>(self.csum);
        b.set_be_u16::<12>(self.version_major);
        b.set_be_u16::<14>(self.version_minor);
        b.set_be_u64::<16>(self.crashkernel_addr);
        b.set_be_u64::<24>(self.crashkernel_size);
        for (raw, e) in b[OS_INFO_ENTRY0..]
            .chunks_exact_mut(OS_INFO_ENTRY_SIZE)
            .zip(&self.entry)
        {
            raw.copy_from_slice(&e.to_bytes());
        }
        b
    }
}

/// Size in bytes of [`OsInfoHeader`] (292).
pub const OS_INFO_HEADER_SIZE: usize = OS_INFO_ENTRY0 + OS_INFO_ENTRY_SIZE * OS_INFO_MAX;
const _: () = assert!(OS_INFO_HEADER_SIZE & 3 == 0 && OS_INFO_SIZE & 3 == 0);

/// Why the os_info page or one of its entries could not be used; the glue
/// prints it with `{}` ([`Display`](core::fmt::Display)). Mirrors the
/// failure paths of C `os_info_old_init()` / `os_info_old_alloc()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OsInfoError {
    /// Reading old memory failed.
    Read,
    /// The data at physical address `paddr` (the lowcore pointer, the
    /// os_info page or an entry's data) does not lie inside the crashed
    /// system's memory ([`Error::OutsideMemory`] from the [`OldMem`], or
    /// the range runs past the end of the 64-bit address space); nothing
    /// was read there.
    OutsideMemory {
        /// Physical address of the first byte of the rejected data.
        paddr: u64,
    },
    /// The lowcore os_info pointer (or the entry address) is 0.
    NotAvailable,
    /// The lowcore os_info pointer is not page aligned.
    Misaligned,
    /// `magic != OS_INFO_MAGIC`.
    BadMagic,
    /// The header checksum does not match.
    BadChecksum,
    /// `version_major > OS_INFO_VERSION_MAJOR`.
    BadVersion,
    /// The entry index is out of range.
    BadIndex,
    /// The entry is larger than the caller's buffer.
    TooBig,
    /// The entry data checksum does not match.
    EntryChecksum,
    /// The [`OldMem`] reported a bug ([`Error::Internal`] or
    /// [`Error::BufferTooSmall`]), not a property of old memory.
    Internal,
}

impl core::fmt::Display for OsInfoError {
    /// A short lower-case reason for a kernel log line (`pr_warn`), e.g.
    /// `checksum failed` or `0x7fff0000 is outside the crashed system's
    /// memory`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = match *self {
            OsInfoError::OutsideMemory { paddr } => {
                return write!(f, "{paddr:#x} is outside the crashed system's memory");
            }
            OsInfoError::Read => "copy failed",
            OsInfoError::NotAvailable => "not available",
            OsInfoError::Misaligned => "not page aligned",
            OsInfoError::BadMagic => "bad magic",
            OsInfoError::BadChecksum => "checksum failed",
            OsInfoError::BadVersion => "unsupported major version",
            OsInfoError::BadIndex => "bad entry index",
            OsInfoError::TooBig => "entry too big",
            OsInfoError::EntryChecksum => "entry checksum failed",
            OsInfoError::Internal => "internal error (a bug)",
        };
        f.write_str(s)
    }
}

impl From<Error> for OsInfoError {
    /// [`Error::OutsideMemory`] becomes [`OsInfoError::OutsideMemory`] with
    /// the same address, the bugs [`Error::Internal`] and
    /// [`Error::BufferTooSmall`] become [`OsInfoError::Internal`], and the
    /// other errors of an [`OldMem`] read (bad input) become
    /// [`OsInfoError::Read`].
    fn from(e: Error) -> Self {
        match e {
            Error::OutsideMemory { paddr, .. } => OsInfoError::OutsideMemory { paddr },
            Error::Internal | Error::BufferTooSmall => OsInfoError::Internal,
            Error::Read | Error::Invalid | Error::TooBig | Error::Overflow => OsInfoError::Read,
        }
    }
}

/// Values read from the old system's os_info page, validated like C
/// `os_info_old_init()`; the header is copied into new memory (292 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsInfo {
    /// The validated header as read from old memory.
    pub hdr: OsInfoHeader,
    /// Physical address of the os_info page in old memory.
    pub addr: u64,
}

fn read_u64(mem: &dyn OldMem, paddr: u64) -> Result<u64, Error> {
    let mut b = [0u8; 8];
    mem.read(paddr, &mut b)?;
    Ok(u64::from_be_bytes(b))
}

impl OsInfo {
    /// Read the os_info pointer from the old lowcore (absolute 0xe18, 8
    /// bytes big-endian, one `mem.read`), then copy the whole 4096-byte page
    /// it points to into `page` with ONE `mem.read` and validate that copy
    /// only ("copy once, check the copy": old memory is never read twice,
    /// so the checked bytes are the used bytes): pointer non-zero and
    /// 4096-aligned, `magic == OS_INFO_MAGIC`, header checksum ([`cksm`]
    /// over bytes `[12, 4096)`) equal to `csum`, and `version_major <= 1`.
    ///
    /// `page` is scratch space provided by the caller (so the kernel needs
    /// no page on its stack); on return it holds whatever was read, valid or
    /// not. The returned [`OsInfo`] copies the 292-byte header out of it.
    ///
    /// Pass an [`InRanges`](crate::InRanges) as `mem` so that the pointer
    /// is checked against the crashed system's memory before it is
    /// followed.
    ///
    /// Errors: the reason why os_info is unusable; the dump continues
    /// without it (like C, where `os_info_old` stays NULL):
    /// [`OsInfoError::NotAvailable`] (pointer 0), [`OsInfoError::Misaligned`],
    /// [`OsInfoError::OutsideMemory`] (the lowcore or the page is outside
    /// memory per `mem`, or the page would run past the end of the 64-bit
    /// address space), [`OsInfoError::Read`] (any other read error),
    /// [`OsInfoError::BadMagic`], [`OsInfoError::BadChecksum`],
    /// [`OsInfoError::BadVersion`].
    pub fn read(mem: &dyn OldMem, page: &mut [u8; OS_INFO_SIZE]) -> Result<OsInfo, OsInfoError> {
        let addr = read_u64(mem, LC_OS_INFO)?;
        if addr == 0 {
            return Err(OsInfoError::NotAvailable);
        }
        if addr % PAGE_SIZE != 0 {
            return Err(OsInfoError::Misaligned);
        }
        // The page must be addressable as a whole.
        if addr.checked_add(OS_INFO_SIZE as u64).is_none() {
            return Err(OsInfoError::OutsideMemory { paddr: addr });
        }
        mem.read(addr, page)?;
        let page: &[u8; OS_INFO_SIZE] = page;
        let mut raw = [0; OS_INFO_HEADER_SIZE];
        raw.copy_from_slice(&page[..OS_INFO_HEADER_SIZE]);
        let hdr = OsInfoHeader::from_bytes(&raw);
        if hdr.magic != OS_INFO_MAGIC {
            return Err(OsInfoError::BadMagic);
        }
        let sum = cksm(page.get(OS_INFO_CSUM_START..).unwrap_or(&[]), 0);
        if sum != hdr.csum {
            return Err(OsInfoError::BadChecksum);
        }
        if hdr.version_major > OS_INFO_VERSION_MAJOR {
            return Err(OsInfoError::BadVersion);
        }
        Ok(OsInfo { hdr, addr })
    }

    /// `entry[nr].val` (C `os_info_old_value()` for value entries); 0 if
    /// `nr` is out of range.
    pub fn value(&self, nr: usize) -> u64 {
        self.hdr.entry.get(nr).map_or(0, |e| e.addr)
    }

    /// `entry[nr].size` in bytes; 0 if `nr` is out of range.
    pub fn entry_size(&self, nr: usize) -> u64 {
        self.hdr.entry.get(nr).map_or(0, |e| e.size)
    }

    /// Copy data entry `nr` (physical `addr`, `size` bytes) from old memory
    /// into the start of `buf` with one `mem.read` and verify the checksum
    /// of that copy (C `os_info_old_alloc()`). Returns the length in bytes
    /// (`size`).
    ///
    /// Pass an [`InRanges`](crate::InRanges) as `mem` so that `addr` is
    /// checked against the crashed system's memory before it is followed.
    ///
    /// Errors: [`OsInfoError::BadIndex`] (`nr >= 13`),
    /// [`OsInfoError::NotAvailable`] (`addr` 0), [`OsInfoError::TooBig`]
    /// (`size > buf.len()`), [`OsInfoError::OutsideMemory`] (`[addr, addr +
    /// size)` outside memory per `mem` or past the end of the 64-bit
    /// address space), [`OsInfoError::Read`] (any other read error),
    /// [`OsInfoError::EntryChecksum`].
    pub fn read_entry(
        &self,
        mem: &dyn OldMem,
        nr: usize,
        buf: &mut [u8],
    ) -> Result<usize, OsInfoError> {
        let e = self.hdr.entry.get(nr).ok_or(OsInfoError::BadIndex)?;
        let addr = e.addr;
        if addr == 0 {
            return Err(OsInfoError::NotAvailable);
        }
        let size = usize::try_from(e.size).map_err(|_| OsInfoError::TooBig)?;
        let dst = buf.get_mut(..size).ok_or(OsInfoError::TooBig)?;
        if addr.checked_add(e.size).is_none() {
            return Err(OsInfoError::OutsideMemory { paddr: addr });
        }
        mem.read(addr, dst)?;
        if cksm(dst, 0) != e.csum {
            return Err(OsInfoError::EntryChecksum);
        }
        Ok(size)
    }

    /// C `os_info_has_vm()`: the KASLR offset entry is non-zero, so the
    /// identity base and the kernel image entries are meaningful.
    pub fn has_vm(&self) -> bool {
        self.value(OS_INFO_KASLR_OFFSET) != 0
    }

    /// The old kernel's identity mapping base: `IDENTITY_BASE` if
    /// [`has_vm`](Self::has_vm), else 0 (C `loads_init()`). Added to the
    /// physical start of each memory range to get its `p_vaddr`.
    pub fn identity_base(&self) -> u64 {
        if self.has_vm() {
            self.value(OS_INFO_IDENTITY_BASE)
        } else {
            0
        }
    }

    /// The kernel image PT_LOAD (C `text_init()`), present only if
    /// [`has_vm`](Self::has_vm): `start = IMAGE_START`, `end = IMAGE_END`
    /// (virtual), `phys = IMAGE_PHYS`. Returns `None` when `end < start`
    /// (C would emit a wrapped, huge size; we drop the segment instead).
    pub fn text_segment(&self) -> Option<TextSegment> {
        if !self.has_vm() {
            return None;
        }
        let t = TextSegment {
            start: self.value(OS_INFO_IMAGE_START),
            end: self.value(OS_INFO_IMAGE_END),
            phys: self.value(OS_INFO_IMAGE_PHYS),
        };
        if t.end < t.start {
            return None;
        }
        Some(t)
    }
}

/// [`OsInfo::identity_base`] of an optional os_info (0 without os_info).
pub fn identity_base(os: Option<&OsInfo>) -> u64 {
    os.map_or(0, OsInfo::identity_base)
}

/// [`OsInfo::text_segment`] of an optional os_info (`None` without os_info).
pub fn text_segment(os: Option<&OsInfo>) -> Option<TextSegment> {
    os.and_then(OsInfo::text_segment)
}

/// Fallback location of the vmcoreinfo data (C `get_vmcoreinfo_old()`):
/// read the note address from the old lowcore (absolute 0xe0c, 8 bytes
/// big-endian), read the 12-byte [`Elf64Nhdr`] there and the following 10
/// name bytes, which must be exactly "VMCOREINFO" (like C, `n_namesz` is not
/// checked). The descriptor starts at `addr + 24` (header + "VMCOREINFO\0"
/// padded to 12) and is `n_descsz` bytes long.
///
/// Returns `(physical desc address, desc size in bytes)`; the descriptor
/// itself is NOT read or checked here: the caller reads `[desc, desc +
/// size)` (`size <= VMCOREINFO_MAX`) through the same `mem`.
///
/// Pass an [`InRanges`](crate::InRanges) as `mem`, and read the
/// descriptor through it too: then the lowcore pointer, the note header
/// and name, and the descriptor are each checked against the crashed
/// system's memory before they are read.
///
/// Errors: every error of `mem` unchanged, in particular [`Error::Read`]
/// (old memory unreadable) and [`Error::OutsideMemory`] (the note header
/// or name is outside memory); [`Error::Invalid`] (wrong name),
/// [`Error::TooBig`] (`n_descsz > VMCOREINFO_MAX`), [`Error::Overflow`]
/// (address arithmetic overflows).
pub fn vmcoreinfo_from_lowcore(mem: &dyn OldMem) -> Result<(u64, usize), Error> {
    let addr = read_u64(mem, LC_VMCORE_INFO)?;
    let mut raw = [0; NHDR_SIZE];
    mem.read(addr, &mut raw)?;
    let nhdr = Elf64Nhdr::from_bytes(&raw);
    let name_addr = addr.checked_add(NHDR_SIZE as u64).ok_or(Error::Overflow)?;
    let mut name = [0u8; 10];
    mem.read(name_addr, &mut name)?;
    if &name != b"VMCOREINFO" {
        return Err(Error::Invalid);
    }
    let size = usize::try_from(nhdr.n_descsz).map_err(|_| Error::TooBig)?;
    if size > VMCOREINFO_MAX {
        return Err(Error::TooBig);
    }
    let desc = addr.checked_add(24).ok_or(Error::Overflow)?;
    desc.checked_add(size as u64).ok_or(Error::Overflow)?;
    Ok((desc, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::PhysRange;
    use crate::InRanges;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::format;
    use std::vec;
    use std::vec::Vec;

    /// Sparse fake old memory: unknown bytes are unreadable. Records every
    /// read request `(paddr, len)` it receives.
    #[derive(Default)]
    struct Fake(BTreeMap<u64, u8>, RefCell<Vec<(u64, usize)>>);
    impl Fake {
        fn put(&mut self, a: u64, b: &[u8]) {
            for (i, x) in b.iter().enumerate() {
                self.0.insert(a + i as u64, *x);
            }
        }
        fn reads(&self) -> Vec<(u64, usize)> {
            self.1.borrow().clone()
        }
        /// Whether any recorded read touched a byte of `[a, a + len)`.
        fn touched(&self, a: u64, len: u64) -> bool {
            self.1.borrow().iter().any(|&(p, n)| {
                let n = n as u64;
                n != 0 && p < a.saturating_add(len) && a < p.saturating_add(n)
            })
        }
    }
    impl OldMem for Fake {
        fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), Error> {
            self.1.borrow_mut().push((paddr, buf.len()));
            for (i, b) in buf.iter_mut().enumerate() {
                *b = *self.0.get(&(paddr + i as u64)).ok_or(Error::Read)?;
            }
            Ok(())
        }
    }

    /// [`OsInfo::read`] with a fresh page buffer.
    fn read_os(m: &dyn OldMem) -> Result<OsInfo, OsInfoError> {
        OsInfo::read(m, &mut [0u8; OS_INFO_SIZE])
    }

    const PAGE: u64 = 0x5000;
    const DATA: u64 = 0x7003;

    /// A valid os_info page with vmcoreinfo entry and values; returns
    /// (memory, page bytes).
    fn build(page_addr: u64, data: &[u8]) -> (Fake, Vec<u8>) {
        let mut m = Fake::default();
        m.put(LC_OS_INFO, &page_addr.to_be_bytes());
        let mut page = vec![0u8; 4096];
        page[0..8].copy_from_slice(&OS_INFO_MAGIC.to_be_bytes());
        page[12..14].copy_from_slice(&1u16.to_be_bytes());
        page[14..16].copy_from_slice(&1u16.to_be_bytes());
        let ent = |page: &mut Vec<u8>, nr: usize, a: u64, s: u64, c: u32| {
            let o = 32 + 20 * nr;
            page[o..o + 8].copy_from_slice(&a.to_be_bytes());
            page[o + 8..o + 16].copy_from_slice(&s.to_be_bytes());
            page[o + 16..o + 20].copy_from_slice(&c.to_be_bytes());
        };
        ent(&mut page, 0, DATA, data.len() as u64, cksm(data, 0));
        ent(&mut page, 4, 0x3ffe_0000_0000, 0, 0);
        ent(&mut page, 5, 0x1000_0000, 0, 0);
        ent(&mut page, 10, 0x3ffe_1000_0000, 0, 0);
        ent(&mut page, 11, 0x3ffe_1200_0000, 0, 0);
        ent(&mut page, 12, 0x10_0000, 0, 0);
        page[4000] = 0x77; // reserved area must be covered by the checksum
        fix_csum(&mut page);
        m.put(page_addr, &page);
        m.put(DATA, data);
        (m, page)
    }

    fn fix_csum(page: &mut [u8]) {
        let c = cksm(&page[12..], 0);
        page[8..12].copy_from_slice(&c.to_be_bytes());
    }

    #[test]
    fn cksm_hand_values() {
        assert_eq!(cksm(&[], 0), 0);
        assert_eq!(cksm(&[0, 0, 0, 1, 0, 0, 0, 2], 0), 3);
        // Trailing bytes are padded on the right: 0x01020300.
        assert_eq!(cksm(&[1, 2, 3], 0), 0x0102_0300);
        assert_eq!(cksm(&[0, 0, 0, 1, 0xab], 0), 0xab00_0001);
        // End-around carry: 0xffffffff + 0x00000002 = 0x1_00000001 -> 0x00000002.
        assert_eq!(cksm(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2], 0), 2);
        // 0x80000000 + 0x80000000 = 0x1_00000000 -> 0x00000001.
        assert_eq!(cksm(&[0x80, 0, 0, 0, 0x80, 0, 0, 0], 0), 1);
        // 0xffffffff + 0xffffffff = 0x1_fffffffe -> 0xffffffff.
        assert_eq!(cksm(&[0xff; 8], 0), 0xffff_ffff);
        // Initial sum participates with carry.
        assert_eq!(cksm(&[0, 0, 0, 5], 0xffff_fffe), 4);
        // Chunking at multiples of 4 is equivalent.
        let d: Vec<u8> = (0..103u32).map(|i| (i * 37 + 11) as u8).collect();
        assert_eq!(cksm(&d[40..], cksm(&d[..40], 0)), cksm(&d, 0));
    }

    #[test]
    fn valid_os_info() {
        let data = b"OSRELEASE=6.12.0\nPAGESIZE=4096\n";
        let (m, _) = build(PAGE, data);
        let os = read_os(&m).unwrap();
        assert_eq!(os.addr, PAGE);
        assert_eq!(os.value(OS_INFO_KASLR_OFFSET), 0x1000_0000);
        assert_eq!(os.value(99), 0);
        assert_eq!(os.entry_size(0), data.len() as u64);
        assert_eq!(os.entry_size(99), 0);
        assert!(os.has_vm());
        assert_eq!(os.identity_base(), 0x3ffe_0000_0000);
        assert_eq!(
            os.text_segment(),
            Some(TextSegment {
                start: 0x3ffe_1000_0000,
                end: 0x3ffe_1200_0000,
                phys: 0x10_0000
            })
        );
        let mut buf = [0u8; 64];
        assert_eq!(
            os.read_entry(&m, OS_INFO_VMCOREINFO, &mut buf),
            Ok(data.len())
        );
        assert_eq!(&buf[..data.len()], data);
        // Exactly-sized buffer is fine, one byte less is TooBig.
        let mut exact = vec![0u8; data.len()];
        assert_eq!(os.read_entry(&m, 0, &mut exact), Ok(data.len()));
        let mut small = vec![0u8; data.len() - 1];
        assert_eq!(os.read_entry(&m, 0, &mut small), Err(OsInfoError::TooBig));
        assert_eq!(
            os.read_entry(&m, 1, &mut buf),
            Err(OsInfoError::NotAvailable)
        );
        assert_eq!(os.read_entry(&m, 13, &mut buf), Err(OsInfoError::BadIndex));
        assert_eq!(identity_base(Some(&os)), 0x3ffe_0000_0000);
        assert_eq!(identity_base(None), 0);
        assert_eq!(text_segment(Some(&os)), os.text_segment());
        assert!(text_segment(Some(&os)).is_some());
        assert_eq!(text_segment(None), None);
    }

    #[test]
    fn no_vm_means_no_text_and_zero_base() {
        let (mut m, mut page) = build(PAGE, b"x");
        page[32 + 20 * 5..32 + 20 * 5 + 8].fill(0);
        fix_csum(&mut page);
        m.put(PAGE, &page);
        let os = read_os(&m).unwrap();
        assert!(!os.has_vm());
        assert_eq!(os.identity_base(), 0);
        assert_eq!(os.text_segment(), None);
    }

    #[test]
    fn inverted_text_is_dropped() {
        let (mut m, mut page) = build(PAGE, b"x");
        page[32 + 20 * 11..32 + 20 * 11 + 8].copy_from_slice(&1u64.to_be_bytes());
        fix_csum(&mut page);
        m.put(PAGE, &page);
        assert_eq!(read_os(&m).unwrap().text_segment(), None);
    }

    #[test]
    fn empty_text_is_kept() {
        // end == start: an empty kernel-text PT_LOAD, as C writes it.
        let (mut m, mut page) = build(PAGE, b"x");
        let start = 0x3ffe_1000_0000u64.to_be_bytes();
        page[32 + 20 * 11..32 + 20 * 11 + 8].copy_from_slice(&start);
        fix_csum(&mut page);
        m.put(PAGE, &page);
        assert_eq!(
            read_os(&m).unwrap().text_segment(),
            Some(TextSegment {
                start: 0x3ffe_1000_0000,
                end: 0x3ffe_1000_0000,
                phys: 0x10_0000
            })
        );
    }

    #[test]
    fn hostile_os_info() {
        let data = b"abc";
        // Pointer 0 / misaligned / unreadable lowcore.
        let (mut m, _) = build(PAGE, data);
        m.put(LC_OS_INFO, &0u64.to_be_bytes());
        assert_eq!(read_os(&m), Err(OsInfoError::NotAvailable));
        m.put(LC_OS_INFO, &(PAGE + 8).to_be_bytes());
        assert_eq!(read_os(&m), Err(OsInfoError::Misaligned));
        assert_eq!(read_os(&Fake::default()), Err(OsInfoError::Read));
        // Page at the top of the address space.
        m.put(LC_OS_INFO, &0xffff_ffff_ffff_f000u64.to_be_bytes());
        assert_eq!(
            read_os(&m),
            Err(OsInfoError::OutsideMemory {
                paddr: 0xffff_ffff_ffff_f000
            })
        );
        // Page partially unreadable (reserved area missing).
        let (mut m, page) = build(PAGE, data);
        m.put(LC_OS_INFO, &0x9000u64.to_be_bytes());
        m.put(0x9000, &page[..1000]);
        assert_eq!(read_os(&m), Err(OsInfoError::Read));
        // Bad magic.
        let (mut m, mut page) = build(PAGE, data);
        page[7] ^= 1;
        m.put(PAGE, &page);
        assert_eq!(read_os(&m), Err(OsInfoError::BadMagic));
        // Bad checksum: flip a reserved byte, and flip a header byte.
        for at in [4095usize, 20, 9] {
            let (mut m, mut page) = build(PAGE, data);
            page[at] ^= 0x10;
            m.put(PAGE, &page);
            assert_eq!(read_os(&m), Err(OsInfoError::BadChecksum), "byte {at}");
        }
        // Major version 2 (with valid checksum).
        let (mut m, mut page) = build(PAGE, data);
        page[12..14].copy_from_slice(&2u16.to_be_bytes());
        fix_csum(&mut page);
        m.put(PAGE, &page);
        assert_eq!(read_os(&m), Err(OsInfoError::BadVersion));
        // Minor version is irrelevant.
        let (mut m, mut page) = build(PAGE, data);
        page[14..16].copy_from_slice(&0xffffu16.to_be_bytes());
        fix_csum(&mut page);
        m.put(PAGE, &page);
        assert!(read_os(&m).is_ok());
    }

    #[test]
    fn hostile_entries() {
        let data = b"vmcoreinfo data";
        // Huge entry size.
        let (mut m, mut page) = build(PAGE, data);
        page[40..48].copy_from_slice(&u64::MAX.to_be_bytes());
        fix_csum(&mut page);
        m.put(PAGE, &page);
        let os = read_os(&m).unwrap();
        let mut buf = vec![0u8; VMCOREINFO_MAX];
        assert_eq!(os.read_entry(&m, 0, &mut buf), Err(OsInfoError::TooBig));
        // Entry checksum mismatch (data changed after the checksum).
        let (mut m, _) = build(PAGE, data);
        m.put(DATA + 3, b"X");
        let os = read_os(&m).unwrap();
        assert_eq!(
            os.read_entry(&m, 0, &mut buf),
            Err(OsInfoError::EntryChecksum)
        );
        // Entry data unreadable.
        let (mut m, _) = build(PAGE, data);
        m.0.remove(&(DATA + 5));
        let os = read_os(&m).unwrap();
        assert_eq!(os.read_entry(&m, 0, &mut buf), Err(OsInfoError::Read));
        // Entry at the end of the address space.
        let (mut m, mut page) = build(PAGE, data);
        page[32..40].copy_from_slice(&(u64::MAX - 2).to_be_bytes());
        fix_csum(&mut page);
        m.put(PAGE, &page);
        let os = read_os(&m).unwrap();
        assert_eq!(
            os.read_entry(&m, 0, &mut buf),
            Err(OsInfoError::OutsideMemory {
                paddr: u64::MAX - 2
            })
        );
    }

    fn lowcore_note(name: &[u8], descsz: u32, addr: u64) -> Fake {
        let mut m = Fake::default();
        m.put(LC_VMCORE_INFO, &addr.to_be_bytes());
        let mut n = Vec::new();
        n.extend_from_slice(&11u32.to_be_bytes());
        n.extend_from_slice(&descsz.to_be_bytes());
        n.extend_from_slice(&0u32.to_be_bytes());
        n.extend_from_slice(name);
        m.put(addr, &n);
        m
    }

    #[test]
    fn vmcoreinfo_fallback() {
        let m = lowcore_note(b"VMCOREINFO\0\0", 1234, 0x8000);
        assert_eq!(vmcoreinfo_from_lowcore(&m), Ok((0x8000 + 24, 1234)));
        let m = lowcore_note(b"VMCOREINFO\0\0", VMCOREINFO_MAX as u32, 0x8000);
        assert_eq!(
            vmcoreinfo_from_lowcore(&m),
            Ok((0x8000 + 24, VMCOREINFO_MAX))
        );
        let m = lowcore_note(b"VMCOREINFO\0\0", VMCOREINFO_MAX as u32 + 1, 0x8000);
        assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::TooBig));
        let m = lowcore_note(b"VMCOREINFO\0\0", u32::MAX, 0x8000);
        assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::TooBig));
        let m = lowcore_note(b"VMCOREINFX\0\0", 10, 0x8000);
        assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::Invalid));
        let m = lowcore_note(b"CORE\0\0\0\0\0\0\0\0", 10, 0x8000);
        assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::Invalid));
        assert_eq!(vmcoreinfo_from_lowcore(&Fake::default()), Err(Error::Read));
        // Note header at the end of the address space.
        let mut m = Fake::default();
        m.put(LC_VMCORE_INFO, &(u64::MAX - 11).to_be_bytes());
        m.put(u64::MAX - 11, &[0u8; 11]);
        assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::Read));
    }

    fn rg(start: u64, end: u64) -> PhysRange {
        PhysRange { start, end }
    }

    #[test]
    fn os_info_read_is_one_page_read() {
        let (m, page) = build(PAGE, b"data");
        let mut buf = [0u8; OS_INFO_SIZE];
        let os = OsInfo::read(&m, &mut buf).unwrap();
        // The lowcore pointer and one whole page, nothing else.
        assert_eq!(m.reads(), vec![(LC_OS_INFO, 8), (PAGE, OS_INFO_SIZE)]);
        assert_eq!(&buf[..], &page[..]);
        assert_eq!(&os.hdr.to_bytes()[..], &page[..OS_INFO_HEADER_SIZE]);
        // Also through the range check, and also when validation fails.
        let ranges = [rg(0, 0x10000)];
        let (mut m, mut page) = build(PAGE, b"data");
        page[100] ^= 1;
        m.put(PAGE, &page);
        let w = InRanges::new(&m, &ranges);
        assert_eq!(read_os(&w), Err(OsInfoError::BadChecksum));
        assert_eq!(m.reads(), vec![(LC_OS_INFO, 8), (PAGE, OS_INFO_SIZE)]);
    }

    #[test]
    fn os_info_pointer_outside_memory() {
        // Two ranges with a hole [0x10000, 0x20000) between them.
        let ranges = [rg(0, 0x10000), rg(0x20000, 0x30000)];
        for page in [0x18000u64, 0x10000, 0x1f000, 0x30000, 0x1_0000_0000] {
            let (m, _) = build(page, b"data");
            // The page is there; only the range check rejects it.
            assert!(read_os(&m).is_ok());
            let m = build(page, b"data").0;
            let w = InRanges::new(&m, &ranges);
            assert_eq!(
                read_os(&w),
                Err(OsInfoError::OutsideMemory { paddr: page }),
                "{page:#x}"
            );
            assert!(!m.touched(page, OS_INFO_SIZE as u64), "{page:#x}");
            assert_eq!(m.reads(), vec![(LC_OS_INFO, 8)]);
        }
        // Pages ending exactly at a range end are fine.
        for page in [0xf000u64, 0x2f000] {
            let (m, _) = build(page, b"data");
            let w = InRanges::new(&m, &ranges);
            assert_eq!(read_os(&w).map(|o| o.addr), Ok(page));
        }
        // A range ending inside the page: the page is rejected.
        let ranges = [rg(0, 0x10000), rg(0x20000, 0x20fff)];
        let (m, _) = build(0x20000, b"data");
        let w = InRanges::new(&m, &ranges);
        assert_eq!(
            read_os(&w),
            Err(OsInfoError::OutsideMemory { paddr: 0x20000 })
        );
        assert!(!m.touched(0x20000, OS_INFO_SIZE as u64));
        // A page spanning two adjacent ranges is rejected too.
        let ranges = [rg(0, 0x20800), rg(0x20800, 0x30000)];
        let (m, _) = build(0x20000, b"data");
        let w = InRanges::new(&m, &ranges);
        assert_eq!(
            read_os(&w),
            Err(OsInfoError::OutsideMemory { paddr: 0x20000 })
        );
        // The lowcore itself outside memory: nothing is read at all.
        let ranges = [rg(0x1000, 0x10000)];
        let (m, _) = build(PAGE, b"data");
        let w = InRanges::new(&m, &ranges);
        assert_eq!(
            read_os(&w),
            Err(OsInfoError::OutsideMemory { paddr: LC_OS_INFO })
        );
        assert_eq!(m.reads(), vec![]);
    }

    #[test]
    fn os_info_entry_outside_memory() {
        let data = b"OSRELEASE=6.12.0\n";
        let len = data.len() as u64;
        let mut buf = [0u8; 64];
        // DATA in a hole, and DATA at the very end of the last range.
        for ranges in [
            [rg(0, 0x7000), rg(0x8000, 0x9000)],
            [rg(0x8000, 0x9000), rg(0, DATA)],
        ] {
            let (m, _) = build(PAGE, data);
            let w = InRanges::new(&m, &ranges);
            let os = read_os(&w).unwrap();
            assert_eq!(
                os.read_entry(&w, OS_INFO_VMCOREINFO, &mut buf),
                Err(OsInfoError::OutsideMemory { paddr: DATA })
            );
            assert!(!m.touched(DATA, len));
            // Without the range check it would have been read fine.
            assert_eq!(
                os.read_entry(&m, OS_INFO_VMCOREINFO, &mut buf),
                Ok(data.len())
            );
        }
        // Ending exactly at the range end: accepted; one byte more: rejected.
        let ok = [rg(0, DATA + len)];
        let short = [rg(0, DATA + len - 1)];
        let (m, _) = build(PAGE, data);
        let os = read_os(&m).unwrap();
        let w = InRanges::new(&m, &ok);
        assert_eq!(os.read_entry(&w, 0, &mut buf), Ok(data.len()));
        assert_eq!(&buf[..data.len()], data);
        let (m, _) = build(PAGE, data);
        let w = InRanges::new(&m, &short);
        assert_eq!(
            os.read_entry(&w, 0, &mut buf),
            Err(OsInfoError::OutsideMemory { paddr: DATA })
        );
        assert!(!m.touched(DATA, len));
        // Spanning two adjacent ranges: rejected.
        let split = [rg(0, DATA + 4), rg(DATA + 4, 0x10000)];
        let w = InRanges::new(&m, &split);
        assert_eq!(
            os.read_entry(&w, 0, &mut buf),
            Err(OsInfoError::OutsideMemory { paddr: DATA })
        );
        assert!(!m.touched(DATA, len));
    }

    #[test]
    fn lowcore_vmcoreinfo_outside_memory() {
        const NOTE: u64 = 0x8000;
        const DESC: u64 = NOTE + 24;
        let note = |descsz: u32| {
            let mut m = lowcore_note(b"VMCOREINFO\0\0", descsz, NOTE);
            m.put(DESC, &vec![b'x'; descsz as usize]);
            m
        };
        // Pointer into a hole, and one past the end of the last range.
        for ranges in [
            [rg(0, 0x1000), rg(0x9000, 0x10000)],
            [rg(0x1000, NOTE), rg(0, 0x1000)],
        ] {
            let m = note(100);
            let w = InRanges::new(&m, &ranges);
            assert_eq!(
                vmcoreinfo_from_lowcore(&w),
                Err(Error::OutsideMemory {
                    paddr: NOTE,
                    len: NHDR_SIZE as u64
                })
            );
            assert!(!m.touched(NOTE, 24 + 100));
            assert_eq!(vmcoreinfo_from_lowcore(&m), Ok((DESC, 100)));
        }
        // Note header in range, name running past the range end.
        let m = note(100);
        let ranges = [rg(0, NOTE + 20)];
        let w = InRanges::new(&m, &ranges);
        assert_eq!(
            vmcoreinfo_from_lowcore(&w),
            Err(Error::OutsideMemory {
                paddr: NOTE + 12,
                len: 10
            })
        );
        assert!(!m.touched(NOTE + 12, 10));
        // Note in range, descriptor extending one byte past the range end:
        // found, but reading it through the same wrapper is rejected.
        let m = note(1234);
        let ranges = [rg(0, DESC + 1233)];
        let w = InRanges::new(&m, &ranges);
        let (desc, size) = vmcoreinfo_from_lowcore(&w).unwrap();
        assert_eq!((desc, size), (DESC, 1234));
        let mut buf = vec![0u8; size];
        assert_eq!(
            w.read(desc, &mut buf),
            Err(Error::OutsideMemory {
                paddr: DESC,
                len: 1234
            })
        );
        assert!(!m.touched(DESC, 1234));
        // Descriptor ending exactly at the range end: read.
        let ranges = [rg(0, DESC + 1234)];
        let w = InRanges::new(&m, &ranges);
        assert_eq!(w.read(desc, &mut buf), Ok(()));
        assert_eq!(buf, vec![b'x'; 1234]);
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            format!("{}", OsInfoError::OutsideMemory { paddr: 0x7fff_0000 }),
            "0x7fff0000 is outside the crashed system's memory"
        );
        assert_eq!(format!("{}", OsInfoError::Read), "copy failed");
        assert_eq!(format!("{}", OsInfoError::BadChecksum), "checksum failed");
        assert_eq!(
            format!(
                "{}",
                Error::OutsideMemory {
                    paddr: 0x7fff_0000,
                    len: 4096
                }
            ),
            "0x7fff0000 (4096 bytes) is outside the crashed system's memory"
        );
        assert_eq!(format!("{}", Error::Read), "old memory read failed");
        assert_eq!(
            OsInfoError::from(Error::OutsideMemory { paddr: 5, len: 1 }),
            OsInfoError::OutsideMemory { paddr: 5 }
        );
        for e in [Error::Read, Error::Invalid, Error::TooBig, Error::Overflow] {
            assert_eq!(OsInfoError::from(e), OsInfoError::Read);
        }
        for e in [Error::Internal, Error::BufferTooSmall] {
            assert_eq!(OsInfoError::from(e), OsInfoError::Internal);
        }
        assert_eq!(
            format!("{}", OsInfoError::Internal),
            "internal error (a bug)"
        );
    }
}
