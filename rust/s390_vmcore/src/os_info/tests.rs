// SPDX-License-Identifier: GPL-2.0

//! Host tests of `os_info.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use crate::ranges::PhysRange;
use crate::InRanges;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::format;
use std::vec;
use std::vec::Vec;

/// Sparse fake old memory: unknown bytes are unreadable. Records every
/// read request `(paddr, len)` it receives.
#[derive(Default)]
pub(crate) struct Fake(BTreeMap<u64, u8>, RefCell<Vec<(u64, usize)>>);
impl Fake {
    pub(crate) fn put(&mut self, a: u64, b: &[u8]) {
        for (i, x) in b.iter().enumerate() {
            self.0.insert(a + i as u64, *x);
        }
    }
    /// Adds the bytes of `other`.
    pub(crate) fn merge(&mut self, other: &Fake) {
        self.0.extend(other.0.iter());
    }
    pub(crate) fn reads(&self) -> Vec<(u64, usize)> {
        self.1.borrow().clone()
    }
    /// Whether any recorded read touched a byte of `[a, a + len)`.
    fn touched(&self, a: u64, len: u64) -> bool {
        self.1.borrow().iter().any(|&(p, n)| {
            let n = n as u64;
            n != 0 && p < a.saturating_add(len) && a < p.saturating_add(n)
        })
    }
}
impl OldMem for Fake {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), Error> {
        self.1.borrow_mut().push((paddr, buf.len()));
        for (i, b) in buf.iter_mut().enumerate() {
            *b = *self.0.get(&(paddr + i as u64)).ok_or(Error::Read)?;
        }
        Ok(())
    }
}

/// [`OsInfo::read`] with a fresh page buffer.
fn read_os(m: &dyn OldMem) -> Result<OsInfo, OsInfoError> {
    OsInfo::read(m, &mut [0u8; OS_INFO_SIZE])
}

pub(crate) const PAGE: u64 = 0x5000;
pub(crate) const DATA: u64 = 0x7003;

/// A valid os_info page with vmcoreinfo entry and values; returns
/// (memory, page bytes).
pub(crate) fn build(page_addr: u64, data: &[u8]) -> (Fake, Vec<u8>) {
    let mut m = Fake::default();
    m.put(LC_OS_INFO, &page_addr.to_be_bytes());
    let mut page = vec![0u8; 4096];
    page[0..8].copy_from_slice(&OS_INFO_MAGIC.to_be_bytes());
    page[12..14].copy_from_slice(&1u16.to_be_bytes());
    page[14..16].copy_from_slice(&1u16.to_be_bytes());
    let ent = |page: &mut Vec<u8>, nr: usize, a: u64, s: u64, c: u32| {
        let o = 32 + 20 * nr;
        page[o..o + 8].copy_from_slice(&a.to_be_bytes());
        page[o + 8..o + 16].copy_from_slice(&s.to_be_bytes());
        page[o + 16..o + 20].copy_from_slice(&c.to_be_bytes());
    };
    ent(&mut page, 0, DATA, data.len() as u64, cksm(data, 0));
    ent(&mut page, 4, 0x3ffe_0000_0000, 0, 0);
    ent(&mut page, 5, 0x1000_0000, 0, 0);
    ent(&mut page, 10, 0x3ffe_1000_0000, 0, 0);
    ent(&mut page, 11, 0x3ffe_1200_0000, 0, 0);
    ent(&mut page, 12, 0x10_0000, 0, 0);
    page[4000] = 0x77; // reserved area must be covered by the checksum
    fix_csum(&mut page);
    m.put(page_addr, &page);
    m.put(DATA, data);
    (m, page)
}

pub(crate) fn fix_csum(page: &mut [u8]) {
    let c = cksm(&page[12..], 0);
    page[8..12].copy_from_slice(&c.to_be_bytes());
}

