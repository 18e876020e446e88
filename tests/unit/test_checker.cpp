// SPDX-License-Identifier: MIT
// Stale-translation checker: a table change without the invalidation the
// spec requires is reported with the cache and the missing descriptor.
#include "xlate_util.h"

using namespace xlt;

namespace
{

const uint16_t kSid = sid(0x12, 3, 4);

auto check_on = [](vtd_config &c) { c.check_stale = true; };

TEST(Checker, LegacyPteChangeWithoutIotlbInvalidationIsReported)
{
	Xlate m(check_on);
	Legacy l(m, kSid, 4, 3);
	l.map(0x1000, 0x2000);
	ASSERT_TRUE(m.tr(kSid, 0x1000).ok);
	EXPECT_TRUE(m.stale.empty());
	// Software remaps the page but forgets the IOTLB invalidation.
	uint64_t pte = m.entry_addr(l.slpt, 4, 0x1000, 1);
	m.mem.w64(pte, 0x7000 | kSlRW);
	auto r = m.tr(kSid, 0x1010);
	EXPECT_TRUE(r.iotlb_hit);
	EXPECT_EQ(r.addr, 0x2010u); // hardware uses the cached entry
	ASSERT_EQ(m.stale.size(), 1u);
	const auto &s = m.stale[0];
	EXPECT_EQ(s.cache, VTD_CACHE_IOTLB);
	EXPECT_EQ(s.sid, kSid);
	EXPECT_EQ(s.did, 3);
	EXPECT_EQ(s.addr, 0x1010u);
	EXPECT_EQ(s.cached_addr, 0x2010u);
	EXPECT_EQ(s.memory_addr, 0x7010u);
	EXPECT_STREQ(s.missing_invalidation,
		     "IOTLB invalidation (page-selective-within-domain)");
	EXPECT_EQ(m.stats().stale_reports, 1u);

	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 3, 0x1000, 0, false);
	r = m.tr(kSid, 0x1010);
	EXPECT_EQ(r.addr, 0x7010u);
	r = m.tr(kSid, 0x1010);
	EXPECT_TRUE(r.iotlb_hit);
	EXPECT_EQ(m.stale.size(), 1u);
}

TEST(Checker, FirstLevelUnmapWithoutPasidIotlbInvalidationIsReported)
{
	Xlate m(check_on);
	Scalable s(m, kSid);
	s.first_level(9, 4);
	s.flmap(0x5000, 0x6000);
	ASSERT_TRUE(m.trp(kSid, 9, 0x5000).ok);
	m.mem.w64(m.entry_addr(s.flpt, 4, 0x5000, 1), 0);
	EXPECT_TRUE(m.trp(kSid, 9, 0x5000).ok);
	ASSERT_EQ(m.stale.size(), 1u);
	EXPECT_EQ(m.stale[0].cache, VTD_CACHE_IOTLB);
	EXPECT_FALSE(m.stale[0].memory_ok);
	EXPECT_EQ(m.stale[0].memory_fault, VTD_FR_SM_FL_NOT_PRESENT);
	EXPECT_TRUE(m.stale[0].has_pasid);
	EXPECT_EQ(m.stale[0].pasid, 9u);
	EXPECT_STREQ(m.stale[0].missing_invalidation,
		     "PASID-based IOTLB invalidation "
		     "(page-selective-within-PASID)");

	vtd_piotlb_invalidate(m.v, VTD_QI_PIOTLB_G_PAGE, 4, 9, 0x5000, 0,
			      false);
	auto r = m.trp(kSid, 9, 0x5000);
	EXPECT_EQ(r.fault, VTD_FR_SM_FL_NOT_PRESENT);
	EXPECT_EQ(m.stale.size(), 1u);
}

