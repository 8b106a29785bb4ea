// SPDX-License-Identifier: GPL-2.0

//! The ELF core header's buffer: memory that `mmap()` maps to user space.

use kernel::bindings;
use kernel::prelude::*;

/// Zeroed, page-aligned memory from `vmalloc_user()`, which `mmap()` can
/// map to user space.
///
/// # Invariants
///
/// `ptr` is a `vmalloc_user()` allocation of `len` bytes that this value
/// owns.
pub(crate) struct UserBuf {
    ptr: core::ptr::NonNull<u8>,
    len: usize,
}

impl UserBuf {
    /// `len` zeroed bytes; `ENOMEM` without memory.
    pub(crate) fn new(len: usize) -> Result<Self> {
        // SAFETY: `vmalloc_user()` may be called in process context with
        // any size; it returns zeroed memory or null, checked below.
        let ptr = unsafe { bindings::vmalloc_user(len) }.cast::<u8>();
        let ptr = core::ptr::NonNull::new(ptr).ok_or(ENOMEM)?;
        // INVARIANT: `ptr` was just allocated with `len` bytes.
        Ok(Self { ptr, len })
    }

    /// The address of the first byte, for mapping.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl core::ops::Deref for UserBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: By the type invariant, `len` initialised (zeroed) bytes.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl core::ops::DerefMut for UserBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: By the type invariant, `len` bytes owned by `self`.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for UserBuf {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, a `vmalloc_user()` allocation.
        unsafe { bindings::vfree(self.ptr.as_ptr().cast()) };
    }
}

// SAFETY: `UserBuf` owns its memory (no thread affinity: `vfree()` may be
// called from any task), so it may move between threads.
unsafe impl Send for UserBuf {}
// SAFETY: Shared references only give `&[u8]` and the address, so threads
// sharing a `UserBuf` can only read it.
unsafe impl Sync for UserBuf {}
