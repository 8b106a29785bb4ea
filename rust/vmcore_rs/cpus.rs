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
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use kernel::{bindings, c_str, prelude::*};
use s390_vmcore::{OldMem, OldMemMode, SaveArea};

/// Lowcore offset of the 512-byte register save area (`__LC_FPREGS_SAVE_AREA`).
const LC_FPREGS_SAVE_AREA: u64 = 0x1200;
/// One page for the SIGP status stores.
const PAGE_SIZE: usize = s390_vmcore::PAGE_SIZE as usize;

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

/// The complete save areas, once published by [`publish`].
///
/// INVARIANT: null, or `NR_SAVE_AREAS` initialised `SaveArea`s in memory
/// that is never freed and never written again.
static SAVE_AREAS: AtomicPtr<SaveArea> = AtomicPtr::new(core::ptr::null_mut());
static NR_SAVE_AREAS: AtomicUsize = AtomicUsize::new(0);

/// The saved CPUs, boot CPU first, once they are complete; empty before
/// that and when this is no dump kernel.
pub(crate) fn save_areas() -> &'static [SaveArea] {
    let ptr = SAVE_AREAS.load(Ordering::Acquire);
    if ptr.is_null() {
        return &[];
    }
    // SAFETY: By the invariant of `SAVE_AREAS`, `ptr` points to
    // `NR_SAVE_AREAS` initialised elements that live forever and are no
    // longer written; the acquire load orders their writes before us.
    unsafe { core::slice::from_raw_parts(ptr, NR_SAVE_AREAS.load(Ordering::Relaxed)) }
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
    NR_SAVE_AREAS.store(areas.len(), Ordering::Relaxed);
    // INVARIANT: `areas` is consumed here, and `PENDING` no longer holds
    // it, so nothing can write the elements again.
    SAVE_AREAS.store(areas.as_mut_ptr(), Ordering::Release);
}

/// Calls `f` with the address of every CPU of the crashed system but this
/// one that answers SIGP sense.
fn for_each_other_cpu(mut f: impl FnMut(u16)) {
    // SAFETY: `sclp.mtid_prev` is set by the early SCLP code and only read
    // afterwards; STAP only stores this CPU's address.
    let (mtid, boot) = unsafe { (mtid_prev(), bindings::stap()) };
    let max = bindings::SCLP_MAX_CORES << mtid;
    for addr in 0..=max {
        let addr = addr as u16;
        if addr == boot {
            continue;
        }
        // SAFETY: SIGP sense only queries the state of the addressed CPU
        // and stores nothing.
        let cc = unsafe { sigp(addr, bindings::SIGP_SENSE as u8, 0) };
        if cc != bindings::SIGP_CC_NOT_OPERATIONAL as i32 {
            f(addr);
        }
    }
}

/// The SMT thread id of the crashed system (`sclp.mtid_prev`).
///
/// # Safety
///
/// The early SCLP code must have set up `sclp`, which it does before
/// `setup_arch()` calls into this crate.
unsafe fn mtid_prev() -> u32 {
    // SAFETY: By the function's contract `sclp` is set up and no longer
    // written.
    unsafe { bindings::sclp.mtid_prev }
}

/// Signals CPU `addr` with `order` and `parm`, retrying while it is busy
/// (`__pcpu_sigp_relax()` in `arch/s390/kernel/smp.c`).
///
/// Returns the condition code (`SIGP_CC_*`, Principles of Operation,
/// "Signal Processor").
///
/// # Safety
///
/// The order must be one whose effects the caller accounts for: a store
/// status order stores into the real page at `parm`.
unsafe fn sigp(addr: u16, order: u8, parm: usize) -> i32 {
    loop {
        // SAFETY: By the function's contract.
        let cc = unsafe { bindings::__pcpu_sigp(addr, order, parm, core::ptr::null_mut()) };
        if cc != bindings::SIGP_CC_BUSY as i32 {
            return cc;
        }
        core::hint::spin_loop();
    }
}

