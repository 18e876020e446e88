# Generator of traces/samples/sm-lowlevel.trace: scalable-mode tables written
# byte by byte. Run: python3 traces/generators/gen_sm_lowlevel.py
import os
out = []
def c(s=""): out.append(("# " + s) if s else "")
def w(pa, v, note=""): out.append(f"mem.w64 0x{pa:x} 0x{v:x}" + (f"    # {note}" if note else ""))
def idx(va, l): return (va >> (12 + 9*(l-1))) & 0x1ff

c("Scalable-mode tables built byte by byte with mem.w64, registers programmed")
c("with reg.w*, requests checked with dma expectations. One device 00:01.0,")
c("one PASID per translation type (PASID 0 is its RID_PASID):")
c("  PASID 1 first-level 4-level   DID 1     PASID 2 first-level 5-level  DID 2")
c("  PASID 0/3 second-level 4-lvl  DID 3     PASID 4 nested               DID 4")
c("  PASID 5 pass-through          DID 5")
c("each with 4 KiB, 2 MiB and 1 GiB pages (pass-through has no pages).")
c()
ROOT, CTX, DIR, PT = 0x1000000, 0x1001000, 0x1002000, 0x1003000
c("root table 0x1000000: bus 0 -> lower context table 0x1001000 (LP=1)")
w(ROOT, CTX | 1, "root entry bus 0: LCTP | LP")
c("scalable context entry of 00:01.0 (devfn 8, 32 bytes each)")
w(CTX + 8*32 + 8, 0, "qw1: RID_PASID 0")
w(CTX + 8*32, DIR | (1 << 3) | 1, "qw0: PASIDDIRPTR | PASIDE | P, PDTS 0")
c("PASID directory entry 0 (PASIDs 0-63) -> PASID table 0x1003000")
w(DIR, PT | 1, "PDE: table | P")

def pasid_entry(p, q0, q1, q2, note):
    c(f"PASID {p}: {note}")
    base = PT + p*64
    w(base + 16, q2, "qw2")
    w(base + 8, q1, "qw1: DID")
    w(base, q0, "qw0 (P last)")

FLNL, FLLEAF, FLBIG = 0x7, 0x7, 0x87   # P|RW|US (+PS)
SLNL, SLLEAF, SLBIG = 0x3, 0x3, 0x83   # R|W (+PS)

# FL 4-level, PASID 1
c()
c("--- PASID 1: first-level, 4-level, tables at 0x1010000..")
pml4, pdpt, pd, pt = 0x1010000, 0x1011000, 0x1012000, 0x1013000
w(pml4 + 8*0, pdpt | FLNL, "PML4E 0")
w(pdpt + 8*0, pd | FLNL, "PDPTE 0")
w(pdpt + 8*1, 0x140000000 | FLBIG, "PDPTE 1: 1 GiB page 0x140000000")
w(pd + 8*0, pt | FLNL, "PDE 0")
w(pd + 8*1, 0xa0000000 | FLBIG, "PDE 1: 2 MiB page 0xa0000000")
w(pt + 8*1, 0x80000000 | FLLEAF, "PTE 1: 4 KiB page 0x80000000")
pasid_entry(1, 0x1 | (2 << 2) | (1 << 6), 1, pml4, "PGTT=001 first-level, FLPM 0 (4-level)")

# FL 5-level, PASID 2
c()
c("--- PASID 2: first-level, 5-level, GVAs 0x00ff0000_0000_0000 + ..")
pml5, pml4, pdpt, pd, pt = 0x1020000, 0x1021000, 0x1022000, 0x1023000, 0x1024000
base = 0x00ff000000000000
w(pml5 + 8*idx(base, 5), pml4 | FLNL, f"PML5E {idx(base,5):#x}")
w(pml4 + 8*0, pdpt | FLNL, "PML4E 0")
w(pdpt + 8*0, pd | FLNL, "PDPTE 0")
w(pdpt + 8*1, 0x180000000 | FLBIG, "PDPTE 1: 1 GiB page 0x180000000")
w(pd + 8*0, pt | FLNL, "PDE 0")
w(pd + 8*1, 0xa2000000 | FLBIG, "PDE 1: 2 MiB page 0xa2000000")
w(pt + 8*1, 0x81000000 | FLLEAF, "PTE 1: 4 KiB page 0x81000000")
pasid_entry(2, 0x1 | (2 << 2) | (1 << 6), 2, pml5 | (1 << 2), "PGTT=001 first-level, FLPM 1 (5-level)")

# SL, PASID 0 and 3
c()
c("--- PASIDs 0 and 3: second-level, 4-level (AW=2), tables at 0x1030000..")
pml4, pdpt, pd, pt = 0x1030000, 0x1031000, 0x1032000, 0x1033000
w(pml4, pdpt | SLNL, "SL-PML4E 0")
w(pdpt, pd | SLNL, "SL-PDPTE 0")
w(pdpt + 8, 0x1c0000000 | SLBIG, "SL-PDPTE 1: 1 GiB page 0x1c0000000")
w(pd, pt | SLNL, "SL-PDE 0")
w(pd + 8, 0x60000000 | SLBIG, "SL-PDE 1: 2 MiB page 0x60000000")
w(pt + 8, 0x70001000 | SLLEAF, "SL-PTE 1: 4 KiB page 0x70001000")
for p in (0, 3):
    pasid_entry(p, pml4 | 0x1 | (2 << 2) | (2 << 6), 3, 0, "PGTT=010 second-level, AW 2")

