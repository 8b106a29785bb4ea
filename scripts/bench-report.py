#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The tables of make bench (scripts/bench.sh), printed and written to
# OUT_JSON:
#   1. the shipped configuration: the product kernel (ours) against the
#      product-c kernel (the C implementation, same configuration
#      otherwise), each in its own boots, in ABBA order (--shipped RUN_DIR
#      ..., named shipped-N-KERNEL): read() and mmap() against C and
#      against the ceilings of the same boot, makedumpfile as users run
#      it, dd of the dump to three sinks beside the sinks' own speed, the
#      initcalls and the background mapping;
#   2. parallel readers (--parallel RUN_DIR ..., a dump kernel with 2 CPUs):
#      one reader against two, makedumpfile --num-threads 2;
#   scale: seconds per GiB of read() and the initcalls by guest memory
#      (--scale RUN_DIR ..., with the 2 GiB boots of --shipped), and the
#      same with EDAT-1 (--scale-edat RUN_DIR ...);
#   3. the test kernel: ours (/proc/vmcore_rs) and C (/proc/vmcore) in the
#      same boot (--same-boot RUN_DIR);
#   4. the HSA through SDIAS (--hsa RUN_DIR), the host benchmarks (--host),
#      the zfcpdump kernel sizes (--sizes).
# What the dump kernels measured is in RUN_DIR/guest/bench.txt and
# RUN_DIR/guest/dmesg-dump.txt. Every figure is the median of its samples
# with their spread (min-max); a ratio's spread pairs the extremes
# (min x / max y .. max x / min y), and each is labelled x/y (ours/C,
# ours/ceiling_memcpy, ...). It fails (exit 1) when a timed read did not
# return the whole file, when checksums of the same data differ, or when
# makedumpfile failed or wrote nothing.

import argparse
import json
import os
import re
import statistics
import sys

OURS_RS, C_FILE = "/proc/vmcore_rs", "/proc/vmcore"
READS = [
    ("read-1m", "read(), 1 MiB buffers"),
    ("read-4k", "read(), 4 KiB buffers (first 512 MiB)"),
    ("mmap", "mmap(), touch every page"),
]
# The ceilings of read(), each boot's own: memcpy() and read() of /dev/zero
# into the same 1 MiB buffer, summed the same way; read() of a tmpfs file.
CEILINGS = [
    (("memcpy", "-"), "memcpy() to a 1 MiB buffer"),
    (("read-1m", "/dev/zero"), "read() of /dev/zero, 1 MiB"),
    (("read-1m", "/tmp/bench.file"), "read() of a tmpfs file, 1 MiB"),
]
USER_MDF = [(f"mdf{o}-{m}", f"makedumpfile {o} -d 31{' --non-mmap' if m == 'non-mmap' else ''}")
            for o in ("-l", "-c", "-E") for m in ("mmap", "non-mmap")]
SINKS = [("vmsink", "disk (file on the host's disk)"),
         ("vmsinkram", "disk in host memory (/dev/shm)"),
         ("vmsinknull", "QEMU null-co (writes discarded)"),
         ("direct-vmsinkram", "host memory, O_DIRECT, 4 MiB"),
         ("direct-vmsinknull", "null-co, O_DIRECT, 4 MiB")]
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


