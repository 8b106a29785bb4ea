//! `layout` + `build` + `piece_at` on an arbitrary `DumpSpec`: CPUs,
//! vmcoreinfo, text segment, identity base and up to ~4096 memory ranges
//! (sorted or not, overlapping or not, huge values; rarely ~65535 to hit
//! the program header limit). On success the header and the segment list
//! are checked against an independent reading, and `piece_at` must make
//! progress and stay in bounds. `piece_at` also gets garbage segments.
use arbitrary::{Arbitrary, Result, Unstructured};
use s390_vmcore::{
    build, layout, piece_at, DumpSpec, Error, PhysRange, Piece, SaveArea, Segment, TextSegment,
};

use super::{be16, be32, be64};

const PAGE: u64 = 4096;

#[derive(Debug, Arbitrary)]
struct Cpu {
    prefix: u32,
    seed: u64,
}

#[derive(Debug, Arbitrary)]
enum RangeSpec {
    Raw { start: u64, end: u64 },
    Len { start: u64, len: u32 },
}

/// Generated ranges: `start_i = base + i * stride`, `end_i = start_i + len`
/// (wrapping), then optionally shuffled.
#[derive(Debug, Arbitrary)]
struct Gen {
    count: u16,
    /// 0xff: 65528..65535 ranges, around the program header limit (slow,
    /// so rare); otherwise `count % 4097` ranges.
    kind: u8,
    base: u64,
    stride: u64,
    len: u64,
    shuffle: Option<u64>,
}

#[derive(Debug, Arbitrary)]
enum Pos {
    Raw(u64),
    /// Modulo `file_size + 1`.
    Rel(u64),
    /// A segment's offset (segment index modulo count) plus a delta.
    Seg(u16, i16),
    /// `header_len` plus a delta.
    Hdr(i16),
}

#[derive(Debug)]
struct Input {
    cpus: Vec<Cpu>,
    has_vx: bool,
    vmci: Option<(u16, Vec<u8>)>,
    text: Option<(u64, u64, u64)>,
    identity_base: u64,
    ranges: Vec<RangeSpec>,
    gen: Option<Gen>,
    probes: Vec<(Pos, u64)>,
    shrink_hdr: u16,
    raw_hdr_len: u32,
    raw_file_size: u64,
    raw_segs: Vec<(u64, u64, u64)>,
}

fn capped<'a, T: Arbitrary<'a>>(u: &mut Unstructured<'a>, max: usize) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        if u.is_empty() {
            break;
        }
        v.push(u.arbitrary()?);
    }
    Ok(v)
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Input {
            has_vx: u.arbitrary()?,
            vmci: u.arbitrary()?,
            text: u.arbitrary()?,
            identity_base: u.arbitrary()?,
            gen: u.arbitrary()?,
            shrink_hdr: u.arbitrary()?,
            raw_hdr_len: u.arbitrary()?,
            raw_file_size: u.arbitrary()?,
            probes: capped(u, 8)?,
            ranges: capped(u, 64)?,
            cpus: capped(u, 64)?,
            raw_segs: capped(u, 16)?,
        })
    }
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn save_area(c: &Cpu) -> SaveArea {
    let mut s = c.seed;
    let mut sa = SaveArea {
        prefix: c.prefix,
        ..Default::default()
    };
    for i in 0..16 {
        sa.gprs[i] = splitmix(&mut s);
        sa.fprs[i] = splitmix(&mut s);
        sa.ctrs[i] = splitmix(&mut s);
        sa.acrs[i] = splitmix(&mut s) as u32;
        sa.vxrs_low[i] = splitmix(&mut s);
        sa.vxrs_high[i] = [splitmix(&mut s), splitmix(&mut s)];
    }
    sa.psw = [splitmix(&mut s), splitmix(&mut s)];
    sa.fpc = splitmix(&mut s) as u32;
    sa.todpreg = splitmix(&mut s) as u32;
    sa.timer = splitmix(&mut s);
    sa.todcmp = splitmix(&mut s);
    sa
}

fn ranges(inp: &Input) -> Vec<PhysRange> {
    let mut v: Vec<PhysRange> = inp
        .ranges
        .iter()
        .map(|r| match *r {
            RangeSpec::Raw { start, end } => PhysRange { start, end },
            RangeSpec::Len { start, len } => PhysRange {
                start,
                end: start.wrapping_add(u64::from(len)),
            },
        })
        .collect();
    if let Some(g) = &inp.gen {
        let count = if g.kind == 0xff {
            65528 + usize::from(g.count % 8)
        } else {
            usize::from(g.count) % 4097
        };
        let mut at = g.base;
        for _ in 0..count {
            v.push(PhysRange {
                start: at,
                end: at.wrapping_add(g.len),
            });
            at = at.wrapping_add(g.stride);
        }
        if let Some(mut seed) = g.shuffle {
            for i in (1..v.len()).rev() {
                let j = (splitmix(&mut seed) % (i as u64 + 1)) as usize;
                v.swap(i, j);
            }
        }
    }
    v
}

