// SPDX-License-Identifier: GPL-2.0

//! Reading the HSA through SDIAS in requests of many blocks.
//!
//! For a stand-alone (zfcp/NVMe) dump the firmware saved old memory
//! `[0, hsa_size)` in the Hardware System Area before it loaded the dump
//! kernel over it. The dump kernel reads the HSA with SDIAS "store data"
//! requests (`sclp_sdias_copy()`, `drivers/s390/char/sclp_sdias.c`), each
//! of which copies whole 4 KiB blocks into the dump kernel's memory. Block
//! numbers start at 1; HSA page `p` (bytes `[p * 4096, (p + 1) * 4096)`,
//! equal to old physical addresses) is block `p + 2`, as in
//! `memcpy_hsa_iter()` of `drivers/s390/char/zcore.c`.
//!
//! zcore asks for one block per request, and every request is a round trip
//! to the firmware that completes with a service-signal interrupt.
//! [`HsaWindow`] asks for up to [`HSA_WINDOW_BLOCKS`] blocks at once into
//! one buffer and serves the following reads from it. When a request of
//! several blocks fails (also when SDIAS stored part of it: which blocks
//! it stored is not documented, so `sclp_sdias_copy()` fails it), the
//! blocks it asked for are asked for again one at a time, so that one
//! unreadable block fails the reads of its own page only. After
//! [`HSA_MULTI_FAILURES_MAX`] such failures every request asks for one
//! block, as zcore's do.

use crate::copy::CopyStop;
use crate::{Error, PAGE_SIZE};

/// Blocks (4 KiB each) that [`HsaWindow::read`] asks for in one SDIAS
/// request at most: the window buffer is this many pages, 256 KiB.
pub const HSA_WINDOW_BLOCKS: usize = 64;

/// Size in bytes of the window buffer for [`HSA_WINDOW_BLOCKS`] blocks.
pub const HSA_WINDOW_BYTES: usize = HSA_WINDOW_BLOCKS * PAGE_SIZE as usize;

/// Failed requests of several blocks after which [`HsaWindow`] asks for
/// one block per request for good ([`HsaWindow::single_block`]).
pub const HSA_MULTI_FAILURES_MAX: u32 = 4;

/// The SDIAS block number of HSA page `page` (`page + 2`).
///
/// Returns `None` when it does not fit the `int` of `sclp_sdias_copy()`.
pub fn hsa_block(page: u64) -> Option<i32> {
    page.checked_add(2).and_then(|b| i32::try_from(b).ok())
}

/// Which HSA pages the window buffer holds: pages `[first, first + pages)`
/// in its first `pages * 4096` bytes. The buffer itself is the caller's
/// (the kernel glue allocates it once, physically contiguous, because
/// SDIAS stores to an absolute address).
///
/// It also remembers the failed requests of several blocks: the HSA pages
/// `[single_from, single_to)` of the last one are asked for one block at
/// a time, and after [`HSA_MULTI_FAILURES_MAX`] failures all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HsaWindow {
    first: u64,
    pages: u64,
    single_from: u64,
    single_to: u64,
    failures: u32,
}

impl HsaWindow {
    /// An empty window.
    pub const fn new() -> Self {
        Self {
            first: 0,
            pages: 0,
            single_from: 0,
            single_to: 0,
            failures: 0,
        }
    }

    /// Forgets what the buffer holds (the HSA was released, or the buffer
    /// is about to be used otherwise); failures are remembered.
    pub fn invalidate(&mut self) {
        self.pages = 0;
    }

    /// Whether every request asks for one block: after
    /// [`HSA_MULTI_FAILURES_MAX`] failed requests of several blocks. Once
    /// true, it stays true.
    pub fn single_block(&self) -> bool {
        self.failures >= HSA_MULTI_FAILURES_MAX
    }

    /// The HSA pages the buffer holds, `(first, count)`.
    pub fn held(&self) -> (u64, u64) {
        (self.first, self.pages)
    }

    /// Copies HSA bytes `[offset, offset + len)`, through `buf`, to a
    /// destination.
    ///
    /// `buf` is the window buffer, at least one page; its length in pages,
    /// at most [`HSA_WINDOW_BLOCKS`], bounds the blocks per request.
    /// `fetch(dst, first_block, blocks)` must fill `dst` (`blocks * 4096`
    /// bytes) with SDIAS blocks `first_block..first_block + blocks`.
    /// `copy(src)` copies `src` to the destination and returns how many
    /// bytes it took. Nothing beyond `hsa_size` is read: the part of the
    /// range past it is not copied. A failed request of several blocks is
    /// not trusted in part: its blocks are fetched again one at a time.
    ///
    /// Returns the bytes copied and, when that is less than `len`, why.
    pub fn read(
        &mut self,
        buf: &mut [u8],
        hsa_size: u64,
        offset: u64,
        len: u64,
        mut fetch: impl FnMut(&mut [u8], i32, i32) -> Result<(), Error>,
        mut copy: impl FnMut(&[u8]) -> usize,
    ) -> (u64, Option<CopyStop>) {
        const PAGE: usize = PAGE_SIZE as usize;
        let max_pages = core::cmp::min(buf.len() / PAGE, HSA_WINDOW_BLOCKS) as u64;
        let hsa_pages = hsa_size / PAGE_SIZE;
        let mut done = 0;
        while done < len {
            let pos = offset + done;
            let page = pos / PAGE_SIZE;
            if page >= hsa_pages || max_pages == 0 {
                return (done, Some(CopyStop::Source));
            }
            if !(self.first..self.first + self.pages).contains(&page) {
                let single =
                    self.single_block() || (self.single_from..self.single_to).contains(&page);
                let want = if single {
                    1
                } else {
                    core::cmp::min(max_pages, hsa_pages - page)
                };
                if self.fill(buf, page, want, &mut fetch).is_err() {
                    if want == 1 {
                        return (done, Some(CopyStop::Source));
                    }
                    self.failures = self.failures.saturating_add(1);
                    self.single_from = page;
                    self.single_to = page + want;
                    if self.fill(buf, page, 1, &mut fetch).is_err() {
                        return (done, Some(CopyStop::Source));
                    }
                }
            }
            // `page` is held: the bytes from `pos` to the end of the window.
            let start = (pos - self.first * PAGE_SIZE) as usize;
            let end = (self.pages * PAGE_SIZE) as usize;
            let n = core::cmp::min((len - done) as usize, end - start);
            let copied = copy(&buf[start..start + n]);
            done += copied as u64;
            if copied < n {
                return (done, Some(CopyStop::Destination));
            }
        }
        (done, None)
    }

    /// Fetches `pages` pages from `page` on into `buf`; the window is empty
    /// unless that succeeded.
    fn fill(
        &mut self,
        buf: &mut [u8],
        page: u64,
        pages: u64,
        fetch: &mut impl FnMut(&mut [u8], i32, i32) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.pages = 0;
        let first = hsa_block(page).ok_or(Error::Overflow)?;
        // Fits: at most HSA_WINDOW_BLOCKS pages, and `first + pages - 1` is
        // the block of a page below `hsa_pages`, checked by the caller.
        let count = i32::try_from(pages).map_err(|_| Error::Overflow)?;
        hsa_block(page + pages - 1).ok_or(Error::Overflow)?;
        fetch(&mut buf[..(pages * PAGE_SIZE) as usize], first, count)?;
        self.first = page;
        self.pages = pages;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
