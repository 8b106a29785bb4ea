// SPDX-License-Identifier: GPL-2.0

//! Host tests of `notes.rs`: built only by `cargo test`, never in the kernel.

use super::*;
use crate::layout::tests::{be32, be64};
use std::vec;
use std::vec::Vec;

fn sample_sa(seed: u64) -> SaveArea {
    let mut sa = SaveArea {
        prefix: 0x1000 * (seed as u32 + 1),
        ..Default::default()
    };
    for i in 0..16 {
        let i64_ = i as u64;
        sa.gprs[i] = (seed << 32) | (0x100 + i64_);
        sa.fprs[i] = (seed << 32) | (0x200 + i64_);
        sa.ctrs[i] = (seed << 32) | (0x300 + i64_);
        sa.acrs[i] = 0x400 + i as u32;
        sa.vxrs_low[i] = 0x500 + i64_;
        sa.vxrs_high[i] = [0x600 + i64_, 0x700 + i64_];
    }
    sa.psw = [0x0704_c001_8000_0000, 0x1234];
    sa.fpc = 0xfc;
    sa.todpreg = 0xabcd;
    sa.timer = 0x1122_3344_5566_7788;
    sa.todcmp = 0x99aa_bbcc_ddee_ff00;
    sa
}

/// Parse notes independently: (name, type, desc offset, desc len).
fn parse(b: &[u8]) -> Vec<(Vec<u8>, u32, usize, usize)> {
    let mut out = Vec::new();
    let mut o = 0;
    while o < b.len() {
        let namesz = be32(b, o) as usize;
        let descsz = be32(b, o + 4) as usize;
        let ty = be32(b, o + 8);
        let name = b[o + 12..o + 12 + namesz].to_vec();
        let d = o + 12 + ((namesz + 3) & !3);
        out.push((name, ty, d, descsz));
        o = d + ((descsz + 3) & !3);
    }
    assert_eq!(o, b.len());
    out
}

#[test]
fn sizes() {
    assert_eq!(note_size(4, 336), Some(356));
    assert_eq!(note_size(10, 0), Some(24));
    assert_eq!(note_size(10, 5), Some(32));
    assert_eq!(note_size(3, 1), Some(12 + 4 + 4));
    assert_eq!(note_size(usize::MAX, 1), None);
    assert_eq!(cpu_notes_size(false), 764);
    assert_eq!(cpu_notes_size(true), 1188);
    assert_eq!(PRPSINFO_NOTE_SIZE, 156);
}

#[test]
fn prstatus_layout() {
    let sa = sample_sa(3);
    let p = prstatus(&sa, 7);
    let b = &p[..];
    assert_eq!(b.len(), 336);
    assert_eq!(be32(b, 32), 7);
    assert_eq!(be64(b, 112), 0x0704_c001_8000_0000);
    assert_eq!(be64(b, 120), 0x1234);
    for i in 0..16 {
        assert_eq!(be64(b, 128 + 8 * i), sa.gprs[i]);
        assert_eq!(be32(b, 256 + 4 * i), sa.acrs[i]);
    }
    // Everything else is zero.
    assert!(b[..32].iter().all(|&x| x == 0));
    assert!(b[36..112].iter().all(|&x| x == 0));
    assert!(b[320..].iter().all(|&x| x == 0));
}

#[test]
fn fpregset_and_prpsinfo_layout() {
    let sa = sample_sa(1);
    let f = fpregset(&sa);
    let b = &f[..];
    assert_eq!(b.len(), 136);
    assert_eq!(be32(b, 0), 0xfc);
    assert_eq!(be32(b, 4), 0);
    for i in 0..16 {
        assert_eq!(be64(b, 8 + 8 * i), sa.fprs[i]);
    }
    let p = prpsinfo();
    let b = &p[..];
    let mut want = [0u8; 136];
    want[1] = b'R';
    want[40..47].copy_from_slice(b"vmlinux");
    assert_eq!(b, &want[..]);
}

