// SPDX-License-Identifier: GPL-2.0

//! The proc file: `/proc/vmcore` (product kernel) or `/proc/vmcore_rs`
//! (test kernel, beside the C `/proc/vmcore`).
//!
//! Mode 0400 and `st_size` equal to the size of the core, like the C file;
//! `read()` at any offset and length, `lseek()` by `default_llseek()`, and
//! `mmap()`: the header from its `vmalloc_user()` buffer, real memory
//! remapped page frame by page frame, HSA pages filled on fault.
//!
//! Beside it, `/sys/kernel/debug/vmcore_rs/trust` (mode 0400) gives the
//! dump's trust report (what it read from where, what it left out), the
//! lines the kernel logged at init.
//!
//! Reference: `read_vmcore()`, `mmap_vmcore()`, `proc_vmcore_ops` in
//! `fs/proc/vmcore.c`.

use crate::{bindings, dump, oldmem};
use kernel::{c_str, ffi, prelude::*};
use s390_vmcore::{map_oldmem, next_chunk, Chunk, CopyStop, Source, PAGE_SIZE};

#[cfg(CONFIG_PROC_VMCORE)]
const NAME: &CStr = c_str!("vmcore_rs");
#[cfg(not(CONFIG_PROC_VMCORE))]
const NAME: &CStr = c_str!("vmcore");

/// Copies the dump from file offset `pos` into `iter`, at most `len` bytes.
///
/// Returns the bytes copied: fewer than asked at the end of the file, or,
/// with the reason, where the destination faulted or old memory (the HSA)
/// could not be read.
///
/// # Safety
///
/// `iter` must be a valid, initialised `iov_iter` for the duration of the
/// call.
unsafe fn read_to_iter(
    dump: &dump::Dump,
    iter: *mut bindings::iov_iter,
    mut pos: u64,
    mut left: u64,
) -> (u64, Option<CopyStop>) {
    let mut done: u64 = 0;
    while left > 0 {
        let (got, stop) = match next_chunk(dump.hdr.len(), &dump.segs, dump.size, pos, left) {
            Chunk::Eof => break,
            Chunk::Header { start, len } => {
                let src = &dump.hdr.as_slice()[start..start + len];
                // SAFETY: `src` is valid for `len` bytes; `iter` is valid
                // by the function's contract.
                let got =
                    unsafe { bindings::vmcore_rs_copy_to_iter(src.as_ptr().cast(), len, iter) };
                (got as u64, (got < len).then_some(CopyStop::Destination))
            }
            Chunk::OldMem { paddr, len } => {
                // SAFETY: `iter` is valid by the function's contract.
                unsafe { oldmem::copy_to_iter(dump.mode, iter, paddr, len) }
            }
        };
        pos += got;
        done += got;
        left -= got;
        if stop.is_some() {
            return (done, stop);
        }
        // SAFETY: `cond_resched()` may sleep: reads run in process context
        // and hold no lock here.
        unsafe { bindings::vmcore_rs_cond_resched() };
    }
    (done, None)
}

/// Reads from the file position of `iocb` into `iter`.
///
/// Returns the number of bytes read (0 at or past the end of the file), or,
/// when not a single byte could be copied, `-EFAULT` (a bad user buffer)
/// or `-EIO` (the HSA could not be read: an SDIAS request failed or the HSA
/// was released).
///
/// # Safety
///
/// Called by the VFS with a valid `kiocb` and `iov_iter`.
unsafe extern "C" fn read_iter(iocb: *mut bindings::kiocb, iter: *mut bindings::iov_iter) -> isize {
    let Some(dump) = dump::get() else {
        return 0;
    };
    // SAFETY: `iocb` is valid by the function's contract.
    let Ok(pos) = u64::try_from(unsafe { (*iocb).ki_pos }) else {
        return EINVAL.to_errno() as isize;
    };
    // SAFETY: `iter` is valid by the function's contract.
    let left = unsafe { bindings::vmcore_rs_iter_count(iter) } as u64;
    // SAFETY: `iter` is valid by the function's contract.
    let (done, stop) = unsafe { read_to_iter(dump, iter, pos, left) };
    match stop {
        Some(CopyStop::Source) if done == 0 => return EIO.to_errno() as isize,
        Some(CopyStop::Destination) if done == 0 => return EFAULT.to_errno() as isize,
        _ => {}
    }
    // SAFETY: `iocb` is valid by the function's contract.
    unsafe { (*iocb).ki_pos = (pos + done) as i64 };
    done as isize
}

