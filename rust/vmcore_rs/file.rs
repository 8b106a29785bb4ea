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

use crate::types::iov::{with_kvec, IovIterDest};
use crate::types::ops::{zeroed, OpsTable};
use crate::types::page::LockedPage;
use crate::types::vma::{vm_flags, VmaNew};
use crate::{dump, oldmem::IterTarget};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::{bindings, c_str, ffi, prelude::*};
use s390_vmcore::{read_dump, sources, CopyStop, OldMemMode, Piece, Source, PAGE_SIZE};

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
    // SAFETY: Both are valid and ours alone by the function's contract; a
    // read's `iov_iter` is a destination.
    let (iocb, iter) = unsafe { (&mut *iocb, IovIterDest::from_raw(iter)) };
    let Ok(pos) = u64::try_from(iocb.ki_pos) else {
        return EINVAL.to_errno() as isize;
    };
    let left = iter.len() as u64;
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

/// Reads the dump's page at file offset `pos` into `buf`.
///
/// Errors: `EIO` when the page cannot be read in full.
fn read_page(dump: &dump::Dump, pos: u64, buf: &mut [u8]) -> Result {
    let len = buf.len() as u64;
    with_kvec(buf, |iter| {
        match read_dump(
            &dump.file(),
            &mut IterTarget::new(iter, dump.mode),
            pos,
            len,
        ) {
            (n, None) if n == len => Ok(()),
            _ => Err(EIO),
        }
    })
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
    let Some(mut page) = (unsafe { LockedPage::find_or_create(mapping, index) }) else {
        return bindings::vm_fault_reason_VM_FAULT_OOM;
    };
    if let Err(e) = page.fill_once(|buf| read_page(dump, (index as u64) << PAGE_SHIFT, buf)) {
        return vm_fault_for(e);
    }
    // SAFETY: `vmf` is valid by the function's contract; the fault path
    // takes over the page's reference.
    unsafe { (*vmf).page = page.unlock() };
    0
}

/// The fault code for an error, as `vmf_error()` gives it:
/// `VM_FAULT_OOM` for `ENOMEM`, else `VM_FAULT_SIGBUS`.
fn vm_fault_for(e: Error) -> bindings::vm_fault_t {
    if e == ENOMEM {
        bindings::vm_fault_reason_VM_FAULT_OOM
    } else {
        bindings::vm_fault_reason_VM_FAULT_SIGBUS
    }
}

/// The operations of the file's mappings.
static VM_OPS: OpsTable<bindings::vm_operations_struct> =
    OpsTable::new(bindings::vm_operations_struct {
        fault: Some(fault),
        ..zeroed()
    });

/// Maps the dump into `vma`, like `mmap_vmcore()`: the header, real old
/// memory by page frame (through the kdump swap where it applies), and HSA
/// pages not at all: [`fault`] reads them. The mapping is read only: it
/// loses `VM_MAYWRITE` and `VM_MAYEXEC`.
///
/// Returns 0, `-EINVAL` beyond the file, `-EPERM` for writable or
/// executable mappings, `-EAGAIN` when a remap fails (`mmap_region()`
/// then unmaps what was mapped).
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
    // SAFETY: The VMA of this `mmap()` call, under `mmap_lock`, by the
    // function's contract.
    let vma = unsafe { VmaNew::from_raw(vma) };
    let size = (vma.end() - vma.start()) as u64;
    let Some(start) = (vma.pgoff() as u64)
        .checked_mul(PAGE_SIZE)
        .filter(|&start| size <= dump.size && start <= dump.size - size)
    else {
        return EINVAL.to_errno();
    };
    if vma.flags() & vm_flags(bindings::VM_WRITE | bindings::VM_EXEC) != 0 {
        return EPERM.to_errno();
    }
    vma.set_read_only_mixedmap();
    vma.set_ops(&VM_OPS);
    let mut addr = vma.start();
    for piece in dump.file().pieces(start, size) {
        let mapped = match piece {
            // The pieces stay inside the header.
            Piece::Header { start: off, len } => vma.remap_vmalloc(addr, &dump.hdr, off, len),
            Piece::OldMem { paddr, len } => map_oldmem(vma, addr, dump.mode, paddr, len),
        };
        if mapped.is_err() {
            // `mmap_region()` undoes what was mapped (`unmap_region()`). C's
            // `mmap_vmcore()` calls `do_munmap()` itself, which could free
            // the VMAs that a `MAP_FIXED` mapping replaces while the error
            // path still uses them.
            return EAGAIN.to_errno();
        }
        addr += piece.len() as usize;
    }
    0
}

/// Maps `len` bytes of old memory at physical `paddr` at `addr` of `vma`:
/// real memory by page frame (through the kdump swap where it applies,
/// [`sources`]), HSA pages not at all: [`fault`] reads them.
fn map_oldmem(vma: &VmaNew, mut addr: usize, mode: OldMemMode, paddr: u64, len: u64) -> Result {
    for (source, n) in sources(mode, paddr, len) {
        if let Source::Real { paddr } = source {
            // SAFETY: The frames are old memory, which this kernel does
            // not use; mapped read only (the VMA lost `VM_MAYWRITE`).
            unsafe { vma.remap_pfn_range(addr, (paddr >> PAGE_SHIFT) as usize, n as usize) }?;
        }
        addr += n as usize;
    }
    Ok(())
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

/// The operations of the proc file.
static OPS: OpsTable<bindings::proc_ops> = OpsTable::new(bindings::proc_ops {
    proc_open: Some(open),
    proc_read_iter: Some(read_iter),
    proc_lseek: Some(bindings::default_llseek),
    proc_mmap: Some(mmap),
    ..zeroed()
});

/// Creates the proc file with `st_size == size`.
pub(crate) fn create(size: u64) -> Result {
    // SAFETY: `NAME` is NUL terminated; `OPS` lives forever.
    let pde = unsafe {
        bindings::proc_create(
            NAME.as_char_ptr(),
            bindings::S_IRUSR as u16,
            core::ptr::null_mut(),
            OPS.get(),
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

/// The operations of the trust file (no `owner`: built in).
static TRUST_OPS: OpsTable<bindings::file_operations> = OpsTable::new(bindings::file_operations {
    read: Some(trust_read),
    llseek: Some(bindings::default_llseek),
    ..zeroed()
});

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
            TRUST_OPS.get(),
        );
    }
}
