// SPDX-License-Identifier: MIT
// Helpers of the translation suites: build root/context/PASID tables and
// first-/second-level page tables byte by byte in the fixture's memory and
// enable translation through the registers.
#pragma once

#include "fixture.h"

extern "C" {
#include "vtd_internal.h"
#include "translate.h"
}

namespace xlt
{

constexpr uint64_t kFlNonLeaf = VTD_FL_P | VTD_FL_RW | VTD_FL_US;
constexpr uint64_t kSlRW = VTD_SL_R | VTD_SL_W;

inline uint16_t sid(unsigned bus, unsigned dev, unsigned fn)
{
	return (uint16_t)(bus << 8 | dev << 3 | fn);
}

struct Xlate : vtdtest::Model {
	uint64_t next = 0x100000;

	explicit Xlate(const std::function<void(vtd_config &)> &tweak = {})
		: vtdtest::Model(tweak)
	{
	}

	uint64_t alloc()
	{
		uint64_t p = next;
		next += 4096;
		return p;
	}

	// RTADDR, SRTP, TE through the registers, as the driver does.
	void enable(uint64_t rt, unsigned ttm)
	{
		wr64(VTD_REG_RTADDR, rt | (uint64_t)ttm << VTD_RTADDR_TTM_SHIFT);
		wr32(VTD_REG_GCMD, (uint32_t)VTD_GCMD_SRTP);
		wr32(VTD_REG_GCMD, (uint32_t)VTD_GCMD_TE);
		EXPECT_TRUE(rd32(VTD_REG_GSTS) & VTD_GSTS_TES);
		EXPECT_TRUE(rd32(VTD_REG_GSTS) & VTD_GSTS_RTPS);
	}

	// Map va -> pa with a leaf at leaf_level in a 4/5-level (FL) or
	// 3/4/5-level (SL) table rooted at root. Creates missing tables.
	void map(uint64_t root, unsigned levels, uint64_t va, uint64_t pa,
		 unsigned leaf_level, uint64_t leaf_flags, uint64_t nonleaf,
		 bool first_level)
	{
		uint64_t table = root;
		for (unsigned l = levels; l > leaf_level; l--) {
			uint64_t ea = table + VTD_LEVEL_INDEX(va, l) * 8;
			uint64_t e = mem.r64(ea);
			if (!(e & (first_level ? VTD_FL_P : kSlRW))) {
				e = alloc() | nonleaf;
				mem.w64(ea, e);
			}
			table = e & VTD_GENMASK(51, 12);
		}
		uint64_t e = pa | leaf_flags;
		if (leaf_level > 1)
			e |= first_level ? VTD_FL_PS : VTD_SL_PS;
		mem.w64(table + VTD_LEVEL_INDEX(va, leaf_level) * 8, e);
	}

	// Address of the paging entry for va at level (walks existing tables).
	uint64_t entry_addr(uint64_t root, unsigned levels, uint64_t va,
			    unsigned level)
	{
		uint64_t table = root;
		for (unsigned l = levels; l > level; l--)
			table = mem.r64(table + VTD_LEVEL_INDEX(va, l) * 8) &
				VTD_GENMASK(51, 12);
		return table + VTD_LEVEL_INDEX(va, level) * 8;
	}

	vtd_result tr(uint16_t s, uint64_t addr,
		      vtd_access acc = VTD_ACCESS_READ)
	{
		vtd_request r{};
		r.sid = s;
		r.access = acc;
		r.addr = addr;
		vtd_result res{};
		vtd_translate(v, &r, &res);
		return res;
	}

	vtd_result trp(uint16_t s, uint32_t pasid, uint64_t addr,
		       vtd_access acc = VTD_ACCESS_READ, bool priv = false,
		       bool exec = false)
	{
		vtd_request r{};
		r.sid = s;
		r.has_pasid = true;
		r.pasid = pasid;
		r.priv = priv;
		r.exec = exec;
		r.access = acc;
		r.addr = addr;
		vtd_result res{};
		vtd_translate(v, &r, &res);
		return res;
	}

	// Fault reason of the first fault recording register (FRCD[0]).
	uint8_t frcd0_reason()
	{
		return (uint8_t)VTD_FRCD_HI_FR(v->regs.frcd[0][1]);
	}
};

// A legacy-mode setup: one device, second-level tables of `levels`.
struct Legacy {
	Xlate &m;
	uint64_t root, ctx, slpt;
	uint16_t s;