#[test]
fn cksm_hand_values() {
    assert_eq!(cksm(&[], 0), 0);
    assert_eq!(cksm(&[0, 0, 0, 1, 0, 0, 0, 2], 0), 3);
    // Trailing bytes are padded on the right: 0x01020300.
    assert_eq!(cksm(&[1, 2, 3], 0), 0x0102_0300);
    assert_eq!(cksm(&[0, 0, 0, 1, 0xab], 0), 0xab00_0001);
    // End-around carry: 0xffffffff + 0x00000002 = 0x1_00000001 -> 0x00000002.
    assert_eq!(cksm(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2], 0), 2);
    // 0x80000000 + 0x80000000 = 0x1_00000000 -> 0x00000001.
    assert_eq!(cksm(&[0x80, 0, 0, 0, 0x80, 0, 0, 0], 0), 1);
    // 0xffffffff + 0xffffffff = 0x1_fffffffe -> 0xffffffff.
    assert_eq!(cksm(&[0xff; 8], 0), 0xffff_ffff);
    // Initial sum participates with carry.
    assert_eq!(cksm(&[0, 0, 0, 5], 0xffff_fffe), 4);
    // Chunking at multiples of 4 is equivalent.
    let d: Vec<u8> = (0..103u32).map(|i| (i * 37 + 11) as u8).collect();
    assert_eq!(cksm(&d[40..], cksm(&d[..40], 0)), cksm(&d, 0));
}

#[test]
fn valid_os_info() {
    let data = b"OSRELEASE=6.12.0\nPAGESIZE=4096\n";
    let (m, _) = build(PAGE, data);
    let os = read_os(&m).unwrap();
    assert_eq!(os.addr, PAGE);
    assert_eq!(os.value(OS_INFO_KASLR_OFFSET), 0x1000_0000);
    assert_eq!(os.value(99), 0);
    assert_eq!(os.entry_size(0), data.len() as u64);
    assert_eq!(os.entry_size(99), 0);
    assert!(os.has_vm());
    assert_eq!(os.identity_base(), 0x3ffe_0000_0000);
    assert_eq!(
        os.text_segment(),
        Some(TextSegment {
            start: 0x3ffe_1000_0000,
            end: 0x3ffe_1200_0000,
            phys: 0x10_0000
        })
    );
    let mut buf = [0u8; 64];
    assert_eq!(
        os.read_entry(&m, OS_INFO_VMCOREINFO, &mut buf),
        Ok(data.len())
    );
    assert_eq!(&buf[..data.len()], data);
    // Exactly-sized buffer is fine, one byte less is TooBig.
    let mut exact = vec![0u8; data.len()];
    assert_eq!(os.read_entry(&m, 0, &mut exact), Ok(data.len()));
    let mut small = vec![0u8; data.len() - 1];
    assert_eq!(os.read_entry(&m, 0, &mut small), Err(OsInfoError::TooBig));
    assert_eq!(
        os.read_entry(&m, 1, &mut buf),
        Err(OsInfoError::NotAvailable)
    );
    assert_eq!(os.read_entry(&m, 13, &mut buf), Err(OsInfoError::BadIndex));
    assert_eq!(identity_base(Some(&os)), 0x3ffe_0000_0000);
    assert_eq!(identity_base(None), 0);
    assert_eq!(text_segment(Some(&os)), os.text_segment());
    assert!(text_segment(Some(&os)).is_some());
    assert_eq!(text_segment(None), None);
}

#[test]
fn no_vm_means_no_text_and_zero_base() {
    let (mut m, mut page) = build(PAGE, b"x");
    page[32 + 20 * 5..32 + 20 * 5 + 8].fill(0);
    fix_csum(&mut page);
    m.put(PAGE, &page);
    let os = read_os(&m).unwrap();
    assert!(!os.has_vm());
    assert_eq!(os.identity_base(), 0);
    assert_eq!(os.text_segment(), None);
}

#[test]
fn inverted_text_is_dropped() {
    let (mut m, mut page) = build(PAGE, b"x");
    page[32 + 20 * 11..32 + 20 * 11 + 8].copy_from_slice(&1u64.to_be_bytes());
    fix_csum(&mut page);
    m.put(PAGE, &page);
    assert_eq!(read_os(&m).unwrap().text_segment(), None);
}

