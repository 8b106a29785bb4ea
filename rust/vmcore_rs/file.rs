// SPDX-License-Identifier: GPL-2.0

//! The proc file: `/proc/vmcore` (product kernel) or `/proc/vmcore_rs`
//! (test kernel, beside the C `/proc/vmcore`).
//!
//! Mode 0400 and `st_size` equal to the size of the core, like the C file;
//! `read()` at any offset and length, `lseek()` by `default_llseek()`.
//!
//! Reference: `read_vmcore()`, `proc_vmcore_ops` in `fs/proc/vmcore.c`.

use crate::{bindings, dump, oldmem};
use kernel::{c_str, prelude::*};
use s390_vmcore::{next_chunk, Chunk};

#[cfg(CONFIG_PROC_VMCORE)]
const NAME: &CStr = c_str!("vmcore_rs");
#[cfg(not(CONFIG_PROC_VMCORE))]
const NAME: &CStr = c_str!("vmcore");

/// Reads from the file position of `iocb` into `iter`.
///
/// Returns the number of bytes read (0 at or past the end of the file), or
/// `-EFAULT` when not a single byte could be copied (a bad user buffer or
/// unreadable old memory).
///
/// # Safety
///
/// Called by the VFS with a valid `kiocb` and `iov_iter`.
unsafe extern "C" fn read_iter(iocb: *mut bindings::kiocb, iter: *mut bindings::iov_iter) -> isize {
    let Some(dump) = dump::get() else {
        return 0;
    };
    // SAFETY: `iocb` is valid by the function's contract.
    let pos = unsafe { (*iocb).ki_pos };
    let Ok(mut pos) = u64::try_from(pos) else {
        return EINVAL.to_errno() as isize;
    };
    // SAFETY: `iter` is valid by the function's contract.
    let mut left = unsafe { bindings::vmcore_rs_iter_count(iter) } as u64;
    let mut done: u64 = 0;
    while left > 0 {
        let (want, got) = match next_chunk(dump.hdr.len(), &dump.segs, dump.size, pos, left) {
            Chunk::Eof => break,
            Chunk::Header { start, len } => {
                // SAFETY: `next_chunk` keeps `start + len` within the header;
                // `iter` is valid by the function's contract.
                let got = unsafe {
                    bindings::_copy_to_iter(dump.hdr.as_ptr().add(start).cast(), len, iter)
                };
                (len as u64, got as u64)
            }
            Chunk::OldMem { paddr, len } => {
                // SAFETY: `iter` is valid by the function's contract.
                let got = unsafe { oldmem::copy_to_iter(dump.mode, iter, paddr, len) };
                (len, got)
            }
        };
        pos += got;
        done += got;
        left -= got;
        if got < want {
            if done == 0 {
                return EFAULT.to_errno() as isize;
            }
            break;
        }
        // SAFETY: Process context, no locks held.
        unsafe { bindings::vmcore_rs_cond_resched() };
    }
    // SAFETY: `iocb` is valid by the function's contract.
    unsafe { (*iocb).ki_pos = pos as i64 };
    done as isize
}

const fn ops() -> bindings::proc_ops {
    // SAFETY: `proc_ops` is plain data for which all zeroes (no flags, no
    // callbacks) is valid.
    let mut ops: bindings::proc_ops = unsafe { core::mem::zeroed() };
    ops.proc_read_iter = Some(read_iter);
    ops.proc_lseek = Some(bindings::default_llseek);
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
    // SAFETY: `pde` was just created.
    unsafe { bindings::proc_set_size(pde, size as i64) };
    #[cfg(not(CONFIG_PROC_VMCORE))]
    // SAFETY: Written once here, during init: this kernel's dump header is
    // in its own memory.
    unsafe {
        // ELFCORE_ADDR_NEWMEM, (-3ULL) in include/linux/crash_dump.h.
        bindings::elfcorehdr_addr = u64::MAX - 2;
    }
    Ok(())
}
