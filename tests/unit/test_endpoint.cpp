// SPDX-License-Identifier: MIT
// The PCIe endpoint model: configuration space with PASID/ATS/PRI, the
// device-TLB, the access state machine with page requests and retries,
// and device-TLB invalidation with completions.
#include "xlate_util.h"

#include <vtdsim/endpoint.h>
#include <vtdsim/pcie_caps.h>

using namespace xlt;

namespace
{

constexpr uint16_t kSid = 0x0410;
constexpr uint32_t kPasid = 9;

struct Dev : Xlate {
	vtd_endpoint *ep = nullptr;
	std::vector<vtd_dev_result> done;
	std::vector<std::string> bad; // page group responses refused
	uint64_t prq = 0;

	explicit Dev(const std::function<void(vtd_endpoint_config &)> &tw = {},
		     const std::function<void(vtd_config &)> &model_tw = {})
	    : Xlate(model_tw)
	{
		vtd_endpoint_config c;
		vtd_endpoint_config_init(&c, kSid);
		if (tw)
			tw(c);
		vtd_endpoint_ops ops{};
		ops.done = [](void *o, vtd_endpoint *,
			      const vtd_dev_result *r) {
			static_cast<Dev *>(o)->done.push_back(*r);
		};
		ops.bad_response = [](void *o, vtd_endpoint *,
				      const char *why) {
			static_cast<Dev *>(o)->bad.push_back(why);
		};
		char err[128] = "";
		ep = vtd_endpoint_create(v, &c, &ops, this, err, sizeof(err));
		if (!ep)
			ADD_FAILURE() << err;
	}
	uint16_t cap(uint16_t id)
	{
		uint16_t off = PCIE_EXT_CAP_START;
		for (int i = 0; off && i < 8; i++) {
			uint32_t h = vtd_endpoint_cfg_read(ep, off, 4);
			if (PCIE_EXT_CAP_ID(h) == id)
				return off;
			off = (uint16_t)PCIE_EXT_CAP_NEXT(h);
		}
		return 0;
	}
	// Enable everything as Linux does (PASID, ATS with STU 0, PRI).
	void enable_all(uint32_t alloc = 32)
	{
		vtd_endpoint_cfg_write(
			ep, cap(PCIE_EXT_CAP_ID_PASID) + PCIE_PASID_CTRL, 2,
			PCIE_PASID_CTRL_ENABLE);
		vtd_endpoint_cfg_write(ep,
				       cap(PCIE_EXT_CAP_ID_ATS) + PCIE_ATS_CTRL,
				       2, PCIE_ATS_CTRL_ENABLE);
		vtd_endpoint_cfg_write(
			ep, cap(PCIE_EXT_CAP_ID_PRI) + PCIE_PRI_ALLOC_REQ, 4,
			alloc);
		vtd_endpoint_cfg_write(ep,
				       cap(PCIE_EXT_CAP_ID_PRI) + PCIE_PRI_CTRL,
				       2, PCIE_PRI_CTRL_ENABLE);
	}
	vtd_dev_result access(uint64_t addr, vtd_access acc = VTD_ACCESS_READ,
			      bool has_pasid = true)
	{
		vtd_dev_request r{};
		r.has_pasid = has_pasid;
		r.pasid = kPasid;
		r.access = acc;
		r.addr = addr;
		vtd_dev_result res{};
		vtd_endpoint_access(ep, &r, &res);
		return res;
	}
	// A page request queue of 4 KiB at `prq`, interrupts unmasked.
	void setup_prq()
	{
		prq = alloc();
		wr64(VTD_REG_PQA, prq);
		wr32(VTD_REG_PECTL, 0);
	}
	// Answer the page request at PQH through the invalidation queue;
	// pasid_p/pasid: -1 copies the request's, else what the response says.
	void respond(unsigned code, int pasid_p = -1, int64_t pasid = -1)
	{
		uint64_t head = rd64(VTD_REG_PQH);
		uint64_t q0 = mem.r64(prq + head), q1 = mem.r64(prq + head + 8);
		wr64(VTD_REG_PQH, (head + 32) % 4096);
		bool pp = pasid_p < 0 ? (q0 & VTD_PRQ0_PASID_P) != 0 : pasid_p;
		uint64_t pv = pasid < 0 ? VTD_PRQ0_PASID(q0) : (uint64_t)pasid;
		uint64_t d[4] = {
			VTD_QI_PGRP_RESP | (pp ? VTD_QI_PGRP_PASID_P : 0) |
				(uint64_t)code << 12 |
				(uint64_t)VTD_PRQ0_RID(q0) << 16 | pv << 32,
			(q1 & VTD_PRQ1_LPIG) | VTD_PRQ1_PRGI(q1) << 3, 0, 0};
		submit(d);
	}
	uint64_t iq = 0;
	void submit(const uint64_t d[4])
	{
		if (!iq) {
			iq = alloc();
			wr64(VTD_REG_IQA, iq | VTD_IQA_DW);
			wr32(VTD_REG_GCMD,
			     (uint32_t)(VTD_GCMD_QIE | VTD_GCMD_TE));
		}
		uint64_t t = rd64(VTD_REG_IQT);
		for (int i = 0; i < 4; i++)
			mem.w64(iq + t + 8 * i, d[i]);
		wr64(VTD_REG_IQT, (t + 32) % 4096);
	}
};

// Scalable-mode tables with DTE/PRE and PASID kPasid first-level.
struct Sva : Dev {
	Scalable s{*this, kSid};
	explicit Sva(const std::function<void(vtd_endpoint_config &)> &tw = {},
		     const std::function<void(vtd_config &)> &model_tw = {})
	    : Dev(tw, model_tw)
	{
		mem.w64(s.ce_addr(), mem.r64(s.ce_addr()) | VTD_SM_CTX_LO_DTE |
					     VTD_SM_CTX_LO_PRE);
		s.first_level(kPasid, 4);
		setup_prq();
	}
};

} // namespace

