// SPDX-License-Identifier: GPL-2.0
//! Every hand-written record layout of the crate (`to_bytes`, `from_bytes`,
//! the offset tables) against zerocopy's view of the same C struct.
//!
//! The kernel builds the crate without zerocopy (no crates.io code in the
//! kernel), so each record is encoded and decoded field by field at
//! explicit offsets. Here each C struct is declared once more as a
//! `#[repr(C)]` struct of zerocopy's big-endian integers, in the field order
//! of the C headers, which fixes every offset and the size independently of
//! the crate; proptest fills it with random values, and the crate must
//! produce the same bytes from the same values and read the same values
//! from the same bytes, field by field.

use proptest::prelude::*;
use s390_vmcore::elf::{Elf64Ehdr, Elf64Nhdr, Elf64Phdr, EHDR_SIZE, NHDR_SIZE, PHDR_SIZE};
use s390_vmcore::notes::{
    fpregset, prpsinfo, prstatus, prstatus_off, FPREGSET_SIZE, PRPSINFO_SIZE, PRSTATUS_SIZE,
};
use s390_vmcore::os_info::{OsInfoEntry, OsInfoHeader, OS_INFO_ENTRY_SIZE, OS_INFO_HEADER_SIZE};
use s390_vmcore::SaveArea;
use zerocopy::byteorder::big_endian::{I16, I32, I64, U16, U32, U64};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `Elf64_Ehdr` (gABI).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZEhdr {
    e_ident: [u8; 16],
    e_type: U16,
    e_machine: U16,
    e_version: U32,
    e_entry: U64,
    e_phoff: U64,
    e_shoff: U64,
    e_flags: U32,
    e_ehsize: U16,
    e_phentsize: U16,
    e_phnum: U16,
    e_shentsize: U16,
    e_shnum: U16,
    e_shstrndx: U16,
}

/// `Elf64_Phdr` (gABI).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZPhdr {
    p_type: U32,
    p_flags: U32,
    p_offset: U64,
    p_vaddr: U64,
    p_paddr: U64,
    p_filesz: U64,
    p_memsz: U64,
    p_align: U64,
}

/// `Elf64_Nhdr` (gABI).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZNhdr {
    n_namesz: U32,
    n_descsz: U32,
    n_type: U32,
}

/// s390x `struct elf_prstatus` (`include/linux/elfcore.h`, `s390_regs`).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZPrstatus {
    pr_info: [I32; 3],
    pr_cursig: I16,
    _pad0: [u8; 2],
    pr_sigpend: U64,
    pr_sighold: U64,
    pr_pid: I32,
    pr_ppid: I32,
    pr_pgrp: I32,
    pr_sid: I32,
    pr_times: [[I64; 2]; 4],
    psw: [U64; 2],
    gprs: [U64; 16],
    acrs: [U32; 16],
    orig_gpr2: U64,
    pr_fpvalid: I32,
    _pad1: [u8; 4],
}

/// s390x `elf_fpregset_t` = `s390_fp_regs`.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZFpregset {
    fpc: U32,
    pad: U32,
    fprs: [U64; 16],
}

/// s390x `struct elf_prpsinfo`.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZPrpsinfo {
    pr_state: u8,
    pr_sname: u8,
    pr_zomb: u8,
    pr_nice: u8,
    _pad0: [u8; 4],
    pr_flag: U64,
    pr_uid: U32,
    pr_gid: U32,
    pr_ids: [I32; 4],
    pr_fname: [u8; 16],
    pr_psargs: [u8; 80],
}

/// `struct os_info_entry` (packed).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZOsInfoEntry {
    addr: U64,
    size: U64,
    csum: U32,
}

/// The first 292 bytes of `struct os_info` (packed).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZOsInfoHeader {
    magic: U64,
    csum: U32,
    version_major: U16,
    version_minor: U16,
    crashkernel_addr: U64,
    crashkernel_size: U64,
    entry: [ZOsInfoEntry; 13],
}

/// The lowcore register status block `0x1200..0x1400` (`struct lowcore`).
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZStatusBlock {
    floating_pt_save_area: [U64; 16],
    gpregs_save_area: [U64; 16],
    psw_save_area: [U64; 2],
    _pad1: [u8; 8],
    prefixreg_save_area: U32,
    fpt_creg_save_area: U32,
    _pad2: [u8; 4],
    tod_progreg_save_area: U32,
    cpu_timer_save_area: U64,
    clock_comp_save_area: U64,
    last_break_save_area: U64,
    access_regs_save_area: [U32; 16],
    cregs_save_area: [U64; 16],
}

/// The vector register block of SIGP store additional status.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct ZVectorBlock {
    vxrs: [[U64; 2]; 32],
}

