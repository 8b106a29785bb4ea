//! `map_oldmem` / `copy_oldmem` with arbitrary modes, addresses and lengths
//! over the whole 64-bit range. Checks: `0 < n <= len` (n == 0 only for
//! len == 0), every byte of a piece maps by the documented per-byte rule,
//! and `copy_oldmem` asks the primitives only for what was asked, in
//! order, by the per-byte rule, real memory in steps of at most
//! `REAL_COPY_STEP`, stops where a primitive stops, and says why.
use arbitrary::Arbitrary;
use s390_vmcore::{
    copy_oldmem, map_oldmem, CopyStop, CopyTarget, OldMemMode, Source, REAL_COPY_STEP,
};

#[derive(Debug, Arbitrary)]
enum Mode {
    Kdump {
        start: u64,
        size: u64,
    },
    Hsa {
        hsa_size: u64,
    },
    HsaKdump {
        hsa_size: u64,
        start: u64,
        size: u64,
    },
    Real,
}

#[derive(Debug, Arbitrary)]
struct Input {
    mode: Mode,
    paddr: u64,
    len: u64,
    /// `copy_oldmem` length: up to 2^32 bytes (nothing is copied for real).
    copy_len: u32,
    /// A primitive stops short on this call number (if any)...
    fail_at: Option<u8>,
    /// ...after this many bytes.
    fail_after: u16,
}

/// The per-byte rule of the `map_oldmem` documentation.
fn byte_rule(mode: OldMemMode, a: u64) -> Source {
    match mode {
        OldMemMode::Real => Source::Real { paddr: a },
        OldMemMode::Hsa { hsa_size } | OldMemMode::HsaKdump { hsa_size, .. } if a < hsa_size => {
            Source::Hsa { offset: a }
        }
        OldMemMode::Hsa { .. } => Source::Real { paddr: a },
        OldMemMode::HsaKdump { start, size, .. } | OldMemMode::Kdump { start, size } => {
            if a >= start && a - start < size {
                Source::Real { paddr: a - start }
            } else if a < size {
                Source::Real {
                    paddr: a.wrapping_add(start),
                }
            } else {
                Source::Real { paddr: a }
            }
        }
    }
}

fn advance(s: Source, k: u64) -> Source {
    match s {
        Source::Hsa { offset } => Source::Hsa {
            offset: offset.wrapping_add(k),
        },
        Source::Real { paddr } => Source::Real {
            paddr: paddr.wrapping_add(k),
        },
    }
}

fn check_piece(mode: OldMemMode, paddr: u64, len: u64) -> (Source, u64) {
    let (src, n) = map_oldmem(mode, paddr, len);
    assert!(n <= len, "{mode:?} {paddr:#x} {len:#x}: n {n:#x}");
    assert_eq!(n == 0, len == 0, "{mode:?} {paddr:#x} {len:#x}: n {n:#x}");
    if n > 0 {
        for k in [0, n / 2, n - 1] {
            if let Some(a) = paddr.checked_add(k) {
                assert_eq!(
                    advance(src, k),
                    byte_rule(mode, a),
                    "{mode:?} {paddr:#x}+{k:#x}"
                );
            }
        }
    }
    (src, n)
}

/// The target: an input that decodes as [`Input`] is checked; any other is
/// rejected (`false`).
pub fn run(data: &[u8]) -> bool {
    super::decode::<Input>(data)
        .map(|inp| check(&inp))
        .is_some()
}

fn check(inp: &Input) {
    let mode = match inp.mode {
        Mode::Kdump { start, size } => OldMemMode::Kdump { start, size },
        Mode::Hsa { hsa_size } => OldMemMode::Hsa { hsa_size },
        Mode::HsaKdump {
            hsa_size,
            start,
            size,
        } => OldMemMode::HsaKdump {
            hsa_size,
            start,
            size,
        },
        Mode::Real => OldMemMode::Real,
    };
    check_piece(mode, inp.paddr, inp.len);
    check_piece(mode, inp.paddr, 0);
    check_piece(mode, inp.paddr, u64::MAX);

    // Walk a whole request piece by piece: bounded number of pieces.
    let end = inp.paddr.saturating_add(inp.len);
    let (mut at, mut pieces) = (inp.paddr, 0);
    while at < end {
        let (_, n) = check_piece(mode, at, end - at);
        at += n;
        pieces += 1;
        assert!(
            pieces <= 8,
            "{mode:?}: more than 8 pieces for {:#x}+{:#x}",
            inp.paddr,
            inp.len
        );
    }

    // copy_oldmem with primitives that check what they are asked for.
    struct Check {
        mode: OldMemMode,
        next: u64,
        done: u64,
        len: u64,
        calls: usize,
        fail_at: Option<u8>,
        fail_after: u64,
        stopped: Option<CopyStop>,
    }
    impl Check {
        fn piece(&mut self, src: Source, len: u64, hsa: bool) -> (u64, Option<CopyStop>) {
            assert!(len > 0, "empty piece");
            assert!(
                self.done + len <= self.len,
                "asked for more than the request"
            );
            assert_eq!(
                src,
                byte_rule(self.mode, self.next),
                "piece at {:#x}",
                self.next
            );
            assert!(self.stopped.is_none(), "asked again after a stop");
            self.calls += 1;
            assert!(
                self.calls <= 8 + (self.len / REAL_COPY_STEP) as usize,
                "too many pieces"
            );
            let (n, stop) = if self.fail_at == Some(self.calls as u8) {
                let n = core::cmp::min(self.fail_after, len - 1);
                (
                    n,
                    Some(if hsa {
                        CopyStop::Source
                    } else {
                        CopyStop::Destination
                    }),
                )
            } else {
                (len, None)
            };
            self.stopped = stop;
            self.done += n;
            self.next = self.next.wrapping_add(n);
            (n, stop)
        }
    }
    impl CopyTarget for Check {
        fn copy_real(&mut self, paddr: u64, len: u64) -> u64 {
            assert!(len <= REAL_COPY_STEP, "real piece of {len:#x}");
            self.piece(Source::Real { paddr }, len, false).0
        }
        fn copy_hsa(&mut self, offset: u64, len: u64) -> (u64, Option<CopyStop>) {
            self.piece(Source::Hsa { offset }, len, true)
        }
        fn copy_header(&mut self, _: &[u8]) -> u64 {
            panic!("copy_oldmem copies no header");
        }
    }
    let len = u64::from(inp.copy_len);
    let mut t = Check {
        mode,
        next: inp.paddr,
        done: 0,
        len,
        calls: 0,
        fail_at: inp.fail_at,
        fail_after: u64::from(inp.fail_after),
        stopped: None,
    };
    let (copied, stop) = copy_oldmem(mode, &mut t, inp.paddr, len);
    let wraps = len > 0 && inp.paddr.checked_add(len - 1).is_none();
    if wraps {
        assert_eq!((copied, stop, t.calls), (0, Some(CopyStop::Source), 0));
    } else {
        assert_eq!(copied, t.done);
        assert_eq!(stop, t.stopped);
        if stop.is_none() {
            assert_eq!(copied, len);
        }
    }
}
