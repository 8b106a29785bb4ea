// SPDX-License-Identifier: GPL-2.0

//! A page of a file's page cache, locked, as a fault handler fills it.

use kernel::bindings;
use kernel::prelude::*;

use kernel::page::PAGE_SIZE as PAGE;

/// A page of the page cache, locked, with a reference of ours.
///
/// # Invariants
///
/// `0` points to a valid `struct page` that we locked and hold one
/// reference to; both are given up exactly once, by [`Self::unlock`] or by
/// `drop`.
pub(crate) struct LockedPage(core::ptr::NonNull<bindings::page>);

impl LockedPage {
    /// The page at `index` of `mapping`, found or added, locked
    /// (`find_or_create_page()`); `None` without memory. May sleep.
    ///
    /// # Safety
    ///
    /// `mapping` must be a valid address space for the duration of the call.
    pub(crate) unsafe fn find_or_create(
        mapping: *mut bindings::address_space,
        index: usize,
    ) -> Option<Self> {
        // SAFETY: `mapping` is valid by the function's contract; the call
        // may sleep, as a fault handler may.
        let page = unsafe { bindings::find_or_create_page(mapping, index, bindings::GFP_KERNEL) };
        // INVARIANT: `find_or_create_page()` returns the page locked, with
        // a reference for us, or null.
        core::ptr::NonNull::new(page).map(LockedPage)
    }

    fn folio(&self) -> *mut bindings::folio {
        // SAFETY: By the type invariant the page is valid.
        unsafe { bindings::page_folio(self.0.as_ptr()) }
    }

    /// Fills the page with `fill` unless it is up to date already, then
    /// marks it up to date (`SetPageUptodate()`); a page whose fill failed
    /// stays not up to date, and the error is returned.
    pub(crate) fn fill_once(&mut self, fill: impl FnOnce(&mut [u8; PAGE]) -> Result) -> Result {
        // SAFETY: The folio of a valid page (`PageUptodate()`).
        if unsafe { bindings::folio_test_uptodate(self.folio()) } {
            return Ok(());
        }
        // SAFETY: A page-cache page of this kernel is in the identity
        // mapping; locked by us and not up to date, nobody else reads or
        // writes it until we mark it so.
        let buf = unsafe { &mut *bindings::page_address(self.0.as_ptr()).cast::<[u8; PAGE]>() };
        fill(buf)?;
        // SAFETY: The folio of a valid page that we locked.
        unsafe { bindings::folio_mark_uptodate(self.folio()) };
        Ok(())
    }

    /// Unlocks the page and hands our reference to the caller.
    pub(crate) fn unlock(self) -> *mut bindings::page {
        let page = self.0.as_ptr();
        core::mem::forget(self);
        // SAFETY: By the type invariant we locked the page; the reference
        // goes to the caller.
        unsafe { bindings::unlock_page(page) };
        page
    }
}

impl Drop for LockedPage {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we locked the page and hold a
        // reference, given up here, once.
        unsafe {
            bindings::unlock_page(self.0.as_ptr());
            bindings::put_page(self.0.as_ptr());
        }
    }
}
