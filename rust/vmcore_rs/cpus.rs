// SPDX-License-Identifier: GPL-2.0

//! Early save of the crashed system's CPU registers.
//!
//! `setup_arch()` calls [`vmcore_rs_save_cpus`] right after
//! `reserve_crashkernel()`, before any CPU or device is set up, and
//! [`vmcore_rs_save_boot_cpu`] after `paging_init()`. The non-boot CPUs
//! are still stopped as the crashed system left them: each one is found
//! with SIGP sense and its status fetched with SIGP store status at address
//! (and store additional status for the vector registers), with the
//! machine first switched to the crashed system's SMT mode. The boot CPU's
//! registers were stored by the old kernel (kdump) or the firmware
//! (zfcpdump) in the old absolute lowcore, read through [`crate::oldmem`].
//!
//! Reference: `smp_save_dump_secondary_cpus()`, `smp_save_dump_ipl_cpu()`
//! in `arch/s390/kernel/smp.c`; Principles of Operation, "Signal Processor".

use crate::oldmem;
use crate::types::boot;
use crate::types::early::EarlyBoot;
use crate::types::set_once::SetOnce;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use kernel::{bindings, c_str, prelude::*};
use s390_vmcore::{OldMem, OldMemMode, SaveArea};

/// Lowcore offset of the 512-byte register save area (`__LC_FPREGS_SAVE_AREA`).
const LC_FPREGS_SAVE_AREA: u64 = 0x1200;

/// The save areas while they are filled, boot CPU first, then the others
/// by CPU address: from [`vmcore_rs_save_cpus`] until the boot CPU's
/// registers are in.
///
/// INVARIANT: null, or `PENDING_LEN` initialised `SaveArea`s in memblock
/// memory that is never freed, element 0 the boot CPU's, that nothing else
/// points to. Whoever swaps the pointer out owns them alone until it stores
/// them back here or publishes them in `SAVE_AREAS`.
static PENDING: AtomicPtr<SaveArea> = AtomicPtr::new(core::ptr::null_mut());
static PENDING_LEN: AtomicUsize = AtomicUsize::new(0);

/// The complete save areas, once published by [`publish`]; never written
/// again.
static SAVE_AREAS: SetOnce<&'static [SaveArea]> = SetOnce::new();

/// The saved CPUs, boot CPU first, once they are complete; empty before
/// that and when this is no dump kernel.
pub(crate) fn save_areas() -> &'static [SaveArea] {
    SAVE_AREAS.as_ref().copied().unwrap_or(&[])
}

/// Takes the save areas being filled, if there are any.
fn take_pending() -> Option<&'static mut [SaveArea]> {
    let ptr = PENDING.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if ptr.is_null() {
        return None;
    }
    // SAFETY: By the invariant of `PENDING`, `ptr` points to `PENDING_LEN`
    // initialised elements that live forever; the swap made us their only
    // owner, so no other reference to them exists.
    Some(unsafe { core::slice::from_raw_parts_mut(ptr, PENDING_LEN.load(Ordering::Relaxed)) })
}

/// Hands the save areas being filled back for the next step.
fn put_pending(areas: &'static mut [SaveArea]) {
    PENDING_LEN.store(areas.len(), Ordering::Relaxed);
    // INVARIANT: `areas` is the exclusive borrow from `take_pending()` or
    // the fresh allocation of `vmcore_rs_save_cpus()`, consumed here.
    PENDING.store(areas.as_mut_ptr(), Ordering::Release);
}

/// Publishes the complete save areas: from now on they are only read.
fn publish(areas: &'static mut [SaveArea]) {
    // `areas` is consumed here, and `PENDING` no longer holds it, so
    // nothing can write the elements again. Published once: the pending
    // areas are taken once for good.
    if !SAVE_AREAS.populate(areas) {
        pr_err!("the CPU save areas were published twice\n");
    }
}

/// Calls `f` with the address of every CPU of the crashed system but this
/// one that answers SIGP sense.
fn for_each_other_cpu(early: &EarlyBoot, mut f: impl FnMut(u16)) {
    let this = early.this_cpu_address();
    let max = bindings::SCLP_MAX_CORES << boot::mtid_prev();
    for addr in 0..=max {
        let addr = addr as u16;
        if addr != this && early.cpu_exists(addr) {
            f(addr);
        }
    }
}

