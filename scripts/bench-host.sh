#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host benchmarks of the pure crate (rust/s390_vmcore), issue 6: criterion
# benches of rust/bench (header build for 1 to 65,532 memory ranges and 1
# to 256 CPUs, the offset-to-source lookup) and the header's run-time
# memory (rust/bench/examples/footprint.rs).
# Usage: scripts/bench-host.sh [OUT_JSON]   (default out/bench/host.json)
#
# Prints criterion's median times with the time per range / CPU / lookup,
# the linearity ratios of the largest sizes and the memory footprint, and
# writes the same numbers as JSON to OUT_JSON. Criterion's log goes next to
# it (criterion.log), its results to rust/bench/target/criterion/. About a
# minute after compiling.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/out/bench/host.json}
log=$(dirname "$out")/criterion.log
export PATH=$HOME/.cargo/bin:$PATH CARGO_TARGET_DIR=$top/rust/bench/target
mkdir -p "$(dirname "$out")"
cd "$top/rust/bench"

cargo bench --locked --bench header >"$log" 2>&1 || { tail -n 20 "$log"; exit 1; }
footprint=$(cargo run --locked --release --quiet --example footprint)

python3 - "$CARGO_TARGET_DIR/criterion" "$out" "$footprint" <<'EOF'
import json, pathlib, sys

crit, out, footprint = pathlib.Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])

def medians(path):
    """{N: median ns} of the criterion benchmarks <path>/<N>."""
    return {int(d.name): json.loads((d / "new/estimates.json").read_text())["median"]["point_estimate"]
            for d in (crit / path).iterdir() if (d / "new/estimates.json").exists()}

def t(ns):
    return f"{ns / 1e6:.3f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} us" if ns >= 1e3 else f"{ns:.1f} ns"

res = {"unit": "ns (median)", "footprint_unit": "bytes"}
for group, what in (("header_ranges", "range"), ("header_cpus", "cpu")):
    m = medians(group)
    print(f"{group}: layout()+build(), " + ("2 CPUs, N ranges + text" if what == "range" else "2 ranges + text, N CPUs"))
    print(f"  {'N':>6} {'median':>12} {'per ' + what:>12}")
    for n, ns in sorted(m.items()):
        print(f"  {n:>6} {t(ns):>12} {t(ns / n):>12}")
    res[group] = [{what + "s": n, "median": ns, "per_" + what: ns / n} for n, ns in sorted(m.items())]
    if what == "range":
        a, b, c = sorted(m)[-3:]
        res["linearity"] = [{"sizes": [y, x], "size_ratio": y / x, "time_ratio": m[y] / m[x]} for x, y in ((b, c), (a, b))]
        for r in res["linearity"]:
            (y, x) = r["sizes"]
            print(f"  linearity: t({y})/t({x}) = {r['time_ratio']:.2f} for {r['size_ratio']:.2f}x the ranges")
        res["max_ranges"] = {"ranges": c, "median_ms": m[c] / 1e6, "target_ms": 1.0}
        print(f"  {c} ranges: {m[c] / 1e6:.3f} ms (target < 1 ms)")

nc, nm = medians("lookup/piece_at"), medians("lookup/piece_at_map_oldmem")
print("lookup: one 4 KiB read at a random offset, per call")
print(f"  {'segments':>8} {'piece_at':>12} {'+map_oldmem':>12}")
for n in sorted(nc):
    print(f"  {n:>8} {t(nc[n]):>12} {t(nm[n]):>12}")
res["lookup"] = [{"segments": n, "piece_at": nc[n], "piece_at_map_oldmem": nm[n]} for n in sorted(nc)]

print(f"memory kept for the header, kdump map of {footprint[0]['ranges']} ranges + text (bytes)")
cols = ("header", "segments", "save_areas", "ranges_copy", "total")
print(f"  {'cpus':>4} " + " ".join(f"{c:>11}" for c in cols))
for f in footprint:
    print(f"  {f['cpus']:>4} " + " ".join(f"{f[c]:>11}" for c in cols))
res["footprint"] = footprint

pathlib.Path(out).write_text(json.dumps(res, indent=1) + "\n")
print(f"JSON: {out}")
EOF
