// SPDX-License-Identifier: GPL-2.0

//! Host tests of `elf.rs`: built only by `cargo test`, never in the kernel.

use super::*;

#[test]
fn phdr_field_offsets() {
    let p = Elf64Phdr {
        p_type: 0x0102_0304,
        p_flags: 0x0506_0708,
        p_offset: 0x1111_1111_1111_1111,
        p_vaddr: 0x2222_2222_2222_2222,
        p_paddr: 0x3333_3333_3333_3333,
        p_filesz: 0x4444_4444_4444_4444,
        p_memsz: 0x5555_5555_5555_5555,
        p_align: 0x6666_6666_6666_6666,
    };
    let b = p.to_bytes();
    assert_eq!(&b[0..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
    for (i, v) in [0x11u8, 0x22, 0x33, 0x44, 0x55, 0x66].iter().enumerate() {
        assert!(b[8 + 8 * i..16 + 8 * i].iter().all(|x| x == v));
    }
    assert_eq!(Elf64Phdr::from_bytes(&b), p);
}

#[test]
fn ehdr_field_offsets() {
    let e = Elf64Ehdr {
        e_phoff: 0x40,
        e_phnum: 0x1234,
        e_machine: EM_S390,
        ..Default::default()
    };
    let b = e.to_bytes();
    assert_eq!(&b[18..20], &[0, 22]);
    assert_eq!(&b[32..40], &[0, 0, 0, 0, 0, 0, 0, 0x40]);
    assert_eq!(&b[56..58], &[0x12, 0x34]);
    assert_eq!(Elf64Ehdr::from_bytes(&b), e);
}

#[test]
fn nhdr_field_offsets() {
    let n = Elf64Nhdr {
        n_namesz: 5,
        n_descsz: 0x150,
        n_type: 0x30a,
    };
    let b = n.to_bytes();
    assert_eq!(b, [0, 0, 0, 5, 0, 0, 1, 0x50, 0, 0, 3, 0x0a]);
    assert_eq!(Elf64Nhdr::from_bytes(&b), n);
}
