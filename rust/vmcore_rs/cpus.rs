// SPDX-License-Identifier: GPL-2.0

//! Early save of the crashed system's CPU registers.
//!
//! `setup_arch()` calls [`s390_vmcore_rs_save_cpus`] right after
//! `reserve_crashkernel()`, before any CPU or device is set up, and
//! [`s390_vmcore_rs_save_boot_cpu`] after `paging_init()`. The non-boot CPUs
//! are still stopped as the crashed system left them: each one is found
//! with SIGP sense and its status fetched with SIGP store status at address
//! (and store additional status for the vector registers), with the
//! machine first switched to the crashed system's SMT mode. The boot CPU's
//! registers were stored by the old kernel (kdump) or the firmware
//! (zfcpdump) in the old absolute lowcore, read through [`crate::oldmem`].
//!
//! Reference: `smp_save_dump_secondary_cpus()`, `smp_save_dump_ipl_cpu()`
//! in `arch/s390/kernel/smp.c`; Principles of Operation, "Signal Processor".

use crate::{bindings, oldmem};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use kernel::prelude::*;
use s390_vmcore::{OldMem, OldMemMode, SaveArea};

/// Lowcore offset of the 512-byte register save area (`__LC_FPREGS_SAVE_AREA`).
const LC_FPREGS_SAVE_AREA: u64 = 0x1200;
/// One page for the SIGP status stores.
const PAGE_SIZE: usize = s390_vmcore::PAGE_SIZE as usize;

/// The save areas, boot CPU first, then the others by CPU address.
///
/// INVARIANT: when `SAVE_AREAS` is not null it points to `NR_SAVE_AREAS`
/// initialised `SaveArea`s in memblock memory that is never freed; element
/// 0 is the boot CPU's. They are written only during init, before the dump
/// is built from them.
static SAVE_AREAS: AtomicPtr<SaveArea> = AtomicPtr::new(core::ptr::null_mut());
static NR_SAVE_AREAS: AtomicUsize = AtomicUsize::new(0);

/// The saved CPUs, boot CPU first; empty when this is no dump kernel.
pub(crate) fn save_areas() -> &'static [SaveArea] {
    let ptr = SAVE_AREAS.load(Ordering::Acquire);
    if ptr.is_null() {
        return &[];
    }
    // SAFETY: By the type invariant `ptr` points to `NR_SAVE_AREAS`
    // initialised elements that live forever and are no longer written.
    unsafe { core::slice::from_raw_parts(ptr, NR_SAVE_AREAS.load(Ordering::Acquire)) }
}

/// Calls `f` with the address of every CPU of the crashed system but this
/// one that answers SIGP sense.
fn for_each_other_cpu(mut f: impl FnMut(u16)) {
    // SAFETY: Reads early SCLP data and this CPU's address.
    let (mtid, boot) = unsafe { (bindings::vmcore_rs_mtid_prev(), bindings::vmcore_rs_stap()) };
    let max = bindings::SCLP_MAX_CORES << mtid;
    for addr in 0..=max {
        let addr = addr as u16;
        if addr == boot {
            continue;
        }
        // SAFETY: SIGP sense only queries the state of the addressed CPU.
        let cc = unsafe { bindings::vmcore_rs_sigp(addr, bindings::SIGP_SENSE as u8, 0) };
        if cc != bindings::SIGP_CC_NOT_OPERATIONAL as i32 {
            f(addr);
        }
    }
}

