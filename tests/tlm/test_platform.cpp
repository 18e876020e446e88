// SPDX-License-Identifier: MIT
// vtdsim-tlm-platform (docs/systemc.md) against `vtdsim replay`: the same
// trace through the SystemC platform (software programming the tables
// through the CPU's bus and the MMIO socket, DMA through the upstream
// socket, the unit's table walks through the memory socket) gives the same
// report, CSV rows (translations, faults, latencies by part), JSON,
// metrics, messages and exit code.
#include <string>

#include <gtest/gtest.h>

#include "cli_util.h"

namespace
{

const std::string src = VTDSIM_SOURCE_DIR;

cli::Cmd platform(const std::string &args)
{
	return cli::run("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " PLATFORM_BINARY,
			args);
}

struct outputs {
	cli::Cmd cmd;
	std::string csv, json, metrics;
};

outputs run_both(bool on_platform, const std::string &trace,
		 const std::string &extra = "")
{
	std::string tag = on_platform ? "p" : "r";
	std::string csv = cli::tmp(tag + ".csv"),
		    json = cli::tmp(tag + ".json"),
		    metrics = cli::tmp(tag + ".metrics");
	std::string args = "--csv " + csv + " --json " + json + " --metrics " +
			   metrics + " " + extra + " " + trace;
	outputs o;

	o.cmd = on_platform ? platform(args)
			    : cli::vtdsim("replay --no-progress " + args);
	o.csv = cli::slurp(csv);
	o.json = cli::slurp(json);
	o.metrics = cli::slurp(metrics);
	std::remove(csv.c_str());
	std::remove(json.c_str());
	std::remove(metrics.c_str());
	return o;
}

void expect_same(const std::string &trace, int rc)
{
	outputs r = run_both(false, trace), p = run_both(true, trace);

	EXPECT_EQ(r.cmd.rc, rc) << r.cmd.out;
	EXPECT_EQ(p.cmd.rc, r.cmd.rc) << p.cmd.out;
	EXPECT_EQ(p.cmd.out, r.cmd.out);
	if (rc != 2) { // a malformed trace leaves no output file
		EXPECT_FALSE(r.csv.empty());
	}
	EXPECT_EQ(p.csv, r.csv);
	EXPECT_EQ(p.json, r.json);
	EXPECT_EQ(p.metrics, r.metrics);
}

class SampleOnPlatform : public testing::TestWithParam<const char *>
{
};

} // namespace

// Acceptance: the nested and SVA samples (and every other shipped sample)
// give identical results, and LT latencies equal the replayer's.
TEST_P(SampleOnPlatform, GivesTheReplayersResultsAndLatencies)
{
	expect_same(src + "/traces/samples/" + GetParam() + ".trace", 0);
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleOnPlatform,
			 testing::Values("sm-nested", "sva-page-fault",
					 "checker", "legacy-pt", "legacy-sl",
					 "sm-fl4", "sm-fl5", "sm-lowlevel",
					 "sm-pt", "sm-sl"));

// A platform that lost a page group response, a device-TLB invalidation or
// a fault would pass a wrong expectation or fail a right one: a trace whose
// expectation is wrong fails the same way on both.
TEST(Platform, AWrongExpectationFailsAsItDoesInTheReplayer)
{
	expect_same(src + "/traces/negative/wrong-expectation.exit1.trace", 1);
	expect_same(src + "/traces/negative/access-never-answered.exit1.trace",
		    1);
}

// Without overlap the annotated delay is the whole latency; with overlap
// (the nested sample's requests 10 ns apart) annotate times each request
// alone, so only the functional results are the replayer's.
TEST(Platform, AnnotatedTimingIsExactWithoutOverlapAndFunctionalWithIt)
{
	std::string t = cli::tmp("spaced.trace");
	cli::spit(t, "iommu.init mode=legacy\n"
		     "domain d type=sl levels=4\n"
		     "map d 0x100000 0x4000000 0x10000\n"
		     "attach 00:02.0 d\n"
		     "@1000 dma 00:02.0 0x100040 64 r expect=0x4000040\n"
		     "@100000 dma 00:02.0 0x101000 64 w expect=0x4001000\n"
		     "@200000 dma 00:02.0 0x100080 64 r expect=0x4000080\n"
		     "@300000 dma 00:02.0 0x200000 8 r expect=fault:0x6\n");
	outputs r = run_both(false, t),
		p = run_both(true, t, "--lt-timing annotate");
	EXPECT_EQ(r.cmd.rc, 0) << r.cmd.out;
	EXPECT_EQ(p.cmd.rc, 0) << p.cmd.out;
	EXPECT_EQ(p.csv, r.csv);
	EXPECT_EQ(p.cmd.out, r.cmd.out);
	std::remove(t.c_str());

	cli::Cmd n = platform("--lt-timing annotate " + src +
			      "/traces/samples/sm-nested.trace");
	EXPECT_EQ(n.rc, 0) << n.out;
	EXPECT_NE(n.out.find("expectations: 14 passed, 0 failed"),
		  std::string::npos)
		<< n.out;
}

TEST(Platform, BadOptionsAndInputAreExit2WithAMessage)
{
	cli::Cmd c = platform("--bogus x");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("unrecognised option '--bogus'"),
		  std::string::npos)
		<< c.out;
	c = platform("--lt-timing sometimes x");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("--lt-timing is wait or annotate"),
		  std::string::npos)
		<< c.out;
	c = platform("");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("a trace file is needed"), std::string::npos);
	c = platform("/nonexistent.trace");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("/nonexistent.trace: No such file"),
		  std::string::npos)
		<< c.out;
	expect_same(src + "/traces/negative/malformed-record.exit2.trace", 2);
	c = platform("--help");
	EXPECT_EQ(c.rc, 0);
	EXPECT_NE(c.out.find("--lt-timing"), std::string::npos);
}
