// SPDX-License-Identifier: GPL-2.0

//! The final `/proc/vmcore` file layout, as user space reads it from the C
//! implementation (`arch/s390/kernel/crash_dump.c` `elfcorehdr_alloc()`
//! followed by the transformation in `fs/proc/vmcore.c`
//! `parse_crash_elf64_headers()`, `merge_note_headers_elf64()`,
//! `process_ptload_program_headers_elf64()`, `set_vmcore_list_offsets()`):
//!
//! ```text
//! 0                      ELF header (64 bytes)
//! 64                     program headers (56 bytes each): PT_NOTE, then
//!                        the kernel text PT_LOAD (if any), then one
//!                        PT_LOAD per memory range
//! ..                     zeros up to notes_offset = roundup(64 + 56 * phnum, 4096)
//! notes_offset           the notes (no terminating empty note)
//! ..                     zeros up to header_len = notes_offset + roundup(notes_size, 4096)
//! header_len             per PT_LOAD, in program header order, the
//!                        page-aligned segment of old memory
//!                        [rounddown(paddr, 4096), roundup(paddr + memsz, 4096))
//! file_size              end of file
//! ```
//!
//! A PT_LOAD's `p_offset` is its segment's file offset plus
//! `paddr - rounddown(paddr, 4096)`. Everything before `header_len` lives in
//! new memory (the buffer filled by [`build`]); everything after is old
//! memory described by [`Segment`]s.

use crate::elf::{
    Elf64Ehdr, Elf64Phdr, EHDR_SIZE, ELFCLASS64, ELFDATA2MSB, ELFMAG, EM_S390, ET_CORE, EV_CURRENT,
    PF_R, PF_W, PF_X, PHDR_SIZE, PN_XNUM, PT_LOAD, PT_NOTE,
};
use crate::notes::{notes_size, write_notes};
use crate::ranges::{contains, PhysRange};
use crate::save_area::SaveArea;
use crate::{Error, PAGE_SIZE};

/// The kernel image as os_info describes it: `start`/`end` are the virtual
/// addresses `OS_INFO_IMAGE_START`/`OS_INFO_IMAGE_END` (`_stext`, `_end`),
/// `phys` the physical address `OS_INFO_IMAGE_PHYS` of `start`. The text
/// PT_LOAD has `p_vaddr = start`, `p_paddr = phys`,
/// `p_filesz = p_memsz = end - start` bytes (C `text_init()`).
/// `end < start` is rejected with [`Error::Invalid`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextSegment {
    /// Virtual start address (bytes).
    pub start: u64,
    /// Virtual end address, exclusive (bytes).
    pub end: u64,
    /// Physical address of `start` (bytes).
    pub phys: u64,
}

impl TextSegment {
    /// Checks the kernel image against the crashed system's memory before
    /// its PT_LOAD is served: os_info is old memory, and C `text_init()`
    /// takes the image entries as they are. The image is
    /// `[phys, phys + (end - start))`; it must lie inside one of `ranges`
    /// (physical, `end` exclusive; see [`crate::ranges::contains`]), and its
    /// page-aligned segment must fit 64 bits. An image that passes cannot make
    /// [`layout()`] fail.
    ///
    /// Errors: [`Error::Invalid`] (`end < start`), [`Error::Overflow`] (the
    /// image, rounded up to a page, runs past the end of the 64-bit address
    /// space), [`Error::OutsideMemory`] (with `paddr = phys` and the image
    /// size in bytes: not inside one range).
    pub fn check(&self, ranges: &[PhysRange]) -> Result<(), Error> {
        let len = self.end.checked_sub(self.start).ok_or(Error::Invalid)?;
        self.phys
            .checked_add(len)
            .and_then(page_up)
            .ok_or(Error::Overflow)?;
        if !contains(ranges, self.phys, len) {
            return Err(Error::OutsideMemory {
                paddr: self.phys,
                len,
            });
        }
        Ok(())
    }
}

/// Everything the header needs.
///
/// - `cpus`: boot CPU first, then the others in SIGP address order; CPUs
///   with `prefix == 0` are skipped, the others get `pr_pid` 1, 2, ... in
///   order (C `get_cpu_cnt()`, `notes_init()`).
/// - `has_vx`: emit `NT_S390_VXRS_HIGH`/`NT_S390_VXRS_LOW` for every CPU
///   (C `cpu_has_vx()`).
/// - `vmcoreinfo`: the old kernel's vmcoreinfo bytes (from os_info entry 0,
///   else [`crate::vmcoreinfo_from_lowcore`]); `None`: no vmcoreinfo note.
/// - `text`: the kernel text PT_LOAD; set it only when os_info has the VM
///   layout (see [`crate::text_segment`]).
/// - `identity_base`: added to each range's start to form its `p_vaddr`
///   (see [`crate::identity_base`]); additions wrap like in C, since
///   `p_vaddr` is only a label.
/// - `ranges`: the old system's memory ranges excluding the crashkernel area
///   (C `for_each_physmem_range()` over memblock.physmem minus `oldmem`).
#[derive(Clone, Copy, Debug)]
pub struct DumpSpec<'a> {
    /// CPU register states.
    pub cpus: &'a [SaveArea],
    /// Whether vector register notes are written.
    pub has_vx: bool,
    /// vmcoreinfo note payload.
    pub vmcoreinfo: Option<&'a [u8]>,
    /// Kernel text PT_LOAD.
    pub text: Option<TextSegment>,
    /// Old identity mapping base (virtual address of physical 0).
    pub identity_base: u64,
    /// Memory ranges, one PT_LOAD each.
    pub ranges: &'a [PhysRange],
}

