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
//!                        page-aligned chunk of old memory
//!                        [rounddown(paddr, 4096), roundup(paddr + memsz, 4096))
//! file_size              end of file
//! ```
//!
//! A PT_LOAD's `p_offset` is its chunk's file offset plus
//! `paddr - rounddown(paddr, 4096)`. Everything before `header_len` lives in
//! new memory (the buffer filled by [`build`]); everything after is old
//! memory described by [`Segment`]s.

use crate::elf::{
    Elf64Ehdr, Elf64Phdr, EHDR_SIZE, ELFCLASS64, ELFDATA2MSB, ELFMAG, EM_S390, ET_CORE, EV_CURRENT,
    PF_R, PF_W, PF_X, PHDR_SIZE, PN_XNUM, PT_LOAD, PT_NOTE,
};
use crate::notes::{notes_size, write_notes};
use crate::oldmem::contains;
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
    /// (physical, `end` exclusive; see [`crate::oldmem::contains`]), and its
    /// page-aligned chunk must fit 64 bits. An image that passes cannot make
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

/// A physical memory range `[start, end)` of the crashed system, in bytes.
/// `end < start` is rejected with [`Error::Invalid`]; an empty range is
/// allowed (its chunk may be empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhysRange {
    /// First byte (physical address).
    pub start: u64,
    /// One past the last byte (physical address).
    pub end: u64,
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

