//! `vmcoreinfo_from_lowcore` over a fuzzer-made old memory.
use super::{AssertInside, MemSpec};
use s390_vmcore::os_info::LC_VMCORE_INFO;
use s390_vmcore::{vmcoreinfo_from_lowcore, Error, InRanges, OldMem, VMCOREINFO_MAX};

/// The target: decode `data` as libfuzzer-sys's typed `fuzz_target!`
/// would ([`super::decode`]) and check it; `false` if it is no input.
pub fn run(data: &[u8]) -> bool {
    let Some(spec) = super::decode::<MemSpec>(data) else {
        return false;
    };
    let mem = spec.build();
    let r = vmcoreinfo_from_lowcore(&mem);
    // Pointer (8) + note header (12) + name (10): nothing else is read.
    assert!(
        mem.bytes_read.get() <= 30,
        "read {} bytes",
        mem.bytes_read.get()
    );
    match r {
        Ok((desc, size)) => {
            assert!(size <= VMCOREINFO_MAX);
            let mut p = [0u8; 8];
            mem.read(LC_VMCORE_INFO, &mut p)
                .expect("pointer was readable");
            let addr = u64::from_be_bytes(p);
            assert_eq!(Some(desc), addr.checked_add(24));
            assert!(desc.checked_add(size as u64).is_some());
            let mut name = [0u8; 10];
            mem.read(addr + 12, &mut name).expect("name was readable");
            assert_eq!(&name, b"VMCOREINFO");
            // The glue then reads the descriptor into a bounded buffer.
            let mut buf = vec![0u8; size.min(4096)];
            let _ = mem.read(desc, &mut buf);
        }
        Err(Error::Read | Error::Invalid | Error::TooBig | Error::Overflow) => {}
        Err(e) => panic!("unexpected error {e:?}"),
    }

    // Through the range check (ranges: the fake's regions, minus one to
    // also get holes): what the glue does, descriptor read included.
    let ranges = mem.ranges_with_hole();
    let mem = spec.build();
    let inside = AssertInside {
        mem: &mem,
        ranges: &ranges,
    };
    let w = InRanges::new(&inside, &ranges);
    match vmcoreinfo_from_lowcore(&w) {
        Ok((desc, size)) => {
            assert!(size <= VMCOREINFO_MAX);
            let mut buf = vec![0u8; size];
            match w.read(desc, &mut buf) {
                Ok(()) | Err(Error::Read) => {}
                Err(Error::OutsideMemory { paddr, len }) => {
                    assert_eq!((paddr, len), (desc, size as u64));
                }
                Err(e) => panic!("unexpected error {e:?}"),
            }
        }
        Err(e @ (Error::Read | Error::Invalid | Error::TooBig | Error::Overflow)) => {
            let _ = format!("{e}");
        }
        Err(Error::OutsideMemory { paddr, len }) => {
            assert!(!s390_vmcore::contains(&ranges, paddr, len));
            assert!(len == 8 || len == 12 || len == 10, "len {len}");
        }
        Err(e) => panic!("unexpected error {e:?}"),
    }
    true
}
