// SPDX-License-Identifier: GPL-2.0

//! Host tests of `dump.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use crate::os_info::tests::{build as os_info_page, fix_csum, lowcore_note, Fake, PAGE};
use crate::os_info::{LC_OS_INFO, LC_VMCORE_INFO};
use crate::TextSegment;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

/// The primitives of a kernel glue on the host: allocation `fail` (counted
/// from 0) fails, every warning is kept.
#[derive(Default)]
struct Env {
    fail: Option<usize>,
    allocations: usize,
    warnings: Vec<String>,
}

impl Env {
    fn failing(n: usize) -> Self {
        Env {
            fail: Some(n),
            ..Env::default()
        }
    }

    fn allocate(&mut self) -> bool {
        let n = self.allocations;
        self.allocations += 1;
        self.fail != Some(n)
    }
}

impl BuildEnv for Env {
    type Bytes = Vec<u8>;
    type Header = Vec<u8>;
    type Segments = Vec<Segment>;

    fn bytes(&mut self, len: usize) -> Option<Vec<u8>> {
        self.allocate().then(|| vec![0; len])
    }

    fn header(&mut self, len: usize) -> Option<Vec<u8>> {
        assert_eq!(len % crate::PAGE_SIZE as usize, 0);
        self.allocate().then(|| vec![0; len])
    }

    fn segments(&mut self, n: usize) -> Option<Vec<Segment>> {
        // Not zeroed: the build overwrites every entry.
        self.allocate().then(|| {
            vec![
                Segment {
                    offset: 1,
                    size: 2,
                    paddr: 3
                };
                n
            ]
        })
    }

    fn warn(&mut self, msg: fmt::Arguments<'_>) {
        self.warnings.push(msg.to_string());
    }
}

const VMCOREINFO: &[u8] = b"OSRELEASE=6.12.0\nPAGESIZE=4096\n";

/// All of the fake's memory that counts: lowcore, os_info, the note and
/// the kernel image os_info describes (`[0x10_0000, 0x210_0000)`).
const RANGES: [PhysRange; 2] = [
    PhysRange {
        start: 0,
        end: 0x400_0000,
    },
    PhysRange {
        start: 0x800_0000,
        end: 0x900_0000,
    },
];

fn range(start: u64, end: u64) -> PhysRange {
    PhysRange { start, end }
}

fn cpu(prefix: u32) -> SaveArea {
    SaveArea {
        prefix,
        ..SaveArea::default()
    }
}

fn inputs<'a>(cpus: &'a [SaveArea], ranges: &'a [PhysRange]) -> BuildInputs<'a> {
    BuildInputs {
        mode: OldMemMode::Kdump {
            start: 0x800_0000,
            size: 0x100_0000,
        },
        cpus,
        has_vx: true,
        ranges,
    }
}

/// The header and segments of `spec` by [`crate::layout()`] and
/// [`crate::build`] alone.
fn reference(spec: &DumpSpec<'_>) -> (Vec<u8>, Vec<Segment>, u64) {
    let l = layout(spec).unwrap();
    let mut hdr = vec![0; l.header_len];
    let mut segs = vec![Segment::default(); l.nsegments];
    let size = build(spec, &mut hdr, &mut segs).unwrap();
    (hdr, segs, size)
}

/// The old lowcore's VMCOREINFO note, "NOTE=1\n", at 0x9000.
fn put_lowcore_note(mem: &mut Fake) {
    let note = lowcore_note(b"VMCOREINFO\0\0", 7, 0x9000);
    mem.merge(&note);
    mem.put(0x9000 + 24, b"NOTE=1\n");
}

fn report(trust: &Trust) -> String {
    let mut buf = vec![0; crate::TRUST_REPORT_MAX];
    let n = trust.write_report(&mut buf).unwrap();
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

#[test]
fn builds_from_os_info_when_it_is_valid() {
    let (mem, _) = os_info_page(PAGE, VMCOREINFO);
    let cpus = [cpu(0x1000), cpu(0x2000)];
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&cpus, &RANGES)).unwrap();
    let text = TextSegment {
        start: 0x3ffe_1000_0000,
        end: 0x3ffe_1200_0000,
        phys: 0x10_0000,
    };
    let (hdr, segs, size) = reference(&DumpSpec {
        cpus: &cpus,
        has_vx: true,
        vmcoreinfo: Some(VMCOREINFO),
        text: Some(text),
        identity_base: 0x3ffe_0000_0000,
        ranges: &RANGES,
    });
    assert_eq!(built.header, hdr);
    assert_eq!(built.segs, segs);
    assert_eq!(built.size, size);
    assert!(env.warnings.is_empty(), "{:?}", env.warnings);
    // os_info page, VMCOREINFO, header, segments.
    assert_eq!(env.allocations, 4);
    let found = built.trust.found;
    assert_eq!(found.os_info, Ok(()));
    assert_eq!(found.vmcoreinfo, VmcoreinfoSource::OsInfo);
    assert_eq!(found.left_out().count(), 0);
    assert!(!found.short_of_memory());
    assert_eq!(built.trust.cpus, 2);
    assert!(built.trust.vector_registers);
    assert_eq!(
        built.trust.bytes,
        source_bytes(inputs(&cpus, &RANGES).mode, &segs)
    );
    let text = report(&built.trust);
    assert!(text.contains("trust: os_info checksum valid\n"), "{text}");
    assert!(text.contains("trust: VMCOREINFO from os_info\n"), "{text}");
    assert!(text.contains("trust: nothing left out\n"), "{text}");
}

