// SPDX-License-Identifier: GPL-2.0

//! What the early CPU save does while `setup_arch()` runs: switch the SMT
//! mode, allocate from memblock, have the stopped CPUs store their status,
//! reset the system.

use core::marker::PhantomData;
use kernel::bindings;
use s390_vmcore::SaveArea;

use kernel::page::PAGE_SIZE as PAGE;

/// Proof that we run early in `setup_arch()`: on the one CPU started, with
/// interrupts off, memblock up and no other CPU or device of this kernel
/// set up. Neither `Send` nor `Sync`: it stays on that CPU.
///
/// # Invariants
///
/// While a value exists, only the boot CPU runs, memblock is up and no
/// other CPU or device of this kernel is set up.
pub(crate) struct EarlyBoot(PhantomData<*mut ()>);

impl EarlyBoot {
    /// The token, for the early CPU save.
    ///
    /// # Safety
    ///
    /// Only from `setup_arch()`, after `setup_memory()` and before
    /// `smp_prepare_cpus()`, and the token must be dropped before
    /// `setup_arch()` goes on: one CPU runs, memblock is up.
    pub(crate) unsafe fn new() -> Self {
        // INVARIANT: By the function's contract.
        Self(PhantomData)
    }

    /// This CPU's address (STAP).
    pub(crate) fn this_cpu_address(&self) -> u16 {
        // SAFETY: STAP only stores this CPU's address.
        unsafe { bindings::stap() }
    }

    /// Signals CPU `addr` with `order` and `parm`, retrying while it is
    /// busy (`__pcpu_sigp_relax()` in `arch/s390/kernel/smp.c`); returns
    /// the condition code (`SIGP_CC_*`, Principles of Operation, "Signal
    /// Processor").
    ///
    /// # Safety
    ///
    /// The order's effects are the caller's to account for.
    unsafe fn sigp(&self, addr: u16, order: u32, parm: usize) -> i32 {
        loop {
            // SAFETY: By the function's contract.
            let cc =
                unsafe { bindings::__pcpu_sigp(addr, order as u8, parm, core::ptr::null_mut()) };
            if cc != bindings::SIGP_CC_BUSY as i32 {
                return cc;
            }
            core::hint::spin_loop();
        }
    }

    /// Whether CPU `addr` answers SIGP sense (exists, not "not
    /// operational").
    pub(crate) fn cpu_exists(&self, addr: u16) -> bool {
        // SAFETY: SIGP sense only queries the state of the addressed CPU
        // and stores nothing.
        let cc = unsafe { self.sigp(addr, bindings::SIGP_SENSE, 0) };
        cc != bindings::SIGP_CC_NOT_OPERATIONAL as i32
    }

    /// Switches the machine to SMT thread id `mtid` (`pcpu_set_smt()`),
    /// so that threads of that mode answer.
    pub(crate) fn set_smt(&self, mtid: u32) {
        // SAFETY: No other CPU of this kernel was started (the token).
        unsafe { bindings::pcpu_set_smt(mtid) };
    }

