// SPDX-License-Identifier: GPL-2.0

//! Host tests of `report.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use proptest::prelude::*;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

const MIB: u64 = 1 << 20;

fn seg(paddr: u64, size: u64) -> Segment {
    Segment {
        offset: 0,
        size,
        paddr,
    }
}

fn sb(hsa: u64, swap: u64, real: u64) -> SourceBytes {
    SourceBytes { hsa, swap, real }
}

#[test]
fn hsa_mode() {
    let m = OldMemMode::Hsa { hsa_size: 32 * MIB };
    // One range straddling hsa_size, one above, an empty one, and a
    // kernel-text segment inside the HSA part.
    let segs = [
        seg(0, 100 * MIB),
        seg(200 * MIB, 56 * MIB),
        seg(300 * MIB, 0),
        seg(MIB, 2 * MIB),
    ];
    assert_eq!(source_bytes(m, &segs), sb(34 * MIB, 0, 124 * MIB));
    assert_eq!(source_bytes(m, &[seg(31 * MIB, 2 * MIB)]), sb(MIB, 0, MIB));
    assert_eq!(source_bytes(m, &[]), sb(0, 0, 0));
    assert_eq!(
        source_bytes(OldMemMode::Hsa { hsa_size: 0 }, &segs),
        sb(0, 0, 158 * MIB)
    );
    assert_eq!(source_bytes(OldMemMode::Real, &segs), sb(0, 0, 158 * MIB));
}

#[test]
fn kdump_mode() {
    // Dump kernel in [0, 128M), old low memory saved at [256M, 384M).
    let m = OldMemMode::Kdump {
        start: 256 * MIB,
        size: 128 * MIB,
    };
    // The ranges exclude the crashkernel area: [0, 256M), [384M, 1G).
    let segs = [seg(0, 256 * MIB), seg(384 * MIB, 640 * MIB)];
    assert_eq!(source_bytes(m, &segs), sb(0, 128 * MIB, 768 * MIB));
    // Exactly the swapped low memory, and a text segment inside it.
    assert_eq!(
        source_bytes(m, &[seg(0, 128 * MIB), seg(MIB, 3 * MIB)]),
        sb(0, 131 * MIB, 0)
    );
    // Only above the low memory.
    assert_eq!(
        source_bytes(m, &[seg(128 * MIB, 128 * MIB), seg(2048 * MIB, MIB)]),
        sb(0, 0, 129 * MIB)
    );
    // The crashkernel area itself (never a segment) would be swapped too.
    assert_eq!(
        source_bytes(m, &[seg(255 * MIB, 130 * MIB)]),
        sb(0, 128 * MIB, 2 * MIB)
    );
}

#[test]
fn hsa_kdump_mode() {
    let m = OldMemMode::HsaKdump {
        hsa_size: 32 * MIB,
        start: 256 * MIB,
        size: 128 * MIB,
    };
    let segs = [seg(0, 256 * MIB), seg(384 * MIB, 640 * MIB)];
    assert_eq!(source_bytes(m, &segs), sb(32 * MIB, 96 * MIB, 768 * MIB));
    // A test HSA larger than the swapped area.
    let m = OldMemMode::HsaKdump {
        hsa_size: 200 * MIB,
        start: 256 * MIB,
        size: 128 * MIB,
    };
    assert_eq!(source_bytes(m, &segs), sb(200 * MIB, 0, 696 * MIB));
}

#[test]
fn extreme_segments_do_not_panic() {
    let modes = [
        OldMemMode::Real,
        OldMemMode::Hsa { hsa_size: u64::MAX },
        OldMemMode::Kdump {
            start: u64::MAX - 5,
            size: 100,
        },
        OldMemMode::HsaKdump {
            hsa_size: 3,
            start: u64::MAX,
            size: u64::MAX,
        },
    ];
    for m in modes {
        let one = source_bytes(m, &[seg(u64::MAX - 10, u64::MAX)]);
        assert_eq!(one.total(), Some(u64::MAX));
        // Saturates instead of overflowing.
        let many = source_bytes(m, &[seg(0, u64::MAX), seg(0, u64::MAX)]);
        assert!(many.hsa == u64::MAX || many.swap == u64::MAX || many.real == u64::MAX);
        assert!(!matches!(many.total(), Some(t) if t < u64::MAX));
    }
}

#[test]
fn a_broken_mapping_is_counted_not_looped_on() {
    let segs = [seg(0x1000, 10 * MIB)];
    let calls = core::cell::Cell::new(0u32);
    // Counts the calls, and fails instead of hanging when looped on.
    let call = || {
        calls.set(calls.get() + 1);
        assert!(calls.get() <= 100, "looping");
    };
    // A mapping that never advances: the whole segment at once.
    let zero = |paddr, _| {
        call();
        (Source::Real { paddr }, 0)
    };
    assert_eq!(count_sources(zero, &segs), sb(0, 0, 10 * MIB));
    assert_eq!(calls.replace(0), 1);
    // One that claims more than asked: only the segment is counted.
    let more = |_, len: u64| {
        call();
        (Source::Hsa { offset: 0 }, len + 1)
    };
    assert_eq!(count_sources(more, &segs), sb(10 * MIB, 0, 0));
    assert_eq!(calls.replace(0), 1);
    // A well-behaved one, 1 MiB pieces read elsewhere: exactly the
    // segment, in ten pieces.
    let mib = |paddr: u64, len: u64| {
        call();
        (Source::Real { paddr: paddr + 1 }, len.min(MIB))
    };
    assert_eq!(count_sources(mib, &segs), sb(0, 10 * MIB, 0));
    assert_eq!(calls.replace(0), 10);
}

