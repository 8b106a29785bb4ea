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
mod tests;