TEST(EndpointConfigSpace, ExtendedCapabilitiesAreChainedFrom0x100)
{
	Dev d([](vtd_endpoint_config &c) {
		c.pasid_width = 16;
		c.exec_cap = true;
		c.inv_queue_depth = 8;
		c.prq_capacity = 64;
	});
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, PCIE_VENDOR_ID, 2), 0x8086u);
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, PCIE_STATUS, 2) &
		    PCIE_STATUS_CAP_LIST);
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, PCIE_CAPABILITY_LIST, 1),
		  (uint32_t)PCIE_EXP_OFFSET);
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, PCIE_EXP_OFFSET, 1),
		  (uint32_t)PCIE_CAP_ID_EXP);
	uint16_t pasid = d.cap(PCIE_EXT_CAP_ID_PASID);
	uint16_t ats = d.cap(PCIE_EXT_CAP_ID_ATS);
	uint16_t pri = d.cap(PCIE_EXT_CAP_ID_PRI);
	EXPECT_EQ(pasid, PCIE_EXT_CAP_START);
	ASSERT_NE(ats, 0);
	ASSERT_NE(pri, 0);
	uint32_t pc = vtd_endpoint_cfg_read(d.ep, pasid + PCIE_PASID_CAP, 2);
	EXPECT_EQ(PCIE_PASID_CAP_WIDTH(pc), 16u);
	EXPECT_TRUE(pc & PCIE_PASID_CAP_EXEC);
	EXPECT_FALSE(pc & PCIE_PASID_CAP_PRIV);
	EXPECT_EQ(PCIE_ATS_CAP_QDEP(
			  vtd_endpoint_cfg_read(d.ep, ats + PCIE_ATS_CAP, 2)),
		  8u);
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_MAX_REQ, 4), 64u);
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		    PCIE_PRI_STATUS_PASID);
}

