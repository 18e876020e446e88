// SPDX-License-Identifier: MIT
// `vtdsim gen nic|nvme|sva|tenants` (docs/generators.md): each writes a
// trace that replays and passes its own expectations, deterministic per
// seed, the same in text and binary form, with the DMA pattern its device
// class has.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_util.h"

using cli::Cmd;
using cli::count;
using cli::slurp;
using cli::vtdsim;

namespace
{

std::string gen(const std::string &args)
{
	Cmd c = vtdsim("gen " + args);
	EXPECT_EQ(c.rc, 0) << args << "\n" << c.out.substr(0, 2000);
	return c.out;
}

// replay a generated trace: it must pass; the report
std::string replay(const std::string &args)
{
	std::string t = cli::tmp("gen.vtb");
	Cmd g = vtdsim("gen " + args + " -o " + t);
	EXPECT_EQ(g.rc, 0) << g.out;
	Cmd r = vtdsim("replay --no-progress " + t);
	EXPECT_EQ(r.rc, 0) << args << "\n" << r.out.substr(0, 3000);
	EXPECT_NE(r.out.find("result: PASS"), std::string::npos) << args;
	return r.out;
}

} // namespace

TEST(Generators, EveryKindReplaysPassingItsOwnExpectationsInEveryMode)
{
	for (const char *args :
	     {"nic --packets 2000", "nic --packets 2000 --inv lazy --fq 64",
	      "nic --packets 2000 --mode fl --inv lazy",
	      "nic --packets 2000 --mode legacy --gap 200", "nvme --ios 1000",
	      "nvme --ios 500 --block 64k --rw mix --mode fl",
	      "nvme --ios 500 --block 12k --mode legacy --rw w",
	      "sva --touches 3000", "sva --touches 2000 --prefault 0 --gap 20",
	      "tenants --requests 20000",
	      "tenants --tenants 64 --burst 1 --requests 5000"}) {
		std::string out = replay(args);
		EXPECT_NE(out.find("stale reports: 0 (unaccounted 0)"),
			  std::string::npos)
			<< args;
	}
}

TEST(Generators, DeterministicPerSeedAndTheSameInTextAndBinary)
{
	for (const char *k : {"nic --packets 300", "nvme --ios 200",
			      "sva --touches 300", "tenants --requests 500"}) {
		std::string a = gen(std::string(k) + " --seed 5");
		EXPECT_EQ(a, gen(std::string(k) + " --seed 5")) << k;
		EXPECT_NE(a, gen(std::string(k) + " --seed 6")) << k;
		std::string bin = cli::tmp("g.vtb"), txt = cli::tmp("g.trace");
		gen(std::string(k) + " --seed 5 -o " + bin);
		ASSERT_EQ(vtdsim("convert " + bin + " " + txt).rc, 0);
		EXPECT_EQ(slurp(txt), a) << k;
	}
}

// Linux's DMA API: strict invalidates every unmap; lazy queues them and
// flushes the domain when the queue is full, never reusing an IOVA first.
TEST(Generators, NicMapsAndUnmapsEveryPacketStrictOrThroughAFlushQueue)
{
	std::string s = gen("nic --packets 1000 --rx 100");
	EXPECT_EQ(count(s, "\nmap nic 0x1"), 1000u);
	EXPECT_EQ(count(s, "\nunmap nic "), 1000u);
	EXPECT_EQ(count(s, " inv=none"), 0u);
	// RX: descriptor read, buffer write past the headroom, write-back
	EXPECT_NE(s.find("dma 00:04.0 0xf0000000 16 r expect=0x10000000\n"
			 "dma 00:04.0 0x100000040 1500 w"),
		  std::string::npos);
	EXPECT_EQ(count(s, " perm=w\n"), 1000u); // DMA_FROM_DEVICE
	std::string l = gen("nic --packets 1000 --inv lazy --fq 100");
	EXPECT_EQ(count(l, " inv=none"), 1000u);
	EXPECT_EQ(count(l, "inv.iotlb domain domain=nic"), 10u);
	std::string r = replay("nic --packets 1000 --inv lazy --fq 100");
	EXPECT_NE(r.find("iotlb 11 wait 11"), std::string::npos) << r;
	std::string t = gen("nic --packets 1000 --rx 0");
	EXPECT_EQ(count(t, " perm=r\n"), 1000u); // DMA_TO_DEVICE
}

