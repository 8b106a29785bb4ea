// SPDX-License-Identifier: GPL-2.0

//! What boot fixed before this driver runs: the machine's facilities, the
//! crashkernel area, the IPL type, the HSA size, the memory layout.
//!
//! Each value here but `totalram_pages()` (an atomic counter) is a C
//! variable that the decompressor, the early SCLP code, `setup_arch()` or
//! an early parameter writes before the first call into this driver
//! (`vmcore_rs_save_cpus()` from `setup_arch()`), and that nothing writes
//! afterwards, so reading it races with no write.

use kernel::bindings;
use s390_vmcore::MachineFacts;

/// The crashkernel area of a kdump kernel, `(start, size)` in bytes
/// (`oldmem_data`), or `None` in any other kernel.
pub(crate) fn oldmem_area() -> Option<(u64, u64)> {
    // SAFETY: Written by the decompressor, only read afterwards (above).
    let (start, size) = unsafe { (bindings::oldmem_data.start, bindings::oldmem_data.size) };
    (start != 0).then_some((start as u64, size as u64))
}

/// Whether this kernel was IPLed as a stand-alone (zfcp or NVMe) dump.
pub(crate) fn is_ipl_type_dump() -> bool {
    // SAFETY: The IPL type is set up by `setup_arch()` before this driver
    // runs and only read afterwards.
    unsafe { bindings::is_ipl_type_dump() }
}

/// The HSA size in bytes the SCLP reported (`sclp.hsa_size`), 0 for none.
pub(crate) fn sclp_hsa_size() -> u64 {
    // SAFETY: Set by the early SCLP code, only read afterwards (above).
    unsafe { bindings::sclp.hsa_size as u64 }
}

/// The SMT thread id of the crashed system (`sclp.mtid_prev`).
pub(crate) fn mtid_prev() -> u32 {
    // SAFETY: Set by the early SCLP code, only read afterwards (above).
    unsafe { bindings::sclp.mtid_prev }
}

/// Whether the machine has the vector facility (facility 129).
pub(crate) fn has_vx() -> bool {
    // SAFETY: The facility list is stored at boot and only read afterwards.
    unsafe { bindings::test_facility(129) }
}

/// What sizes the mapping of old memory, as boot left it
/// ([`MachineFacts::window`] decides the mapping from it).
pub(crate) fn machine_facts() -> MachineFacts {
    // The shims read the lowcore's machine flags, the page allocator's
    // counter and the debug_pagealloc switch.
    // SAFETY: `vm_layout` and `max_mappable` are written by the
    // decompressor, the machine flags by early setup, and only read
    // afterwards; `totalram_pages()` reads an atomic counter.
    unsafe {
        MachineFacts {
            identity_size: bindings::vm_layout.identity_size as u64,
            max_mappable: bindings::max_mappable as u64,
            total_pages: bindings::totalram_pages() as u64,
            edat1: bindings::MACHINE_HAS_EDAT1(),
            edat2: bindings::MACHINE_HAS_EDAT2(),
            debug_pagealloc: bindings::debug_pagealloc_enabled(),
        }
    }
}

/// Test kernel only: the test HSA size of `vmcore_rs_test_hsa=` (bytes, 0
/// for none).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub(crate) fn test_hsa_size() -> u64 {
    // SAFETY: Written by the early parameter only, read afterwards.
    unsafe { bindings::vmcore_rs_test_hsa_size() as u64 }
}

/// Test kernel only: `vmcore_rs_test_map_cap=` (bytes, 0 for none).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub(crate) fn test_map_cap() -> u64 {
    // SAFETY: Written by the early parameter only, read afterwards.
    unsafe { bindings::vmcore_rs_test_map_cap() as u64 }
}

/// What `elfcorehdr_addr` says of the ELF core header.
pub(crate) enum ElfcorehdrAddr {
    /// `ELFCORE_ADDR_NEWMEM` (-3): built in this kernel's memory; makes
    /// `is_kdump_kernel()` true. (Beside the C `/proc/vmcore`, C marks it.)
    #[cfg_attr(CONFIG_PROC_VMCORE, allow(dead_code))]
    NewMem,
    /// `ELFCORE_ADDR_ERR` (-2): unusable (`is_vmcore_usable()` false).
    Err,
}

/// Sets `elfcorehdr_addr` (`include/linux/crash_dump.h`).
///
/// # Safety
///
/// Only while one thread sets the dump up, early in `setup_arch()` or in
/// the dump's initcall, where nothing else reads or writes the variable.
pub(crate) unsafe fn set_elfcorehdr_addr(addr: ElfcorehdrAddr) {
    let value = match addr {
        ElfcorehdrAddr::NewMem => u64::MAX - 2,
        ElfcorehdrAddr::Err => u64::MAX - 1,
    };
    // SAFETY: By the function's contract no one else accesses it now.
    unsafe { bindings::elfcorehdr_addr = value };
}
