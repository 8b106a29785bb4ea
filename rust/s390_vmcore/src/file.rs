// SPDX-License-Identifier: GPL-2.0

//! The dump file's pieces: which part of a file range is header and which
//! is old memory, and at what physical address (C `__read_vmcore()` and
//! `mmap_vmcore()` walking `vmcore_list`).
//!
//! One noun for a part of the file: a [`Piece`] is a run of bytes of a
//! file range that comes from one place, the header buffer or one
//! segment's old memory. A [`Segment`] is the old memory of one PT_LOAD as
//! [`crate::build`] placed it in the file; where the bytes of a piece of
//! old memory are read from is [`crate::map_oldmem`]'s business.

use crate::layout::Segment;
use crate::oldmem::OldMemMode;

/// The dump file as [`crate::read_dump`] serves it: the ELF core header
/// and segment table filled by [`crate::build`], the file size it
/// returned, and how old memory is reached.
#[derive(Clone, Copy, Debug)]
pub struct DumpFile<'a> {
    /// The ELF core header (file offsets `[0, header.len())`).
    pub header: &'a [u8],
    /// The old-memory segments, sorted by file offset, not overlapping.
    pub segs: &'a [Segment],
    /// The file size in bytes.
    pub size: u64,
    /// How old memory is addressed.
    pub mode: OldMemMode,
}

/// A piece of the dump file: a run of bytes of a file range from one
/// place, as [`piece_at`] and [`DumpFile::pieces`] give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// `len` bytes of the header from byte `start` on (`header[start..]`).
    Header {
        /// Offset into the header (== file offset), bytes.
        start: usize,
        /// Bytes.
        len: usize,
    },
    /// `len` bytes of old memory from physical address `paddr` on, inside
    /// one segment (read them through [`crate::copy_oldmem`], which
    /// splits them by [`crate::map_oldmem`]).
    OldMem {
        /// Old physical address of the first byte.
        paddr: u64,
        /// Bytes.
        len: u64,
    },
}

impl Piece {
    /// The piece's length in bytes.
    pub fn len(&self) -> u64 {
        match *self {
            Piece::Header { len, .. } => len as u64,
            Piece::OldMem { len, .. } => len,
        }
    }

    /// Whether the piece is empty (never, for pieces of [`Pieces`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The first piece of a read of at most `len` bytes at file offset `pos`
/// of a file of `size` bytes whose header is `header_len` bytes long: it
/// starts at `pos` and never crosses the end of the header, of a segment
/// or of the file. The segment is found by binary search in `segs` (sorted
/// by `offset`, not overlapping, as [`crate::build`] makes them).
///
/// Returns `None` when there is nothing to read: `len == 0`, `pos >= size`,
/// or `pos` in no segment (impossible with [`crate::build`]'s output).
pub fn piece_at(
    header_len: usize,
    segs: &[Segment],
    size: u64,
    pos: u64,
    len: u64,
) -> Option<Piece> {
    if len == 0 || pos >= size {
        return None;
    }
    let len = core::cmp::min(len, size - pos);
    if let Ok(p) = usize::try_from(pos) {
        if p < header_len {
            let n = usize::try_from(len).unwrap_or(usize::MAX);
            return Some(Piece::Header {
                start: p,
                len: core::cmp::min(n, header_len - p),
            });
        }
    }
    // First segment whose end is beyond pos (empty segments are skipped).
    let i = segs.partition_point(|s| s.offset.saturating_add(s.size) <= pos);
    let s = segs.get(i).filter(|s| s.offset <= pos)?;
    let into = pos - s.offset;
    // s.offset + s.size > pos, so this is > 0.
    let left = s.size.saturating_sub(into);
    match s.paddr.checked_add(into) {
        Some(paddr) if left > 0 => Some(Piece::OldMem {
            paddr,
            len: core::cmp::min(len, left),
        }),
        _ => None,
    }
}

impl<'a> DumpFile<'a> {
    /// The pieces of `len` bytes at file offset `pos` (see [`Pieces`]).
    pub fn pieces(&self, pos: u64, len: u64) -> Pieces<'a> {
        Pieces {
            file: *self,
            pos,
            left: len,
        }
    }
}

/// The pieces of the file range `[pos, pos + len)` of a [`DumpFile`], in
/// file order, by [`piece_at`]. They cover the range up to the
/// end of the file; each is non-empty.
#[derive(Clone, Debug)]
pub struct Pieces<'a> {
    file: DumpFile<'a>,
    pos: u64,
    left: u64,
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        let f = &self.file;
        let piece = piece_at(f.header.len(), f.segs, f.size, self.pos, self.left)?;
        // `piece_at` returns `0 < len <= left`; should it not, stop rather
        // than loop forever or underflow.
        let len = piece.len();
        if len == 0 || len > self.left {
            self.left = 0;
            return None;
        }
        self.pos += len;
        self.left -= len;
        Some(piece)
    }
}

#[cfg(test)]
pub(crate) mod tests;
