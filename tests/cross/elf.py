"""What an executable is, read from its ELF headers (standard library only): the machine, whether
it is dynamic (has a PT_INTERP program header: a loader and shared libraries) and whether it
still has a symbol table (not stripped)."""
import struct

MACHINES = {62: "x86-64", 183: "aarch64"}


def elf_info(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, f"{path}: not a 64-bit little-endian ELF file"
    machine, = struct.unpack_from("<H", data, 18)
    phoff, shoff = struct.unpack_from("<QQ", data, 32)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 54)
    dynamic = any(struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 3 for i in range(phnum))
    sections = []
    if shnum:
        stroff = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 24)[0]
        for i in range(shnum):
            name = struct.unpack_from("<I", data, shoff + i * shentsize)[0]
            end = data.index(b"\0", stroff + name)
            sections.append(data[stroff + name:end].decode())
    return {"machine": MACHINES.get(machine, str(machine)), "dynamic": dynamic,
            "stripped": ".symtab" not in sections, "debug": ".debug_info" in sections, "size": len(data)}
