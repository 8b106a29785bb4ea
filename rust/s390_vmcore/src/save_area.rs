// SPDX-License-Identifier: GPL-2.0

//! CPU register state of the crashed system (C `struct save_area`,
//! `arch/s390/kernel/crash_dump.c`).

use crate::be::BeFields;

/// Byte offsets in the 512-byte register status block: lowcore
/// `0x1200..0x1400` (`arch/s390/include/asm/lowcore.h`, `struct lowcore`),
/// which is also what SIGP store status at address stores at its address
/// (Principles of Operation, "Store Status"). Big-endian; offsets relative
/// to 0x1200, named after the lowcore fields.
mod regs_off {
    /// 0x000 `floating_pt_save_area`: FPR 0-15.
    pub(super) const FPRS: usize = 0x000;
    /// 0x080 `gpregs_save_area`: GPR 0-15.
    pub(super) const GPRS: usize = 0x080;
    /// 0x100 `psw_save_area`: PSW mask and address.
    pub(super) const PSW: usize = 0x100;
    /// 0x118 `prefixreg_save_area`.
    pub(super) const PREFIX: usize = 0x118;
    /// 0x11c `fpt_creg_save_area`.
    pub(super) const FPC: usize = 0x11c;
    /// 0x124 `tod_progreg_save_area`.
    pub(super) const TODPREG: usize = 0x124;
    /// 0x128 `cpu_timer_save_area`.
    pub(super) const TIMER: usize = 0x128;
    /// 0x130 `clock_comp_save_area`.
    pub(super) const TODCMP: usize = 0x130;
    /// 0x140 `access_regs_save_area`: AR 0-15.
    pub(super) const ACRS: usize = 0x140;
    /// 0x180 `cregs_save_area`: CR 0-15.
    pub(super) const CTRS: usize = 0x180;
}
// The control registers are the last field of the block.
const _: () = assert!(regs_off::CTRS + 16 * 8 == SaveArea::REGS_LEN);

/// CPU register state of one CPU of the crashed system: the same fields as
/// C `struct save_area` (`arch/s390/kernel/crash_dump.c`), held as numeric
/// values (host order); they are written big-endian into the ELF notes.
///
/// A CPU whose `prefix` is 0 is treated as "no state" and gets no notes
/// (C `get_cpu_cnt()` / `notes_init()`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SaveArea {
    /// PSW: `[mask, address]`.
    pub psw: [u64; 2],
    /// Control registers 0-15.
    pub ctrs: [u64; 16],
    /// General purpose registers 0-15.
    pub gprs: [u64; 16],
    /// Access registers 0-15.
    pub acrs: [u32; 16],
    /// Floating point registers 0-15 (raw 64-bit contents).
    pub fprs: [u64; 16],
    /// Floating point control register.
    pub fpc: u32,
    /// Prefix register (physical address of the CPU's lowcore; 0 = no state).
    pub prefix: u32,
    /// TOD programmable register.
    pub todpreg: u32,
    /// CPU timer.
    pub timer: u64,
    /// Clock comparator.
    pub todcmp: u64,
    /// Second (low-order) doubleword of vector registers 0-15
    /// (`__vector128.low`; the first doubleword is FPR 0-15).
    pub vxrs_low: [u64; 16],
    /// Vector registers 16-31 as `[first doubleword, second doubleword]`
    /// (`__vector128 { high, low }`, `arch/s390/include/uapi/asm/types.h`).
    pub vxrs_high: [[u64; 2]; 16],
}

impl SaveArea {
    /// Byte length of the status block that SIGP store-status-at-address
    /// writes, i.e. the lowcore region `0x1200..0x1400` starting at
    /// `floating_pt_save_area`: 512.
    pub const REGS_LEN: usize = 512;

    /// Byte length of the vector register block written by SIGP store
    /// additional status (32 vector registers x 16 bytes): 512.
    pub const VXRS_LEN: usize = 512;

    /// Parse the 512-byte big-endian register block (lowcore offsets
    /// `0x1200..0x1400`, relative to 0x1200), exactly like C
    /// `save_area_add_regs()`. Vector fields are left zero.
    ///
    /// Layout (relative offsets): FPRs 0x000, GPRs 0x080, PSW 0x100,
    /// prefix 0x118, FPC 0x11c, TOD programmable 0x124, CPU timer 0x128,
    /// clock comparator 0x130, access registers 0x140, control registers 0x180.
    pub fn from_regs(regs: &[u8; 512]) -> Self {
        use regs_off::*;
        SaveArea {
            psw: regs.be_u64s::<PSW, 2>(),
            ctrs: regs.be_u64s::<CTRS, 16>(),
            gprs: regs.be_u64s::<GPRS, 16>(),
            acrs: regs.be_u32s::<ACRS, 16>(),
            fprs: regs.be_u64s::<FPRS, 16>(),
            fpc: regs.be_u32::<FPC>(),
            prefix: regs.be_u32::<PREFIX>(),
            todpreg: regs.be_u32::<TODPREG>(),
            timer: regs.be_u64::<TIMER>(),
            todcmp: regs.be_u64::<TODCMP>(),
            ..SaveArea::default()
        }
    }

    /// Add the vector registers from the 512-byte big-endian block written
    /// by SIGP store additional status (32 x 16-byte `__vector128`), exactly
    /// like C `save_area_add_vxrs()`: the second doubleword (`low`) of
    /// V0-V15 goes to `vxrs_low`, V16-V31 are copied whole to `vxrs_high`.
    pub fn add_vxrs(&mut self, vxrs: &[u8; 512]) {
        // V0-V31, each `__vector128 { high, low }`: 64 big-endian u64s.
        let v = vxrs.be_u64s::<0, 64>();
        for i in 0..16 {
            self.vxrs_low[i] = v[2 * i + 1];
            self.vxrs_high[i] = [v[32 + 2 * i], v[33 + 2 * i]];
        }
    }
}

#[cfg(test)]
mod tests;