#[test]
fn empty_text_is_kept() {
    // end == start: an empty kernel-text PT_LOAD, as C writes it.
    let (mut m, mut page) = build(PAGE, b"x");
    let start = 0x3ffe_1000_0000u64.to_be_bytes();
    page[32 + 20 * 11..32 + 20 * 11 + 8].copy_from_slice(&start);
    fix_csum(&mut page);
    m.put(PAGE, &page);
    assert_eq!(
        read_os(&m).unwrap().text_segment(),
        Some(TextSegment {
            start: 0x3ffe_1000_0000,
            end: 0x3ffe_1000_0000,
            phys: 0x10_0000
        })
    );
}

#[test]
fn hostile_os_info() {
    let data = b"abc";
    // Pointer 0 / misaligned / unreadable lowcore.
    let (mut m, _) = build(PAGE, data);
    m.put(LC_OS_INFO, &0u64.to_be_bytes());
    assert_eq!(read_os(&m), Err(OsInfoError::NotAvailable));
    m.put(LC_OS_INFO, &(PAGE + 8).to_be_bytes());
    assert_eq!(read_os(&m), Err(OsInfoError::Misaligned));
    assert_eq!(read_os(&Fake::default()), Err(OsInfoError::Read));
    // Page at the top of the address space.
    m.put(LC_OS_INFO, &0xffff_ffff_ffff_f000u64.to_be_bytes());
    assert_eq!(
        read_os(&m),
        Err(OsInfoError::OutsideMemory {
            paddr: 0xffff_ffff_ffff_f000
        })
    );
    // Page partially unreadable (reserved area missing).
    let (mut m, page) = build(PAGE, data);
    m.put(LC_OS_INFO, &0x9000u64.to_be_bytes());
    m.put(0x9000, &page[..1000]);
    assert_eq!(read_os(&m), Err(OsInfoError::Read));
    // Bad magic.
    let (mut m, mut page) = build(PAGE, data);
    page[7] ^= 1;
    m.put(PAGE, &page);
    assert_eq!(read_os(&m), Err(OsInfoError::BadMagic));
    // Bad checksum: flip a reserved byte, and flip a header byte.
    for at in [4095usize, 20, 9] {
        let (mut m, mut page) = build(PAGE, data);
        page[at] ^= 0x10;
        m.put(PAGE, &page);
        assert_eq!(read_os(&m), Err(OsInfoError::BadChecksum), "byte {at}");
    }
    // Major version 2 (with valid checksum).
    let (mut m, mut page) = build(PAGE, data);
    page[12..14].copy_from_slice(&2u16.to_be_bytes());
    fix_csum(&mut page);
    m.put(PAGE, &page);
    assert_eq!(read_os(&m), Err(OsInfoError::BadVersion));
    // Minor version is irrelevant.
    let (mut m, mut page) = build(PAGE, data);
    page[14..16].copy_from_slice(&0xffffu16.to_be_bytes());
    fix_csum(&mut page);
    m.put(PAGE, &page);
    assert!(read_os(&m).is_ok());
}

#[test]
fn hostile_entries() {
    let data = b"vmcoreinfo data";
    // Huge entry size.
    let (mut m, mut page) = build(PAGE, data);
    page[40..48].copy_from_slice(&u64::MAX.to_be_bytes());
    fix_csum(&mut page);
    m.put(PAGE, &page);
    let os = read_os(&m).unwrap();
    let mut buf = vec![0u8; VMCOREINFO_MAX];
    assert_eq!(os.read_entry(&m, 0, &mut buf), Err(OsInfoError::TooBig));
    // Entry checksum mismatch (data changed after the checksum).
    let (mut m, _) = build(PAGE, data);
    m.put(DATA + 3, b"X");
    let os = read_os(&m).unwrap();
    assert_eq!(
        os.read_entry(&m, 0, &mut buf),
        Err(OsInfoError::EntryChecksum)
    );
    // Entry data unreadable.
    let (mut m, _) = build(PAGE, data);
    m.0.remove(&(DATA + 5));
    let os = read_os(&m).unwrap();
    assert_eq!(os.read_entry(&m, 0, &mut buf), Err(OsInfoError::Read));
    // Entry at the end of the address space.
    let (mut m, mut page) = build(PAGE, data);
    page[32..40].copy_from_slice(&(u64::MAX - 2).to_be_bytes());
    fix_csum(&mut page);
    m.put(PAGE, &page);
    let os = read_os(&m).unwrap();
    assert_eq!(
        os.read_entry(&m, 0, &mut buf),
        Err(OsInfoError::OutsideMemory {
            paddr: u64::MAX - 2
        })
    );
}

