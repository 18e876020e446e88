// SPDX-License-Identifier: MIT
// Trace reader: every record, comments, @T ordering, numbers, and every
// malformed case giving "FILE:LINE: message".
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <vtdsim/vtdsim.h>

#include "trace_reader.h"

namespace
{

struct Parsed {
	std::vector<trace_record> recs;
	std::string error; // empty when the whole text parsed
};

Parsed parse(const std::string &text)
{
	Parsed p;
	FILE *f = fmemopen((void *)text.data(), text.size(), "r");
	if (text.empty())
		f = fopen("/dev/null", "r");
	trace_reader *r = trace_reader_open(f, "t.trace");
	trace_record rec;
	int rc;
	while ((rc = trace_reader_next(r, &rec)) > 0)
		p.recs.push_back(rec);
	if (rc < 0)
		p.error = trace_reader_error(r);
	trace_reader_close(r);
	fclose(f);
	return p;
}

trace_record one(const std::string &line)
{
	Parsed p = parse(line + "\n");
	EXPECT_EQ(p.error, "");
	EXPECT_EQ(p.recs.size(), 1u);
	return p.recs.empty() ? trace_record{} : p.recs[0];
}

std::string error_of(const std::string &text)
{
	return parse(text).error;
}

} // namespace

TEST(TraceReader, MemAndRegRecordsCarryAddressValueAndSize)
{
	trace_record r = one("mem.w32 0x1000 0xdeadbeef");
	EXPECT_EQ(r.op, TR_MEM_W);
	EXPECT_EQ(r.size, 4u);
	EXPECT_EQ(r.addr, 0x1000u);
	EXPECT_EQ(r.value, 0xdeadbeefu);
	r = one("mem.w64 4096 18446744073709551615");
	EXPECT_EQ(r.size, 8u);
	EXPECT_EQ(r.addr, 4096u);
	EXPECT_EQ(r.value, UINT64_MAX);
	r = one("mem.r64 0x2000 expect=0x5");
	EXPECT_EQ(r.op, TR_MEM_R);
	EXPECT_TRUE(r.has_expect);
	EXPECT_EQ(r.expect, 5u);
	r = one("mem.r32 0x2000");
	EXPECT_FALSE(r.has_expect);
	r = one("reg.w64 0x20 0x1000400");
	EXPECT_EQ(r.op, TR_REG_W);
	EXPECT_EQ(r.addr, 0x20u);
	r = one("reg.r32 0x1c expect=0x80000000 mask=0x80000000");
	EXPECT_EQ(r.op, TR_REG_R);
	EXPECT_TRUE(r.has_mask);
	EXPECT_EQ(r.mask, 0x80000000u);
}

TEST(TraceReader, DmaRecordParsesBdfPasidFlagsAndExpectations)
{
	trace_record r = one("dma 1a:1f.7 pasid=0xfffff priv exec 0x7f00 "
			     "64 w expect=0x1234");
	EXPECT_EQ(r.op, TR_DMA);
	EXPECT_EQ(r.sid, 0x1a << 8 | 0x1f << 3 | 7);
	EXPECT_TRUE(r.has_pasid);
	EXPECT_EQ(r.pasid, 0xfffffu);
	EXPECT_EQ(r.flags, TRF_PRIV | TRF_EXEC);
	EXPECT_EQ(r.addr, 0x7f00u);
	EXPECT_EQ(r.len, 64u);
	EXPECT_TRUE(r.write);
	EXPECT_EQ(r.expect, 0x1234u);
	EXPECT_FALSE(r.expect_fault);
	r = one("dma 00:02.0 0x1000 8 r expect=fault:0x71");
	EXPECT_TRUE(r.expect_fault);
	EXPECT_EQ(r.fault, 0x71);
	EXPECT_FALSE(r.write);
	EXPECT_FALSE(r.has_pasid);
}

