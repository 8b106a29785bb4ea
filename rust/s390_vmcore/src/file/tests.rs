// SPDX-License-Identifier: GPL-2.0

//! Host tests of `file.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use std::vec;
use std::vec::Vec;

/// A dump file of a 0x2000-byte header and two segments, old memory
/// `[0x1000, 0x4000)` and `[0x10000, 0x12000)`.
pub(crate) fn test_file() -> (Vec<Segment>, u64) {
    let segs = vec![
        Segment {
            offset: 0x2000,
            size: 0x3000,
            paddr: 0x1000,
        },
        Segment {
            offset: 0x5000,
            size: 0x2000,
            paddr: 0x10000,
        },
    ];
    (segs, 0x7000)
}

/// [`piece_at`] in a file with a header of 8192 bytes.
fn at(segs: &[Segment], size: u64, pos: u64, len: u64) -> Option<Piece> {
    piece_at(8192, segs, size, pos, len)
}

#[test]
fn piece_at_basics() {
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
    assert_eq!(at(&segs, fs, 0, 0), None);
    assert_eq!(
        at(&segs, fs, 100, 1 << 40),
        Some(Piece::Header {
            start: 100,
            len: 8092
        })
    );
    assert_eq!(
        at(&segs, fs, 8000, 100),
        Some(Piece::Header {
            start: 8000,
            len: 100
        })
    );
    assert_eq!(
        at(&segs, fs, 8192, 99999),
        Some(Piece::OldMem {
            paddr: 0x10000,
            len: 4096
        })
    );
    assert_eq!(
        at(&segs, fs, 12287, 2),
        Some(Piece::OldMem {
            paddr: 0x10fff,
            len: 1
        })
    );
    assert_eq!(
        at(&segs, fs, 12288, 2),
        Some(Piece::OldMem {
            paddr: 0x30000,
            len: 2
        })
    );
    assert_eq!(
        at(&segs, fs, 20479, 5),
        Some(Piece::OldMem {
            paddr: 0x31fff,
            len: 1
        })
    );
    assert_eq!(at(&segs, fs, 20480, 5), None);
    assert_eq!(at(&segs, u64::MAX, 1 << 50, 5), None);
    assert_eq!(at(&[], fs, 8192, 5), None);
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
        assert_eq!(at(&gappy, 24576, pos, 5), None, "{pos}");
    }
    assert_eq!(
        at(&gappy, 24576, 12288, 1 << 20),
        Some(Piece::OldMem {
            paddr: 0x10000,
            len: 4096
        })
    );
}

#[test]
fn pieces_of_a_read() {
    let header = [0u8; 0x2000];
    let (segs, size) = test_file();
    let f = DumpFile {
        header: &header,
        segs: &segs,
        size,
        mode: OldMemMode::Real,
    };
    let pieces: Vec<Piece> = f.pieces(0x1ff0, 0x10000).collect();
    assert_eq!(
        pieces,
        vec![
            Piece::Header {
                start: 0x1ff0,
                len: 0x10
            },
            Piece::OldMem {
                paddr: 0x1000,
                len: 0x3000
            },
            Piece::OldMem {
                paddr: 0x10000,
                len: 0x2000
            },
        ]
    );
    assert_eq!(pieces.iter().map(Piece::len).sum::<u64>(), 0x5010);
    assert!(pieces.iter().all(|p| !p.is_empty()));
    assert!(Piece::Header { start: 5, len: 0 }.is_empty());
    assert!(Piece::OldMem { paddr: 5, len: 0 }.is_empty());
    // Within a segment, a read ends where it was asked to.
    assert_eq!(
        f.pieces(0x2800, 0x100).collect::<Vec<_>>(),
        vec![Piece::OldMem {
            paddr: 0x1800,
            len: 0x100
        }]
    );
    // At and past the end of the file, and reads of nothing: none.
    assert_eq!(f.pieces(0x7000, 1).count(), 0);
    assert_eq!(f.pieces(u64::MAX, u64::MAX).count(), 0);
    assert_eq!(f.pieces(0, 0).count(), 0);
}
