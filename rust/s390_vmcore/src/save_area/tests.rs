// SPDX-License-Identifier: GPL-2.0

//! Host tests of `save_area.rs`: built only by `cargo test`, never in the kernel.

use super::*;

fn put64(b: &mut [u8; 512], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_be_bytes());
}
fn put32(b: &mut [u8; 512], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_be_bytes());
}

#[test]
fn from_regs_lowcore_offsets() {
    let mut b = [0u8; 512];
    for i in 0..16u64 {
        put64(&mut b, 8 * i as usize, 0xf000 + i);
        put64(&mut b, (0x1280 - 0x1200) + 8 * i as usize, 0x9000 + i);
        put32(
            &mut b,
            (0x1340 - 0x1200) + 4 * i as usize,
            0xa000 + i as u32,
        );
        put64(&mut b, (0x1380 - 0x1200) + 8 * i as usize, 0xc000 + i);
    }
    put64(&mut b, 0x100, 0x0704_0000_8000_0000);
    put64(&mut b, 0x108, 0x1234_5678);
    put32(&mut b, 0x118, 0x0002_0000);
    put32(&mut b, 0x11c, 0x0800_0000);
    put32(&mut b, 0x124, 0x5555);
    put64(&mut b, 0x128, 0x1111_2222_3333_4444);
    put64(&mut b, 0x130, 0x5555_6666_7777_8888);
    put64(&mut b, 0x138, 0xdead_beef); // last_break: not saved
    let sa = SaveArea::from_regs(&b);
    assert_eq!(sa.psw, [0x0704_0000_8000_0000, 0x1234_5678]);
    assert_eq!(sa.prefix, 0x20000);
    assert_eq!(sa.fpc, 0x0800_0000);
    assert_eq!(sa.todpreg, 0x5555);
    assert_eq!(sa.timer, 0x1111_2222_3333_4444);
    assert_eq!(sa.todcmp, 0x5555_6666_7777_8888);
    for i in 0..16 {
        assert_eq!(sa.fprs[i], 0xf000 + i as u64);
        assert_eq!(sa.gprs[i], 0x9000 + i as u64);
        assert_eq!(sa.acrs[i], 0xa000 + i as u32);
        assert_eq!(sa.ctrs[i], 0xc000 + i as u64);
    }
    assert_eq!(sa.vxrs_low, [0; 16]);
}

#[test]
fn add_vxrs_takes_low_halves_and_high_regs() {
    let mut b = [0u8; 512];
    for v in 0..32usize {
        put64(&mut b, 16 * v, 0x1000 + v as u64); // high doubleword
        put64(&mut b, 16 * v + 8, 0x2000 + v as u64); // low doubleword
    }
    let mut sa = SaveArea::default();
    sa.add_vxrs(&b);
    for i in 0..16 {
        assert_eq!(sa.vxrs_low[i], 0x2000 + i as u64);
        assert_eq!(
            sa.vxrs_high[i],
            [0x1000 + 16 + i as u64, 0x2000 + 16 + i as u64]
        );
    }
}
