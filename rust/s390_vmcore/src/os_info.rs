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
    /// other errors of an [`OldMem`] read (bad input, or a reader that
    /// found no memory) become [`OsInfoError::Read`].
    fn from(e: Error) -> Self {
        match e {
            Error::OutsideMemory { paddr, .. } => OsInfoError::OutsideMemory { paddr },
            Error::Internal | Error::BufferTooSmall => OsInfoError::Internal,
            Error::Read | Error::Invalid | Error::TooBig | Error::Overflow | Error::NoMemory => {
                OsInfoError::Read
            }
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
pub(crate) mod tests;
