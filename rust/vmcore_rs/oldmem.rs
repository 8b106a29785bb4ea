// SPDX-License-Identifier: GPL-2.0

//! The crashed system's memory ("oldmem"), by physical address.
//!
//! Which old address lives where is decided by [`s390_vmcore::map_oldmem`]:
//! for kdump, the old contents of `[0, oldmem_data.size)` were swapped into
//! the crashkernel area `[oldmem_data.start, +size)` and the other way round;
//! above both, old memory is read in place. For zfcpdump, old
//! `[0, hsa_size)` is in the HSA and read through SDIAS ([`hsa`]), the
//! rest in place.
//!
//! Real memory: after init, in the background
//! ([`map_real_memory_in_background`]), the crashed system's memory
//! above this kernel's own is mapped into the identity mapping read-only
//! (`vmem_add_mapping_ro()`, large pages, as for DCSS segments): a stray
//! write to it faults instead of changing the dump. Reads copy straight
//! from there into the destination: no lock, no remapping, nothing
//! allocated per read, readers in parallel. The kernel's
//! `memcpy_real_iter()` (`arch/s390/mm/maccess.c`), which remaps one page
//! at a time through a single window under a global mutex, remains for what
//! is not mapped: before the mapping is published (the early CPU save, the
//! header build, a read right after boot) and beyond what it may cover
//! (`max_mappable`, in a dump kernel the end of the crashed system's
//! memory, and page tables of at most 1/16 of this kernel's memory).
//!
//! A test kernel (`CONFIG_S390_VMCORE_RUST_TEST`) can put a test HSA over
//! a kdump boot: with `vmcore_rs_test_hsa=SIZE` old memory below SIZE takes
//! the HSA path ([`hsa`]), whose fetch reads the old contents where kdump
//! keeps them; everything else is the production code.
//!
//! Reference: `copy_oldmem_iter()` in `arch/s390/kernel/crash_dump.c`,
//! `memcpy_hsa_iter()` in `drivers/s390/char/zcore.c`.

use crate::hsa;
use crate::types::iov::{with_kvec, IovIterDest};
use crate::types::{boot, sched};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::{bindings, prelude::*, workqueue};
use s390_vmcore::{
    copy_oldmem, mapping_pieces, CopyStop, CopyTarget, OldMem, OldMemMode, PhysRange,
};

/// Whether this is a dump kernel, kdump or stand-alone dump: C's
/// `dump_available()` in `arch/s390/kernel/smp.c`. The CPUs of the crashed
/// system are saved and the system reset whenever this is true, even when
/// no dump can be built later (a stand-alone dump without HSA size).
pub(crate) fn dump_available() -> bool {
    boot::oldmem_area().is_some() || boot::is_ipl_type_dump()
}

/// How this boot reaches the crashed system's memory, or `None` when this
/// is no dump kernel or, for a stand-alone dump, the HSA size is not known
/// (as in `elfcorehdr_alloc()`, no dump then). Only during init (the test
/// HSA size is init data).
pub(crate) fn mode() -> Option<OldMemMode> {
    if let Some((start, size)) = boot::oldmem_area() {
        #[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
        {
            let test_hsa = boot::test_hsa_size();
            if test_hsa != 0 {
                // The HSA is read and mapped by whole pages.
                let hsa_size = test_hsa & !(s390_vmcore::PAGE_SIZE - 1);
                return Some(OldMemMode::HsaKdump {
                    hsa_size,
                    start,
                    size,
                });
            }
        }
        return Some(OldMemMode::Kdump { start, size });
    }
    if !boot::is_ipl_type_dump() {
        return None;
    }
    let hsa_size = boot::sclp_hsa_size();
    (hsa_size != 0).then_some(OldMemMode::Hsa { hsa_size })
}

