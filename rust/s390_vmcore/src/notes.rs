// SPDX-License-Identifier: GPL-2.0

//! ELF notes of the s390x vmcore: the `NT_PRPSINFO` note, the per-CPU
//! register notes and the `VMCOREINFO` note, byte for byte as
//! `arch/s390/kernel/crash_dump.c` (`notes_init()`, `fill_cpu_elf_notes()`,
//! `nt_prpsinfo()`, `nt_vmcoreinfo()`, `nt_init_name()`) writes them.
//!
//! Note format (gABI "Note Section"): a 12-byte [`Elf64Nhdr`], the name with
//! its NUL padded with zeros to a multiple of 4 bytes, then the descriptor
//! padded with zeros to a multiple of 4 bytes. All integers big-endian.
//!
//! Unlike crash_dump.c, no terminating empty note is written: the C
//! `/proc/vmcore` (`fs/proc/vmcore.c`, `update_note_header_size_elf64()`)
//! drops it, and this crate produces that final file layout directly.

use crate::be::BeFields;
use crate::elf::{Elf64Nhdr, NHDR_SIZE};
use crate::save_area::SaveArea;
use crate::Error;

/// Note type: process status with general registers (`include/uapi/linux/elf.h`), name "CORE".
pub const NT_PRSTATUS: u32 = 1;
/// Note type: floating point registers (`include/uapi/linux/elf.h`), name "CORE".
pub const NT_PRFPREG: u32 = 2;
/// Note type: process info (`include/uapi/linux/elf.h`), name "CORE".
pub const NT_PRPSINFO: u32 = 3;
/// Note type: s390 CPU timer, 8-byte desc (`include/uapi/linux/elf.h`), name "LINUX".
pub const NT_S390_TIMER: u32 = 0x301;
/// Note type: s390 TOD clock comparator, 8-byte desc, name "LINUX".
pub const NT_S390_TODCMP: u32 = 0x302;
/// Note type: s390 TOD programmable register, 4-byte desc, name "LINUX".
pub const NT_S390_TODPREG: u32 = 0x303;
/// Note type: s390 control registers 0-15, 128-byte desc, name "LINUX".
pub const NT_S390_CTRS: u32 = 0x304;
/// Note type: s390 prefix register, 4-byte desc, name "LINUX".
pub const NT_S390_PREFIX: u32 = 0x305;
/// Note type: s390 vector registers 0-15 low halves, 128-byte desc, name "LINUX".
pub const NT_S390_VXRS_LOW: u32 = 0x309;
/// Note type: s390 vector registers 16-31, 256-byte desc, name "LINUX".
pub const NT_S390_VXRS_HIGH: u32 = 0x30a;
/// Note type of the vmcoreinfo note (0, name "VMCOREINFO", `crash_dump.c` `nt_vmcoreinfo()`).
pub const NT_VMCOREINFO: u32 = 0;

/// Note name of `NT_PRSTATUS`/`NT_PRFPREG`/`NT_PRPSINFO` (`KEXEC_CORE_NOTE_NAME`), without NUL.
pub const NAME_CORE: &[u8] = b"CORE";
/// Note name of the s390 register notes (`crash_dump.c` `nt_name()`), without NUL.
pub const NAME_LINUX: &[u8] = b"LINUX";
/// Note name of the vmcoreinfo note (`VMCOREINFO_NOTE_NAME`,
/// `include/linux/vmcore_info.h`), without NUL.
pub const NAME_VMCOREINFO: &[u8] = b"VMCOREINFO";

/// `sizeof(struct elf_prstatus)` on s390x: 336 bytes.
pub const PRSTATUS_SIZE: usize = 336;
/// `sizeof(elf_fpregset_t)` on s390x: 136 bytes.
pub const FPREGSET_SIZE: usize = 136;
/// `sizeof(struct elf_prpsinfo)` on s390x: 136 bytes.
pub const PRPSINFO_SIZE: usize = 136;

