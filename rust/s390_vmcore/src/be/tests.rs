// SPDX-License-Identifier: GPL-2.0

//! Host tests of `be.rs`: built only by `cargo test`, never in the kernel.

use super::BeFields;

#[test]
fn scalars_big_endian_at_their_offsets() {
    let mut b = [0u8; 16];
    b.set_be_u16::<1>(0x0102);
    b.set_be_u32::<3>(0x0304_0506);
    b.set_be_u64::<8>(0x0708_090a_0b0c_0d0e);
    assert_eq!(b, [0, 1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert_eq!(b.be_u16::<1>(), 0x0102);
    assert_eq!(b.be_u32::<3>(), 0x0304_0506);
    assert_eq!(b.be_u64::<8>(), 0x0708_090a_0b0c_0d0e);
    // The last field that fits.
    assert_eq!(b.be_u16::<14>(), 0x0d0e);
}

#[test]
fn arrays_element_by_element() {
    let mut b = [0xffu8; 26];
    b.set_be_u32s::<1, 2>(&[0x0102_0304, 0x0506_0708]);
    b.set_be_u64s::<9, 2>(&[0x1112_1314_1516_1718, 0x2122_2324_2526_2728]);
    b.set_bytes::<0, 1>(&[0xaa]);
    assert_eq!(&b[..9], &[0xaa, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        &b[9..25],
        &[
            0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
            0x27, 0x28
        ]
    );
    assert_eq!(b[25], 0xff, "nothing written past the last element");
    assert_eq!(b.be_u32s::<1, 2>(), [0x0102_0304, 0x0506_0708]);
    assert_eq!(
        b.be_u64s::<9, 2>(),
        [0x1112_1314_1516_1718, 0x2122_2324_2526_2728]
    );
}