/// A destination `iov_iter` and the primitive copies of the dump into it:
/// the crate's [`s390_vmcore::copy_oldmem`] and [`s390_vmcore::read_dump`]
/// split every read and call these.
///
/// Real memory is read where the crate says: within the dump's segments
/// (the crashed system's memory ranges), or, for the header build, at
/// addresses that [`s390_vmcore::InRanges`] checked or that the lowcore
/// layout fixes. A read of a hole would take an addressing exception
/// (an oops, as in `memcpy_real_iter()`), not corrupt memory.
pub(crate) struct IterTarget<'a, 'data> {
    iter: &'a mut IovIterDest<'data>,
    mode: OldMemMode,
}

impl<'a, 'data> IterTarget<'a, 'data> {
    /// Copies into `iter`, old memory addressed as `mode` says.
    pub(crate) fn new(iter: &'a mut IovIterDest<'data>, mode: OldMemMode) -> Self {
        IterTarget { iter, mode }
    }
}

impl CopyTarget for IterTarget<'_, '_> {
    fn copy_real(&mut self, paddr: u64, len: u64) -> u64 {
        // The crate asks only for pieces of old memory that `map_oldmem()`
        // puts in real memory, below the end of this machine's memory.
        copy_real(self.iter, paddr, len)
    }

    fn copy_hsa(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>) {
        hsa::copy_to_iter(self.mode, self.iter, offset, len)
    }

    fn copy_header(&mut self, src: &[u8]) -> u64 {
        self.iter.copy_to_iter(src) as u64
    }

    fn relax(&mut self) {
        // Copies run in process context (or during boot, where this does
        // nothing); a page fill holds the page lock and the test HSA's
        // fetch the reader's mutex, both sleeping locks.
        sched::cond_resched();
    }
}

/// Old real memory mapped into the identity mapping: physical
/// `[DIRECT_START, DIRECT_END)`, empty until [`map_real_memory`]. Written
/// once, `DIRECT_END` last (release); read `DIRECT_END` first (acquire).
static DIRECT_START: AtomicU64 = AtomicU64::new(0);
static DIRECT_END: AtomicU64 = AtomicU64::new(0);
/// Set (release) once [`map_real_memory`] has returned, mapped or not.
static MAP_DONE: AtomicBool = AtomicBool::new(false);

/// Maps old real memory as [`map_real_memory`] does, but in a worker of
/// `system_unbound_wq`, so that the dump kernel's boot does not wait for
/// it: with 4 KiB pages (no EDAT, QEMU's TCG) the page tables of a few GiB
/// take tens of milliseconds to build. Readers need not wait either: until
/// the mapping is published they copy with `memcpy_real_iter()`, as all
/// reads beyond the mapping do, and they switch over with the release
/// store of `DIRECT_END`. When the work item cannot be allocated the
/// mapping is built here and now. A test kernel maps nothing above the
/// address given by `vmcore_rs_test_map_cap=`, so that the fallback is
/// exercised and compared with C.
///
/// `ranges` are the crashed system's memory ranges, sorted by start as
/// memblock gives them, `end` where its memory ends (with, for kdump, the
/// crashkernel area).
pub(crate) fn map_real_memory_in_background(
    mode: OldMemMode,
    ranges: &'static [PhysRange],
    end: u64,
) {
    #[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
    let cap = match boot::test_map_cap() {
        0 => u64::MAX,
        cap => cap,
    };
    #[cfg(not(CONFIG_S390_VMCORE_RUST_TEST))]
    let cap = u64::MAX;
    if workqueue::system_unbound()
        .try_spawn(GFP_KERNEL, move || map_real_memory(mode, ranges, end, cap))
        .is_err()
    {
        map_real_memory(mode, ranges, end, cap);
    }
}