/// Copies what the last SIGP store left in the status page.
///
/// One volatile load per doubleword, in a loop: a volatile load of the
/// whole array is split into 512 byte loads and stores, which took 16 KiB
/// of code for the two calls.
///
/// # Safety
///
/// `page` must be valid for reads of [`SaveArea::REGS_LEN`] bytes, 8-byte
/// aligned, and no CPU may store into it during the call.
unsafe fn read_status(page: *const u8) -> [u8; SaveArea::REGS_LEN] {
    let mut regs = [0u8; SaveArea::REGS_LEN];
    for (i, dw) in regs.chunks_exact_mut(8).enumerate() {
        // Volatile: the CPU stored into the page behind the compiler's
        // back, by its physical address.
        // SAFETY: `page` is aligned and holds `REGS_LEN` bytes (the
        // function's contract): doubleword `i < REGS_LEN / 8` is readable.
        let v = unsafe { core::ptr::read_volatile(page.cast::<u64>().add(i)) };
        dw.copy_from_slice(&v.to_ne_bytes());
    }
    regs
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
    #[cfg(not(CONFIG_PROC_VMCORE))]
    if oldmem::mode().is_some() {
        // SAFETY: Early boot, only this CPU runs; `setup_arch()` reset the
        // variable to ELFCORE_ADDR_MAX before, and nothing reads it yet.
        // ELFCORE_ADDR_NEWMEM is (-3ULL) in include/linux/crash_dump.h.
        unsafe { bindings::elfcorehdr_addr = u64::MAX - 2 };
    }
    // Switch to the crashed system's SMT mode so that its threads answer.
    // SAFETY: Early boot, only this CPU runs, and no other CPU was started.
    unsafe { bindings::pcpu_set_smt(mtid_prev()) };
    let mut count = 1;
    for_each_other_cpu(|_| count += 1);

    let size = count * core::mem::size_of::<SaveArea>();
    // SAFETY: memblock is up (this runs from `setup_arch()` after
    // `setup_memory()`); `vmcore_rs_early_alloc()` returns zeroed memory,
    // the page below 2 GiB, or null, checked below.
    let (areas, page) = unsafe {
        (
            bindings::vmcore_rs_early_alloc(size, 8, false).cast::<SaveArea>(),
            bindings::vmcore_rs_early_alloc(PAGE_SIZE, PAGE_SIZE, true).cast::<u8>(),
        )
    };
    if areas.is_null() || page.is_null() {
        crate::panic(c_str!("vmcore_rs: no memory for the CPU save areas"));
    }
    // SAFETY: `areas` is a fresh, zeroed allocation of `count` save areas
    // that nothing else points to, never freed; an all-zero `SaveArea`
    // (integers only) is valid.
    let areas = unsafe { core::slice::from_raw_parts_mut(areas, count) };
    // SAFETY: `page` is memblock memory, which is in the identity mapping.
    let status_pa = unsafe { bindings::virt_to_phys(page.cast()) };
    let has_vx = crate::has_vx();

    let mut next = 1;
    for_each_other_cpu(|addr| {
        if next == count {
            return;
        }
        // SAFETY: The stopped CPU stores its status into `page`, which is
        // ours, below 2 GiB and page aligned; the call returns when the
        // order is accepted, and a stopped CPU stores at once.
        unsafe {
            sigp(
                addr,
                bindings::SIGP_STORE_STATUS_AT_ADDRESS as u8,
                status_pa,
            )
        };
        // SAFETY: `page` holds a page and is page aligned; the store above
        // is complete.
        let mut sa = SaveArea::from_regs(&unsafe { read_status(page) });
        if has_vx {
            // SAFETY: As above; the additional status (32 vector registers,
            // 512 bytes) needs a 1 KiB aligned area, the page is.
            unsafe {
                sigp(
                    addr,
                    bindings::SIGP_STORE_ADDITIONAL_STATUS as u8,
                    status_pa,
                )
            };
            // SAFETY: As above.
            sa.add_vxrs(&unsafe { read_status(page) });
        }
        areas[next] = sa;
        next += 1;
    });
    // SAFETY: `page` came from `vmcore_rs_early_alloc()` with this size,
    // and no CPU stores into it any more.
    unsafe { bindings::vmcore_rs_early_free(page.cast(), PAGE_SIZE) };
    put_pending(&mut areas[..next]);

    // Without the C /proc/vmcore nobody else resets the system, which puts
    // the other CPUs and the I/O into a clean state for this kernel.
    if cfg!(not(CONFIG_PROC_VMCORE)) {
        // This is what `smp_save_dump_secondary_cpus()` does last, before
        // any CPU or device of this kernel is set up. `diag_amode31_ops` is
        // static, relocated by `relocate_amode31_section()` before
        // `setup_arch()` calls us, and only read afterwards.
        // SAFETY: Early boot, the registers are saved; the ops are set up.
        unsafe {
            match bindings::diag_amode31_ops.diag308_reset {
                Some(reset) => reset(),
                None => crate::panic(c_str!("vmcore_rs: no diag 308 reset")),
            }
            bindings::pcpu_set_smt(0);
        }
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
    if crate::has_vx() {
        // SAFETY: `vmcore_rs_boot_cpu_vxrs()` is `boot_cpu_vector_save_area`,
        // init data of 32 vector registers (512 bytes) written by `early.c`
        // before this runs (from `setup_arch()`) and not written again.
        let vxrs =
            unsafe { &*bindings::vmcore_rs_boot_cpu_vxrs().cast::<[u8; SaveArea::REGS_LEN]>() };
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
