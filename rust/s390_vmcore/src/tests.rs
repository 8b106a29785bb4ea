// SPDX-License-Identifier: GPL-2.0

//! Host tests of the crate root (`lib.rs`): built only by `cargo test`, never in the kernel.

use super::*;
use std::format;

const OUTSIDE: Error = Error::OutsideMemory {
    paddr: 0x7fff_0000,
    len: 4096,
};

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
        (Error::NoMemory, "out of memory"),
        (Error::Internal, "internal error (a bug)"),
    ];
    for (e, text) in cases {
        assert_eq!(format!("{e}"), text);
    }
}
