// SPDX-License-Identifier: GPL-2.0

//! A VMA being set up by a file's `mmap()`, shaped like
//! `kernel::mm::virt::VmaNew` of later kernels.

use crate::types::ops::OpsTable;
use crate::types::user_buf::UserBuf;
use kernel::bindings;
use kernel::prelude::*;
use kernel::types::Opaque;

/// `VM_WRITE | VM_EXEC` and the others, as `vm_flags_t`.
pub(crate) const fn vm_flags(flags: u32) -> bindings::vm_flags_t {
    flags as bindings::vm_flags_t
}

/// A new VMA in a file's `mmap()` callback.
///
/// # Invariants
///
/// `vma` is a valid `vm_area_struct` that the `mmap()` call being served
/// is setting up, with `mmap_lock` held for writing, for as long as this
/// value is borrowed.
#[repr(transparent)]
pub(crate) struct VmaNew {
    vma: Opaque<bindings::vm_area_struct>,
}

impl VmaNew {
    /// The VMA at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is the VMA that the VFS passed to a file's `mmap()` callback,
    /// which is running, with `mmap_lock` held for writing, for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::vm_area_struct) -> &'a Self {
        // SAFETY: A transparent wrapper; valid for `'a` by the contract.
        // INVARIANT: By the function's contract.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::vm_area_struct {
        self.vma.get()
    }

    /// The first address of the VMA (user virtual).
    pub(crate) fn start(&self) -> usize {
        // SAFETY: By the type invariant the VMA is valid; its bounds are
        // not written during `mmap()` (an anonymous union in C).
        unsafe { (*self.as_raw()).__bindgen_anon_1.__bindgen_anon_1.vm_start }
    }

    /// The end of the VMA (exclusive, user virtual).
    pub(crate) fn end(&self) -> usize {
        // SAFETY: As in `start`.
        unsafe { (*self.as_raw()).__bindgen_anon_1.__bindgen_anon_1.vm_end }
    }

    /// The file offset of the VMA's start, in pages.
    pub(crate) fn pgoff(&self) -> usize {
        // SAFETY: By the type invariant the VMA is valid.
        unsafe { (*self.as_raw()).vm_pgoff }
    }

    /// The VMA's flags.
    pub(crate) fn flags(&self) -> bindings::vm_flags_t {
        // SAFETY: By the type invariant the VMA is valid.
        unsafe { (*self.as_raw()).__bindgen_anon_2.vm_flags }
    }

    /// Makes the VMA a mixed map that can never become writable or
    /// executable: sets `VM_MIXEDMAP`, clears `VM_MAYWRITE` and
    /// `VM_MAYEXEC` (`vm_flags_mod()`). Only flags that take rights away.
    pub(crate) fn set_read_only_mixedmap(&self) {
        // SAFETY: By the type invariant the VMA is valid and we hold
        // `mmap_lock` for writing.
        unsafe {
            bindings::vm_flags_mod(
                self.as_raw(),
                vm_flags(bindings::VM_MIXEDMAP),
                vm_flags(bindings::VM_MAYWRITE | bindings::VM_MAYEXEC),
            )
        };
    }

    /// Whether user space can write through the VMA, now or after
    /// `mprotect()` (`VM_WRITE` or `VM_MAYWRITE`).
    fn may_write(&self) -> bool {
        self.flags() & vm_flags(bindings::VM_WRITE | bindings::VM_MAYWRITE) != 0
    }

    /// Sets the VMA's operations.
    pub(crate) fn set_ops(&self, ops: &'static OpsTable<bindings::vm_operations_struct>) {
        // SAFETY: By the type invariant the VMA is valid and ours to set
        // up; `ops` lives forever.
        unsafe { (*self.as_raw()).vm_ops = ops.get() };
    }

    /// Maps `len` bytes of `buf` from byte `offset` at user address `addr`
    /// (`remap_vmalloc_range_partial()`), read only: `buf` is shared with
    /// the kernel, which reads it as `&[u8]`.
    ///
    /// Errors: `EPERM` when the VMA may be written
    /// ([`Self::set_read_only_mixedmap`] first), `EINVAL` when the range is
    /// not within `buf`, or what the call returned.
    pub(crate) fn remap_vmalloc(
        &self,
        addr: usize,
        buf: &UserBuf,
        offset: usize,
        len: usize,
    ) -> Result {
        if self.may_write() {
            return Err(EPERM);
        }
        if offset.checked_add(len).map_or(true, |end| end > buf.len()) {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant the VMA is valid; the range lies
        // within `buf` (checked above), a `vmalloc_user()` allocation.
        let rc = unsafe {
            bindings::remap_vmalloc_range_partial(
                self.as_raw(),
                addr,
                buf.as_ptr().add(offset).cast(),
                0,
                len,
            )
        };
        kernel::error::to_result(rc)
    }

    /// Maps `len` bytes of page frames from `pfn` at user address `addr`
    /// with the VMA's protection (`remap_pfn_range()`).
    ///
    /// Errors: what the call returned.
    ///
    /// # Safety
    ///
    /// The frames must be memory that user space may see with the VMA's
    /// protection, and that this kernel does not free or reuse while
    /// they are mapped.
    pub(crate) unsafe fn remap_pfn_range(&self, addr: usize, pfn: usize, len: usize) -> Result {
        // SAFETY: By the type invariant the VMA is valid; the frames may be
        // mapped by the function's contract.
        let rc = unsafe {
            let vma = self.as_raw();
            bindings::remap_pfn_range(vma, addr, pfn, len, (*vma).vm_page_prot)
        };
        kernel::error::to_result(rc)
    }
}