TEST(TraceReader, HighLevelRecordsParse)
{
	trace_record r = one("config iotlb.sets=32 alloc.base=0x100000");
	EXPECT_EQ(r.op, TR_CONFIG);
	ASSERT_EQ(r.nkv, 2u);
	r = one("iommu.init mode=scalable qi=on dw=256");
	EXPECT_EQ(r.mode, TR_MODE_SCALABLE);
	EXPECT_EQ(r.dw, 256u);
	r = one("iommu.init mode=legacy qi=off");
	EXPECT_EQ(r.mode, TR_MODE_LEGACY);
	EXPECT_FALSE(r.qi);
	r = one("domain g type=fl levels=5 did=7 parent=vm");
	EXPECT_EQ(r.type, TR_DOM_FL);
	EXPECT_EQ(r.levels, 5u);
	EXPECT_EQ(r.did, 7);
	EXPECT_STREQ(r.parent, "vm");
	r = one("map g 0x200000 0x400000 0x400000 page=2m perm=r user nx "
		"global");
	EXPECT_EQ(r.op, TR_MAP);
	EXPECT_EQ(r.page, 0x200000u);
	EXPECT_EQ(r.perm, (unsigned)VTD_PERM_R);
	EXPECT_EQ(r.flags, TRF_USER | TRF_NX | TRF_GLOBAL);
	r = one("unmap g 0x1000 0x1000 inv=none");
	EXPECT_EQ(r.inv, TR_INV_NONE);
	r = one("remap g 0x1000 0x5000 perm=rw");
	EXPECT_EQ(r.value, 0x5000u);
	r = one("attach 00:10.0 g pasid=3 pgtt=nested parent=vm sre ere");
	EXPECT_EQ(r.pgtt, TR_PGTT_NESTED);
	EXPECT_EQ(r.flags, TRF_SRE | TRF_ERE);
	r = one("attach 00:04.0 tt=pt");
	EXPECT_EQ(r.tt, TR_TT_PT);
	EXPECT_STREQ(r.name, "");
	r = one("detach 00:10.0 pasid=3");
	EXPECT_EQ(r.op, TR_DETACH);
	r = one("inv.cc device did=1 sid=00:02.0 fm=1");
	EXPECT_EQ(r.gran, TR_GRAN_DEVICE);
	EXPECT_EQ(r.sid2, 0x10);
	r = one("inv.iotlb page domain=g addr=0x4000 am=2 ih");
	EXPECT_EQ(r.gran, TR_GRAN_PAGE);
	EXPECT_EQ(r.am, 2u);
	EXPECT_STREQ(r.parent, "g");
	r = one("inv.piotlb pasid did=3 pasid=9 nowait");
	EXPECT_EQ(r.op, TR_INV_PIOTLB);
	EXPECT_EQ(r.flags, (unsigned)TRF_NOWAIT);
	r = one("inv.pc global");
	EXPECT_EQ(r.gran, TR_GRAN_GLOBAL);
	EXPECT_EQ(one("inv.wait").op, TR_INV_WAIT);
	EXPECT_EQ(one("expect.stale 2").count, 2u);
}

TEST(TraceReader, DeviceRecordDefaultsAndCapabilities)
{
	trace_record r = one("device 00:03.0");
	EXPECT_EQ(r.op, TR_DEVICE);
	EXPECT_EQ(r.sid, 0x18);
	EXPECT_TRUE(r.dev.pasid && r.dev.ats && r.dev.pri);
	EXPECT_EQ(r.dev.pasid_width, 20u);
	EXPECT_EQ(r.dev.qdepth, 32u);
	EXPECT_EQ(r.dev.pri_capacity, 512u);
	EXPECT_EQ(r.dev.devtlb_sets, 16u);
	EXPECT_EQ(r.dev.devtlb_ways, 4u);
	EXPECT_TRUE(r.dev.enable);
	EXPECT_FALSE(r.dev.has_latency);

	r = one("device 01:00.1 pasid=8 ats=4 pri=off devtlb=64x8 "
		"inv_latency=2000 silent enable=off");
	EXPECT_EQ(r.dev.pasid_width, 8u);
	EXPECT_EQ(r.dev.qdepth, 4u);
	EXPECT_FALSE(r.dev.pri);
	EXPECT_EQ(r.dev.devtlb_sets, 64u);
	EXPECT_EQ(r.dev.devtlb_ways, 8u);
	EXPECT_TRUE(r.dev.has_latency);
	EXPECT_EQ(r.dev.inv_latency, 2000u);
	EXPECT_EQ(r.flags, (unsigned)TRF_SILENT);
	EXPECT_FALSE(r.dev.enable);

	r = one("device 00:05.0 pasid=off ats=32 pri=off devtlb=off");
	EXPECT_FALSE(r.dev.pasid);
	EXPECT_EQ(r.dev.devtlb_sets, 0u);
}

