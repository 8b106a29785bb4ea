// SPDX-License-Identifier: GPL-2.0

//! `/proc/vmcore` for s390, in Rust.
//!
//! In a kdump or zfcpdump kernel this saves the crashed system's CPU
//! registers early in `setup_arch()` ([`cpus`]), builds the ELF core header
//! in this kernel's own memory at `fs_initcall` time (`elfcorehdr_addr ==
//! ELFCORE_ADDR_NEWMEM`), and serves the dump as a proc file ([`file`]),
//! reading the crashed system's memory through [`oldmem`].
//!
//! The byte layouts and every parser of old-memory data are in the
//! `s390_vmcore` crate, which is tested on the host; this crate is the glue.
//! Its [`types`] are the safe types over the C resources it uses (the
//! destination `iov_iter`, the VMA, the page-cache page, what boot fixed,
//! the early CPU primitives), each holding its `unsafe` inside; the other
//! modules keep `unsafe` only for the calls no type covers.
//! With `CONFIG_PROC_VMCORE=n` the file is `/proc/vmcore`; with
//! `CONFIG_PROC_VMCORE=y` it is `/proc/vmcore_rs`, beside the C one.
//!
//! Reference: `arch/s390/kernel/crash_dump.c`, `fs/proc/vmcore.c` (Linux 6.12).

mod cpus;
mod dump;
mod file;
mod hsa;
mod oldmem;
mod types;

use kernel::{bindings, prelude::*};

/// Prefix of this crate's `pr_*!` messages.
const __LOG_PREFIX: &[u8] = b"vmcore_rs\0";

pub use cpus::{vmcore_rs_save_boot_cpu, vmcore_rs_save_cpus};
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub use oldmem::{vmcore_rs_test_mapped, vmcore_rs_test_remap_oldmem, vmcore_rs_test_write_oldmem};

/// The kernel error for an error of the `s390_vmcore` crate: the one place
/// where they become errnos. Bad input, no memory and bugs of ours get
/// different numbers:
///
/// - `Read`: `EIO`, an I/O error of the old-memory source, as C
///   `/proc/vmcore` returns for a failed HSA read;
/// - `Invalid`: `EINVAL`, inconsistent data, as C `fs/proc/vmcore.c`
///   returns for a damaged ELF header;
/// - `TooBig`: `E2BIG`, a size over a limit (as for bpf and perf
///   attribute sizes);
/// - `Overflow`: `EOVERFLOW`, an address or size that does not fit 64 bits;
/// - `OutsideMemory`: `EFAULT`, a pointer found in old memory that points
///   outside it, as C `copy_oldmem_kernel()` fails for an unreadable old
///   address;
/// - `NoMemory`: `ENOMEM`;
/// - `BufferTooSmall`: `ERANGE`, what `getxattr(2)` and `getcwd(2)` return
///   for a buffer that is too small;
/// - `Internal`: `ENOTRECOVERABLE`, "state not recoverable": no input
///   explains it and a retry cannot help; no other path of `/proc/vmcore`
///   returns it, so it reads as the kernel bug it is.
fn to_kernel(e: s390_vmcore::Error) -> kernel::error::Error {
    use s390_vmcore::Error as E;
    match e {
        E::Read => EIO,
        E::Invalid => EINVAL,
        E::TooBig => E2BIG,
        E::Overflow => kernel::error::Error::from_errno(-(bindings::EOVERFLOW as i32)),
        E::OutsideMemory { .. } => EFAULT,
        E::NoMemory => ENOMEM,
        E::BufferTooSmall => ERANGE,
        E::Internal => kernel::error::Error::from_errno(-(bindings::ENOTRECOVERABLE as i32)),
    }
}

/// Panics the kernel with `msg` through C's `panic()`, as the C dump code
/// does where no dump can be built: the machine's panic action (a
/// stand-alone dump, a re-IPL) then takes over.
fn panic(msg: &CStr) -> ! {
    // SAFETY: `msg` is NUL terminated and has no conversion specifiers
    // (all callers pass literals without '%'), so `panic()` reads no
    // variadic arguments.
    unsafe { bindings::panic(msg.as_char_ptr()) }
}

/// Builds the dump and creates the proc file: called by the `fs_initcall`
/// of `arch/s390/kernel/crash_dump.c`, once the memory map, slab and proc
/// exist.
///
/// Returns also when this is no dump kernel or the dump cannot be built
/// (the reason is logged): boot goes on either way.
#[no_mangle]
pub extern "C" fn vmcore_rs_init() {
    dump::init();
}

/// Once the dump is served, creates the debugfs trust file and starts
/// mapping old real memory in the background
/// ([`oldmem::map_real_memory_in_background`]): called by the
/// `late_initcall` of `arch/s390/kernel/crash_dump.c`, after every
/// `fs_initcall`, so that neither delays the proc file and the worker
/// competes with no `fs_initcall` for the dump kernel's one CPU.
#[no_mangle]
pub extern "C" fn vmcore_rs_map_oldmem() {
    dump::map_real_memory();
}

/// Test kernel only: builds the ELF core header again and compares it with
/// the one served (`dump::rebuild`); called by the debugfs file
/// `vmcore_rs/rebuild` in `test.c`.
///
/// Returns 0 or a negative errno: `-ENOMEM` (an allocation failed),
/// `-ENODEV` (no dump), `-EINVAL` (the header differs), or the crate's
/// errno when the header cannot be built ([`to_kernel`]).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
#[no_mangle]
pub extern "C" fn vmcore_rs_test_rebuild() -> kernel::ffi::c_int {
    match dump::rebuild() {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Test kernel only: the size in bytes of the HSA window buffer, after
/// allocating it again as at boot when `realloc` (`hsa::test_realloc`);
/// called by the debugfs file `vmcore_rs/hsa_window` in `test.c`.
///
/// Returns the size, 0 without an HSA, or `-ENOMEM` (the old buffer is
/// kept).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
#[no_mangle]
pub extern "C" fn vmcore_rs_test_hsa_window(realloc: bool) -> kernel::ffi::c_long {
    if !realloc {
        return hsa::test_window_bytes() as kernel::ffi::c_long;
    }
    match hsa::test_realloc() {
        Ok(bytes) => bytes as kernel::ffi::c_long,
        Err(e) if e == ENODEV => 0,
        Err(e) => e.to_errno() as kernel::ffi::c_long,
    }
}