/// One page-aligned segment of old memory in the file (C `struct vmcore`
/// element of `vmcore_list`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// File offset in bytes (multiple of `PAGE_SIZE`).
    pub offset: u64,
    /// Length in bytes (multiple of `PAGE_SIZE`, may be 0).
    pub size: u64,
    /// Physical address in old memory of the first byte (page aligned).
    pub paddr: u64,
}

/// Sizes computed first, so the caller can allocate once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Bytes of the new-memory prefix of the file: ELF header, program
    /// headers, padding, notes, padding. Multiple of 4096.
    pub header_len: usize,
    /// Number of [`Segment`]s (= number of PT_LOADs).
    pub nsegments: usize,
    /// Total file size in bytes.
    pub file_size: u64,
    /// File offset of the notes (multiple of 4096; PT_NOTE `p_offset`).
    pub notes_offset: usize,
    /// Bytes of notes (PT_NOTE `p_filesz`/`p_memsz`).
    pub notes_size: usize,
}

/// Round `x` up to a multiple of `PAGE_SIZE`; `None` on overflow.
fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_SIZE - 1).map(|v| v & !(PAGE_SIZE - 1))
}

fn page_up_usize(x: usize) -> Result<usize, Error> {
    let v = page_up(u64::try_from(x).map_err(|_| Error::Overflow)?).ok_or(Error::Overflow)?;
    usize::try_from(v).map_err(|_| Error::Overflow)
}

/// `p_flags` of every PT_LOAD (C `loads_init()`): readable, writable,
/// executable.
const LOAD_FLAGS: u32 = PF_R | PF_W | PF_X;

/// A PT_LOAD before offsets are assigned.
struct Load {
    vaddr: u64,
    paddr: u64,
    memsz: u64,
}

impl Load {
    /// The page-aligned segment: (rounddown(paddr), size in bytes).
    fn segment(&self) -> Result<(u64, u64), Error> {
        let start = self.paddr & !(PAGE_SIZE - 1);
        let end = self
            .paddr
            .checked_add(self.memsz)
            .and_then(page_up)
            .ok_or(Error::Overflow)?;
        Ok((start, end.checked_sub(start).ok_or(Error::Overflow)?))
    }
}

/// The PT_LOADs in file order: text first (if present), then the ranges.
fn loads<'s>(spec: &'s DumpSpec<'_>) -> impl Iterator<Item = Result<Load, Error>> + 's {
    let text = spec.text.map(|t| {
        Ok(Load {
            vaddr: t.start,
            paddr: t.phys,
            memsz: t.end.checked_sub(t.start).ok_or(Error::Invalid)?,
        })
    });
    let base = spec.identity_base;
    text.into_iter().chain(spec.ranges.iter().map(move |r| {
        Ok(Load {
            vaddr: base.wrapping_add(r.start),
            paddr: r.start,
            memsz: r.end.checked_sub(r.start).ok_or(Error::Invalid)?,
        })
    }))
}

/// Compute the file layout of `spec` (all arithmetic checked).
///
/// Errors: [`Error::Invalid`] (a range or the text has `end < start`),
/// [`Error::TooBig`] (65535 or more program headers, or vmcoreinfo larger
/// than 4 GiB), [`Error::Overflow`] (sizes or addresses overflow).
pub fn layout(spec: &DumpSpec<'_>) -> Result<Layout, Error> {
    let nsegments = spec
        .ranges
        .len()
        .checked_add(usize::from(spec.text.is_some()))
        .ok_or(Error::TooBig)?;
    let phnum = nsegments.checked_add(1).ok_or(Error::TooBig)?;
    if phnum >= PN_XNUM {
        return Err(Error::TooBig);
    }
    let elf_len = phnum
        .checked_mul(PHDR_SIZE)
        .and_then(|v| v.checked_add(EHDR_SIZE))
        .ok_or(Error::Overflow)?;
    let notes_offset = page_up_usize(elf_len)?;
    let notes_size = notes_size(spec.cpus, spec.has_vx, spec.vmcoreinfo)?;
    let header_len = notes_offset
        .checked_add(page_up_usize(notes_size)?)
        .ok_or(Error::Overflow)?;
    let mut file_size = u64::try_from(header_len).map_err(|_| Error::Overflow)?;
    for l in loads(spec) {
        let (_, size) = l?.segment()?;
        file_size = file_size.checked_add(size).ok_or(Error::Overflow)?;
    }
    Ok(Layout {
        header_len,
        nsegments,
        file_size,
        notes_offset,
        notes_size,
    })
}