TEST(TraceReader, DeviceAccessAndAtsRecordsCarryTheirExpectations)
{
	trace_record r = one("dev.dma 00:03.0 0x7f0000001040 w pasid=5 tag=7 "
			     "expect=pending");
	EXPECT_EQ(r.op, TR_DEV_DMA);
	EXPECT_EQ(r.addr, 0x7f0000001040u);
	EXPECT_TRUE(r.write);
	EXPECT_TRUE(r.has_pasid);
	EXPECT_EQ(r.pasid, 5u);
	EXPECT_TRUE(r.has_tag);
	EXPECT_EQ(r.tag, 7u);
	EXPECT_EQ(r.want, 1) << "pending";
	EXPECT_EQ(r.want_devtlb, TRACE_WANT_NONE);

	r = one("dev.dma 00:03.0 0x1000 r expect=ok pa=0x80001000 devtlb=hit");
	EXPECT_FALSE(r.write);
	EXPECT_FALSE(r.has_pasid);
	EXPECT_EQ(r.want, 0);
	EXPECT_TRUE(r.has_pa);
	EXPECT_EQ(r.pa, 0x80001000u);
	EXPECT_EQ(r.want_devtlb, 1);

	r = one("dev.done 00:03.0 tag=7 expect=prq-fail prq=2");
	EXPECT_EQ(r.op, TR_DEV_DONE);
	EXPECT_EQ(r.want, 4);
	EXPECT_TRUE(r.has_prq);
	EXPECT_EQ(r.prq, 2u);

	r = one("ats 00:03.0 0x5000 w pasid=5 expect=ok perm=none u=0 "
		"fault=0x71 size=0x1000");
	EXPECT_EQ(r.op, TR_ATS);
	EXPECT_EQ(r.want, 0);
	EXPECT_EQ(r.want_perm, 0) << "none";
	EXPECT_EQ(r.want_u, 0);
	EXPECT_TRUE(r.has_fcode);
	EXPECT_EQ(r.fcode, 0x71);
	EXPECT_TRUE(r.has_xsize);
	EXPECT_EQ(r.xsize, 0x1000u);
	EXPECT_EQ(one("ats 00:03.0 0x5000 r expect=ca").want, 2);

	r = one("devtlb 00:03.0 0x5000 pasid=5 expect=hit pa=0x90005000");
	EXPECT_EQ(r.op, TR_DEVTLB);
	EXPECT_EQ(r.want, 1);
	EXPECT_EQ(r.pa, 0x90005000u);
}

TEST(TraceReader, DeviceTlbInvalidationAndWaitStatusRecords)
{
	trace_record r = one("inv.devtlb 00:03.0 pasid=5 global addr=0x4000 "
			     "size=0x4000 nowait");
	EXPECT_EQ(r.op, TR_INV_DEVTLB);
	EXPECT_TRUE(r.has_pasid);
	EXPECT_EQ(r.addr, 0x4000u);
	EXPECT_EQ(r.xsize, 0x4000u);
	EXPECT_EQ(r.flags, (unsigned)(TRF_GLOBAL | TRF_NOWAIT));
	r = one("inv.devtlb 00:03.0 addr=0x2000");
	EXPECT_EQ(r.xsize, 0x1000u) << "one page by default";
	EXPECT_EQ(one("inv.devtlb 00:03.0 size=all").xsize, 0u);
	EXPECT_EQ(one("inv.status expect=ite").want, 2);
	EXPECT_EQ(one("inv.wait expect=done").want, 0);
}