/// Walk `piece_at` from `pos` for at most 64 steps, checking each step.
fn probe(
    header_len: usize,
    segs: &[Segment],
    file_size: u64,
    mut pos: u64,
    len: u64,
    strict: bool,
) {
    let mut left = len;
    for _ in 0..64 {
        match piece_at(header_len, segs, file_size, pos, left) {
            None => {
                if strict {
                    // build() output covers [0, file_size) without holes.
                    assert!(
                        left == 0 || pos >= file_size,
                        "Eof at {pos:#x} < {file_size:#x}"
                    );
                }
                return;
            }
            Some(Piece::Header { start, len: n }) => {
                assert!(n > 0 && n as u64 <= left);
                assert_eq!(start as u64, pos);
                assert!(start.checked_add(n).is_some_and(|e| e <= header_len));
                assert!(pos + n as u64 <= file_size);
                pos += n as u64;
                left -= n as u64;
            }
            Some(Piece::OldMem { paddr, len: n }) => {
                assert!(n > 0 && n <= left);
                assert!(pos >= header_len as u64);
                assert!(pos.checked_add(n).is_some_and(|e| e <= file_size));
                if strict {
                    let s = segs
                        .iter()
                        .find(|s| s.offset <= pos && pos - s.offset < s.size)
                        .expect("piece inside a segment");
                    assert_eq!(paddr, s.paddr + (pos - s.offset));
                    assert!(pos + n <= s.offset + s.size);
                } else {
                    // Inside one of the (garbage) segments.
                    assert!(segs.iter().any(|s| s.offset <= pos
                        && pos - s.offset < s.size
                        && s.paddr.checked_add(pos - s.offset) == Some(paddr)
                        && n <= s.size - (pos - s.offset)));
                }
                pos += n;
                left -= n;
            }
        }
    }
}

fn check_built(
    spec: &DumpSpec,
    l: &s390_vmcore::Layout,
    hdr: &[u8],
    segs: &[Segment],
    inp: &Input,
) {
    // ELF header.
    assert_eq!(&hdr[..4], b"\x7fELF");
    let phnum = usize::from(be16(hdr, 56));
    assert_eq!(phnum, l.nsegments + 1);
    assert_eq!(be64(hdr, 32), 64);
    assert!(l.notes_offset >= 64 + 56 * phnum);
    assert_eq!(l.notes_offset % 4096, 0);
    assert_eq!(l.header_len % 4096, 0);
    assert!(l.notes_offset + l.notes_size <= l.header_len);
    assert!(l.header_len - (l.notes_offset + l.notes_size) < 4096);
    // PT_NOTE.
    assert_eq!(be32(hdr, 64), 4);
    assert_eq!(be64(hdr, 64 + 8), l.notes_offset as u64);
    assert_eq!(be64(hdr, 64 + 32), l.notes_size as u64);
    // PT_LOADs vs. segments vs. the spec.
    let text = spec.text.iter().map(|t| (t.phys, t.end - t.start));
    let rng = spec.ranges.iter().map(|r| (r.start, r.end - r.start));
    let mut off = l.header_len as u64;
    for (i, (paddr, memsz)) in text.chain(rng).enumerate() {
        let p = 64 + 56 * (i + 1);
        let s = segs[i];
        assert_eq!(be32(hdr, p), 1);
        assert_eq!(be64(hdr, p + 24), paddr);
        assert_eq!(be64(hdr, p + 32), memsz);
        assert_eq!(be64(hdr, p + 40), memsz);
        assert_eq!(be64(hdr, p + 8), s.offset + (paddr & (PAGE - 1)));
        assert_eq!(s.offset, off);
        assert_eq!(s.paddr, paddr & !(PAGE - 1));
        assert_eq!(s.size % PAGE, 0);
        // The crate checked that the page-aligned end fits in 64 bits
        // (it may be the last page: paddr + memsz = 2^64 - 4096).
        let end = (paddr + memsz + (PAGE - 1)) & !(PAGE - 1);
        assert_eq!(s.size, end - s.paddr);
        off += s.size;
    }
    assert_eq!(off, l.file_size);
    // Zero padding between program headers and notes, and after the notes.
    assert!(hdr[64 + 56 * phnum..l.notes_offset].iter().all(|&b| b == 0));
    assert!(hdr[l.notes_offset + l.notes_size..l.header_len]
        .iter()
        .all(|&b| b == 0));
    // Walk the notes.
    let notes = &hdr[l.notes_offset..l.notes_offset + l.notes_size];
    let (mut o, mut prstatus, mut vmci) = (0usize, 0usize, 0usize);
    while o < notes.len() {
        let namesz = be32(notes, o) as usize;
        let descsz = be32(notes, o + 4) as usize;
        let ty = be32(notes, o + 8);
        let d = o + 12 + ((namesz + 3) & !3);
        if ty == 1 && &notes[o + 12..o + 17] == b"CORE\0" {
            prstatus += 1;
            assert_eq!(be32(notes, d + 32) as usize, prstatus);
        }
        if &notes[o + 12..o + 12 + namesz] == b"VMCOREINFO\0" {
            vmci += 1;
            assert_eq!(Some(&notes[d..d + descsz]), spec.vmcoreinfo);
        }
        o = d + ((descsz + 3) & !3);
    }
    assert_eq!(o, notes.len());
    assert_eq!(prstatus, spec.cpus.iter().filter(|c| c.prefix != 0).count());
    assert_eq!(vmci, usize::from(spec.vmcoreinfo.is_some()));
    // Reads.
    for (p, len) in &inp.probes {
        let pos = match *p {
            Pos::Raw(x) => x,
            Pos::Rel(x) => x % l.file_size.saturating_add(1).max(1),
            Pos::Seg(i, d) => match segs.get(usize::from(i) % segs.len().max(1)) {
                Some(s) => s.offset.wrapping_add_signed(i64::from(d)),
                None => (l.header_len as u64).wrapping_add_signed(i64::from(d)),
            },
            Pos::Hdr(d) => (l.header_len as u64).wrapping_add_signed(i64::from(d)),
        };
        probe(l.header_len, segs, l.file_size, pos, *len, true);
    }
}