/// Write `bytes` at `off` in `buf`, a header buffer of [`build`] already
/// cut to `header_len`: every write of [`build`] lies inside it, so a
/// write that does not is [`Error::Internal`].
fn put(buf: &mut [u8], off: usize, bytes: &[u8]) -> Result<(), Error> {
    off.checked_add(bytes.len())
        .and_then(|end| buf.get_mut(off..end))
        .ok_or(Error::Internal)?
        .copy_from_slice(bytes);
    Ok(())
}

/// Build the file prefix and the segment list.
///
/// Fills `hdr[..header_len]` completely (ELF header, program headers, notes
/// and all zero padding; bytes after `header_len` are untouched) and
/// `segs[..nsegments]` (sorted by `offset`, contiguous from `header_len`).
/// Returns the file size in bytes.
///
/// ELF header (C `ehdr_init()`): class 64, big-endian, `ET_CORE`,
/// `EM_S390`, `e_phoff` 64, `e_phnum = nsegments + 1`, all else 0.
/// PT_NOTE (C `merge_note_headers_elf64()`): `p_offset = notes_offset`,
/// `p_flags` 0, `p_vaddr = p_paddr = 0`, `p_filesz = p_memsz = notes_size`,
/// `p_align` 4. PT_LOAD: `p_flags = PF_R|PF_W|PF_X`, `p_align` 4096,
/// `p_offset` as in the module documentation.
///
/// Errors: those of [`layout`]; [`Error::BufferTooSmall`] when
/// `hdr.len() < header_len` or `segs.len() < nsegments` (a bug of the
/// caller, who sizes them from [`layout`]); [`Error::Internal`] when the
/// header does not fit the sizes [`layout`] computed (a bug of this crate).
pub fn build(spec: &DumpSpec<'_>, hdr: &mut [u8], segs: &mut [Segment]) -> Result<u64, Error> {
    let l = layout(spec)?;
    let hdr = hdr.get_mut(..l.header_len).ok_or(Error::BufferTooSmall)?;
    let segs = segs.get_mut(..l.nsegments).ok_or(Error::BufferTooSmall)?;
    hdr.fill(0);

    let mut e_ident = [0u8; 16];
    e_ident[..4].copy_from_slice(&ELFMAG);
    e_ident[4] = ELFCLASS64;
    e_ident[5] = ELFDATA2MSB;
    e_ident[6] = EV_CURRENT;
    // layout() checked that nsegments + 1 < PN_XNUM.
    let phnum = l
        .nsegments
        .checked_add(1)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or(Error::Internal)?;
    let ehdr = Elf64Ehdr {
        e_ident,
        e_type: ET_CORE,
        e_machine: EM_S390,
        e_version: u32::from(EV_CURRENT),
        e_phoff: EHDR_SIZE as u64,
        e_ehsize: EHDR_SIZE as u16,
        e_phentsize: PHDR_SIZE as u16,
        e_phnum: phnum,
        ..Default::default()
    };
    put(hdr, 0, &ehdr.to_bytes())?;

    let notes_len = l.notes_size as u64;
    let note = Elf64Phdr {
        p_type: PT_NOTE,
        p_offset: l.notes_offset as u64,
        p_filesz: notes_len,
        p_memsz: notes_len,
        p_align: 4,
        ..Default::default()
    };
    put(hdr, EHDR_SIZE, &note.to_bytes())?;

    // The same loads and segments as layout() summed up, so the offsets end
    // at its file_size; one segment per load (nsegments of them).
    let mut off = l.header_len as u64;
    let mut ph_off = EHDR_SIZE + PHDR_SIZE;
    for (ld, seg) in loads(spec).zip(segs.iter_mut()) {
        let ld = ld?;
        let (start, size) = ld.segment()?;
        *seg = Segment {
            offset: off,
            size,
            paddr: start,
        };
        let ph = Elf64Phdr {
            p_type: PT_LOAD,
            p_flags: LOAD_FLAGS,
            // Inside the segment, which ends at most at file_size.
            p_offset: off
                .checked_add(ld.paddr & (PAGE_SIZE - 1))
                .ok_or(Error::Internal)?,
            p_vaddr: ld.vaddr,
            p_paddr: ld.paddr,
            p_filesz: ld.memsz,
            p_memsz: ld.memsz,
            p_align: PAGE_SIZE,
        };
        put(hdr, ph_off, &ph.to_bytes())?;
        ph_off = ph_off.checked_add(PHDR_SIZE).ok_or(Error::Internal)?;
        off = off.checked_add(size).ok_or(Error::Internal)?;
    }

    // Exactly notes_size bytes: the writer places the notes with the same
    // note_size() that layout() summed up.
    let notes = l
        .notes_offset
        .checked_add(l.notes_size)
        .and_then(|end| hdr.get_mut(l.notes_offset..end))
        .ok_or(Error::Internal)?;
    write_notes(spec.cpus, spec.has_vx, spec.vmcoreinfo, notes).map_err(|e| match e {
        Error::BufferTooSmall => Error::Internal,
        e => e,
    })?;
    Ok(l.file_size)
}

#[cfg(test)]
pub(crate) mod tests;