TEST(Checker, ContextChangeWithoutContextInvalidationNamesContextCache)
{
	Xlate m(check_on);
	Legacy l(m, kSid, 4, 3);
	l.map(0x1000, 0x2000);
	ASSERT_TRUE(m.tr(kSid, 0x1000).ok);
	l.set_context(0, 0); // device detached, no invalidation
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_GLOBAL, 0, 0, 0, false);
	EXPECT_TRUE(m.tr(kSid, 0x1000).ok);
	ASSERT_EQ(m.stale.size(), 1u);
	EXPECT_EQ(m.stale[0].cache, VTD_CACHE_CONTEXT);
	EXPECT_EQ(m.stale[0].memory_fault, VTD_FR_CTX_NOT_PRESENT);
	EXPECT_STREQ(m.stale[0].missing_invalidation,
		     "context-cache invalidation (device-selective)");
	vtd_context_cache_invalidate(m.v, VTD_QI_CC_G_DEVICE, 3, kSid, 0);
	EXPECT_EQ(m.tr(kSid, 0x1000).fault, VTD_FR_CTX_NOT_PRESENT);
	EXPECT_EQ(m.stale.size(), 1u);
}

TEST(Checker, PasidEntryChangeNamesPasidCache)
{
	Xlate m(check_on);
	Scalable s(m, kSid);
	s.first_level(2, 4);
	s.flmap(0x1000, 0x2000);
	ASSERT_TRUE(m.trp(kSid, 2, 0x1000).ok);
	s.set_pasid(2, 0, 0, 0);
	vtd_piotlb_invalidate(m.v, VTD_QI_PIOTLB_G_PASID, 4, 2, 0, 0, false);
	EXPECT_TRUE(m.trp(kSid, 2, 0x1000).ok);
	ASSERT_EQ(m.stale.size(), 1u);
	EXPECT_EQ(m.stale[0].cache, VTD_CACHE_PASID);
	EXPECT_STREQ(m.stale[0].missing_invalidation,
		     "PASID-cache invalidation (PASID-selective)");
}

TEST(Checker, ShadowWalkHasNoSideEffects)
{
	Xlate m(check_on);
	Scalable s(m, kSid);
	s.first_level(2, 4);
	s.flmap(0x1000, 0x2000);
	m.record_steps = true;
	vtd_request q{};
	q.sid = kSid;
	q.has_pasid = true;
	q.pasid = 2;
	q.addr = 0x1000;
	vtd_result r{};
	vtd_translate_uncached(m.v, &q, &r);
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(m.mem.writes, 0u);
	EXPECT_TRUE(m.steps.empty());
	EXPECT_EQ(m.stats().requests, 0u);
	EXPECT_EQ(m.stats().cache[VTD_CACHE_IOTLB].lookups, 0u);
	EXPECT_FALSE(m.mem.r64(m.entry_addr(s.flpt, 4, 0x1000, 1)) & VTD_FL_A);
	EXPECT_FALSE(m.v->shadow);
}

TEST(Checker, ReportFormatsOneLine)
{
	vtd_stale_report r{};
	r.sid = sid(0x12, 3, 4);
	r.has_pasid = true;
	r.pasid = 9;
	r.addr = 0x5000;
	r.cache = VTD_CACHE_IOTLB;
	r.did = 4;
	r.cached_ok = true;
	r.cached_addr = 0x6000;
	r.cached_perm = VTD_PERM_R | VTD_PERM_W;
	r.memory_fault = 0x71;
	r.missing_invalidation = "PASID-based IOTLB invalidation "
				 "(page-selective-within-PASID)";
	char buf[256];
	vtd_stale_report_format(&r, buf, sizeof(buf));
	EXPECT_STREQ(buf, "stale iotlb entry: sid 12:03.4 pasid 9 addr 0x5000 "
			  "did 4: cached 0x6000 rw--, memory fault 0x71; "
			  "missing PASID-based IOTLB invalidation "
			  "(page-selective-within-PASID)");
}

} // namespace

// Caching mode (CAP.CM=1, spec 6.1): a second-level walk that finds a
// not-present entry may leave it cached, so software must invalidate after
// making an entry present; with CM=0 it need not.
auto caching_mode = [](vtd_config &c) {
	c.check_stale = true;
	c.cap |= VTD_CAP_CM;
};

