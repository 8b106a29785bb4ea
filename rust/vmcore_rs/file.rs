// SPDX-License-Identifier: GPL-2.0

//! The proc file: `/proc/vmcore` (product kernel) or `/proc/vmcore_rs`
//! (test kernel, beside the C `/proc/vmcore`).
//!
//! Mode 0400 and `st_size` equal to the size of the core, like the C file;
//! `read()` at any offset and length, `lseek()` by `default_llseek()`, and
//! `mmap()`: the header from its `vmalloc_user()` buffer, real memory
//! remapped page frame by page frame, HSA pages filled on fault. Every
//! read and page fill goes through the crate's [`read_dump`], every
//! mapping through [`s390_vmcore::DumpFile::pieces`].
//!
//! Beside it, `/sys/kernel/debug/vmcore_rs/trust` (mode 0400) gives the
//! dump's trust report (what it read from where, what it left out),
//! formatted when it is read; at init the kernel logs one line of it.
//!
//! Reference: `read_vmcore()`, `mmap_vmcore()`, `proc_vmcore_ops` in
//! `fs/proc/vmcore.c`.

use crate::{dump, oldmem::IterTarget};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::{bindings, c_str, ffi, prelude::*};
use s390_vmcore::{read_dump, CopyStop, Piece, Source, PAGE_SIZE};

/// log2 of [`PAGE_SIZE`].
const PAGE_SHIFT: u32 = PAGE_SIZE.trailing_zeros();

#[cfg(CONFIG_PROC_VMCORE)]
const NAME: &CStr = c_str!("vmcore_rs");
#[cfg(not(CONFIG_PROC_VMCORE))]
const NAME: &CStr = c_str!("vmcore");

/// Reads from the file position of `iocb` into `iter`.
///
/// Returns the number of bytes read (0 at or past the end of the file), or,
/// when not a single byte could be copied, `-EFAULT` (a bad user buffer)
/// or `-EIO` (the HSA could not be read: an SDIAS request failed or the HSA
/// was released).
///
/// # Safety
///
/// Called by the VFS with a valid `kiocb` and `iov_iter`, which nothing
/// else uses during the call.
unsafe extern "C" fn read_iter(iocb: *mut bindings::kiocb, iter: *mut bindings::iov_iter) -> isize {
    let Some(dump) = dump::get() else {
        return 0;
    };
    // SAFETY: Both are valid and ours alone by the function's contract.
    let (iocb, iter) = unsafe { (&mut *iocb, &mut *iter) };
    let Ok(pos) = u64::try_from(iocb.ki_pos) else {
        return EINVAL.to_errno() as isize;
    };
    // SAFETY: `iter` is a valid `iov_iter`.
    let left = unsafe { bindings::iov_iter_count(iter) } as u64;
    let (done, stop) = read_dump(
        &dump.file(),
        &mut IterTarget::new(iter, dump.mode),
        pos,
        left,
    );
    match stop {
        Some(CopyStop::Source) if done == 0 => return EIO.to_errno() as isize,
        Some(CopyStop::Destination) if done == 0 => return EFAULT.to_errno() as isize,
        _ => {}
    }
    iocb.ki_pos = (pos + done) as i64;
    done as isize
}

/// A page of the file's page cache, locked, with a reference of ours.
///
/// INVARIANT: `0` points to a valid `struct page` that we locked and hold
/// one reference to; both are given up exactly once, by [`Self::unlock`]
/// or by `drop`.
struct LockedPage(core::ptr::NonNull<bindings::page>);

impl LockedPage {
    /// The page at `index` of `mapping`, found or added, locked
    /// (`find_or_create_page()`); `None` without memory.
    ///
    /// # Safety
    ///
    /// `mapping` must be a valid address space for the duration of the call.
    unsafe fn find_or_create(mapping: *mut bindings::address_space, index: usize) -> Option<Self> {
        // SAFETY: `mapping` is valid by the function's contract; the call
        // may sleep, as a fault handler may.
        let page = unsafe { bindings::find_or_create_page(mapping, index, bindings::GFP_KERNEL) };
        // INVARIANT: `find_or_create_page()` returns the page locked, with
        // a reference for us, or null.
        core::ptr::NonNull::new(page).map(LockedPage)
    }

