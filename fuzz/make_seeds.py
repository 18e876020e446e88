#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the fuzz harnesses' seed corpora (fuzz/corpus/HARNESS/) from the
shipped traces (docs/robustness.md). Run after changing the traces or a
harness's input format; the corpora are committed, so neither CI nor a user
needs Python.

    python3 fuzz/make_seeds.py [--vtdsim build/default/vtdsim]

The model harnesses (tables, regs, prq) read operations (fuzz_machine.h);
the low-level records of the conformance traces and of the low-level
sample become those operations: their tables, register programming and
requests. The readers get the traces themselves, binary conversions, INI
files and slices of the imported logs.
"""

import argparse
import glob
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")


def u8(x):
    return struct.pack("<B", x & 0xFF)


def u16(x):
    return struct.pack("<H", x & 0xFFFF)


def u32(x):
    return struct.pack("<I", x & 0xFFFFFFFF)


def u64(x):
    return struct.pack("<Q", x & 0xFFFFFFFFFFFFFFFF)


def num(s):
    s = s.strip()
    if s in ("on", "yes", "true"):
        return 1
    if s in ("off", "no", "false"):
        return 0
    return int(s, 0)


def bdf(s):
    bus, rest = s.split(":")
    dev, fn = rest.split(".")
    return int(bus, 16) << 8 | int(dev, 16) << 3 | int(fn, 16)


def config_keys(vtdsim):
    """The model's keys in vtd_config_key order (the harness header's
    indices): `vtdsim config` lists the replayer's own keys first."""
    out = subprocess.run([vtdsim, "config"], check=True,
                         capture_output=True, text=True).stdout
    keys = [line.split()[0] for line in out.splitlines()[1:] if line.strip()]
    model = [k for k in keys if k not in ("mem.size", "alloc.base")]
    return {k: i for i, k in enumerate(model)}


def header(configs, keys):
    pairs = []
    for k, v in configs:
        if k in keys and k != "check":
            pairs.append(u8(keys[k]) + u64(num(v)))
    pairs = pairs[:4]
    return u8(len(pairs)) + b"".join(pairs)


def request(sid, flags, pasid, addr):
    return u16(sid) + u8(flags) + u32(pasid) + u64(addr)


def dma_fields(tok):
    """dma BB:DD.F [pasid=N] [priv] [exec] IOVA LEN r|w|rw ..."""
    sid = bdf(tok[1])
    pasid, flags, rest = 0, 0, []
    for t in tok[2:]:
        if t.startswith("pasid="):
            pasid = num(t[6:])
            flags |= 1
        elif t == "priv":
            flags |= 8
        elif t == "exec":
            flags |= 16
        elif "=" not in t:
            rest.append(t)
    addr = num(rest[0])
    access = {"r": 0, "w": 1, "rw": 2}.get(rest[2], 0)
    return sid, flags | access << 1, pasid, addr


def low_level_ops(path, opcodes):
    """(configs, ops) of a trace's low-level records; opcodes maps
    mem/regw/regr/dma to the harness's operation byte (None: skip)."""
    configs, ops = [], []
    for line in open(path):
        line = line.split("#")[0].strip()
        if not line:
            continue
        tok = line.split()
        if tok[0].startswith("@"):
            tok = tok[1:]
            if not tok:
                continue
        rec = tok[0]
        if rec == "config":
            configs += [tuple(t.split("=", 1)) for t in tok[1:]]
        elif rec == "mem.w64" and opcodes.get("mem") is not None:
            pa, val = num(tok[1]), num(tok[2])
            if pa < 1 << 35:
                ops.append(u8(opcodes["mem"]) + u32(pa >> 3) + u64(val))
        elif rec in ("reg.w32", "reg.w64") and opcodes.get("regw") is not None:
            size = 1 if rec == "reg.w64" else 0
            ops.append(u8(opcodes["regw"]) + u8(size) + u16(num(tok[1])) +
                       u64(num(tok[2])))
        elif rec in ("reg.r32", "reg.r64") and opcodes.get("regr") is not None:
            size = 1 if rec == "reg.r64" else 0
            ops.append(u8(opcodes["regr"]) + u8(size) + u16(num(tok[1])))
        elif rec == "dma" and opcodes.get("dma") is not None:
            ops.append(u8(opcodes["dma"]) + request(*dma_fields(tok)))
    return configs, ops


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def low_level_traces():
    return sorted(glob.glob(os.path.join(TOP, "traces/conformance/*.trace")) +
                  [os.path.join(TOP, "traces/samples/sm-lowlevel.trace")])