/// Reads the page of the dump at file offset `pos` into `buf`, for the
/// `mmap()` fault handler in `rust/helpers.c`.
///
/// Returns 0, or `-EIO` when the page cannot be read in full.
///
/// # Safety
///
/// `buf` must be valid for writes of one page.
#[no_mangle]
pub unsafe extern "C" fn s390_vmcore_rs_read_page(buf: *mut ffi::c_void, pos: u64) -> ffi::c_int {
    const PAGE: usize = PAGE_SIZE as usize;
    let Some(dump) = dump::get() else {
        return EIO.to_errno();
    };
    let kvec = bindings::kvec {
        iov_base: buf,
        iov_len: PAGE,
    };
    let mut iter = bindings::iov_iter::default();
    // SAFETY: `kvec` describes `buf`, valid for a page by the function's
    // contract, and outlives `iter`.
    unsafe { bindings::iov_iter_kvec(&mut iter, bindings::ITER_DEST, &kvec, 1, PAGE) };
    // SAFETY: `iter` was just initialised and lives across the call.
    if unsafe { read_to_iter(dump, &mut iter, pos, PAGE as u64) }.0 == PAGE as u64 {
        0
    } else {
        EIO.to_errno()
    }
}

/// Maps the dump into `vma`: the header, real old memory by page frame
/// (through the kdump swap where it applies), and HSA pages not at all: the
/// fault handler reads them.
///
/// Returns 0, `-EINVAL` beyond the file, `-EPERM` for writable or
/// executable mappings, `-EAGAIN` when a remap fails.
///
/// # Safety
///
/// Called by the VFS with a valid `file` and `vm_area_struct`.
unsafe extern "C" fn mmap(
    _file: *mut bindings::file,
    vma: *mut bindings::vm_area_struct,
) -> ffi::c_int {
    let Some(dump) = dump::get() else {
        return ENODEV.to_errno();
    };
    let (mut start, mut size) = (0u64, 0u64);
    // SAFETY: `vma` is valid by the function's contract.
    let rc = unsafe { bindings::vmcore_rs_mmap_prepare(vma, dump.size, &mut start, &mut size) };
    if rc != 0 {
        return rc;
    }
    let mut done = 0;
    while done < size {
        let (len, rc) = match next_chunk(
            dump.hdr.len(),
            &dump.segs,
            dump.size,
            start + done,
            size - done,
        ) {
            Chunk::Eof => break,
            Chunk::Header { start: off, len } => {
                // SAFETY: `off + len` is within the `vmalloc_user()` header;
                // `vma` is valid by the function's contract.
                let rc = unsafe {
                    bindings::vmcore_rs_remap_vmalloc(
                        vma,
                        done,
                        dump.hdr.as_ptr().add(off).cast(),
                        len as u64,
                    )
                };
                (len as u64, rc)
            }
            Chunk::OldMem { paddr, len } => {
                let (src, n) = map_oldmem(dump.mode, paddr, len);
                let rc = match src {
                    // SAFETY: `vma` is valid by the function's contract; the
                    // frames are old memory that this kernel does not use.
                    Source::Real { paddr } => unsafe {
                        bindings::vmcore_rs_remap_pfn(vma, done, paddr / PAGE_SIZE, n)
                    },
                    Source::Hsa { .. } => 0,
                };
                (n, rc)
            }
        };
        if rc != 0 {
            // C's `mmap_vmcore()` undoes a failed mapping the same way.
            // SAFETY: `vma` is valid and its first `done` bytes are mapped;
            // `mmap()` runs with `mmap_lock` held for writing, as needed.
            unsafe { bindings::vmcore_rs_unmap(vma, done) };
            return EAGAIN.to_errno();
        }
        done += len;
    }
    0
}

const fn ops() -> bindings::proc_ops {
    // SAFETY: `proc_ops` is plain data for which all zeroes (no flags, no
    // callbacks) is valid.
    let mut ops: bindings::proc_ops = unsafe { core::mem::zeroed() };
    ops.proc_open = Some(bindings::vmcore_rs_open);
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

/// Reads the trust report (`Dump::report`) at `*ppos` into the user buffer
/// `buf` of `count` bytes.
///
/// Returns the bytes read, 0 at the end, `-EFAULT` for a bad buffer.
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
    // SAFETY: `buf` and `ppos` are valid by the function's contract; the
    // report is valid for its length and never freed.
    unsafe {
        bindings::simple_read_from_buffer(
            buf.cast(),
            count,
            ppos,
            dump.report().as_ptr().cast(),
            dump.report().len(),
        )
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
/// debugfs fails, there is none (the report is in the kernel log).
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