TEST(TraceReader, PageRequestRecordsParse)
{
	EXPECT_EQ(one("prq.init qs=3").qs, 3u);
	trace_record r = one("prq.req 00:03.0 0x7f0000005000 rw pasid=5 "
			     "prgi=0x1ff lpig priv data0=1 data1=2");
	EXPECT_EQ(r.op, TR_PRQ_REQ);
	EXPECT_TRUE(r.read);
	EXPECT_TRUE(r.write);
	EXPECT_TRUE(r.has_prgi);
	EXPECT_EQ(r.prgi, 0x1ff);
	EXPECT_EQ(r.flags, (unsigned)(TRF_LPIG | TRF_PRIV));
	EXPECT_TRUE(r.has_private);
	EXPECT_EQ(r.private_data[0], 1u);
	EXPECT_EQ(r.private_data[1], 2u);

	r = one("prq.expect count=1 ppr=1 pro=0");
	EXPECT_EQ(r.op, TR_PRQ_EXPECT);
	EXPECT_TRUE(r.has_count);
	EXPECT_EQ(r.count, 1u);
	EXPECT_EQ(r.want_ppr, 1);
	EXPECT_EQ(r.want_pro, 0);

	r = one("prq.next 00:03.0 0x7f0000005000 w pasid=5 lpig prgi=0");
	EXPECT_EQ(r.op, TR_PRQ_NEXT);
	EXPECT_FALSE(r.read);
	EXPECT_TRUE(r.write);

	r = one("prq.respond invalid delay=500");
	EXPECT_EQ(r.resp, 1);
	EXPECT_EQ(r.delay, 500u);
	EXPECT_EQ(one("prq.respond").resp, 0) << "success by default";
	EXPECT_EQ(one("prq.auto failure").resp, 15);
	EXPECT_EQ(one("prq.auto off").resp, -1);
}

TEST(TraceReader, MalformedDeviceAndPageRequestRecords)
{
	const struct {
		const char *line, *msg;
	} cases[] = {
		{"device 00:03.0 ats=off", "pri needs ats"},
		{"device 00:03.0 devtlb=3x4",
		 "devtlb sets must be a power of two"},
		{"device 00:03.0 devtlb=big", "bad devtlb"},
		{"dev.dma 00:03.0 0x1000 x", "access (r or w)"},
		{"dev.dma 00:03.0 0x1000 r priv",
		 "priv/exec need a request with pasid="},
		{"dev.done 00:03.0 expect=ok", "dev.done needs tag=N"},
		{"devtlb 00:03.0 0x1000", "devtlb needs expect=hit|miss"},
		{"inv.devtlb 00:03.0 size=0x3000 addr=0",
		 "size must be a power of two"},
		{"inv.devtlb 00:03.0", "inv.devtlb needs addr="},
		{"inv.devtlb 00:03.0 addr=0x1000 size=0x2000",
		 "addr not aligned to size"},
		{"inv.devtlb 00:03.0 addr=0x1000 global",
		 "global goes with pasid="},
		{"inv.status", "inv.status needs expect=pending|done|ite"},
		{"prq.req 00:03.0 0x1010 r", "ADDR must be page aligned"},
		{"prq.expect", "prq.expect needs count=, pro= or ppr="},
		{"prq.respond off", "off only for prq.auto"},
		{"prq.auto", "prq.auto needs success|invalid|failure|off"},
		{"prq.init qs=8", "qs"},
	};
	for (const auto &c : cases) {
		std::string e = error_of(std::string("\n") + c.line + "\n");
		EXPECT_EQ(e.rfind("t.trace:2: ", 0), 0u) << c.line << ": " << e;
		EXPECT_NE(e.find(c.msg), std::string::npos)
			<< c.line << ": " << e;
	}
}

