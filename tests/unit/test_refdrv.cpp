// SPDX-License-Identifier: MIT
// Reference driver: the tables, registers and descriptors it writes, read
// back from simulated memory and through the public register API.
#include <cstdio>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "replay.h"

namespace
{

struct Env {
	replay *rp = nullptr;
	int rc = -1;
	std::string err;

	explicit Env(const std::string &text)
	{
		FILE *in = fmemopen((void *)text.data(), text.size(), "r");
		FILE *err_f = tmpfile();
		replay_options opt{};
		opt.quiet = true;
		opt.err = err_f;
		rp = replay_create(&opt);
		rc = replay_run(rp, in, "t.trace");
		fclose(in);
		rewind(err_f);
		char buf[1024];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), err_f)) > 0)
			err.append(buf, n);
		fclose(err_f);
	}
	~Env()
	{
		replay_destroy(rp);
	}
	uint64_t r64(uint64_t pa)
	{
		uint64_t v = 0;
		EXPECT_EQ(sparse_mem_read64(replay_memory(rp), pa, &v), 0);
		return v;
	}
	uint64_t reg(uint32_t off, unsigned size)
	{
		return vtd_reg_read(replay_model(rp), off, size);
	}
	uint16_t did(const char *name)
	{
		uint16_t d = 0;
		uint64_t root = 0;
		EXPECT_EQ(
			refdrv_domain_info(replay_driver(rp), name, &d, &root),
			0);
		return d;
	}
	uint64_t root(const char *name)
	{
		uint16_t d = 0;
		uint64_t r = 0;
		EXPECT_EQ(refdrv_domain_info(replay_driver(rp), name, &d, &r),
			  0);
		return r;
	}
	// the entry at `level` for iova in the tables rooted at `table`
	uint64_t entry(uint64_t table, unsigned levels, uint64_t iova,
		       unsigned level)
	{
		for (unsigned l = levels; l > level; l--)
			table = r64(table + VTD_LEVEL_INDEX(iova, l) * 8) &
				VTD_SL_ADDR_MASK;
		return r64(table + VTD_LEVEL_INDEX(iova, level) * 8);
	}
};

} // namespace