TEST(EndpointConfigSpace, WithoutPasidAtsComesFirstAndReadOnlyBitsStick)
{
	Dev d([](vtd_endpoint_config &c) { c.pasid_cap = false; });
	EXPECT_EQ(d.cap(PCIE_EXT_CAP_ID_PASID), 0);
	EXPECT_EQ(d.cap(PCIE_EXT_CAP_ID_ATS), PCIE_EXT_CAP_START);
	uint16_t ats = d.cap(PCIE_EXT_CAP_ID_ATS);
	vtd_endpoint_cfg_write(d.ep, ats + PCIE_ATS_CAP, 2, 0xffff);
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, ats + PCIE_ATS_CAP, 2),
		  (uint32_t)PCIE_ATS_CAP_PAGE_ALIGNED);
	vtd_endpoint_cfg_write(d.ep, ats + PCIE_ATS_CTRL, 2, 0xffff);
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, ats + PCIE_ATS_CTRL, 2),
		  (uint32_t)(PCIE_ATS_CTRL_ENABLE | 0x1f));
}

TEST(EndpointConfigSpace, NoExtendedCapabilitiesReadsZeroHeader)
{
	Dev d([](vtd_endpoint_config &c) {
		c.pasid_cap = c.ats_cap = c.pri_cap = false;
	});
	EXPECT_EQ(vtd_endpoint_cfg_read(d.ep, PCIE_EXT_CAP_START, 4), 0u);
}

TEST(EndpointLifecycle, BadConfigurationsAndDuplicatesAreRejected)
{
	Xlate m;
	vtd_endpoint_config c;
	char err[128];
	vtd_endpoint_config_init(&c, 1);
	c.pri_cap = true;
	c.ats_cap = false;
	EXPECT_EQ(vtd_endpoint_create(m.v, &c, nullptr, nullptr, err,
				      sizeof(err)),
		  nullptr);
	EXPECT_STREQ(err, "PRI needs ATS");
	vtd_endpoint_config_init(&c, 1);
	ASSERT_NE(vtd_endpoint_create(m.v, &c, nullptr, nullptr, err,
				      sizeof(err)),
		  nullptr);
	EXPECT_EQ(vtd_endpoint_create(m.v, &c, nullptr, nullptr, err,
				      sizeof(err)),
		  nullptr);
	EXPECT_NE(vtd_endpoint_find(m.v, 1), nullptr);
	EXPECT_EQ(vtd_endpoint_find(m.v, 2), nullptr);
}

TEST(EndpointAccess, WithoutAtsIssuesUntranslatedRequests)
{
	Sva d;
	d.s.flmap(0x10000, 0x7770000);
	vtd_endpoint_cfg_write(d.ep,
			       d.cap(PCIE_EXT_CAP_ID_PASID) + PCIE_PASID_CTRL,
			       2, PCIE_PASID_CTRL_ENABLE);
	auto r = d.access(0x10008);
	EXPECT_EQ(r.status, VTD_DEV_OK);
	EXPECT_EQ(r.addr, 0x7770008u);
	EXPECT_FALSE(r.used_ats);
	EXPECT_EQ(vtd_endpoint_get_stats(d.ep)->untranslated_requests, 1u);
	r = d.access(0x20000);
	EXPECT_EQ(r.status, VTD_DEV_FAULT);
	EXPECT_EQ(r.fault, VTD_FR_SM_FL_NOT_PRESENT);
}

TEST(EndpointAccess, PasidRequestNeedsPasidEnabled)
{
	Sva d;
	auto r = d.access(0x10000);
	EXPECT_EQ(r.status, VTD_DEV_NOT_ENABLED);
	EXPECT_EQ(d.stats().requests, 0u);
}

TEST(EndpointAccess, AtsMissFillsDeviceTlbThenHits)
{
	Sva d;
	d.enable_all();
	d.s.flmap(0x10000, 0x7770000);
	auto r = d.access(0x10010, VTD_ACCESS_WRITE);
	ASSERT_EQ(r.status, VTD_DEV_OK);
	EXPECT_EQ(r.addr, 0x7770010u);
	EXPECT_TRUE(r.used_ats);
	EXPECT_FALSE(r.devtlb_hit);
	uint64_t pa = 0;
	EXPECT_TRUE(
		vtd_endpoint_devtlb_probe(d.ep, true, kPasid, 0x10ff0, &pa));
	EXPECT_EQ(pa, 0x7770ff0u);
	r = d.access(0x10020, VTD_ACCESS_WRITE);
	EXPECT_EQ(r.status, VTD_DEV_OK);
	EXPECT_TRUE(r.devtlb_hit);
	const auto *st = vtd_endpoint_get_stats(d.ep);
	EXPECT_EQ(st->translation_requests, 1u);
	EXPECT_EQ(st->translated_requests, 2u);
	EXPECT_EQ(st->devtlb.hits, 1u);
	EXPECT_EQ(d.stats().ats_requests, 1u);
	EXPECT_EQ(d.stats().translated_requests, 2u);
}