	Legacy(Xlate &x, uint16_t sid_, unsigned levels = 4, uint16_t did = 1)
		: m(x), s(sid_)
	{
		root = m.alloc();
		ctx = m.alloc();
		slpt = m.alloc();
		m.mem.w64(root + (s >> 8) * 16, ctx | VTD_ROOT_LO_P);
		set_context(slpt | VTD_CTX_LO_P,
			    (levels - 2) | (uint64_t)did << VTD_CTX_HI_DID_SHIFT);
		m.enable(root, VTD_RTADDR_TTM_LEGACY);
	}
	uint64_t ce_addr() const
	{
		return ctx + (s & 0xff) * 16;
	}
	void set_context(uint64_t lo, uint64_t hi)
	{
		m.mem.w64(ce_addr(), lo);
		m.mem.w64(ce_addr() + 8, hi);
	}
	unsigned levels() const
	{
		return (unsigned)VTD_CTX_HI_AW(m.mem.r64(ce_addr() + 8)) + 2;
	}
	void map(uint64_t iova, uint64_t pa, unsigned leaf = 1,
		 uint64_t flags = kSlRW)
	{
		m.map(slpt, levels(), iova, pa, leaf, flags, kSlRW, false);
	}
};

// A scalable-mode setup: one device, one PASID entry per configured PASID.
struct Scalable {
	Xlate &m;
	uint64_t root, ctx, pdir, flpt, slpt;
	uint16_t s;

	Scalable(Xlate &x, uint16_t sid_, uint32_t rid_pasid = 0)
		: m(x), s(sid_)
	{
		root = m.alloc();
		ctx = m.alloc();
		pdir = m.alloc();
		flpt = m.alloc();
		slpt = m.alloc();
		if ((s & 0xff) < 128)
			m.mem.w64(root + (s >> 8) * 16, ctx | VTD_ROOT_LO_P);
		else
			m.mem.w64(root + (s >> 8) * 16 + 8,
				  ctx | VTD_ROOT_HI_UP);
		// PDTS=0: 128 directory entries (PASIDs 0..8191).
		m.mem.w64(ce_addr(), pdir | VTD_SM_CTX_LO_PASIDE |
					     VTD_SM_CTX_LO_P);
		m.mem.w64(ce_addr() + 8, rid_pasid);
		m.enable(root, VTD_RTADDR_TTM_SCALABLE);
	}
	uint64_t ce_addr() const
	{
		return ctx + (s & 0x7f) * 32;
	}
	uint64_t pde_addr(uint32_t pasid) const
	{
		return pdir + (pasid >> 6) * 8;
	}
	uint64_t pte_addr(uint32_t pasid)
	{
		uint64_t pde = m.mem.r64(pde_addr(pasid));
		if (!(pde & VTD_PDE_P)) {
			pde = m.alloc() | VTD_PDE_P;
			m.mem.w64(pde_addr(pasid), pde);
		}
		return (pde & VTD_PDE_SMPTBLPTR_MASK) + (pasid & 63) * 64;
	}
	// pe0/pe1/pe2 of the PASID entry
	void set_pasid(uint32_t pasid, uint64_t pe0, uint64_t pe1, uint64_t pe2)
	{
		uint64_t a = pte_addr(pasid);
		m.mem.w64(a, pe0);
		m.mem.w64(a + 8, pe1);
		m.mem.w64(a + 16, pe2);
	}
	void first_level(uint32_t pasid, uint16_t did, bool five = false,
			 uint64_t extra2 = 0)
	{
		set_pasid(pasid,
			  (uint64_t)VTD_PGTT_FL << VTD_PTE0_PGTT_SHIFT |
				  VTD_PTE0_P,
			  did,
			  flpt | (five ? 1ULL << VTD_PTE2_FLPM_SHIFT : 0) |
				  extra2);
	}
	void second_level(uint32_t pasid, uint16_t did, unsigned levels = 4,
			  uint64_t extra0 = 0)
	{
		set_pasid(pasid,
			  slpt | (uint64_t)VTD_PGTT_SL << VTD_PTE0_PGTT_SHIFT |
				  (uint64_t)(levels - 2) << VTD_PTE0_AW_SHIFT |
				  extra0 | VTD_PTE0_P,
			  did, 0);
	}
	void nested(uint32_t pasid, uint16_t did, uint64_t extra0 = 0,
		    uint64_t extra2 = 0)
	{
		set_pasid(pasid,
			  slpt |
				  (uint64_t)VTD_PGTT_NESTED
					  << VTD_PTE0_PGTT_SHIFT |
				  2ULL << VTD_PTE0_AW_SHIFT | extra0 |
				  VTD_PTE0_P,
			  did, flpt | extra2);
	}
	void pass_through(uint32_t pasid, uint16_t did)
	{
		set_pasid(pasid,
			  (uint64_t)VTD_PGTT_PT << VTD_PTE0_PGTT_SHIFT |
				  VTD_PTE0_P,
			  did, 0);
	}
	void flmap(uint64_t va, uint64_t pa, unsigned leaf = 1,
		   uint64_t flags = kFlNonLeaf, unsigned levels = 4)
	{
		m.map(flpt, levels, va, pa, leaf, flags, kFlNonLeaf, true);
	}
	void slmap(uint64_t va, uint64_t pa, unsigned leaf = 1,
		   uint64_t flags = kSlRW, unsigned levels = 4)
	{
		m.map(slpt, levels, va, pa, leaf, flags, kSlRW, false);
	}
};

} // namespace xlt
