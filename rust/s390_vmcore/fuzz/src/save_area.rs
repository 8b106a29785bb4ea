//! `SaveArea::from_regs` + `add_vxrs` on 1024 arbitrary bytes, then the
//! notes of that CPU: offsets checked against an independent reading.
use s390_vmcore::notes::{cpu_notes_size, notes_size, write_notes};
use s390_vmcore::SaveArea;

use super::{be32, be64};

/// The target: any bytes are an input (the first 1024 are used).
pub fn run(data: &[u8]) -> bool {
    let mut b = [0u8; 1024];
    let n = core::cmp::min(data.len(), 1024);
    b[..n].copy_from_slice(&data[..n]);
    let regs: &[u8; 512] = b[..512].try_into().unwrap();
    let vx: &[u8; 512] = b[512..].try_into().unwrap();

    let mut sa = SaveArea::from_regs(regs);
    for i in 0..16 {
        assert_eq!(sa.fprs[i], be64(regs, 8 * i));
        assert_eq!(sa.gprs[i], be64(regs, 0x80 + 8 * i));
        assert_eq!(sa.acrs[i], be32(regs, 0x140 + 4 * i));
        assert_eq!(sa.ctrs[i], be64(regs, 0x180 + 8 * i));
    }
    assert_eq!(sa.psw, [be64(regs, 0x100), be64(regs, 0x108)]);
    assert_eq!(sa.prefix, be32(regs, 0x118));
    assert_eq!(sa.fpc, be32(regs, 0x11c));
    assert_eq!(sa.todpreg, be32(regs, 0x124));
    assert_eq!(sa.timer, be64(regs, 0x128));
    assert_eq!(sa.todcmp, be64(regs, 0x130));
    assert_eq!(sa.vxrs_low, [0; 16]);
    assert_eq!(sa.vxrs_high, [[0; 2]; 16]);

    let before = sa;
    sa.add_vxrs(vx);
    for i in 0..16 {
        assert_eq!(sa.vxrs_low[i], be64(vx, 16 * i + 8));
        assert_eq!(
            sa.vxrs_high[i],
            [be64(vx, 256 + 16 * i), be64(vx, 256 + 16 * i + 8)]
        );
    }
    assert_eq!(
        SaveArea {
            vxrs_low: [0; 16],
            vxrs_high: [[0; 2]; 16],
            ..sa
        },
        before
    );

    // The notes of this CPU (and of a second copy), with and without vx.
    let cpus = [sa, sa];
    let vmci = data.get(..data.len().min(64));
    let mut out = [0u8; 2 * 1188 + 156 + 24 + 64 + 8];
    for has_vx in [false, true] {
        let want = notes_size(&cpus, has_vx, vmci).unwrap();
        let cpu_n = usize::from(sa.prefix != 0) * 2;
        assert_eq!(
            want,
            156 + cpu_n * cpu_notes_size(has_vx) + vmci.map_or(0, |v| 24 + ((v.len() + 3) & !3))
        );
        let got = write_notes(&cpus, has_vx, vmci, &mut out).unwrap();
        assert_eq!(got, want);
        if sa.prefix != 0 {
            // First CPU's NT_PRSTATUS descriptor follows prpsinfo + 20 bytes.
            let d = 156 + 20;
            assert_eq!(be32(&out, d + 32), 1);
            assert_eq!(be64(&out, d + 128 + 8 * 15), sa.gprs[15]);
        }
        assert!(write_notes(&cpus, has_vx, vmci, &mut out[..want - 1]).is_err());
    }
    true
}
