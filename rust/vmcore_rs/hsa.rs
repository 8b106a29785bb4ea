// SPDX-License-Identifier: GPL-2.0

//! The HSA of a stand-alone dump, read through SDIAS in requests of up to
//! [`HSA_WINDOW_BLOCKS`] blocks.
//!
//! zcore's `memcpy_hsa_iter()` asks SDIAS for one 4 KiB block per request
//! into a one-page buffer. This reader asks the kernel's SDIAS copy call,
//! `sclp_sdias_copy()`, for up to 64 blocks at once into a 256 KiB buffer
//! allocated once, and serves the next reads from it
//! ([`s390_vmcore::HsaWindow`], tested on the host). Without memory for
//! that buffer it reads through a one-page window the same way. It reads
//! only while zcore says the HSA is there (`zcore_hsa_available()`): zcore
//! set up SDIAS and has not released the HSA.
//!
//! The window is copied to the destination with page faults disabled, and
//! a destination page that is not there is faulted in after the lock is
//! dropped: a page fault can wait for `mmap_lock` (or a VMA lock) while a
//! writer is queued behind another thread's fault of an HSA page of this
//! file, which holds it and waits for our lock; and the fault can be one of
//! an HSA page of this very file, whose fill takes our lock. For the same
//! reason no read goes through `memcpy_hsa_iter()`, which copies to the
//! destination under zcore's buffer mutex.
//!
//! The test kernel's test HSA over a kdump boot (QEMU without the dump
//! facilities) goes through the same window; its fetch copies the blocks
//! from where the kdump flow keeps old memory.
//!
//! Reference: `memcpy_hsa_iter()` in `drivers/s390/char/zcore.c`,
//! `sclp_sdias_copy()` in `drivers/s390/char/sclp_sdias.c`.

use crate::types::{iov::IovIterDest, set_once::SetOnce};
use core::pin::Pin;
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::sync::{new_mutex, Mutex};
use kernel::{bindings, prelude::*};
use s390_vmcore::{
    copy_faulting_in, CopyStop, HsaWindow, NoFaultCopy, OldMemMode, HSA_MULTI_FAILURES_MAX,
    HSA_WINDOW_BLOCKS, HSA_WINDOW_BYTES, PAGE_SIZE,
};

/// The window and its buffer.
struct Reader {
    window: HsaWindow,
    /// INVARIANT: [`HSA_WINDOW_BYTES`] or [`PAGE_SIZE`] long, from
    /// `kmalloc()` and so physically contiguous: SDIAS stores to its
    /// absolute address.
    buf: KVec<u8>,
}

/// A window buffer: [`HSA_WINDOW_BYTES`], or one page when there is no
/// memory for that (an order-6 allocation can fail where a page does not).
fn window_buffer() -> Result<KVec<u8>> {
    KVec::from_elem(0u8, HSA_WINDOW_BYTES, GFP_KERNEL).or_else(|_| {
        pr_warn!(
            "no memory for a {} KiB HSA buffer: the HSA is read a block at a time\n",
            HSA_WINDOW_BYTES / 1024
        );
        Ok(KVec::from_elem(0u8, PAGE_SIZE as usize, GFP_KERNEL)?)
    })
}

/// The reader, set once by [`init`].
static READER: SetOnce<Pin<KBox<Mutex<Reader>>>> = SetOnce::new();

fn reader() -> Option<&'static Mutex<Reader>> {
    READER.as_ref().map(|r| r.as_ref().get_ref())
}

/// Sets up the reader: allocates its buffer once.
///
/// Errors: `ENOMEM` when not even the one-page buffer or the reader can be
/// allocated: then no byte of the HSA can be read, and the caller serves
/// no dump.
pub(crate) fn init() -> Result {
    let buf = window_buffer()?;
    let reader = KBox::pin_init(
        new_mutex!(
            Reader {
                window: HsaWindow::new(),
                // INVARIANT: from `window_buffer()`.
                buf,
            },
            "vmcore_rs_hsa"
        ),
        GFP_KERNEL,
    )?;
    // Called once, by the one initcall: the cell is empty.
    if !READER.populate(reader) {
        pr_err!("the HSA reader was set up twice\n");
    }
    Ok(())
}

/// Test kernel only: allocates the window buffer again as at boot (the
/// kselftest fails the allocation of the large one with fail-nth, so that
/// reads take the one-page window) and returns its size in bytes.
///
/// Errors: `ENODEV` without an HSA reader, `ENOMEM` without even a page;
/// the old buffer is kept then.
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub(crate) fn test_realloc() -> Result<usize> {
    let reader = reader().ok_or(ENODEV)?;
    // Allocated without the lock, which page-fault fills wait for.
    let mut buf = window_buffer()?;
    let len = buf.len();
    let mut guard = reader.lock();
    guard.window.invalidate();
    // INVARIANT: from `window_buffer()`.
    core::mem::swap(&mut guard.buf, &mut buf);
    drop(guard);
    // The old buffer is freed here, after the lock.
    drop(buf);
    Ok(len)
}

/// Test kernel only: the size of the window buffer in bytes, 0 without an
/// HSA reader.
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
pub(crate) fn test_window_bytes() -> usize {
    reader().map_or(0, |r| r.lock().buf.len())
}