TEST(EndpointChecker, DeviceTlbHitStillMatchingTheTablesIsNotReported)
{
	Sva d({}, [](vtd_config &c) { c.check_stale = true; });
	d.enable_all();
	d.s.flmap(0x10000, 0x7770000);
	ASSERT_EQ(d.access(0x10010, VTD_ACCESS_WRITE).status, VTD_DEV_OK);
	auto r = d.access(0x10020, VTD_ACCESS_WRITE);
	EXPECT_TRUE(r.devtlb_hit);
	EXPECT_TRUE(d.stale.empty());
}

TEST(EndpointChecker,
     DeviceTlbHitAfterRemapWithoutDeviceTlbInvalidationIsReported)
{
	Sva d({}, [](vtd_config &c) { c.check_stale = true; });
	d.enable_all();
	d.s.flmap(0x10000, 0x7770000);
	ASSERT_EQ(d.access(0x10010).status, VTD_DEV_OK);
	// software moves the page and invalidates nothing
	d.s.flmap(0x10000, 0x8880000);
	auto r = d.access(0x10018);
	EXPECT_TRUE(r.devtlb_hit);
	EXPECT_EQ(r.addr, 0x7770018u) << "the device used its stale entry";
	ASSERT_EQ(d.stale.size(), 1u);
	const vtd_stale_report &s = d.stale[0];
	EXPECT_EQ(s.cache, VTD_CACHE_DEVTLB);
	EXPECT_EQ(s.sid, kSid);
	EXPECT_TRUE(s.has_pasid);
	EXPECT_EQ(s.pasid, kPasid);
	EXPECT_EQ(s.cached_addr, 0x7770018u);
	EXPECT_TRUE(s.memory_ok);
	EXPECT_EQ(s.memory_addr, 0x8880018u);
	EXPECT_STREQ(s.missing_invalidation,
		     "PASID-based device-TLB invalidation");
	char buf[256];
	vtd_stale_report_format(&s, buf, sizeof(buf));
	EXPECT_NE(std::string(buf).find("stale device-TLB entry"),
		  std::string::npos)
		<< buf;
	EXPECT_EQ(d.stats().stale_reports, 1u);
}

TEST(EndpointAccess, ReadOnlyEntryDoesNotServeAWrite)
{
	Sva d;
	d.enable_all();
	d.s.flmap(0x10000, 0x7770000, 1, VTD_FL_P | VTD_FL_US);
	EXPECT_EQ(d.access(0x10000).status, VTD_DEV_OK);
	auto r = d.access(0x10000, VTD_ACCESS_WRITE);
	EXPECT_FALSE(r.devtlb_hit);
	EXPECT_EQ(r.status, VTD_DEV_PENDING) << "no write: page request";
	EXPECT_EQ(r.page_requests, 1u);
}

