// SPDX-License-Identifier: GPL-2.0

//! Time and sleeping, as the kernel crate of later kernels has them
//! (`kernel::time`, `kernel::time::delay::fsleep`).

use kernel::bindings;

/// The monotonic clock in nanoseconds (`ktime_get()`).
pub(crate) fn ktime_get() -> i64 {
    // SAFETY: `ktime_get()` has no preconditions once timekeeping is up,
    // which is before the first initcall and before any file operation.
    unsafe { bindings::ktime_get() }
}

/// Lets other tasks run if one should (`cond_resched()`): only in process
/// context without a spinlock held (during boot it does nothing).
pub(crate) fn cond_resched() {
    // SAFETY: Callers run in process context with no spinlock held.
    unsafe { bindings::cond_resched() };
}

/// Sleeps for `ms` milliseconds (`msleep()`): only in process context
/// without a spinlock held. Test kernel only (its only user).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub(crate) fn msleep(ms: u32) {
    // SAFETY: Callers run in process context with no spinlock held.
    unsafe { bindings::msleep(ms) };
}