/// Copies `len` bytes of the HSA at byte offset `offset` (the old physical
/// address) into `iter`, advancing it.
///
/// Returns the bytes copied and, when fewer than `len`, why.
pub(crate) fn copy_to_iter(
    mode: OldMemMode,
    iter: &mut IovIterDest<'_>,
    offset: u64,
    len: u64,
) -> (u64, Option<CopyStop>) {
    let (hsa_size, test) = match mode {
        OldMemMode::Hsa { hsa_size } => (hsa_size, None),
        // The test HSA (`oldmem::mode()` makes it only in test kernels).
        OldMemMode::HsaKdump {
            hsa_size,
            start,
            size,
        } => (hsa_size, Some(OldMemMode::Kdump { start, size })),
        _ => return (0, Some(CopyStop::Source)),
    };
    // `dump::init()` serves no dump without a reader.
    let Some(reader) = reader() else {
        return (0, Some(CopyStop::Source));
    };
    let mut copy = LockedCopy {
        reader,
        hsa_size,
        test,
        iter,
    };
    // A destination page that is not there is faulted in without the
    // lock, as much of it as one window holds.
    copy_faulting_in(&mut copy, offset, len, HSA_WINDOW_BYTES as u64)
}

/// A copy of the HSA into `iter` under the reader's lock, with page faults
/// disabled: a page fault of a mapping of the dump file takes the lock too.
struct LockedCopy<'a, 'b> {
    reader: &'a Mutex<Reader>,
    hsa_size: u64,
    /// The kdump mode the test HSA is read from, `None` for the HSA.
    test: Option<OldMemMode>,
    iter: &'a mut IovIterDest<'b>,
}

impl NoFaultCopy for LockedCopy<'_, '_> {
    fn copy_nofault(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>) {
        read_locked(
            self.reader,
            self.hsa_size,
            self.test,
            self.iter,
            offset,
            len,
        )
    }

    fn fault_in(&mut self, len: u64) -> u64 {
        // No lock is held here.
        self.iter.fault_in_writeable(len as usize) as u64
    }
}

/// [`copy_to_iter`] under the reader's lock, as far as the destination
/// takes bytes without a page fault.
fn read_locked(
    reader: &Mutex<Reader>,
    hsa_size: u64,
    test: Option<OldMemMode>,
    iter: &mut IovIterDest<'_>,
    offset: u64,
    len: u64,
) -> (u64, Option<CopyStop>) {
    let mut guard = reader.lock();
    let Reader { window, buf } = &mut *guard;
    // SAFETY: `zcore_hsa_available()` reads a flag that zcore sets once at
    // init and clears on release; it has no preconditions.
    if test.is_none() && !unsafe { bindings::zcore_hsa_available() } {
        // Released: nothing may be served from the buffer any more.
        window.invalidate();
        return (0, Some(CopyStop::Source));
    }
    let was_single = window.single_block();
    let read = window.read(
        buf,
        hsa_size,
        offset,
        len,
        |dst, first, blocks| match test {
            Some(kdump) => test_fetch(kdump, dst, first),
            None => {
                // `HsaWindow::read` passes a prefix of the buffer of
                // `blocks` blocks; the call returns when SDIAS is done. A
                // release after the check above fails the request, it does
                // not free zcore's SDIAS buffers.
                let buf = dst.as_mut_ptr().cast();
                // SAFETY: `buf` is kmalloc memory (physically contiguous,
                // `Reader::buf`) held under the reader's lock while SDIAS
                // stores to it; zcore has set SDIAS up (checked above).
                let rc = unsafe { bindings::sclp_sdias_copy(buf, first, blocks) };
                if rc == 0 {
                    Ok(())
                } else {
                    Err(s390_vmcore::Error::Read)
                }
            }
        },
        // With page faults disabled: a destination page that is not there
        // ends the copy short; the caller faults it in without our lock.
        |src| iter.copy_to_iter_nofault(src),
    );
    // Said once: the window stays in single-block mode.
    if !was_single && window.single_block() {
        pr_warn!(
            "SDIAS failed {} requests of several blocks: the HSA is read a block at a time\n",
            HSA_MULTI_FAILURES_MAX
        );
    }
    read
}

/// The test HSA's fetch: SDIAS blocks from `first` on into `dst`, copied
/// from where the kdump flow keeps old memory (`kdump`).
#[cfg(CONFIG_S390_VMCORE_RUST_TEST)]
fn test_fetch(kdump: OldMemMode, dst: &mut [u8], first: i32) -> Result<(), s390_vmcore::Error> {
    use s390_vmcore::OldMem;
    crate::oldmem::Kernel(kdump).read((first as u64 - 2) * PAGE_SIZE, dst)
}

/// Without test interfaces there is no test HSA to fetch from.
#[cfg(not(CONFIG_S390_VMCORE_RUST_TEST))]
fn test_fetch(_: OldMemMode, _: &mut [u8], _: i32) -> Result<(), s390_vmcore::Error> {
    Err(s390_vmcore::Error::Read)
}

// The window asks for whole blocks of the buffer.
const _: () = assert!(HSA_WINDOW_BYTES == HSA_WINDOW_BLOCKS * PAGE_SIZE as usize);