pub(crate) fn lowcore_note(name: &[u8], descsz: u32, addr: u64) -> Fake {
    let mut m = Fake::default();
    m.put(LC_VMCORE_INFO, &addr.to_be_bytes());
    let mut n = Vec::new();
    n.extend_from_slice(&11u32.to_be_bytes());
    n.extend_from_slice(&descsz.to_be_bytes());
    n.extend_from_slice(&0u32.to_be_bytes());
    n.extend_from_slice(name);
    m.put(addr, &n);
    m
}

#[test]
fn vmcoreinfo_fallback() {
    let m = lowcore_note(b"VMCOREINFO\0\0", 1234, 0x8000);
    assert_eq!(vmcoreinfo_from_lowcore(&m), Ok((0x8000 + 24, 1234)));
    let m = lowcore_note(b"VMCOREINFO\0\0", VMCOREINFO_MAX as u32, 0x8000);
    assert_eq!(
        vmcoreinfo_from_lowcore(&m),
        Ok((0x8000 + 24, VMCOREINFO_MAX))
    );
    let m = lowcore_note(b"VMCOREINFO\0\0", VMCOREINFO_MAX as u32 + 1, 0x8000);
    assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::TooBig));
    let m = lowcore_note(b"VMCOREINFO\0\0", u32::MAX, 0x8000);
    assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::TooBig));
    let m = lowcore_note(b"VMCOREINFX\0\0", 10, 0x8000);
    assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::Invalid));
    let m = lowcore_note(b"CORE\0\0\0\0\0\0\0\0", 10, 0x8000);
    assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::Invalid));
    assert_eq!(vmcoreinfo_from_lowcore(&Fake::default()), Err(Error::Read));
    // Note header at the end of the address space.
    let mut m = Fake::default();
    m.put(LC_VMCORE_INFO, &(u64::MAX - 11).to_be_bytes());
    m.put(u64::MAX - 11, &[0u8; 11]);
    assert_eq!(vmcoreinfo_from_lowcore(&m), Err(Error::Read));
}

fn rg(start: u64, end: u64) -> PhysRange {
    PhysRange { start, end }
}

#[test]
fn os_info_read_is_one_page_read() {
    let (m, page) = build(PAGE, b"data");
    let mut buf = [0u8; OS_INFO_SIZE];
    let os = OsInfo::read(&m, &mut buf).unwrap();
    // The lowcore pointer and one whole page, nothing else.
    assert_eq!(m.reads(), vec![(LC_OS_INFO, 8), (PAGE, OS_INFO_SIZE)]);
    assert_eq!(&buf[..], &page[..]);
    assert_eq!(&os.hdr.to_bytes()[..], &page[..OS_INFO_HEADER_SIZE]);
    // Also through the range check, and also when validation fails.
    let ranges = [rg(0, 0x10000)];
    let (mut m, mut page) = build(PAGE, b"data");
    page[100] ^= 1;
    m.put(PAGE, &page);
    let w = InRanges::new(&m, &ranges);
    assert_eq!(read_os(&w), Err(OsInfoError::BadChecksum));
    assert_eq!(m.reads(), vec![(LC_OS_INFO, 8), (PAGE, OS_INFO_SIZE)]);
}

