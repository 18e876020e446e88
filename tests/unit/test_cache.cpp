// SPDX-License-Identifier: MIT
// The set-associative cache and the tagging/invalidation of the IOTLB,
// context cache, PASID cache and paging-structure caches.
#include "fixture.h"

extern "C" {
#include "vtd_internal.h"
}

namespace
{

struct Payload {
	uint64_t value;
};

struct CacheTest : ::testing::Test {
	vtd_cache_stats stats{};
	vtd_cache *make(uint32_t sets, uint32_t ways, vtd_replacement r)
	{
		vtd_cache_geometry g{sets, ways, r};
		return vtd_cache_create(&g, sizeof(Payload), 42, &stats);
	}
	static vtd_cache_key key(uint64_t page)
	{
		vtd_cache_key k{};
		k.addr = page << 12;
		return k;
	}
};

TEST_F(CacheTest, FilledEntryHitsWithItsDataAndCountsLookups)
{
	vtd_cache *c = make(4, 2, VTD_REPL_LRU);
	vtd_cache_key k = key(7);
	Payload p{0x1234};

	EXPECT_EQ(vtd_cache_lookup(c, &k), nullptr);
	vtd_cache_fill(c, &k, &p);
	auto *hit = static_cast<Payload *>(vtd_cache_lookup(c, &k));
	ASSERT_NE(hit, nullptr);
	EXPECT_EQ(hit->value, 0x1234u);
	EXPECT_EQ(stats.lookups, 2u);
	EXPECT_EQ(stats.hits, 1u);
	EXPECT_EQ(stats.misses, 1u);
	EXPECT_EQ(stats.fills, 1u);
	vtd_cache_destroy(c);
}

TEST_F(CacheTest, KeysDifferingInAnyTagDoNotAlias)
{
	vtd_cache *c = make(1, 8, VTD_REPL_LRU);
	vtd_cache_key k = key(1);
	Payload p{1};

	vtd_cache_fill(c, &k, &p);
	vtd_cache_key other = k;
	other.did = 1;
	EXPECT_EQ(vtd_cache_find(c, &other), nullptr);
	other = k;
	other.pasid = 5;
	EXPECT_EQ(vtd_cache_find(c, &other), nullptr);
	other = k;
	other.sid = 0x100;
	EXPECT_EQ(vtd_cache_find(c, &other), nullptr);
	other = k;
	other.level = 2;
	EXPECT_EQ(vtd_cache_find(c, &other), nullptr);
	vtd_cache_destroy(c);
}

TEST_F(CacheTest, CapacityIsBoundedAndLruEvictsLeastRecentlyUsed)
{
	vtd_cache *c = make(1, 2, VTD_REPL_LRU);
	vtd_cache_key a = key(1), b = key(2), d = key(3);
	Payload p{0};

	vtd_cache_fill(c, &a, &p);
	vtd_cache_fill(c, &b, &p);
	ASSERT_NE(vtd_cache_find(c, &a), nullptr); // a is now most recent
	vtd_cache_fill(c, &d, &p);
	EXPECT_NE(vtd_cache_find(c, &a), nullptr);
	EXPECT_EQ(vtd_cache_find(c, &b), nullptr);
	EXPECT_NE(vtd_cache_find(c, &d), nullptr);
	EXPECT_EQ(stats.evictions, 1u);
	vtd_cache_destroy(c);
}

TEST_F(CacheTest, FifoEvictsOldestFillRegardlessOfUse)
{
	vtd_cache *c = make(1, 2, VTD_REPL_FIFO);
	vtd_cache_key a = key(1), b = key(2), d = key(3);
	Payload p{0};

	vtd_cache_fill(c, &a, &p);
	vtd_cache_fill(c, &b, &p);
	ASSERT_NE(vtd_cache_find(c, &a), nullptr);
	vtd_cache_fill(c, &d, &p);
	EXPECT_EQ(vtd_cache_find(c, &a), nullptr);
	EXPECT_NE(vtd_cache_find(c, &b), nullptr);
	vtd_cache_destroy(c);
}

TEST_F(CacheTest, RandomReplacementIsDeterministicForASeed)
{
	auto run = [&]() {
		vtd_cache *c = make(1, 4, VTD_REPL_RANDOM);
		Payload p{0};
		for (uint64_t i = 0; i < 64; i++) {
			vtd_cache_key k = key(i);
			vtd_cache_fill(c, &k, &p);
		}
		std::vector<bool> present;
		for (uint64_t i = 0; i < 64; i++) {
			vtd_cache_key k = key(i);
			present.push_back(vtd_cache_find(c, &k) != nullptr);
		}
		vtd_cache_destroy(c);
		return present;
	};
	auto first = run();
	EXPECT_EQ(first, run());
	EXPECT_EQ(std::count(first.begin(), first.end(), true), 4);
}

TEST_F(CacheTest, ZeroSetsDisablesTheCache)
{
	vtd_cache *c = make(0, 4, VTD_REPL_LRU);
	vtd_cache_key k = key(1);
	Payload p{0};

	vtd_cache_fill(c, &k, &p);
	EXPECT_EQ(vtd_cache_lookup(c, &k), nullptr);
	EXPECT_EQ(stats.misses, 1u);
	vtd_cache_destroy(c);
}

TEST_F(CacheTest, InvalidateDropsOnlyMatchingEntriesAndCountsThem)
{
	vtd_cache *c = make(8, 4, VTD_REPL_LRU);
	Payload p{0};
	for (uint64_t i = 0; i < 8; i++) {
		vtd_cache_key k = key(i);
		k.did = (uint16_t)(i & 1);
		vtd_cache_fill(c, &k, &p);
	}
	auto odd = [](const vtd_cache_key *k, const void *, const void *) {
		return k->did == 1;
	};
	EXPECT_EQ(vtd_cache_invalidate(c, odd, nullptr), 4u);
	EXPECT_EQ(stats.invalidations, 4u);
	for (uint64_t i = 0; i < 8; i++) {
		vtd_cache_key k = key(i);
		k.did = (uint16_t)(i & 1);
		EXPECT_EQ(vtd_cache_find(c, &k) != nullptr, (i & 1) == 0);
	}
	vtd_cache_destroy(c);
}

// ---- the specific caches, through a model instance ---------------------

struct IotlbTest : ::testing::Test {
	vtdtest::Model m;
	void fill(uint16_t did, uint32_t pasid, uint64_t addr, unsigned level,
		  uint8_t pgtt, bool global = false)
	{
		vtd_iotlb_data d{};
		d.pa = 0x40000000 + addr;
		d.perm = VTD_PERM_R | VTD_PERM_W;
		d.pgtt = pgtt;
		d.global = global;
		vtd_iotlb_fill(m.v, did, pasid, addr, level, &d);
	}
	bool hit(uint16_t did, uint32_t pasid, uint64_t addr)
	{
		unsigned level = 0;
		return vtd_iotlb_lookup(m.v, did, pasid, addr, &level) !=
		       nullptr;
	}
};

TEST_F(IotlbTest, LargePageEntryCoversEveryAddressInThePage)
{
	unsigned level = 0;
	fill(1, VTD_NO_PASID, 0x200000, 2, VTD_PGTT_SL);
	auto *d = vtd_iotlb_lookup(m.v, 1, VTD_NO_PASID, 0x3ff123, &level);
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(level, 2u);
	EXPECT_FALSE(hit(1, VTD_NO_PASID, 0x400000));
	// one probe of all page sizes counts as one lookup
	EXPECT_EQ(m.stats().cache[VTD_CACHE_IOTLB].lookups, 2u);
}

TEST_F(IotlbTest, PageSelectiveInvalidationDropsExactlyTheMaskedRange)
{
	for (uint64_t p = 0; p < 8; p++)
		fill(1, VTD_NO_PASID, p << 12, 1, VTD_PGTT_SL);
	// AM=2: the 4 pages at 0x4000..0x7fff
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 1, 0x4000, 2, false);
	for (uint64_t p = 0; p < 8; p++)
		EXPECT_EQ(hit(1, VTD_NO_PASID, p << 12), p < 4) << p;
}

