// SPDX-License-Identifier: GPL-2.0

//! Big-endian fields of fixed-size records.
//!
//! Every structure of the dump (ELF header, program and note headers, the
//! register notes) and of old memory (save areas, os_info) is a record of a
//! fixed number of bytes whose integers are big-endian (s390x byte order)
//! at fixed byte offsets. [`BeFields`] reads and writes such a field of a
//! `[u8; N]` at a constant offset `OFF`; that the field lies inside the
//! record is checked when the crate is compiled, so no access can fail or
//! panic at run time, whatever the bytes hold.

/// Big-endian integer fields at constant byte offsets of a record.
///
/// Implemented for `[u8; N]`: `OFF` is the field's byte offset in the
/// record, `K` the number of elements of an array field. A field that does
/// not fit in the `N` bytes fails the build.
pub trait BeFields {
    /// The big-endian `u16` at byte `OFF`.
    fn be_u16<const OFF: usize>(&self) -> u16;
    /// The big-endian `u32` at byte `OFF`.
    fn be_u32<const OFF: usize>(&self) -> u32;
    /// The big-endian `u64` at byte `OFF`.
    fn be_u64<const OFF: usize>(&self) -> u64;
    /// `K` big-endian `u32`s from byte `OFF` on, 4 bytes apart.
    fn be_u32s<const OFF: usize, const K: usize>(&self) -> [u32; K];
    /// `K` big-endian `u64`s from byte `OFF` on, 8 bytes apart.
    fn be_u64s<const OFF: usize, const K: usize>(&self) -> [u64; K];
    /// Write `v` big-endian at byte `OFF`.
    fn set_be_u16<const OFF: usize>(&mut self, v: u16);
    /// Write `v` big-endian at byte `OFF`.
    fn set_be_u32<const OFF: usize>(&mut self, v: u32);
    /// Write `v` big-endian at byte `OFF`.
    fn set_be_u64<const OFF: usize>(&mut self, v: u64);
    /// Write the `K` values of `v` big-endian from byte `OFF` on.
    fn set_be_u32s<const OFF: usize, const K: usize>(&mut self, v: &[u32; K]);
    /// Write the `K` values of `v` big-endian from byte `OFF` on.
    fn set_be_u64s<const OFF: usize, const K: usize>(&mut self, v: &[u64; K]);
    /// Copy `v` to bytes `OFF..OFF + K`.
    fn set_bytes<const OFF: usize, const K: usize>(&mut self, v: &[u8; K]);
}

/// The `W` bytes at `off` of `b`, where `off + W <= b.len()` is known.
#[inline(always)]
fn get<const W: usize>(b: &[u8], off: usize) -> [u8; W] {
    let mut f = [0; W];
    f.copy_from_slice(&b[off..off + W]);
    f
}

impl<const N: usize> BeFields for [u8; N] {
    #[inline]
    fn be_u16<const OFF: usize>(&self) -> u16 {
        const { assert!(OFF + 2 <= N) };
        u16::from_be_bytes(get(self, OFF))
    }

    #[inline]
    fn be_u32<const OFF: usize>(&self) -> u32 {
        const { assert!(OFF + 4 <= N) };
        u32::from_be_bytes(get(self, OFF))
    }

    #[inline]
    fn be_u64<const OFF: usize>(&self) -> u64 {
        const { assert!(OFF + 8 <= N) };
        u64::from_be_bytes(get(self, OFF))
    }

    #[inline]
    fn be_u32s<const OFF: usize, const K: usize>(&self) -> [u32; K] {
        const { assert!(OFF + 4 * K <= N) };
        core::array::from_fn(|i| u32::from_be_bytes(get(self, OFF + 4 * i)))
    }

    #[inline]
    fn be_u64s<const OFF: usize, const K: usize>(&self) -> [u64; K] {
        const { assert!(OFF + 8 * K <= N) };
        core::array::from_fn(|i| u64::from_be_bytes(get(self, OFF + 8 * i)))
    }

    #[inline]
    fn set_be_u16<const OFF: usize>(&mut self, v: u16) {
        const { assert!(OFF + 2 <= N) };
        self[OFF..OFF + 2].copy_from_slice(&v.to_be_bytes());
    }

    #[inline]
    fn set_be_u32<const OFF: usize>(&mut self, v: u32) {
        const { assert!(OFF + 4 <= N) };
        self[OFF..OFF + 4].copy_from_slice(&v.to_be_bytes());
    }

    #[inline]
    fn set_be_u64<const OFF: usize>(&mut self, v: u64) {
        const { assert!(OFF + 8 <= N) };
        self[OFF..OFF + 8].copy_from_slice(&v.to_be_bytes());
    }

    #[inline]
    fn set_be_u32s<const OFF: usize, const K: usize>(&mut self, v: &[u32; K]) {
        const { assert!(OFF + 4 * K <= N) };
        for (d, s) in self[OFF..OFF + 4 * K].chunks_exact_mut(4).zip(v) {
            d.copy_from_slice(&s.to_be_bytes());
        }
    }

    #[inline]
    fn set_be_u64s<const OFF: usize, const K: usize>(&mut self, v: &[u64; K]) {
        const { assert!(OFF + 8 * K <= N) };
        for (d, s) in self[OFF..OFF + 8 * K].chunks_exact_mut(8).zip(v) {
            d.copy_from_slice(&s.to_be_bytes());
        }
    }

    #[inline]
    fn set_bytes<const OFF: usize, const K: usize>(&mut self, v: &[u8; K]) {
        const { assert!(OFF + K <= N) };
        self[OFF..OFF + K].copy_from_slice(v);
    }
}

#[cfg(test)]
mod tests {
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
}
