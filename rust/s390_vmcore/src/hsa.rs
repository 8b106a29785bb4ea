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

/// Why a copy of old memory ([`HsaWindow::read`], and the kernel glue's
/// copies of real memory) stopped before copying everything it was asked
/// for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyStop {
    /// The HSA could not be read (SDIAS failed, or the HSA is released or
    /// not there): `-EIO` for `read()`, `SIGBUS` for a mapping.
    Source,
    /// The destination took fewer bytes than offered (a user buffer
    /// faulted): `-EFAULT`.
    Destination,
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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    const PAGE: u64 = PAGE_SIZE;

    /// HSA byte at offset `o`, different in every page.
    fn byte(o: u64) -> u8 {
        (o.wrapping_mul(7) ^ (o / PAGE)) as u8
    }

    fn bytes(from: u64, to: u64) -> Vec<u8> {
        (from..to).map(byte).collect()
    }

    /// A window over a fake SDIAS: the HSA holds [`byte`]s, blocks in
    /// `bad` cannot be read (with `partial`, only in requests of several
    /// blocks, as QEMU's "partially stored" injection does), every
    /// request `(first, count)` is recorded.
    struct Sdias {
        hsa_size: u64,
        bad: Vec<i32>,
        partial: bool,
        requests: Vec<(i32, i32)>,
        window: HsaWindow,
        buf: Vec<u8>,
    }

    impl Sdias {
        fn new(hsa_size: u64, bad: &[i32], buf_pages: usize) -> Self {
            Self {
                hsa_size,
                bad: bad.to_vec(),
                partial: false,
                requests: Vec::new(),
                window: HsaWindow::new(),
                buf: vec![0; buf_pages * PAGE as usize],
            }
        }

        /// Reads `len` bytes at `offset` into a destination that takes
        /// `room` bytes at most: what was read, and the window's answer.
        fn read_room(
            &mut self,
            offset: u64,
            len: u64,
            room: usize,
        ) -> (Vec<u8>, u64, Option<CopyStop>) {
            let (hsa_size, bad, partial) = (self.hsa_size, &self.bad, self.partial);
            let requests = &mut self.requests;
            let mut out = Vec::new();
            let mut short = false;
            let (n, stop) = self.window.read(
                &mut self.buf,
                hsa_size,
                offset,
                len,
                |dst, first, count| {
                    requests.push((first, count));
                    assert!(first >= 2, "block {first} is no HSA page");
                    assert_eq!(dst.len() as u64, count as u64 * PAGE);
                    let last = first as u64 + count as u64 - 1;
                    assert!(
                        last - 2 < hsa_size / PAGE,
                        "request past the HSA: {first}+{count}"
                    );
                    if (count > 1 || !partial)
                        && bad.iter().any(|b| (first..first + count).contains(b))
                    {
                        // A failed request may have stored some of it.
                        dst.fill(0xee);
                        return Err(Error::Read);
                    }
                    for (i, d) in dst.iter_mut().enumerate() {
                        *d = byte((first as u64 - 2) * PAGE + i as u64);
                    }
                    Ok(())
                },
                |src| {
                    // Never asked to copy nothing, nor again after a short
                    // copy (a read that makes no progress would loop):
                    // fail here instead of hanging.
                    assert!(!src.is_empty(), "empty copy at {}", out.len());
                    assert!(!short, "copy after a short copy at {}", out.len());
                    // Nor for more than the read asked for in all.
                    assert!(
                        (out.len() + src.len()) as u64 <= len,
                        "asked to copy past the {len} bytes of the read"
                    );
                    let n = core::cmp::min(src.len(), room - out.len());
                    short = n < src.len();
                    out.extend_from_slice(&src[..n]);
                    n
                },
            );
            assert_eq!(out.len() as u64, n);
            (out, n, stop)
        }

        fn read(&mut self, offset: u64, len: u64) -> (Vec<u8>, u64, Option<CopyStop>) {
            self.read_room(offset, len, usize::MAX)
        }
    }

    #[test]
    fn window_is_64_pages() {
        assert_eq!(HSA_WINDOW_BLOCKS, 64);
        assert_eq!(HSA_WINDOW_BYTES, 256 * 1024);
    }

    #[test]
    fn block_numbers_as_zcore() {
        assert_eq!(hsa_block(0), Some(2));
        assert_eq!(hsa_block(5), Some(7));
        assert_eq!(hsa_block(i32::MAX as u64 - 2), Some(i32::MAX));
        assert_eq!(hsa_block(i32::MAX as u64 - 1), None);
        assert_eq!(hsa_block(u64::MAX), None);
    }

    #[test]
    fn sequential_reads_ask_64_blocks_per_request() {
        // 1 MiB + 12 KiB: 259 pages, not a multiple of the window.
        let hsa = 0x103000;
        let mut t = Sdias::new(hsa, &[], HSA_WINDOW_BLOCKS);
        let mut all = Vec::new();
        for off in (0..hsa).step_by(PAGE as usize) {
            let (out, n, stop) = t.read(off, PAGE);
            assert_eq!((n, stop), (PAGE, None));
            all.extend(out);
        }
        assert_eq!(all, bytes(0, hsa));
        assert_eq!(
            t.requests,
            [(2, 64), (66, 64), (130, 64), (194, 64), (258, 3)]
        );
    }

    #[test]
    fn one_read_across_windows_and_unaligned() {
        let mut t = Sdias::new(300 * PAGE, &[], HSA_WINDOW_BLOCKS);
        let (out, n, stop) = t.read(4095, 70 * PAGE);
        assert_eq!((n, stop), (70 * PAGE, None));
        assert_eq!(out, bytes(4095, 4095 + 70 * PAGE));
        assert_eq!(t.requests, [(2, 64), (66, 64)]);
        // Held pages are served without a new request.
        let (out, _, stop) = t.read(100 * PAGE, 10);
        assert_eq!((out, stop), (bytes(100 * PAGE, 100 * PAGE + 10), None));
        assert_eq!(t.requests.len(), 2);
    }

    #[test]
    fn hsa_size_boundaries() {
        let hsa = 100 * PAGE;
        let mut t = Sdias::new(hsa, &[], HSA_WINDOW_BLOCKS);
        // hsa_size - 1: one byte, the last of the HSA.
        assert_eq!(t.read(hsa - 1, 1), (bytes(hsa - 1, hsa), 1, None));
        assert_eq!(t.requests, [(101, 1)]);
        // hsa_size: nothing, and no request.
        assert_eq!(t.read(hsa, 1), (vec![], 0, Some(CopyStop::Source)));
        // Across hsa_size: up to it.
        assert_eq!(
            t.read(hsa - 2, 4),
            (bytes(hsa - 2, hsa), 2, Some(CopyStop::Source))
        );
        // hsa_size + 1.
        assert_eq!(t.read(hsa + 1, 1), (vec![], 0, Some(CopyStop::Source)));
        assert_eq!(t.requests.len(), 1);
    }

    #[test]
    fn a_bad_block_fails_its_page_only() {
        // Page 70 (block 72) cannot be read.
        let mut t = Sdias::new(200 * PAGE, &[72], HSA_WINDOW_BLOCKS);
        // The window from page 64 fails; page 64 alone works, and so on up
        // to page 70.
        let (out, n, stop) = t.read(64 * PAGE, 10 * PAGE);
        assert_eq!((n, stop), (6 * PAGE, Some(CopyStop::Source)));
        assert_eq!(out, bytes(64 * PAGE, 70 * PAGE));
        assert_eq!(t.window.held().1, 0);
        // The page itself keeps failing, its neighbours keep working.
        assert_eq!(
            t.read(70 * PAGE + 5, 1),
            (vec![], 0, Some(CopyStop::Source))
        );
        assert_eq!(
            t.read(71 * PAGE, PAGE),
            (bytes(71 * PAGE, 72 * PAGE), PAGE, None)
        );
        // The pages of the failed request are asked for one at a time,
        // those after it in windows again.
        let mut want = vec![(66, 64)];
        want.extend((66..72).map(|b| (b, 1)));
        want.extend([(72, 1), (72, 1), (73, 1)]);
        assert_eq!(t.requests, want);
        assert_eq!(t.read(128 * PAGE, 1).2, None);
        assert_eq!(*t.requests.last().unwrap(), (130, 64));
        assert!(!t.window.single_block());
    }

    #[test]
    fn a_partial_store_is_read_block_by_block() {
        // Requests of several blocks that cover block 72 fail, as SDIAS
        // answers "partially stored" and sclp_sdias_copy() fails them;
        // block 72 alone is stored. Every byte reads as it is in the HSA.
        let mut t = Sdias::new(200 * PAGE, &[72], HSA_WINDOW_BLOCKS);
        t.partial = true;
        let (out, n, stop) = t.read(0, 200 * PAGE);
        assert_eq!((n, stop), (200 * PAGE, None));
        assert!(out == bytes(0, 200 * PAGE));
        let single: Vec<_> = (66..130).map(|b| (b, 1)).collect();
        assert_eq!(t.requests[..2], [(2, 64), (66, 64)]);
        assert_eq!(t.requests[2..66], single[..]);
        assert_eq!(t.requests[66..], [(130, 64), (194, 8)]);
    }

    #[test]
    fn repeated_failures_stay_single_block() {
        // Every window from page 0 to 255 holds a bad block.
        let bad: Vec<i32> = (0..4).map(|w| 2 + 64 * w + 10).collect();
        let mut t = Sdias::new(400 * PAGE, &bad, HSA_WINDOW_BLOCKS);
        t.partial = true;
        let mut failures = 0;
        for w in 0..4 {
            assert!(!t.window.single_block());
            assert_eq!(t.read(w * 64 * PAGE, PAGE).2, None);
            failures += 1;
            assert_eq!(t.requests.iter().filter(|r| r.1 > 1).count(), failures);
            // The rest of that window, a block at a time.
            assert_eq!(t.read(w * 64 * PAGE + PAGE, 63 * PAGE).2, None);
        }
        assert_eq!(failures as u32, HSA_MULTI_FAILURES_MAX);
        assert!(t.window.single_block());
        // From now on one block per request, also where nothing failed.
        let before = t.requests.len();
        let (out, n, stop) = t.read(256 * PAGE, 144 * PAGE);
        assert_eq!((n, stop), (144 * PAGE, None));
        assert!(out == bytes(256 * PAGE, 400 * PAGE));
        assert!(t.requests[before..].iter().all(|r| r.1 == 1));
        assert_eq!(t.requests.len() - before, 144);
        // invalidate() forgets the pages held, not the failures.
        t.window.invalidate();
        assert!(t.window.single_block());
    }

    #[test]
    fn a_failed_one_block_request_is_not_repeated() {
        // One page left before hsa_size: the window request is already a
        // single block, so its failure is final.
        let mut t = Sdias::new(PAGE, &[2], HSA_WINDOW_BLOCKS);
        assert_eq!(t.read(0, 1), (vec![], 0, Some(CopyStop::Source)));
        assert_eq!(t.requests, [(2, 1)]);
    }

    #[test]
    fn the_last_block_sdias_can_address() {
        // An HSA whose last page is block i32::MAX (8 TiB): readable.
        let pages = i32::MAX as u64 - 1;
        let mut t = Sdias::new(pages * PAGE, &[], HSA_WINDOW_BLOCKS);
        let last = (pages - 1) * PAGE;
        assert_eq!(t.read(last, PAGE), (bytes(last, last + PAGE), PAGE, None));
        assert_eq!(t.requests, [(i32::MAX, 1)]);
        // Two pages before it: a window of the last two.
        let mut t = Sdias::new(pages * PAGE, &[], HSA_WINDOW_BLOCKS);
        assert_eq!(t.read(last - PAGE, 1).1, 1);
        assert_eq!(t.requests, [(i32::MAX - 1, 2)]);
    }

    #[test]
    fn a_failed_refill_forgets_the_window() {
        // Page 64 (block 66) cannot be read; pages 0..64 are held, and
        // every window that holds page 64 fails.
        let mut t = Sdias::new(200 * PAGE, &[66], HSA_WINDOW_BLOCKS);
        assert_eq!(t.read(0, 1).2, None);
        assert_eq!(t.window.held(), (0, 64));
        assert_eq!(t.read(64 * PAGE, 1), (vec![], 0, Some(CopyStop::Source)));
        // The buffer was overwritten: page 5 must be fetched again.
        assert_eq!(
            t.read(5 * PAGE, PAGE),
            (bytes(5 * PAGE, 6 * PAGE), PAGE, None)
        );
        assert_eq!(t.requests, [(2, 64), (66, 64), (66, 1), (7, 64), (7, 1)]);
    }

    #[test]
    fn short_destination_stops() {
        let mut t = Sdias::new(10 * PAGE, &[], HSA_WINDOW_BLOCKS);
        let (out, n, stop) = t.read_room(0, 3 * PAGE, 5000);
        assert_eq!((n, stop), (5000, Some(CopyStop::Destination)));
        assert_eq!(out, bytes(0, 5000));
        // The window stays valid for the retry.
        assert_eq!(t.window.held(), (0, 10));
        assert_eq!(t.read(5000, 100), (bytes(5000, 5100), 100, None));
        assert_eq!(t.requests.len(), 1);
    }

    #[test]
    fn small_buffers_and_invalidate() {
        // Less than a page: nothing can be fetched.
        let mut t = Sdias::new(10 * PAGE, &[], 0);
        t.buf = vec![0; 100];
        assert_eq!(t.read(0, 1), (vec![], 0, Some(CopyStop::Source)));
        assert!(t.requests.is_empty());
        let mut t = Sdias::new(10 * PAGE, &[], 2);
        assert_eq!(t.read(0, 1), (bytes(0, 1), 1, None));
        assert_eq!(t.requests, [(2, 2)]);
        t.window.invalidate();
        assert_eq!(t.read(0, 1), (bytes(0, 1), 1, None));
        assert_eq!(t.requests, [(2, 2), (2, 2)]);
    }

    proptest! {
        /// Any read gives exactly the HSA bytes up to hsa_size or the first
        /// bad page (none with `partial`: a bad block fails only requests
        /// of several), with requests inside the HSA of at most 64 blocks.
        #[test]
        fn reads_equal_the_hsa(
            pages in 1u64..400,
            bad in proptest::collection::vec(2i32..402, 0..3),
            partial in any::<bool>(),
            reads in proptest::collection::vec((0u64..420 * 4096, 0u64..100_000), 1..6),
            buf_pages in 1usize..80,
        ) {
            let mut t = Sdias::new(pages * PAGE, &bad, buf_pages);
            t.partial = partial;
            for (off, len) in reads {
                let (out, n, stop) = t.read(off, len);
                let first_bad = (off / PAGE..)
                    .take_while(|p| p * PAGE < off + len)
                    .find(|&p| p >= pages || (!partial && bad.contains(&((p + 2) as i32))));
                let expect = match first_bad {
                    Some(p) => (p * PAGE).max(off) - off,
                    None => len,
                };
                prop_assert_eq!(n, expect);
                prop_assert_eq!(stop.is_some(), expect < len);
                prop_assert_eq!(out, bytes(off, off + n));
            }
            for &(_, c) in &t.requests {
                prop_assert!(c >= 1 && c as usize <= buf_pages.min(HSA_WINDOW_BLOCKS));
            }
        }
    }
}