# nested, PASID 4
c()
c("--- PASID 4: nested. Second level (GPA -> HPA) at 0x1040000..:")
c("  GPA 0-1 GiB -> HPA 0x200000000 (1 GiB), GPA 1 GiB -> 0x300000000 (2 MiB),")
c("  GPA 1 GiB + 2 MiB -> 0x310000000 (4 KiB)")
pml4, pdpt, pd, pt = 0x1040000, 0x1041000, 0x1042000, 0x1043000
w(pml4, pdpt | SLNL, "SL-PML4E 0")
w(pdpt, 0x200000000 | SLBIG, "SL-PDPTE 0: 1 GiB page")
w(pdpt + 8, pd | SLNL, "SL-PDPTE 1")
w(pd, 0x300000000 | SLBIG, "SL-PDE 0: 2 MiB page")
w(pd + 8, pt | SLNL, "SL-PDE 1")
w(pt, 0x310000000 | SLLEAF, "SL-PTE 0: 4 KiB page")
c("  guest first level (GVA -> GPA) in guest memory: tables at GPA 0x10000..,")
c("  i.e. HPA 0x200010000.. through the 1 GiB SL page")
G = 0x200000000
gpml4, gpdpt, gpd, gpt = 0x10000, 0x11000, 0x12000, 0x13000
w(G + gpml4, gpdpt | FLNL, "PML4E 0 (GPA pointer)")
w(G + gpdpt, gpd | FLNL, "PDPTE 0")
w(G + gpdpt + 8, 0x0 | FLBIG, "PDPTE 1: 1 GiB page at GPA 0")
w(G + gpd, gpt | FLNL, "PDE 0")
w(G + gpd + 8, 0x40000000 | FLBIG, "PDE 1: 2 MiB page at GPA 0x40000000")
w(G + gpt + 8, 0x40200000 | FLLEAF, "PTE 1: 4 KiB page at GPA 0x40200000")
pasid_entry(4, pml4 | 0x1 | (2 << 2) | (3 << 6), 4, gpml4, "PGTT=011 nested, FLPTPTR is a GPA")

c()
pasid_entry(5, 0x1 | (2 << 2) | (4 << 6), 5, 0, "PGTT=100 pass-through")

c()
c("--- registers: root table (TTM=01 scalable), queued invalidation, TE")
out.append("reg.w64 0x20 0x1000400                 # RTADDR: 0x1000000 | TTM=01")
out.append("reg.w32 0x18 0x40000000                # GCMD.SRTP")
out.append("reg.r32 0x1c expect=0x40000000 mask=0x40000000  # GSTS.RTPS")
out.append("reg.w64 0x88 0                         # IQT = 0")
out.append("reg.w64 0x90 0x1050800                 # IQA: 0x1050000, DW=1 (256-bit), QS 0")
out.append("reg.w32 0x18 0x04000000                # GCMD.QIE")
out.append("reg.r32 0x1c expect=0x04000000 mask=0x04000000  # GSTS.QIES")
c("global context-cache, PASID-cache and IOTLB invalidation + wait (256-bit)")
Q = 0x1050000
descs = [(0x11, 0), (0x37, 0), (0x12, 0), (0x0000123400000025, 0x1060000)]
for i, (q0, q1) in enumerate(descs):
    w(Q + 32*i, q0, ["cc global", "pc global", "iotlb global", "wait: SW, data 0x1234"][i])
    w(Q + 32*i + 8, q1)
out.append(f"reg.w64 0x88 0x{32*len(descs):x}                      # IQT: 4 descriptors")
out.append("mem.r32 0x1060000 expect=0x1234        # wait status written")
out.append("reg.r64 0x80 expect=0x80               # IQH caught up with IQT")
out.append("reg.w32 0x18 0x84000000                # GCMD.TE (QIE kept)")
out.append("reg.r32 0x1c expect=0xc4000000 mask=0xc4000000  # TES | RTPS | QIES")

c()
c("--- requests")
t = 0
def dma(args, exp):
    global t
    out.append(f"@{t} dma 00:01.0 {args} expect={exp}")
    t += 10
dma("pasid=1 0x1008 8 r", "0x80000008")
dma("pasid=1 0x200010 16 w", "0xa0000010")
dma("pasid=1 0x7ffffff0 16 r", "0x17ffffff0")
dma("pasid=1 0x3000 8 r", "fault:0x71")
dma("pasid=2 0x00ff000000001008 8 w", "0x81000008")
dma("pasid=2 0x00ff0000003ffff8 8 r", "0xa21ffff8")
dma("pasid=2 0x00ff000040000040 64 r", "0x180000040")
dma("pasid=2 0x1008 8 r", "fault:0x71")
dma("0x1008 8 r", "0x70001008")
dma("pasid=3 0x1ff8 8 w", "0x70001ff8")
dma("pasid=3 0x200100 0x100 r", "0x60000100")
dma("pasid=3 0x40000000 0x1000 w", "0x1c0000000")
dma("pasid=3 0x2000 8 r", "fault:0x79")
dma("pasid=4 0x1234 8 r", "0x310000234")
dma("pasid=4 0x200010 8 w", "0x300000010")
dma("pasid=4 0x40000100 8 r", "0x200000100")
dma("pasid=4 0x3000 8 r", "fault:0x71")
dma("pasid=5 0xabcd000 8 w", "0xabcd000")
dma("pasid=5 0x123456789 4 r", "0x123456789")
dma("pasid=6 0x1000 8 r", "fault:0x59")
c("first-level A bit set by hardware in the 4 KiB PTE of PASID 1 (read only: no D)")
out.append("mem.r64 0x1013008 expect=0x80000027")
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "sm-lowlevel.trace"), "w").write("\n".join(out) + "\n")
