// SPDX-License-Identifier: GPL-2.0

//! A value published once, at init, and read ever after: the dump, the HSA
//! reader. Shaped like `kernel::sync::SetOnce` of later kernels.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU8, Ordering};

const EMPTY: u8 = 0;
const WRITING: u8 = 1;
const SET: u8 = 2;

/// A cell written at most once; a `static` holds it, and what is stored
/// in it is never dropped (it lives for as long as the kernel runs).
///
/// # Invariants
///
/// `value` is initialised once `state` is `SET`, and never written again
/// after that; only the one caller that moved `state` from `EMPTY` to
/// `WRITING` writes it.
pub(crate) struct SetOnce<T> {
    state: AtomicU8,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: Readers only get `&T` once it is written (Acquire pairs with the
// writer's Release), and the value may have been made on another thread.
unsafe impl<T: Send + Sync> Sync for SetOnce<T> {}

impl<T> SetOnce<T> {
    /// An empty cell.
    pub(crate) const fn new() -> Self {
        // INVARIANT: Empty.
        Self {
            state: AtomicU8::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// Stores `value` if the cell is empty; returns whether it did (if not,
    /// `value` is dropped).
    #[must_use]
    pub(crate) fn populate(&self, value: T) -> bool {
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        // SAFETY: We moved `state` from `EMPTY` to `WRITING`: no one else
        // writes or reads `value` until it is `SET`.
        unsafe { (*self.value.get()).write(value) };
        // INVARIANT: Written, and never again.
        self.state.store(SET, Ordering::Release);
        true
    }

    /// The value, once stored.
    pub(crate) fn as_ref(&self) -> Option<&T> {
        if self.state.load(Ordering::Acquire) != SET {
            return None;
        }
        // SAFETY: By the type invariant, `SET` means written and never
        // written again; the Acquire load sees the write.
        Some(unsafe { (*self.value.get()).assume_init_ref() })
    }
}
