// SPDX-License-Identifier: GPL-2.0

//! ELF64 big-endian structures and constants used in the s390x vmcore.
//!
//! Sources: the ELF gABI (System V ABI, "Object Files" chapter), the s390x
//! ELF ABI supplement (EM_S390, big-endian ELFCLASS64), and the kernel headers
//! `include/uapi/linux/elf.h` / `include/uapi/linux/elf-em.h`. Every
//! multi-byte field is big-endian (s390x byte order). The structures hold
//! the values; `to_bytes` and `from_bytes` encode and decode them field by
//! field ([`crate::be::BeFields`]), and the host tests check each layout
//! against the same struct declared `#[repr(C)]` (`tests/layouts.rs`).

use crate::be::BeFields;

/// `e_ident[EI_MAG0..=EI_MAG3]`: the ELF magic `\x7fELF` (gABI).
pub const ELFMAG: [u8; 4] = *b"\x7fELF";
/// `e_ident[EI_CLASS]` value for 64-bit objects (gABI `ELFCLASS64`).
pub const ELFCLASS64: u8 = 2;
/// `e_ident[EI_DATA]` value for big-endian data (gABI `ELFDATA2MSB`).
pub const ELFDATA2MSB: u8 = 2;
/// `e_ident[EI_VERSION]` and `e_version` value (gABI `EV_CURRENT`).
pub const EV_CURRENT: u8 = 1;
/// `e_type` of a core file (gABI `ET_CORE`).
pub const ET_CORE: u16 = 4;
/// `e_machine` for IBM S/390 and z/Architecture (`EM_S390`, `include/uapi/linux/elf-em.h`).
pub const EM_S390: u16 = 22;
/// Program header type of a loadable segment (gABI `PT_LOAD`).
pub const PT_LOAD: u32 = 1;
/// Program header type of a note segment (gABI `PT_NOTE`).
pub const PT_NOTE: u32 = 4;
/// Segment flag: executable (gABI `PF_X`).
pub const PF_X: u32 = 1;
/// Segment flag: writable (gABI `PF_W`).
pub const PF_W: u32 = 2;
/// Segment flag: readable (gABI `PF_R`).
pub const PF_R: u32 = 4;

/// Size in bytes of [`Elf64Ehdr`] (64, gABI).
pub const EHDR_SIZE: usize = 64;
/// Size in bytes of [`Elf64Phdr`] (56, gABI).
pub const PHDR_SIZE: usize = 56;
/// Size in bytes of [`Elf64Nhdr`] (12, gABI "Note Section").
pub const NHDR_SIZE: usize = 12;
/// `PN_XNUM` (0xffff): an `e_phnum` of this value means "extended numbering",
/// which the vmcore never uses; the program header count must stay below it.
pub const PN_XNUM: usize = 0xffff;

/// ELF64 file header (`Elf64_Ehdr`, gABI): 64 bytes in the file, every
/// field big-endian; the values here are numbers, [`Elf64Ehdr::to_bytes`]
/// encodes them.
///
/// Offsets: `e_ident` 0 (16 bytes), `e_type` 16, `e_machine` 18,
/// `e_version` 20, `e_entry` 24, `e_phoff` 32 (file offset, bytes),
/// `e_shoff` 40, `e_flags` 48, `e_ehsize` 52, `e_phentsize` 54, `e_phnum` 56,
/// `e_shentsize` 58, `e_shnum` 60, `e_shstrndx` 62.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Elf64Ehdr {
    /// Identification bytes: magic, class, data encoding, version, zero padding.
    pub e_ident: [u8; 16],
    /// Object file type (`ET_CORE` here).
    pub e_type: u16,
    /// Machine (`EM_S390`).
    pub e_machine: u16,
    /// Object file version (`EV_CURRENT`).
    pub e_version: u32,
    /// Entry point virtual address (0 in a core file).
    pub e_entry: u64,
    /// File offset of the program header table, bytes.
    pub e_phoff: u64,
    /// File offset of the section header table, bytes (0: none).
    pub e_shoff: u64,
    /// Processor-specific flags (0).
    pub e_flags: u32,
    /// Size of this header, bytes (64).
    pub e_ehsize: u16,
    /// Size of one program header, bytes (56).
    pub e_phentsize: u16,
    /// Number of program headers.
    pub e_phnum: u16,
    /// Size of one section header, bytes (0: no sections).
    pub e_shentsize: u16,
    /// Number of section headers (0).
    pub e_shnum: u16,
    /// Section name string table index (0).
    pub e_shstrndx: u16,
}

impl Elf64Ehdr {
    /// The 64 bytes of the header as they are in the file.
    pub fn to_bytes(&self) -> [u8; EHDR_SIZE] {
        let mut b = [0; EHDR_SIZE];
        b.set_bytes::<0, 16>(&self.e_ident);
        b.set_be_u16::<16>(self.e_type);
        b.set_be_u16::<18>(self.e_machine);
        b.set_be_u32::<20>(self.e_version);
        b.set_be_u64::<24>(self.e_entry);
        b.set_be_u64::<32>(self.e_phoff);
        b.set_be_u64::<40>(self.e_shoff);
        b.set_be_u32::<48>(self.e_flags);
        b.set_be_u16::<52>(self.e_ehsize);
        b.set_be_u16::<54>(self.e_phentsize);
        b.set_be_u16::<56>(self.e_phnum);
        b.set_be_u16::<58>(self.e_shentsize);
        b.set_be_u16::<60>(self.e_shnum);
        b.set_be_u16::<62>(self.e_shstrndx);
        b
    }

