#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The tables of make bench (scripts/bench.sh), printed and written to
# OUT_JSON:
#   1. the shipped configuration: the product kernel (ours) against the
#      product-c kernel (the C implementation, same configuration
#      otherwise), each in its own boots, in ABBA order (--shipped RUN_DIR
#      ..., named shipped-N-KERNEL);
#   2. the test kernel: ours (/proc/vmcore_rs) and C (/proc/vmcore) in the
#      same boot (--same-boot RUN_DIR);
#   3. the HSA through SDIAS (--hsa RUN_DIR), the host benchmarks (--host),
#      the zfcpdump kernel sizes (--sizes).
# What the dump kernels measured is in RUN_DIR/guest/bench.txt and
# RUN_DIR/guest/dmesg-dump.txt. Every figure is the median of its samples
# with their spread (min-max); a ratio's spread pairs the extremes
# (min ours / max C .. max ours / min C). It fails (exit 1) when a timed
# read did not return the whole file, when checksums of the same data
# differ, or when makedumpfile failed or wrote nothing.

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
    ("readers-4x1m", "4 readers, 1 MiB buffers, total"),
]
MDF_MODES = [
    ("makedumpfile-mmap", "mmap (default)"),
    ("makedumpfile-non-mmap", "--non-mmap"),
    ("makedumpfile-threads2", "--num-threads 2"),
]
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


class Run:
    """One boot's measurements: samples[(name, file)] = [(bytes, ns, sum)]."""

    def __init__(self, path):
        self.path = path
        self.samples, self.md5, self.size, self.mdf_out, self.cpu = {}, {}, {}, {}, {}
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
                elif w and w[0] == "makedumpfile-out":
                    self.mdf_out[(w[1], w[2])] = line.strip()
        self.dmesg = open(f"{path}/guest/dmesg-dump.txt", errors="replace").read()
        self.inits = {k: int(v) for k, v in re.findall(
            r"initcall (vmcore_rs_initcall|vmcore_init)\+\S+ returned -?\d+ after (\d+) usecs",
            self.dmesg)}
        m = re.search(r"vmcore_rs: old memory (0x[0-9a-f]+)-(0x[0-9a-f]+) mapped in (\d+) us",
                      self.dmesg)
        self.map = (int(m[2], 16) - int(m[1], 16), int(m[3])) if m else None
        m = re.search(r"vmcore_rs: dump of (\d+) bytes ready \(header built in (\d+) us\)",
                      self.dmesg)
        self.header_us = int(m[2]) if m else None

    def files(self):
        return sorted({f for (_, f) in self.samples if f.startswith("/proc/")})

    def validate(self):
        """Whole-file reads, equal sums of the same data, makedumpfile output."""
        name = os.path.basename(self.path)
        for f in self.files():
            size = self.size.get(f)
            check(size is not None, f"{name}: the guest recorded no size of {f}")
            if size is None:
                continue
            want = {"read-1m": size, "read-4k": min(size, 512 << 20), "mmap": 3 * size,
                    "readers-4x1m": size}
            for key, n in want.items():
                for b, _, _ in self.samples.get((key, f), []):
                    check(b == n, f"{name}: {key} of {f} returned {b} bytes, not {n}")
            sums = {s for key in ("read-1m", "mmap") for _, _, s in self.samples.get((key, f), [])}
            check(len(sums) == 1, f"{name}: read-1m and mmap of {f} gave sums {sorted(sums)}")
            for mode, _ in MDF_MODES:
                short = mode.split("-", 1)[1]
                out = self.mdf_out.get((short, f), "")
                check(" exit=0 " in out, f"{name}: makedumpfile {short} of {f}: {out or 'not run'}")


def med(xs):
    return statistics.median(xs)


def spread(xs):
    return [round(min(xs), 3), round(max(xs), 3)]


def rates(runs, key, file):
    """MB/s (10^6 bytes per second) of every sample, over runs."""
    return [b / ns * 1e3 for r in runs for b, ns, _ in r.samples.get((key, file), [])]


def secs(runs, key, file):
    return [ns / 1e9 for r in runs for _, ns, _ in r.samples.get((key, file), [])]


def over_memcpy(runs, key, file):
    """Each sample's rate over the median memcpy() rate of its own boot."""
    out = []
    for r in runs:
        mc = med([b / ns * 1e3 for b, ns, _ in r.samples[("memcpy", "-")]])
        out += [b / ns * 1e3 / mc for b, ns, _ in r.samples.get((key, file), [])]
    return out


