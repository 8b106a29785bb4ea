// SPDX-License-Identifier: GPL-2.0

//! The trust report: what the dump kernel could and could not vouch for.
//!
//! A read-only debugfs file of the dump kernel shows one block of lines,
//! all starting with [`TRUST_PREFIX`] (`trust:`), formatted when it is
//! read; at init the kernel logs only one line, with what was left out
//! ([`LeftOut`]):
//!
//! ```text
//! trust: served from HSA 107102208 bytes, kdump swap area 0 bytes, real memory 973078528 bytes
//! trust: os_info unusable (checksum failed)
//! trust: VMCOREINFO from the lowcore note
//! trust: 2 CPUs saved, with vector registers
//! trust: left out: kernel-text PT_LOAD (os_info unusable)
//! ```
//!
//! - how many bytes of the PT_LOAD data come from the HSA, from the kdump
//!   swap area (the crashkernel area holding the old low memory, and the
//!   old crashkernel contents now at `[0, size)`) and from real memory at
//!   their own address ([`source_bytes`]);
//! - whether os_info was found with valid checksums ([`OsInfoStatus`]);
//! - where the VMCOREINFO note came from ([`VmcoreinfoSource`]);
//! - how many CPUs were saved, with or without vector registers;
//! - what was left out of the dump and why ([`Omission`]), one line each,
//!   or `trust: nothing left out`.
//!
//! Every line ends with `'\n'` and stands alone; control characters in caller-supplied texts are
//! written as spaces so they cannot split or forge a line. No C
//! implementation reports this. [`TrustReport::write_to`] formats the block
//! into a fixed buffer without allocating; [`TRUST_REPORT_MAX`] bytes are
//! enough within the documented limits.

use crate::layout::Segment;
use crate::oldmem::{map_oldmem, OldMemMode, Source};
use crate::Error;
use core::fmt::{self, Display, Write};

/// The first word of every line of the report, for `grep`.
pub const TRUST_PREFIX: &str = "trust:";

/// Bytes of old memory in the dump's PT_LOAD data, by where they are read
/// from. Each counter saturates at `u64::MAX` (unreachable with real
/// memory sizes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceBytes {
    /// Bytes read from the HSA (zfcpdump / NVMe dump, or the test HSA).
    pub hsa: u64,
    /// Bytes read from the kdump swap area: old memory that kdump reads at
    /// another physical address (old `[0, size)` from the crashkernel area
    /// `[start, start + size)` and vice versa).
    pub swap: u64,
    /// Bytes read from real memory at their own physical address.
    pub real: u64,
}

impl SourceBytes {
    /// `hsa + swap + real` in bytes; `None` if the sum overflows `u64`.
    pub fn total(&self) -> Option<u64> {
        self.hsa.checked_add(self.swap)?.checked_add(self.real)
    }
}

/// Count the bytes of every segment's old memory `[paddr, paddr + size)`
/// (physical addresses, bytes) by source, splitting each with
/// [`map_oldmem`]: [`Source::Hsa`] pieces are `hsa`, [`Source::Real`]
/// pieces read at another physical address than their own (the kdump swap)
/// are `swap`, the others `real`.
///
/// Unless a counter saturates, `hsa + swap + real` equals the sum of the
/// segment sizes; overlapping segments (the kernel-text PT_LOAD lies inside
/// a memory range) are counted once per segment, as the file serves them.
/// Never panics: a segment running past the end of the 64-bit address
/// space is mapped with wrapping addresses like C `copy_oldmem_iter()`.
pub fn source_bytes(mode: OldMemMode, segs: &[Segment]) -> SourceBytes {
    count_sources(|paddr, len| map_oldmem(mode, paddr, len), segs)
}

/// [`source_bytes`] over any mapping with the contract of [`map_oldmem`]
/// (so that the tests can also hand it one that breaks the contract).
fn count_sources(map: impl Fn(u64, u64) -> (Source, u64), segs: &[Segment]) -> SourceBytes {
    let mut bytes = SourceBytes::default();
    for seg in segs {
        let mut at = seg.paddr;
        let mut left = seg.size;
        // Terminates: every piece but the last ends at one of the mode's
        // few boundaries, and `at` wraps at most once.
        while left > 0 {
            let (src, n) = map(at, left);
            // map_oldmem returns 0 < n <= left; should it not, count the
            // rest like this piece instead of looping forever.
            let n = if n == 0 { left } else { n.min(left) };
            let counter = match src {
                Source::Hsa { .. } => &mut bytes.hsa,
                Source::Real { paddr } if paddr != at => &mut bytes.swap,
                Source::Real { .. } => &mut bytes.real,
            };
            *counter = counter.saturating_add(n);
            left -= n;
            at = at.wrapping_add(n);
        }
    }
    bytes
}

