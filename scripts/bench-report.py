#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The table of make bench (scripts/bench.sh) from what the dump kernel
# measured (guest/bench.txt, guest/dmesg-dump.txt), the host benchmarks
# (host.json) and the zfcpdump kernel sizes (zfcpdump-size.txt); writes
# everything to bench.json too.
# With HSA_RUN_DIR, also the SDIAS figures of the zfcpdump kernel reading
# the HSA (guest/bench.txt of scripts/run-dump.sh --hsa-bench).
# Usage: scripts/bench-report.py RUN_DIR HOST_JSON SIZE_TXT OUT_JSON [HSA_RUN_DIR]

import json
import re
import statistics
import sys

run, host_json, size_txt, out_json = sys.argv[1:5]
OURS, C = "/proc/vmcore_rs", "/proc/vmcore"

samples = {}  # (name, file) -> [(bytes, ns)]
with open(f"{run}/guest/bench.txt") as f:
    for line in f:
        m = re.match(r"(\S+) (\S+) bytes=(\d+) ns=(\d+)", line)
        if m:
            samples.setdefault((m[1], m[2]), []).append((int(m[3]), int(m[4])))


def rate(name, file):
    """Median throughput in MB/s (10^6 bytes per second)."""
    return statistics.median(b / ns * 1e3 for b, ns in samples[(name, file)])


def secs(name, file):
    """Median wall time in seconds."""
    return statistics.median(ns / 1e9 for _, ns in samples[(name, file)])


result = {"guest": {}, "header_build_us": {}}
memcpy = rate("memcpy", "-")
rows = [
    ("read-1m", "read(), 1 MiB buffers"),
    ("read-4k", "read(), 4 KiB buffers (first 512 MiB)"),
    ("mmap", "mmap(), touch every page"),
    ("readers-4x1m", "4 readers, 1 MiB buffers, total"),
]
print("make bench: the test kernel in QEMU (TCG), 2 GiB, 2 CPUs; the dump kernel")
print("reads the Rust /proc/vmcore_rs and the C /proc/vmcore of the same boot.")
print("Medians of 5 rounds (makedumpfile: 3), the order alternating.\n")
print(f"{'':40} {'ours MB/s':>10} {'C MB/s':>10} {'ours/C':>7} {'ours/memcpy':>12}")
for key, label in rows:
    ours, c = rate(key, OURS), rate(key, C)
    result["guest"][key] = {"ours_MBps": round(ours, 1), "c_MBps": round(c, 1),
                            "ours_over_c": round(ours / c, 3),
                            "ours_over_memcpy": round(ours / memcpy, 3),
                            "rounds": len(samples[(key, OURS)])}
    print(f"{label:40} {ours:10.0f} {c:10.0f} {ours / c:7.2f} {ours / memcpy:12.2f}")
print(f"{'memcpy() in the guest (the limit)':40} {memcpy:10.0f}")
pagecache = rate("read-1m", "/tmp/bench.file")
print(f"{'read(), 1 MiB, of a tmpfs file':40} {pagecache:10.0f}")
result["guest"]["tmpfs_read_1m_MBps"] = round(pagecache, 1)
result["guest"]["memcpy_MBps"] = round(memcpy, 1)
ours, c = secs("makedumpfile", OURS), secs("makedumpfile", C)
result["guest"]["makedumpfile"] = {"ours_s": round(ours, 2), "c_s": round(c, 2),
                                   "c_over_ours": round(c / ours, 3)}
print(f"\n{'makedumpfile -d 31 (wall time)':40} {ours:9.2f}s {c:9.2f}s"
      f" {c / ours:7.2f} (C time / ours)")

dmesg = open(f"{run}/guest/dmesg-dump.txt", errors="replace").read()
m = re.search(r"vmcore_rs: dump of (\d+) bytes ready \(header built in (\d+) us\)", dmesg)
inits = dict(re.findall(r"initcall (vmcore_rs_initcall|vmcore_init)\+\S+ returned -?\d+ after (\d+) usecs",
                        dmesg))
hdr = result["header_build_us"]
if m:
    hdr["ours_build"] = int(m[2])
    result["dump_bytes"] = int(m[1])