class Run:
    """One boot's measurements: samples[(name, file)] = [(bytes, ns, sum)]."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path.rstrip("/"))
        self.samples, self.md5, self.size, self.mdf_out, self.cpu = {}, {}, {}, {}, {}
        self.set, self.cpus, self.failed = "reads", 1, {}
        with open(f"{path}/guest/bench.txt") as f:
            for line in f:
                m = re.match(r"(\S+) (\S+) bytes=(\d+) ns=(\d+)(?: sum=(\S+))?"
                             r"(?: user_ns=(\d+) sys_ns=(\d+))?", line)
                if m:
                    self.samples.setdefault((m[1], m[2]), []).append(
                        (int(m[3]), int(m[4]), m[5]))
                    if m[6]:
                        self.cpu.setdefault((m[1], m[2]), []).append((int(m[6]), int(m[7])))
                    continue
                w = line.split()
                if len(w) == 3 and w[0] == "md5":
                    self.md5[w[1]] = w[2]
                elif len(w) == 3 and w[0] == "size":
                    self.size[w[1]] = int(w[2])
                elif len(w) == 2 and w[0] == "set":
                    self.set = w[1]
                elif len(w) == 2 and w[0] == "cpus":
                    self.cpus = int(w[1])
                elif w and w[0] == "failed":
                    self.failed.setdefault((w[1], w[2]), []).append(" ".join(w[3:]))
                elif w and w[0] == "makedumpfile-out":
                    self.mdf_out[(w[1], w[2])] = line.strip()
        self.dmesg = open(f"{path}/guest/dmesg-dump.txt", errors="replace").read()
        # "DirectMap1M:     2097152 kB", of the dump kernel's /proc/meminfo.
        self.directmap = {}
        if os.path.exists(f"{path}/guest/directmap"):
            with open(f"{path}/guest/directmap") as f:
                for line in f:
                    w = line.split()
                    if len(w) >= 2 and w[0].endswith(":") and w[1].isdigit():
                        self.directmap[w[0][:-1]] = int(w[1])
        # "[    1.234567] initcall NAME+0x0/0x40 returned 0 after N usecs"
        self.inits, self.init_end = {}, {}
        for t, k, v in re.findall(
                r"\[\s*([\d.]+)\] initcall (vmcore_rs_initcall|vmcore_rs_late_initcall|vmcore_init)"
                r"\+\S+ returned -?\d+ after (\d+) usecs", self.dmesg):
            self.inits[k], self.init_end[k] = int(v), float(t)
        m = re.search(r"\[\s*([\d.]+)\] vmcore_rs: old memory (0x[0-9a-f]+)-(0x[0-9a-f]+) "
                      r"mapped in (\d+) us", self.dmesg)
        self.map = (int(m[3], 16) - int(m[2], 16), int(m[4]), float(m[1])) if m else None
        m = re.search(r"vmcore_rs: dump of (\d+) bytes ready \(header built in (\d+) us\)",
                      self.dmesg)
        self.header_us = int(m[2]) if m else None
        # The test kernel's rebuilds of the header, with its code warm.
        self.rebuilt_us = [int(v) for v in re.findall(
            r"vmcore_rs: the ELF core header rebuilt in (\d+) us", self.dmesg)]

    def files(self):
        return sorted({f for (_, f) in self.samples if f.startswith("/proc/")})

    def validate(self):
        """Whole-file reads, equal sums of the same data, makedumpfile output."""
        for f in self.files():
            size = self.size.get(f)
            check(size is not None, f"{self.name}: the guest recorded no size of {f}")
            if size is None:
                continue
            want = {"read-1m": size, "read-4k": min(size, 512 << 20), "mmap": 3 * size,
                    "readers-4x1m": size, "readers-1x1m": size, "readers-2x1m": size}
            for key, n in want.items():
                for b, _, _ in self.samples.get((key, f), []):
                    check(b == n, f"{self.name}: {key} of {f} returned {b} bytes, not {n}")
            sums = {s for key in ("read-1m", "mmap") for _, _, s in self.samples.get((key, f), [])}
            check(len(sums) <= 1, f"{self.name}: read-1m and mmap of {f} gave sums {sorted(sums)}")
            modes = {"shipped": ["mmap", "non-mmap"], "parallel": ["threads2"]}.get(self.set, [])
            for short in modes:
                out = self.mdf_out.get((short, f), "")
                check(" exit=0 " in out, f"{self.name}: makedumpfile {short} of {f}: {out or 'not run'}")
        for key, f in ((("memcpy", "-")), ("read-1m", "/dev/zero")):
            sums = {s for _, _, s in self.samples.get((key, f), [])}
            check(len(sums) <= 1, f"{self.name}: {key} {f} gave sums {sorted(sums)}")


def med(xs):
    return statistics.median(xs)


def spread(xs):
    return [round(min(xs), 3), round(max(xs), 3)]


def rates(runs, key, file):
    """MB/s (10^6 bytes per second) of every sample, over runs."""
    return [b / ns * 1e3 for r in runs for b, ns, _ in r.samples.get((key, file), [])]


def secs(runs, key, file):
    return [ns / 1e9 for r in runs for _, ns, _ in r.samples.get((key, file), [])]


def over(runs, key, file, ceiling):
    """Each sample's rate over the median rate of the ceiling in its own boot."""
    out = []
    for r in runs:
        c = r.samples.get(ceiling)
        if c:
            cm = med([b / ns * 1e3 for b, ns, _ in c])
            out += [b / ns * 1e3 / cm for b, ns, _ in r.samples.get((key, file), [])]
    return out


def fmt(xs, unit="", digits=0):
    if not xs:
        return "-"
    return f"{med(xs):.{digits}f}{unit} [{min(xs):.{digits}f}-{max(xs):.{digits}f}]"


