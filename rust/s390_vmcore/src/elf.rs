//! ELF64 big-endian structures and constants used in the s390x vmcore.
//!
//! Sources: the ELF gABI (System V ABI, "Object Files" chapter), the s390x
//! ELF ABI supplement (EM_S390, big-endian ELFCLASS64), and the kernel headers
//! `include/uapi/linux/elf.h` / `include/uapi/linux/elf-em.h`. Every
//! multi-byte field is big-endian (s390x byte order) and the structures have
//! alignment 1, so they can be read from and written to any byte offset.

use zerocopy::byteorder::big_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

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

/// ELF64 file header (`Elf64_Ehdr`, gABI), 64 bytes, big-endian fields.
///
/// Offsets: `e_ident` 0 (16 bytes), `e_type` 16, `e_machine` 18,
/// `e_version` 20, `e_entry` 24, `e_phoff` 32 (file offset, bytes),
/// `e_shoff` 40, `e_flags` 48, `e_ehsize` 52, `e_phentsize` 54, `e_phnum` 56,
/// `e_shentsize` 58, `e_shnum` 60, `e_shstrndx` 62.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    Immutable,
    KnownLayout,
    Unaligned,
)]
#[repr(C)]
pub struct Elf64Ehdr {
    /// Identification bytes: magic, class, data encoding, version, zero padding.
    pub e_ident: [u8; 16],
    /// Object file type (`ET_CORE` here).
    pub e_type: U16,
    /// Machine (`EM_S390`).
    pub e_machine: U16,
    /// Object file version (`EV_CURRENT`).
    pub e_version: U32,
    /// Entry point virtual address (0 in a core file).
    pub e_entry: U64,
    /// File offset of the program header table, bytes.
    pub e_phoff: U64,
    /// File offset of the section header table, bytes (0: none).
    pub e_shoff: U64,
    /// Processor-specific flags (0).
    pub e_flags: U32,
    /// Size of this header, bytes (64).
    pub e_ehsize: U16,
    /// Size of one program header, bytes (56).
    pub e_phentsize: U16,
    /// Number of program headers.
    pub e_phnum: U16,
    /// Size of one section header, bytes (0: no sections).
    pub e_shentsize: U16,
    /// Number of section headers (0).
    pub e_shnum: U16,
    /// Section name string table index (0).
    pub e_shstrndx: U16,
}

/// ELF64 program header (`Elf64_Phdr`, gABI), 56 bytes, big-endian fields.
///
/// Offsets: `p_type` 0, `p_flags` 4, `p_offset` 8 (file offset, bytes),
/// `p_vaddr` 16 (virtual address), `p_paddr` 24 (physical address),
/// `p_filesz` 32 (bytes), `p_memsz` 40 (bytes), `p_align` 48 (bytes).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    Immutable,
    KnownLayout,
    Unaligned,
)]
#[repr(C)]
pub struct Elf64Phdr {
    /// Segment type (`PT_LOAD`, `PT_NOTE`).
    pub p_type: U32,
    /// Segment flags (`PF_R | PF_W | PF_X` for loads, 0 for the note).
    pub p_flags: U32,
    /// File offset of the segment's first byte.
    pub p_offset: U64,
    /// Virtual address of the segment in the crashed kernel.
    pub p_vaddr: U64,
    /// Physical address of the segment in the crashed system.
    pub p_paddr: U64,
    /// Bytes of the segment in the file.
    pub p_filesz: U64,
    /// Bytes of the segment in memory.
    pub p_memsz: U64,
    /// Alignment, bytes.
    pub p_align: U64,
}

/// ELF64 note header (`Elf64_Nhdr`, gABI "Note Section"), 12 bytes,
/// big-endian fields: `n_namesz` 0 (bytes incl. the NUL), `n_descsz` 4
/// (bytes), `n_type` 8. The name follows, padded to 4 bytes, then the
/// descriptor, padded to 4 bytes.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    Immutable,
    KnownLayout,
    Unaligned,
)]
#[repr(C)]
pub struct Elf64Nhdr {
    /// Name length in bytes including the terminating NUL.
    pub n_namesz: U32,
    /// Descriptor length in bytes (without padding).
    pub n_descsz: U32,
    /// Note type.
    pub n_type: U32,
}

const _: () = assert!(core::mem::size_of::<Elf64Ehdr>() == EHDR_SIZE);
const _: () = assert!(core::mem::size_of::<Elf64Phdr>() == PHDR_SIZE);
const _: () = assert!(core::mem::size_of::<Elf64Nhdr>() == NHDR_SIZE);

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::IntoBytes;

    #[test]
    fn phdr_field_offsets() {
        let p = Elf64Phdr {
            p_type: 0x0102_0304.into(),
            p_flags: 0x0506_0708.into(),
            p_offset: 0x1111_1111_1111_1111.into(),
            p_vaddr: 0x2222_2222_2222_2222.into(),
            p_paddr: 0x3333_3333_3333_3333.into(),
            p_filesz: 0x4444_4444_4444_4444.into(),
            p_memsz: 0x5555_5555_5555_5555.into(),
            p_align: 0x6666_6666_6666_6666.into(),
        };
        let b = p.as_bytes();
        assert_eq!(&b[0..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
        for (i, v) in [0x11u8, 0x22, 0x33, 0x44, 0x55, 0x66].iter().enumerate() {
            assert!(b[8 + 8 * i..16 + 8 * i].iter().all(|x| x == v));
        }
    }

    #[test]
    fn ehdr_field_offsets() {
        let e = Elf64Ehdr {
            e_phoff: 0x40.into(),
            e_phnum: 0x1234.into(),
            e_machine: EM_S390.into(),
            ..Default::default()
        };
        let b = e.as_bytes();
        assert_eq!(&b[18..20], &[0, 22]);
        assert_eq!(&b[32..40], &[0, 0, 0, 0, 0, 0, 0, 0x40]);
        assert_eq!(&b[56..58], &[0x12, 0x34]);
    }
}
