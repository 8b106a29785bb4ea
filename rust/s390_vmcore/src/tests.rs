// SPDX-License-Identifier: GPL-2.0

//! Host tests of the crate root (`lib.rs`): built only by `cargo test`, never in the kernel.

use super::*;
use std::format;

const OUTSIDE: Error = Error::OutsideMemory {
    paddr: 0x7fff_0000,
    len: 4096,
};

#[test]
fn errno_values() {
    // asm-generic/errno-base.h and asm-generic/errno.h.
    assert_eq!(Error::Read.errno(), 5); // EIO
    assert_eq!(Error::TooBig.errno(), 7); // E2BIG
    assert_eq!(OUTSIDE.errno(), 14); // EFAULT
    assert_eq!(Error::Invalid.errno(), 22); // EINVAL
    assert_eq!(Error::BufferTooSmall.errno(), 34); // ERANGE
    assert_eq!(Error::Overflow.errno(), 75); // EOVERFLOW
    assert_eq!(Error::Internal.errno(), 131); // ENOTRECOVERABLE
}

#[test]
fn bugs_never_look_like_bad_input() {
    let input = [
        Error::Read,
        Error::Invalid,
        Error::TooBig,
        Error::Overflow,
        OUTSIDE,
    ];
    for bug in [Error::Internal, Error::BufferTooSmall] {
        for e in input {
            assert_ne!(bug.errno(), e.errno(), "{bug:?} vs {e:?}");
        }
    }
    // Every number is a valid kernel errno (1..=MAX_ERRNO).
    for e in input
        .iter()
        .chain(&[Error::Internal, Error::BufferTooSmall])
    {
        assert!((1..=4095).contains(&e.errno()), "{e:?}");
    }
}

#[test]
fn messages() {
    let cases = [
        (Error::Read, "old memory read failed"),
        (Error::Invalid, "inconsistent input data"),
        (Error::TooBig, "size over limit"),
        (Error::Overflow, "address or size overflows 64 bits"),
        (Error::BufferTooSmall, "buffer too small (a bug)"),
        (
            OUTSIDE,
            "0x7fff0000 (4096 bytes) is outside the crashed system's memory",
        ),
        (Error::Internal, "internal error (a bug)"),
    ];
    for (e, text) in cases {
        assert_eq!(format!("{e}"), text);
    }
}