/// `map_oldmem`'s modes, and the same with addresses anywhere.
fn arb_mode() -> impl Strategy<Value = OldMemMode> {
    prop_oneof![
        crate::oldmem::tests::arb_mode(),
        any::<u64>().prop_map(|h| OldMemMode::Hsa { hsa_size: h }),
        (any::<u64>(), any::<u64>()).prop_map(|(start, size)| OldMemMode::Kdump { start, size }),
    ]
}

/// Byte-wise reference for small inputs.
fn classify_bytewise(mode: OldMemMode, segs: &[Segment]) -> SourceBytes {
    let mut b = SourceBytes::default();
    for s in segs {
        for a in s.paddr..s.paddr + s.size {
            match map_oldmem(mode, a, 1).0 {
                Source::Hsa { .. } => b.hsa += 1,
                Source::Real { paddr } if paddr != a => b.swap += 1,
                Source::Real { .. } => b.real += 1,
            }
        }
    }
    b
}

proptest! {
    #[test]
    fn sum_of_sources_is_sum_of_segments(
        mode in arb_mode(),
        raw in proptest::collection::vec((any::<u64>(), 0u64..1 << 40), 0..10),
    ) {
        let segs: Vec<Segment> = raw.iter().map(|&(p, s)| seg(p, s)).collect();
        let b = source_bytes(mode, &segs);
        let total: u64 = segs.iter().map(|s| s.size).sum();
        prop_assert_eq!(b.total(), Some(total));
    }

    #[test]
    fn one_huge_segment(mode in arb_mode(), paddr in any::<u64>(), size in any::<u64>()) {
        prop_assert_eq!(source_bytes(mode, &[seg(paddr, size)]).total(), Some(size));
    }

    #[test]
    fn matches_bytewise(
        mode in arb_mode().prop_filter("small", |m| match *m {
            OldMemMode::Hsa { hsa_size } => hsa_size < 0x10000,
            OldMemMode::Kdump { start, size } => start < 0x10000 && size < 0x10000,
            _ => true,
        }),
        raw in proptest::collection::vec((0u64..0x20000, 0u64..0x2000), 0..6),
    ) {
        let segs: Vec<Segment> = raw.iter().map(|&(p, s)| seg(p, s)).collect();
        prop_assert_eq!(source_bytes(mode, &segs), classify_bytewise(mode, &segs));
    }
}

fn report<'a>(os_info: OsInfoStatus<'a>, left_out: &'a [Omission<'a>]) -> TrustReport<'a> {
    TrustReport {
        bytes: sb(107102208, 0, 973078528),
        os_info,
        vmcoreinfo: VmcoreinfoSource::Lowcore,
        cpus: 2,
        vector_registers: true,
        left_out,
    }
}

#[test]
fn display_with_omissions() {
    let why = "checksum failed";
    let left = [
        Omission::new(&Omission::KERNEL_TEXT, &"os_info unusable"),
        Omission::new(&Omission::VECTOR_REGISTERS, &"no vector facility"),
    ];
    let r = report(OsInfoStatus::Unusable(&why), &left);
    assert_eq!(
        format!("{r}"),
        "trust: served from HSA 107102208 bytes, kdump swap area 0 bytes, \
         real memory 973078528 bytes\n\
         trust: os_info unusable (checksum failed)\n\
         trust: VMCOREINFO from the lowcore note\n\
         trust: 2 CPUs saved, with vector registers\n\
         trust: left out: kernel-text PT_LOAD (os_info unusable)\n\
         trust: left out: vector registers (no vector facility)\n"
    );
    let mut buf = [0u8; 1024];
    let n = r.write_to(&mut buf).unwrap();
    assert_eq!(buf[..n], *format!("{r}").as_bytes());
}

#[test]
fn display_clean() {
    let r = TrustReport {
        bytes: sb(0, 134217728, 1073741824),
        os_info: OsInfoStatus::Valid,
        vmcoreinfo: VmcoreinfoSource::OsInfo,
        cpus: 1,
        vector_registers: false,
        left_out: &[],
    };
    assert_eq!(
        format!("{r}"),
        "trust: served from HSA 0 bytes, kdump swap area 134217728 bytes, \
         real memory 1073741824 bytes\n\
         trust: os_info checksum valid\n\
         trust: VMCOREINFO from os_info\n\
         trust: 1 CPU saved, without vector registers\n\
         trust: nothing left out\n"
    );
    let r = TrustReport {
        os_info: OsInfoStatus::Missing,
        vmcoreinfo: VmcoreinfoSource::Absent,
        cpus: 0,
        ..r
    };
    let s = format!("{r}");
    assert!(
        s.contains("\ntrust: os_info not present\ntrust: VMCOREINFO none\ntrust: 0 CPUs saved,")
    );
}