#[test]
fn sizes_are_the_c_sizes() {
    use core::mem::size_of;
    assert_eq!(size_of::<ZEhdr>(), EHDR_SIZE);
    assert_eq!(size_of::<ZPhdr>(), PHDR_SIZE);
    assert_eq!(size_of::<ZNhdr>(), NHDR_SIZE);
    assert_eq!(size_of::<ZPrstatus>(), PRSTATUS_SIZE);
    assert_eq!(size_of::<ZFpregset>(), FPREGSET_SIZE);
    assert_eq!(size_of::<ZPrpsinfo>(), PRPSINFO_SIZE);
    assert_eq!(size_of::<ZOsInfoEntry>(), OS_INFO_ENTRY_SIZE);
    assert_eq!(size_of::<ZOsInfoHeader>(), OS_INFO_HEADER_SIZE);
    assert_eq!(size_of::<ZStatusBlock>(), SaveArea::REGS_LEN);
    assert_eq!(size_of::<ZVectorBlock>(), SaveArea::VXRS_LEN);
}

#[test]
fn prstatus_offsets_are_the_c_offsets() {
    use core::mem::offset_of;
    assert_eq!(offset_of!(ZPrstatus, pr_pid), prstatus_off::PR_PID);
    assert_eq!(offset_of!(ZPrstatus, psw), prstatus_off::PSW);
    assert_eq!(offset_of!(ZPrstatus, gprs), prstatus_off::GPRS);
    assert_eq!(offset_of!(ZPrstatus, acrs), prstatus_off::ACRS);
    assert_eq!(offset_of!(ZPrstatus, orig_gpr2), prstatus_off::ORIG_GPR2);
    assert_eq!(offset_of!(ZPrstatus, pr_fpvalid), prstatus_off::PR_FPVALID);
}

fn save_area() -> impl Strategy<Value = SaveArea> {
    (
        any::<([u64; 2], [u64; 16], [u64; 16], [u32; 16], [u64; 16])>(),
        any::<(u32, u32, u32, u64, u64)>(),
        any::<([u64; 16], [[u64; 2]; 16])>(),
    )
        .prop_map(
            |((psw, ctrs, gprs, acrs, fprs), (fpc, prefix, todpreg, timer, todcmp), (lo, hi))| {
                SaveArea {
                    psw,
                    ctrs,
                    gprs,
                    acrs,
                    fprs,
                    fpc,
                    prefix,
                    todpreg,
                    timer,
                    todcmp,
                    vxrs_low: lo,
                    vxrs_high: hi,
                }
            },
        )
}