TEST(TraceReader, CommentsBlankLinesAndLineNumbers)
{
	Parsed p = parse("# header\n\n   \t\nmem.w32 0 1 # trailing\n"
			 "#mem.w32 0 2\n\r\nmem.r32 0x10\n");
	ASSERT_EQ(p.error, "");
	ASSERT_EQ(p.recs.size(), 2u);
	EXPECT_EQ(p.recs[0].line, 4u);
	EXPECT_EQ(p.recs[1].line, 7u);
}

TEST(TraceReader, TimeStampsCarryOverAndMustNotGoBackwards)
{
	Parsed p = parse("@100 mem.w32 0 1\nmem.w32 0 1\n@0x200 mem.w32 0 1\n"
			 "@0x200 mem.w32 0 1\n");
	ASSERT_EQ(p.error, "");
	EXPECT_EQ(p.recs[0].time, 100u);
	EXPECT_EQ(p.recs[1].time, 100u);
	EXPECT_EQ(p.recs[2].time, 0x200u);
	EXPECT_EQ(error_of("@100 mem.w32 0 1\n@99 mem.w32 0 1\n"),
		  "t.trace:2: time @99 goes backwards (previous @100)");
	EXPECT_EQ(error_of("@x mem.w32 0 1\n"), "t.trace:1: bad time '@x'");
	EXPECT_EQ(error_of("@5\n"), "t.trace:1: time without a record");
}

TEST(TraceReader, HexAndDecimalNumbers)
{
	EXPECT_EQ(one("mem.w32 0x10 16").value, 16u);
	EXPECT_EQ(one("mem.w32 0X10 0XfF").value, 0xffu);
	EXPECT_EQ(one("mem.w32 010 0").addr, 10u); // decimal, not octal
}