TEST(EndpointAccess, PageFaultRoundTripRetriesAfterSuccessResponse)
{
	Sva d;
	d.enable_all();
	vtd_dev_request req{};
	req.has_pasid = true;
	req.pasid = kPasid;
	req.access = VTD_ACCESS_WRITE;
	req.addr = 0x30040;
	req.tag = 77;
	vtd_dev_result r{};
	EXPECT_FALSE(vtd_endpoint_access(d.ep, &req, &r));
	EXPECT_EQ(r.status, VTD_DEV_PENDING);
	// the descriptor in the queue
	EXPECT_EQ(d.rd64(VTD_REG_PQT), 32u);
	uint64_t q0 = d.mem.r64(d.prq), q1 = d.mem.r64(d.prq + 8);
	EXPECT_EQ(VTD_PRQ0_RID(q0), kSid);
	EXPECT_EQ(VTD_PRQ0_PASID(q0), kPasid);
	EXPECT_TRUE(q1 & VTD_PRQ1_WR);
	EXPECT_TRUE(q1 & VTD_PRQ1_LPIG);
	EXPECT_EQ(q1 & VTD_PRQ1_ADDR_MASK, 0x30000u);
	// software maps the page and answers Success
	d.s.flmap(0x30000, 0x5550000);
	d.respond(PCIE_PRG_RESP_SUCCESS);
	ASSERT_EQ(d.done.size(), 1u);
	EXPECT_EQ(d.done[0].status, VTD_DEV_OK);
	EXPECT_EQ(d.done[0].tag, 77u);
	EXPECT_EQ(d.done[0].addr, 0x5550040u);
	EXPECT_EQ(d.done[0].page_requests, 1u);
	EXPECT_TRUE(vtd_endpoint_devtlb_probe(d.ep, true, kPasid, 0x30000,
					      nullptr));
	EXPECT_EQ(vtd_endpoint_get_stats(d.ep)->page_responses[0], 1u);
}

TEST(EndpointAccess, InvalidResponseFailsTheAccess)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	d.respond(PCIE_PRG_RESP_INVALID);
	ASSERT_EQ(d.done.size(), 1u);
	EXPECT_EQ(d.done[0].status, VTD_DEV_PRQ_FAIL);
	EXPECT_EQ(d.done[0].resp_code, PCIE_PRG_RESP_INVALID);
}

TEST(EndpointAccess, ResponseFailureSetsRfAndStopsPri)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	d.respond(PCIE_PRG_RESP_FAILURE);
	uint16_t pri = d.cap(PCIE_EXT_CAP_ID_PRI);
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		    PCIE_PRI_STATUS_RF);
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_ATS_FAIL);
	// RW1C
	vtd_endpoint_cfg_write(d.ep, pri + PCIE_PRI_STATUS, 2,
			       PCIE_PRI_STATUS_RF);
	EXPECT_FALSE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		     PCIE_PRI_STATUS_RF);
}

TEST(EndpointAccess, SuccessWithoutMappingRetriesWithANewPageRequest)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	d.respond(PCIE_PRG_RESP_SUCCESS);
	EXPECT_TRUE(d.done.empty()) << "still not mapped: waits again";
	EXPECT_EQ(d.rd64(VTD_REG_PQT), 64u);
	EXPECT_NE(VTD_PRQ1_PRGI(d.mem.r64(d.prq + 8)),
		  VTD_PRQ1_PRGI(d.mem.r64(d.prq + 40)));
}

TEST(EndpointAccess, RetriesAreBounded)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	for (int i = 0; i < 10 && d.done.empty(); i++)
		d.respond(PCIE_PRG_RESP_SUCCESS);
	ASSERT_EQ(d.done.size(), 1u);
	EXPECT_EQ(d.done[0].status, VTD_DEV_ATS_FAIL);
	EXPECT_EQ(d.done[0].page_requests, 4u);
}

TEST(EndpointAccess, NoPriMeansAtsFailure)
{
	Sva d([](vtd_endpoint_config &c) { c.pri_cap = false; });
	d.enable_all();
	auto r = d.access(0x30000);
	EXPECT_EQ(r.status, VTD_DEV_ATS_FAIL);
	EXPECT_EQ(r.fault, VTD_FR_SM_FL_NOT_PRESENT);
}

TEST(EndpointAccess, OutstandingAllocationLimitsPageRequests)
{
	Sva d;
	d.enable_all(1);
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	EXPECT_EQ(d.access(0x40000).status, VTD_DEV_ATS_FAIL);
}

TEST(EndpointAccess, UnexpectedPrgIndexSetsStatus)
{
	Sva d;
	d.enable_all();
	uint64_t desc[4] = {VTD_QI_PGRP_RESP | (uint64_t)kSid << 16,
			    (0x55ULL << 3) | VTD_QI_PGRP_LPIG, 0, 0};
	d.submit(desc);
	uint16_t pri = d.cap(PCIE_EXT_CAP_ID_PRI);
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		    PCIE_PRI_STATUS_UPRGI);
	ASSERT_EQ(d.bad.size(), 1u);
	EXPECT_NE(d.bad[0].find("no outstanding group: PRG index 85"),
		  std::string::npos)
		<< d.bad[0];
}

