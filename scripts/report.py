#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write OUTDIR/report.txt: what a user looks at first after a dump.

    python3 scripts/report.py OUTDIR

OUTDIR is what scripts/run-dump.sh leaves: vmcore (required), vmlinux,
dmesg.txt, dump.kdump. The report holds the kernel release (VMCOREINFO note),
the CPU count (NT_PRSTATUS notes) and each CPU's PSW, the ELF notes and
PT_LOAD summary, the panic lines and call trace from the dump's log buffer,
and the crashed thread's backtrace from drgn.

Exit status: 0 = report written; 1 = report written, but a part of it could
not be produced (drgn, dmesg); 2 = no usable vmcore (no report, or a report
that says why).
"""

import datetime
import os
import re
import struct
import sys

from harness.elf import PT_LOAD, PT_NOTE, BadCore, Core

NOTE_TYPES = {
    ("CORE", 1): "PRSTATUS",
    ("CORE", 2): "FPREGSET",
    ("CORE", 3): "PRPSINFO",
    ("LINUX", 0x300): "S390_HIGH_GPRS",
    ("LINUX", 0x301): "S390_TIMER",
    ("LINUX", 0x302): "S390_TODCMP",
    ("LINUX", 0x303): "S390_TODPREG",
    ("LINUX", 0x304): "S390_CTRS",
    ("LINUX", 0x305): "S390_PREFIX",
    ("LINUX", 0x306): "S390_LAST_BREAK",
    ("LINUX", 0x307): "S390_SYSTEM_CALL",
    ("LINUX", 0x308): "S390_TDB",
    ("LINUX", 0x309): "S390_VXRS_LOW",
    ("LINUX", 0x30A): "S390_VXRS_HIGH",
    ("LINUX", 0x30B): "S390_GS_CB",
    ("LINUX", 0x30C): "S390_GS_BC",
    ("LINUX", 0x30D): "S390_RI_CB",
    ("LINUX", 0x30E): "S390_PV_CPU_DATA",
    ("VMCOREINFO", 0): "VMCOREINFO",
}
# struct elf_prstatus (64-bit): pr_pid at 32, pr_reg at 112; s390 pr_reg
# starts with the PSW (mask, address), then gprs[16].
PRSTATUS_PID = 32
PRSTATUS_REG = 112


def parse_core(path):
    """ELF header, program headers and notes of an ELF64 core
    (harness.elf, pyelftools), checked as far as the report needs: an
    ET_CORE whose notes and memory lie within the file."""
    core = Core(path)
    if core.type != "ET_CORE":
        raise BadCore(f"ELF type {core.type}, not ET_CORE")
    for ph in core.phdrs:
        if ph.type == PT_NOTE and ph.offset + ph.filesz > core.size:
            raise BadCore("PT_NOTE beyond the end of the file")
        if ph.type == PT_LOAD and ph.offset + ph.filesz > core.size:
            raise BadCore(f"PT_LOAD at paddr {ph.paddr:#x} beyond the end "
                          f"of the file ({ph.offset + ph.filesz} > {core.size})")
    return dict(endian=">" if core.big_endian else "<", phdrs=[ph._asdict() for ph in core.phdrs],
                notes=core.notes, size=core.size)


def read_small(path, limit=4096):
    try:
        with open(path, errors="replace") as f:
            return f.read(limit).strip()
    except OSError:
        return None


def human(n):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


def strip_ts(line):
    return re.sub(r"^\[\s*\d+\.\d+\]\s?", "", line)


def panic_lines(dmesg):
    """From the first sysrq crash / panic / oops line through the end of the
    Call Trace: block after it."""
    lines = dmesg.splitlines()
    start_re = re.compile(r"sysrq: Trigger a crash|Kernel panic|Oops|BUG:|Unable to handle")
    start = next((i for i, l in enumerate(lines) if start_re.search(l)), None)
    if start is None:
        return None
    out, in_trace = [], False
    for l in lines[start:start + 200]:
        body = strip_ts(l)
        if in_trace:
            if re.match(r"\s*(\[<|\(|#|Last Breaking-Event-Address:|[^ ]+\+0x)", body) \
                    or body.strip() == "":
                out.append(l)
                continue
            break
        out.append(l)
        if body.startswith("Call Trace:"):
            in_trace = True
    return out


# struct stack_frame of arch/s390/include/asm/stacktrace.h (the kernel is
# built with -mpacked-stack -mbackchain): gprs[] (r6-r15) at 72, so the
# saved r14 at 136, and the back chain at 152.
SF_R14, SF_BACK_CHAIN = 136, 152
# struct pt_regs (arch/s390/include/asm/ptrace.h) right above a frame of
# STACK_FRAME_OVERHEAD (160) bytes: args[1], then psw (mask, addr), then
# gprs[16]; PSW bit 15 is the problem state (user space).
SF_SIZE, PT_PSW_MASK, PT_PSW_ADDR, PT_R15 = 160, 8, 16, 24 + 15 * 8
PSW_PSTATE = 1 << 48


def backchain(prog, sp, limit=48):
    """The crashed thread's s390 back chain from its innermost frame, as the
    kernel's own unwinder (arch/s390/kernel/unwind_bc.c) follows it: each
    frame's back chain points to its caller's frame, where the callee saved
    the return address (r14). call_on_stack() links the first frame of the
    new stack to the old one, so this goes on where drgn's DWARF unwinder
    stops at the stack switch, up to the panic."""
    import drgn  # noqa: E402 (as in drgn_section)

    out = ["  Back chain of the crashed thread (arch/s390/kernel/unwind_bc.c):"]
    for _ in range(limit):
        try:
            back = prog.read_u64(sp + SF_BACK_CHAIN)
            if back == 0:
                # An interrupt or program check: the entry code zeroed the
                # back chain and put pt_regs above the frame; go on with
                # the interrupted PSW and r15, unless it was user space.
                regs = sp + SF_SIZE
                if prog.read_u64(regs + PT_PSW_MASK) & PSW_PSTATE:
                    break
                ip = prog.read_u64(regs + PT_PSW_ADDR)
                back = prog.read_u64(regs + PT_R15)
                call = 0
            else:
                ip = prog.read_u64(back + SF_R14)
                call = 1
        except drgn.FaultError as e:
            out.append(f"    (stops: {e})")
            break
        # A return address: the call before it may end its function (a
        # call of a noreturn function such as panic()). An interrupted PSW
        # points into its function, or just past it after an instruction
        # that ends it (BUG()'s monitor call).
        name = "??"
        for a in dict.fromkeys((ip - call, ip - 1)):
            try:
                s = prog.symbol(a)
                name = f"{s.name}+{ip - s.address:#x}"
                break
            except (LookupError, OverflowError):
                pass
        out.append(f"    {name}  pc {ip:#x}  frame {back:#x}")
        if back == 0:
            break
        sp = back
    return out


def note_cpus(prog, prefixes):
    """The crashed kernel's CPU number of each NT_PRSTATUS (by index), from
    its NT_S390_PREFIX: the lowcore of CPU n is at lowcore_ptr[n], whose
    physical address is the prefix. None where no CPU matches."""
    import drgn  # noqa: E402

    by_prefix = {}
    try:
        base = prog["__identity_base"].value_()
    except (KeyError, LookupError):
        base = 0
    try:
        ptrs = prog["lowcore_ptr"]
        for n in range(len(ptrs)):
            lc = ptrs[n].value_()
            if lc:
                by_prefix[(lc - base) & 0xFFFFFFFF] = n
    except (KeyError, LookupError, drgn.FaultError):
        pass
    return [by_prefix.get(p) for p in prefixes]


def drgn_section(vmcore, vmlinux, cpus, text):
    """Backtrace of the crashed thread; symbols for the CPUs' PSWs; whether
    the dump was forced (no panic_cpu: a PSW restart or a stand-alone dump
    IPL by the operator), and how.

    `cpus` holds, per NT_PRSTATUS in order, (index, PSW address, r15,
    prefix). drgn finds the crashed thread's registers by CPU number, which
    it takes for the index of the NT_PRSTATUS: with a CPU offline, or with
    nobody panicked, it cannot; then the thread's start is the PSW and r15
    of the note whose prefix is the panicking CPU's lowcore (or of the IPL
    CPU, the first note, which took a forced dump)."""
    import drgn  # noqa: E402 (optional dependency: reported when missing)

    out = []
    prog = drgn.Program()
    prog.set_core_dump(vmcore)
    try:
        prog.load_debug_info([vmlinux])
    except drgn.MissingDebugInfoError as e:
        out.append(f"  (drgn: {e})")

    def sym(addr):
        # A PSW with DAT off (the restart and kdump entry paths) holds the
        # physical address of kernel text: look it up through the text
        # PT_LOAD.
        for a in (addr, text(addr)):
            try:
                s = prog.symbol(a)
                return s.name, f"{s.name}+{a - s.address:#x}"
            except (LookupError, TypeError, OverflowError):
                pass
        return "??", "??"

    frames, sp = [], None
    try:
        thread = prog.crashed_thread()
        comm = ""
        try:
            comm = thread.object.comm.string_().decode()
        except Exception:  # noqa: BLE001 (best effort)
            pass
        trace = list(thread.stack_trace())
        out.append(f"Crashed thread: pid {thread.tid}{' (' + comm + ')' if comm else ''}")
        # The unwinder ends with a pc 0 frame where it cannot follow the
        # stack switch (s390 kdump runs on the IPL CPU's stack).
        cut = len(trace)
        while cut > 0 and trace[cut - 1].pc == 0:
            cut -= 1
        for frame in trace[:cut]:
            name = getattr(frame, "name", None)
            if not name:
                try:
                    name = frame.symbol().name
                except LookupError:
                    name = "??"
            loc = ""
            try:
                fn, line, _col = frame.source()
                fn = re.sub(r"^.*/linux-source-[^/]+/", "", fn)
                loc = f"  {fn}:{line}"
            except (LookupError, ValueError):
                pass
            inline = " (inlined)" if getattr(frame, "is_inline", False) else ""
            frames.append(f"{name}{inline}  pc {frame.pc:#x}{loc}")
        if cut < len(trace):
            frames.append("(unwinding stops here: pc 0, the stack switch)")
        if trace:
            try:
                sp = trace[0].register("r15")
            except (LookupError, ValueError):
                pass
    except Exception as e:  # noqa: BLE001 (drgn: no panic_cpu, no registers)
        try:
            panic_cpu = prog["panic_cpu"].counter.value_()
        except (KeyError, LookupError, AttributeError):
            panic_cpu = -1
        which = note_cpus(prog, [c[3] for c in cpus])
        idx = which.index(panic_cpu) if panic_cpu in which else 0
        if panic_cpu < 0:
            out.append(f"No crashed thread ({type(e).__name__}: {e}): nobody panicked;"
                       f" from the registers of the IPL CPU (NT_PRSTATUS #{idx}), which took the dump:")
        else:
            out.append(f"Crashed thread: on CPU {panic_cpu}, from its registers (NT_PRSTATUS #{idx};"
                       f" drgn: {type(e).__name__}: {e})")
        _i, addr, sp, _p = cpus[idx]
        frames.append(f"{sym(addr)[0]}  pc {addr:#x}")
    for i, f in enumerate(frames):
        out.append(f"  #{i:<2} {f}" if not f.startswith("(") else f"  {f}")
    chain = []
    if sp is None:
        out.append("  (empty stack trace)")
    else:
        chain = backchain(prog, sp)
        out.extend(chain)
    syms = {i: sym(addr)[1] for i, addr, _sp, _p in cpus if sym(addr)[1] != "??"}
    return out, syms


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py OUTDIR")
    outdir = sys.argv[1]
    vmcore = os.path.join(outdir, "vmcore")
    vmlinux = os.path.join(outdir, "vmlinux")
    dmesg_path = os.path.join(outdir, "dmesg.txt")
    report_path = os.path.join(outdir, "report.txt")

    if not os.path.isfile(vmcore):
        print(f"report: FAILED: no vmcore at {vmcore}", file=sys.stderr)
        return 2
    try:
        core = parse_core(vmcore)
    except (BadCore, struct.error, OSError) as e:
        with open(report_path, "w") as r:
            r.write(f"vmcore dump report\n\nINVALID vmcore {vmcore}: {e}\n")
        print(f"report: FAILED: invalid vmcore {vmcore}: {e}", file=sys.stderr)
        return 2

    problems = []
    rep = []
    end = core["endian"]
    notes = core["notes"]
    vmci = {}
    for name, ntype, desc in notes:
        if name == "VMCOREINFO":
            for line in desc.decode("ascii", "replace").splitlines():
                k, sep, v = line.partition("=")
                if sep:
                    vmci.setdefault(k, v)
    prstatus = [d for (n, t, d) in notes if n == "CORE" and t == 1]
    prefixes = [struct.unpack(end + "I", d[:4])[0] for (n, t, d) in notes
                if n == "LINUX" and t == 0x305 and len(d) >= 4]
    psws, regs = [], []
    for i, d in enumerate(prstatus):
        if len(d) >= PRSTATUS_REG + 16 + 16 * 8:
            pid = struct.unpack(end + "i", d[PRSTATUS_PID:PRSTATUS_PID + 4])[0]
            mask, addr = struct.unpack(end + "QQ", d[PRSTATUS_REG:PRSTATUS_REG + 16])
            r15, = struct.unpack_from(end + "Q", d, PRSTATUS_REG + 16 + 15 * 8)
            psws.append((i, pid, mask, addr))
            regs.append((i, addr, r15, prefixes[i] if i < len(prefixes) else None))

    release = vmci.get("OSRELEASE")
    if not release:
        problems.append("no OSRELEASE in a VMCOREINFO note")
    rep.append("vmcore dump report")
    rep.append("=" * 18)
    rep.append(f"Kernel release:  {release or '(unknown: no VMCOREINFO OSRELEASE)'}")
    cpus = f"CPUs:            {len(prstatus)} (NT_PRSTATUS notes)"
    old_ncpus = read_small(os.path.join(outdir, "guest", "oldinfo", "ncpus"))
    if old_ncpus:
        cpus += f"; the crashed kernel had {old_ncpus} online"
        if old_ncpus != str(len(prstatus)):
            problems.append(f"{len(prstatus)} NT_PRSTATUS notes, but {old_ncpus} CPUs were online")
    rep.append(cpus)
    if "CRASHTIME" in vmci:
        try:
            t = datetime.datetime.fromtimestamp(int(vmci["CRASHTIME"]), datetime.timezone.utc)
            rep.append(f"Crash time:      {t:%Y-%m-%d %H:%M:%S} UTC")
        except ValueError:
            pass
    if "PAGESIZE" in vmci:
        rep.append(f"Page size:       {vmci['PAGESIZE']}")
    src = read_small(os.path.join(outdir, "guest", "vmcore.path"))
    rep.append(f"vmcore:          {vmcore} ({core['size']} bytes, {human(core['size'])})"
               + (f", read from the guest's {src}" if src else ""))
    kd = os.path.join(outdir, "dump.kdump")
    if os.path.isfile(kd):
        rep.append(f"dump.kdump:      {os.path.getsize(kd)} bytes ({human(os.path.getsize(kd))}),"
                   " makedumpfile -d 31")
        mlog = read_small(os.path.join(outdir, "guest", "makedumpfile.log"), 100000) or ""
        for line in mlog.splitlines():
            if "not supported" in line or "may be incomplete" in line:
                rep.append(f"                 makedumpfile said: {line.strip()}")

    # drgn first: the CPU table uses its symbols.
    drgn_out, syms = [], {}

    def text(addr):
        """The kernel-text virtual address of physical `addr`, or None."""
        for ph in core["phdrs"]:
            if (ph["type"] == PT_LOAD and ph["vaddr"] != ph["paddr"]
                    and ph["paddr"] <= addr < ph["paddr"] + ph["memsz"]):
                return ph["vaddr"] + addr - ph["paddr"]
        return None

    if os.path.isfile(vmlinux):
        try:
            drgn_out, syms = drgn_section(vmcore, vmlinux, regs, text)
        except Exception as e:  # noqa: BLE001 (report any drgn failure)
            drgn_out = [f"  drgn failed: {type(e).__name__}: {e}"]
            problems.append(f"drgn: {type(e).__name__}: {e}")
    else:
        drgn_out = [f"  no vmlinux at {vmlinux}"]
        problems.append("no vmlinux")

    # Nobody panicked, oopsed or crashed (the dump's log buffer says so):
    # the operator forced the dump. A PSW restart runs the restart action
    # on the IPL CPU, which hands the dump over through smp_call_ipl_cpu()
    # (kdump, or on_restart=dump); a stand-alone dump IPL stores the IPL
    # CPU's status wherever it was.
    forced = None
    dmesg = None
    if os.path.isfile(dmesg_path):
        with open(dmesg_path, errors="replace") as f:
            dmesg = f.read()
    if dmesg is not None and not panic_lines(dmesg) and drgn_out:
        forced = ("a PSW restart (the IPL CPU's thread is in smp_call_ipl_cpu)"
                  if any("smp_call_ipl_cpu" in l for l in drgn_out) else
                  "a stand-alone dump IPL (the machine stored the IPL CPU's status)")
        rep.append(f"Dump:            forced by the operator, nobody panicked: by {forced}")
    rep.append("")
    rep.append("CPU state (NT_PRSTATUS)")
    rep.append("-" * 23)
    for cpu, pid, mask, addr in psws:
        sym = f"  {syms[cpu]}" if cpu in syms else ""
        rep.append(f"  CPU {cpu}: pid {pid:<6} PSW {mask:016x} {addr:016x}{sym}")

    rep.append("")
    rep.append("Panic (from the dump's log buffer, dmesg.txt)")
    rep.append("-" * 45)
    if dmesg is not None:
        pl = panic_lines(dmesg)
        if pl:
            rep.extend(("  " + l).rstrip() for l in pl)
        else:
            rep.append("  (no panic, oops or sysrq crash line found; last lines of the log:)")
            rep.extend(("  " + l).rstrip() for l in dmesg.splitlines()[-20:])
            if not forced:
                problems.append("no panic lines in dmesg.txt")
    else:
        rep.append(f"  (no {dmesg_path})")
        problems.append("no dmesg.txt")

    rep.append("")
    rep.append("Backtrace of the crashed thread (drgn)")
    rep.append("-" * 38)
    rep.extend(drgn_out)

    rep.append("")
    rep.append("ELF notes")
    rep.append("-" * 9)
    counts = {}
    order = []
    for name, ntype, _d in notes:
        key = NOTE_TYPES.get((name, ntype), f"{name}/{ntype:#x}")
        if key not in counts:
            order.append(key)
        counts[key] = counts.get(key, 0) + 1
    rep.append("  " + ", ".join(f"{k} x{counts[k]}" if counts[k] > 1 else k for k in order))

    loads = [p for p in core["phdrs"] if p["type"] == PT_LOAD]
    rep.append("")
    rep.append("Memory (PT_LOAD)")
    rep.append("-" * 16)
    filesz = sum(p["filesz"] for p in loads)
    memsz = sum(p["memsz"] for p in loads)
    rep.append(f"  {len(loads)} segments, {filesz} bytes in the file ({human(filesz)}), "
               f"{memsz} bytes of memory ({human(memsz)})")
    for p in loads[:32]:
        rep.append(f"  paddr {p['paddr']:#014x}-{p['paddr'] + p['memsz']:#014x} "
                   f"vaddr {p['vaddr']:#018x} size {human(p['memsz']):>10} "
                   f"offset {p['offset']:#x}")
    if len(loads) > 32:
        rep.append(f"  ... and {len(loads) - 32} more")
    if not loads:
        problems.append("no PT_LOAD segments")

    # A stand-alone dump: old memory below the HSA size came from the HSA
    # (through SDIAS), the rest from real memory.
    hsa = read_small(os.path.join(outdir, "guest", "hsa.size"))
    if hsa:
        hsa_size = int(hsa, 0)
        from_hsa = sum(max(0, min(p["paddr"] + p["filesz"], hsa_size) - p["paddr"])
                       for p in loads if p["paddr"] < hsa_size)
        rep.append("")
        rep.append("Stand-alone dump (zfcpdump)")
        rep.append("-" * 27)
        rep.append(f"  HSA size:      {hsa_size:#x} bytes ({human(hsa_size)})")
        rep.append(f"  from the HSA:  {from_hsa} bytes ({human(from_hsa)}) of the PT_LOAD data")
        rep.append(f"  from memory:   {filesz - from_hsa} bytes ({human(filesz - from_hsa)})")
        zg = read_small(os.path.join(outdir, "guest", "zgetdump.txt"), 100000)
        if zg is not None:
            rep.append("  zgetdump -i of the saved dump:")
            rep.extend("    " + l.rstrip() for l in zg.splitlines() if l.strip())

    # The dump kernel's own account of what it trusted (its debugfs file,
    # the same lines as logged at init).
    trust = read_small(os.path.join(outdir, "guest", "trust.txt"))
    rep.append("")
    rep.append("What the dump kernel trusted (/sys/kernel/debug/vmcore_rs/trust)")
    rep.append("-" * 65)
    if trust:
        rep.extend("  " + l for l in trust.splitlines())
    else:
        rep.append("  (none: the C /proc/vmcore does not say)")

    if problems:
        rep.append("")
        rep.append("Problems")
        rep.append("-" * 8)
        rep.extend("  " + p for p in problems)

    with open(report_path, "w") as r:
        r.write("\n".join(rep) + "\n")
    print(f"report: wrote {report_path}")
    if problems:
        for p in problems:
            print(f"report: problem: {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
