//! `OsInfo::read` and everything derived from it, over a fuzzer-made old
//! memory. Checks: no panic, bounded reads, consistent results.
use super::{AssertInside, FakeMem, MemSpec};
use s390_vmcore::os_info::{OS_INFO_MAX, OS_INFO_SIZE, VMCOREINFO_MAX};
use s390_vmcore::{
    identity_base, layout, text_segment, DumpSpec, InRanges, OldMem, OsInfo, OsInfoError,
};

/// Buffer for `read_entry` in bytes: the largest VMCOREINFO `build_dump`
/// reads.
const BUF: usize = VMCOREINFO_MAX;

/// The target: decode `data` as libfuzzer-sys's typed `fuzz_target!`
/// would ([`super::decode`]) and check it; `false` if it is no input.
pub fn run(data: &[u8]) -> bool {
    let Some(spec) = super::decode::<MemSpec>(data) else {
        return false;
    };
    let mem = spec.build();
    check(&mem, &mem);
    // Again with every address checked against the memory ranges (here:
    // the fake's regions, minus one to also get holes): nothing outside
    // them may reach the memory.
    let ranges = mem.ranges_with_hole();
    let mem = spec.build();
    let inside = AssertInside {
        mem: &mem,
        ranges: &ranges,
    };
    check(&InRanges::new(&inside, &ranges), &mem);
    true
}

/// Everything derived from os_info over `m`; `mem` is the fake behind it
/// (for the read counters).
fn check(m: &dyn OldMem, mem: &FakeMem) {
    let mut page = [0u8; OS_INFO_SIZE];
    let os = match OsInfo::read(m, &mut page) {
        Ok(os) => os,
        Err(e) => {
            let _ = format!("{e}");
            // Failure is fine, but the work must stay bounded by one page.
            assert!(mem.bytes_read.get() <= 8 + OS_INFO_SIZE as u64);
            assert!(mem.calls.get() <= 2);
            assert!(identity_base(None) == 0 && text_segment(None).is_none());
            return;
        }
    };
    // One pointer + one page, in two reads, nothing more.
    assert_eq!(mem.bytes_read.get(), 8 + OS_INFO_SIZE as u64);
    assert_eq!(mem.calls.get(), 2);
    assert_eq!(os.hdr.magic, s390_vmcore::os_info::OS_INFO_MAGIC);
    assert_eq!(os.addr % 4096, 0);
    assert!(os.addr != 0);
    assert!(os.hdr.version_major <= 1);

    let mut buf = vec![0u8; BUF];
    for nr in 0..OS_INFO_MAX + 2 {
        let v = os.value(nr);
        let sz = os.entry_size(nr);
        if nr >= OS_INFO_MAX {
            assert_eq!((v, sz), (0, 0));
        }
        // A buffer of fuzzer-independent but varying length: full and small.
        for len in [BUF, 17, 0] {
            let before = mem.bytes_read.get();
            let r = os.read_entry(m, nr, &mut buf[..len]);
            let read = mem.bytes_read.get() - before;
            assert!(
                read <= len as u64,
                "read_entry read {read} bytes for a {len}-byte buffer"
            );
            match r {
                Ok(n) => {
                    assert!(n <= len);
                    assert_eq!(n as u64, sz);
                    assert!(v != 0);
                }
                Err(OsInfoError::BadIndex) => assert!(nr >= OS_INFO_MAX),
                Err(OsInfoError::TooBig) => assert!(sz > len as u64),
                Err(OsInfoError::NotAvailable) => assert_eq!(v, 0),
                Err(e) => {
                    let _ = format!("{e}");
                }
            }
        }
    }
    let has_vm = os.has_vm();
    let base = identity_base(Some(&os));
    assert_eq!(base, os.identity_base());
    if !has_vm {
        assert_eq!(base, 0);
    }
    let text = text_segment(Some(&os));
    assert_eq!(text, os.text_segment());
    if let Some(t) = text {
        assert!(has_vm);
        assert!(t.end >= t.start);
    }
    // What the glue does next: the image checked against the memory
    // ranges, then a header with what passed. Never lose the dump: where
    // the ranges alone lay out, a checked image does too.
    let ranges = mem.ranges();
    let checked = text.filter(|t| t.check(&ranges).is_ok());
    let spec = |text| DumpSpec {
        cpus: &[],
        has_vx: false,
        vmcoreinfo: None,
        text,
        identity_base: base,
        ranges: &ranges,
    };
    if let Ok(without) = layout(&spec(None)) {
        let l = layout(&spec(checked)).expect("a checked kernel image lays out");
        assert_eq!(
            l.nsegments,
            without.nsegments + usize::from(checked.is_some())
        );
        assert!(l.file_size >= l.header_len as u64);
    }
}