// Strict mode (the specification's scope, docs/conformance.md). A
// domain-selective IOTLB invalidation drops every entry of the DID, every
// PGTT, and keeps other domains' entries; a global one drops everything.
TEST_F(IotlbTest, DomainSelectiveInvalidationDropsTheDomainsEntriesOfEveryPgtt)
{
	fill(1, VTD_NO_PASID, 0x1000, 1, VTD_PGTT_SL);
	fill(2, VTD_NO_PASID, 0x1000, 1, VTD_PGTT_SL);
	fill(1, 7, 0x1000, 1, VTD_PGTT_FL);
	fill(1, 8, 0x1000, 1, VTD_PGTT_NESTED);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_DOMAIN, 1, 0, 0, false);
	EXPECT_FALSE(hit(1, VTD_NO_PASID, 0x1000));
	EXPECT_FALSE(hit(1, 7, 0x1000));
	EXPECT_FALSE(hit(1, 8, 0x1000));
	EXPECT_TRUE(hit(2, VTD_NO_PASID, 0x1000));
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_GLOBAL, 0, 0, 0, false);
	EXPECT_FALSE(hit(2, VTD_NO_PASID, 0x1000));
}

// Page-selective-within-domain (6.5.2.3): second-level entries in range,
// first-level and nested entries of the DID at any address.
TEST_F(IotlbTest, IotlbPageInvalidationDropsFirstLevelAndNestedOfTheDomain)
{
	fill(1, 7, 0x5000, 1, VTD_PGTT_FL);
	fill(1, 8, 0x9000, 1, VTD_PGTT_NESTED);
	fill(1, VTD_NO_PASID, 0x3000, 1, VTD_PGTT_SL);
	fill(2, 7, 0x1000, 1, VTD_PGTT_FL);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 1, 0x1000, 0, false);
	EXPECT_FALSE(hit(1, 7, 0x5000));
	EXPECT_FALSE(hit(1, 8, 0x9000));
	EXPECT_TRUE(hit(1, VTD_NO_PASID, 0x3000)) << "second level: range";
	EXPECT_TRUE(hit(2, 7, 0x1000)) << "other domain";
}