    fn is_uptodate(&self) -> bool {
        // SAFETY: By the type invariant the page is valid (`PageUptodate()`).
        unsafe { bindings::folio_test_uptodate(bindings::page_folio(self.0.as_ptr())) }
    }

    /// Marks the page's contents valid: only once it is filled.
    fn set_uptodate(&self) {
        // SAFETY: By the type invariant the page is valid and locked by us
        // (`SetPageUptodate()`).
        unsafe { bindings::folio_mark_uptodate(bindings::page_folio(self.0.as_ptr())) }
    }

    /// Fills the page with the dump's page at file offset `pos`.
    ///
    /// Errors: `EIO` when the page cannot be read in full.
    fn fill(&self, dump: &dump::Dump, pos: u64) -> Result {
        const PAGE: usize = PAGE_SIZE as usize;
        // SAFETY: By the type invariant the page is valid; a page-cache
        // page of this kernel is in the identity mapping.
        let buf = unsafe { bindings::page_address(self.0.as_ptr()) };
        let kvec = bindings::kvec {
            iov_base: buf,
            iov_len: PAGE,
        };
        let mut iter = bindings::iov_iter::default();
        // SAFETY: `kvec` describes the page, which is ours (locked, not
        // up to date, so nobody else reads or writes it), and outlives
        // `iter`.
        unsafe { bindings::iov_iter_kvec(&mut iter, bindings::ITER_DEST, &kvec, 1, PAGE) };
        let mut target = IterTarget::new(&mut iter, dump.mode);
        match read_dump(&dump.file(), &mut target, pos, PAGE as u64) {
            (n, None) if n == PAGE as u64 => Ok(()),
            _ => Err(EIO),
        }
    }