def fmt(xs, unit="", digits=0):
    return f"{med(xs):.{digits}f}{unit} [{min(xs):.{digits}f}-{max(xs):.{digits}f}]"


def table(title, ours_runs, ours_file, c_runs, c_file):
    """Prints one table; returns its JSON."""
    res = {}
    print(title)
    print(f"{'':38} {'ours MB/s':>20} {'C MB/s':>20} {'ours/C':>17} {'ours/memcpy':>17}")
    for key, label in READS:
        o, c = rates(ours_runs, key, ours_file), rates(c_runs, key, c_file)
        om = over_memcpy(ours_runs, key, ours_file)
        ratio = med(o) / med(c)
        res[key] = {"ours_MBps": round(med(o), 1), "ours_MBps_spread": spread(o),
                    "c_MBps": round(med(c), 1), "c_MBps_spread": spread(c),
                    "ours_over_c": round(ratio, 3),
                    "ours_over_c_spread": [round(min(o) / max(c), 3), round(max(o) / min(c), 3)],
                    "ours_over_memcpy": round(med(om), 3), "ours_over_memcpy_spread": spread(om),
                    "samples": [len(o), len(c)]}
        r = res[key]
        print(f"{label:38} {fmt(o):>20} {fmt(c):>20} "
              f"{ratio:5.2f} [{r['ours_over_c_spread'][0]:.2f}-{r['ours_over_c_spread'][1]:.2f}] "
              f"{fmt(om, digits=2):>17}")
    mo, mc = rates(ours_runs, "memcpy", "-"), rates(c_runs, "memcpy", "-")
    to, tc = rates(ours_runs, "read-1m", "/tmp/bench.file"), rates(c_runs, "read-1m", "/tmp/bench.file")
    print(f"{'memcpy() in the guest (the ceiling)':38} {fmt(mo):>20} {fmt(mc):>20}")
    print(f"{'read(), 1 MiB, of a tmpfs file':38} {fmt(to):>20} {fmt(tc):>20}")
    res["memcpy_MBps"] = {"ours_boots": round(med(mo), 1), "ours_boots_spread": spread(mo),
                          "c_boots": round(med(mc), 1), "c_boots_spread": spread(mc)}
    res["tmpfs_read_1m_MBps"] = {"ours_boots": round(med(to), 1), "ours_boots_spread": spread(to),
                                 "c_boots": round(med(tc), 1), "c_boots_spread": spread(tc)}

    print(f"\n{'makedumpfile -F -d 31, wall time':38} {'ours s':>20} {'C s':>20} {'C/ours':>17}")
    mdf = {}
    for key, label in MDF_MODES:
        o, c = secs(ours_runs, key, ours_file), secs(c_runs, key, c_file)
        check(len(o) >= 5 and len(c) >= 5, f"{label}: {len(o)} and {len(c)} samples, not 5")
        mdf[key] = {"ours_s": round(med(o), 3), "ours_s_spread": spread(o),
                    "c_s": round(med(c), 3), "c_s_spread": spread(c),
                    "c_time_over_ours": round(med(c) / med(o), 3),
                    "c_time_over_ours_spread": [round(min(c) / max(o), 3), round(max(c) / min(o), 3)],
                    "samples": [len(o), len(c)]}
        for who, runs, file in (("ours", ours_runs, ours_file), ("c", c_runs, c_file)):
            cpu = [u_s for r in runs for u_s in r.cpu.get((key, file), [])]
            if cpu:
                mdf[key][who + "_user_s"] = round(med([u for u, _ in cpu]) / 1e9, 3)
                mdf[key][who + "_sys_s"] = round(med([k for _, k in cpu]) / 1e9, 3)
        m = mdf[key]
        print(f"{label:38} {fmt(o, digits=2):>20} {fmt(c, digits=2):>20} "
              f"{m['c_time_over_ours']:5.2f} [{m['c_time_over_ours_spread'][0]:.2f}-"
              f"{m['c_time_over_ours_spread'][1]:.2f}]")
    bo = min(MDF_MODES, key=lambda k: mdf[k[0]]["ours_s"])[0]
    bc = min(MDF_MODES, key=lambda k: mdf[k[0]]["c_s"])[0]
    o, c = secs(ours_runs, bo, ours_file), secs(c_runs, bc, c_file)
    mdf["best"] = {"ours_mode": bo, "c_mode": bc, "ours_s": round(med(o), 3),
                   "c_s": round(med(c), 3), "c_time_over_ours": round(med(c) / med(o), 3),
                   "c_time_over_ours_spread": [round(min(c) / max(o), 3), round(max(c) / min(o), 3)]}
    b = mdf["best"]
    print(f"{'best mode against best mode':38} {bo.split('-', 1)[1]:>20} {bc.split('-', 1)[1]:>20} "
          f"{b['c_time_over_ours']:5.2f} [{b['c_time_over_ours_spread'][0]:.2f}-"
          f"{b['c_time_over_ours_spread'][1]:.2f}]")
    split = [f"{mdf[k].get(w + '_user_s', 0):.2f}/{mdf[k].get(w + '_sys_s', 0):.2f} s"
             for k, w in ((bo, "ours"), (bc, "c"))]
    print(f"{'  of which user/kernel CPU time':38} {split[0]:>20} {split[1]:>20}")
    res["makedumpfile"] = mdf

    io = [r.inits["vmcore_rs_initcall"] for r in ours_runs if "vmcore_rs_initcall" in r.inits]
    ic = [r.inits["vmcore_init"] for r in c_runs if "vmcore_init" in r.inits]
    check(io and ic, f"{title.splitlines()[0]}: initcall_debug times missing")
    if io and ic:
        res["initcall_us"] = {"ours": io, "c": ic, "ours_over_c": round(med(io) / med(ic), 3),
                              "ours_over_c_spread": [round(min(io) / max(ic), 3),
                                                     round(max(io) / min(ic), 3)]}
        print(f"\ninitcall (initcall_debug): ours {fmt(io, ' us')}, C {fmt(ic, ' us')}, "
              f"ours/C {res['initcall_us']['ours_over_c']:.2f} "
              f"[{res['initcall_us']['ours_over_c_spread'][0]:.2f}-"
              f"{res['initcall_us']['ours_over_c_spread'][1]:.2f}]")
    maps = [r.map for r in ours_runs if r.map]
    hdr = [r.header_us for r in ours_runs if r.header_us is not None]
    if maps:
        res["old_memory_map"] = {"mib": maps[0][0] >> 20, "us": [m[1] for m in maps]}
        print(f"ours: header built in {fmt(hdr, ' us')}; old memory ({maps[0][0] >> 20} MiB) "
              f"mapped in the background in {fmt([m[1] for m in maps], ' us')}")
    return res


