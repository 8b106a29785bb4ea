// SPDX-License-Identifier: GPL-2.0

//! Operation tables of C (`proc_ops`, `file_operations`,
//! `vm_operations_struct`) built at compile time: all zeroes but the
//! callbacks set, as `pin_init::zeroed()` builds them in later kernels.

use kernel::bindings;

/// A C struct for which all zeroes is a valid value.
///
/// # Safety
///
/// All zeroes must be a valid value of the type (no references, no
/// non-nullable pointers, no enums without a zero value).
pub(crate) unsafe trait Zeroable {}

// SAFETY: Plain data: integers, flags and optional callbacks.
unsafe impl Zeroable for bindings::proc_ops {}
// SAFETY: Plain data: optional callbacks and a nullable `owner` pointer.
unsafe impl Zeroable for bindings::file_operations {}
// SAFETY: Plain data: optional callbacks and a nullable `name` callback.
unsafe impl Zeroable for bindings::vm_operations_struct {}

/// All zeroes: no callbacks, no flags.
pub(crate) const fn zeroed<T: Zeroable>() -> T {
    // SAFETY: All zeroes is a valid `T` by the trait's contract.
    unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
}

/// An operation table that a `static` holds for C to read.
///
/// # Invariants
///
/// The table holds callbacks and zeroes only (no pointer to data), and it
/// has no interior mutability: shared, it is only read.
pub(crate) struct OpsTable<T: Zeroable>(T);

impl<T: Zeroable> OpsTable<T> {
    /// `table`, which holds only callbacks (functions) and zeroes.
    pub(crate) const fn new(table: T) -> Self {
        // INVARIANT: Built at compile time from functions and zeroes.
        Self(table)
    }

    /// The table, for C.
    pub(crate) const fn get(&self) -> &T {
        &self.0
    }
}

// SAFETY: By the type invariant the table has no interior mutability and
// points to no data, only to functions, so threads may share it.
unsafe impl<T: Zeroable> Sync for OpsTable<T> {}