/// Saves the registers of the crashed system's non-boot CPUs and reserves
/// the boot CPU's save area; in the product kernel then resets the system
/// as `smp_save_dump_secondary_cpus()` does.
///
/// Size first, allocate once, fill: one memblock allocation for all save
/// areas and one page below 2 GiB for the SIGP status stores. Panics when
/// memblock has no memory, like the C code: without the registers the dump
/// would silently lack them.
#[no_mangle]
#[link_section = ".init.text"]
pub extern "C" fn s390_vmcore_rs_save_cpus() {
    let Some(_mode) = oldmem::mode() else {
        return;
    };
    // Switch to the crashed system's SMT mode so that its threads answer.
    // SAFETY: Early boot, only this CPU runs.
    unsafe { bindings::pcpu_set_smt(bindings::vmcore_rs_mtid_prev()) };
    let mut count = 1;
    for_each_other_cpu(|_| count += 1);

    let size = count * core::mem::size_of::<SaveArea>();
    // SAFETY: Early boot allocations; both return zeroed memory or null.
    let (areas, page) = unsafe {
        (
            bindings::vmcore_rs_memblock_alloc(size, 8).cast::<SaveArea>(),
            bindings::vmcore_rs_memblock_alloc_low(PAGE_SIZE, PAGE_SIZE).cast::<u8>(),
        )
    };
    if areas.is_null() || page.is_null() {
        panic!("vmcore_rs: no memory for the CPU save areas");
    }
    // SAFETY: `areas` is a fresh, zeroed allocation of `count` save areas,
    // and an all-zero `SaveArea` (integers only) is valid.
    let areas = unsafe { core::slice::from_raw_parts_mut(areas, count) };
    // SAFETY: `page` is a fresh allocation of `PAGE_SIZE` bytes.
    let status = unsafe { &*page.cast::<[u8; SaveArea::REGS_LEN]>() };
    // SAFETY: The page is memblock memory with a physical address.
    let status_pa = unsafe { bindings::vmcore_rs_pa(page.cast()) };
    // SAFETY: Facility query.
    let has_vx = unsafe { bindings::vmcore_rs_has_vx() };

    let mut next = 1;
    for_each_other_cpu(|addr| {
        if next == count {
            return;
        }
        // SAFETY: The stopped CPU stores its status into `page`, which is
        // ours, below 2 GiB and page aligned.
        unsafe {
            bindings::vmcore_rs_sigp(
                addr,
                bindings::SIGP_STORE_STATUS_AT_ADDRESS as u8,
                status_pa,
            )
        };
        let mut sa = SaveArea::from_regs(status);
        if has_vx {
            // SAFETY: As above; the additional status (32 vector registers,
            // 512 bytes) needs a 1 KiB aligned area, the page is.
            unsafe {
                bindings::vmcore_rs_sigp(
                    addr,
                    bindings::SIGP_STORE_ADDITIONAL_STATUS as u8,
                    status_pa,
                )
            };
            sa.add_vxrs(status);
        }
        areas[next] = sa;
        next += 1;
    });
    // SAFETY: `page` came from memblock with this size.
    unsafe { bindings::memblock_free(page.cast(), PAGE_SIZE) };

    SAVE_AREAS.store(areas.as_mut_ptr(), Ordering::Release);
    NR_SAVE_AREAS.store(next, Ordering::Release);

    // Without the C /proc/vmcore nobody else resets the system, which puts
    // the other CPUs and the I/O into a clean state for this kernel.
    if cfg!(not(CONFIG_PROC_VMCORE)) {
        // SAFETY: Early boot, the registers are saved; this is what
        // `smp_save_dump_secondary_cpus()` does last.
        unsafe {
            bindings::vmcore_rs_system_reset();
            bindings::pcpu_set_smt(0);
        }
    }
}

/// Saves the boot CPU's vector registers as `early.c` stored them at boot,
/// and for kdump its registers from the old absolute lowcore. For zfcpdump
/// the lowcore is in the HSA, which cannot be read this early:
/// [`read_boot_cpu_regs`] reads it at initcall time.
#[no_mangle]
#[link_section = ".init.text"]
pub extern "C" fn s390_vmcore_rs_save_boot_cpu() {
    let Some(mode) = oldmem::mode() else {
        return;
    };
    let ptr = SAVE_AREAS.load(Ordering::Acquire);
    if ptr.is_null() {
        return;
    }
    // SAFETY: By the invariant of `SAVE_AREAS`, element 0 is the boot CPU's
    // and nothing else accesses it during init.
    let sa = unsafe { &mut *ptr };
    // SAFETY: Facility query.
    if unsafe { bindings::vmcore_rs_has_vx() } {
        // SAFETY: `boot_cpu_vector_save_area` is init data of 32 vector
        // registers (512 bytes) written by `early.c` before this runs.
        let vxrs = unsafe {
            &*core::ptr::addr_of!(bindings::boot_cpu_vector_save_area)
                .cast::<[u8; SaveArea::REGS_LEN]>()
        };
        sa.add_vxrs(vxrs);
    }
    if let OldMemMode::Kdump { .. } = mode {
        read_boot_cpu_regs(mode);
    }
}

/// Reads the boot CPU's registers from the old absolute lowcore (in the
/// HSA for zfcpdump) into its save area, keeping its vector registers.
/// Logs and leaves the CPU out of the dump (prefix 0) when they cannot be
/// read.
#[link_section = ".init.text"]
pub(crate) fn read_boot_cpu_regs(mode: OldMemMode) {
    let ptr = SAVE_AREAS.load(Ordering::Acquire);
    if ptr.is_null() {
        return;
    }
    let mut regs = [0u8; SaveArea::REGS_LEN];
    if oldmem::Kernel(mode)
        .read(LC_FPREGS_SAVE_AREA, &mut regs)
        .is_err()
    {
        pr_warn!("cannot read the boot CPU's registers, dump without them\n");
        return;
    }
    // SAFETY: By the invariant of `SAVE_AREAS`, element 0 is the boot CPU's
    // and nothing else accesses it during init.
    let sa = unsafe { &mut *ptr };
    *sa = SaveArea {
        vxrs_low: sa.vxrs_low,
        vxrs_high: sa.vxrs_high,
        ..SaveArea::from_regs(&regs)
    };
}
