// SPDX-License-Identifier: GPL-2.0

//! Time and sleeping: the monotonic clock of the kernel crate's
//! `Ktime`, and the calls that may sleep, which its 6.12 version lacks.

use kernel::bindings;

/// The monotonic clock in nanoseconds (`ktime_get()`).
pub(crate) fn ktime_get() -> i64 {
    kernel::time::Ktime::ktime_get().to_ns()
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