    /// The header whose 64 bytes in the file are `b`.
    pub fn from_bytes(b: &[u8; EHDR_SIZE]) -> Self {
        let mut e_ident = [0; 16];
        e_ident.copy_from_slice(&b[..16]);
        Elf64Ehdr {
            e_ident,
            e_type: b.be_u16::<16>(),
            e_machine: b.be_u16::<18>(),
            e_version: b.be_u32::<20>(),
            e_entry: b.be_u64::<24>(),
            e_phoff: b.be_u64::<32>(),
            e_shoff: b.be_u64::<40>(),
            e_flags: b.be_u32::<48>(),
            e_ehsize: b.be_u16::<52>(),
            e_phentsize: b.be_u16::<54>(),
            e_phnum: b.be_u16::<56>(),
            e_shentsize: b.be_u16::<58>(),
            e_shnum: b.be_u16::<60>(),
            e_shstrndx: b.be_u16::<62>(),
        }
    }
}

/// ELF64 program header (`Elf64_Phdr`, gABI): 56 bytes in the file, every
/// field big-endian; [`Elf64Phdr::to_bytes`] encodes it.
///
/// Offsets: `p_type` 0, `p_flags` 4, `p_offset` 8 (file offset, bytes),
/// `p_vaddr` 16 (virtual address), `p_paddr` 24 (physical address),
/// `p_filesz` 32 (bytes), `p_memsz` 40 (bytes), `p_align` 48 (bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Elf64Phdr {
    /// Segment type (`PT_LOAD`, `PT_NOTE`).
    pub p_type: u32,
    /// Segment flags (`PF_R | PF_W | PF_X` for loads, 0 for the note).
    pub p_flags: u32,
    /// File offset of the segment's first byte.
    pub p_offset: u64,
    /// Virtual address of the segment in the crashed kernel.
    pub p_vaddr: u64,
    /// Physical address of the segment in the crashed system.
    pub p_paddr: u64,
    /// Bytes of the segment in the file.
    pub p_filesz: u64,
    /// Bytes of the segment in memory.
    pub p_memsz: u64,
    /// Alignment, bytes.
    pub p_align: u64,
}

impl Elf64Phdr {
    /// The 56 bytes of the program header as they are in the file.
    pub fn to_bytes(&self) -> [u8; PHDR_SIZE] {
        let mut b = [0; PHDR_SIZE];
        b.set_be_u32::<0>(self.p_type);
        b.set_be_u32::<4>(self.p_flags);
        b.set_be_u64::<8>(self.p_offset);
        b.set_be_u64::<16>(self.p_vaddr);
        b.set_be_u64::<24>(self.p_paddr);
        b.set_be_u64::<32>(self.p_filesz);
        b.set_be_u64::<40>(self.p_memsz);
        b.set_be_u64::<48>(self.p_align);
        b
    }

    /// The program header whose 56 bytes in the file are `b`.
    pub fn from_bytes(b: &[u8; PHDR_SIZE]) -> Self {
        Elf64Phdr {
            p_type: b.be_u32::<0>(),
            p_flags: b.be_u32::<4>(),
            p_offset: b.be_u64::<8>(),
            p_vaddr: b.be_u64::<16>(),
            p_paddr: b.be_u64::<24>(),
            p_filesz: b.be_u64::<32>(),
            p_memsz: b.be_u64::<40>(),
            p_align: b.be_u64::<48>(),
        }
    }
}

/// ELF64 note header (`Elf64_Nhdr`, gABI "Note Section"): 12 bytes in the
/// file, big-endian: `n_namesz` 0 (bytes incl. the NUL), `n_descsz` 4
/// (bytes), `n_type` 8. The name follows, padded to 4 bytes, then the
/// descriptor, padded to 4 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Elf64Nhdr {
    /// Name length in bytes including the terminating NUL.
    pub n_namesz: u32,
    /// Descriptor length in bytes (without padding).
    pub n_descsz: u32,
    /// Note type.
    pub n_type: u32,
}

impl Elf64Nhdr {
    /// The 12 bytes of the note header as they are in the file.
    pub fn to_bytes(&self) -> [u8; NHDR_SIZE] {
        let mut b = [0; NHDR_SIZE];
        b.set_be_u32::<0>(self.n_namesz);
        b.set_be_u32::<4>(self.n_descsz);
        b.set_be_u32::<8>(self.n_type);
        b
    }

    /// The note header whose 12 bytes in the file are `b`.
    pub fn from_bytes(b: &[u8; NHDR_SIZE]) -> Self {
        Elf64Nhdr {
            n_namesz: b.be_u32::<0>(),
            n_descsz: b.be_u32::<4>(),
            n_type: b.be_u32::<8>(),
        }
    }
}

#[cfg(test)]
mod tests;