#[test]
fn damaged_os_info_costs_the_kernel_text_only() {
    let (mut mem, mut page) = os_info_page(PAGE, VMCOREINFO);
    page[100] ^= 1;
    mem.put(PAGE, &page);
    // The lowcore's note: the fallback for VMCOREINFO.
    put_lowcore_note(&mut mem);
    let cpus = [cpu(0x1000)];
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&cpus, &RANGES)).unwrap();
    assert_eq!(
        env.warnings,
        ["old os_info unusable (checksum failed), dump without the kernel-text PT_LOAD"]
    );
    let (hdr, segs, _) = reference(&DumpSpec {
        cpus: &cpus,
        has_vx: true,
        vmcoreinfo: Some(b"NOTE=1\n"),
        text: None,
        identity_base: 0,
        ranges: &RANGES,
    });
    assert_eq!((built.header, built.segs), (hdr, segs));
    let found = built.trust.found;
    assert_eq!(found.vmcoreinfo, VmcoreinfoSource::Lowcore);
    assert_eq!(
        found.left_out().collect::<Vec<_>>(),
        [(
            Omission::KERNEL_TEXT,
            Reason::OsInfo(OsInfoError::BadChecksum)
        )]
    );
    let text = report(&built.trust);
    assert!(
        text.contains("trust: os_info unusable (checksum failed)\n"),
        "{text}"
    );
    assert!(
        text.contains("trust: left out: kernel-text PT_LOAD (checksum failed)\n"),
        "{text}"
    );
}

#[test]
fn no_os_info_and_no_note() {
    let mut mem = Fake::default();
    mem.put(LC_OS_INFO, &0u64.to_be_bytes());
    // The note pointer leads outside the crashed system's memory.
    mem.put(LC_VMCORE_INFO, &0x500_0000u64.to_be_bytes());
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&[], &RANGES)).unwrap();
    let outside = Error::OutsideMemory {
        paddr: 0x500_0000,
        len: 12,
    };
    assert_eq!(
        env.warnings,
        [
            "old os_info unusable (not available), dump without the kernel-text \
             PT_LOAD"
                .to_string(),
            std::format!("old VMCOREINFO note unusable ({outside}), dump without VMCOREINFO"),
            "no CPU registers were saved, dump without CPU notes".to_string(),
        ]
    );
    // The note's address was checked, not read.
    assert!(
        mem.reads().iter().all(|&(a, _)| a < 0x1000),
        "{:?}",
        mem.reads()
    );
    let found = built.trust.found;
    assert_eq!(
        found.os_info,
        Err(Reason::OsInfo(OsInfoError::NotAvailable))
    );
    assert_eq!(found.vmcoreinfo, VmcoreinfoSource::Absent);
    assert_eq!(
        found.left_out().collect::<Vec<_>>(),
        [
            (Omission::VMCOREINFO, Reason::Lowcore(outside)),
            (
                Omission::KERNEL_TEXT,
                Reason::OsInfo(OsInfoError::NotAvailable)
            ),
            (Omission::CPU_REGISTERS, Reason::NotSaved),
        ]
    );
    let text = report(&built.trust);
    assert!(text.contains("trust: os_info not present\n"), "{text}");
    assert!(text.contains("trust: VMCOREINFO none\n"), "{text}");
    assert!(
        text.contains("trust: left out: CPU registers (none saved)\n"),
        "{text}"
    );
}

#[test]
fn kernel_image_outside_memory_is_left_out() {
    let (mem, _) = os_info_page(PAGE, VMCOREINFO);
    // The image [0x10_0000, 0x210_0000) runs past the only range.
    let ranges = [range(0, 0x20_0000)];
    let cpus = [cpu(0), cpu(0x2000)];
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&cpus, &ranges)).unwrap();
    let outside = Error::OutsideMemory {
        paddr: 0x10_0000,
        len: 0x200_0000,
    };
    assert_eq!(
        env.warnings,
        [std::format!(
            "os_info kernel image unusable ({outside}), dump without the kernel-text PT_LOAD"
        )]
    );
    assert_eq!(
        built.trust.found.left_out().collect::<Vec<_>>(),
        [
            (Omission::KERNEL_TEXT, Reason::Image(outside)),
            // The boot CPU's registers could not be read.
            (Omission::BOOT_CPU_REGISTERS, Reason::Unreadable),
        ]
    );
    assert_eq!(built.trust.cpus, 1);
}