// First-level paging-structure entries of a first-level-only translation
// need a PASID-based invalidation: a page-selective IOTLB invalidation
// keeps them (a driver relying on it is caught by the checker), while
// those of a nested translation go (a second-level change moves tables).
// Generous mode drops both.
TEST_F(IotlbTest, IotlbPageInvalidationKeepsFirstLevelOnlyPagingStructures)
{
	vtd_psc_data fl{0x5000, VTD_PERM_R, false}, ne{0x6000, VTD_PERM_R, true};
	unsigned level = 0;
	vtd_psc_fill(m.v, VTD_CACHE_FL_PSC, 1, 7, 0x200000, 2, &fl);
	vtd_psc_fill(m.v, VTD_CACHE_FL_PSC, 1, 8, 0x200000, 2, &ne);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 1, 0x200000, 0, false);
	EXPECT_NE(vtd_psc_lookup(m.v, VTD_CACHE_FL_PSC, 1, 7, 0x200000, 2, 4,
				 &level),
		  nullptr);
	EXPECT_EQ(vtd_psc_lookup(m.v, VTD_CACHE_FL_PSC, 1, 8, 0x200000, 2, 4,
				 &level),
		  nullptr);
	vtd_piotlb_invalidate(m.v, VTD_QI_PIOTLB_G_PAGE, 1, 7, 0x200000, 0,
			      false);
	EXPECT_EQ(vtd_psc_lookup(m.v, VTD_CACHE_FL_PSC, 1, 7, 0x200000, 2, 4,
				 &level),
		  nullptr);
}

