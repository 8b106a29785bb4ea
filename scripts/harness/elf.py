# SPDX-License-Identifier: GPL-2.0
"""ELF core files as the harness reads them, through pyelftools.

Core(path) gives the ELF header fields, the program headers and the notes
of an ELF64 core (a vmcore, or the start of one: its headers), checked as
far as reading them needs; anything else is the caller's to check.

    python3 scripts/harness/elf.py end FILE

prints where the file's data ends by its program headers (the largest
p_offset + p_filesz): the length /proc/vmcore has.
"""

import collections
import os
import sys

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_CORE_NOTE_N_TYPE, ENUM_NOTE_N_TYPE

PT_LOAD, PT_NOTE = 1, 4

Phdr = collections.namedtuple("Phdr", "type flags offset vaddr paddr filesz memsz align")
Note = collections.namedtuple("Note", "name type desc")


class BadCore(Exception):
    """Not an ELF64 core whose headers and notes can be read."""


def _note_type(n_type):
    # pyelftools names the note types it knows: NT_PRSTATUS ... in a core,
    # NT_GNU_... in other files.
    if isinstance(n_type, str):
        return ENUM_CORE_NOTE_N_TYPE.get(n_type, ENUM_NOTE_N_TYPE.get(n_type, n_type))
    return n_type


class Core:
    """An ELF64 core file: its header (`ident`, `type`, `machine`,
    `phoff`, `phentsize`; pyelftools' names for the values), `phdrs`
    (Phdr, numbers as in the file), `notes` (Note: name without its NUL,
    type a number, desc the bytes) of every PT_NOTE, `size` of the file in
    bytes and `end`, where its data ends by its program headers. Raises
    BadCore."""

    def __init__(self, path):
        with open(path, "rb") as f:
            try:
                elf = ELFFile(f)
                h = elf.header
                if h.e_ident.EI_CLASS != "ELFCLASS64":
                    raise BadCore(f"{path}: not ELF64")
                self.ident, self.type, self.machine = h.e_ident, h.e_type, h.e_machine
                self.phoff, self.phentsize = h.e_phoff, h.e_phentsize
                self.big_endian = h.e_ident.EI_DATA == "ELFDATA2MSB"
                self.size = os.fstat(f.fileno()).st_size
                self.phdrs, self.notes = [], []
                for seg in elf.iter_segments():
                    p = seg.header
                    ptype = {"PT_LOAD": PT_LOAD, "PT_NOTE": PT_NOTE}.get(p.p_type, p.p_type)
                    self.phdrs.append(Phdr(ptype, p.p_flags, p.p_offset, p.p_vaddr, p.p_paddr,
                                           p.p_filesz, p.p_memsz, p.p_align))
                    if ptype == PT_NOTE and p.p_offset + p.p_filesz <= self.size:
                        for n in seg.iter_notes():
                            if len(n.n_descdata) != n.n_descsz:
                                raise BadCore(f"{path}: note {n.n_name} truncated")
                            self.notes.append(Note(n.n_name, _note_type(n.n_type),
                                                   n.n_descdata))
            except ELFError as e:
                raise BadCore(f"{path}: {e}") from e
        if not self.phdrs:
            raise BadCore(f"{path}: no program headers")
        self.end = max(p.offset + p.filesz for p in self.phdrs)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "end":
        sys.exit(f"usage: {sys.argv[0]} end FILE")
    try:
        print(Core(sys.argv[2]).end)
    except (BadCore, OSError) as e:
        sys.exit(str(e))