    /// Unlocks the page and hands our reference to the caller.
    fn unlock(self) -> *mut bindings::page {
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

/// The fault handler of the file's mappings (`mmap_vmcore_fault()` in
/// `fs/proc/vmcore.c`): fills the file's page-cache page with the dump's
/// page. Only HSA pages fault; the header and real memory are mapped
/// up front.
///
/// Returns 0 with `vmf->page` set (locked no more, referenced),
/// `VM_FAULT_OOM`, or `VM_FAULT_SIGBUS` when the page cannot be read.
///
/// # Safety
///
/// Called by the fault path with a valid `vm_fault` of a mapping of this
/// file (set up by [`mmap`]), whose VMA and file are valid for the call.
unsafe extern "C" fn fault(vmf: *mut bindings::vm_fault) -> bindings::vm_fault_t {
    let Some(dump) = dump::get() else {
        return bindings::vm_fault_reason_VM_FAULT_SIGBUS;
    };
    // SAFETY: `vmf`, its VMA and the VMA's file are valid by the function's
    // contract.
    let (mapping, index) = unsafe {
        let vmf = &*vmf;
        (
            (*(*vmf.__bindgen_anon_1.vma).vm_file).f_mapping,
            vmf.__bindgen_anon_1.pgoff,
        )
    };
    // SAFETY: The file's address space lives as long as the file.
    let Some(page) = (unsafe { LockedPage::find_or_create(mapping, index) }) else {
        return bindings::vm_fault_reason_VM_FAULT_OOM;
    };
    if !page.is_uptodate() {
        if let Err(e) = page.fill(dump, (index as u64) << PAGE_SHIFT) {
            // SAFETY: `vmf_error()` only maps the errno to a fault code.
            return unsafe { bindings::vmf_error(e.to_errno()) };
        }
        page.set_uptodate();
    }
    // SAFETY: `vmf` is valid by the function's contract; the fault path
    // takes over the page's reference.
    unsafe { (*vmf).page = page.unlock() };
    0
}

/// The operations of the file's mappings.
struct VmOps(bindings::vm_operations_struct);

// SAFETY: The operations are never written after compile time; they hold
// function pointers only.
unsafe impl Sync for VmOps {}

static VM_OPS: VmOps = VmOps({
    // SAFETY: `vm_operations_struct` is plain data for which all zeroes
    // (no callbacks) is valid.
    let mut ops: bindings::vm_operations_struct = unsafe { core::mem::zeroed() };
    ops.fault = Some(fault);
    ops
});

/// `VM_WRITE | VM_EXEC` and the others, as `vm_flags_t`.
const fn vm_flags(flags: u32) -> bindings::vm_flags_t {
    flags as bindings::vm_flags_t
}

/// Maps the dump into `vma`, like `mmap_vmcore()`: the header, real old
/// memory by page frame (through the kdump swap where it applies), and HSA
/// pages not at all: [`fault`] reads them. The mapping is read only: it
/// loses `VM_MAYWRITE` and `VM_MAYEXEC`.
///
/// Returns 0, `-EINVAL` beyond the file, `-EPERM` for writable or
/// executable mappings, `-EAGAIN` when a remap fails (what was mapped is
/// unmapped again).
///
/// # Safety
///
/// Called by the VFS with a valid `vm_area_struct`, with `mmap_lock` held
/// for writing.
unsafe extern "C" fn mmap(
    _file: *mut bindings::file,
    vma: *mut bindings::vm_area_struct,
) -> ffi::c_int {
    let Some(dump) = dump::get() else {
        return ENODEV.to_errno();
    };
    // SAFETY: Valid, and ours under `mmap_lock`, by the function's contract.
    let vma = unsafe { &mut *vma };
    // SAFETY: Reading the bounds of a valid VMA (an anonymous union in C).
    let (vm_start, vm_end) = unsafe {
        let bounds = &vma.__bindgen_anon_1.__bindgen_anon_1;
        (bounds.vm_start, bounds.vm_end)
    };
    let size = (vm_end - vm_start) as u64;
    let Some(start) = (vma.vm_pgoff as u64)
        .checked_mul(PAGE_SIZE)
        .filter(|&start| size <= dump.size && start <= dump.size - size)
    else {
        return EINVAL.to_errno();
    };
    // SAFETY: Reading the flags of a valid VMA.
    let flags = unsafe { vma.__bindgen_anon_2.vm_flags };
    if flags & vm_flags(bindings::VM_WRITE | bindings::VM_EXEC) != 0 {
        return EPERM.to_errno();
    }
    // SAFETY: `vma` is valid and we hold `mmap_lock` for writing.
    unsafe {
        bindings::vm_flags_mod(
            vma,
            vm_flags(bindings::VM_MIXEDMAP),
            vm_flags(bindings::VM_MAYWRITE | bindings::VM_MAYEXEC),
        )
    };
    vma.vm_ops = &VM_OPS.0;
    let mut done = 0;
    for piece in dump.file().pieces(start, size) {
        let addr = vm_start + done as usize;
        let rc = match piece {
            Piece::Header { start: off, len } => {
                // SAFETY: `off + len` lies within the `vmalloc_user()`
                // header (the pieces stay inside it); `vma` is valid.
                unsafe {
                    bindings::remap_vmalloc_range_partial(
                        vma,
                        addr,
                        dump.hdr.as_ptr().add(off).cast(),
                        0,
                        len,
                    )
                }
            }
            Piece::OldMem {
                source: Source::Real { paddr },
                len,
            } => {
                // SAFETY: `vma` is valid; the frames are old memory that
                // this kernel does not use, mapped with the VMA's
                // read-only protection.
                unsafe {
                    bindings::remap_pfn_range(
                        vma,
                        addr,
                        (paddr >> PAGE_SHIFT) as usize,
                        len as usize,
                        vma.vm_page_prot,
                    )
                }
            }
            Piece::OldMem {
                source: Source::Hsa { .. },
                ..
            } => 0,
        };
        if rc != 0 {
            // C's `mmap_vmcore()` undoes a failed mapping the same way.
            // SAFETY: `vma` is valid and its first `done` bytes are mapped;
            // we hold `mmap_lock` for writing, as `do_munmap()` needs.
            unsafe {
                bindings::do_munmap(vma.vm_mm, vm_start, done as usize, core::ptr::null_mut())
            };
            return EAGAIN.to_errno();
        }
        done += piece.len();
    }
    0
}

/// `FMODE_WRITE` (`include/linux/fs.h`): a cast, which bindgen does not
/// evaluate.
const FMODE_WRITE: u32 = 1 << 1;

/// Opens the dump: the dump is read only, so opening it for writing fails
/// with `-EPERM`, even for root.
///
/// # Safety
///
/// Called by the VFS with a valid `file`.
unsafe extern "C" fn open(_inode: *mut bindings::inode, file: *mut bindings::file) -> ffi::c_int {
    // SAFETY: `file` is valid by the function's contract.
    if unsafe { (*file).f_mode } & FMODE_WRITE != 0 {
        return EPERM.to_errno();
    }
    0
}

const fn ops() -> bindings::proc_ops {
    // SAFETY: `proc_ops` is plain data for which all zeroes (no flags, no
    // callbacks) is valid.
    let mut ops: bindings::proc_ops = unsafe { core::mem::zeroed() };
    ops.proc_open = Some(open);
    ops.proc_read_iter = Some(read_iter);
    ops.proc_lseek = Some(bindings::default_llseek);
    ops.proc_mmap = Some(mmap);
    ops
}

static OPS: bindings::proc_ops = ops();

/// Creates the proc file with `st_size == size`.
pub(crate) fn create(size: u64) -> Result {
    // SAFETY: `NAME` is NUL terminated; `OPS` lives forever.
    let pde = unsafe {
        bindings::proc_create(
            NAME.as_char_ptr(),
            bindings::S_IRUSR as u16,
            core::ptr::null_mut(),
            &OPS,
        )
    };
    if pde.is_null() {
        pr_err!("cannot create /proc/{}\n", NAME);
        return Err(ENOMEM);
    }
    // SAFETY: `pde` was just returned by `proc_create()` and is never
    // removed, so it stays valid; as in C's `vmcore_init()`, a reader that
    // opens the file before the size is set sees size 0, nothing unsound.
    unsafe { bindings::proc_set_size(pde, size as i64) };
    Ok(())
}

/// Reads the trust report, formatted for this call
/// ([`dump::Dump::write_report`]), at `*ppos` into the user buffer `buf`
/// of `count` bytes.
///
/// Returns the bytes read, 0 at the end, `-ENOMEM` when there is no memory
/// to format it in, `-EFAULT` for a bad buffer.
///
/// # Safety
///
/// Called by the VFS with a user buffer of `count` bytes and a valid
/// position.
unsafe extern "C" fn trust_read(
    _file: *mut bindings::file,
    buf: *mut ffi::c_char,
    count: usize,
    ppos: *mut bindings::loff_t,
) -> isize {
    let Some(dump) = dump::get() else {
        return 0;
    };
    let Ok(mut report) = KVec::from_elem(0u8, s390_vmcore::TRUST_REPORT_MAX, GFP_KERNEL) else {
        return ENOMEM.to_errno() as isize;
    };
    let len = dump.write_report(&mut report);
    // SAFETY: `buf` and `ppos` are valid by the function's contract; the
    // report is valid for its `len` bytes during the call.
    unsafe {
        bindings::simple_read_from_buffer(buf.cast(), count, ppos, report.as_ptr().cast(), len)
    }
}

const fn trust_ops() -> bindings::file_operations {
    // SAFETY: `file_operations` is plain data for which all zeroes (no
    // owner, no flags, no callbacks) is valid.
    let mut ops: bindings::file_operations = unsafe { core::mem::zeroed() };
    ops.read = Some(trust_read);
    ops.llseek = Some(bindings::default_llseek);
    ops
}

/// `file_operations` made shareable.
struct FileOps(bindings::file_operations);

// SAFETY: The operations are never written after compile time, and their
// only pointer besides functions, `owner`, is null.
unsafe impl Sync for FileOps {}

static TRUST_OPS: FileOps = FileOps(trust_ops());

/// Creates `/sys/kernel/debug/vmcore_rs/trust`; without debugfs, or when
/// debugfs fails, there is none (the boot log line still names what was
/// left out and why, [`crate::dump::init`]).
pub(crate) fn create_trust_file() {
    #[cfg(CONFIG_DEBUG_FS)]
    // SAFETY: The names are NUL terminated; debugfs accepts an error
    // pointer as parent and then creates nothing; `TRUST_OPS` lives
    // forever, and its read needs no private data.
    unsafe {
        let dir =
            bindings::debugfs_create_dir(c_str!("vmcore_rs").as_char_ptr(), core::ptr::null_mut());
        bindings::debugfs_create_file(
            c_str!("trust").as_char_ptr(),
            bindings::S_IRUSR as u16,
            dir,
            core::ptr::null_mut(),
            &TRUST_OPS.0,
        );
    }
}