proptest! {
    #[test]
    fn ehdr(ident in any::<[u8; 16]>(), h in any::<[u16; 8]>(), w in any::<[u32; 2]>(),
            d in any::<[u64; 3]>()) {
        let ours = Elf64Ehdr {
            e_ident: ident,
            e_type: h[0],
            e_machine: h[1],
            e_version: w[0],
            e_entry: d[0],
            e_phoff: d[1],
            e_shoff: d[2],
            e_flags: w[1],
            e_ehsize: h[2],
            e_phentsize: h[3],
            e_phnum: h[4],
            e_shentsize: h[5],
            e_shnum: h[6],
            e_shstrndx: h[7],
        };
        let z = ZEhdr {
            e_ident: ident,
            e_type: h[0].into(),
            e_machine: h[1].into(),
            e_version: w[0].into(),
            e_entry: d[0].into(),
            e_phoff: d[1].into(),
            e_shoff: d[2].into(),
            e_flags: w[1].into(),
            e_ehsize: h[2].into(),
            e_phentsize: h[3].into(),
            e_phnum: h[4].into(),
            e_shentsize: h[5].into(),
            e_shnum: h[6].into(),
            e_shstrndx: h[7].into(),
        };
        prop_assert_eq!(&ours.to_bytes()[..], z.as_bytes());
        prop_assert_eq!(Elf64Ehdr::from_bytes(&ours.to_bytes()), ours);
    }

    #[test]
    fn phdr(w in any::<[u32; 2]>(), d in any::<[u64; 6]>()) {
        let ours = Elf64Phdr {
            p_type: w[0],
            p_flags: w[1],
            p_offset: d[0],
            p_vaddr: d[1],
            p_paddr: d[2],
            p_filesz: d[3],
            p_memsz: d[4],
            p_align: d[5],
        };
        let z = ZPhdr {
            p_type: w[0].into(),
            p_flags: w[1].into(),
            p_offset: d[0].into(),
            p_vaddr: d[1].into(),
            p_paddr: d[2].into(),
            p_filesz: d[3].into(),
            p_memsz: d[4].into(),
            p_align: d[5].into(),
        };
        prop_assert_eq!(&ours.to_bytes()[..], z.as_bytes());
        prop_assert_eq!(Elf64Phdr::from_bytes(&ours.to_bytes()), ours);
    }

    #[test]
    fn nhdr(w in any::<[u32; 3]>()) {
        let ours = Elf64Nhdr { n_namesz: w[0], n_descsz: w[1], n_type: w[2] };
        let z = ZNhdr { n_namesz: w[0].into(), n_descsz: w[1].into(), n_type: w[2].into() };
        prop_assert_eq!(&ours.to_bytes()[..], z.as_bytes());
        prop_assert_eq!(Elf64Nhdr::from_bytes(&ours.to_bytes()), ours);
    }

    /// The register notes: zerocopy's struct with the fields C's
    /// `fill_cpu_elf_notes()` sets, everything else zero.
    #[test]
    fn register_notes(sa in save_area(), pid in 1..=i32::MAX) {
        let mut p = ZPrstatus::new_zeroed();
        p.pr_pid = pid.into();
        p.psw = sa.psw.map(U64::new);
        p.gprs = sa.gprs.map(U64::new);
        p.acrs = sa.acrs.map(U32::new);
        prop_assert_eq!(&prstatus(&sa, pid)[..], p.as_bytes());

        let mut f = ZFpregset::new_zeroed();
        f.fpc = sa.fpc.into();
        f.fprs = sa.fprs.map(U64::new);
        prop_assert_eq!(&fpregset(&sa)[..], f.as_bytes());
    }

    /// Old memory: random bytes read through zerocopy's structs and
    /// through the crate's decoders give the same values.
    #[test]
    fn os_info_header(raw in proptest::collection::vec(any::<u8>(), OS_INFO_HEADER_SIZE)) {
        let raw: [u8; OS_INFO_HEADER_SIZE] = raw.try_into().unwrap();
        let z = ZOsInfoHeader::read_from_bytes(&raw).unwrap();
        let ours = OsInfoHeader::from_bytes(&raw);
        prop_assert_eq!(ours.magic, z.magic.get());
        prop_assert_eq!(ours.csum, z.csum.get());
        prop_assert_eq!(ours.version_major, z.version_major.get());
        prop_assert_eq!(ours.version_minor, z.version_minor.get());
        prop_assert_eq!(ours.crashkernel_addr, z.crashkernel_addr.get());
        prop_assert_eq!(ours.crashkernel_size, z.crashkernel_size.get());
        for (o, z) in ours.entry.iter().zip(z.entry.iter()) {
            prop_assert_eq!(*o, OsInfoEntry {
                addr: z.addr.get(),
                size: z.size.get(),
                csum: z.csum.get(),
            });
        }
        prop_assert_eq!(ours.to_bytes(), raw);
    }

    #[test]
    fn status_block(raw in proptest::collection::vec(any::<u8>(), SaveArea::REGS_LEN),
                    vx in proptest::collection::vec(any::<u8>(), SaveArea::VXRS_LEN)) {
        let raw: [u8; SaveArea::REGS_LEN] = raw.try_into().unwrap();
        let vx: [u8; SaveArea::VXRS_LEN] = vx.try_into().unwrap();
        let z = ZStatusBlock::read_from_bytes(&raw).unwrap();
        let zv = ZVectorBlock::read_from_bytes(&vx).unwrap();
        let mut ours = SaveArea::from_regs(&raw);
        prop_assert_eq!(ours.fprs, z.floating_pt_save_area.map(U64::get));
        prop_assert_eq!(ours.gprs, z.gpregs_save_area.map(U64::get));
        prop_assert_eq!(ours.psw, z.psw_save_area.map(U64::get));
        prop_assert_eq!(ours.prefix, z.prefixreg_save_area.get());
        prop_assert_eq!(ours.fpc, z.fpt_creg_save_area.get());
        prop_assert_eq!(ours.todpreg, z.tod_progreg_save_area.get());
        prop_assert_eq!(ours.timer, z.cpu_timer_save_area.get());
        prop_assert_eq!(ours.todcmp, z.clock_comp_save_area.get());
        prop_assert_eq!(ours.acrs, z.access_regs_save_area.map(U32::get));
        prop_assert_eq!(ours.ctrs, z.cregs_save_area.map(U64::get));
        prop_assert_eq!(ours.vxrs_low, [0; 16]);
        ours.add_vxrs(&vx);
        for i in 0..16 {
            prop_assert_eq!(ours.vxrs_low[i], zv.vxrs[i][1].get());
            prop_assert_eq!(ours.vxrs_high[i], zv.vxrs[16 + i].map(U64::get));
        }
    }
}

#[test]
fn prpsinfo_as_c_writes_it() {
    let mut p = ZPrpsinfo::new_zeroed();
    p.pr_sname = b'R';
    p.pr_fname[..7].copy_from_slice(b"vmlinux");
    assert_eq!(&prpsinfo()[..], p.as_bytes());
}