def ratio(o, c):
    """ours/C of medians, with the spread of the extremes."""
    if not o or not c:
        return None
    return {"median": round(med(o) / med(c), 3),
            "spread": [round(min(o) / max(c), 3), round(max(o) / min(c), 3)]}


def rfmt(r):
    return "-" if r is None else f"{r['median']:.2f} [{r['spread'][0]:.2f}-{r['spread'][1]:.2f}]"


def stat(xs, digits=1):
    return {"median": round(med(xs), digits), "spread": [round(min(xs), digits), round(max(xs), digits)],
            "samples": len(xs)} if xs else None


def reads_table(ours_runs, ours_file, c_runs, c_file):
    """read() and mmap() against C and against the ceilings of each boot."""
    res = {}
    print(f"{'':38} {'ours MB/s':>18} {'C MB/s':>18} {'ours/C':>17} "
          f"{'ours/memcpy':>17} {'ours/zero-read':>17}")
    for key, label in READS:
        o, c = rates(ours_runs, key, ours_file), rates(c_runs, key, c_file)
        om = over(ours_runs, key, ours_file, ("memcpy", "-"))
        oz = over(ours_runs, key, ours_file, ("read-1m", "/dev/zero"))
        cm = over(c_runs, key, c_file, ("memcpy", "-"))
        res[key] = {"ours_MBps": stat(o), "c_MBps": stat(c), "ours/C": ratio(o, c),
                    "ours/ceiling_memcpy": stat(om, 3), "ours/ceiling_zero_read": stat(oz, 3),
                    "c/ceiling_memcpy": stat(cm, 3)}
        print(f"{label:38} {fmt(o):>18} {fmt(c):>18} {rfmt(res[key]['ours/C']):>17} "
              f"{fmt(om, digits=2):>17} {fmt(oz, digits=2):>17}")
    for (key, f), label in CEILINGS:
        o, c = rates(ours_runs, key, f), rates(c_runs, key, f)
        res[f"ceiling {key} {f}"] = {"ours_boots_MBps": stat(o), "c_boots_MBps": stat(c)}
        print(f"{label:38} {fmt(o):>18} {fmt(c):>18}   (a ceiling, in each side's boots)")
    # Absolute figures per boot, so that a slow host shows as such.
    res["per_boot_MBps"] = {}
    for r in dict.fromkeys(ours_runs + c_runs):
        f = ours_file if r in ours_runs else c_file
        row = {k: round(med(rates([r], k, f)), 1) for k, _ in READS if rates([r], k, f)}
        for (k, cf), _ in CEILINGS:
            if rates([r], k, cf):
                row[f"{k} {cf}"] = round(med(rates([r], k, cf)), 1)
        res["per_boot_MBps"][f"{r.name} {f}"] = row
        print(f"  per boot {r.name} {f}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    return res


def timed_rows(ours_runs, ours_file, c_runs, c_file, rows, head):
    """Wall time of commands (vmcore_bench time): ours, C, C's time over ours, CPU split."""
    res = {}
    print(f"{head:38} {'ours s':>18} {'C s':>18} {'C/ours':>17} {'ours user/sys s':>17} {'C user/sys s':>17}")
    for key, label in rows:
        o, c = secs(ours_runs, key, ours_file), secs(c_runs, key, c_file)
        check(o and c, f"{label}: no samples ({len(o)} ours, {len(c)} C)")
        if not o or not c:
            continue
        e = {"ours_s": stat(o, 3), "c_s": stat(c, 3), "c_time/ours_time": ratio(c, o)}
        split = {}
        for who, runs, file in (("ours", ours_runs, ours_file), ("c", c_runs, c_file)):
            cpu = [u_s for r in runs for u_s in r.cpu.get((key, file), [])]
            if cpu:
                e[who + "_user_s"] = round(med([u for u, _ in cpu]) / 1e9, 3)
                e[who + "_sys_s"] = round(med([k for _, k in cpu]) / 1e9, 3)
            split[who] = f"{e.get(who + '_user_s', 0):.2f}/{e.get(who + '_sys_s', 0):.2f}"
        res[key] = e
        print(f"{label:38} {fmt(o, digits=2):>18} {fmt(c, digits=2):>18} "
              f"{rfmt(e['c_time/ours_time']):>17} {split['ours']:>17} {split['c']:>17}")
    return res


def copies_table(ours_runs, ours_file, c_runs, c_file):
    """dd bs=1M of the dump to each sink, beside dd of /dev/zero to it."""
    res = {}
    print(f"{'dd bs=1M conv=fsync to':38} {'sink MB/s':>18} {'ours MB/s':>18} {'C MB/s':>18} "
          f"{'ours/C':>17} {'ours/sink':>17}")
    for sink, label in SINKS:
        # dd of /dev/zero writes the dump's size rounded up to whole
        # blocks (4 MiB with O_DIRECT, else 1 MiB).
        blk = 22 if sink.startswith("direct-") else 20
        z = [((r.size.get(C_FILE if r in c_runs else ours_file, 0) + (1 << blk) - 1) >> blk << blk)
             / ns * 1e3 for r in ours_runs + c_runs
             for _, ns, _ in r.samples.get((f"dd-zero-{sink}", "-"), [])]
        o = [b / ns * 1e3 for r in ours_runs for b, ns, _ in
             [(r.size.get(ours_file, 0), ns, s) for _, ns, s in r.samples.get((f"dd-{sink}", ours_file), [])]]
        c = [b / ns * 1e3 for r in c_runs for b, ns, _ in
             [(r.size.get(c_file, 0), ns, s) for _, ns, s in r.samples.get((f"dd-{sink}", c_file), [])]]
        check(o and c and z, f"dd to {sink}: no samples")
        if not (o and c and z):
            continue
        res[sink] = {"sink_MBps": stat(z), "ours_MBps": stat(o), "c_MBps": stat(c),
                     "ours/C": ratio(o, c), "ours/sink": ratio(o, z), "c/sink": ratio(c, z)}
        print(f"{label:38} {fmt(z):>18} {fmt(o):>18} {fmt(c):>18} "
              f"{rfmt(res[sink]['ours/C']):>17} {rfmt(res[sink]['ours/sink']):>17}")
        # dd reads a block, then writes it, one after the other: at best
        # 1 / (1/read + 1/sink), with read() of each file at its speed in
        # the same boots (1 MiB buffers) and the sink's own.
        ro, rc = rates(ours_runs, "read-1m", ours_file), rates(c_runs, "read-1m", c_file)
        if sink.startswith("direct-") and ro and rc:
            bo = 1 / (1 / med(ro) + 1 / med(z))
            bc = 1 / (1 / med(rc) + 1 / med(z))
            res[sink]["serial_bound_MBps"] = {"ours": round(bo, 1), "c": round(bc, 1),
                                              "ours/C": round(bo / bc, 2)}
            print(f"{'  bound of a serial copy':38} {'':>18} {bo:18.1f} {bc:18.1f} "
                  f"{bo / bc:17.2f}")
    return res


def translated(run, initcall):
    """What QEMU's TCG translated while the dump kernel ran INITCALL.

    RUN (run-dump.sh --tb-log RUN/tb.log, the kernel's vmlinux in RUN)
    logged each block of guest code when it was translated, that is run
    for the first time (-d in_asm: "IN:", then one line per instruction,
    "0xADDRESS:  ..."). The initcall's window runs from the last
    translation of its first block (the dump kernel's; the first kernel
    ran it too) to the first translation after it of the initcall that
    followed it in the dump kernel's log (initcall_debug). Both kernels may
    run at another virtual base than vmlinux's (KASLR): the base is one at
    which both functions, and four that every boot runs, start translated
    blocks. Returns (blocks, instructions) translated in the window; None,
    and an error of the report, without the log."""
    log = f"{run}/tb.log"
    check(os.path.exists(log), f"{run}: no tb.log (run-dump.sh --tb-log)")
    if not os.path.exists(log):
        return None
    kmsg = open(f"{run}/guest/kmsg-boot.txt", errors="replace").read()
    calls = re.findall(r"calling  (\w+)\+", kmsg)
    check(initcall in calls[:-1], f"{run}: {initcall} is not followed by another initcall")
    if initcall not in calls[:-1]:
        return None
    after = calls[calls.index(initcall) + 1]
    # The base is the one at which all these start translated blocks (two
    # alone match by chance at many bases).
    anchors = (initcall, after, "start_kernel", "rest_init", "kernel_init", "do_one_initcall")
    syms = {}
    for line in os.popen(f"nm {run}/vmlinux"):
        w = line.split()
        if len(w) == 3 and w[2] in anchors:
            syms[w[2]] = int(w[0], 16)
    # Blocks in the order translated: (address of the first instruction,
    # instructions).
    blocks = []
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                blocks.append([None, 0])
            elif blocks and line.startswith("0x"):
                if blocks[-1][0] is None:
                    blocks[-1][0] = int(line.split(":", 1)[0], 16)
                blocks[-1][1] += 1
    blocks = [b for b in blocks if b[0] is not None]
    starts = {a for a, _ in blocks}
    check(len(syms) == len(anchors), f"{run}/vmlinux lacks one of {anchors}")
    if len(syms) != len(anchors):
        return None
    bases = set.intersection(*({a - syms[n] for a in starts} for n in anchors))
    # The last start of the initcall followed by a start of the next one
    # at the same base.
    for s in reversed([i for i, (a, _) in enumerate(blocks) if a - syms[initcall] in bases]):
        end = blocks[s][0] - syms[initcall] + syms[after]
        e = next((i for i in range(s, len(blocks)) if blocks[i][0] == end), None)
        if e is not None:
            break
    else:
        check(False, f"{run}: no translated block starts {initcall}, then {after}")
        return None
    return e - s, sum(n for _, n in blocks[s:e])


def boot_table(ours_runs, c_runs):
    """The initcalls (initcall_debug) and the background mapping."""
    res = {}
    io = [r.inits["vmcore_rs_initcall"] for r in ours_runs if "vmcore_rs_initcall" in r.inits]
    il = [r.inits["vmcore_rs_late_initcall"] for r in ours_runs if "vmcore_rs_late_initcall" in r.inits]
    ic = [r.inits["vmcore_init"] for r in c_runs if "vmcore_init" in r.inits]
    check(io and ic, "initcall_debug times missing")
    if io and ic:
        res["initcall_us"] = {"ours": io, "c": ic, "ours/C": ratio(io, ic), "ours_late": il}
        print(f"fs_initcall (initcall_debug): ours {fmt(io, ' us')}, C {fmt(ic, ' us')}, "
              f"ours/C {rfmt(res['initcall_us']['ours/C'])}; "
              f"our late_initcall {fmt(il, ' us')}")
    # Under TCG the first run of a block of code costs its translation:
    # the initcalls' times against the code each ran for the first time.
    tb = args.translated and (translated(args.translated[0], "vmcore_rs_initcall"),
                              translated(args.translated[1], "vmcore_init"))
    if tb and all(tb) and io and ic:
        (bo, no), (bc, nc) = tb
        res["initcall_translated"] = {
            "ours": {"blocks": bo, "instructions": no, "us_per_block": round(med(io) / bo, 1)},
            "c": {"blocks": bc, "instructions": nc, "us_per_block": round(med(ic) / bc, 1)},
            "ours/C_blocks": round(bo / bc, 2)}
        print(f"  code run for the first time in it (QEMU -d in_asm, one boot each): "
              f"ours {bo} blocks ({no} instructions), C {bc} ({nc}), ours/C {bo / bc:.2f}; "
              f"initcall time per block: ours {med(io) / bo:.1f} us, C {med(ic) / bc:.1f} us")
    maps = [r for r in ours_runs if r.map]
    hdr = [r.header_us for r in ours_runs if r.header_us is not None]
    if maps:
        done = [(r.map[2] - r.init_end["vmcore_rs_initcall"]) * 1e3 for r in maps
                if "vmcore_rs_initcall" in r.init_end]
        res["old_memory_map"] = {"mib": maps[0].map[0] >> 20, "us": [r.map[1] for r in maps],
                                 "complete_ms_after_initcall": [round(d, 1) for d in done],
                                 "header_us": hdr}
        print(f"ours: header built in {fmt(hdr, ' us')}; old memory ({maps[0].map[0] >> 20} MiB) "
              f"mapped in the background in {fmt([r.map[1] for r in maps], ' us')}, "
              f"complete {fmt(done, ' ms', 1)} after the fs_initcall returned")
    return res


def parallel_table(ours_runs, c_runs):
    res = {}
    print(f"{'':38} {'ours MB/s':>18} {'C MB/s':>18} {'ours/C':>17}")
    for key, label in (("readers-1x1m", "1 reader, 1 MiB buffers"),
                       ("readers-2x1m", "2 readers, 1 MiB buffers, total")):
        o, c = rates(ours_runs, key, C_FILE), rates(c_runs, key, C_FILE)
        res[key] = {"ours_MBps": stat(o), "c_MBps": stat(c), "ours/C": ratio(o, c)}
        print(f"{label:38} {fmt(o):>18} {fmt(c):>18} {rfmt(res[key]['ours/C']):>17}")
    for who, runs in (("ours", ours_runs), ("c", c_runs)):
        one, two = rates(runs, "readers-1x1m", C_FILE), rates(runs, "readers-2x1m", C_FILE)
        res[f"{who}_2_readers/1_reader"] = ratio(two, one)
        print(f"{'scaling, ' + who + ' (2 readers / 1)':38} {rfmt(ratio(two, one)):>18}")
    # The ceiling of that scaling on this host: memcpy() in two processes
    # against one, in the same boots, timed as the readers are.
    runs = ours_runs + c_runs
    one, two = rates(runs, "memcpy-procs-1x1m", "-"), rates(runs, "memcpy-procs-2x1m", "-")
    check(one and two, "memcpy-procs ceiling missing")
    if one and two:
        res["ceiling_memcpy_MBps"] = {"1_process": stat(one), "2_processes": stat(two)}
        res["ceiling_2_processes/1_process"] = ratio(two, one)
        print(f"{'ceiling, memcpy() (1 process)':38} {fmt(one):>18}")
        print(f"{'ceiling, memcpy() (2 processes)':38} {fmt(two):>18}")
        print(f"{'scaling, ceiling (2 processes / 1)':38} {rfmt(ratio(two, one)):>18}")
    for who, runs in (("ours", ours_runs), ("c", c_runs)):
        n = sum(len(r.failed.get(("makedumpfile-threads2", C_FILE), [])) for r in runs)
        res[f"{who}_threads2_failed_tries"] = n
        print(f"makedumpfile --num-threads 2 runs that failed by themselves and were tried "
              f"again, {who}: {n}")
    print()
    res["makedumpfile"] = timed_rows(ours_runs, C_FILE, c_runs, C_FILE,
                                     [("makedumpfile-mmap", "makedumpfile -F -d 31 >/dev/null"),
                                      ("makedumpfile-threads2", "  the same, --num-threads 2")],
                                     "makedumpfile, 2 CPUs")
    return res


def scale_table(runs, title):
    """Time per GiB of old memory as the guest grows, and the initcalls."""
    for r in runs:
        check(C_FILE in r.size, f"{r.name}: the guest recorded no size of {C_FILE}")
    runs = [r for r in runs if C_FILE in r.size]
    print(title)
    print(f"{'guest':10} {'ours s/GiB':>18} {'C s/GiB':>18} {'ours/C MB/s':>17} "
          f"{'ours init us':>14} {'C init us':>12} {'mapped MiB':>11} {'1M pages':>9}")
    scale = {}
    # Grouped by the guest's memory in GiB (the two kernels' files differ
    # by a few pages of header and kernel text).
    gibs = sorted({round(r.size.get(C_FILE, 0) / 2**30) for r in runs})
    for gib in gibs:
        group = [r for r in runs if round(r.size.get(C_FILE, 0) / 2**30) == gib]
        ours = [r for r in group if not r.name.endswith("-c")]
        c = [r for r in group if r.name.endswith("-c")]
        size = max(r.size[C_FILE] for r in group)
        o = [ns / 1e9 / (r.size[C_FILE] / 2**30) for r in ours
             for _, ns, _ in r.samples.get(("read-1m", C_FILE), [])]
        cc = [ns / 1e9 / (r.size[C_FILE] / 2**30) for r in c
              for _, ns, _ in r.samples.get(("read-1m", C_FILE), [])]
        io = [r.inits["vmcore_rs_initcall"] for r in ours if "vmcore_rs_initcall" in r.inits]
        ic = [r.inits["vmcore_init"] for r in c if "vmcore_init" in r.inits]
        mapped = [r.map[0] >> 20 for r in ours if r.map]
        # The dump kernel's direct map in 1 MiB pages (DirectMap1M, kB).
        large = [r.directmap.get("DirectMap1M", 0) >> 10 for r in ours]
        scale[f"{gib}GiB"] = {"dump_bytes": size, "ours_s_per_GiB": stat(o, 3),
                             "c_s_per_GiB": stat(cc, 3), "ours/C_MBps": ratio(cc, o),
                             "ours_initcall_us": io, "c_initcall_us": ic,
                             "ours_mapped_MiB": mapped, "ours_direct_map_1M_MiB": large}
        print(f"{str(gib) + ' GiB':10} {fmt(o, digits=3):>18} {fmt(cc, digits=3):>18} "
              f"{rfmt(ratio(cc, o)):>17} {fmt(io):>14} {fmt(ic):>12} "
              f"{(str(mapped[0]) if mapped else '-'):>11} "
              f"{(str(large[0]) + ' MiB' if large else '-'):>9}")
    print()
    return scale


ap = argparse.ArgumentParser()
ap.add_argument("out_json")
ap.add_argument("--shipped", nargs="+", default=[])
ap.add_argument("--parallel", nargs="+", default=[])
ap.add_argument("--scale", nargs="*", default=[])
ap.add_argument("--scale-edat", nargs="*", default=[])
ap.add_argument("--same-boot")
ap.add_argument("--hsa")
ap.add_argument("--host")
ap.add_argument("--sizes")
ap.add_argument("--translated", nargs=2, metavar=("OURS_RUN", "C_RUN"))
args = ap.parse_args()

result = {"ratios": "x/y: x over y, medians; spread: [min x / max y, max x / min y]. "
                    "For MB/s higher is better for ours; c_time/ours_time: C's time over "
                    "ours (higher is better for ours)"}
shipped_runs = [Run(p) for p in args.shipped]
for r in shipped_runs:
    r.validate()
if args.shipped:
    runs = shipped_runs
    ours = [r for r in runs if not r.name.endswith("-c")]
    c = [r for r in runs if r.name.endswith("-c")]
    order = " ".join("A" if r in ours else "B" for r in runs)
    check(len(ours) >= 2 and len(c) >= 2, "fewer than 2 boots of a kernel in the shipped table")
    print("1. The shipped configuration: the product kernel (ours) against the product-c\n"
          f"kernel (C), each in its own boots ({order}: A ours, B C), QEMU TCG, 2 GiB,\n"
          "dump kernel with 1 CPU; medians [min-max] over all rounds of all boots.\n")
    res = {"boots": [r.name for r in runs]}
    res["reads"] = reads_table(ours, C_FILE, c, C_FILE)
    print()
    res["makedumpfile_to_ext2"] = timed_rows(ours, C_FILE, c, C_FILE, USER_MDF,
                                             "makedumpfile onto ext2, + sync")
    print()
    res["copies"] = copies_table(ours, C_FILE, c, C_FILE)
    for who, runs in (("ours", ours), ("c", c)):
        n = sum(len(r.failed.get(("makedumpfile-threads2-1cpu", C_FILE), [])) for r in runs)
        res[f"{who}_threads2_1cpu_failed_tries"] = n
        print(f"makedumpfile --num-threads 2 (1 CPU) runs that failed by themselves and were "
              f"tried again, {who}: {n}")
    res["makedumpfile_1cpu"] = timed_rows(
        ours, C_FILE, c, C_FILE,
        [("makedumpfile-mmap-1cpu", "makedumpfile -F -d 31 >/dev/null"),
         ("makedumpfile-threads2-1cpu", "  the same, --num-threads 2")],
        "makedumpfile, 1 CPU (once per boot)")
    print()
    res["boot"] = boot_table(ours, c)
    result["shipped"] = res
    print()
if args.parallel:
    runs = [Run(p) for p in args.parallel]
    for r in runs:
        r.validate()
        check(r.cpus >= 2, f"{r.name}: the dump kernel had {r.cpus} CPU")
    ours = [r for r in runs if not r.name.endswith("-c")]
    c = [r for r in runs if r.name.endswith("-c")]
    print("2. Parallel readers: product and product-c, one boot each, dump kernel with\n"
          f"{min(r.cpus for r in runs)} CPUs.\n")
    result["parallel"] = parallel_table(ours, c)
    print()
if args.scale or args.shipped:
    runs = [Run(p) for p in args.scale]
    for r in runs:
        r.validate()
    result["scale"] = scale_table(
        runs + shipped_runs,
        "Scale: read() of the whole dump with 1 MiB buffers, seconds per GiB of the\n"
        "dump file, and the initcalls, by guest memory (2 GiB: the boots of 1.);\n"
        "Debian's QEMU, whose TCG CPU has no EDAT: 4 KiB pages, old memory mapped\n"
        "as far as the page-table budget (1/16 of the dump kernel's memory) goes.\n")
if args.scale_edat:
    runs = [Run(p) for p in args.scale_edat]
    for r in runs:
        r.validate()
        check(r.directmap.get("DirectMap1M", 0) > 0,
              f"{r.name}: the dump kernel mapped no memory with 1 MiB pages")
    result["scale_edat"] = scale_table(
        runs,
        "Scale with EDAT-1 (the patched QEMU, make qemu; run-dump.sh --edat): the\n"
        "same runs, both kernels mapping memory with 1 MiB pages as real machines do.\n")
if args.same_boot:
    r = Run(args.same_boot)
    r.validate()
    check(r.md5.get(OURS_RS) and r.md5.get(OURS_RS) == r.md5.get(C_FILE),
          f"same boot: MD5 of ours {r.md5.get(OURS_RS)} != C's {r.md5.get(C_FILE)}")
    s = {r.samples[(k, f)][0][2] for k in ("read-1m", "mmap") for f in (OURS_RS, C_FILE)}
    check(len(s) == 1, f"same boot: ours and C's page sums differ: {sorted(s)}")
    print("3. The test kernel (z10, kmemleak, fault injection): ours (/proc/vmcore_rs)\n"
          "and C (/proc/vmcore) in the same boot, the order alternating.\n")
    res = reads_table([r], OURS_RS, [r], C_FILE)
    o, c = rates([r], "readers-4x1m", OURS_RS), rates([r], "readers-4x1m", C_FILE)
    res["readers-4x1m"] = {"ours_MBps": stat(o), "c_MBps": stat(c), "ours/C": ratio(o, c)}
    print(f"{'4 readers, 1 MiB buffers, total':38} {fmt(o):>18} {fmt(c):>18} {rfmt(ratio(o, c)):>17}")
    if "vmcore_rs_initcall" in r.inits and "vmcore_init" in r.inits:
        res["initcall_us"] = {"ours": r.inits["vmcore_rs_initcall"], "c": r.inits["vmcore_init"]}
        print(f"initcalls of this boot: ours {r.inits['vmcore_rs_initcall']} us, "
              f"C {r.inits['vmcore_init']} us")
    check(r.header_us is not None and r.rebuilt_us, "same boot: no header build times")
    if r.header_us is not None and r.rebuilt_us:
        # Under TCG, code that runs for the first time is translated first:
        # the build at boot pays for that, the rebuilds do not.
        res["header_build_us"] = {"at_boot": r.header_us, "rebuilt_warm": r.rebuilt_us}
        print(f"our header build: at boot {r.header_us} us (its code run for the first "
              f"time), built again in the same boot {fmt(r.rebuilt_us, ' us')}")
    res["md5"] = r.md5
    result["same_boot_test_kernel"] = res
    print()

if args.hsa:
    hsa_size, reads = 0, {}
    with open(f"{args.hsa}/guest/bench.txt") as f:
        for line in f:
            if line.startswith("hsa "):
                hsa_size = int(line.split()[1], 0)
            m = re.match(r"hsa-read-1m (\S+) bytes=(\d+) ns=(\d+) requests=(\d+)", line)
            if m:
                reads.setdefault(m[1], []).append((int(m[2]), int(m[3]), int(m[4])))
    print(f"4. The HSA through SDIAS (zfcpdump kernel, patched QEMU, HSA {hsa_size:#x} bytes,")
    print("100 us per SDIAS request; read() of the HSA range with 1 MiB buffers,")
    print(f"medians of {len(reads.get(OURS_RS, []))} rounds; requests: calls of sclp_sdias_copy())\n")
    print(f"{'':24} {'MiB/s':>8} {'requests':>9} {'requests/MiB':>13}")
    hsa = {"hsa_size": hsa_size}
    for who, file in (("ours", OURS_RS), ("C", C_FILE)):
        rs = reads[file]
        check(all(b == hsa_size for b, _, _ in rs), f"HSA: a read of {file} was short")
        mibps = med([b / 2**20 / (ns / 1e9) for b, ns, _ in rs])
        req = med([r for _, _, r in rs])
        hsa[who] = {"MiBps": round(mibps, 2), "requests": req,
                    "requests_per_MiB": round(req / (hsa_size / 2**20), 2)}
        print(f"{who + ' (' + file + ')':24} {mibps:8.2f} {req:9.0f} {req / (hsa_size / 2**20):13.2f}")
    check(hsa["C"]["requests"] > 0, "the kprobe counted no SDIAS request of C's reads")
    if hsa["C"]["requests"] > 0:
        hsa["ours_over_c_MiBps"] = round(hsa["ours"]["MiBps"] / hsa["C"]["MiBps"], 2)
        hsa["ours_over_c_requests"] = round(hsa["ours"]["requests"] / hsa["C"]["requests"], 4)
        print(f"ours/C: throughput {hsa['ours_over_c_MiBps']}x, requests {hsa['ours_over_c_requests']}")
    result["hsa_sdias"] = hsa

if args.host:
    try:
        with open(args.host) as f:
            result["host"] = json.load(f)
    except OSError:
        pass
if args.sizes:
    try:
        with open(args.sizes) as f:
            result["zfcpdump_size"] = f.read()
        print("\nzfcpdump kernel, ours against the C implementation:")
        print(result["zfcpdump_size"].rstrip())
    except OSError:
        pass
result["errors"] = errors
with open(args.out_json, "w") as f:
    json.dump(result, f, indent=1)
print(f"\nJSON: {args.out_json}")
for e in errors:
    print(f"bench: FAILED: {e}", file=sys.stderr)
sys.exit(1 if errors else 0)
