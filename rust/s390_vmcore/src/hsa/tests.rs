// SPDX-License-Identifier: GPL-2.0

//! Host tests of `hsa.rs`: built only by `cargo test`, never in the kernel.

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
                if (count > 1 || !partial) && bad.iter().any(|b| (first..first + count).contains(b))
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