// "PRG Response PASID Required" (the function has a PASID capability): a
// response carries its group's PASID, exactly, or none when the requests
// had none; anything else matches no group and is refused.
TEST(EndpointPageResponse, WithPasidRequiredAResponseWithoutThePasidIsRefused)
{
	Sva d;
	d.enable_all();
	uint16_t pri = d.cap(PCIE_EXT_CAP_ID_PRI);
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		    PCIE_PRI_STATUS_PASID);
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	d.s.flmap(0x30000, 0x5550000);
	d.respond(PCIE_PRG_RESP_SUCCESS, 0); // PASID dropped
	EXPECT_TRUE(d.done.empty());
	ASSERT_EQ(d.bad.size(), 1u);
	EXPECT_NE(d.bad[0].find("no PASID code 0; its request has PASID 9"),
		  std::string::npos)
		<< d.bad[0];
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		    PCIE_PRI_STATUS_UPRGI);
	EXPECT_EQ(vtd_endpoint_get_stats(d.ep)->bad_page_responses, 1u);
}

TEST(EndpointPageResponse,
     AResponseWithAnotherPasidIsRefusedAndTheRightOneAccepted)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	d.s.flmap(0x30000, 0x5550000);
	uint64_t head = d.rd64(VTD_REG_PQH);
	d.respond(PCIE_PRG_RESP_SUCCESS, 1, kPasid + 1);
	EXPECT_TRUE(d.done.empty());
	ASSERT_EQ(d.bad.size(), 1u);
	EXPECT_NE(d.bad[0].find("PASID 10 code 0; its request has PASID 9"),
		  std::string::npos)
		<< d.bad[0];
	d.wr64(VTD_REG_PQH, head); // answer the same request again, right
	d.respond(PCIE_PRG_RESP_SUCCESS);
	ASSERT_EQ(d.done.size(), 1u);
	EXPECT_EQ(d.done[0].status, VTD_DEV_OK);
	EXPECT_EQ(d.bad.size(), 1u);
}

TEST(EndpointPageResponse, AResponseWithAPasidToARequestWithoutOneIsRefused)
{
	Sva d;
	d.enable_all();
	d.s.second_level(0, 3); // RID_PASID: requests without PASID
	EXPECT_EQ(d.access(0x70000, VTD_ACCESS_READ, false).status,
		  VTD_DEV_PENDING);
	d.respond(PCIE_PRG_RESP_INVALID, 1, 0);
	EXPECT_TRUE(d.done.empty());
	ASSERT_EQ(d.bad.size(), 1u);
	EXPECT_NE(d.bad[0].find("its request has no PASID"), std::string::npos)
		<< d.bad[0];
}

TEST(EndpointPageResponse,
     AReservedResponseCodeIsRefusedAndEndsTheGroupAsFailure)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	d.respond(0x2);
	ASSERT_EQ(d.bad.size(), 1u);
	EXPECT_NE(d.bad[0].find("reserved code: PRG index 0 PASID 9 code 0x2"),
		  std::string::npos)
		<< d.bad[0];
	ASSERT_EQ(d.done.size(), 1u);
	EXPECT_EQ(d.done[0].status, VTD_DEV_PRQ_FAIL);
	uint16_t pri = d.cap(PCIE_EXT_CAP_ID_PRI);
	EXPECT_TRUE(vtd_endpoint_cfg_read(d.ep, pri + PCIE_PRI_STATUS, 2) &
		    PCIE_PRI_STATUS_RF);
}

TEST(EndpointPageResponse, PrgIndicesOfOutstandingGroupsAreNotReused)
{
	Sva d;
	d.enable_all();
	EXPECT_EQ(d.access(0x30000).status, VTD_DEV_PENDING);
	EXPECT_EQ(d.access(0x40000).status, VTD_DEV_PENDING);
	uint64_t i0 = VTD_PRQ1_PRGI(d.mem.r64(d.prq + 8));
	uint64_t i1 = VTD_PRQ1_PRGI(d.mem.r64(d.prq + 40));
	EXPECT_NE(i0, i1);
	d.respond(PCIE_PRG_RESP_INVALID);
	d.respond(PCIE_PRG_RESP_INVALID);
	EXPECT_EQ(d.done.size(), 2u);
	EXPECT_TRUE(d.bad.empty());
}

