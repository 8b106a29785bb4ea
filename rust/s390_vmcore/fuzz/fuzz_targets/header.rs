//! `layout` + `build` + `piece_at`: [`s390_vmcore_fuzz::header`].
//! The body lives in the library, where `cargo test` of the crate replays
//! the regression inputs through it (`tests/fuzz_regressions.rs`).
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    if s390_vmcore_fuzz::header::run(data) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