/// What became of the old system's os_info page.
#[derive(Clone, Copy)]
pub enum OsInfoStatus<'a> {
    /// Found, and its header checksum is valid.
    Valid,
    /// Not present: the old lowcore has no os_info pointer.
    Missing,
    /// Present but not used; the reason is a short lower-case text such as
    /// `checksum failed` (e.g. the os_info error's `Display`).
    Unusable(&'a dyn Display),
}

impl fmt::Debug for OsInfoStatus<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OsInfoStatus::Valid => f.write_str("Valid"),
            OsInfoStatus::Missing => f.write_str("Missing"),
            OsInfoStatus::Unusable(why) => write!(f, "Unusable({:?})", DisplayText(*why)),
        }
    }
}

/// Where the VMCOREINFO note's contents came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmcoreinfoSource {
    /// The os_info VMCOREINFO entry (checksummed).
    OsInfo,
    /// The old kernel's VMCOREINFO note the old lowcore points to (not
    /// checksummed).
    Lowcore,
    /// None was usable; the dump has no VMCOREINFO note.
    Absent,
}

/// One part left out of the dump and why.
#[derive(Clone, Copy)]
pub struct Omission<'a> {
    /// What was left out, e.g. [`Omission::KERNEL_TEXT`].
    pub what: &'a dyn Display,
    /// Why, a short lower-case text, e.g. `os_info unusable`.
    pub why: &'a dyn Display,
}

impl<'a> Omission<'a> {
    /// The kernel-text PT_LOAD.
    pub const KERNEL_TEXT: &'static str = "kernel-text PT_LOAD";
    /// The VMCOREINFO note.
    pub const VMCOREINFO: &'static str = "VMCOREINFO note";
    /// The boot CPU's registers.
    pub const BOOT_CPU_REGISTERS: &'static str = "boot CPU registers";
    /// The registers of every CPU (their notes).
    pub const CPU_REGISTERS: &'static str = "CPU registers";
    /// The vector register notes.
    pub const VECTOR_REGISTERS: &'static str = "vector registers";

    /// `what` was left out because of `why`.
    pub const fn new(what: &'a dyn Display, why: &'a dyn Display) -> Self {
        Omission { what, why }
    }
}

impl fmt::Debug for Omission<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Omission")
            .field("what", &DisplayText(self.what))
            .field("why", &DisplayText(self.why))
            .finish()
    }
}

/// What was left out, for the one line the dump kernel logs at boot:
/// `nothing left out`, or `N parts left out: WHAT (WHY); WHAT (WHY)`,
/// each `WHAT (WHY)` as on its `trust: left out:` line of the report.
#[derive(Clone, Copy, Debug)]
pub struct LeftOut<'a>(pub &'a [Omission<'a>]);

impl Display for LeftOut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.len() {
            0 => return f.write_str("nothing left out"),
            1 => f.write_str("1 part left out: ")?,
            n => write!(f, "{n} parts left out: ")?,
        }
        for (i, o) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            one_line(f, o.what)?;
            f.write_str(" (")?;
            one_line(f, o.why)?;
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// The whole report; [`Display`] writes the block of lines (see the
/// module documentation), [`TrustReport::write_to`] writes it into a byte
/// buffer.
#[derive(Clone, Copy, Debug)]
pub struct TrustReport<'a> {
    /// Bytes of PT_LOAD data by source (see [`source_bytes`]).
    pub bytes: SourceBytes,
    /// The os_info page.
    pub os_info: OsInfoStatus<'a>,
    /// Where VMCOREINFO came from.
    pub vmcoreinfo: VmcoreinfoSource,
    /// Number of CPUs whose registers are in the dump.
    pub cpus: usize,
    /// Whether the dump has the vector register notes.
    pub vector_registers: bool,
    /// What was left out of the dump, in the order to report it.
    pub left_out: &'a [Omission<'a>],
}

/// Longest text (bytes, as formatted) of an os_info reason or an
/// omission's `what` or `why` for which [`TRUST_REPORT_MAX`] holds.
pub const TRUST_TEXT_MAX: usize = 128;

/// Most omissions for which [`TRUST_REPORT_MAX`] holds.
pub const TRUST_OMISSIONS_MAX: usize = 8;

/// Decimal digits of the largest `u64` (and of `usize` on every target
/// this crate supports).
const U64_DIGITS: usize = 20;

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

const SOURCES_LINE_MAX: usize = "trust: served from HSA ".len()
    + U64_DIGITS
    + " bytes, kdump swap area ".len()
    + U64_DIGITS
    + " bytes, real memory ".len()
    + U64_DIGITS
    + " bytes\n".len();
const OS_INFO_LINE_MAX: usize = max(
    max(
        "trust: os_info checksum valid\n".len(),
        "trust: os_info not present\n".len(),
    ),
    "trust: os_info unusable ()\n".len() + TRUST_TEXT_MAX,
);
const VMCOREINFO_LINE_MAX: usize = max(
    max(
        "trust: VMCOREINFO from os_info\n".len(),
        "trust: VMCOREINFO from the lowcore note\n".len(),
    ),
    "trust: VMCOREINFO none\n".len(),
);
const CPUS_LINE_MAX: usize = "trust: ".len()
    + U64_DIGITS
    + max(
        " CPUs saved, without vector registers\n".len(),
        " CPUs saved, with vector registers\n".len(),
    );