/// Byte offsets of the fields of the s390x `struct elf_prstatus`
/// (`include/linux/elfcore.h` with `elf_gregset_t = s390_regs`,
/// `arch/s390/include/asm/elf.h`, `arch/s390/include/uapi/asm/ptrace.h`),
/// checked with `s390x-linux-gnu-gcc` against the 6.12 headers; the host
/// tests check them against the C struct declared as a `#[repr(C)]` struct
/// (`tests/layouts.rs`).
pub mod prstatus_off {
    /// `pr_pid` (`pid_t`, 4 bytes): the 1-based CPU number in the dump.
    pub const PR_PID: usize = 32;
    /// `pr_reg.psw`: PSW mask and address, 2 x 8 bytes.
    pub const PSW: usize = 112;
    /// `pr_reg.gprs`: general registers 0-15, 16 x 8 bytes.
    pub const GPRS: usize = 128;
    /// `pr_reg.acrs`: access registers 0-15, 16 x 4 bytes.
    pub const ACRS: usize = 256;
    /// `pr_reg.orig_gpr2`, 8 bytes (0 in the vmcore).
    pub const ORIG_GPR2: usize = 320;
    /// `pr_fpvalid` (`int`; 0 in the vmcore).
    pub const PR_FPVALID: usize = 328;
}

/// Byte offsets of s390x `elf_fpregset_t` = `s390_fp_regs`
/// (`arch/s390/include/uapi/asm/ptrace.h`).
pub mod fpregset_off {
    /// `fpc`: the floating point control register, 4 bytes.
    pub const FPC: usize = 0;
    /// `fprs`: floating point registers 0-15, 16 x 8 bytes (after 4 bytes
    /// of padding).
    pub const FPRS: usize = 8;
}

/// Byte offsets of s390x `struct elf_prpsinfo` (`include/linux/elfcore.h`;
/// `__kernel_uid_t` is `unsigned int` on s390x).
pub mod prpsinfo_off {
    /// `pr_sname`, 1 byte ('R' in the vmcore).
    pub const PR_SNAME: usize = 1;
    /// `pr_fname`, 16 bytes ("vmlinux", NUL padded).
    pub const PR_FNAME: usize = 40;
}

/// Round `x` up to a multiple of 4 (`None` on overflow).
const fn round4(x: usize) -> Option<usize> {
    match x.checked_add(3) {
        Some(v) => Some(v & !3),
        None => None,
    }
}

/// Offset in bytes of the descriptor in a note whose name is `name_len`
/// bytes long (without NUL): `12 + roundup(name_len + 1, 4)`. `None` on
/// overflow.
const fn desc_offset(name_len: usize) -> Option<usize> {
    match name_len.checked_add(1) {
        Some(n) => match round4(n) {
            Some(n) => NHDR_SIZE.checked_add(n),
            None => None,
        },
        None => None,
    }
}

/// Size in bytes of one note with a name of `name_len` bytes (without NUL)
/// and a descriptor of `desc_len` bytes: `12 + roundup(name_len + 1, 4) +
/// roundup(desc_len, 4)` (C `nt_size_name()`). `None` on overflow.
///
/// The one formula for note sizes: [`cpu_notes_size`] and [`notes_size`]
/// add it up over the notes that [`write_notes`] places with it.
pub const fn note_size(name_len: usize, desc_len: usize) -> Option<usize> {
    match (desc_offset(name_len), round4(desc_len)) {
        (Some(d), Some(r)) => d.checked_add(r),
        _ => None,
    }
}

/// [`note_size`] of a note of the constant table below; evaluated at
/// compile time only, where `None` would be a build error.
const fn table_note_size(name_len: usize, desc_len: usize) -> usize {
    match note_size(name_len, desc_len) {
        Some(n) => n,
        None => panic!("note size overflows"),
    }
}

/// Fill a descriptor with big-endian `u64`s (as many as fit).
fn put_u64s<'a>(dst: &mut [u8], vals: impl IntoIterator<Item = &'a u64>) {
    for (d, v) in dst.chunks_exact_mut(8).zip(vals) {
        d.copy_from_slice(&v.to_be_bytes());
    }
}

