//! `SaveArea` and the notes of a CPU: [`s390_vmcore_fuzz::save_area`].
//! The body lives in the library, where `cargo test` of the crate replays
//! the regression inputs through it (`tests/fuzz_regressions.rs`).
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    if s390_vmcore_fuzz::save_area::run(data) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