ap = argparse.ArgumentParser()
ap.add_argument("out_json")
ap.add_argument("--shipped", nargs="+", default=[])
ap.add_argument("--same-boot")
ap.add_argument("--hsa")
ap.add_argument("--host")
ap.add_argument("--sizes")
args = ap.parse_args()

result = {"ratios": "ours_over_c: ours / C (higher is better for MB/s); "
                    "c_time_over_ours: C's time / ours (higher is better)"}
if args.shipped:
    runs = [Run(p) for p in args.shipped]
    for r in runs:
        r.validate()
    ours = [r for r in runs if not r.path.rstrip("/").endswith("-c")]
    c = [r for r in runs if r.path.rstrip("/").endswith("-c")]
    order = " ".join("A" if r in ours else "B" for r in runs)
    check(len(ours) >= 2 and len(c) >= 2, "fewer than 2 boots of a kernel in the shipped table")
    res = table("1. The shipped configuration: the product kernel (ours) against the product-c\n"
                f"kernel (C), each in its own boots ({order}: A ours, B C), QEMU TCG, 2 GiB,\n"
                "2 CPUs; medians [min-max] over all rounds of all boots.\n",
                ours, C_FILE, c, C_FILE)
    res["boots"] = [os.path.basename(r.path) for r in runs]
    result["shipped"] = res
    print()
if args.same_boot:
    r = Run(args.same_boot)
    r.validate()
    check(r.md5.get(OURS_RS) and r.md5.get(OURS_RS) == r.md5.get(C_FILE),
          f"same boot: MD5 of ours {r.md5.get(OURS_RS)} != C's {r.md5.get(C_FILE)}")
    s = {r.samples[(k, f)][0][2] for k in ("read-1m", "mmap") for f in (OURS_RS, C_FILE)}
    check(len(s) == 1, f"same boot: ours and C's page sums differ: {sorted(s)}")
    res = table("2. The test kernel (z10, kmemleak, fault injection): ours (/proc/vmcore_rs)\n"
                "and C (/proc/vmcore) in the same boot, the order alternating.\n",
                [r], OURS_RS, [r], C_FILE)
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
    print(f"3. The HSA through SDIAS (zfcpdump kernel, patched QEMU, HSA {hsa_size:#x} bytes,")
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