/// Fill a descriptor with `src` (as much as fits).
fn put_bytes(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// One register note of a CPU: the single description from which both the
/// note sizes ([`cpu_notes_size`], [`notes_size`]) and the notes
/// ([`write_notes`]) are made.
struct CpuNote {
    /// Note type (`n_type`).
    ntype: u32,
    /// Note name without NUL.
    name: &'static [u8],
    /// Descriptor length in bytes (`n_descsz`).
    desc_len: usize,
    /// Written only with vector registers (`has_vx`).
    vx: bool,
    /// Writes the descriptor of the CPU with the given `pr_pid` into
    /// exactly `desc_len` zeroed bytes.
    fill: fn(&SaveArea, i32, &mut [u8]),
}

impl CpuNote {
    /// Whether the note is written (and counted) for `has_vx`.
    const fn written(&self, has_vx: bool) -> bool {
        has_vx || !self.vx
    }
}

/// The notes of one CPU in the order of C `fill_cpu_elf_notes()`.
const CPU_NOTES: [CpuNote; 9] = [
    CpuNote {
        ntype: NT_PRSTATUS,
        name: NAME_CORE,
        desc_len: PRSTATUS_SIZE,
        vx: false,
        fill: |sa, pid, d| put_bytes(d, &prstatus(sa, pid)),
    },
    CpuNote {
        ntype: NT_PRFPREG,
        name: NAME_CORE,
        desc_len: FPREGSET_SIZE,
        vx: false,
        fill: |sa, _, d| put_bytes(d, &fpregset(sa)),
    },
    CpuNote {
        ntype: NT_S390_TIMER,
        name: NAME_LINUX,
        desc_len: 8,
        vx: false,
        fill: |sa, _, d| put_u64s(d, &[sa.timer]),
    },
    CpuNote {
        ntype: NT_S390_TODCMP,
        name: NAME_LINUX,
        desc_len: 8,
        vx: false,
        fill: |sa, _, d| put_u64s(d, &[sa.todcmp]),
    },
    CpuNote {
        ntype: NT_S390_TODPREG,
        name: NAME_LINUX,
        desc_len: 4,
        vx: false,
        fill: |sa, _, d| put_bytes(d, &sa.todpreg.to_be_bytes()),
    },
    CpuNote {
        ntype: NT_S390_CTRS,
        name: NAME_LINUX,
        desc_len: 128,
        vx: false,
        fill: |sa, _, d| put_u64s(d, &sa.ctrs),
    },
    CpuNote {
        ntype: NT_S390_PREFIX,
        name: NAME_LINUX,
        desc_len: 4,
        vx: false,
        fill: |sa, _, d| put_bytes(d, &sa.prefix.to_be_bytes()),
    },
    CpuNote {
        ntype: NT_S390_VXRS_HIGH,
        name: NAME_LINUX,
        desc_len: 256,
        vx: true,
        fill: |sa, _, d| put_u64s(d, sa.vxrs_high.iter().flatten()),
    },
    CpuNote {
        ntype: NT_S390_VXRS_LOW,
        name: NAME_LINUX,
        desc_len: 128,
        vx: true,
        fill: |sa, _, d| put_u64s(d, &sa.vxrs_low),
    },
];

/// Sum of the sizes of the notes of [`CPU_NOTES`] written for `has_vx`
/// (compile time only).
const fn sum_cpu_notes(has_vx: bool) -> usize {
    let mut size = 0;
    let mut i = 0;
    while i < CPU_NOTES.len() {
        let n = &CPU_NOTES[i];
        if n.written(has_vx) {
            size += table_note_size(n.name.len(), n.desc_len);
        }
        i += 1;
    }
    size
}

/// Size in bytes of the notes of one CPU (C `get_cpu_elf_notes_size()`),
/// summed over the same table the writer uses: 764 without vector
/// registers, 1188 with them.
pub const fn cpu_notes_size(has_vx: bool) -> usize {
    const WITHOUT_VX: usize = sum_cpu_notes(false);
    const WITH_VX: usize = sum_cpu_notes(true);
    if has_vx {
        WITH_VX
    } else {
        WITHOUT_VX
    }
}

/// Size in bytes of the `NT_PRPSINFO` note: 156.
pub const PRPSINFO_NOTE_SIZE: usize = table_note_size(NAME_CORE.len(), PRPSINFO_SIZE);

/// Number of CPUs that get notes: those with a non-zero prefix
/// (C `get_cpu_cnt()`).
pub fn cpu_count(cpus: &[SaveArea]) -> usize {
    cpus.iter().filter(|sa| sa.prefix != 0).count()
}

/// Total size in bytes of all notes, excluding any terminating empty note:
/// prpsinfo + one register set per CPU with non-zero prefix + the
/// vmcoreinfo note when `vmcoreinfo` is `Some`. Equal to what
/// [`write_notes`] writes.
///
/// Errors: [`Error::Overflow`] on arithmetic overflow, [`Error::TooBig`] if
/// the vmcoreinfo does not fit the 32-bit `n_descsz`.
pub fn notes_size(
    cpus: &[SaveArea],
    has_vx: bool,
    vmcoreinfo: Option<&[u8]>,
) -> Result<usize, Error> {
    let mut size = cpu_count(cpus)
        .checked_mul(cpu_notes_size(has_vx))
        .and_then(|s| s.checked_add(PRPSINFO_NOTE_SIZE))
        .ok_or(Error::Overflow)?;
    if let Some(v) = vmcoreinfo {
        if u32::try_from(v.len()).is_err() {
            return Err(Error::TooBig);
        }
        let n = note_size(NAME_VMCOREINFO.len(), v.len()).ok_or(Error::Overflow)?;
        size = size.checked_add(n).ok_or(Error::Overflow)?;
    }
    Ok(size)
}

/// The `NT_PRSTATUS` descriptor of one CPU (C `fill_cpu_elf_notes()`),
/// the 336 bytes of `struct elf_prstatus` ([`prstatus_off`]): everything
/// zero except GPRs, PSW, access registers and `pr_pid = pid`.
pub fn prstatus(sa: &SaveArea, pid: i32) -> [u8; PRSTATUS_SIZE] {
    use prstatus_off::*;
    let mut b = [0; PRSTATUS_SIZE];
    b.set_bytes::<PR_PID, 4>(&pid.to_be_bytes());
    b.set_be_u64s::<PSW, 2>(&sa.psw);
    b.set_be_u64s::<GPRS, 16>(&sa.gprs);
    b.set_be_u32s::<ACRS, 16>(&sa.acrs);
    b
}

/// The `NT_PRFPREG` descriptor of one CPU, the 136 bytes of
/// `elf_fpregset_t` ([`fpregset_off`]): `fpc` and FPRs, padding zero.
pub fn fpregset(sa: &SaveArea) -> [u8; FPREGSET_SIZE] {
    use fpregset_off::*;
    let mut b = [0; FPREGSET_SIZE];
    b.set_be_u32::<FPC>(sa.fpc);
    b.set_be_u64s::<FPRS, 16>(&sa.fprs);
    b
}

/// The `NT_PRPSINFO` descriptor (C `nt_prpsinfo()`), the 136 bytes of
/// `struct elf_prpsinfo` ([`prpsinfo_off`]): all zero except
/// `pr_sname = 'R'` and `pr_fname = "vmlinux"`.
pub fn prpsinfo() -> [u8; PRPSINFO_SIZE] {
    use prpsinfo_off::*;
    let mut b = [0; PRPSINFO_SIZE];
    b.set_bytes::<PR_SNAME, 1>(b"R");
    b.set_bytes::<PR_FNAME, 7>(b"vmlinux");
    b
}

/// Sequential note writer over a byte buffer; positions are relative to the
/// start of the note segment (which is 4-byte aligned in the file).
struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Writer<'_> {
    /// Write one note: it takes exactly [`note_size`]`(name.len(),
    /// desc_len)` bytes at the current position, zeroed first (padding),
    /// then the header, the name and the descriptor that `fill` writes into
    /// its `desc_len` bytes.
    fn note(
        &mut self,
        name: &[u8],
        ntype: u32,
        desc_len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(), Error> {
        let size = note_size(name.len(), desc_len).ok_or(Error::Overflow)?;
        let nhdr = Elf64Nhdr {
            // Both fit: the note size above did not overflow, and the
            // descriptor length is checked here.
            n_namesz: u32::try_from(name.len() + 1).map_err(|_| Error::TooBig)?,
            n_descsz: u32::try_from(desc_len).map_err(|_| Error::TooBig)?,
            n_type: ntype,
        };
        let end = self.pos.checked_add(size).ok_or(Error::Overflow)?;
        let note = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall)?;
        note.fill(0);
        // `size` covers header, padded name and descriptor, so none of
        // these sub-slices is out of range (`put_bytes` also cannot panic).
        put_bytes(note, &nhdr.to_bytes());
        put_bytes(note.get_mut(NHDR_SIZE..).unwrap_or_default(), name);
        let desc = desc_offset(name.len()).ok_or(Error::Overflow)?;
        if let Some(d) = note.get_mut(desc..).and_then(|d| d.get_mut(..desc_len)) {
            fill(d);
        }
        self.pos = end;
        Ok(())
    }
}