TEST(TraceReader, MalformedRecordsGiveFileLineAndMessage)
{
	struct {
		const char *text, *error;
	} cases[] = {
		{"mem.w32 0 1\nfoo 1\n", "t.trace:2: unknown record 'foo'"},
		{"mem.w32 0x1g 1\n", "t.trace:1: bad number '0x1g' for PA"},
		{"mem.w32 0x 1\n", "t.trace:1: bad number '0x' for PA"},
		{"mem.w32 -1 1\n", "t.trace:1: bad number '-1' for PA"},
		{"mem.w64 0 18446744073709551616\n",
		 "t.trace:1: bad number '18446744073709551616' for VALUE"},
		{"mem.w32 0 0x100000000\n",
		 "t.trace:1: VALUE 0x100000000 out of range (max 0xffffffff)"},
		{"mem.w32 0\n", "t.trace:1: mem.w32: missing VALUE"},
		{"mem.w32 0 1 2\n",
		 "t.trace:1: unexpected field '2' in mem.w32"},
		{"mem.r32 0 expect=1 expect=2\n",
		 "t.trace:1: duplicate key 'expect'"},
		{"mem.r32 0 mask=1\n",
		 "t.trace:1: unknown key 'mask' for mem.r32"},
		{"reg.r32 0x1d\n",
		 "t.trace:1: register offset 0x1d not aligned to 4 bytes"},
		{"reg.w64 0x1000 0\n",
		 "t.trace:1: OFF 0x1000 out of range (max 0xff8)"},
		{"dma 00:1f 0 8 r\n",
		 "t.trace:1: bad BDF '00:1f' (expected BB:DD.F in hex)"},
		{"dma 00:20.0 0 8 r\n",
		 "t.trace:1: bad BDF '00:20.0' (expected BB:DD.F in hex)"},
		{"dma 00:02.8 0 8 r\n",
		 "t.trace:1: bad BDF '00:02.8' (expected BB:DD.F in hex)"},
		{"dma 100:02.0 0 8 r\n",
		 "t.trace:1: bad BDF '100:02.0' (expected BB:DD.F in hex)"},
		{"dma 00:02.0 pasid=0x100000 0 8 r\n",
		 "t.trace:1: pasid 0x100000 out of range (max 0xfffff)"},
		{"dma 00:02.0 0 8 x\n", "t.trace:1: bad access (r or w) 'x'"},
		{"dma 00:02.0 0 0 r\n", "t.trace:1: LEN must be at least 1"},
		{"dma 00:02.0 0 8 r priv\n",
		 "t.trace:1: priv/exec need a request with pasid="},
		{"dma 00:02.0 0 8 r expect=fault:0x100\n",
		 "t.trace:1: fault reason 0x100 out of range (max 0xff)"},
		{"dma 00:02.0 0xffffffffffffffff 2 r\n",
		 "t.trace:1: IOVA + LEN beyond the 64-bit address space"},
		{"dma 00:02.0 0 8\n", "t.trace:1: dma: missing r|w"},
		{"iommu.init\n",
		 "t.trace:1: iommu.init needs mode=legacy|scalable"},
		{"iommu.init mode=foo\n", "t.trace:1: bad mode 'foo'"},
		{"domain d\n", "t.trace:1: domain needs type=sl|fl"},
		{"domain d type=fl levels=3\n",
		 "t.trace:1: levels=3 not valid for a fl domain"},
		{"domain 9d type=sl\n", "t.trace:1: bad domain name '9d'"},
		{"map d 0x1000 0x2000 0x1000 page=2m\n",
		 "t.trace:1: IOVA and SIZE must be multiples of 0x200000"},
		{"map d 0x1000 0x2000 0x1000 exec nx\n",
		 "t.trace:1: exec and nx exclude each other"},
		{"map d 0x1000 0x2000 0x1000 user user\n",
		 "t.trace:1: duplicate flag 'user'"},
		{"attach 00:01.0\n",
		 "t.trace:1: missing domain NAME (only pgtt=pt or tt=pt attach "
		 "without a domain)"},
		{"inv.iotlb page did=1\n",
		 "t.trace:1: page invalidation needs addr="},
		{"inv.iotlb domain\n",
		 "t.trace:1: domain invalidation needs did=N or domain=NAME"},
		{"inv.pc pasid did=1\n",
		 "t.trace:1: pasid=N goes with pasid granularity"},
		{"expect.stale\n", "t.trace:1: expect.stale: missing N"},
		{"mem.w32 0 1 =3\n", "t.trace:1: field '=3' has no key"},
	};
	for (const auto &c : cases)
		EXPECT_EQ(error_of(c.text), c.error) << c.text;
}

TEST(TraceReader, LongLinesAreMalformedButLongCommentsAreFine)
{
	std::string comment = "# " + std::string(200000, 'x') + "\n";
	Parsed p = parse(comment + "mem.w32 0 1\n");
	EXPECT_EQ(p.error, "");
	EXPECT_EQ(p.recs.size(), 1u);
	std::string longrec = "mem.w32 0 " + std::string(100000, '1') + "\n";
	EXPECT_EQ(error_of("mem.w32 0 1\n" + longrec),
		  "t.trace:2: line longer than 65536 bytes");
	std::string nul("mem.w32 0 1\0\n", 13);
	EXPECT_EQ(error_of(nul), "t.trace:1: NUL byte in line");
}

TEST(TraceReader, LastLineWithoutNewlineIsRead)
{
	Parsed p = parse("mem.w32 0 1\nmem.w32 4 2");
	ASSERT_EQ(p.error, "");
	ASSERT_EQ(p.recs.size(), 2u);
	EXPECT_EQ(p.recs[1].value, 2u);
}

TEST(TraceReader, BdfHelperEncodesSourceId)
{
	uint16_t sid = 0;
	EXPECT_EQ(trace_parse_bdf("ff:1f.7", &sid), 0);
	EXPECT_EQ(sid, 0xffff);
	EXPECT_EQ(trace_parse_bdf("0:0.0", &sid), 0);
	EXPECT_EQ(sid, 0);
	EXPECT_NE(trace_parse_bdf("00:00.0.1", &sid), 0);
	EXPECT_NE(trace_parse_bdf("00.00:0", &sid), 0);
}
