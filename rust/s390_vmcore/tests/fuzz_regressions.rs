// SPDX-License-Identifier: GPL-2.0
//! Replays the fuzz regression inputs, `fuzz/regressions/<target>/*`,
//! through the very function each fuzz target calls (`run` of the fuzz
//! library, included here from `fuzz/src/lib.rs`), so `cargo test` checks
//! every property the fuzz targets assert on every input kept from
//! fuzzing. A target without its directory, a directory without its
//! target, an empty directory or an input its target rejects fails.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::fs;
use std::path::{Path, PathBuf};

/// The body of a fuzz target: checks one input, `false` if it rejects it.
type Run = fn(&[u8]) -> bool;

/// The fuzz targets and their bodies.
const TARGETS: &[(&str, Run)] = &[
    ("header", fuzz::header::run),
    ("map_oldmem", fuzz::map_oldmem::run),
    ("os_info", fuzz::os_info::run),
    ("save_area", fuzz::save_area::run),
    ("vmcoreinfo", fuzz::vmcoreinfo::run),
];

/// Targets whose body is not in the fuzz library yet (no replay).
const NOT_SHARED: &[&str] = &[];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The names of the entries of `dir`, sorted.
fn names(dir: &Path, suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(suffix).map(str::to_owned))
        .collect();
    v.sort();
    v
}

#[test]
fn every_target_is_replayed() {
    let mut known: Vec<&str> = TARGETS
        .iter()
        .map(|t| t.0)
        .chain(NOT_SHARED.iter().copied())
        .collect();
    known.sort();
    assert_eq!(names(&fuzz_dir().join("fuzz_targets"), ".rs"), known);
    let mut replayed: Vec<&str> = TARGETS.iter().map(|t| t.0).collect();
    replayed.sort();
    assert_eq!(names(&fuzz_dir().join("regressions"), ""), replayed);
}

#[test]
fn regressions() {
    for (target, run) in TARGETS {
        let dir = fuzz_dir().join("regressions").join(target);
        let files = names(&dir, "");
        assert!(!files.is_empty(), "no inputs in {}", dir.display());
        for f in files {
            let path = dir.join(&f);
            let data = fs::read(&path).unwrap();
            // A panic names the input; an input the target rejects would
            // test nothing.
            eprintln!("{target}: {f}");
            assert!(run(&data), "{} is no input of {target}", path.display());
        }
    }
}