const LEFT_OUT_MAX: usize = max(
    "trust: nothing left out\n".len(),
    TRUST_OMISSIONS_MAX * ("trust: left out:  ()\n".len() + 2 * TRUST_TEXT_MAX),
);

/// An upper bound in bytes of the formatted report when `left_out` has at
/// most [`TRUST_OMISSIONS_MAX`] entries and the os_info reason and every
/// omission's `what` and `why` format to at most [`TRUST_TEXT_MAX`] bytes
/// each (counters of any value). It is tight: the longest such report has
/// exactly this length. Under one page.
pub const TRUST_REPORT_MAX: usize =
    SOURCES_LINE_MAX + OS_INFO_LINE_MAX + VMCOREINFO_LINE_MAX + CPUS_LINE_MAX + LEFT_OUT_MAX;

// The bound fits in one page (a fixed buffer the glue can allocate once).
const _: () = assert!(TRUST_REPORT_MAX <= crate::PAGE_SIZE as usize);

impl TrustReport<'_> {
    /// Format the report into `buf` and return its length in bytes: the
    /// block is `buf[..len]`, UTF-8, every line ending with `'\n'`. Never
    /// allocates, never panics.
    ///
    /// Errors: [`Error::BufferTooSmall`] if the block does not fit (a buffer
    /// of [`TRUST_REPORT_MAX`] bytes is enough within its limits); then
    /// `buf` holds a prefix of the block. [`Error::Internal`] if a reason's
    /// `Display` failed by itself (a bug of that implementation: `Display`
    /// may only pass on the formatter's errors).
    pub fn write_to(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = SliceWriter {
            buf,
            len: 0,
            full: false,
        };
        match write!(w, "{self}") {
            Ok(()) => Ok(w.len),
            Err(_) if w.full => Err(Error::BufferTooSmall),
            Err(_) => Err(Error::Internal),
        }
    }
}

impl Display for TrustReport<'_> {
    /// The block of lines described in the module documentation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = TRUST_PREFIX;
        let b = &self.bytes;
        writeln!(
            f,
            "{p} served from HSA {} bytes, kdump swap area {} bytes, real memory {} bytes",
            b.hsa, b.swap, b.real
        )?;
        match self.os_info {
            OsInfoStatus::Valid => writeln!(f, "{p} os_info checksum valid")?,
            OsInfoStatus::Missing => writeln!(f, "{p} os_info not present")?,
            OsInfoStatus::Unusable(why) => {
                write!(f, "{p} os_info unusable (")?;
                one_line(f, why)?;
                f.write_str(")\n")?;
            }
        }
        let from = match self.vmcoreinfo {
            VmcoreinfoSource::OsInfo => "from os_info",
            VmcoreinfoSource::Lowcore => "from the lowcore note",
            VmcoreinfoSource::Absent => "none",
        };
        writeln!(f, "{p} VMCOREINFO {from}")?;
        writeln!(
            f,
            "{p} {} {} saved, {} vector registers",
            self.cpus,
            if self.cpus == 1 { "CPU" } else { "CPUs" },
            if self.vector_registers {
                "with"
            } else {
                "without"
            }
        )?;
        if self.left_out.is_empty() {
            writeln!(f, "{p} nothing left out")?;
        }
        for o in self.left_out {
            write!(f, "{p} left out: ")?;
            one_line(f, o.what)?;
            f.write_str(" (")?;
            one_line(f, o.why)?;
            f.write_str(")\n")?;
        }
        Ok(())
    }
}

/// Write `text` with every ASCII control character (newline included) as a
/// space, so it stays inside its line; the length is unchanged.
fn one_line(f: &mut fmt::Formatter<'_>, text: &dyn Display) -> fmt::Result {
    write!(OneLine(f), "{text}")
}

struct OneLine<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl Write for OneLine<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some((head, tail)) = rest.split_once(|c: char| c.is_ascii_control()) {
            self.0.write_str(head)?;
            self.0.write_char(' ')?;
            rest = tail;
        }
        self.0.write_str(rest)
    }
}

/// `Debug` of a `Display` text: the text, quoted.
struct DisplayText<'a>(&'a dyn Display);

impl fmt::Debug for DisplayText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}

/// A `fmt::Write` into a byte slice; `full` records that a write did not
/// fit (nothing of that write is copied).
struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    full: bool,
}

impl Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let dst = self
            .len
            .checked_add(s.len())
            .and_then(|end| self.buf.get_mut(self.len..end));
        match dst {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len += s.len();
                Ok(())
            }
            None => {
                self.full = true;
                Err(fmt::Error)
            }
        }
    }
}

#[cfg(test)]
mod tests;
