#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the VT-d conformance traces under traces/conformance/.

Every trace uses only the fixed low-level records (config, mem.*, reg.*,
dma): the tables are built byte by byte here, the IOMMU is programmed
through its registers, and each DMA states the translated address or the
fault reason the VT-d specification (rev 4.x/5.0) requires. Fault traces
also check the fault recording register and FSTS. See docs/conformance.md.

Python 3 standard library only. Run from anywhere:
    python3 traces/generators/gen_conformance.py [--check]
--check compares the generated text with the committed files instead of
writing them (exit 1 on any difference).
"""

import os
import sys

# ---- constants (model/include/vtdsim/vtd_regs.h, vtd_entries.h) ---------

PAGE = 0x1000
TIB = 1 << 40           # first address the replayer does not back
HAW = 46                # default host address width
UNBACKED = TIB + 0x10000000

REG_CAP = 0x08
REG_GCMD = 0x18
REG_GSTS = 0x1C
REG_RTADDR = 0x20
REG_FSTS = 0x34
FRO_DEFAULT = 0x600     # CAP.FRO * 16 in the model's register map
NFR_DEFAULT = 8

GCMD_TE = 1 << 31
GCMD_SRTP = 1 << 30
GSTS_TES = 1 << 31
GSTS_RTPS = 1 << 30
FSTS_PFO = 1 << 0
FSTS_PPF = 1 << 1

TTM_LEGACY, TTM_SCALABLE, TTM_RESERVED = 0, 1, 2

PGTT_FL, PGTT_SL, PGTT_NESTED, PGTT_PT = 1, 2, 3, 4
TT_SL, TT_SL_DT, TT_PT = 0, 1, 2

# first-level entry bits
FL_P, FL_RW, FL_US = 1 << 0, 1 << 1, 1 << 2
FL_A, FL_D, FL_PS = 1 << 5, 1 << 6, 1 << 7
FL_XD = 1 << 63
# second-level entry bits
SL_R, SL_W, SL_X = 1 << 0, 1 << 1, 1 << 2
SL_PS, SL_A, SL_D = 1 << 7, 1 << 8, 1 << 9

SZ_4K, SZ_2M, SZ_1G = 1 << 12, 1 << 21, 1 << 30
LEAF_LEVEL = {SZ_4K: 1, SZ_2M: 2, SZ_1G: 3}

INTR_ADDR = 0xFEE00000

ROOT = 0x00100000       # root table
ALLOC_BASE = 0x00200000 # tables are allocated upward from here


def bit(n):
    return 1 << n


def genmask(hi, lo):
    return ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)


def hx(v):
    return "0x%x" % v


def bdf(sid):
    return "%02x:%02x.%x" % (sid >> 8, (sid >> 3) & 0x1F, sid & 7)


# ---- a trace ------------------------------------------------------------


class Trace:
    """One trace file: memory image, register programming and checks."""

    def __init__(self, name, title, spec=None):
        self.name = name
        self.title = title
        self.spec = spec or []
        self.configs = []
        self.mem = {}           # 8-byte aligned PA -> value
        self.mem_order = []
        self.body = []          # records after the memory image
        self.next_page = ALLOC_BASE

    # memory
    def alloc(self, pages=1):
        pa = self.next_page
        self.next_page += pages * PAGE
        return pa

    def w64(self, pa, val):
        assert pa % 8 == 0
        if pa not in self.mem:
            self.mem_order.append(pa)
        self.mem[pa] = val & (2 ** 64 - 1)

    def r64(self, pa):
        return self.mem.get(pa, 0)

    def config(self, key, value):
        self.configs.append("config %s=%s" % (key, value))

    def emit(self, line):
        self.body.append(line)

    def comment(self, text):
        self.body.append("# " + text)

    # registers
    def assert_layout(self):
        """CAP.FRO/NFR: the fault recording registers are where we read."""
        exp = ((FRO_DEFAULT // 16) << 24) | ((NFR_DEFAULT - 1) << 40)
        mask = genmask(33, 24) | genmask(47, 40)
        self.emit("reg.r64 %s expect=%s mask=%s   # CAP.FRO=0x60 NFR=8"
                  % (hx(REG_CAP), hx(exp), hx(mask)))

    def enable(self, ttm, root=ROOT):
        """RTADDR + SRTP, then TE (GCMD is write-only: one-shot SRTP,
        then the persistent TE bit)."""
        self.comment("program the root table (TTM=%d), SRTP, then TE" % ttm)
        self.assert_layout()
        self.emit("reg.w64 %s %s" % (hx(REG_RTADDR), hx(root | (ttm << 10))))
        self.emit("reg.w32 %s %s" % (hx(REG_GCMD), hx(GCMD_SRTP)))
        self.emit("reg.r32 %s expect=%s mask=%s" % (hx(REG_GSTS),
                  hx(GSTS_RTPS), hx(GSTS_RTPS)))
        self.emit("reg.w32 %s %s" % (hx(REG_GCMD), hx(GCMD_TE)))
        self.emit("reg.r32 %s expect=%s mask=%s" % (hx(REG_GSTS),
                  hx(GSTS_TES | GSTS_RTPS), hx(GSTS_TES | GSTS_RTPS)))

    # requests
    def dma(self, sid, iova, rw, length=4, pasid=None, priv=False,
            exec_=False, expect=None, fault=None, note=None):
        parts = ["dma", bdf(sid)]
        if pasid is not None:
            parts.append("pasid=%s" % hx(pasid))
        if priv:
            parts.append("priv")
        if exec_:
            parts.append("exec")
        parts += [hx(iova), hx(length), rw]
        if fault is not None:
            parts.append("expect=fault:%s" % hx(fault))
        elif expect is not None:
            parts.append("expect=%s" % hx(expect))
        line = " ".join(parts)
        if note:
            line += "   # " + note
        self.emit(line)

    def expect_mem(self, pa, val, note=None):
        line = "mem.r64 %s expect=%s" % (hx(pa), hx(val))
        if note:
            line += "   # " + note
        self.emit(line)

    def check_frcd(self, index, sid, iova, fr, write, pasid=None,
                   priv=False, exec_=False):
        """The fault recording register `index` holds this fault."""
        base = FRO_DEFAULT + 16 * index
        hi = bit(63) | (fr << 32) | sid
        mask = bit(63) | bit(62) | genmask(61, 60) | genmask(39, 32) | \
            bit(31) | genmask(15, 0) | bit(28)
        if not write:
            hi |= bit(62)
        if pasid is not None:
            hi |= bit(31) | (pasid << 40)
            mask |= genmask(59, 40) | bit(30) | bit(29)
            if exec_:
                hi |= bit(30)
            if priv:
                hi |= bit(29)
        self.comment("fault record %d: F, type, AT=0, reason 0x%x, SID, "
                     "PASID; then the page address" % (index, fr))
        self.emit("reg.r64 %s expect=%s mask=%s" % (hx(base + 8), hx(hi),
                                                    hx(mask)))
        self.emit("reg.r64 %s expect=%s mask=%s" % (hx(base),
                  hx(iova & ~(PAGE - 1) & (2 ** 64 - 1)), hx(genmask(63, 12))))
        self.emit("reg.r32 %s expect=%s mask=%s   # FSTS.PPF, FRI=0, no PFO"
                  % (hx(REG_FSTS), hx(FSTS_PPF), hx(0xFF03)))

    def check_no_fault_recorded(self):
        self.comment("FPD: the fault is not recorded (F=0, PPF=0)")
        self.emit("reg.r64 %s expect=0x0 mask=%s" % (hx(FRO_DEFAULT + 8),
                                                    hx(bit(63))))
        self.emit("reg.r32 %s expect=0x0 mask=%s" % (hx(REG_FSTS),
                                                    hx(FSTS_PPF | FSTS_PFO)))

    def text(self):
        out = ["# SPDX-License-Identifier: MIT",
               "# Generated by traces/generators/gen_conformance.py; "
               "do not edit.",
               "# " + self.title]
        for s in self.spec:
            out.append("# spec: " + s)
        out += self.configs
        if self.mem_order:
            out.append("# translation structures")
        for pa in self.mem_order:
            v = self.mem[pa]
            if v:
                out.append("mem.w64 %s %s" % (hx(pa), hx(v)))
        out += self.body
        return "\n".join(out) + "\n"


# ---- root and context entries ------------------------------------------


def legacy_context(t, sid, slptptr=0, tt=TT_SL, aw=2, did=1, fpd=False,
                   present=True, lo_extra=0, hi_extra=0, ctp=None):
    """Legacy root entry (bus) and context entry (devfn); returns the
    context entry address."""
    bus, devfn = sid >> 8, sid & 0xFF
    rpa = ROOT + 16 * bus
    if ctp is None:
        ctp = t.r64(rpa) & genmask(63, 12)
        if not ctp:
            ctp = t.alloc()
    t.w64(rpa, ctp | 1)
    cpa = ctp + 16 * devfn
    if ctp >= TIB:
        return cpa              # the context table is not backed
    lo = slptptr | (tt << 2) | (2 if fpd else 0) | (1 if present else 0)
    t.w64(cpa, lo | lo_extra)
    t.w64(cpa + 8, aw | (did << 8) | hi_extra)
    return cpa


def sm_context(t, sid, pasid_dir, pdts=0, paside=True, fpd=False,
               present=True, dte=False, rid_pasid=0, rid_priv=False,
               lo_extra=0, hi_extra=0):
    """Scalable root entry half (devfn < 128 lower, else upper) and the
    256-bit context entry; returns the context entry address."""
    bus, devfn = sid >> 8, sid & 0xFF
    rpa = ROOT + 16 * bus
    half = rpa if devfn < 128 else rpa + 8
    ctp = t.r64(half) & genmask(63, 12)
    if not ctp:
        ctp = t.alloc()
    t.w64(half, ctp | 1)
    cpa = ctp + 32 * (devfn & 0x7F)
    lo = pasid_dir | (pdts << 9) | (bit(3) if paside else 0) | \
        (bit(2) if dte else 0) | (2 if fpd else 0) | (1 if present else 0)
    t.w64(cpa, lo | lo_extra)
    t.w64(cpa + 8, rid_pasid | (bit(20) if rid_priv else 0) | hi_extra)
    return cpa


def pasid_entry(t, pasid_dir, pasid, pgtt, did=1, slptptr=0, aw=2,
                flptptr=0, flpm=0, sre=False, ere=False, wpe=False,
                slade=False, fpd=False, present=True, pde_fpd=False,
                pde_present=True, q=None):
    """PASID directory entry and 512-bit PASID table entry; returns the
    PASID table entry address. q overrides qwords {index: value}."""
    dpa = pasid_dir + 8 * (pasid >> 6)
    tbl = t.r64(dpa) & genmask(63, 12)
    if not tbl:
        tbl = t.alloc()
    t.w64(dpa, tbl | (2 if pde_fpd else 0) | (1 if pde_present else 0))
    epa = tbl + 64 * (pasid & 0x3F)
    q0 = slptptr | (bit(9) if slade else 0) | (pgtt << 6) | (aw << 2) | \
        (2 if fpd else 0) | (1 if present else 0)
    q1 = did
    q2 = flptptr | (bit(4) if wpe else 0) | (flpm << 2) | \
        (bit(1) if ere else 0) | (1 if sre else 0)
    qs = {0: q0, 1: q1, 2: q2}
    qs.update(q or {})
    for i in range(8):
        t.w64(epa + 8 * i, qs.get(i, 0))
    return epa


# ---- paging structures --------------------------------------------------


class Paging:
    """A first- or second-level page table. Table addresses are in the
    table's own address space (GPA for the first level of a nested
    setup); store() maps them to the PA where the entries live."""

    def __init__(self, t, kind, levels, alloc=None, store=None):
        self.t = t
        self.kind = kind
        self.levels = levels
        self.alloc = alloc or t.alloc
        self.store = store or (lambda a: a)
        self.root = self.alloc()
        self.tables = [self.root]

    def nonleaf(self):
        return (FL_P | FL_RW | FL_US) if self.kind == "fl" else (SL_R | SL_W)

    def leaf(self, size):
        if self.kind == "fl":
            f = FL_P | FL_RW | FL_US
            return f | (FL_PS if size != SZ_4K else 0)
        return SL_R | SL_W | (SL_PS if size != SZ_4K else 0)

    def entry_pa(self, table, addr, level):
        idx = (addr >> (12 + 9 * (level - 1))) & 0x1FF
        return self.store(table + 8 * idx)

    def map(self, iova, pa, size=SZ_4K, leaf=None, nonleaf=None,
            table_override=None):
        """Map iova -> pa with a page of `size`. leaf/nonleaf replace the
        flag bits. table_override {level: address} puts a given
        next-table address into the entry at that level (used to point
        at unbacked or out-of-range tables). Returns [(level, entry PA)]
        from the top down."""
        stop = LEAF_LEVEL[size]
        table = self.root
        walked = []
        for level in range(self.levels, stop, -1):
            epa = self.entry_pa(table, iova, level)
            cur = self.t.r64(epa)
            if table_override and level in table_override:
                nxt = table_override[level]
            elif cur:
                nxt = cur & genmask(51, 12)
            else:
                nxt = self.alloc()
                self.tables.append(nxt)
            flags = self.nonleaf() if nonleaf is None else nonleaf
            self.t.w64(epa, nxt | flags)
            walked.append((level, epa))
            table = nxt
            if table_override and level in table_override:
                return walked
        epa = self.entry_pa(table, iova, stop)
        flags = self.leaf(size) if leaf is None else leaf
        self.t.w64(epa, pa | flags)
        walked.append((stop, epa))
        return walked


# ---- trace skeletons ----------------------------------------------------

DEV = 0x0310            # 03:02.0, devfn 0x10 < 128: scalable lower half
DEV_HI = 0x0388         # 03:11.0, devfn 0x88 >= 128: scalable upper half
DEV2 = 0x0318           # 03:03.0
DEV3 = 0x0320           # 03:04.0


def legacy_sl(t, sid, levels=4, fpd=False, did=1):
    """Legacy context with a second-level table of `levels` levels."""
    sl = Paging(t, "sl", levels)
    legacy_context(t, sid, slptptr=sl.root, tt=TT_SL, aw=levels - 2,
                   fpd=fpd, did=did)
    return sl


def sm_dir(t):
    return t.alloc()


def sm_fl(t, sid, pasid=0, levels=4, fpd=False, sre=False, ere=False,
          wpe=False, rid_priv=False, pdir=None, did=1):
    """Scalable context + PASID entry with PGTT=first level."""
    pdir = pdir or sm_dir(t)
    fl = Paging(t, "fl", levels)
    sm_context(t, sid, pdir, rid_priv=rid_priv)
    pasid_entry(t, pdir, pasid, PGTT_FL, did=did, flptptr=fl.root,
                flpm=levels - 4, sre=sre, ere=ere, wpe=wpe, fpd=fpd)
    return fl


def sm_sl(t, sid, pasid=0, levels=4, slade=False, fpd=False, did=1,
          pdir=None):
    pdir = pdir or sm_dir(t)
    sl = Paging(t, "sl", levels)
    sm_context(t, sid, pdir)
    pasid_entry(t, pdir, pasid, PGTT_SL, did=did, slptptr=sl.root,
                aw=levels - 2, slade=slade, fpd=fpd)
    return sl


GPA_TABLES = 0x10000000   # first-level tables of nested setups (GPA)
HPA_TABLES = 0x30000000   # ... and where they live (HPA)


class Nested:
    """PGTT=nested: a first-level table in guest-physical space whose
    table pages are mapped 4K by the second-level table."""

    def __init__(self, t, sid, pasid=0, fl_levels=4, sl_levels=4,
                 slade=False, did=1, sl_table_perm=None, fpd=False):
        self.t = t
        self.sl = Paging(t, "sl", sl_levels)
        self.next_gpa = GPA_TABLES
        self.sl_table_perm = sl_table_perm or {}
        self.table_index = 0
        self.fl = Paging(t, "fl", fl_levels, alloc=self.alloc_gpa,
                         store=self.gpa_to_hpa)
        pdir = sm_dir(t)
        sm_context(t, sid, pdir)
        pasid_entry(t, pdir, pasid, PGTT_NESTED, did=did,
                    slptptr=self.sl.root, aw=sl_levels - 2,
                    flptptr=self.fl.root, flpm=fl_levels - 4,
                    slade=slade, fpd=fpd)

    def gpa_to_hpa(self, gpa):
        return gpa - GPA_TABLES + HPA_TABLES

    def alloc_gpa(self):
        gpa = self.next_gpa
        self.next_gpa += PAGE
        # table n (0 = the one FLPTPTR points at) may get special SL perms
        perm = self.sl_table_perm.get(self.table_index, SL_R | SL_W)
        self.table_index += 1
        self.sl.map(gpa, self.gpa_to_hpa(gpa), SZ_4K, leaf=perm)
        return gpa


def fl_ad(val, level, leaf_level, write):
    v = val | FL_A
    if level == leaf_level and write:
        v |= FL_D
    return v


def sl_ad(val, level, leaf_level, write):
    v = val | SL_A
    if level == leaf_level and write:
        v |= SL_D
    return v


# ---- success traces -----------------------------------------------------

TRACES = []


def trace(fn):
    TRACES.append(fn)
    return fn


IOVA = {SZ_4K: 0x12345000, SZ_2M: 0x7A400000, SZ_1G: 0x1C0000000}
PA = {SZ_4K: 0x5678000, SZ_2M: 0x2C600000, SZ_1G: 0x340000000}
SZNAME = {SZ_4K: "4k", SZ_2M: "2m", SZ_1G: "1g"}


def size_offsets(size):
    """Offsets inside the page to check: start, middle, last bytes."""
    return [0, 0x123 if size == SZ_4K else size // 2 + 0x456, size - 4]


def gen_legacy_sl(levels, size):
    name = "legacy_sl%d_%s" % (levels, SZNAME[size])

    def make():
        t = Trace(name, "legacy mode, second-level (TT=00b) %d-level, %s "
                  "page: translation at the start, middle and end of the "
                  "page; legacy mode sets no A/D flags"
                  % (levels, SZNAME[size].upper()),
                  ["3.6 second-level translation", "9.3 context entry",
                   "9.8 second-level paging entries"])
        sl = legacy_sl(t, DEV, levels)
        base = IOVA[size]
        if levels == 5:
            base |= 0x00F1000000000000  # bits 56:48: the 5th level is used
        elif levels == 3:
            base &= (1 << 39) - 1
        walked = sl.map(base, PA[size], size)
        before = {pa: t.r64(pa) for _, pa in walked}
        t.enable(TTM_LEGACY)
        for off in size_offsets(size):
            t.dma(DEV, base + off, "r", expect=PA[size] + off)
        t.dma(DEV, base + 8, "w", length=8, expect=PA[size] + 8)
        t.comment("legacy second-level entries are not updated (no A/D)")
        for _, pa in walked:
            t.expect_mem(pa, before[pa])
        t.comment("the next page is not mapped: read and write faults")
        t.dma(DEV, base + size, "r", fault=0x6)
        return t
    make.__name__ = name
    return make


for _lv in (4,):
    for _sz in (SZ_4K, SZ_2M, SZ_1G):
        trace(gen_legacy_sl(_lv, _sz))
trace(gen_legacy_sl(3, SZ_4K))
trace(gen_legacy_sl(5, SZ_4K))
trace(gen_legacy_sl(5, SZ_1G))


@trace
def legacy_pt():
    t = Trace("legacy_pt", "legacy mode, pass-through (TT=10b): output = "
              "input, for any address below HAW",
              ["3.9 / 9.3 context entry TT=10b", "11.4.3 ECAP.PT"])
    legacy_context(t, DEV, tt=TT_PT, aw=2)
    t.enable(TTM_LEGACY)
    for a in (0x0, 0x12345678, 0x3FFFFFFFF000, (1 << HAW) - 8):
        t.dma(DEV, a, "r", expect=a)
        t.dma(DEV, a, "w", expect=a)
    return t


@trace
def legacy_multi_device():
    t = Trace("legacy_multi_device", "legacy mode: two devices on two "
              "buses with separate domains and tables; a device function "
              "128+ uses the same (legacy, 256-entry) context table",
              ["3.4.2 legacy root/context tables"])
    sl1 = legacy_sl(t, DEV, 4, did=1)
    sl2 = legacy_sl(t, 0x0588, 4, did=2)
    sl1.map(0x1000, 0x111000)
    sl2.map(0x1000, 0x222000)
    t.enable(TTM_LEGACY)
    t.dma(DEV, 0x1010, "r", expect=0x111010)
    t.dma(0x0588, 0x1010, "r", expect=0x222010)
    t.dma(DEV, 0x1010, "w", expect=0x111010)
    t.dma(0x0588, 0x1ff0, "w", length=16, expect=0x222ff0)
    return t


def gen_sm_fl(levels, size):
    name = "sm_fl%d_%s" % (levels, SZNAME[size])

    def make():
        t = Trace(name, "scalable mode, PGTT=001b first level, %d-level "
                  "(FLPM=%d), %s page, request with PASID and without "
                  "(RID_PASID); A flags in every entry walked, D in the "
                  "leaf after a write" % (levels, levels - 4,
                                          SZNAME[size].upper()),
                  ["3.6 first-level translation", "3.6.2 A/D flags",
                   "9.6 PASID table entry", "9.7 first-level entries"])
        pdir = sm_dir(t)
        fl = sm_fl(t, DEV, pasid=0, levels=levels, pdir=pdir)
        pasid = 0x2A
        pasid_entry(t, pdir, pasid, PGTT_FL, did=1, flptptr=fl.root,
                    flpm=levels - 4)
        base = IOVA[size]
        if levels == 5:
            base |= 0x00AB000000000000  # canonical, bits 55:48 set
        walked = fl.map(base, PA[size], size)
        before = {pa: t.r64(pa) for _, pa in walked}
        t.enable(TTM_SCALABLE)
        for off in size_offsets(size):
            t.dma(DEV, base + off, "r", pasid=pasid, expect=PA[size] + off)
        leaf = LEAF_LEVEL[size]
        t.comment("after reads: A set in every entry, D clear")
        for lv, pa in walked:
            t.expect_mem(pa, fl_ad(before[pa], lv, leaf, False))
        t.dma(DEV, base + 0x40, "w", length=8, pasid=pasid,
              expect=PA[size] + 0x40)
        t.comment("after a write: D set in the leaf only")
        for lv, pa in walked:
            t.expect_mem(pa, fl_ad(before[pa], lv, leaf, True))
        t.comment("request without PASID: RID_PASID 0 has the same table")
        t.dma(DEV, base + 0x80, "r", expect=PA[size] + 0x80)
        return t
    make.__name__ = name
    return make


for _lv in (4, 5):
    for _sz in (SZ_4K, SZ_2M, SZ_1G):
        trace(gen_sm_fl(_lv, _sz))


def gen_sm_sl(size, slade):
    name = "sm_sl4_%s%s" % (SZNAME[size], "_slade" if slade else "")

    def make():
        t = Trace(name, "scalable mode, PGTT=010b second level, 4-level "
                  "(AW=2), %s page, SLADE=%d: %s" % (
                      SZNAME[size].upper(), int(slade),
                      "A in every entry walked, D in the leaf after a "
                      "write" if slade else "no A/D updates"),
                  ["3.7 second-level translation", "3.7.2 A/D flags "
                   "(SLADE)", "9.6 PASID table entry", "9.8 SL entries"])
        sl = sm_sl(t, DEV_HI, pasid=0, levels=4, slade=slade)
        base = IOVA[size]
        walked = sl.map(base, PA[size], size)
        before = {pa: t.r64(pa) for _, pa in walked}
        leaf = LEAF_LEVEL[size]
        t.enable(TTM_SCALABLE)
        for off in size_offsets(size):
            t.dma(DEV_HI, base + off, "r", expect=PA[size] + off)
        for lv, pa in walked:
            v = sl_ad(before[pa], lv, leaf, False) if slade else before[pa]
            t.expect_mem(pa, v)
        t.dma(DEV_HI, base + 0x40, "w", length=8, expect=PA[size] + 0x40)
        for lv, pa in walked:
            v = sl_ad(before[pa], lv, leaf, True) if slade else before[pa]
            t.expect_mem(pa, v)
        return t
    make.__name__ = name
    return make


for _sz in (SZ_4K, SZ_2M, SZ_1G):
    trace(gen_sm_sl(_sz, True))
trace(gen_sm_sl(SZ_4K, False))


@trace
def sm_sl5_and_3():
    t = Trace("sm_sl5_and_3", "scalable mode, PGTT=010b second level with "
              "5-level (AW=3) and 3-level (AW=1) tables",
              ["9.6 PASID table entry AW", "11.4.2 CAP.SAGAW"])
    sl5 = sm_sl(t, DEV, levels=5)
    sl3 = sm_sl(t, DEV2, levels=3, did=2)
    a5 = 0x01FF123456789000
    sl5.map(a5, 0x9876000)
    sl3.map(0x7FFFFFF000, 0x1234000)
    t.enable(TTM_SCALABLE)
    t.dma(DEV, a5 + 0x10, "r", expect=0x9876010)
    t.dma(DEV2, 0x7FFFFFF010, "w", expect=0x1234010)
    return t


def gen_nested(size):
    name = "sm_nested_%s" % SZNAME[size]

    def make():
        t = Trace(name, "scalable mode, PGTT=011b nested: first-level %s "
                  "page (tables at guest-physical addresses mapped 4K by "
                  "the second level), second-level %s page for the data; "
                  "FL A/D flags written through the second level"
                  % (SZNAME[size].upper(), SZNAME[size].upper()),
                  ["3.8 nested translation", "9.6 PASID table entry",
                   "9.7/9.8 paging entries"])
        n = Nested(t, DEV, pasid=0x10)
        gpa = {SZ_4K: 0x45678000, SZ_2M: 0x46600000, SZ_1G: 0x80000000}[size]
        hpa = {SZ_4K: 0x9ABC000, SZ_2M: 0x7AE00000, SZ_1G: 0x500000000}[size]
        base = IOVA[size]
        walked = n.fl.map(base, gpa, size)
        n.sl.map(gpa, hpa, size)
        before = {pa: t.r64(pa) for _, pa in walked}
        leaf = LEAF_LEVEL[size]
        t.enable(TTM_SCALABLE)
        for off in size_offsets(size):
            t.dma(DEV, base + off, "r", pasid=0x10, expect=hpa + off)
        t.dma(DEV, base + 0x80, "w", pasid=0x10, expect=hpa + 0x80)
        t.comment("first-level entries (at their host-physical address)")
        for lv, pa in walked:
            t.expect_mem(pa, fl_ad(before[pa], lv, leaf, True))
        return t
    make.__name__ = name
    return make


for _sz in (SZ_4K, SZ_2M, SZ_1G):
    trace(gen_nested(_sz))


@trace
def sm_nested_fl5_sl_slade():
    t = Trace("sm_nested_fl5_slade", "scalable mode, nested with a 5-level "
              "first level over a 4-level second level with SLADE=1: "
              "the second-level leaf of the data page gets A, then D",
              ["3.8 nested translation", "3.7.2 SL A/D"])
    n = Nested(t, DEV, pasid=0x77, fl_levels=5, slade=True)
    iova = 0x00F0000012345000
    gpa, hpa = 0x6000A000, 0x8000B000
    n.fl.map(iova, gpa, SZ_4K)
    slw = n.sl.map(gpa, hpa, SZ_4K)
    leaf_pa = slw[-1][1]
    leaf = t.r64(leaf_pa)
    t.enable(TTM_SCALABLE)
    t.dma(DEV, iova + 4, "r", pasid=0x77, expect=hpa + 4)
    t.expect_mem(leaf_pa, leaf | SL_A, "SL leaf of the data page: A")
    t.dma(DEV, iova + 8, "w", pasid=0x77, expect=hpa + 8)
    t.expect_mem(leaf_pa, leaf | SL_A | SL_D, "SL leaf: A and D")
    return t


@trace
def sm_nested_denied_write_leaves_fl_clean():
    t = Trace("sm_nested_denied_write_leaves_fl_clean", "scalable mode, "
              "nested: a write the second level denies for the output "
              "page (85h) sets neither A nor D in the first-level leaf "
              "(the leaf's flags are set only for an access that "
              "succeeds); the entries above it get A as they are used; a "
              "later read sets the leaf's A only",
              ["3.8 nested translation", "3.6.2 FL A/D flags",
               "7.1.3 SGN.6"])
    n = Nested(t, DEV, pasid=0x10)
    base, gpa, hpa = 0x12345000, 0x45678000, 0x9ABC000
    walked = n.fl.map(base, gpa, SZ_4K)
    n.sl.map(gpa, hpa, SZ_4K, leaf=SL_R)
    before = {pa: t.r64(pa) for _, pa in walked}
    t.enable(TTM_SCALABLE)
    t.dma(DEV, base + 0x40, "w", pasid=0x10, fault=0x85)
    t.check_frcd(0, DEV, base + 0x40, 0x85, True, pasid=0x10)
    t.comment("first-level entries: A above the leaf, the leaf untouched")
    for lv, pa in walked:
        t.expect_mem(pa, before[pa] | (FL_A if lv > 1 else 0))
    t.dma(DEV, base + 0x40, "r", pasid=0x10, expect=hpa + 0x40)
    for lv, pa in walked:
        t.expect_mem(pa, before[pa] | FL_A)
    return t


@trace
def sm_pt():
    t = Trace("sm_pt", "scalable mode, PGTT=100b pass-through, with and "
              "without PASID: output = input below HAW",
              ["3.9 pass-through", "9.6 PASID table entry"])
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 0, PGTT_PT, did=3)
    pasid_entry(t, pdir, 0x99, PGTT_PT, did=3)
    t.enable(TTM_SCALABLE)
    for a in (0x0, 0xABCDE123, (1 << HAW) - 4):
        t.dma(DEV, a, "r", expect=a)
        t.dma(DEV, a, "w", pasid=0x99, expect=a)
    return t


@trace
def sm_mixed_pgtt():
    t = Trace("sm_mixed_pgtt", "scalable mode: one device, four PASIDs "
              "with PGTT first level, second level, nested and "
              "pass-through side by side; RID_PASID=5",
              ["3.4.3 scalable-mode tables", "9.4 RID_PASID",
               "9.6 PGTT"])
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir, rid_pasid=5)
    fl = Paging(t, "fl", 4)
    sl = Paging(t, "sl", 4)
    fl.map(0x1000, 0xF1000)
    sl.map(0x1000, 0xA1000)
    pasid_entry(t, pdir, 5, PGTT_FL, did=1, flptptr=fl.root)
    pasid_entry(t, pdir, 6, PGTT_SL, did=2, slptptr=sl.root)
    pasid_entry(t, pdir, 700, PGTT_PT, did=3)
    t.enable(TTM_SCALABLE)
    t.dma(DEV, 0x1008, "r", expect=0xF1008, note="RID_PASID 5: first level")
    t.dma(DEV, 0x1008, "r", pasid=5, expect=0xF1008)
    t.dma(DEV, 0x1008, "r", pasid=6, expect=0xA1008)
    t.dma(DEV, 0x1008, "r", pasid=700, expect=0x1008)
    return t


# ---- permissions (success and fault) ------------------------------------


@trace
def sm_fl_perm():
    t = Trace("sm_fl_perm", "first-level permissions: U/S with user and "
              "supervisor requests (SRE=1), R/W with WPE=0 and WPE=1, XD "
              "with execute requests (ERE=1)",
              ["3.6.1 access rights", "9.6 SRE/ERE/WPE",
               "7.1.3 SGN.2/SGN.3/SGN.6"])
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    fl = Paging(t, "fl", 4)
    sup = FL_P | FL_RW                 # supervisor-only, writable
    ro_user = FL_P | FL_US             # user, read-only
    nx_user = FL_P | FL_US | FL_RW | FL_XD
    fl.map(0x10000, 0x110000, leaf=sup)
    fl.map(0x11000, 0x111000, leaf=ro_user)
    fl.map(0x12000, 0x112000, leaf=nx_user)
    fl.map(0x13000, 0x113000)
    pasid_entry(t, pdir, 1, PGTT_FL, flptptr=fl.root, sre=True, ere=True)
    pasid_entry(t, pdir, 2, PGTT_FL, flptptr=fl.root, sre=True, ere=True,
                wpe=True)
    t.enable(TTM_SCALABLE)
    t.comment("supervisor page: priv requests pass, user requests fault")
    t.dma(DEV, 0x10010, "r", pasid=1, priv=True, expect=0x110010)
    t.dma(DEV, 0x10010, "w", pasid=1, priv=True, expect=0x110010)
    t.dma(DEV, 0x10010, "r", pasid=1, fault=0x81)
    t.check_frcd(0, DEV, 0x10010, 0x81, False, pasid=1)
    t.comment("read-only page: user write faults; supervisor write passes "
              "with WPE=0 and faults with WPE=1")
    t.dma(DEV, 0x11020, "r", pasid=1, expect=0x111020)
    t.dma(DEV, 0x11020, "w", pasid=1, fault=0x85)
    t.dma(DEV, 0x11020, "w", pasid=1, priv=True, expect=0x111020)
    t.dma(DEV, 0x11020, "w", pasid=2, priv=True, fault=0x85)
    t.comment("XD page: reads pass, execute requests fault")
    t.dma(DEV, 0x12030, "r", pasid=1, expect=0x112030)
    t.dma(DEV, 0x12030, "r", pasid=1, exec_=True, fault=0x82)
    t.dma(DEV, 0x13030, "r", pasid=1, exec_=True, expect=0x113030)
    return t


@trace
def sm_sl_perm():
    t = Trace("sm_sl_perm", "second-level permissions (PGTT=010b): "
              "read-only and write-only leaves, and permission taken as "
              "the AND of all levels",
              ["3.7.1 access rights", "7.1.3 SGN.6/SGN.7"])
    sl = sm_sl(t, DEV, levels=4)
    sl.map(0x20000, 0x120000, leaf=SL_R)
    sl.map(0x21000, 0x121000, leaf=SL_W)
    # a page under a read-only PDPE: its RW leaf is read-only
    sl.map(0x40000000, 0x40000000, leaf=SL_R | SL_W)
    pdpe = sl.entry_pa(sl.t.r64(sl.root) & genmask(51, 12), 0x40000000, 3)
    t.w64(pdpe, t.r64(pdpe) & ~SL_W)
    t.enable(TTM_SCALABLE)
    t.dma(DEV, 0x20000, "r", expect=0x120000)
    t.dma(DEV, 0x20000, "w", fault=0x85)
    t.check_frcd(0, DEV, 0x20000, 0x85, True)
    t.dma(DEV, 0x21000, "w", expect=0x121000)
    t.dma(DEV, 0x21000, "r", fault=0x86)
    t.dma(DEV, 0x40000100, "r", expect=0x40000100)
    t.dma(DEV, 0x40000100, "w", fault=0x85, note="PDPE denies write")
    t.dma(DEV, 0x40200100, "w", fault=0x85,
          note="the PDPE (in the PSC now) denies before the absent PDE")
    return t


@trace
def sm_sl_denial_above_cached_entries():
    t = Trace("sm_sl_denial_above_cached_entries",
              "second level: a level above a cached entry that denies the "
              "access names the fault, as the walk from the root does "
              "(cached not-present entries under CAP.CM=1, paging-structure "
              "cache entries whose permissions are the levels' AND)",
              ["6.1 caching mode", "3.7.1 access rights",
               "7.1.3 SSL.2/SGN.3/SGN.6/SGN.7"])
    t.config("cap.cm", 1)
    # DEV: an absent PDE under a read-only PDPE
    sl = sm_sl(t, DEV, levels=4)
    sl.map(0x40000000, 0x40000000, leaf=SL_R | SL_W)
    pdpe = sl.entry_pa(sl.t.r64(sl.root) & genmask(51, 12), 0x40000000, 3)
    t.w64(pdpe, t.r64(pdpe) & ~SL_W)
    # DEV2, PASID 1, SLEE=1: a PML4E without X above a PDPE without R
    pdir = sm_dir(t)
    sl2 = Paging(t, "sl", 4)
    sm_context(t, DEV2, pdir)
    epa = pasid_entry(t, pdir, 1, PGTT_SL, did=2, slptptr=sl2.root, aw=2)
    t.w64(epa, t.r64(epa) | bit(5))  # SLEE
    for iova in (0x1000, 0x2000):
        sl2.map(iova, iova + 0x4000, leaf=SL_R | SL_W | SL_X)
    pdpe2 = sl2.entry_pa(t.r64(sl2.root) & genmask(51, 12), 0x1000, 3)
    t.w64(pdpe2, (t.r64(pdpe2) & ~SL_R) | SL_X)
    t.enable(TTM_SCALABLE)
    t.dma(DEV, 0x40200100, "r", fault=0x79,
          note="absent PDE, now cached not present")
    t.dma(DEV, 0x40200100, "w", fault=0x85,
          note="the PDPE denies the write before the cached absent PDE")
    t.dma(DEV, 0x40200100, "r", fault=0x79)
    t.dma(DEV2, 0x1000, "w", pasid=1, expect=0x5000,
          note="fills the PSC; the levels' AND is W")
    t.dma(DEV2, 0x2000, "r", pasid=1, exec_=True, fault=0x82,
          note="the PML4E denies execute (82h) before the PDPE read (86h)")
    t.dma(DEV2, 0x2000, "r", pasid=1, fault=0x86)
    return t


def gen_sl_nonleaf(scalable):
    """Second-level non-leaf entries: bits 6:3 and 10:9 ignored, 11
    reserved (0Ch legacy, 7Ah scalable)."""
    name = ("sm" if scalable else "legacy") + "_sl_nonleaf_ignored_bits"
    fr = 0x7A if scalable else 0xC

    def make():
        if scalable:
            title = ("scalable mode, PGTT=010b: second-level non-leaf "
                     "entries with bits 6:3 and 10:9 set translate; bit 11 "
                     "set is reserved -> 7Ah")
            spec = "7.1.3 SSL.3"
        else:
            title = ("legacy mode: second-level non-leaf entries with bits "
                     "6:3 and 10:9 set translate (ignored, not reserved); "
                     "bit 11 set is reserved -> 0Ch")
            spec = "7.1.3 LSL.2, SSL.3"
        t = Trace(name, title, ["9.8 second-level paging entries "
                                "(non-leaf: 6:3, 10:9 ignored)", spec])
        ign = genmask(6, 3) | genmask(10, 9)
        out = 0x7000 if scalable else 0x5000
        sl = sm_sl(t, DEV) if scalable else legacy_sl(t, DEV)
        pdpe = dict(sl.map(0x40000000, out + 0x1000))[3]
        t.w64(pdpe, t.r64(pdpe) | (1 << 11))
        sl.map(0x1000, out, nonleaf=SL_R | SL_W | ign)
        t.enable(TTM_SCALABLE if scalable else TTM_LEGACY)
        t.dma(DEV, 0x1010, "r", expect=out + 0x10)
        t.dma(DEV, 0x1020, "w", expect=out + 0x20)
        if not scalable:
            t.comment("SNP (bit 11) in a non-leaf entry: reserved -> 0Ch")
        t.dma(DEV, 0x40000000, "r", fault=fr)
        t.check_frcd(0, DEV, 0x40000000, fr, False)
        return t
    make.__name__ = name
    return make


trace(gen_sl_nonleaf(False))
trace(gen_sl_nonleaf(True))


# ---- invalidation scope (strict mode) -------------------------------------

QUEUE = 0x00180000       # invalidation queue, 256-bit descriptors, QS=0
QSTATUS = 0x00190000     # its wait descriptors' status
GCMD_QIE = 1 << 26
GSTS_QIES = 1 << 26


class Qi:
    """Queued invalidation through the registers, as a driver does it:
    descriptors written at IQT, each batch closed by a wait whose status
    write is checked."""

    def __init__(self, t):
        self.t = t
        self.tail = 0
        self.seq = 0
        t.comment("queued invalidation: IQA (256-bit descriptors), QIE")
        t.emit("reg.w64 0x90 %s" % hx(QUEUE | 1 << 11))
        t.emit("reg.w32 %s %s" % (hx(REG_GCMD), hx(GCMD_TE | GCMD_QIE)))
        t.emit("reg.r32 %s expect=%s mask=%s" % (
            hx(REG_GSTS), hx(GSTS_TES | GSTS_QIES), hx(GSTS_TES | GSTS_QIES)))

    def _put(self, qw):
        for i, q in enumerate(qw + [0] * (4 - len(qw))):
            self.t.emit("mem.w64 %s %s" % (hx(QUEUE + self.tail + 8 * i),
                                           hx(q)))
        self.tail += 32

    def submit(self, note, *descs):
        self.t.comment(note)
        for d in descs:
            self._put(d)
        self.seq += 1
        self._put([0x5 | 1 << 5 | self.seq << 32, QSTATUS])  # wait, SW
        self.t.emit("reg.w64 0x88 %s" % hx(self.tail))
        self.t.emit("mem.r32 %s expect=%s" % (hx(QSTATUS), hx(self.seq)))


def iotlb_page(did, addr, am=0, ih=False):
    return [0x2 | 3 << 4 | did << 16, addr | (1 << 6 if ih else 0) | am]


def piotlb_page(did, pasid, addr, am=0, ih=False):
    return [0x6 | 3 << 4 | did << 16 | pasid << 32,
            addr | (1 << 6 if ih else 0) | am]


@trace
def sm_fl_pde_change_needs_piotlb():
    t = Trace("sm_fl_pde_change_needs_piotlb", "strict invalidation: "
              "software moves a first-level PDE to a new page table and "
              "sends a page-selective IOTLB invalidation; that removes the "
              "domain's first-level IOTLB entries but not the first-level "
              "paging-structure cache, which needs a PASID-based IOTLB "
              "invalidation: the next request under the PDE is translated "
              "through the stale cached PDE and the checker reports it; "
              "after the PASID-based invalidation the new table is used",
              ["6.5.2.3 IOTLB invalidate (page-selective-within-domain)",
               "6.5.2.4 PASID-based IOTLB invalidate",
               "6.5.3 guidance to software for invalidations"])
    t.config("check", "on")
    fl = sm_fl(t, DEV, pasid=0, did=1)
    walked = fl.map(0x200000, 0x500000)
    fl.map(0x201000, 0x501000)
    pde = dict(walked)[2]
    new_pt = 0x1A0000
    t.enable(TTM_SCALABLE)
    qi = Qi(t)
    t.dma(DEV, 0x200000, "r", expect=0x500000,
          note="walk: the PML4E, PDPE and PDE enter the PSC")
    t.comment("software: a new page table under the PDE (0x200000 -> "
              "0x600000, 0x201000 -> 0x601000), then the PDE")
    t.emit("mem.w64 %s %s" % (hx(new_pt), hx(0x600000 | FL_P | FL_RW | FL_US)))
    t.emit("mem.w64 %s %s" % (hx(new_pt + 8),
                              hx(0x601000 | FL_P | FL_RW | FL_US)))
    t.emit("mem.w64 %s %s" % (hx(pde), hx(new_pt | FL_P | FL_RW | FL_US)))
    qi.submit("the wrong invalidation: page-selective IOTLB (type 2)",
              iotlb_page(1, 0x200000))
    t.dma(DEV, 0x201000, "r", expect=0x501000,
          note="through the stale PDE in the first-level PSC")
    t.emit("expect.stale 1")
    qi.submit("the right one: page-selective PASID-based IOTLB (type 6)",
              piotlb_page(1, 0, 0x200000, am=9))
    t.dma(DEV, 0x201000, "r", expect=0x601000)
    t.dma(DEV, 0x200000, "r", expect=0x600000)
    t.emit("expect.stale 0")
    return t


# ---- fault traces -------------------------------------------------------
#
# Each fault trace sets up everything before the first DMA (so no cached
# entry is ever stale), issues the faulting request first, checks fault
# recording register 0 and FSTS, and where a qualified fault allows it,
# an FPD variant on another device/PASID whose fault is not recorded.


def fault_trace(name, title, spec, fr, setup, sid=DEV, iova=0x1000,
                rw="r", pasid=None, priv=False, exec_=False, fpd=None,
                configs=(), ttm=TTM_SCALABLE, extra=None, root=ROOT):
    """setup(t) builds the faulting structures. fpd(t) (optional) builds
    a second, FPD=1 copy and returns (sid, pasid) to use for it."""
    def make():
        t = Trace(name, title, spec)
        for k, v in configs:
            t.config(k, v)
        setup(t)
        alt = fpd(t) if fpd else None
        t.enable(ttm, root)
        if alt:
            asid, apasid = alt
            t.comment("FPD=1 copy: blocked with 0x%x, not recorded" % fr)
            t.dma(asid, iova, rw, pasid=apasid, priv=priv, exec_=exec_,
                  fault=fr)
            t.check_no_fault_recorded()
        t.dma(sid, iova, rw, pasid=pasid, priv=priv, exec_=exec_, fault=fr)
        t.check_frcd(0, sid, iova, fr, rw == "w", pasid=pasid, priv=priv,
                     exec_=exec_)
        if extra:
            extra(t)
        return t
    make.__name__ = name
    TRACES.append(make)
    return make


# -- legacy 01h-0Eh --

fault_trace("fault_legacy_01_root_not_present",
            "legacy: root entry of the bus has P=0 -> 01h",
            ["7.1.3 LRT.2", "9.1 root entry"], 0x1,
            lambda t: legacy_sl(t, 0x0410), sid=0x0310, ttm=TTM_LEGACY)


def _ctx_np(t):
    legacy_sl(t, DEV2)                    # bus 3 present, DEV not
    legacy_context(t, DEV, present=False)


fault_trace("fault_legacy_02_context_not_present",
            "legacy: context entry of the device has P=0 -> 02h",
            ["7.1.3 LCT.2", "9.3 context entry"], 0x2, _ctx_np,
            ttm=TTM_LEGACY)


def _ctx_inv(t):
    legacy_context(t, DEV, tt=3, slptptr=t.alloc())


def _ctx_inv_extra(t):
    t.comment("AW=1 (39-bit) while SAGAW only has 4/5 levels -> 03h")
    t.dma(DEV2, 0x1000, "w", fault=0x3)
    t.comment("TT=01b (device-TLB) while ECAP.DT=0 -> 03h")
    t.dma(DEV3, 0x1000, "r", fault=0x3)


def _ctx_inv_setup(t):
    _ctx_inv(t)
    legacy_context(t, DEV2, tt=TT_SL, aw=1, slptptr=t.alloc())
    legacy_context(t, DEV3, tt=TT_SL_DT, aw=2, slptptr=t.alloc())


fault_trace("fault_legacy_03_context_invalid",
            "legacy: invalid context entry: TT=11b reserved, AW not in "
            "SAGAW, TT=01b without ECAP.DT -> 03h",
            ["7.1.3 LCT.4.x", "9.3 context entry TT/AW"], 0x3,
            _ctx_inv_setup, ttm=TTM_LEGACY,
            configs=[("cap.sagaw", "0xc"), ("ecap.dt", "0")],
            extra=_ctx_inv_extra,
            fpd=lambda t: (legacy_context(t, 0x0340, tt=3, fpd=True,
                                          slptptr=t.alloc()) and 0x0340,
                           None))


def _mgaw(t):
    sl = legacy_sl(t, DEV, levels=3)
    sl.map(0x1000, 0x2000)
    sl2 = legacy_sl(t, DEV2, levels=4, fpd=True)
    sl2.map(0x1000, 0x2000)
    legacy_context(t, DEV3, tt=TT_PT, aw=2)


fault_trace("fault_legacy_04_beyond_agaw",
            "legacy: input address above the context's AGAW (3-level, "
            "39-bit) -> 04h; also pass-through above HAW",
            ["7.1.3 LGN.1", "9.3 context entry AW"], 0x4, _mgaw,
            iova=1 << 39, ttm=TTM_LEGACY,
            extra=lambda t: (
                t.comment("4-level context, FPD=1: 2^48 is beyond its "
                          "AGAW too, blocked, not recorded (F of record "
                          "1 stays 0)"),
                t.dma(DEV2, 1 << 48, "r", fault=0x4),
                t.emit("reg.r64 %s expect=0x0 mask=%s" % (
                    hx(FRO_DEFAULT + 16 + 8), hx(bit(63)))),
                t.comment("pass-through (TT=10b): input 2^46 is beyond "
                          "HAW -> 04h, recorded in record 1"),
                t.dma(DEV3, 1 << HAW, "w", fault=0x4),
                t.check_frcd(1, DEV3, 1 << HAW, 0x4, True)))


def _rw(t, leaf):
    sl = legacy_sl(t, DEV)
    sl.map(0x1000, 0x2000, leaf=leaf)
    sl2 = legacy_sl(t, DEV2, fpd=True)
    sl2.map(0x1000, 0x2000, leaf=leaf)


fault_trace("fault_legacy_05_write_denied",
            "legacy: write to a read-only second-level page -> 05h",
            ["7.1.3 LGN.3", "9.8 SL entry W"], 0x5,
            lambda t: _rw(t, SL_R), rw="w", ttm=TTM_LEGACY,
            fpd=lambda t: (DEV2, None))
fault_trace("fault_legacy_06_read_denied",
            "legacy: read of a write-only second-level page -> 06h",
            ["7.1.3 LGN.2", "9.8 SL entry R"], 0x6,
            lambda t: _rw(t, SL_W), ttm=TTM_LEGACY,
            fpd=lambda t: (DEV2, None))


def _np_nonleaf(t):
    sl = legacy_sl(t, DEV)
    sl.map(0x1000, 0x2000)
    # a second PML4 slot with R=W=0 (not present)


fault_trace("fault_legacy_05_06_not_present",
            "legacy: not-present (R=W=0) second-level entries fault with "
            "06h for reads and 05h for writes",
            ["7.1.3 LGN.2/LGN.3"], 0x6, _np_nonleaf, iova=0x8000000000,
            ttm=TTM_LEGACY,
            extra=lambda t: t.dma(DEV, 0x8000000000, "w", fault=0x5))


def _next_ptr(t):
    sl = legacy_sl(t, DEV)
    sl.map(0x1000, 0x2000, table_override={3: UNBACKED})
    sl2 = legacy_sl(t, DEV2, fpd=True)
    sl2.map(0x1000, 0x2000, table_override={4: UNBACKED})


fault_trace("fault_legacy_07_paging_entry_access",
            "legacy: a second-level entry points at unbacked memory "
            "(>= 1 TiB, below HAW) -> 07h",
            ["7.1.3 LSL.1"], 0x7, _next_ptr, ttm=TTM_LEGACY,
            fpd=lambda t: (DEV2, None))


def _sl_ptr(t):
    legacy_context(t, DEV, slptptr=UNBACKED, aw=2)


fault_trace("fault_legacy_07_slptptr_access",
            "legacy: the context entry's SLPTPTR points at unbacked "
            "memory -> 07h", ["7.1.3 LSL.1"], 0x7, _sl_ptr,
            ttm=TTM_LEGACY, rw="w")

fault_trace("fault_legacy_08_root_access",
            "legacy: RTADDR points at unbacked memory -> 08h",
            ["7.1.3 LRT.1"], 0x8, lambda t: None, ttm=TTM_LEGACY,
            root=UNBACKED)


def _ctp(t):
    legacy_context(t, DEV, ctp=UNBACKED)


fault_trace("fault_legacy_09_context_access",
            "legacy: the root entry's CTP points at unbacked memory -> 09h",
            ["7.1.3 LCT.1"], 0x9, _ctp, ttm=TTM_LEGACY)


def _root_rsvd(t):
    legacy_sl(t, DEV).map(0x1000, 0x2000)
    t.w64(ROOT + 16 * (DEV >> 8), t.r64(ROOT + 16 * (DEV >> 8)) | bit(1))


fault_trace("fault_legacy_0a_root_reserved",
            "legacy: reserved bit 1 set in a present root entry -> 0Ah",
            ["7.1.3 LRT.3", "9.1 root entry"], 0xA, _root_rsvd,
            ttm=TTM_LEGACY)


def _ctx_rsvd(t):
    sl = Paging(t, "sl", 4)
    sl.map(0x1000, 0x2000)
    legacy_context(t, DEV, slptptr=sl.root, lo_extra=bit(8))
    legacy_context(t, DEV2, slptptr=sl.root, hi_extra=bit(40))


fault_trace("fault_legacy_0b_context_reserved",
            "legacy: reserved bits set in a present context entry "
            "(bit 8; bit 104) -> 0Bh",
            ["7.1.3 LCT.3", "9.3 context entry"], 0xB, _ctx_rsvd,
            ttm=TTM_LEGACY,
            extra=lambda t: t.dma(DEV2, 0x1000, "r", fault=0xB))


def _pte_rsvd(t):
    sl = legacy_sl(t, DEV)
    sl.map(0x1000, 0x2000, nonleaf=SL_R | SL_W | SL_PS)  # PS in PML4E
    sl2 = legacy_sl(t, DEV2, fpd=True)
    sl2.map(0x1000, (1 << HAW) | 0x2000)       # address bit above HAW
    sl3 = legacy_sl(t, DEV3)
    sl3.map(0x40000000, 0x40000000, SZ_1G)     # 1G with SLLPS = 2M only


fault_trace("fault_legacy_0c_paging_entry_reserved",
            "legacy: reserved bits in second-level entries: PS in a PML4E, "
            "leaf address above HAW (FPD copy), 1G page with "
            "CAP.SLLPS=2M only -> 0Ch",
            ["7.1.3 LSL.2", "9.8 SL entries", "11.4.2 CAP.SLLPS"], 0xC,
            _pte_rsvd, ttm=TTM_LEGACY, configs=[("cap.sllps", "1")],
            fpd=lambda t: (DEV2, None),
            extra=lambda t: t.dma(DEV3, 0x40001000, "r", fault=0xC))


def _intr(t):
    sl = legacy_sl(t, DEV)
    sl.map(0x1000, INTR_ADDR)


fault_trace("fault_legacy_0e_interrupt_range",
            "legacy: a translation whose output is in the interrupt "
            "address range 0xFEEx_xxxx is blocked -> 0Eh",
            ["3.14 handling requests to the interrupt address range",
             "7.1.3 LGN.4"], 0xE, _intr, rw="w", ttm=TTM_LEGACY)

# -- scalable 30h-90h --


def _ttm_rsvd(t):
    sm_sl(t, DEV).map(0x1000, 0x2000)


fault_trace("fault_sm_30_ttm_reserved",
            "RTADDR.TTM=10b (reserved) -> 30h",
            ["7.1.3 SRTA.1.1", "11.4.6 RTADDR TTM"], 0x30, _ttm_rsvd,
            ttm=TTM_RESERVED)


def _ttm_pasid(t):
    legacy_sl(t, DEV).map(0x1000, 0x2000)


fault_trace("fault_sm_31_pasid_in_legacy",
            "legacy TTM=00b: a request with PASID -> 31h",
            ["7.1.3 SRTA.1.2"], 0x31, _ttm_pasid, pasid=5, ttm=TTM_LEGACY,
            extra=lambda t: (
                t.comment("the same device without PASID translates"),
                t.dma(DEV, 0x1004, "r", expect=0x2004)))

fault_trace("fault_sm_38_root_access",
            "scalable: RTADDR points at unbacked memory -> 38h",
            ["7.1.3 SRTA.2"], 0x38, lambda t: None, root=UNBACKED)


def _sm_root_np(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)            # lower half present only
    pasid_entry(t, pdir, 0, PGTT_PT)


fault_trace("fault_sm_39_root_not_present",
            "scalable: upper half (devfn >= 128) of the root entry has "
            "UP=0 while the lower half is present -> 39h",
            ["7.1.3 SRTA.3", "9.2 scalable root entry"], 0x39,
            _sm_root_np, sid=DEV_HI,
            extra=lambda t: t.dma(DEV, 0x1000, "r", expect=0x1000))


def _sm_root_rsvd(t):
    _sm_root_np(t)
    t.w64(ROOT + 16 * (DEV >> 8), t.r64(ROOT + 16 * (DEV >> 8)) | bit(3))


fault_trace("fault_sm_3a_root_reserved",
            "scalable: reserved bit 3 set in a present root entry -> 3Ah",
            ["7.1.3 SRTA.4", "9.2 scalable root entry"], 0x3A, _sm_root_rsvd)


def _sm_ctx_access(t):
    t.w64(ROOT + 16 * (DEV >> 8), UNBACKED | 1)


fault_trace("fault_sm_40_context_access",
            "scalable: the root entry's LCTP points at unbacked memory "
            "-> 40h", ["7.1.3 SCT.1"], 0x40, _sm_ctx_access)


def _sm_ctx_np(t):
    pdir = sm_dir(t)
    sm_context(t, DEV2, pdir)
    pasid_entry(t, pdir, 0, PGTT_PT)
    sm_context(t, DEV, pdir, present=False)


fault_trace("fault_sm_41_context_not_present",
            "scalable: context entry P=0 -> 41h", ["7.1.3 SCT.2"], 0x41,
            _sm_ctx_np)


def _sm_ctx_rsvd(t):
    pdir = sm_dir(t)
    pasid_entry(t, pdir, 0, PGTT_PT)
    sm_context(t, DEV, pdir, hi_extra=bit(40))
    ce = sm_context(t, DEV2, pdir)
    t.w64(ce + 16, 1)                   # bit 128: reserved


fault_trace("fault_sm_42_context_reserved",
            "scalable: reserved bits in a present context entry (bit 104; "
            "bit 128) -> 42h", ["7.1.3 SCT.3", "9.4 context entry"], 0x42,
            _sm_ctx_rsvd,
            extra=lambda t: t.dma(DEV2, 0x1000, "r", fault=0x42))


def _sm_ctx_inv(t):
    pdir = sm_dir(t)
    pasid_entry(t, pdir, 0, PGTT_PT)
    sm_context(t, DEV, pdir, dte=True)


fault_trace("fault_sm_43_context_invalid",
            "scalable: DTE=1 in the context entry while ECAP.DT=0 "
            "(the scalable counterpart of legacy TT=01b without DT) -> 43h",
            ["7.1.3 SCT.4", "9.4 context entry DTE"], 0x43, _sm_ctx_inv,
            configs=[("ecap.dt", "0")])


def _paside(t):
    pdir = sm_dir(t)
    pasid_entry(t, pdir, 0, PGTT_PT)
    pasid_entry(t, pdir, 9, PGTT_PT)
    sm_context(t, DEV, pdir, paside=False)
    sm_context(t, DEV2, pdir, paside=False, fpd=True)


fault_trace("fault_sm_45_paside_clear",
            "scalable: request with PASID while the context entry has "
            "PASIDE=0 -> 45h; the same device without PASID translates",
            ["7.1.3 SCT.6"], 0x45, _paside, pasid=9,
            fpd=lambda t: (DEV2, 9),
            extra=lambda t: t.dma(DEV, 0x1000, "r", expect=0x1000))


def _pdts(t):
    pdir = sm_dir(t)
    pasid_entry(t, pdir, 8191, PGTT_PT)
    sm_context(t, DEV, pdir, pdts=0)
    sm_context(t, DEV2, pdir, pdts=0, fpd=True)


fault_trace("fault_sm_46_pasid_beyond_pdts",
            "scalable: PDTS=0 (128 directory entries, PASIDs 0-8191); "
            "PASID 8192 -> 46h; PASID 8191 translates",
            ["7.1.3 SCT.7", "9.4 context entry PDTS"], 0x46, _pdts,
            pasid=8192, fpd=lambda t: (DEV2, 8192),
            extra=lambda t: t.dma(DEV, 0x3000, "r", pasid=8191,
                                  expect=0x3000))


def _rid_pasid(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir, pdts=0, rid_pasid=8192)


fault_trace("fault_sm_48_rid_pasid_beyond_pdts",
            "scalable: request without PASID, RID_PASID=8192 beyond "
            "PDTS=0 -> 48h", ["7.1.3 SCT.9", "9.4 RID_PASID"], 0x48,
            _rid_pasid)


def _pde_access(t):
    sm_context(t, DEV, UNBACKED)


fault_trace("fault_sm_50_pasid_dir_access",
            "scalable: PASIDDIRPTR points at unbacked memory -> 50h",
            ["7.1.3 SPD.1"], 0x50, _pde_access, pasid=1)


def _pde_np(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 0, PGTT_PT)    # directory entry 0 present
    pdir2 = sm_dir(t)
    sm_context(t, DEV2, pdir2)
    pasid_entry(t, pdir2, 64, PGTT_PT, pde_present=False, pde_fpd=True)


fault_trace("fault_sm_51_pasid_dir_not_present",
            "scalable: PASID directory entry 1 (PASIDs 64-127) P=0 -> 51h",
            ["7.1.3 SPD.2", "9.5 PASID directory entry"], 0x51, _pde_np,
            pasid=64, fpd=lambda t: (DEV2, 64))


def _pde_rsvd(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 3, PGTT_PT)
    t.w64(pdir, t.r64(pdir) | bit(5))


fault_trace("fault_sm_52_pasid_dir_reserved",
            "scalable: reserved bit 5 in a present PASID directory entry "
            "-> 52h", ["7.1.3 SPD.3", "9.5 PASID directory entry"], 0x52,
            _pde_rsvd, pasid=3)


def _pte_access(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    t.w64(pdir, UNBACKED | 1)


fault_trace("fault_sm_58_pasid_table_access",
            "scalable: PASID directory entry points at unbacked memory "
            "-> 58h", ["7.1.3 SPT.1"], 0x58, _pte_access, pasid=2)


def _pte_np(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 0, PGTT_PT)
    pasid_entry(t, pdir, 4, PGTT_PT, present=False)
    pasid_entry(t, pdir, 5, PGTT_PT, present=False, fpd=True)


fault_trace("fault_sm_59_pasid_entry_not_present",
            "scalable: PASID table entry P=0 -> 59h; FPD=1 in the "
            "not-present entry suppresses recording",
            ["7.1.3 SPT.2", "9.6 PASID table entry"], 0x59, _pte_np,
            pasid=4, fpd=lambda t: (DEV, 5))


def _pte_rsvd(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 6, PGTT_PT, q={1: 1 | bit(16)})
    pasid_entry(t, pdir, 7, PGTT_PT, q={4: 1})


fault_trace("fault_sm_5a_pasid_entry_reserved",
            "scalable: reserved bits in a present PASID table entry "
            "(bit 80; bit 256) -> 5Ah", ["7.1.3 SPT.3", "9.6"], 0x5A,
            _pte_rsvd, pasid=6,
            extra=lambda t: t.dma(DEV, 0x1000, "r", pasid=7, fault=0x5A))


def _pte_inv(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    fl = Paging(t, "fl", 5)
    sl = Paging(t, "sl", 4)
    pasid_entry(t, pdir, 1, 5)                          # PGTT=101b
    pasid_entry(t, pdir, 2, PGTT_FL, flptptr=fl.root, flpm=1)  # no FL5LP
    pasid_entry(t, pdir, 3, PGTT_NESTED, flptptr=fl.root,
                slptptr=sl.root)                        # no ECAP.NEST
    pasid_entry(t, pdir, 4, PGTT_SL, slptptr=sl.root, aw=1)  # not in SAGAW
    pasid_entry(t, pdir, 5, 5, fpd=True)


def _pte_inv_extra(t):
    t.comment("FLPM=1 (5-level) while CAP.FL5LP=0")
    t.dma(DEV, 0x1000, "r", pasid=2, fault=0x5B)
    t.comment("PGTT=011b (nested) while ECAP.NEST=0")
    t.dma(DEV, 0x1000, "r", pasid=3, fault=0x5B)
    t.comment("PGTT=010b with AW=1 while SAGAW has 4/5 levels only")
    t.dma(DEV, 0x1000, "r", pasid=4, fault=0x5B)


fault_trace("fault_sm_5b_pasid_entry_invalid",
            "scalable: invalid PASID table entry: PGTT=101b reserved, "
            "FLPM=5-level without FL5LP, nested without NEST, SL AW not "
            "in SAGAW -> 5Bh", ["7.1.3 SPT.4.x", "9.6 PGTT/AW/FLPM"],
            0x5B, _pte_inv, pasid=1,
            configs=[("cap.fl5lp", "0"), ("ecap.nest", "0"),
                     ("cap.sagaw", "0xc")],
            fpd=lambda t: (DEV, 5), extra=_pte_inv_extra)


def _ere(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    fl = Paging(t, "fl", 4)
    fl.map(0x1000, 0x2000)
    pasid_entry(t, pdir, 1, PGTT_FL, flptptr=fl.root, ere=False)
    pasid_entry(t, pdir, 2, PGTT_FL, flptptr=fl.root, ere=False, fpd=True)


fault_trace("fault_sm_5c_ere_clear",
            "scalable: execute request with PASID while the PASID entry "
            "has ERE=0 -> 5Ch", ["7.1.3 SPT.5", "9.6 ERE"], 0x5C, _ere,
            pasid=1, exec_=True, fpd=lambda t: (DEV, 2),
            extra=lambda t: t.dma(DEV, 0x1000, "r", pasid=1,
                                  expect=0x2000))


def _sre(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    fl = Paging(t, "fl", 4)
    fl.map(0x1000, 0x2000)
    pasid_entry(t, pdir, 1, PGTT_FL, flptptr=fl.root, sre=False)
    pasid_entry(t, pdir, 2, PGTT_FL, flptptr=fl.root, sre=False, fpd=True)


fault_trace("fault_sm_5d_sre_clear",
            "scalable: supervisor request with PASID while the PASID entry "
            "has SRE=0 -> 5Dh", ["7.1.3 SPT.6", "9.6 SRE"], 0x5D, _sre,
            pasid=1, priv=True, fpd=lambda t: (DEV, 2))


def _fl_access(t):
    fl = sm_fl(t, DEV)
    fl.map(0x1000, 0x2000, table_override={4: UNBACKED})


fault_trace("fault_sm_70_fl_entry_access",
            "first level: a PML4E points at an unbacked page table -> 70h",
            ["7.1.3 SFL.1"], 0x70, _fl_access)


def _fl_np(t):
    fl = sm_fl(t, DEV)
    fl.map(0x1000, 0x2000, leaf=FL_RW | FL_US)      # P=0 leaf
    fl2 = sm_fl(t, DEV2, fpd=True)
    fl2.map(0x1000, 0x2000, leaf=FL_RW | FL_US)


fault_trace("fault_sm_71_fl_not_present",
            "first level: PTE with P=0 -> 71h (PASID entry FPD=1 copy is "
            "not recorded)", ["7.1.3 SFL.2"], 0x71, _fl_np,
            fpd=lambda t: (DEV2, None),
            extra=lambda t: t.dma(DEV, 0x40000000, "w", fault=0x71))


def _fl_rsvd(t):
    fl = sm_fl(t, DEV)
    fl.map(0x1000, 0x2000, nonleaf=FL_P | FL_RW | FL_US | FL_PS)
    fl2 = sm_fl(t, DEV2)
    fl2.map(0x40000000, 0x40000000, SZ_1G)
    fl3 = sm_fl(t, DEV3)
    fl3.map(0x1000, (1 << HAW) | 0x2000)


fault_trace("fault_sm_72_fl_reserved",
            "first level: PS=1 in a PML4E; a 1G page while CAP.FL1GP=0; "
            "leaf address above HAW -> 72h",
            ["7.1.3 SFL.3", "9.7 first-level entries", "11.4.2 FL1GP"],
            0x72, _fl_rsvd, configs=[("cap.fl1gp", "0")],
            extra=lambda t: (t.dma(DEV2, 0x40000000, "r", fault=0x72),
                             t.dma(DEV3, 0x1000, "r", fault=0x72)))


def _fl_pml_access(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 0, PGTT_FL, flptptr=UNBACKED)


fault_trace("fault_sm_73_flptptr_access",
            "first level: FLPTPTR points at unbacked memory, the FL-PML4 "
            "entry cannot be read -> 73h", ["7.1.3 SFL.4"], 0x73,
            _fl_pml_access)


def _nested_mgaw(t):
    n = Nested(t, DEV, pasid=1, sl_levels=3)     # SL input width 39
    n.fl.map(0x1000, 0x2000, table_override={3: 1 << 40})


fault_trace("fault_sm_74_nested_fl_beyond_sl_width",
            "nested: an FL PDPE points at GPA 2^40, beyond the 3-level "
            "second level's 39-bit input width -> 74h",
            ["7.1.3 SFL.5", "3.8 nested translation"], 0x74, _nested_mgaw,
            pasid=1)


def _nested_pml_read(t):
    n = Nested(t, DEV, pasid=1, sl_table_perm={0: SL_W})
    n.fl.map(0x1000, 0x2000)
    n.sl.map(0x2000, 0x3000)


fault_trace("fault_sm_75_nested_flptptr_no_read",
            "nested: the second level maps the FL-PML4 table (FLPTPTR) "
            "write-only -> 75h", ["7.1.3 SFL.6"], 0x75, _nested_pml_read,
            pasid=1)


def _nested_read(t):
    n = Nested(t, DEV, pasid=1, sl_table_perm={2: SL_W})
    n.fl.map(0x1000, 0x2000)
    n.sl.map(0x2000, 0x3000)


fault_trace("fault_sm_76_nested_fl_table_no_read",
            "nested: the second level maps the FL page directory "
            "write-only -> 76h", ["7.1.3 SFL.7"], 0x76, _nested_read,
            pasid=1)


def _nested_write(t):
    n = Nested(t, DEV, pasid=1, sl_table_perm={3: SL_R})
    n.fl.map(0x1000, 0x2000)
    n.sl.map(0x2000, 0x3000)


fault_trace("fault_sm_77_nested_ad_no_write",
            "nested: the FL page table holding the leaf (A=0) is mapped "
            "read-only by the second level, so setting A fails -> 77h",
            ["7.1.3 SFL.8", "3.8 nested A/D"], 0x77, _nested_write,
            pasid=1)


def _sl_access(t):
    sl = sm_sl(t, DEV)
    sl.map(0x1000, 0x2000, table_override={2: UNBACKED})
    pdir = sm_dir(t)
    sm_context(t, DEV2, pdir)
    pasid_entry(t, pdir, 0, PGTT_SL, slptptr=UNBACKED)


fault_trace("fault_sm_78_sl_entry_access",
            "second level: a PDE points at an unbacked table; SLPTPTR "
            "points at unbacked memory -> 78h", ["7.1.3 SSL.1"], 0x78,
            _sl_access,
            extra=lambda t: t.dma(DEV2, 0x1000, "r", fault=0x78))


def _sl_np(t):
    sl = sm_sl(t, DEV)
    sl.map(0x1000, 0x2000, leaf=0)
    sl2 = sm_sl(t, DEV2, fpd=True)
    sl2.map(0x1000, 0x2000, nonleaf=0)


fault_trace("fault_sm_79_sl_not_present",
            "second level: leaf with R=W=0 (not present) -> 79h for reads "
            "and writes; a non-leaf R=W=0 copy with FPD=1",
            ["7.1.3 SSL.2"], 0x79, _sl_np, fpd=lambda t: (DEV2, None),
            extra=lambda t: t.dma(DEV, 0x1000, "w", fault=0x79))


def _sl_rsvd(t):
    sl = sm_sl(t, DEV)
    sl.map(0x1000, 0x2000, nonleaf=SL_R | SL_W | SL_PS)
    sl2 = sm_sl(t, DEV2)
    sl2.map(0x40000000, 0x40000000, SZ_1G)


fault_trace("fault_sm_7a_sl_reserved",
            "second level: PS=1 in a PML4E; a 1G page with CAP.SLLPS=2M "
            "only -> 7Ah", ["7.1.3 SSL.3", "9.8", "11.4.2 SLLPS"], 0x7A,
            _sl_rsvd, configs=[("cap.sllps", "1")],
            extra=lambda t: t.dma(DEV2, 0x40000000, "r", fault=0x7A))


def _sl_ptr(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 0, PGTT_SL, slptptr=1 << HAW)


fault_trace("fault_sm_7b_slptptr_invalid",
            "second level: SLPTPTR at 2^46, beyond HAW -> 7Bh",
            ["7.1.3 SSL.4"], 0x7B, _sl_ptr)


def _noncanon(t):
    fl = sm_fl(t, DEV)
    fl.map(0x1000, 0x2000)
    fl5 = sm_fl(t, DEV2, levels=5)
    fl5.map(0x1000, 0x2000)


fault_trace("fault_sm_80_non_canonical",
            "first level: 4-level, input 2^47 is not canonical -> 80h; "
            "5-level, 2^56 is not canonical either",
            ["7.1.3 SGN.1"], 0x80, _noncanon, iova=1 << 47,
            extra=lambda t: (
                t.dma(DEV2, 1 << 56, "r", fault=0x80),
                t.comment("canonical upper-half addresses are "
                          "translated, not faulted as non-canonical: the "
                          "PML4 slot 256 is not present -> 71h"),
                t.dma(DEV, 0xFFFF800000001000, "r", fault=0x71)))


def _us(t):
    fl = sm_fl(t, DEV)
    fl.map(0x1000, 0x2000, leaf=FL_P | FL_RW)
    fl2 = sm_fl(t, DEV2, fpd=True)
    fl2.map(0x1000, 0x2000, nonleaf=FL_P | FL_RW)
    fl3 = sm_fl(t, DEV3, rid_priv=True, sre=True)
    fl3.map(0x1000, 0x2000, leaf=FL_P | FL_RW)


fault_trace("fault_sm_81_user_supervisor",
            "first level: a user request (no PASID, RID_PRIV=0) to a "
            "supervisor page (U/S=0 in the leaf; in a non-leaf for the "
            "FPD copy) -> 81h; with RID_PRIV=1 the page is reachable", ["7.1.3 SGN.2", "9.4 RID_PRIV"], 0x81,
            _us, fpd=lambda t: (DEV2, None),
            extra=lambda t: (
                t.comment("RID_PRIV=1 (SRE=1): requests without PASID are "
                          "supervisor requests and reach the page"),
                t.dma(DEV3, 0x1010, "w", expect=0x2010)))


def _xd(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    fl = Paging(t, "fl", 4)
    fl.map(0x1000, 0x2000, leaf=FL_P | FL_RW | FL_US | FL_XD)
    fl.map(0x8000000000, 0x300000, nonleaf=FL_P | FL_RW | FL_US | FL_XD)
    pasid_entry(t, pdir, 1, PGTT_FL, flptptr=fl.root, ere=True)


fault_trace("fault_sm_82_execute_denied",
            "first level: execute request (ERE=1) to a page with XD=1 in "
            "the leaf, and in a non-leaf entry -> 82h", ["7.1.3 SGN.3"],
            0x82, _xd, pasid=1, exec_=True,
            extra=lambda t: t.dma(DEV, 0x8000000000, "r", pasid=1,
                                  exec_=True, fault=0x82))


def _sm_mgaw(t):
    sl = sm_sl(t, DEV, levels=4)
    sl.map(0x1000, 0x2000)
    sl2 = sm_sl(t, DEV2, levels=4, fpd=True)
    sl2.map(0x1000, 0x2000)


fault_trace("fault_sm_83_beyond_aw",
            "second level: 4-level (AW=2, 48-bit) PASID entry, input 2^48 "
            "-> 83h", ["7.1.3 SGN.4"], 0x83, _sm_mgaw, iova=1 << 48,
            fpd=lambda t: (DEV2, None))


def _out_haw(t):
    pdir = sm_dir(t)
    sm_context(t, DEV, pdir)
    pasid_entry(t, pdir, 0, PGTT_PT)


fault_trace("fault_sm_84_pt_beyond_haw",
            "pass-through: input (= output) 2^46 is beyond HAW -> 84h",
            ["7.1.3 SGN.5", "3.9 pass-through"], 0x84, _out_haw,
            iova=1 << HAW)


def _sm_write(t):
    fl = sm_fl(t, DEV)
    fl.map(0x1000, 0x2000, leaf=FL_P | FL_US)
    sl = sm_sl(t, DEV2, fpd=True)
    sl.map(0x1000, 0x2000, leaf=SL_R)


fault_trace("fault_sm_85_write_denied",
            "write to a read-only first-level page (user request) -> 85h; "
            "FPD copy: read-only second-level page",
            ["7.1.3 SGN.6"], 0x85, _sm_write, rw="w",
            fpd=lambda t: (DEV2, None))


def _sm_read(t):
    sl = sm_sl(t, DEV)
    sl.map(0x1000, 0x2000, leaf=SL_W)
    n = Nested(t, DEV2, pasid=3)
    n.fl.map(0x1000, 0x5000)
    n.sl.map(0x5000, 0x6000, leaf=SL_W)


fault_trace("fault_sm_86_read_denied",
            "read of a write-only second-level page -> 86h (PGTT=010b, "
            "and the final second-level step of a nested translation)",
            ["7.1.3 SGN.7"], 0x86, _sm_read,
            extra=lambda t: t.dma(DEV2, 0x1000, "r", pasid=3, fault=0x86))


def _sm_intr(t):
    fl = sm_fl(t, DEV, pasid=0)
    fl.map(0x1000, INTR_ADDR)
    pdir = sm_dir(t)
    sm_context(t, DEV2, pdir)
    pasid_entry(t, pdir, 8, PGTT_PT)


fault_trace("fault_sm_87_interrupt_range",
            "first level: output in the interrupt range 0xFEEx_xxxx -> 87h;"
            " also a pass-through request with PASID to 0xFEE00000",
            ["7.1.3 SGN.8", "3.14 interrupt address range"], 0x87,
            _sm_intr, rw="w",
            extra=lambda t: t.dma(DEV2, INTR_ADDR, "w", pasid=8,
                                  fault=0x87))


@trace
def legacy_interrupt_requests():
    t = Trace("legacy_interrupt_requests", "legacy mode: an untranslated "
              "request without PASID to 0xFEEx_xxxx is an interrupt "
              "request, never DMA-translated even where the second level "
              "maps the range: a write goes on at its own address (no "
              "interrupt remapping), a read is blocked -> 0Eh",
              ["3.14 handling requests to the interrupt address range",
               "7.1.3 LGN.4"])
    sl = legacy_sl(t, DEV)
    sl.map(INTR_ADDR, 0x3000000)     # a mapping software must not rely on
    sl.map(0x1000, 0x2000)
    t.enable(TTM_LEGACY)
    t.dma(DEV, INTR_ADDR + 0x10, "w", expect=INTR_ADDR + 0x10,
          note="an interrupt message: not translated")
    t.dma(DEV, 0x1000, "r", expect=0x2000)
    t.dma(DEV, INTR_ADDR, "r", fault=0xE)
    t.check_frcd(0, DEV, INTR_ADDR, 0xE, False)
    return t


@trace
def sm_interrupt_requests():
    t = Trace("sm_interrupt_requests", "scalable mode: an untranslated "
              "request without PASID to 0xFEEx_xxxx is an interrupt "
              "request (RID_PASID's mapping of the range is not used): a "
              "write goes on at its own address, a read is blocked -> 87h; "
              "a request with PASID to the range is translated as any "
              "other",
              ["3.14 handling requests to the interrupt address range",
               "7.1.3 SGN.8"])
    pdir = sm_dir(t)
    fl = sm_fl(t, DEV, pasid=0, pdir=pdir)
    fl.map(INTR_ADDR, 0x3000000)
    fl5 = Paging(t, "fl", 4)
    pasid_entry(t, pdir, 9, PGTT_FL, flptptr=fl5.root)
    fl5.map(INTR_ADDR, 0x4000000)
    t.enable(TTM_SCALABLE)
    t.dma(DEV, INTR_ADDR + 0x10, "w", expect=INTR_ADDR + 0x10,
          note="an interrupt message: not translated")
    t.dma(DEV, INTR_ADDR + 0x40, "r", pasid=9, expect=0x4000040)
    t.dma(DEV, INTR_ADDR, "r", fault=0x87)
    t.check_frcd(0, DEV, INTR_ADDR, 0x87, False)
    return t


@trace
def fault_recording_two_faults():
    t = Trace("fault_recording_two_faults", "two faults from two devices "
              "fill fault recording registers 0 and 1 in order; FSTS.FRI "
              "stays at the first", ["7.2 fault recording", "11.4.9.1"])
    sl = legacy_sl(t, DEV)
    sl.map(0x1000, 0x2000, leaf=SL_R)
    sl2 = legacy_sl(t, DEV2)
    sl2.map(0x1000, 0x2000, leaf=SL_W)
    t.enable(TTM_LEGACY)
    t.dma(DEV, 0x1abc, "w", fault=0x5)
    t.dma(DEV2, 0x1def, "r", fault=0x6)
    t.check_frcd(0, DEV, 0x1abc, 0x5, True)
    t.check_frcd(1, DEV2, 0x1def, 0x6, False)
    return t


# ---- main ---------------------------------------------------------------


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(here, "..", "conformance")
    check = "--check" in sys.argv[1:]
    names = set()
    bad = 0
    for make in TRACES:
        t = make()
        assert t.name not in names, t.name
        names.add(t.name)
        path = os.path.join(outdir, t.name + ".trace")
        text = t.text()
        if check:
            try:
                with open(path) as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("differs: %s" % path)
                bad = 1
            continue
        with open(path, "w") as f:
            f.write(text)
    if not check:
        for fn in os.listdir(outdir):
            if fn.endswith(".trace") and fn[:-6] not in names:
                stale = os.path.join(outdir, fn)
                with open(stale) as f:
                    ours = "gen_conformance.py" in f.read(300)
                if ours:  # other generators' and hand-written traces stay
                    os.remove(stale)
        print("wrote %d traces to %s" % (len(names), os.path.normpath(outdir)))
    return bad


if __name__ == "__main__":
    sys.exit(main())