def seeds_tables(keys):
    ops = {"mem": 0, "regw": 3, "regr": 4, "dma": 5}
    for path in low_level_traces():
        configs, o = low_level_ops(path, ops)
        if o:
            write("tables", os.path.basename(path)[:-6],
                  header(configs, keys) + b"".join(o))


def seeds_regs(keys):
    ops = {"mem": 7, "regw": 0, "regr": 2}
    for path in low_level_traces():
        configs, o = low_level_ops(path, ops)
        if o:
            write("regs", os.path.basename(path)[:-6],
                  header(configs, keys) + b"".join(o))
    # a queue of each width, a descriptor of every type, then the tail
    for dw in (0, 1):
        for t in range(16):
            data = u8(0) + u8(6) + u8(dw)      # no keys; setup
            desc = u8(3) + u64(t | 0x10 | 1 << 16) + u8(t)
            desc += u64(0x1000) + u64(0) + u64(0)
            data += desc + u8(5) + u8(0)       # tail one on
            data += u8(8) + u16(100)           # advance
            write("regs", "queue-dw%d-type%x" % (dw, t), data)


def seeds_prq(keys):
    # accesses of both devices with and without PASID, page requests,
    # responses to the queue's head, drains, config-space writes
    def access(ep, fl, sel, page):
        return u8(0) + u8(ep) + u8(fl) + u8(sel) + u8(page) + u8(0)

    base = [access(0, 0x03, 0, 1), access(0, 0x13, 0, 2),
            access(1, 0x03, 0, 3), access(0, 0x02, 1, 4),
            access(0, 0x13, 2, 5)]
    write("prq", "accesses", u8(0) + b"".join(base))
    pr = u8(2) + u8(0x4C | 0x40) + u8(0) + u8(1) + u8(0) + u16(3) + u8(0)
    resp = u8(4) + u8(0x00)
    drain = u8(6)
    adv = u8(8) + u16(1000)
    write("prq", "request-response",
          u8(0) + pr + adv + resp + adv + drain + b"".join(base))
    write("prq", "overflow", u8(0) + (pr + adv) * 140 + drain + pr)
    write("prq", "ats", u8(0) + u8(3) + u8(3) + request(0x20, 1, 7, 0) +
          u8(0) + u8(1) + u8(0))


def seeds_text():
    traces = sorted(glob.glob(os.path.join(TOP, "traces/*/*.trace")))
    for i, path in enumerate(traces):
        data = open(path, "rb").read()[:65536]
        write("trace_text", os.path.basename(path)[:-6],
              bytes([i & 1]) + data)


def seeds_binary(vtdsim):
    for path in sorted(glob.glob(os.path.join(TOP, "traces/samples/*.trace"))):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "t.vtb")
            subprocess.run([vtdsim, "convert", path, out], check=True,
                           capture_output=True)
            data = open(out, "rb").read()[16:][:65536]
        write("trace_binary", os.path.basename(path)[:-6], data)


def seeds_config(keys):
    write("config", "docs-example",
          b"# what-if\nseed = 7\n[iotlb]\nsets = 16\n[timing]\n"
          b"walkers = 2\nmem.latency_ns = 150\n")
    lines = "".join("%s = 1\n" % k for k in sorted(keys))
    write("config", "every-key", lines.encode())
    write("config", "sections", b"[cap]\nsllps = 3\n[ecap]\nnest = 0\n"
          b"[iotlb]\nrepl = random\nways = 4\n; comment\n")


def seeds_import():
    for path in sorted(glob.glob(os.path.join(TOP, "traces/imported/*"))):
        if path.endswith(".md"):
            continue
        lines = open(path, "rb").read().splitlines(True)
        src = "qemu" if "qemu" in os.path.basename(path) else "ftrace"
        for k, start in enumerate((0, len(lines) // 2)):
            write("import_" + src, "%s-%d" % (os.path.basename(path), k),
                  b"".join(lines[start:start + 200]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vtdsim", default=os.path.join(TOP,
                                                     "build/default/vtdsim"))
    a = ap.parse_args()
    keys = config_keys(a.vtdsim)
    seeds_tables(keys)
    seeds_regs(keys)
    seeds_prq(keys)
    seeds_text()
    seeds_binary(a.vtdsim)
    seeds_config(keys)
    seeds_import()
    n = sum(len(fs) for _, _, fs in os.walk(CORPUS))
    print("wrote %d seeds under %s" % (n, CORPUS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
