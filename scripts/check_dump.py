#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assertions on a dump saved by scripts/run-dump.sh (used by `make check`).

Usage: check_dump.py [--no-vmcoreinfo] [--no-text] OUTDIR

With --no-vmcoreinfo (a crashed kernel whose VMCOREINFO and os_info could
not be trusted) the dump must have no VMCOREINFO note, what needs one (the
log buffer, drgn) is not checked, and the kernel-text PT_LOAD (from
os_info) may be missing; with --no-text (os_info's kernel image could not
be trusted) only that PT_LOAD may be missing, and what needs it (the log
buffer through makedumpfile, drgn) is not checked.

How the kernel died (guest/oldinfo/crash: sysrq or an LKDTM crash type,
and the CPU) decides the log line, the functions of the back chain and,
for some, where the other CPUs must be (CRASHES).

Checks the ELF core as user space reads it from /proc/vmcore: an ELF64
big-endian S390 core; one PT_NOTE first, at a page-aligned offset; PT_LOAD
file offsets congruent to their physical addresses modulo the page size,
data chunks in file order without overlap, the file ending with the last
chunk; one NT_PRSTATUS per CPU that the crashed kernel had online, with
distinct NT_S390_PREFIX values; a VMCOREINFO note naming the crashed
kernel's release; memory PT_LOADs in address order without overlap,
covering exactly the crashed kernel's memory as its /proc/iomem
(guest/oldinfo/iomem) gives it, [0, end of its RAM), but its crashkernel
area (all of it for a stand-alone dump); the panic in the dump's log
buffer; drgn's backtrace of the crashed thread starting in the kdump entry
path, or for a stand-alone dump (guest/hsa.size) in the dump IPL of the
panic action (diag308_dump() through smp_call_ipl_cpu()); and the back
chain of report.py reaching panic() and the function that crashed (for
sysrq, sysrq_handle_crash()); the other CPUs where they were (idle in
enabled wait, or spinning in LKDTM's loop). Prints one
line per failed assertion and exits 1 if any failed.
"""
import os
import re
import sys

from harness.elf import PT_LOAD, PT_NOTE, BadCore, Core

PAGE = 4096
NT_PRSTATUS, NT_S390_PREFIX = 1, 0x305

# What each way of dying leaves (guest/oldinfo/crash, "HOW CPU", set by
# scripts/guest/first-kernel.sh): a line of the crashed kernel's log, the
# functions the back chain of the crashed thread passes (report.py; "a|b":
# a or b), and, where the other CPUs spun with interrupts off, the function
# they spun in (all but the IPL CPU and the one that panicked). Idle CPUs take
# the external call of panic's smp_send_stop(): their PSW is in its
# handler, not in the wait.
CRASHES = {
    "sysrq": ("sysrq: Trigger a crash", ["panic", "sysrq_handle_crash"], None),
    "lkdtm:PANIC": ("lkdtm: Performing direct entry PANIC", ["panic", "lkdtm_PANIC"], None),
    "lkdtm:PANIC_STOP_IRQOFF": ("panic stop irqoff test", ["panic", "panic_stop_irqoff_fn"],
                                "panic_stop_irqoff_fn"),
    "lkdtm:BUG": ("kernel BUG at", ["panic", "lkdtm_BUG"], None),
    "lkdtm:EXCEPTION": ("lkdtm: Performing direct entry EXCEPTION",
                        ["panic", "lkdtm_EXCEPTION"], None),
    "lkdtm:CORRUPT_LIST_ADD": ("list_add corruption", ["panic", "lkdtm_CORRUPT_LIST_ADD"], None),
    # The overflow handler panics on another stack, which the chain of the
    # crashed thread leaves at panic() (stand-alone dump) or before it, in
    # __crash_kexec() (kdump).
    "lkdtm:EXHAUST_STACK": ("Kernel stack overflow", ["panic|__crash_kexec"], None),
    # The RCU stall detector panics in the timer interrupt.
    "lkdtm:SOFTLOCKUP": ("RCU Stall", ["panic", "rcu_sched_clock_irq"], None),
    "lkdtm:SPINLOCKUP": ("RCU Stall", ["panic", "rcu_sched_clock_irq"], None),
    "lkdtm:HUNG_TASK": ("blocked for more than", ["panic", "watchdog"], None),
    # Hung, not dead (CPU 1 in LKDTM's HARDLOCKUP, the others in user
    # space), and dumped by the operator: no panic (None), the IPL CPU
    # took a PSW restart or the machine did a dump IPL.
    "hang:nmi": (None, [], "lkdtm_HARDLOCKUP"),
    "hang:dump-ipl": (None, [], "lkdtm_HARDLOCKUP"),
}


def old_memory(iomem):
    """The System RAM ranges and crashkernel areas ("Crash kernel") of a
    /proc/iomem, each a list of [start, end) in address order."""
    ram, crash = [], []
    for line in open(iomem):
        m = re.fullmatch(r" *([0-9a-f]+)-([0-9a-f]+) : (System RAM|Crash kernel)\n?", line)
        if m:
            r = (int(m.group(1), 16), int(m.group(2), 16) + 1)
            (ram if m.group(3) == "System RAM" else crash).append(r)
    return sorted(ram), sorted(crash)


def merged(rs):
    """Sorted [start, end) ranges with the touching and overlapping ones
    joined, the empty ones dropped."""
    out = []
    for s, e in sorted(r for r in rs if r[0] < r[1]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def holes_out(rs, holes):
    """The ranges rs without the ranges holes, merged."""
    for hs, he in holes:
        rs = [r for s, e in rs for r in ((s, min(e, hs)), (max(s, he), e)) if r[0] < r[1]]
    return merged(rs)


def ranges(rs):
    return " ".join(f"[{s:#x}, {e:#x})" for s, e in rs) or "none"


def main(outdir, no_vmcoreinfo=False, no_text=False):
    errors = []

    def check(cond, what):
        if not cond:
            errors.append(what)
        return cond

    path = os.path.join(outdir, "vmcore")
    guest = os.path.join(outdir, "guest")
    try:
        core = Core(path)
    except (BadCore, OSError) as e:
        check(False, f"an ELF64 core: {e}")
        return finish(outdir, errors)
    size = core.size
    check(core.ident.EI_CLASS == "ELFCLASS64" and core.ident.EI_DATA == "ELFDATA2MSB",
          "ELFCLASS64, ELFDATA2MSB")
    check(core.type == "ET_CORE" and core.machine == "EM_S390", "ET_CORE, EM_S390")
    check(core.phoff == 64 and core.phentsize == 56, "program headers at 64, 56 bytes each")
    types = [p.type for p in core.phdrs]
    check(types.count(PT_NOTE) == 1 and types[0] == PT_NOTE, "one PT_NOTE, first")
    check(core.phdrs[0].offset % PAGE == 0, "PT_NOTE offset page aligned")
    notes = core.notes

    loads = [p for p in core.phdrs if p.type == PT_LOAD]
    if no_vmcoreinfo or no_text:
        check(len(loads) >= 1, "PT_LOADs present (memory)")
    else:
        check(len(loads) >= 2, "PT_LOADs present (kernel text and memory)")
    end = 0
    for p in loads:
        off, paddr, memsz = p.offset, p.paddr, p.memsz
        check(off % PAGE == paddr % PAGE, f"PT_LOAD {paddr:#x}: offset {off:#x} page congruent")
        chunk = off - paddr % PAGE
        check(chunk >= end, f"PT_LOAD {paddr:#x}: chunk after the previous one")
        end = chunk + (paddr % PAGE + memsz + PAGE - 1) // PAGE * PAGE
    check(end == size, f"file size {size} == end of the last PT_LOAD chunk {end}")

    ncpus = int(open(os.path.join(guest, "oldinfo", "ncpus")).read())
    prstatus = [n for n in notes if n[1] == NT_PRSTATUS and n[0] == "CORE"]
    check(len(prstatus) == ncpus, f"{len(prstatus)} NT_PRSTATUS for {ncpus} CPUs")
    prefixes = [n[2] for n in notes if n[1] == NT_S390_PREFIX]
    check(len(set(prefixes)) == len(prefixes) == ncpus, "distinct NT_S390_PREFIX per CPU")
    vmci = [n[2] for n in notes if n[0] == "VMCOREINFO"]
    release = open(os.path.join(guest, "oldinfo", "release")).read().strip()
    if no_vmcoreinfo:
        check(not vmci, "no VMCOREINFO note")
    else:
        check(len(vmci) == 1 and f"OSRELEASE={release}\n".encode() in vmci[0],
              f"VMCOREINFO note with OSRELEASE={release}")

    # Memory, as the crashed kernel knew it (its /proc/iomem): the memory
    # PT_LOADs, in address order without overlap, cover [0, end of its RAM)
    # but its crashkernel area, exactly, or for a stand-alone dump (no
    # crashkernel=) all of it.
    cmdline = open(os.path.join(guest, "oldinfo", "cmdline")).read()
    m = re.search(r"crashkernel=(\d+)M", cmdline)
    ram, crash = old_memory(os.path.join(guest, "oldinfo", "iomem"))
    mem_end = max((e for s, e in ram + crash), default=0)
    check(ram and ram[0][0] == 0, f"the crashed kernel's System RAM starts at 0: {ranges(ram)}")
    if os.path.exists(os.path.join(guest, "hsa.size")):
        check(not m and not crash, f"a stand-alone dump, no crashkernel area: {ranges(crash)}")
    else:
        check(m and len(crash) == 1 and crash[0][1] - crash[0][0] == int(m.group(1)) << 20,
              f"one crashkernel area of crashkernel= size: {ranges(crash)}")
    want = holes_out([(0, mem_end)], crash)
    what = f"[0, {mem_end:#x})" + (f" but the crashkernel area {ranges(crash)}" if crash else "")
    # s390 keeps the crashkernel area out of System RAM.
    check(merged(ram) == want, f"the crashed kernel's System RAM {ranges(ram)} is {what}")
    mem = [(p.paddr, p.paddr + p.memsz) for p in loads if p.vaddr == p.paddr]
    check(mem, "memory PT_LOADs present")
    for (s0, e0), (s1, e1) in zip(mem, mem[1:]):
        check(e0 <= s1, f"memory PT_LOADs in address order without overlap: "
              f"[{s0:#x}, {e0:#x}) then [{s1:#x}, {e1:#x})")
    check(merged(mem) == want, f"memory PT_LOADs cover {ranges(merged(mem))}, not {what}")

    if no_vmcoreinfo or no_text:
        return finish(outdir, errors)
    how, cpu = "sysrq", "0"
    if os.path.exists(os.path.join(guest, "oldinfo", "crash")):
        how, cpu = open(os.path.join(guest, "oldinfo", "crash")).read().split()
    if not check(how in CRASHES, f"a known way of dying: {how}"):
        return finish(outdir, errors)
    line, functions, others = CRASHES[how]
    dmesg = open(os.path.join(outdir, "dmesg.txt"), errors="replace").read()
    report = open(os.path.join(outdir, "report.txt")).read()
    frames = re.findall(r"^  #\d+ +(\S+)", report, re.M)
    stand_alone = os.path.exists(os.path.join(guest, "hsa.size"))
    if line is None:
        check("Kernel panic" not in dmesg, "no panic in the dump's log buffer (a forced dump)")
        by = "PSW restart" if how == "hang:nmi" else "stand-alone dump IPL"
        check(re.search(f"^Dump: +forced by the operator, nobody panicked: by a {by}",
                        report, re.M), f"the report says the dump was forced, by a {by}")
    else:
        check(line in dmesg, f"the crash in the dump's log buffer: {line}")
        check("Kernel panic - not syncing" in dmesg, "the panic in the dump's log buffer")
    chain = re.findall(r"^    (\w+)\+0x[0-9a-f]+  pc", report, re.M)
    if how == "hang:dump-ipl":
        pass  # The machine stored the IPL CPU where it was (in user space).
    elif line is None:
        # Forced: from the IPL CPU's registers, drgn's frames or the chain.
        check("smp_call_ipl_cpu" in frames + chain,
              "the IPL CPU's thread went through smp_call_ipl_cpu")
    elif cpu != "0" or how == "lkdtm:PANIC_STOP_IRQOFF":
        # The panicking CPU (not the IPL CPU, or for PANIC_STOP_IRQOFF
        # any: the last one into stop_machine()) handed the dump to the
        # IPL CPU and stopped, or was the IPL CPU.
        check("smp_call_ipl_cpu" in frames,
              "drgn backtrace of the crashed thread (not on the IPL CPU) in smp_call_ipl_cpu")
    elif stand_alone:
        check("diag308_dump" in frames and "smp_call_ipl_cpu" in frames,
              "drgn backtrace of the crashed thread in the dump IPL: diag308_dump, smp_call_ipl_cpu")
    else:
        check(frames[:1] == ["__do_machine_kdump"],
              "drgn backtrace of the crashed thread starts in __do_machine_kdump")
    check(all(any(a in chain for a in f.split("|")) for f in functions),
          f"the back chain of the crashed thread reaches {', '.join(functions)}")
    if others:
        # report.py: "CPU n: pid P PSW MASK ADDR  symbol+off/size", the
        # boot (IPL) CPU first.
        cpus = re.findall(r"^  CPU \d+: pid \S+ +PSW ([0-9a-f]{16}) [0-9a-f]{16}(?:  (\w+))?",
                          report, re.M)[1:]
        where = [f == others for _, f in cpus]
        # Where the panic was not on the IPL CPU, or came from any CPU
        # (the last one into stop_machine()), one of them handed the dump
        # to the IPL CPU instead.
        spare = 0 if cpu == "0" and how != "lkdtm:PANIC_STOP_IRQOFF" else 1
        if how.startswith("hang:"):
            spare = len(cpus) - 1  # only CPU 1 runs HARDLOCKUP; it must be there
        check(len(cpus) and sum(where) >= len(cpus) - spare,
              f"the other CPUs where they were ({others}): {sum(where)} of {len(cpus)}")

    return finish(outdir, errors)


def finish(outdir, errors):
    for e in errors:
        print(f"check_dump: FAILED: {e}")
    print(f"check_dump: {outdir}: {len(errors)} failed assertions")
    return 1 if errors else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    flags = {a for a in args if a.startswith("--")}
    args = [a for a in args if not a.startswith("--")]
    if len(args) != 1 or flags - {"--no-vmcoreinfo", "--no-text"}:
        sys.exit(__doc__)
    sys.exit(main(args[0], "--no-vmcoreinfo" in flags, "--no-text" in flags))