TEST(IotlbGenerous, AnyIotlbDescriptorDropsEverythingOfTheDomain)
{
	vtdtest::Model m([](vtd_config &c) { c.inv_mode = VTD_INV_GENEROUS; });
	vtd_psc_data fl{0x5000, VTD_PERM_R, false};
	vtd_iotlb_data d{};
	unsigned level = 0;
	d.perm = VTD_PERM_R;
	d.pgtt = VTD_PGTT_SL;
	vtd_iotlb_fill(m.v, 1, VTD_NO_PASID, 0x9000, 1, &d);
	vtd_iotlb_fill(m.v, 2, VTD_NO_PASID, 0x9000, 1, &d);
	vtd_psc_fill(m.v, VTD_CACHE_FL_PSC, 1, 7, 0x200000, 2, &fl);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 1, 0x1000, 0, true);
	EXPECT_EQ(vtd_iotlb_lookup(m.v, 1, VTD_NO_PASID, 0x9000, &level),
		  nullptr);
	EXPECT_NE(vtd_iotlb_lookup(m.v, 2, VTD_NO_PASID, 0x9000, &level),
		  nullptr);
	EXPECT_EQ(vtd_psc_lookup(m.v, VTD_CACHE_FL_PSC, 1, 7, 0x200000, 2, 4,
				 &level),
		  nullptr);
	// a PASID-cache invalidation of domain 2 takes its translations too
	vtd_pasid_cache_invalidate(m.v, VTD_QI_PC_G_DOMAIN, 2, 0);
	EXPECT_EQ(vtd_iotlb_lookup(m.v, 2, VTD_NO_PASID, 0x9000, &level),
		  nullptr);
}

TEST_F(IotlbTest, PasidBasedInvalidationTouchesOnlyItsPasid)
{
	fill(1, 7, 0x1000, 1, VTD_PGTT_FL);
	fill(1, 8, 0x1000, 1, VTD_PGTT_FL);
	fill(1, 7, 0x2000, 1, VTD_PGTT_FL, true);
	fill(1, VTD_NO_PASID, 0x1000, 1, VTD_PGTT_SL);
	fill(1, 7, 0x3000, 1, VTD_PGTT_SL);
	fill(1, 7, 0x4000, 1, VTD_PGTT_SL);
	// page-selective within the PASID: first-level entries only
	vtd_piotlb_invalidate(m.v, VTD_QI_PIOTLB_G_PAGE, 1, 7, 0x3000, 0,
			      false);
	EXPECT_TRUE(hit(1, 7, 0x3000)) << "second level: not this one's";
	// PASID-selective: every PGTT of the DID and PASID (Table 21)
	vtd_piotlb_invalidate(m.v, VTD_QI_PIOTLB_G_PASID, 1, 7, 0, 0, false);
	EXPECT_FALSE(hit(1, 7, 0x1000));
	EXPECT_FALSE(hit(1, 7, 0x4000));
	EXPECT_TRUE(hit(1, 7, 0x2000)) << "global entries survive";
	EXPECT_TRUE(hit(1, 8, 0x1000));
	EXPECT_TRUE(hit(1, VTD_NO_PASID, 0x1000)) << "another PASID's";
	vtd_piotlb_invalidate(m.v, VTD_QI_PIOTLB_G_PAGE, 1, 7, 0x2000, 0,
			      false);
	EXPECT_FALSE(hit(1, 7, 0x2000));
}

TEST_F(IotlbTest, InvalidationHintKeepsPagingStructureCaches)
{
	vtd_psc_data d{0x5000, VTD_PERM_R, false};
	unsigned level = 0;
	vtd_psc_fill(m.v, VTD_CACHE_SL_PSC, 1, VTD_NO_PASID, 0x200000, 2, &d);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 1, 0x200000, 0, true);
	EXPECT_NE(vtd_psc_lookup(m.v, VTD_CACHE_SL_PSC, 1, VTD_NO_PASID,
				 0x200000, 2, 4, &level),
		  nullptr);
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_PAGE, 1, 0x200000, 0, false);
	EXPECT_EQ(vtd_psc_lookup(m.v, VTD_CACHE_SL_PSC, 1, VTD_NO_PASID,
				 0x200000, 2, 4, &level),
		  nullptr);
}