for k, v in inits.items():
    hdr[k] = int(v)
print("\nheader at boot: ours built in {} us (own timestamps); initcall: ours {} us, C {} us".format(
    hdr.get("ours_build", "?"), hdr.get("vmcore_rs_initcall", "?"), hdr.get("vmcore_init", "?")))

m = re.search(r"vmcore_rs: old memory (0x[0-9a-f]+)-(0x[0-9a-f]+) mapped in (\d+) us", dmesg)
if m:
    mib = (int(m[2], 16) - int(m[1], 16)) >> 20
    try:
        directmap = dict(re.findall(r"(DirectMap\w+):\s+(\d+) kB", open(f"{run}/guest/directmap").read()))
    except OSError:
        directmap = {}
    # Page tables: 4 KiB per MiB mapped with 4 KiB pages, 16 KiB per 2 GiB with 1 MiB pages.
    tables_kib = int(directmap.get("DirectMap4k", 0)) // 256 + int(directmap.get("DirectMap1M", 0)) // (2 << 20) * 16
    hdr["old_memory_map"] = {"mib": mib, "us": int(m[3]), "directmap_kB": directmap,
                             "page_tables_kib_estimate": tables_kib}
    print(f"old memory mapped at boot: {mib} MiB in {m[3]} us; "
          + ", ".join(f"{k} {v} kB" for k, v in directmap.items())
          + f" (page tables about {tables_kib} KiB, this kernel's included)")

if len(sys.argv) > 5:
    hsa_size, reads = 0, {}
    with open(f"{sys.argv[5]}/guest/bench.txt") as f:
        for line in f:
            if line.startswith("hsa "):
                hsa_size = int(line.split()[1], 0)
            m = re.match(r"hsa-read-1m (\S+) bytes=(\d+) ns=(\d+) requests=(\d+)", line)
            if m:
                reads.setdefault(m[1], []).append((int(m[2]), int(m[3]), int(m[4])))
    print(f"\nThe HSA through SDIAS (zfcpdump kernel, patched QEMU, HSA {hsa_size:#x} bytes,")
    print("100 us per SDIAS request; read() of the HSA range with 1 MiB buffers,")
    print(f"medians of {len(reads.get(OURS, []))} rounds; requests: calls of sclp_sdias_copy())\n")
    print(f"{'':24} {'MiB/s':>8} {'requests':>9} {'requests/MiB':>13}")
    hsa = {"hsa_size": hsa_size}
    for who, file in (("ours", OURS), ("C", C)):
        rs = reads[file]
        assert all(b == hsa_size for b, _, _ in rs), f"{file}: a read was short"
        mibps = statistics.median(b / 2**20 / (ns / 1e9) for b, ns, _ in rs)
        req = statistics.median(r for _, _, r in rs)
        hsa[who] = {"MiBps": round(mibps, 2), "requests": req,
                    "requests_per_MiB": round(req / (hsa_size / 2**20), 2)}
        print(f"{who + ' (' + file + ')':24} {mibps:8.2f} {req:9.0f} {req / (hsa_size / 2**20):13.2f}")
    assert hsa["C"]["requests"] > 0, "the kprobe counted no SDIAS request of C's reads"
    hsa["ours_over_c_MiBps"] = round(hsa["ours"]["MiBps"] / hsa["C"]["MiBps"], 2)
    hsa["ours_over_c_requests"] = round(hsa["ours"]["requests"] / hsa["C"]["requests"], 4)
    print(f"ours/C: throughput {hsa['ours_over_c_MiBps']}x, requests {hsa['ours_over_c_requests']}")
    result["hsa_sdias"] = hsa

try:
    with open(host_json) as f:
        result["host"] = json.load(f)
except OSError:
    pass
try:
    with open(size_txt) as f:
        result["zfcpdump_size"] = f.read()
    print("\nzfcpdump kernel, ours against the C implementation:")
    print(result["zfcpdump_size"].rstrip())
except OSError:
    pass
with open(out_json, "w") as f:
    json.dump(result, f, indent=1)
print(f"\nJSON: {out_json}")