/// The target: decode `data` as libfuzzer-sys's typed `fuzz_target!`
/// would ([`super::decode`]) and check it; `false` if it is no input.
pub fn run(data: &[u8]) -> bool {
    super::decode::<Input>(data)
        .map(|inp| check(&inp))
        .is_some()
}

fn check(inp: &Input) {
    let cpus: Vec<SaveArea> = inp.cpus.iter().map(save_area).collect();
    let vmci: Option<Vec<u8>> = inp.vmci.as_ref().map(|(len, pat)| {
        let len = usize::from(*len) % 8193;
        if pat.is_empty() {
            vec![b'x'; len]
        } else {
            pat.iter().copied().cycle().take(len).collect()
        }
    });
    let ranges = ranges(inp);
    let spec = DumpSpec {
        cpus: &cpus,
        has_vx: inp.has_vx,
        vmcoreinfo: vmci.as_deref(),
        text: inp
            .text
            .map(|(start, end, phys)| TextSegment { start, end, phys }),
        identity_base: inp.identity_base,
        ranges: &ranges,
    };

    // Garbage segment lists must not upset piece_at either.
    let raw: Vec<Segment> = inp
        .raw_segs
        .iter()
        .map(|&(offset, size, paddr)| Segment {
            offset,
            size,
            paddr,
        })
        .collect();
    for (p, len) in &inp.probes {
        let pos = match *p {
            Pos::Raw(x) | Pos::Rel(x) => x,
            Pos::Seg(i, d) => raw
                .get(usize::from(i) % raw.len().max(1))
                .map_or(0, |s| s.offset.wrapping_add_signed(i64::from(d))),
            Pos::Hdr(d) => u64::from(inp.raw_hdr_len).wrapping_add_signed(i64::from(d)),
        };
        probe(
            inp.raw_hdr_len as usize,
            &raw,
            inp.raw_file_size,
            pos,
            *len,
            false,
        );
    }

    let l = match layout(&spec) {
        Ok(l) => l,
        Err(e) => {
            assert!(
                matches!(e, Error::Invalid | Error::TooBig | Error::Overflow),
                "{e:?}"
            );
            // build() must fail the same way, whatever the buffers.
            assert_eq!(build(&spec, &mut [], &mut []), Err(e));
            return;
        }
    };
    assert_eq!(layout(&spec), Ok(l));
    assert_eq!(l.nsegments, ranges.len() + usize::from(spec.text.is_some()));
    assert!(l.nsegments + 1 < 0xffff);

    // Too small buffers are refused, not overrun.
    let shrink = usize::from(inp.shrink_hdr) % (l.header_len + 1);
    if shrink > 0 {
        let mut hdr = vec![0u8; l.header_len - shrink];
        let mut segs = vec![Segment::default(); l.nsegments];
        assert_eq!(
            build(&spec, &mut hdr, &mut segs),
            Err(Error::BufferTooSmall)
        );
    }
    if l.nsegments > 0 && inp.shrink_hdr & 1 == 1 {
        let mut hdr = vec![0u8; l.header_len];
        let mut segs = vec![Segment::default(); l.nsegments - 1];
        assert_eq!(
            build(&spec, &mut hdr, &mut segs),
            Err(Error::BufferTooSmall)
        );
    }

    let mut hdr = vec![0xa5u8; l.header_len];
    let mut segs = vec![Segment::default(); l.nsegments];
    match build(&spec, &mut hdr, &mut segs) {
        Ok(size) => {
            assert_eq!(size, l.file_size);
            check_built(&spec, &l, &hdr, &segs, inp);
        }
        Err(e) => panic!("layout() succeeded but build() failed: {e:?}"),
    }
}