TEST(CachingMode,
     LegacyNotPresentPageIsCachedUntilInvalidatedAndMapWithoutFlushIsReported)
{
	Xlate m(caching_mode);
	Legacy l(m, kSid, 4, 3);
	l.map(0x1000, 0x2000); // builds the tables; 0x3000 stays not present
	EXPECT_EQ(m.tr(kSid, 0x3000).fault, VTD_FR_PTE_READ);
	EXPECT_EQ(m.tr(kSid, 0x3000, VTD_ACCESS_WRITE).fault, VTD_FR_PTE_WRITE);
	EXPECT_TRUE(m.stale.empty());
	l.map(0x3000, 0x8000); // software maps it and forgets the flush
	auto r = m.tr(kSid, 0x3010);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.fault, VTD_FR_PTE_READ); // the cached not-present entry
	ASSERT_EQ(m.stale.size(), 1u);
	EXPECT_EQ(m.stale[0].cache, VTD_CACHE_IOTLB);
	EXPECT_FALSE(m.stale[0].cached_ok);
	EXPECT_TRUE(m.stale[0].memory_ok);
	EXPECT_EQ(m.stale[0].memory_addr, 0x8010u);
	EXPECT_NE(std::string(m.stale[0].missing_invalidation)
			  .find("flush on map (CAP.CM=1"),
		  std::string::npos);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 3, 0x3000, 0, false);
	r = m.tr(kSid, 0x3010);
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.addr, 0x8010u);
	EXPECT_EQ(m.stale.size(), 1u);
}

TEST(CachingMode, ANotPresentDirectoryEntryCoversItsWholeRegion)
{
	Xlate m(caching_mode);
	Legacy l(m, kSid, 4, 3);
	l.map(0x1000, 0x2000);
	// 0x40000000 has no page directory: the level-3 entry is not present,
	// and its 1 GiB region is cached not present
	EXPECT_EQ(m.tr(kSid, 0x40000000).fault, VTD_FR_PTE_READ);
	l.map(0x40200000, 0x600000, 2);
	EXPECT_FALSE(m.tr(kSid, 0x40200000).ok);
	ASSERT_EQ(m.stale.size(), 1u);
	// a page-selective flush of the new 2 MiB page reaches the entry
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 3, 0x40200000, 9, false);
	EXPECT_EQ(m.tr(kSid, 0x40200000).addr, 0x600000u);
}

TEST(CachingMode, WithoutCachingModeAMapNeedsNoFlush)
{
	Xlate m(check_on);
	Legacy l(m, kSid, 4, 3);
	l.map(0x1000, 0x2000);
	EXPECT_EQ(m.tr(kSid, 0x3000).fault, VTD_FR_PTE_READ);
	l.map(0x3000, 0x8000);
	EXPECT_EQ(m.tr(kSid, 0x3000).addr, 0x8000u);
	EXPECT_TRUE(m.stale.empty());
}

TEST(CachingMode, ScalableSecondLevelCachesNotPresentButFirstLevelNever)
{
	Xlate m(caching_mode);
	Scalable s(m, kSid);
	s.second_level(0, 5);
	s.slmap(0x1000, 0x2000);
	EXPECT_EQ(m.tr(kSid, 0x3000).fault, VTD_FR_SM_SL_PERM);
	s.slmap(0x3000, 0x9000);
	EXPECT_EQ(m.tr(kSid, 0x3000).fault, VTD_FR_SM_SL_PERM);
	ASSERT_EQ(m.stale.size(), 1u);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_DOMAIN, 5, 0, 0, false);
	EXPECT_EQ(m.tr(kSid, 0x3000).addr, 0x9000u);

	s.first_level(7, 6);
	s.flmap(0x5000, 0x6000);
	EXPECT_EQ(m.trp(kSid, 7, 0x7000).fault, VTD_FR_SM_FL_NOT_PRESENT);
	s.flmap(0x7000, 0xa000);
	EXPECT_EQ(m.trp(kSid, 7, 0x7000).addr, 0xa000u);
	EXPECT_EQ(m.stale.size(), 1u);
}