#[test]
fn notes_content_and_order() {
    let cpus = [sample_sa(0), SaveArea::default(), sample_sa(2)];
    let vmci = b"OSRELEASE=6.12\n"; // 15 bytes -> padded to 16
    for has_vx in [false, true] {
        let n = notes_size(&cpus, has_vx, Some(vmci)).unwrap();
        assert_eq!(n, 156 + 2 * cpu_notes_size(has_vx) + 12 + 12 + 16);
        let mut buf = vec![0xeeu8; n + 8];
        let w = write_notes(&cpus, has_vx, Some(vmci), &mut buf).unwrap();
        assert_eq!(w, n);
        assert!(buf[n..].iter().all(|&x| x == 0xee));
        let notes = parse(&buf[..n]);
        let mut want: Vec<(&[u8], u32, usize)> = vec![(b"CORE\0", 3, 136)];
        for _ in 0..2 {
            want.extend_from_slice(&[
                (b"CORE\0", 1, 336),
                (b"CORE\0", 2, 136),
                (b"LINUX\0", 0x301, 8),
                (b"LINUX\0", 0x302, 8),
                (b"LINUX\0", 0x303, 4),
                (b"LINUX\0", 0x304, 128),
                (b"LINUX\0", 0x305, 4),
            ]);
            if has_vx {
                want.extend_from_slice(&[(b"LINUX\0", 0x30a, 256), (b"LINUX\0", 0x309, 128)]);
            }
        }
        want.push((b"VMCOREINFO\0", 0, 15));
        assert_eq!(notes.len(), want.len());
        for (got, w) in notes.iter().zip(want.iter()) {
            assert_eq!((&got.0[..], got.1, got.3), (w.0, w.1, w.2));
        }
        // pr_pid is 1 and 2 (the prefix-0 CPU is skipped), registers match.
        let per = if has_vx { 9 } else { 7 };
        for (k, sa) in [(0usize, &cpus[0]), (1, &cpus[2])] {
            let base = 1 + k * per;
            let d = notes[base].2;
            assert_eq!(be32(&buf, d + 32), k as u32 + 1);
            assert_eq!(be64(&buf, d + 128 + 8), sa.gprs[1]);
            let d = notes[base + 2].2;
            assert_eq!(be64(&buf, d), sa.timer);
            assert_eq!(be64(&buf, notes[base + 3].2), sa.todcmp);
            assert_eq!(be32(&buf, notes[base + 4].2), sa.todpreg);
            assert_eq!(be64(&buf, notes[base + 5].2 + 8 * 15), sa.ctrs[15]);
            assert_eq!(be32(&buf, notes[base + 6].2), sa.prefix);
            if has_vx {
                let d = notes[base + 7].2;
                assert_eq!(be64(&buf, d + 16 * 3), sa.vxrs_high[3][0]);
                assert_eq!(be64(&buf, d + 16 * 3 + 8), sa.vxrs_high[3][1]);
                assert_eq!(be64(&buf, notes[base + 8].2 + 8 * 4), sa.vxrs_low[4]);
            }
        }
        let last = notes.last().unwrap();
        assert_eq!(&buf[last.2..last.2 + 15], vmci);
        assert_eq!(buf[last.2 + 15], 0); // padding
    }
}

#[test]
fn note_exact_bytes() {
    // A vmcoreinfo note written by hand: namesz 11, descsz 5, type 0.
    let mut buf = [0xffu8; 200];
    let n = write_notes(&[], false, Some(b"ABCDE"), &mut buf).unwrap();
    assert_eq!(n, 156 + 32);
    let v = &buf[156..n];
    let want: [u8; 32] = [
        0, 0, 0, 11, 0, 0, 0, 5, 0, 0, 0, 0, b'V', b'M', b'C', b'O', b'R', b'E', b'I', b'N', b'F',
        b'O', 0, 0, b'A', b'B', b'C', b'D', b'E', 0, 0, 0,
    ];
    assert_eq!(v, &want);
    // prpsinfo header: namesz 5, descsz 136, type 3, "CORE\0\0\0\0".
    assert_eq!(
        &buf[..20],
        &[0, 0, 0, 5, 0, 0, 0, 136, 0, 0, 0, 3, b'C', b'O', b'R', b'E', 0, 0, 0, 0]
    );
}

#[test]
fn buffer_too_small() {
    let cpus = [sample_sa(0)];
    let n = notes_size(&cpus, true, None).unwrap();
    let mut buf = vec![0u8; n - 1];
    assert_eq!(
        write_notes(&cpus, true, None, &mut buf),
        Err(Error::BufferTooSmall)
    );
}
