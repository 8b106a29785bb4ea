// SPDX-License-Identifier: GPL-2.0

//! Criterion benchmarks of the s390_vmcore header build and read lookup on
//! the host. Criterion reports wall-clock time per iteration (results in
//! `target/criterion/<group>/<function>/<N>/new/estimates.json`, in ns):
//!
//! - `header_ranges/N`: [`layout()`] + [`build()`] of the whole header for
//!   N memory ranges plus the kernel text, 2 CPUs with vector registers and
//!   a 2 KiB VMCOREINFO. N goes up to [`MAX_RANGES`] (65,532), the most
//!   the ELF header can count.
//! - `header_cpus/N`: the same for 2 ranges and N CPUs.
//! - `lookup/piece_at/N`: one [`piece_at()`] call for a 4 KiB read at
//!   a random old-memory file offset, over a table of N segments.
//! - `lookup/piece_at_map_oldmem/N`: the same followed by
//!   [`map_oldmem()`] of the chunk (kdump mode): the whole offset-to-source
//!   lookup of one read.
//!
//! The output buffers are allocated once outside the timed loop, like the
//! kernel allocates once and then fills them.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use s390_vmcore::{build, layout, map_oldmem, piece_at, OldMemMode, Piece, Segment, PAGE_SIZE};
use s390_vmcore_bench::{Inputs, Rng, MAX_RANGES};
use std::time::Duration;

/// Memory range counts of `header_ranges` (2 CPUs).
const RANGES: [usize; 5] = [1, 16, 256, 4096, MAX_RANGES];
/// CPU counts of `header_cpus` (2 ranges).
const CPUS: [usize; 5] = [1, 2, 16, 64, 256];
/// Segment table sizes of `lookup`.
const SEGMENTS: [usize; 2] = [16, 65536];
/// Random offsets cycled through by `lookup`.
const OFFSETS: usize = 4096;
/// Bytes asked for per lookup: one page, as a `read()` or `mmap()` fault.
const READ_LEN: u64 = PAGE_SIZE;
/// Bytes of the header in front of the segments in `lookup` (4 pages).
const HEADER_LEN: usize = 4 * PAGE_SIZE as usize;
/// Old memory addressing of `lookup`: a 256 MiB crashkernel at 1 GiB.
const KDUMP: OldMemMode = OldMemMode::Kdump {
    start: 1 << 30,
    size: 256 << 20,
};

/// Time `layout()` + `build()` for each (parameter, inputs) case.
fn header(c: &mut Criterion, name: &str, cases: impl Iterator<Item = (usize, Inputs)>) {
    let mut g = c.benchmark_group(name);
    // Equal iterations per sample: the largest build takes about 1 ms, too
    // long for linear sampling's 5,050 iterations in the measurement time.
    g.sampling_mode(SamplingMode::Flat);
    for (n, inputs) in cases {
        let spec = inputs.spec();
        let l = layout(&spec).expect("valid spec");
        let mut hdr = vec![0u8; l.header_len];
        let mut segs = vec![Segment::default(); l.nsegments];
        g.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| {
                let l = layout(black_box(spec)).expect("valid spec");
                build(spec, &mut hdr[..l.header_len], &mut segs[..l.nsegments])
                    .expect("buffers sized by layout()")
            })
        });
    }
    g.finish();
}

fn header_ranges(c: &mut Criterion) {
    header(
        c,
        "header_ranges",
        RANGES.map(|n| (n, Inputs::new(n, 2))).into_iter(),
    );
}

fn header_cpus(c: &mut Criterion) {
    header(
        c,
        "header_cpus",
        CPUS.map(|n| (n, Inputs::new(2, n))).into_iter(),
    );
}

/// A segment table like [`build()`]'s: `n` contiguous segments of 1 to 256
/// pages from file offset [`HEADER_LEN`], over old memory with holes.
/// Returns the table and the file size.
fn segment_table(n: usize, rng: &mut Rng) -> (Vec<Segment>, u64) {
    let mut offset = HEADER_LEN as u64;
    let mut paddr = 0;
    let segs = (0..n)
        .map(|_| {
            let size = (1 + rng.below(256)) * PAGE_SIZE;
            let s = Segment {
                offset,
                size,
                paddr,
            };
            offset += size;
            paddr += size + rng.below(4) * PAGE_SIZE;
            s
        })
        .collect();
    (segs, offset)
}

fn lookup(c: &mut Criterion) {
    let mut g = c.benchmark_group("lookup");
    let mut rng = Rng::new(0x6);
    for n in SEGMENTS {
        let (segs, file_size) = segment_table(n, &mut rng);
        let old = file_size - HEADER_LEN as u64;
        let offs: Vec<u64> = (0..OFFSETS)
            .map(|_| HEADER_LEN as u64 + rng.below(old))
            .collect();
        let piece = |i: &mut usize| {
            *i = (*i + 1) % OFFSETS;
            piece_at(HEADER_LEN, black_box(&segs), file_size, offs[*i], READ_LEN)
        };
        g.bench_function(BenchmarkId::new("piece_at", n), |b| {
            let mut i = 0;
            b.iter(|| piece(&mut i))
        });
        g.bench_function(BenchmarkId::new("piece_at_map_oldmem", n), |b| {
            let mut i = 0;
            b.iter(|| match piece(&mut i) {
                Some(Piece::OldMem { paddr, len }) => {
                    Some(map_oldmem(black_box(KDUMP), paddr, len))
                }
                _ => None,
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // Short runs: the whole suite takes about a minute; CLI options override.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = header_ranges, header_cpus, lookup
}
criterion_main!(benches);