#[test]
fn os_info_pointer_outside_memory() {
    // Two ranges with a hole [0x10000, 0x20000) between them.
    let ranges = [rg(0, 0x10000), rg(0x20000, 0x30000)];
    for page in [0x18000u64, 0x10000, 0x1f000, 0x30000, 0x1_0000_0000] {
        let (m, _) = build(page, b"data");
        // The page is there; only the range check rejects it.
        assert!(read_os(&m).is_ok());
        let m = build(page, b"data").0;
        let w = InRanges::new(&m, &ranges);
        assert_eq!(
            read_os(&w),
            Err(OsInfoError::OutsideMemory { paddr: page }),
            "{page:#x}"
        );
        assert!(!m.touched(page, OS_INFO_SIZE as u64), "{page:#x}");
        assert_eq!(m.reads(), vec![(LC_OS_INFO, 8)]);
    }
    // Pages ending exactly at a range end are fine.
    for page in [0xf000u64, 0x2f000] {
        let (m, _) = build(page, b"data");
        let w = InRanges::new(&m, &ranges);
        assert_eq!(read_os(&w).map(|o| o.addr), Ok(page));
    }
    // A range ending inside the page: the page is rejected.
    let ranges = [rg(0, 0x10000), rg(0x20000, 0x20fff)];
    let (m, _) = build(0x20000, b"data");
    let w = InRanges::new(&m, &ranges);
    assert_eq!(
        read_os(&w),
        Err(OsInfoError::OutsideMemory { paddr: 0x20000 })
    );
    assert!(!m.touched(0x20000, OS_INFO_SIZE as u64));
    // A page spanning two adjacent ranges is rejected too.
    let ranges = [rg(0, 0x20800), rg(0x20800, 0x30000)];
    let (m, _) = build(0x20000, b"data");
    let w = InRanges::new(&m, &ranges);
    assert_eq!(
        read_os(&w),
        Err(OsInfoError::OutsideMemory { paddr: 0x20000 })
    );
    // The lowcore itself outside memory: nothing is read at all.
    let ranges = [rg(0x1000, 0x10000)];
    let (m, _) = build(PAGE, b"data");
    let w = InRanges::new(&m, &ranges);
    assert_eq!(
        read_os(&w),
        Err(OsInfoError::OutsideMemory { paddr: LC_OS_INFO })
    );
    assert_eq!(m.reads(), vec![]);
}

#[test]
fn os_info_entry_outside_memory() {
    let data = b"OSRELEASE=6.12.0\n";
    let len = data.len() as u64;
    let mut buf = [0u8; 64];
    // DATA in a hole, and DATA at the very end of the last range.
    for ranges in [
        [rg(0, 0x7000), rg(0x8000, 0x9000)],
        [rg(0x8000, 0x9000), rg(0, DATA)],
    ] {
        let (m, _) = build(PAGE, data);
        let w = InRanges::new(&m, &ranges);
        let os = read_os(&w).unwrap();
        assert_eq!(
            os.read_entry(&w, OS_INFO_VMCOREINFO, &mut buf),
            Err(OsInfoError::OutsideMemory { paddr: DATA })
        );
        assert!(!m.touched(DATA, len));
        // Without the range check it would have been read fine.
        assert_eq!(
            os.read_entry(&m, OS_INFO_VMCOREINFO, &mut buf),
            Ok(data.len())
        );
    }
    // Ending exactly at the range end: accepted; one byte more: rejected.
    let ok = [rg(0, DATA + len)];
    let short = [rg(0, DATA + len - 1)];
    let (m, _) = build(PAGE, data);
    let os = read_os(&m).unwrap();
    let w = InRanges::new(&m, &ok);
    assert_eq!(os.read_entry(&w, 0, &mut buf), Ok(data.len()));
    assert_eq!(&buf[..data.len()], data);
    let (m, _) = build(PAGE, data);
    let w = InRanges::new(&m, &short);
    assert_eq!(
        os.read_entry(&w, 0, &mut buf),
        Err(OsInfoError::OutsideMemory { paddr: DATA })
    );
    assert!(!m.touched(DATA, len));
    // Spanning two adjacent ranges: rejected.
    let split = [rg(0, DATA + 4), rg(DATA + 4, 0x10000)];
    let w = InRanges::new(&m, &split);
    assert_eq!(
        os.read_entry(&w, 0, &mut buf),
        Err(OsInfoError::OutsideMemory { paddr: DATA })
    );
    assert!(!m.touched(DATA, len));
}