/// Write all notes into the start of `buf` in the order of C `notes_init()`:
/// `NT_PRPSINFO`; for each CPU with non-zero prefix (numbered 1, 2, ... in
/// slice order, that number is `pr_pid`) `NT_PRSTATUS`, `NT_PRFPREG`,
/// `NT_S390_TIMER`, `NT_S390_TODCMP`, `NT_S390_TODPREG`, `NT_S390_CTRS`,
/// `NT_S390_PREFIX` and, if `has_vx`, `NT_S390_VXRS_HIGH`, `NT_S390_VXRS_LOW`;
/// then the `VMCOREINFO` note (type 0) if `vmcoreinfo` is `Some`.
/// Padding bytes are written as zero. No terminating empty note.
///
/// Returns the number of bytes written (== [`notes_size`]).
/// Errors: [`Error::BufferTooSmall`] if `buf` is too short,
/// [`Error::TooBig`]/[`Error::Overflow`] for impossible sizes.
pub fn write_notes(
    cpus: &[SaveArea],
    has_vx: bool,
    vmcoreinfo: Option<&[u8]>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    let mut w = Writer { buf, pos: 0 };
    w.note(NAME_CORE, NT_PRPSINFO, PRPSINFO_SIZE, |d| {
        put_bytes(d, &prpsinfo())
    })?;
    let mut pid: i32 = 0;
    for sa in cpus.iter().filter(|sa| sa.prefix != 0) {
        pid = pid.checked_add(1).ok_or(Error::TooBig)?;
        for n in CPU_NOTES.iter().filter(|n| n.written(has_vx)) {
            w.note(n.name, n.ntype, n.desc_len, |d| (n.fill)(sa, pid, d))?;
        }
    }
    if let Some(v) = vmcoreinfo {
        w.note(NAME_VMCOREINFO, NT_VMCOREINFO, v.len(), |d| put_bytes(d, v))?;
    }
    Ok(w.pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    fn be32(b: &[u8], o: usize) -> u32 {
        u32::from_be_bytes(b[o..o + 4].try_into().unwrap())
    }
    fn be64(b: &[u8], o: usize) -> u64 {
        u64::from_be_bytes(b[o..o + 8].try_into().unwrap())
    }

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
            0, 0, 0, 11, 0, 0, 0, 5, 0, 0, 0, 0, b'V', b'M', b'C', b'O', b'R', b'E', b'I', b'N',
            b'F', b'O', 0, 0, b'A', b'B', b'C', b'D', b'E', 0, 0, 0,
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
}
