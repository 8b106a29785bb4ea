# SPDX-License-Identifier: GPL-2.0
"""The results of a kselftest TAP file, judged for make check.

    python3 scripts/harness/kselftests.py PREFIX FILE [TEST=REASON...]

FILE is a TAP file the guest wrote (kselftest_harness.h output), read with
tap.py (PyPI). Each TEST=REASON names a kselftest (its name without the
fixture, "elf_structure" for "vmcore.elf_structure") that this run is
expected not to run, and why: it must have skipped ("ok ... # SKIP") or be
left out by name by the guest in FILE.left-out ("TEST WHY" a line). If it
ran, or is nowhere, that is a failure, so that the list cannot rot. Any
other skip, left-out test, failed test or other directive is a failure, as
is a missing FILE or fewer results than its plan.

Prints one line a result, for tap() of scripts/harness/check-lib.sh to
count:
    ok NAME | not ok NAME | skip NAME<TAB>REASON | # COMMENT
and last "end" (tap() takes a missing "end" as a failure of this
script).
"""

import os
import sys

from tap.parser import Parser


def judge(prefix, path, expect):
    """Yields the result lines of the TAP file at `path`."""
    if not os.path.isfile(path):
        yield f"not ok {prefix}: kselftests ran"
        return
    met, plan, seen = set(), None, 0
    for line in Parser().parse_file(path):
        if line.category == "plan":
            plan = line.expected_tests
            continue
        if line.category != "test":
            continue
        seen += 1
        name = line.description
        test = name.split(" ")[0].split(".", 1)[-1]
        if test in expect:
            met.add(test)
        if not line.ok:
            yield f"not ok {prefix}: {name}"
        elif line.skip:
            why = line.directive.reason or ""
            if test in expect:
                yield f"skip {prefix}: {test}\t{expect[test]} (it said: {why})"
            else:
                yield f"not ok {prefix}: {test} skipped, and no skip is expected here: {why}"
        elif line.directive.text:
            yield f"not ok {prefix}: {name} (a TAP directive no test here may give: " \
                  f"{line.directive.text})"
        elif test in expect:
            yield f"not ok {prefix}: {test} ran, but is expected not to run here: {expect[test]}"
        else:
            yield f"ok {prefix}: {name}"
    if not plan or seen != plan:
        yield f"not ok {prefix}: {seen} of {plan or 0} kselftests reported"
        with open(path, errors="replace") as f:
            for line in f.readlines()[-25:]:
                yield "#   " + line.rstrip("\n")
    left_out = path + ".left-out"
    if os.path.isfile(left_out):
        with open(left_out) as f:
            for line in f:
                test, _, why = line.rstrip("\n").partition(" ")
                if test in expect:
                    met.add(test)
                    yield f"# {prefix}: {test} left out as expected: {expect[test]} (guest: {why})"
                else:
                    yield f"not ok {prefix}: {test} left out, and nothing is expected to be here: {why}"
    else:
        yield f"not ok {prefix}: the guest says what it left out ({left_out})"
    for test in sorted(set(expect) - met):
        yield (f"not ok {prefix}: {test}, expected not to run here ({expect[test]}), "
               "is neither skipped nor left out")


def main(argv):
    if len(argv) < 3:
        sys.exit(f"usage: {argv[0]} PREFIX FILE [TEST=REASON...]")
    expect = dict(a.split("=", 1) for a in argv[3:])
    for line in judge(argv[1], argv[2], expect):
        print(line)
    print("end")


if __name__ == "__main__":
    main(sys.argv)