TEST(PagingStructureCache, LookupReturnsTheDeepestCachedLevel)
{
	vtdtest::Model m;
	vtd_psc_data l3{0x3000, VTD_PERM_R, false}, l2{0x2000, VTD_PERM_R, false};
	unsigned level = 0;
	vtd_psc_fill(m.v, VTD_CACHE_FL_PSC, 1, 5, 0x40200000, 3, &l3);
	vtd_psc_fill(m.v, VTD_CACHE_FL_PSC, 1, 5, 0x40200000, 2, &l2);
	auto *d = vtd_psc_lookup(m.v, VTD_CACHE_FL_PSC, 1, 5, 0x40212345, 2, 5,
				 &level);
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(level, 2u);
	EXPECT_EQ(d->next, 0x2000u);
	EXPECT_EQ(vtd_psc_lookup(m.v, VTD_CACHE_FL_PSC, 1, 6, 0x40212345, 2, 5,
				 &level),
		  nullptr)
		<< "first-level entries are PASID-tagged";
}

TEST(ContextCache, DeviceSelectiveInvalidationHonoursFunctionMask)
{
	vtdtest::Model m;
	vtd_context_cache_data d{};
	for (uint16_t fn = 0; fn < 8; fn++)
		vtd_context_cache_fill(m.v, (uint16_t)(0x0100 | fn), &d);
	// FM=2 masks function bits 2:1: every even function of 01:00 goes
	vtd_context_cache_invalidate(m.v, VTD_QI_CC_G_DEVICE, 0, 0x0104, 2);
	for (uint16_t fn = 0; fn < 8; fn++)
		EXPECT_EQ(vtd_context_cache_lookup(m.v, 0x0100 | fn) != nullptr,
			  (fn & 1) == 1)
			<< fn;
}

TEST(ContextCache, DomainSelectiveInvalidationMatchesLegacyDid)
{
	vtdtest::Model m;
	vtd_context_cache_data a{}, b{};
	a.did = 3;
	b.did = 4;
	vtd_context_cache_fill(m.v, 0x10, &a);
	vtd_context_cache_fill(m.v, 0x18, &b);
	vtd_context_cache_invalidate(m.v, VTD_QI_CC_G_DOMAIN, 3, 0, 0);
	EXPECT_EQ(vtd_context_cache_lookup(m.v, 0x10), nullptr);
	EXPECT_NE(vtd_context_cache_lookup(m.v, 0x18), nullptr);
}

TEST(PasidCache, PasidSelectiveInvalidationNeedsMatchingDidAndPasid)
{
	vtdtest::Model m;
	vtd_pasid_cache_data d{};
	d.did = 9;
	vtd_pasid_cache_fill(m.v, 0x10, 1, &d);
	vtd_pasid_cache_fill(m.v, 0x10, 2, &d);
	vtd_pasid_cache_invalidate(m.v, VTD_QI_PC_G_PASID, 8, 1);
	EXPECT_NE(vtd_pasid_cache_lookup(m.v, 0x10, 1), nullptr);
	vtd_pasid_cache_invalidate(m.v, VTD_QI_PC_G_PASID, 9, 1);
	EXPECT_EQ(vtd_pasid_cache_lookup(m.v, 0x10, 1), nullptr);
	EXPECT_NE(vtd_pasid_cache_lookup(m.v, 0x10, 2), nullptr);
	vtd_pasid_cache_invalidate(m.v, VTD_QI_PC_G_DOMAIN, 9, 0);
	EXPECT_EQ(vtd_pasid_cache_lookup(m.v, 0x10, 2), nullptr);
}

TEST(CacheSteps, LookupsAndFillsAreReportedAsSteps)
{
	vtdtest::Model m;
	vtd_context_cache_data d{};
	m.record_steps = true;
	vtd_context_cache_lookup(m.v, 1);
	vtd_context_cache_fill(m.v, 1, &d);
	vtd_context_cache_lookup(m.v, 1);
	ASSERT_EQ(m.steps.size(), 3u);
	EXPECT_EQ(m.steps[0].kind, VTD_STEP_CACHE_LOOKUP);
	EXPECT_FALSE(m.steps[0].hit);
	EXPECT_EQ(m.steps[1].kind, VTD_STEP_CACHE_FILL);
	EXPECT_TRUE(m.steps[2].hit);
	EXPECT_EQ(m.steps[2].cache, VTD_CACHE_CONTEXT);
}

} // namespace