TEST(Generators, NvmeReadsItsQueuesAndAPrpListBeyondTwoPages)
{
	std::string a = gen("nvme --ios 100 --block 8k");
	EXPECT_EQ(count(a, "\nmap nvme 0x2"), 200u); // a page at a time
	EXPECT_EQ(count(a, " 64 r expect="), 100u);  // SQ entries
	EXPECT_EQ(count(a, " 16 w expect="), 100u);  // CQ entries
	EXPECT_EQ(count(a, " 4096 w expect="), 200u);
	std::string b = gen("nvme --ios 100 --block 16k");
	EXPECT_EQ(count(b, " 24 r expect="), 100u); // PRP list: 3 entries
	std::string w = gen("nvme --ios 100 --rw w");
	EXPECT_EQ(count(w, " 4096 r expect="), 100u); // a write reads memory
}

// first touches of pages not mapped go through PRI
TEST(Generators, SvaFirstTouchesGoThroughPageRequestsAndResponses)
{
	std::string s = gen("sva --pages 64 --touches 2000 --prefault 0");
	size_t faults = count(s, " expect=pending");
	EXPECT_EQ(faults, 64u); // every page touched once at least
	EXPECT_EQ(count(s, "prq.respond success"), faults);
	EXPECT_EQ(count(s, "\ndev.done ") + count(s, " dev.done "), faults);
	std::string r = replay("sva --pages 64 --touches 2000 --prefault 0");
	EXPECT_NE(r.find("page requests: 64 "), std::string::npos) << r;
	std::string all = gen("sva --pages 64 --touches 500 --prefault 100");
	EXPECT_EQ(count(all, " expect=pending"), 0u);
}

TEST(Generators, TenantsAreNestedVfsWithAPasidEachInterleavedInBursts)
{
	std::string s = gen("tenants --tenants 3 --requests 12 --burst 2");
	EXPECT_EQ(count(s, " type=fl levels=4 parent=vm"), 3u);
	EXPECT_NE(s.find("attach 01:00.2 g2 pasid=3"), std::string::npos);
	std::vector<std::string> order;
	size_t p = 0;
	while ((p = s.find("\ndma ", p)) != std::string::npos) {
		order.push_back(s.substr(p + 5, 7));
		p += 5;
	}
	ASSERT_EQ(order.size(), 12u);
	const char *want[] = {"01:00.0", "01:00.0", "01:00.1", "01:00.1",
			      "01:00.2", "01:00.2", "01:00.0"};
	for (size_t i = 0; i < 7; i++)
		EXPECT_EQ(order[i], want[i]) << i;
	std::string r = replay("tenants --tenants 8 --requests 4000");
	EXPECT_NE(r.find("scalable-nested      4000"), std::string::npos) << r;
}

TEST(Generators, BadOptionsExitTwoWithAMessage)
{
	struct {
		const char *args, *msg;
	} cases[] = {
		{"gen nic --bogus 1", "bad option '--bogus'"},
		{"gen nic --packets", "missing value for '--packets'"},
		{"gen nic --packets 0", "bad --packets '0'"},
		{"gen nic --inv sometimes", "bad --inv 'sometimes'"},
		{"gen nic --size 5000", "bad --size '5000'"},
		{"gen nvme --block 6k", "bad --block 6144"},
		{"gen sva --prefault 101", "bad --prefault '101'"},
		{"gen tenants --tenants 1k", "bad --tenants '1k'"},
		{"gen tenants --seed x", "bad --seed 'x'"},
		{"gen frob", "unknown generator 'frob'"},
	};
	for (const auto &k : cases) {
		Cmd c = vtdsim(k.args);
		EXPECT_EQ(c.rc, 2) << k.args;
		EXPECT_NE(c.out.find(k.msg), std::string::npos)
			<< k.args << "\n"
			<< c.out;
	}
	Cmd h = vtdsim("gen nic --help");
	EXPECT_EQ(h.rc, 0);
	EXPECT_NE(h.out.find("--inv"), std::string::npos);
}