/// One page-aligned chunk of old memory in the file (C `struct vmcore`
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
    /// The page-aligned chunk: (rounddown(paddr), size in bytes).
    fn chunk(&self) -> Result<(u64, u64), Error> {
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
        let (_, size) = l?.chunk()?;
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

    // The same loads and chunks as layout() summed up, so the offsets end
    // at its file_size; one segment per load (nsegments of them).
    let mut off = l.header_len as u64;
    let mut ph_off = EHDR_SIZE + PHDR_SIZE;
    for (ld, seg) in loads(spec).zip(segs.iter_mut()) {
        let ld = ld?;
        let (start, size) = ld.chunk()?;
        *seg = Segment {
            offset: off,
            size,
            paddr: start,
        };
        let ph = Elf64Phdr {
            p_type: PT_LOAD,
            p_flags: LOAD_FLAGS,
            // Inside the chunk, which ends at most at file_size.
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

/// Where the bytes at a file offset come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// `len` bytes at `hdr[start..]` (the buffer filled by [`build`]).
    Header {
        /// Offset into the header buffer (== file offset), bytes.
        start: usize,
        /// Bytes.
        len: usize,
    },
    /// `len` bytes of old memory at physical address `paddr` (read them
    /// through [`crate::read_dump`] / [`crate::copy_oldmem`]).
    OldMem {
        /// Physical address of the first byte.
        paddr: u64,
        /// Bytes.
        len: u64,
    },
    /// Nothing to read: `pos >= file_size`, `len == 0`, or `pos` is not
    /// covered by any segment (impossible with [`build`]'s output).
    Eof,
}

/// Plan the next piece of a read at file offset `pos` of at most `len`
/// bytes. `segs` must be sorted by `offset` with non-overlapping extents (as
/// [`build`] produces them); the segment is found by binary search. The
/// returned chunk never crosses `header_len`, a segment end or `file_size`.
/// The caller copies it, advances `pos` by its length and calls again.
pub fn next_chunk(
    header_len: usize,
    segs: &[Segment],
    file_size: u64,
    pos: u64,
    len: u64,
) -> Chunk {
    if len == 0 || pos >= file_size {
        return Chunk::Eof;
    }
    let len = core::cmp::min(len, file_size - pos);
    if let Ok(p) = usize::try_from(pos) {
        if p < header_len {
            let n = usize::try_from(len).unwrap_or(usize::MAX);
            return Chunk::Header {
                start: p,
                len: core::cmp::min(n, header_len - p),
            };
        }
    }
    // First segment whose end is beyond pos (empty segments are skipped).
    let i = segs.partition_point(|s| s.offset.saturating_add(s.size) <= pos);
    match segs.get(i) {
        Some(s) if s.offset <= pos => {
            let into = pos - s.offset;
            // s.offset + s.size > pos, so this is > 0.
            let left = s.size.saturating_sub(into);
            match s.paddr.checked_add(into) {
                Some(paddr) if left > 0 => Chunk::OldMem {
                    paddr,
                    len: core::cmp::min(len, left),
                },
                _ => Chunk::Eof,
            }
        }
        _ => Chunk::Eof,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::cpu_notes_size;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    fn be16(b: &[u8], o: usize) -> u16 {
        u16::from_be_bytes(b[o..o + 2].try_into().unwrap())
    }
    fn be32(b: &[u8], o: usize) -> u32 {
        u32::from_be_bytes(b[o..o + 4].try_into().unwrap())
    }
    fn be64(b: &[u8], o: usize) -> u64 {
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

    #[test]
    fn next_chunk_basics() {
        let segs = [
            Segment {
                offset: 8192,
                size: 4096,
                paddr: 0x10000,
            },
            Segment {
                offset: 12288,
                size: 0,
                paddr: 0x50000,
            },
            Segment {
                offset: 12288,
                size: 8192,
                paddr: 0x30000,
            },
        ];
        let fs = 20480;
        assert_eq!(next_chunk(8192, &segs, fs, 0, 0), Chunk::Eof);
        assert_eq!(
            next_chunk(8192, &segs, fs, 100, 1 << 40),
            Chunk::Header {
                start: 100,
                len: 8092
            }
        );
        assert_eq!(
            next_chunk(8192, &segs, fs, 8000, 100),
            Chunk::Header {
                start: 8000,
                len: 100
            }
        );
        assert_eq!(
            next_chunk(8192, &segs, fs, 8192, 99999),
            Chunk::OldMem {
                paddr: 0x10000,
                len: 4096
            }
        );
        assert_eq!(
            next_chunk(8192, &segs, fs, 12287, 2),
            Chunk::OldMem {
                paddr: 0x10fff,
                len: 1
            }
        );
        assert_eq!(
            next_chunk(8192, &segs, fs, 12288, 2),
            Chunk::OldMem {
                paddr: 0x30000,
                len: 2
            }
        );
        assert_eq!(
            next_chunk(8192, &segs, fs, 20479, 5),
            Chunk::OldMem {
                paddr: 0x31fff,
                len: 1
            }
        );
        assert_eq!(next_chunk(8192, &segs, fs, 20480, 5), Chunk::Eof);
        assert_eq!(next_chunk(8192, &segs, u64::MAX, 1 << 50, 5), Chunk::Eof);
        assert_eq!(next_chunk(8192, &[], fs, 8192, 5), Chunk::Eof);
        // A hole between header and first segment, and between segments:
        // nothing to read there (not even the next segment's bytes).
        let gappy = [
            Segment {
                offset: 12288,
                size: 4096,
                paddr: 0x10000,
            },
            Segment {
                offset: 20480,
                size: 4096,
                paddr: 0x30000,
            },
        ];
        for pos in [8192, 12287, 16384, 20479] {
            assert_eq!(next_chunk(8192, &gappy, 24576, pos, 5), Chunk::Eof, "{pos}");
        }
        assert_eq!(
            next_chunk(8192, &gappy, 24576, 12288, 1 << 20),
            Chunk::OldMem {
                paddr: 0x10000,
                len: 4096
            }
        );
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
        fn chunks_cover_read_exactly(
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
                match next_chunk(l.header_len, &segs, fs, pos, want) {
                    Chunk::Eof => break,
                    Chunk::Header { start, len: n } => {
                        prop_assert!(n > 0 && n as u64 <= want);
                        prop_assert_eq!(start as u64, pos);
                        prop_assert!(start + n <= l.header_len);
                        pos += n as u64;
                    }
                    Chunk::OldMem { paddr, len: n } => {
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
}