/// Saves the registers of the crashed system's non-boot CPUs and reserves
/// the boot CPU's save area, whenever C's `dump_available()` would save
/// them; without the C `/proc/vmcore` then resets the system as
/// `smp_save_dump_secondary_cpus()` does. In a kernel without the C
/// `/proc/vmcore`, it also marks this as a kdump kernel
/// (`elfcorehdr_addr = ELFCORE_ADDR_NEWMEM`) when a dump can be built, so
/// that `is_kdump_kernel()` is true from here on.
///
/// Size first, allocate once, fill: one memblock allocation for all save
/// areas and one page below 2 GiB for the SIGP status stores. Panics when
/// memblock has no memory, like the C code: without the registers there is
/// no dump, and the panic lets the machine's panic action (a stand-alone
/// dump) take over.
#[no_mangle]
pub extern "C" fn vmcore_rs_save_cpus() {
    if !oldmem::dump_available() {
        return;
    }
    // SAFETY: `setup_arch()` calls us right after `reserve_crashkernel()`:
    // one CPU, memblock up, no other CPU started.
    let early = unsafe { EarlyBoot::new() };
    #[cfg(not(CONFIG_PROC_VMCORE))]
    if oldmem::mode().is_some() {
        // SAFETY: Early boot, only this CPU runs; `setup_arch()` reset the
        // variable before, and nothing reads it yet.
        unsafe { boot::set_elfcorehdr_addr(boot::ElfcorehdrAddr::NewMem) };
    }
    // Switch to the crashed system's SMT mode so that its threads answer.
    early.set_smt(boot::mtid_prev());
    let mut count = 1;
    for_each_other_cpu(&early, |_| count += 1);

    let (Some(areas), Some(mut page)) = (early.alloc_save_areas(count), early.status_page()) else {
        crate::panic(c_str!("vmcore_rs: no memory for the CPU save areas"));
    };
    let has_vx = boot::has_vx();
    let mut next = 1;
    for_each_other_cpu(&early, |addr| {
        if next == count {
            return;
        }
        let mut sa = SaveArea::from_regs(&page.store_status(addr));
        if has_vx {
            sa.add_vxrs(&page.store_additional_status(addr));
        }
        areas[next] = sa;
        next += 1;
    });
    drop(page);
    put_pending(&mut areas[..next]);

    // Without the C /proc/vmcore nobody else resets the system, which puts
    // the other CPUs and the I/O into a clean state for this kernel: what
    // `smp_save_dump_secondary_cpus()` does last, before any CPU or device
    // of this kernel is set up.
    if cfg!(not(CONFIG_PROC_VMCORE)) && !early.reset_system() {
        crate::panic(c_str!("vmcore_rs: no diag 308 reset"));
    }
}

/// Saves the boot CPU's vector registers as `early.c` stored them at boot,
/// and for kdump its registers from the old absolute lowcore, which
/// completes the save areas. For zfcpdump the lowcore is in the HSA, which
/// cannot be read this early: [`read_boot_cpu_regs`] completes them at
/// initcall time.
#[no_mangle]
pub extern "C" fn vmcore_rs_save_boot_cpu() {
    let Some(areas) = take_pending() else {
        return;
    };
    if boot::has_vx() {
        // SAFETY: The shim only returns an address.
        let ptr = unsafe { bindings::vmcore_rs_boot_cpu_vxrs() };
        // SAFETY: `ptr` is `boot_cpu_vector_save_area`, init data of 32
        // vector registers (512 bytes) written by `early.c` before this
        // runs (from `setup_arch()`) and not written again.
        let vxrs = unsafe { &*ptr.cast::<[u8; SaveArea::REGS_LEN]>() };
        areas[0].add_vxrs(vxrs);
    }
    match oldmem::mode() {
        Some(mode @ OldMemMode::Kdump { .. }) => {
            add_boot_cpu_regs(mode, &mut areas[0]);
            publish(areas);
        }
        _ => put_pending(areas),
    }
}

/// Reads the boot CPU's registers from the old absolute lowcore (in the
/// HSA for zfcpdump) into its save area and publishes the save areas.
pub(crate) fn read_boot_cpu_regs(mode: OldMemMode) {
    if let Some(areas) = take_pending() {
        add_boot_cpu_regs(mode, &mut areas[0]);
        publish(areas);
    }
}

/// Reads the boot CPU's registers from the old absolute lowcore into `sa`,
/// keeping its vector registers. Logs and leaves the CPU out of the dump
/// (prefix 0) when they cannot be read.
fn add_boot_cpu_regs(mode: OldMemMode, sa: &mut SaveArea) {
    let mut regs = [0u8; SaveArea::REGS_LEN];
    if oldmem::Kernel(mode)
        .read(LC_FPREGS_SAVE_AREA, &mut regs)
        .is_err()
    {
        pr_warn!("cannot read the boot CPU's registers, dump without them\n");
        return;
    }
    *sa = SaveArea {
        vxrs_low: sa.vxrs_low,
        vxrs_high: sa.vxrs_high,
        ..SaveArea::from_regs(&regs)
    };
}
