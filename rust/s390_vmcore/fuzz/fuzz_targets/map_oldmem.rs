//! `map_oldmem` / `read_oldmem` with arbitrary modes, addresses and lengths
//! over the whole 64-bit range. Checks: `0 < n <= len` (n == 0 only for
//! len == 0), every byte of a piece maps by the documented per-byte rule,
//! and `read_oldmem` hands the backend only slices of what was asked, in
//! order, covering the buffer exactly, in a bounded number of pieces.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use s390_vmcore::{map_oldmem, read_oldmem, Error, OldMemMode, Source};

#[derive(Debug, Arbitrary)]
enum Mode {
    Kdump {
        start: u64,
        size: u64,
    },
    Hsa {
        hsa_size: u64,
    },
    HsaKdump {
        hsa_size: u64,
        start: u64,
        size: u64,
    },
    Real,
}

#[derive(Debug, Arbitrary)]
struct Input {
    mode: Mode,
    paddr: u64,
    len: u64,
    /// `read_oldmem` buffer length (bounded to 64 KiB).
    buf_len: u16,
    /// Backend fails on this call number (if any).
    fail_at: Option<u8>,
}

/// The per-byte rule of the `map_oldmem` documentation.
fn byte_rule(mode: OldMemMode, a: u64) -> Source {
    match mode {
        OldMemMode::Real => Source::Real { paddr: a },
        OldMemMode::Hsa { hsa_size } | OldMemMode::HsaKdump { hsa_size, .. } if a < hsa_size => {
            Source::Hsa { offset: a }
        }
        OldMemMode::Hsa { .. } => Source::Real { paddr: a },
        OldMemMode::HsaKdump { start, size, .. } | OldMemMode::Kdump { start, size } => {
            if a >= start && a - start < size {
                Source::Real { paddr: a - start }
            } else if a < size {
                Source::Real {
                    paddr: a.wrapping_add(start),
                }
            } else {
                Source::Real { paddr: a }
            }
        }
    }
}

fn advance(s: Source, k: u64) -> Source {
    match s {
        Source::Hsa { offset } => Source::Hsa {
            offset: offset.wrapping_add(k),
        },
        Source::Real { paddr } => Source::Real {
            paddr: paddr.wrapping_add(k),
        },
    }
}

fn check_piece(mode: OldMemMode, paddr: u64, len: u64) -> (Source, u64) {
    let (src, n) = map_oldmem(mode, paddr, len);
    assert!(n <= len, "{mode:?} {paddr:#x} {len:#x}: n {n:#x}");
    assert_eq!(n == 0, len == 0, "{mode:?} {paddr:#x} {len:#x}: n {n:#x}");
    if n > 0 {
        for k in [0, n / 2, n - 1] {
            if let Some(a) = paddr.checked_add(k) {
                assert_eq!(
                    advance(src, k),
                    byte_rule(mode, a),
                    "{mode:?} {paddr:#x}+{k:#x}"
                );
            }
        }
    }
    (src, n)
}

fuzz_target!(|inp: Input| {
    let mode = match inp.mode {
        Mode::Kdump { start, size } => OldMemMode::Kdump { start, size },
        Mode::Hsa { hsa_size } => OldMemMode::Hsa { hsa_size },
        Mode::HsaKdump {
            hsa_size,
            start,
            size,
        } => OldMemMode::HsaKdump {
            hsa_size,
            start,
            size,
        },
        Mode::Real => OldMemMode::Real,
    };
    check_piece(mode, inp.paddr, inp.len);
    check_piece(mode, inp.paddr, 0);
    check_piece(mode, inp.paddr, u64::MAX);

    // Walk a whole request piece by piece: bounded number of pieces.
    let end = inp.paddr.saturating_add(inp.len);
    let (mut at, mut pieces) = (inp.paddr, 0);
    while at < end {
        let (_, n) = check_piece(mode, at, end - at);
        at += n;
        pieces += 1;
        assert!(
            pieces <= 8,
            "{mode:?}: more than 8 pieces for {:#x}+{:#x}",
            inp.paddr,
            inp.len
        );
    }

    // read_oldmem with a checking backend.
    let len = usize::from(inp.buf_len);
    let mut buf = vec![0u8; len];
    let mut calls = 0usize;
    let mut next = inp.paddr; // old address of the next expected piece
    let mut done = 0usize;
    let mut be = |src: Source, b: &mut [u8]| -> Result<(), Error> {
        assert!(!b.is_empty(), "empty piece");
        assert!(done + b.len() <= len, "backend handed more than asked");
        assert_eq!(src, byte_rule(mode, next));
        calls += 1;
        assert!(calls <= 8, "too many pieces");
        if inp.fail_at == Some(calls as u8) {
            return Err(Error::Read);
        }
        b.fill(calls as u8);
        done += b.len();
        next = next.wrapping_add(b.len() as u64);
        Ok(())
    };
    let r = read_oldmem(mode, &mut be, inp.paddr, &mut buf);
    let overflow = len > 0 && inp.paddr.checked_add(len as u64 - 1).is_none();
    match r {
        Ok(()) => {
            assert!(!overflow);
            assert_eq!(done, len);
            assert!(buf.iter().all(|&b| b != 0) || len == 0);
        }
        Err(Error::Overflow) => assert!(overflow),
        Err(Error::Read) => assert!(inp.fail_at.is_some_and(|f| f as usize <= calls)),
        Err(e) => panic!("unexpected {e:?}"),
    }
});