#[test]
fn every_line_stands_alone() {
    let nasty = "a\nb\r\u{7f}c";
    let left = [Omission::new(&"x\ny", &nasty)];
    let r = report(OsInfoStatus::Unusable(&nasty), &left);
    let s = format!("{r}");
    assert!(s.contains("trust: os_info unusable (a b  c)\n"));
    assert!(s.contains("trust: left out: x y (a b  c)\n"));
    assert!(s.ends_with('\n'));
    for line in s.lines() {
        assert!(line.starts_with("trust: "), "{line:?}");
    }
    assert_eq!(s.lines().count(), 5);
}

#[test]
fn write_to_small_buffers() {
    let left = [Omission::new(
        &Omission::VMCOREINFO,
        &"lowcore note unusable",
    )];
    let r = report(OsInfoStatus::Valid, &left);
    let full = format!("{r}");
    let mut buf = vec![0u8; full.len()];
    assert_eq!(r.write_to(&mut buf), Ok(full.len()));
    assert_eq!(buf, full.as_bytes());
    for len in 0..full.len() {
        let mut buf = vec![0u8; len];
        assert_eq!(r.write_to(&mut buf), Err(Error::BufferTooSmall));
    }
}

struct Failing;
impl Display for Failing {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Err(fmt::Error)
    }
}

#[test]
fn failing_reason_is_a_bug() {
    let r = report(OsInfoStatus::Unusable(&Failing), &[]);
    assert_eq!(r.write_to(&mut [0u8; 1024]), Err(Error::Internal));
}

#[test]
fn bound_is_tight() {
    let text = String::from_utf8(vec![b'x'; TRUST_TEXT_MAX]).unwrap();
    let left = [Omission::new(&text, &text); TRUST_OMISSIONS_MAX];
    let worst = TrustReport {
        bytes: sb(u64::MAX, u64::MAX, u64::MAX),
        os_info: OsInfoStatus::Unusable(&text),
        vmcoreinfo: VmcoreinfoSource::Lowcore,
        cpus: usize::MAX,
        vector_registers: false,
        left_out: &left,
    };
    assert_eq!(format!("{worst}").len(), TRUST_REPORT_MAX);
    let mut buf = [0u8; TRUST_REPORT_MAX];
    assert_eq!(worst.write_to(&mut buf), Ok(TRUST_REPORT_MAX));
    assert_eq!(
        worst.write_to(&mut buf[..TRUST_REPORT_MAX - 1]),
        Err(Error::BufferTooSmall)
    );
    // Shorter variants stay within the bound.
    for n in 0..=TRUST_OMISSIONS_MAX {
        let r = TrustReport {
            os_info: OsInfoStatus::Missing,
            vmcoreinfo: VmcoreinfoSource::OsInfo,
            cpus: 1,
            left_out: &left[..n],
            ..worst
        };
        assert!(r.write_to(&mut buf).is_ok());
    }
}

#[test]
fn debug_shows_texts() {
    let left = [Omission::new(&"a", &"b")];
    let r = report(OsInfoStatus::Unusable(&"c"), &left);
    let d = format!("{r:?}");
    assert!(d.contains("Unusable(\"c\")"));
    assert!(d.contains("Omission { what: \"a\", why: \"b\" }"));
}

#[test]
fn left_out_line_names_what_the_report_names() {
    assert_eq!(format!("{}", LeftOut(&[])), "nothing left out");
    let bad = "size\nover limit";
    let left_out = [
        Omission::new(&Omission::KERNEL_TEXT, &"os_info has no kernel layout"),
        Omission::new(&Omission::VMCOREINFO, &bad),
    ];
    assert_eq!(
        format!("{}", LeftOut(&left_out[..1])),
        "1 part left out: kernel-text PT_LOAD (os_info has no kernel layout)"
    );
    let line = format!("{}", LeftOut(&left_out));
    assert_eq!(
        line,
        "2 parts left out: kernel-text PT_LOAD (os_info has no kernel layout); \
         VMCOREINFO note (size over limit)"
    );
    // Each omission as the report's own line gives it.
    let report = TrustReport {
        bytes: sb(0, 0, 0),
        os_info: OsInfoStatus::Valid,
        vmcoreinfo: VmcoreinfoSource::Absent,
        cpus: 1,
        vector_registers: false,
        left_out: &left_out,
    };
    let text = format!("{report}");
    let from_report: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("trust: left out: "))
        .collect();
    assert_eq!(from_report.len(), 2);
    for entry in from_report {
        assert!(line.contains(entry), "{entry:?} not in {line:?}");
    }
}
