// SPDX-License-Identifier: GPL-2.0

//! Run-time memory the dump kernel keeps for the header, from
//! [`s390_vmcore::layout`], for a kdump memory map of 3 ranges plus the
//! kernel text and 2 or 256 CPUs with vector registers (2 KiB VMCOREINFO).
//!
//! Prints a JSON array, one object per CPU count, all sizes in bytes:
//! - `header`: `header_len` rounded up to pages (`vmalloc_user()`);
//! - `segments`: `nsegments` [`Segment`]s (the segment table);
//! - `save_areas`: one [`SaveArea`] per CPU (memblock);
//! - `ranges_copy`: the copy of the memory ranges kept for rebuilds;
//! - `total`: their sum (without kmalloc rounding and the small `Dump`
//!   struct; the VMCOREINFO copy is freed after the build).

use s390_vmcore::{layout, PhysRange, SaveArea, Segment, PAGE_SIZE};
use s390_vmcore_bench::Inputs;
use std::mem::size_of;

/// Memory ranges of the kdump map (besides the kernel text).
const RANGES: usize = 3;

fn main() {
    let rows: Vec<String> = [2, 256]
        .iter()
        .map(|&ncpus| {
            let inputs = Inputs::new(RANGES, ncpus);
            let l = layout(&inputs.spec()).expect("valid spec");
            let header = l.header_len.div_ceil(PAGE_SIZE as usize) * PAGE_SIZE as usize;
            let segments = l.nsegments * size_of::<Segment>();
            let save_areas = ncpus * size_of::<SaveArea>();
            let ranges = RANGES * size_of::<PhysRange>();
            let total = header + segments + save_areas + ranges;
            format!(
                "  {{\"cpus\": {ncpus}, \"ranges\": {RANGES}, \"text\": true, \
                 \"header\": {header}, \"segments\": {segments}, \
                 \"save_areas\": {save_areas}, \"ranges_copy\": {ranges}, \"total\": {total}}}"
            )
        })
        .collect();
    println!("[\n{}\n]", rows.join(",\n"));
}