#[test]
fn lowcore_vmcoreinfo_outside_memory() {
    const NOTE: u64 = 0x8000;
    const DESC: u64 = NOTE + 24;
    let note = |descsz: u32| {
        let mut m = lowcore_note(b"VMCOREINFO\0\0", descsz, NOTE);
        m.put(DESC, &vec![b'x'; descsz as usize]);
        m
    };
    // Pointer into a hole, and one past the end of the last range.
    for ranges in [
        [rg(0, 0x1000), rg(0x9000, 0x10000)],
        [rg(0x1000, NOTE), rg(0, 0x1000)],
    ] {
        let m = note(100);
        let w = InRanges::new(&m, &ranges);
        assert_eq!(
            vmcoreinfo_from_lowcore(&w),
            Err(Error::OutsideMemory {
                paddr: NOTE,
                len: NHDR_SIZE as u64
            })
        );
        assert!(!m.touched(NOTE, 24 + 100));
        assert_eq!(vmcoreinfo_from_lowcore(&m), Ok((DESC, 100)));
    }
    // Note header in range, name running past the range end.
    let m = note(100);
    let ranges = [rg(0, NOTE + 20)];
    let w = InRanges::new(&m, &ranges);
    assert_eq!(
        vmcoreinfo_from_lowcore(&w),
        Err(Error::OutsideMemory {
            paddr: NOTE + 12,
            len: 10
        })
    );
    assert!(!m.touched(NOTE + 12, 10));
    // Note in range, descriptor extending one byte past the range end:
    // found, but reading it through the same wrapper is rejected.
    let m = note(1234);
    let ranges = [rg(0, DESC + 1233)];
    let w = InRanges::new(&m, &ranges);
    let (desc, size) = vmcoreinfo_from_lowcore(&w).unwrap();
    assert_eq!((desc, size), (DESC, 1234));
    let mut buf = vec![0u8; size];
    assert_eq!(
        w.read(desc, &mut buf),
        Err(Error::OutsideMemory {
            paddr: DESC,
            len: 1234
        })
    );
    assert!(!m.touched(DESC, 1234));
    // Descriptor ending exactly at the range end: read.
    let ranges = [rg(0, DESC + 1234)];
    let w = InRanges::new(&m, &ranges);
    assert_eq!(w.read(desc, &mut buf), Ok(()));
    assert_eq!(buf, vec![b'x'; 1234]);
}

#[test]
fn error_messages() {
    assert_eq!(
        format!("{}", OsInfoError::OutsideMemory { paddr: 0x7fff_0000 }),
        "0x7fff0000 is outside the crashed system's memory"
    );
    assert_eq!(format!("{}", OsInfoError::Read), "copy failed");
    assert_eq!(format!("{}", OsInfoError::BadChecksum), "checksum failed");
    assert_eq!(
        format!(
            "{}",
            Error::OutsideMemory {
                paddr: 0x7fff_0000,
                len: 4096
            }
        ),
        "0x7fff0000 (4096 bytes) is outside the crashed system's memory"
    );
    assert_eq!(format!("{}", Error::Read), "old memory read failed");
    assert_eq!(
        OsInfoError::from(Error::OutsideMemory { paddr: 5, len: 1 }),
        OsInfoError::OutsideMemory { paddr: 5 }
    );
    for e in [Error::Read, Error::Invalid, Error::TooBig, Error::Overflow] {
        assert_eq!(OsInfoError::from(e), OsInfoError::Read);
    }
    for e in [Error::Internal, Error::BufferTooSmall] {
        assert_eq!(OsInfoError::from(e), OsInfoError::Internal);
    }
    assert_eq!(
        format!("{}", OsInfoError::Internal),
        "internal error (a bug)"
    );
}
