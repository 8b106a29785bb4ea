// SPDX-License-Identifier: GPL-2.0

//! The crashed system's memory ("oldmem"), by physical address.
//!
//! Which old address lives where is decided by [`s390_vmcore::map_oldmem`]:
//! for kdump, the old contents of `[0, oldmem_data.size)` were swapped into
//! the crashkernel area `[oldmem_data.start, +size)` and the other way round;
//! above both, old memory is read in place. For zfcpdump, old
//! `[0, hsa_size)` is in the HSA and read through the kernel's SDIAS reader
//! (`memcpy_hsa_iter()`), the rest in place. Real memory is copied with
//! `memcpy_real_iter()` (`arch/s390/mm/maccess.c`), which maps each page
//! through the kernel's real-memory window.
//!
//! The test kernel can put a test HSA over a kdump boot (QEMU has no HSA):
//! with `vmcore_rs_test_hsa=SIZE` old memory below SIZE takes the HSA path,
//! whose fetch call ([`test_hsa_fetch`]) reads the old contents where kdump
//! keeps them, a page at a time like the SDIAS reader; everything else is
//! the production code.
//!
//! Reference: `copy_oldmem_iter()` in `arch/s390/kernel/crash_dump.c`,
//! `memcpy_hsa_iter()` in `drivers/s390/char/zcore.c`.

use crate::bindings;
use s390_vmcore::{map_oldmem, OldMem, OldMemMode, Source};

use s390_vmcore::PAGE_SIZE;

/// How this boot reaches the crashed system's memory, or `None` when this is
/// no dump kernel. Only during init (the test HSA size is init data).
#[link_section = ".init.text"]
pub(crate) fn mode() -> Option<OldMemMode> {
    // SAFETY: `oldmem_data` is written once by the decompressor before the
    // kernel runs and only read afterwards.
    let (start, size) = unsafe { (bindings::oldmem_data.start, bindings::oldmem_data.size) };
    if start != 0 {
        let (start, size) = (start as u64, size as u64);
        // SAFETY: Reads a boot parameter; we run during init.
        let test_hsa = unsafe { bindings::vmcore_rs_test_hsa_size() } as u64;
        if test_hsa != 0 {
            // The HSA is read and mapped by whole pages.
            let hsa_size = test_hsa & !(PAGE_SIZE - 1);
            return Some(OldMemMode::HsaKdump {
                hsa_size,
                start,
                size,
            });
        }
        return Some(OldMemMode::Kdump { start, size });
    }
    // SAFETY: Plain query of the IPL type, set up early in `setup_arch()`.
    if unsafe { bindings::vmcore_rs_is_ipl_type_dump() } {
        // SAFETY: `sclp.hsa_size` is set by the early SCLP code and only read.
        let hsa_size = unsafe { bindings::vmcore_rs_hsa_size() };
        if hsa_size == 0 {
            // As `elfcorehdr_alloc()`: without the HSA size no dump (the
            // initcall says so).
            return None;
        }
        return Some(OldMemMode::Hsa {
            hsa_size: hsa_size as u64,
        });
    }
    None
}

/// Copies `len` bytes of old memory at physical address `paddr` into
/// `iter`, advancing it.
///
/// Returns the number of bytes copied: less than `len` when the destination
/// faulted or the source could not be read.
///
/// # Safety
///
/// `iter` must be a valid, initialised `iov_iter` for the duration of the
/// call.
pub(crate) unsafe fn copy_to_iter(
    mode: OldMemMode,
    iter: *mut bindings::iov_iter,
    mut paddr: u64,
    len: u64,
) -> u64 {
    let mut done = 0;
    while done < len {
        let (source, chunk) = map_oldmem(mode, paddr, len - done);
        let copied = match source {
            // SAFETY: `iter` is valid by the function's contract; the copy
            // reads only real memory at `src` through the kernel's window.
            Source::Real { paddr: src } => unsafe {
                bindings::memcpy_real_iter(iter, src as usize, chunk as usize) as u64
            },
            Source::Hsa { offset } => match mode {
                // SAFETY: As above.
                OldMemMode::HsaKdump { start, size, .. } => unsafe {
                    test_hsa_fetch(iter, offset, chunk, start, size)
                },
                // SAFETY: `iter` is valid by the function's contract; the
                // HSA reader copies at most `chunk` bytes into it.
                _ => unsafe {
                    bindings::vmcore_rs_memcpy_hsa_iter(iter, offset as usize, chunk as usize)
                        as u64
                },
            },
        };
        done += copied;
        paddr += copied;
        if copied < chunk {
            break;
        }
    }
    done
}

/// The test HSA's fetch call: `len` bytes at HSA offset `offset`, read a
/// page at a time from where the kdump flow keeps the old contents.
///
/// # Safety
///
/// `iter` must be a valid, initialised `iov_iter` for the duration of the
/// call.
unsafe fn test_hsa_fetch(
    iter: *mut bindings::iov_iter,
    mut offset: u64,
    len: u64,
    start: u64,
    size: u64,
) -> u64 {
    let mut done = 0;
    while done < len {
        let page_left = PAGE_SIZE - offset % PAGE_SIZE;
        let want = core::cmp::min(len - done, page_left);
        let (src, n) = map_oldmem(OldMemMode::Kdump { start, size }, offset, want);
        let Source::Real { paddr } = src else {
            break;
        };
        // SAFETY: `iter` is valid by the function's contract.
        let copied = unsafe { bindings::memcpy_real_iter(iter, paddr as usize, n as usize) } as u64;
        done += copied;
        offset += copied;
        if copied < n {
            break;
        }
    }
    done
}

/// Old memory read into kernel buffers, for the header build and the early
/// CPU save.
#[derive(Clone, Copy)]
pub(crate) struct Kernel(pub(crate) OldMemMode);

impl OldMem for Kernel {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> Result<(), s390_vmcore::Error> {
        let kvec = bindings::kvec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut iter = bindings::iov_iter::default();
        // SAFETY: `kvec` describes `buf`, which is valid for writes of
        // `buf.len()` bytes and outlives `iter`.
        unsafe { bindings::iov_iter_kvec(&mut iter, bindings::ITER_DEST, &kvec, 1, buf.len()) };
        // SAFETY: `iter` was just initialised and lives across the call.
        let copied = unsafe { copy_to_iter(self.0, &mut iter, paddr, buf.len() as u64) };
        if copied == buf.len() as u64 {
            Ok(())
        } else {
            Err(s390_vmcore::Error::Read)
        }
    }
}