    /// `count` zeroed save areas from memblock, never freed; `None` without
    /// memory.
    pub(crate) fn alloc_save_areas(&self, count: usize) -> Option<&'static mut [SaveArea]> {
        let size = count.checked_mul(core::mem::size_of::<SaveArea>())?;
        let align = core::mem::align_of::<SaveArea>();
        // SAFETY: memblock is up (the token); the call returns zeroed
        // memory or null.
        let ptr = unsafe { bindings::vmcore_rs_early_alloc(size, align, false) }.cast::<SaveArea>();
        if ptr.is_null() {
            return None;
        }
        // SAFETY: A fresh, zeroed allocation of `count` save areas that
        // nothing else points to and that is never freed; all zeroes is a
        // valid `SaveArea` (integers only).
        Some(unsafe { core::slice::from_raw_parts_mut(ptr, count) })
    }

    /// A page below 2 GiB for the SIGP status stores; `None` without memory.
    pub(crate) fn status_page(&self) -> Option<StatusPage<'_>> {
        // SAFETY: memblock is up (the token); the call returns a zeroed page
        // below 2 GiB or null.
        let page = unsafe { bindings::vmcore_rs_early_alloc(PAGE, PAGE, true) }.cast::<u8>();
        let page = core::ptr::NonNull::new(page)?;
        // SAFETY: memblock memory is in the identity mapping.
        let phys = unsafe { bindings::virt_to_phys(page.as_ptr().cast()) };
        // INVARIANT: Just allocated, below 2 GiB, page aligned.
        Some(StatusPage {
            page,
            phys,
            boot: self,
        })
    }

    /// Resets the system (diag 308 subcode 1, as
    /// `smp_save_dump_secondary_cpus()` ends), then leaves SMT mode; false
    /// when there is no reset function.
    pub(crate) fn reset_system(&self) -> bool {
        // `diag_amode31_ops` is static, relocated by
        // `relocate_amode31_section()` before `setup_arch()` calls us, and
        // only read afterwards.
        // SAFETY: Early boot: one CPU, no CPU or device of this kernel set
        // up yet (the token), which the reset leaves in a clean state.
        let Some(reset) = (unsafe { bindings::diag_amode31_ops.diag308_reset }) else {
            return false;
        };
        // SAFETY: As above.
        unsafe { reset() };
        self.set_smt(0);
        true
    }
}

/// A page below 2 GiB from memblock that the stopped CPUs store their
/// status into, freed when dropped.
///
/// # Invariants
///
/// `page` is a page-aligned memblock page below 2 GiB at physical `phys`,
/// ours alone, freed once, in `drop`.
pub(crate) struct StatusPage<'a> {
    page: core::ptr::NonNull<u8>,
    phys: usize,
    boot: &'a EarlyBoot,
}

impl StatusPage<'_> {
    /// Copies what the last SIGP store left in the page.
    ///
    /// One volatile load per doubleword, in a loop: a volatile load of the
    /// whole array is split into 512 byte loads and stores, which took
    /// 16 KiB of code for the two callers.
    fn read(&self) -> [u8; SaveArea::REGS_LEN] {
        let mut regs = [0u8; SaveArea::REGS_LEN];
        for (i, dw) in regs.chunks_exact_mut(8).enumerate() {
            // Volatile: the CPU stored into the page behind the compiler's
            // back, by its physical address.
            // SAFETY: By the type invariant the page is ours, aligned and
            // 4 KiB long: doubleword `i < REGS_LEN / 8` is readable.
            let v = unsafe { core::ptr::read_volatile(self.page.as_ptr().cast::<u64>().add(i)) };
            dw.copy_from_slice(&v.to_ne_bytes());
        }
        regs
    }

    /// The status of stopped CPU `addr` (SIGP store status at address):
    /// its registers as `SaveArea::from_regs` reads them.
    pub(crate) fn store_status(&mut self, addr: u16) -> [u8; SaveArea::REGS_LEN] {
        // SAFETY: The CPU stores its status into our page (the type
        // invariant: ours, below 2 GiB, page aligned); the call returns when
        // the order is accepted, and a stopped CPU stores at once.
        unsafe {
            self.boot
                .sigp(addr, bindings::SIGP_STORE_STATUS_AT_ADDRESS, self.phys)
        };
        self.read()
    }

    /// The vector registers of stopped CPU `addr` (SIGP store additional
    /// status: 32 registers, 512 bytes, into a 1 KiB aligned area).
    pub(crate) fn store_additional_status(&mut self, addr: u16) -> [u8; SaveArea::REGS_LEN] {
        // SAFETY: As in `store_status`; the page is 1 KiB aligned.
        unsafe {
            self.boot
                .sigp(addr, bindings::SIGP_STORE_ADDITIONAL_STATUS, self.phys)
        };
        self.read()
    }
}

impl Drop for StatusPage<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant a memblock page of this size, freed
        // once; no CPU stores into it any more (each store completed).
        unsafe { bindings::vmcore_rs_early_free(self.page.as_ptr().cast(), PAGE) };
    }
}