TEST(RefDrv, LegacyInitProgramsRootTableQueueAndTranslation)
{
	Env e("config alloc.base=0x40000000\n"
	      "iommu.init mode=legacy qi=on\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = refdrv_root_table(replay_driver(e.rp));
	EXPECT_EQ(root, 0x40000000u); // first page of the table region
	EXPECT_EQ(e.reg(VTD_REG_RTADDR, 8), root); // TTM 00
	EXPECT_EQ(e.reg(VTD_REG_GSTS, 4) &
			  (VTD_GSTS_TES | VTD_GSTS_RTPS | VTD_GSTS_QIES),
		  VTD_GSTS_TES | VTD_GSTS_RTPS | VTD_GSTS_QIES);
	uint64_t iq = refdrv_queue_base(replay_driver(e.rp));
	EXPECT_EQ(e.reg(VTD_REG_IQA, 8), iq); // 128-bit, QS 0
	// global context-cache, IOTLB invalidation and a wait, 16 bytes each
	EXPECT_EQ(VTD_QI_TYPE(e.r64(iq)), (uint64_t)VTD_QI_CC);
	EXPECT_EQ(VTD_QI_G(e.r64(iq)), (uint64_t)VTD_QI_CC_G_GLOBAL);
	EXPECT_EQ(VTD_QI_TYPE(e.r64(iq + 16)), (uint64_t)VTD_QI_IOTLB);
	EXPECT_EQ(VTD_QI_TYPE(e.r64(iq + 32)), (uint64_t)VTD_QI_IWD);
	EXPECT_EQ(e.reg(VTD_REG_IQT, 8), 48u);
	EXPECT_EQ(e.reg(VTD_REG_IQH, 8), 48u);
}

TEST(RefDrv, LegacyAttachWritesRootAndContextEntries)
{
	Env e("iommu.init mode=legacy\n"
	      "domain d type=sl levels=3 did=9\n"
	      "attach 12:03.4 d fpd\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = refdrv_root_table(replay_driver(e.rp));
	uint64_t re = e.r64(root + 0x12 * 16);
	ASSERT_TRUE(re & VTD_ROOT_LO_P);
	uint64_t ce = (re & VTD_ROOT_LO_CTP_MASK) + (3 << 3 | 4) * 16;
	uint64_t lo = e.r64(ce), hi = e.r64(ce + 8);
	EXPECT_EQ(lo, e.root("d") | VTD_CTX_LO_P | VTD_CTX_LO_FPD); // TT 00
	EXPECT_EQ(VTD_CTX_HI_AW(hi), 1u);			    // 3-level
	EXPECT_EQ(VTD_CTX_HI_DID(hi), 9u);
}

TEST(RefDrv, LegacyPassThroughContextUsesTt10AndWidestAgaw)
{
	Env e("iommu.init mode=legacy qi=off\nattach 00:04.0 tt=pt did=3\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = refdrv_root_table(replay_driver(e.rp));
	uint64_t ce = (e.r64(root) & VTD_ROOT_LO_CTP_MASK) + 0x20 * 16;
	EXPECT_EQ(VTD_CTX_LO_TT(e.r64(ce)), (uint64_t)VTD_CTX_TT_PT);
	EXPECT_EQ(VTD_CTX_HI_AW(e.r64(ce + 8)),
		  3u); // default SAGAW has 5-level
	EXPECT_EQ(e.reg(VTD_REG_GSTS, 4) & VTD_GSTS_QIES, 0u);
	EXPECT_EQ(refdrv_queue_base(replay_driver(e.rp)), 0u);
}

TEST(RefDrv, SecondLevelMapWritesLeavesOfEachPageSize)
{
	Env e("domain d type=sl levels=4\n"
	      "map d 0x1000 0x80000000 0x1000 perm=r\n"
	      "map d 0x200000 0xa0000000 0x200000 page=2m perm=w\n"
	      "map d 0x40000000 0x100000000 0x40000000 page=1g exec\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = e.root("d");
	EXPECT_EQ(e.entry(root, 4, 0x1000, 1), 0x80000000u | VTD_SL_R);
	EXPECT_EQ(e.entry(root, 4, 0x200000, 2),
		  0xa0000000u | VTD_SL_W | VTD_SL_PS);
	EXPECT_EQ(e.entry(root, 4, 0x40000000, 3),
		  0x100000000u | VTD_SL_R | VTD_SL_W | VTD_SL_X | VTD_SL_PS);
	// non-leaf entries: R|W
	EXPECT_EQ(e.r64(root) & 0xfff, VTD_SL_R | VTD_SL_W);
}

TEST(RefDrv, FirstLevelMapWritesUserNxGlobalBits)
{
	Env e("domain f type=fl levels=5\n"
	      "map f 0x00ff000000001000 0x9000 0x1000 user nx global\n"
	      "map f 0x200000 0x400000 0x200000 page=2m perm=r\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = e.root("f");
	EXPECT_EQ(e.entry(root, 5, 0x00ff000000001000, 1),
		  0x9000 | VTD_FL_P | VTD_FL_RW | VTD_FL_US | VTD_FL_XD |
			  VTD_FL_G);
	EXPECT_EQ(e.entry(root, 5, 0x200000, 2),
		  0x400000 | VTD_FL_P | VTD_FL_PS);
	// non-leaf: P|RW|US, A left to hardware
	EXPECT_EQ(e.r64(root + 0xff * 8) & 0xfff,
		  VTD_FL_P | VTD_FL_RW | VTD_FL_US);
}

TEST(RefDrv, MapOverAnExistingMappingIsAUsageError)
{
	Env e("domain d type=sl\n"
	      "map d 0x200000 0xa0000000 0x200000 page=2m\n"
	      "map d 0x201000 0x1000 0x1000\n");
	EXPECT_EQ(e.rc, 2);
	EXPECT_EQ(e.err, "t.trace:3: IOVA 0x201000 already mapped by a larger "
			 "page in domain d\n");
}

TEST(RefDrv, UnmapClearsTheLeafAndRemapRewritesIt)
{
	Env e("domain d type=sl\n"
	      "map d 0x1000 0x80000000 0x2000\n"
	      "unmap d 0x1000 0x1000\n"
	      "remap d 0x2000 0x90000000 perm=r\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = e.root("d");
	EXPECT_EQ(e.entry(root, 4, 0x1000, 1), 0u);
	EXPECT_EQ(e.entry(root, 4, 0x2000, 1), 0x90000000u | VTD_SL_R);
}

TEST(RefDrv, ScalableAttachWritesContextDirectoryAndPasidEntries)
{
	Env e("iommu.init mode=scalable\n"
	      "domain f type=fl levels=5 did=20\n"
	      "attach 00:10.1 f pasid=0x41 sre wpe\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t root = refdrv_root_table(replay_driver(e.rp));
	EXPECT_EQ(e.reg(VTD_REG_RTADDR, 8),
		  root | (uint64_t)VTD_RTADDR_TTM_SCALABLE << 10);
	EXPECT_EQ(e.reg(VTD_REG_IQA, 8) & VTD_IQA_DW, VTD_IQA_DW);
	// devfn 0x81 is in the upper context table (root entry UCTP)
	uint16_t sid = 0x81;
	uint64_t re = e.r64(root + 8);
	ASSERT_TRUE(re & 1);
	uint64_t ce = (re & VTD_ROOT_LO_CTP_MASK) + (sid & 0x7f) * 32;
	uint64_t lo = e.r64(ce);
	EXPECT_TRUE(lo & VTD_SM_CTX_LO_P);
	EXPECT_TRUE(lo & VTD_SM_CTX_LO_PASIDE);
	EXPECT_EQ(VTD_SM_CTX_LO_PDTS(lo), 7u); // 20-bit PASIDs
	EXPECT_EQ(VTD_SM_CTX_HI_RID_PASID(e.r64(ce + 8)), 0u);
	uint64_t dir = lo & VTD_SM_CTX_LO_PASIDDIRPTR_MASK;
	uint64_t pde = e.r64(dir + 1 * 8); // PASID 0x41 >> 6
	ASSERT_TRUE(pde & VTD_PDE_P);
	uint64_t pe = (pde & VTD_PDE_SMPTBLPTR_MASK) + 1 * 64;
	uint64_t q0 = e.r64(pe), q1 = e.r64(pe + 8), q2 = e.r64(pe + 16);
	EXPECT_TRUE(q0 & VTD_PTE0_P);
	EXPECT_EQ(VTD_PTE0_PGTT(q0), (uint64_t)VTD_PGTT_FL);
	EXPECT_EQ(VTD_PTE1_DID(q1), 20u);
	EXPECT_EQ(q2 & VTD_PTE2_FLPTPTR_MASK, e.root("f"));
	EXPECT_EQ(VTD_PTE2_FLPM(q2), 1u);
	EXPECT_TRUE(q2 & VTD_PTE2_SRE);
	EXPECT_TRUE(q2 & VTD_PTE2_WPE);
	EXPECT_FALSE(q2 & VTD_PTE2_ERE);
}

TEST(RefDrv, NestedFirstLevelTablesAreIdentityMappedInTheParent)
{
	Env e("iommu.init mode=scalable\n"
	      "domain vm type=sl\n"
	      "domain g type=fl parent=vm\n"
	      "map g 0x1000 0x5000 0x1000\n"
	      "attach 00:01.0 g pasid=1\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t groot = e.root("g");
	// the FL root page, as a GPA, maps to itself in the SL parent
	EXPECT_EQ(e.entry(e.root("vm"), 4, groot, 1) & VTD_SL_ADDR_MASK, groot);
	uint64_t pdpt = e.r64(groot) & VTD_FL_ADDR_MASK;
	EXPECT_EQ(e.entry(e.root("vm"), 4, pdpt, 1) & VTD_SL_ADDR_MASK, pdpt);
}

TEST(RefDrv, DetachIssuesPasidCachePiotlbAndWait)
{
	Env e("iommu.init mode=scalable\n"
	      "domain f type=fl did=5\n"
	      "attach 00:01.0 f pasid=7\n"
	      "detach 00:01.0 pasid=7\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t iq = refdrv_queue_base(replay_driver(e.rp));
	// after init's cc, pc, iotlb, wait (4 x 32 bytes): pc, p_iotlb, wait
	uint64_t pc = e.r64(iq + 4 * 32), piotlb = e.r64(iq + 5 * 32);
	EXPECT_EQ(VTD_QI_TYPE(pc), (uint64_t)VTD_QI_PC);
	EXPECT_EQ(VTD_QI_G(pc), (uint64_t)VTD_QI_PC_G_PASID);
	EXPECT_EQ(VTD_QI_DID(pc), 5u);
	EXPECT_EQ(VTD_QI_PASID(pc), 7u);
	EXPECT_EQ(VTD_QI_TYPE(piotlb), (uint64_t)VTD_QI_PIOTLB);
	EXPECT_EQ(VTD_QI_G(piotlb), (uint64_t)VTD_QI_PIOTLB_G_PASID);
	EXPECT_EQ(VTD_QI_TYPE(e.r64(iq + 6 * 32)), (uint64_t)VTD_QI_IWD);
	EXPECT_EQ(refdrv_descriptors(replay_driver(e.rp), VTD_QI_IWD), 2u);
	EXPECT_EQ(e.reg(VTD_REG_IQT, 8), 7u * 32);
}

TEST(RefDrv, UnmapOfASecondLevelRangeUsesPageSelectiveIotlb)
{
	Env e("iommu.init mode=legacy\n"
	      "domain d type=sl did=4\n"
	      "map d 0x10000 0x80000000 0x4000\n"
	      "attach 00:01.0 d\n"
	      "unmap d 0x11000 0x2000\n");
	ASSERT_EQ(e.rc, 0) << e.err;
	uint64_t iq = refdrv_queue_base(replay_driver(e.rp));
	uint64_t q0 = e.r64(iq + 3 * 16), q1 = e.r64(iq + 3 * 16 + 8);
	EXPECT_EQ(VTD_QI_TYPE(q0), (uint64_t)VTD_QI_IOTLB);
	EXPECT_EQ(VTD_QI_G(q0), (uint64_t)VTD_QI_IOTLB_G_PAGE);
	EXPECT_EQ(VTD_QI_DID(q0), 4u);
	// 0x11000-0x12fff needs the aligned 16 KiB block at 0x10000: AM 2
	EXPECT_EQ(q1 & VTD_QI_ADDR_MASK, 0x10000u);
	EXPECT_EQ(VTD_QI_AM(q1), 2u);
}

TEST(RefDrv, RegisterInvalidationWithoutQueue)
{
	Env e("iommu.init mode=legacy qi=off\n"
	      "domain d type=sl\n"
	      "map d 0x1000 0x80000000 0x1000\n"
	      "attach 00:01.0 d\n"
	      "inv.cc device domain=d sid=00:01.0\n"
	      "inv.iotlb page domain=d addr=0x1000\n"
	      "inv.pc global\n");
	EXPECT_EQ(e.rc, 2);
	EXPECT_EQ(e.err, "t.trace:7: this invalidation needs queued "
			 "invalidation (iommu.init qi=on)\n");
	EXPECT_EQ(e.reg(VTD_REG_CCMD, 8) & VTD_CCMD_ICC, 0u);
	uint32_t iro = (uint32_t)VTD_ECAP_IRO(e.reg(VTD_REG_ECAP, 8)) * 16;
	EXPECT_EQ(e.reg(iro + 8, 8) & VTD_IOTLB_IVT, 0u);
	EXPECT_EQ(refdrv_descriptors(replay_driver(e.rp), VTD_QI_IOTLB), 2u);
}