/// Maps the crashed system's real memory below physical `end` (bytes)
/// that lies above this kernel's own memory into the identity mapping,
/// read-only, so that reads copy from it directly: the pieces of its
/// memory `ranges` and, for kdump, of the crashkernel area
/// ([`s390_vmcore::mapping_pieces`]); the holes between them stay
/// unmapped. Logs what it could not map (reads of that memory
/// then go through `memcpy_real_iter()`).
///
/// Page tables (the kernel's `vmem_add_mapping()`): 16 KiB per TiB with
/// EDAT2 (2 GiB pages), 8 MiB per TiB with EDAT1 only (1 MiB pages), 4 GiB
/// per TiB with 4 KiB pages (no EDAT, as in QEMU's TCG); capped at 1/16
/// of this kernel's memory ([`s390_vmcore::MachineFacts::window`]);
/// nothing at or above `cap` (the test kernel's `vmcore_rs_test_map_cap=`,
/// else `u64::MAX`). Called once
/// per boot, from [`map_real_memory_in_background`]; may sleep.
fn map_real_memory(mode: OldMemMode, ranges: &[PhysRange], end: u64, cap: u64) {
    let t0 = sched::ktime_get();
    let facts = boot::machine_facts();
    let ident_end = facts.identity_size;
    let Some((start, window_end)) = facts.window(end, cap) else {
        if end > ident_end {
            pr_warn!(
                "old memory {:#x}-{:#x} not mapped, read page by page\n",
                ident_end,
                end
            );
        }
        MAP_DONE.store(true, Ordering::Release);
        return;
    };
    // The pieces are in address order: once those below `mapped` are
    // mapped, so is every byte of old memory in `[start, mapped)`.
    let mut mapped = window_end;
    for piece in mapping_pieces(mode, ranges, start, window_end) {
        let (addr, len) = (piece.start as usize, (piece.end - piece.start) as usize);
        // Once per boot, in process context, under the kernel's
        // `vmem_mutex`; no read goes through it before `DIRECT_END`
        // publishes it.
        // SAFETY: Maps memory no one here uses (above this kernel's own).
        let rc = unsafe { bindings::vmem_add_mapping_ro(addr, len) };
        if rc != 0 {
            pr_warn!(
                "cannot map old memory {:#x}-{:#x} (error {})\n",
                piece.start,
                piece.end,
                rc
            );
            mapped = piece.start;
            break;
        }
    }
    if mapped > start {
        let us = (sched::ktime_get() - t0) / 1000;
        pr_info!(
            "old memory {:#x}-{:#x} mapped in {} us\n",
            start,
            mapped,
            us
        );
        DIRECT_START.store(start, Ordering::Relaxed);
        DIRECT_END.store(mapped, Ordering::Release);
    }
    if mapped < end {
        pr_warn!(
            "old memory {:#x}-{:#x} not mapped, read page by page\n",
            core::cmp::max(mapped, ident_end),
            end
        );
    }
    MAP_DONE.store(true, Ordering::Release);
}

/// Test kernel only: tries to change the byte of old memory at physical
/// `paddr` through the mapping of [`map_real_memory`], as a stray write of
/// this kernel would, with `copy_to_kernel_nofault()`; called by the
/// debugfs file `vmcore_rs/write_oldmem` in `test.c`.
///
/// Waits (up to 10 s) for the mapping of [`map_real_memory_in_background`]
/// first. Returns `-EFAULT` when the write faulted (the mapping is
/// read-only, as it must be), 0 when it changed the byte, `-EINVAL` when
/// `paddr` is not mapped.
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
#[no_mangle]
pub extern "C" fn vmcore_rs_test_write_oldmem(paddr: u64) -> kernel::ffi::c_int {
    let (start, end) = test_mapped();
    if paddr < start || paddr >= end {
        return EINVAL.to_errno();
    }
    // SAFETY: `paddr` lies in the identity mapping of old memory (checked
    // above), which is readable for as long as this kernel runs.
    let dst = unsafe { bindings::phys_to_virt(paddr as usize) }.cast::<u8>();
    // SAFETY: As above; a volatile read because the write below may change
    // the byte behind the compiler's back.
    let byte = !unsafe { dst.read_volatile() };
    let src: *const u8 = &byte;
    // SAFETY: `copy_to_kernel_nofault()` takes the fault of a destination
    // that cannot be written and returns -EFAULT; `src` is one stack byte.
    let rc = unsafe { bindings::copy_to_kernel_nofault(dst.cast(), src.cast(), 1) };
    rc as kernel::ffi::c_int
}