#[test]
fn no_kernel_layout_in_os_info() {
    let (mut mem, mut page) = os_info_page(PAGE, VMCOREINFO);
    // The KASLR offset entry 0: no kernel layout (C `os_info_has_vm()`).
    let o = 32 + 20 * crate::OS_INFO_KASLR_OFFSET;
    page[o..o + 8].fill(0);
    fix_csum(&mut page);
    mem.put(PAGE, &page);
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&[cpu(0x1000)], &RANGES)).unwrap();
    assert!(env.warnings.is_empty(), "{:?}", env.warnings);
    assert_eq!(
        built.trust.found.left_out().collect::<Vec<_>>(),
        [(Omission::KERNEL_TEXT, Reason::NoKernelLayout)]
    );
}

#[test]
fn an_entry_of_the_largest_size_is_used() {
    let max = vec![b'x'; crate::VMCOREINFO_MAX];
    let (mem, _) = os_info_page(PAGE, &max);
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&[cpu(0x1000)], &RANGES)).unwrap();
    assert!(env.warnings.is_empty(), "{:?}", env.warnings);
    assert_eq!(built.trust.found.vmcoreinfo, VmcoreinfoSource::OsInfo);
}

#[test]
fn too_big_an_entry_falls_back_to_the_note() {
    let big = vec![b'x'; crate::VMCOREINFO_MAX + 1];
    let (mut mem, _) = os_info_page(PAGE, &big);
    put_lowcore_note(&mut mem);
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&[cpu(0x1000)], &RANGES)).unwrap();
    assert_eq!(
        env.warnings,
        [std::format!(
            "os_info VMCOREINFO entry of {} bytes is too big",
            big.len()
        )]
    );
    assert_eq!(built.trust.found.vmcoreinfo, VmcoreinfoSource::Lowcore);
    assert_eq!(built.trust.found.left_out().count(), 0);
}

#[test]
fn each_allocation_failing_in_turn() {
    let (mem, _) = os_info_page(PAGE, VMCOREINFO);
    let cpus = [cpu(0x1000)];
    let want = build_dump(&mut Env::default(), &mem, &inputs(&cpus, &RANGES)).unwrap();
    // The os_info page: os_info unused, VMCOREINFO from the (absent)
    // lowcore note.
    let mut env = Env::failing(0);
    let built = build_dump(&mut env, &mem, &inputs(&cpus, &RANGES)).unwrap();
    assert_eq!(built.trust.found.os_info, Err(Reason::NoMemory));
    assert!(built.trust.found.short_of_memory());
    assert_eq!(
        env.warnings[0],
        "old os_info unusable (no memory), dump without the kernel-text PT_LOAD"
    );
    // The VMCOREINFO note's contents.
    let mut env = Env::failing(1);
    let built = build_dump(&mut env, &mem, &inputs(&cpus, &RANGES)).unwrap();
    assert_eq!(
        env.warnings,
        [std::format!(
            "no memory for a VMCOREINFO note of {} bytes, dump without it",
            VMCOREINFO.len()
        )]
    );
    assert_eq!(
        built.trust.found.left_out().collect::<Vec<_>>(),
        [(Omission::VMCOREINFO, Reason::NoMemory)]
    );
    assert!(built.trust.found.short_of_memory());
    assert!(built.header != want.header);
    // The header and the segment table: no dump.
    for n in [2, 3] {
        let mut env = Env::failing(n);
        let built = build_dump(&mut env, &mem, &inputs(&cpus, &RANGES));
        assert_eq!(built.err(), Some(Error::NoMemory), "allocation {n}");
        assert_eq!(env.allocations, n + 1);
    }
    // A fifth allocation is never asked for.
    let mut env = Env::failing(4);
    let built = build_dump(&mut env, &mem, &inputs(&cpus, &RANGES)).unwrap();
    assert_eq!(built.header, want.header);
    assert!(!built.trust.found.short_of_memory());
}

#[test]
fn ranges_that_cannot_describe_a_core_fail() {
    let (mem, _) = os_info_page(PAGE, VMCOREINFO);
    let inverted = [range(0x2000, 0x1000)];
    let mut env = Env::default();
    let built = build_dump(&mut env, &mem, &inputs(&[cpu(0x1000)], &inverted));
    // Nothing readable either: os_info's page lies outside the ranges.
    assert_eq!(built.err(), Some(Error::Invalid));
}
