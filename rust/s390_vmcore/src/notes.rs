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
mod tests;