/// Test kernel only: what [`map_real_memory`] mapped, physical `[start,
/// end)` (empty when nothing), once it is done or after 10 s. Within it
/// every byte of the crashed system's memory is mapped, the holes between
/// its ranges are not. Called from debugfs (process context, may sleep).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
fn test_mapped() -> (u64, u64) {
    for _ in 0..1000 {
        if MAP_DONE.load(Ordering::Acquire) {
            break;
        }
        // Process context, no lock held.
        sched::msleep(10);
    }
    let end = DIRECT_END.load(Ordering::Acquire);
    (DIRECT_START.load(Ordering::Relaxed), end)
}

/// Test kernel only: maps the first page of what [`map_real_memory`]
/// mapped once more with `vmem_add_mapping_ro()`, which must refuse
/// (`-EEXIST`) rather than leave the entry as it is; called
/// by the debugfs file `vmcore_rs/write_oldmem` in `test.c`.
///
/// Returns what `vmem_add_mapping_ro()` returned, or `-ENODEV` when
/// nothing is mapped.
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
#[no_mangle]
pub extern "C" fn vmcore_rs_test_remap_oldmem() -> kernel::ffi::c_int {
    let (start, end) = test_mapped();
    if start >= end {
        return ENODEV.to_errno();
    }
    // SAFETY: Process context (debugfs); the page is mapped already, so
    // the call changes nothing or fails, under the kernel's `vmem_mutex`.
    unsafe { bindings::vmem_add_mapping_ro(start as usize, s390_vmcore::PAGE_SIZE as usize) }
}

/// Test kernel only: [`test_mapped`] into `*start` and `*end`, for the
/// debugfs file `vmcore_rs/write_oldmem` in `test.c`.
///
/// # Safety
///
/// `start` and `end` are valid for writes.
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
#[no_mangle]
pub unsafe extern "C" fn vmcore_rs_test_mapped(start: *mut u64, end: *mut u64) {
    let (s, e) = test_mapped();
    // SAFETY: By the function's contract, both are valid for writes.
    unsafe {
        start.write(s);
        end.write(e);
    }
}

/// Copies `len` bytes of real memory at `paddr` into `iter`, advancing it:
/// from the identity mapping where [`map_real_memory`] mapped it, else with
/// `memcpy_real_iter()`.
///
/// Returns the number of bytes copied, less than `len` where the
/// destination faulted. `[paddr, paddr + len)` must be memory of this
/// machine: a hole takes an addressing exception, as in
/// `memcpy_real_iter()`.
fn copy_real(iter: &mut IovIterDest<'_>, paddr: u64, len: u64) -> u64 {
    let end = DIRECT_END.load(Ordering::Acquire);
    let start = DIRECT_START.load(Ordering::Relaxed);
    if paddr < start || paddr.checked_add(len).map_or(true, |e| e > end) {
        // SAFETY: The crate asks only for old memory of this machine
        // (the function's contract); reads run in process context.
        return unsafe { iter.copy_from_real(paddr, len as usize) } as u64;
    }
    // SAFETY: `[paddr, paddr + len)` lies in the identity mapping of old
    // memory (checked above), mapped read only for as long as this kernel
    // runs and written by no one.
    let src = unsafe {
        core::slice::from_raw_parts(
            bindings::phys_to_virt(paddr as usize).cast::<u8>(),
            len as usize,
        )
    };
    iter.copy_to_iter(src) as u64
}

/// Old memory read into kernel buffers, for the header build and the early
/// CPU save.
#[derive(Clone, Copy)]
pub(crate) struct Kernel(pub(crate) OldMemMode);

impl OldMem for Kernel {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), s390_vmcore::Error> {
        let len = buf.len() as u64;
        // The callers read the lowcore, the save areas, os_info and the
        // VMCOREINFO note at addresses the crashed system left; like C's
        // `copy_oldmem_kernel()` they are not checked against the memory
        // map here ([`s390_vmcore::InRanges`] checks them first).
        let copied = with_kvec(buf, |iter| {
            copy_oldmem(self.0, &mut IterTarget::new(iter, self.0), paddr, len).0
        });
        if copied == len {
            Ok(())
        } else {
            Err(s390_vmcore::Error::Read)
        }
    }
}
