// SPDX-License-Identifier: GPL-2.0

//! A destination `struct iov_iter`: where the bytes of a read go.
//!
//! Shaped like `kernel::iov::IovIterDest` of later kernels, with the
//! copies this driver needs besides `copy_to_iter()`: one with page faults
//! disabled and its fault-in, and one from real memory.

use core::marker::PhantomData;
use kernel::bindings;
use kernel::types::Opaque;

/// A destination `iov_iter` (`ITER_DEST`): user or kernel memory that
/// copies write into, advancing it.
///
/// # Invariants
///
/// `iov` is a valid `iov_iter` of direction `ITER_DEST`, used by nothing
/// else while this value is borrowed, whose buffers are valid for writes
/// for `'data`.
#[repr(transparent)]
pub(crate) struct IovIterDest<'data> {
    iov: Opaque<bindings::iov_iter>,
    _data: PhantomData<&'data mut [u8]>,
}

impl<'data> IovIterDest<'data> {
    /// The `iov_iter` at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` points to a valid `iov_iter` of direction `ITER_DEST` that
    /// nothing else uses for `'iov`, whose buffers are valid for writes for
    /// `'data`.
    pub(crate) unsafe fn from_raw<'iov>(ptr: *mut bindings::iov_iter) -> &'iov mut Self {
        // SAFETY: `Self` is a transparent wrapper of `iov_iter`; by the
        // function's contract `ptr` is valid and ours for `'iov`.
        // INVARIANT: By the function's contract.
        unsafe { &mut *ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::iov_iter {
        self.iov.get()
    }

    /// The bytes the destination still takes (`iov_iter_count()`).
    pub(crate) fn len(&self) -> usize {
        // SAFETY: By the type invariant, a valid `iov_iter`.
        unsafe { bindings::iov_iter_count(self.as_raw()) }
    }

    /// Copies `input` into the destination (`copy_to_iter()`); returns the
    /// bytes copied, fewer where a user page faults.
    pub(crate) fn copy_to_iter(&mut self, input: &[u8]) -> usize {
        // SAFETY: `input` is valid for reads of its length; by the type
        // invariant the destination is valid for writes and ours.
        unsafe { bindings::copy_to_iter(input.as_ptr().cast(), input.len(), self.as_raw()) }
    }

    /// [`Self::copy_to_iter`] with page faults disabled, for callers that
    /// hold a lock a fault may need: a destination page that is not there
    /// ends the copy short instead of being faulted in
    /// ([`Self::fault_in_writeable`] does that, without the lock).
    pub(crate) fn copy_to_iter_nofault(&mut self, input: &[u8]) -> usize {
        // SAFETY: As in `copy_to_iter`; between `pagefault_disable()` and
        // `pagefault_enable()` nothing sleeps.
        unsafe {
            bindings::pagefault_disable();
            let n = bindings::copy_to_iter(input.as_ptr().cast(), input.len(), self.as_raw());
            bindings::pagefault_enable();
            n
        }
    }

    /// Faults in the next `len` bytes of the destination for writing
    /// (`fault_in_iov_iter_writeable()`); returns the bytes that could not
    /// be, 0 when all were. May sleep: no spinlock may be held.
    pub(crate) fn fault_in_writeable(&mut self, len: usize) -> usize {
        // SAFETY: By the type invariant, a valid `iov_iter`; the call only
        // touches its pages.
        unsafe { bindings::fault_in_iov_iter_writeable(self.as_raw(), len) }
    }

    /// Copies `len` bytes of real memory at physical `paddr` into the
    /// destination with `memcpy_real_iter()`, which maps each page itself
    /// under a mutex; returns the bytes copied. May sleep.
    ///
    /// # Safety
    ///
    /// `[paddr, paddr + len)` must be memory of this machine (a hole takes
    /// an addressing exception), and the caller must be in process context
    /// without a spinlock held.
    pub(crate) unsafe fn copy_from_real(&mut self, paddr: u64, len: usize) -> usize {
        // SAFETY: By the type invariant, a valid destination; the source is
        // memory of this machine (the function's contract), read through
        // `memcpy_real_iter()`'s own mapping, read only.
        unsafe { bindings::memcpy_real_iter(self.as_raw(), paddr as usize, len) }
    }
}

/// Calls `f` with `buf` as a destination `iov_iter` (`iov_iter_kvec()`),
/// for code that reads the dump into a kernel buffer; returns what `f`
/// returns.
pub(crate) fn with_kvec<R>(buf: &mut [u8], f: impl FnOnce(&mut IovIterDest<'_>) -> R) -> R {
    let kvec = bindings::kvec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut iter = bindings::iov_iter::default();
    // SAFETY: `kvec` describes `buf`, valid for writes of its length, and
    // both outlive `iter`, which lives only in this call.
    unsafe { bindings::iov_iter_kvec(&mut iter, bindings::ITER_DEST, &kvec, 1, buf.len()) };
    // SAFETY: `iter` was just set up as a destination over `buf`, which is
    // borrowed for the call, and nothing else uses it.
    f(unsafe { IovIterDest::from_raw(&mut iter) })
}