TEST(EndpointInvalidation, DeviceTlbInvalidationRemovesEntriesAndCompletes)
{
	Sva d([](vtd_endpoint_config &c) { c.inv_latency_ns = 500; });
	d.enable_all();
	d.s.flmap(0x10000, 0x7770000);
	d.s.flmap(0x11000, 0x7771000);
	EXPECT_EQ(d.access(0x10000).status, VTD_DEV_OK);
	EXPECT_EQ(d.access(0x11000).status, VTD_DEV_OK);
	// PASID-based device-TLB invalidation of 0x10000 (4 KiB)
	uint64_t desc[4] = {VTD_QI_PDIOTLB | (uint64_t)kSid << 16 |
				    (uint64_t)kPasid << 32,
			    0x10000, 0, 0};
	uint32_t status = 0;
	(void)status;
	d.submit(desc);
	EXPECT_FALSE(vtd_endpoint_devtlb_probe(d.ep, true, kPasid, 0x10000,
					       nullptr));
	EXPECT_TRUE(vtd_endpoint_devtlb_probe(d.ep, true, kPasid, 0x11000,
					      nullptr));
	const auto *st = vtd_endpoint_get_stats(d.ep);
	EXPECT_EQ(st->inv_requests, 1u);
	EXPECT_EQ(st->inv_completions, 0u);
	vtd_advance(d.v, vtd_now(d.v) + 499);
	EXPECT_EQ(st->inv_completions, 0u);
	vtd_advance(d.v, vtd_now(d.v) + 1);
	EXPECT_EQ(st->inv_completions, 1u);
}

TEST(EndpointInvalidation, WholeAddressSpaceAndOtherPasidsUntouched)
{
	Sva d;
	d.enable_all();
	d.s.first_level(kPasid + 1, 4);
	d.s.flmap(0x10000, 0x7770000);
	d.s.flmap(0x40000000, 0x80000000, 3, kFlNonLeaf | VTD_FL_PS);
	EXPECT_EQ(d.access(0x10000).status, VTD_DEV_OK);
	EXPECT_EQ(d.access(0x40000000).status, VTD_DEV_OK);
	vtd_dev_request r{};
	r.has_pasid = true;
	r.pasid = kPasid + 1;
	r.addr = 0x10000;
	vtd_dev_result res{};
	vtd_endpoint_access(d.ep, &r, &res);
	ASSERT_EQ(res.status, VTD_DEV_OK);
	// S=1 with every address bit set: the whole address space
	uint64_t desc[4] = {VTD_QI_PDIOTLB | (uint64_t)kSid << 16 |
				    (uint64_t)kPasid << 32,
			    0x7ffffffffffff000ULL | VTD_QI_PDIOTLB_S, 0, 0};
	d.submit(desc);
	EXPECT_FALSE(vtd_endpoint_devtlb_probe(d.ep, true, kPasid, 0x10000,
					       nullptr));
	EXPECT_FALSE(vtd_endpoint_devtlb_probe(d.ep, true, kPasid, 0x40001000,
					       nullptr));
	EXPECT_TRUE(vtd_endpoint_devtlb_probe(d.ep, true, kPasid + 1, 0x10000,
					      nullptr));
}

TEST(EndpointInvalidation, SilentEndpointNeverCompletes)
{
	Sva d([](vtd_endpoint_config &c) { c.inv_silent = true; });
	d.enable_all();
	uint64_t desc[4] = {VTD_QI_DIOTLB | (uint64_t)kSid << 32, 0, 0, 0};
	d.submit(desc);
	vtd_advance(d.v, vtd_now(d.v) + 10 * d.cfg.devtlb_inv_timeout_ns);
	EXPECT_EQ(vtd_endpoint_get_stats(d.ep)->inv_completions, 0u);
	EXPECT_TRUE(d.rd32(VTD_REG_FSTS) & VTD_FSTS_ITE);
}
