// SPDX-License-Identifier: MIT
// Replay engine: exit codes 0/1/2, failure messages, stale accounting,
// --set, and the JSON report.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

// vtd_fault.h declares vtd_fault_reason_name() outside extern "C" (it is
// included by vtdsim.h before the extern "C" block): declare it C here.
extern "C" {
#include <vtdsim/vtd_fault.h>
}

#include "cli_util.h"
#include "replay.h"

namespace
{

struct Outcome {
	int rc;
	replay_result res;
	std::string out, err;
};

std::string slurp(FILE *f)
{
	std::string s;
	char buf[4096];
	size_t n;
	rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		s.append(buf, n);
	return s;
}

Outcome run(const std::string &text, replay_options opt = {})
{
	Outcome r;
	FILE *in = fmemopen((void *)text.data(), text.size(), "r");
	FILE *out = tmpfile(), *err = tmpfile();
	opt.out = out;
	opt.err = err;
	replay *rp = replay_create(&opt);
	r.rc = replay_run(rp, in, "t.trace");
	r.res = *replay_get_result(rp);
	replay_destroy(rp);
	r.out = slurp(out);
	r.err = slurp(err);
	fclose(in);
	fclose(out);
	fclose(err);
	return r;
}

const char *kLegacy = "iommu.init mode=legacy\n"
		      "domain d type=sl\n"
		      "map d 0x1000 0x100000 0x1000\n"
		      "attach 00:01.0 d\n";

std::string read_file(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

std::string temp_path(const char *tag)
{
	return std::string(testing::TempDir()) + "vtdsim_" + tag + "_" +
	       std::to_string(getpid()) + ".json";
}

} // namespace

TEST(Replay, AllExpectationsHoldExitsZero)
{
	Outcome r = run(std::string(kLegacy) +
			"dma 00:01.0 0x1010 8 r expect=0x100010\n"
			"dma 00:01.0 0x2000 8 r expect=fault:0x6\n"
			"mem.w32 0x5000 0x11223344\n"
			"mem.r32 0x5000 expect=0x11223344\n"
			"reg.r32 0x1c expect=0x80000000 mask=0x80000000\n");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(r.res.expect_pass, 4u);
	EXPECT_EQ(r.res.expect_fail, 0u);
	EXPECT_EQ(r.res.requests, 2u);
	EXPECT_EQ(r.err, "");
	EXPECT_NE(r.out.find("result: PASS"), std::string::npos);
}

TEST(Replay, FailedExpectationsExitOneAndAreAllReported)
{
	Outcome r = run(std::string(kLegacy) +
			"dma 00:01.0 0x1010 8 r expect=0x200010\n"
			"dma 00:01.0 0x2000 8 r expect=0x5000\n"
			"dma 00:01.0 0x1000 8 r expect=fault:0x6\n"
			"mem.r64 0x5000 expect=1\n"
			"reg.r32 0x1c expect=0 mask=0x80000000\n"
			"dma 00:01.0 0x1010 8 r expect=0x100010\n");
	EXPECT_EQ(r.rc, 1);
	EXPECT_EQ(r.res.expect_fail, 5u);
	EXPECT_EQ(r.res.expect_pass, 1u);
	EXPECT_NE(r.err.find("t.trace:5: expected 0x200010, got 0x100010"),
		  std::string::npos)
		<< r.err;
	EXPECT_NE(r.err.find("t.trace:6: expected 0x5000, got fault 0x06"),
		  std::string::npos);
	EXPECT_NE(r.err.find("t.trace:7: expected fault 0x06 (" +
			     std::string(vtd_fault_reason_name(6)) +
			     "), got 0x100000"),
		  std::string::npos);
	EXPECT_NE(r.err.find("t.trace:8: expected 0x1, got 0x0"),
		  std::string::npos);
	EXPECT_NE(r.err.find("t.trace:9: expected 0x0 (mask 0x80000000), got "
			     "0x80000000"),
		  std::string::npos);
}

TEST(Replay, RequestBlockedOnALaterPageReportsThatPage)
{
	Outcome r = run(std::string(kLegacy) +
			"dma 00:01.0 0x1ff0 0x20 r expect=0x100ff0\n");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("t.trace:5: expected 0x100ff0, got fault 0x06 "),
		  std::string::npos)
		<< r.err;
	EXPECT_NE(r.err.find("at IOVA 0x2000"), std::string::npos);
}

TEST(Replay, MalformedInputExitsTwoAndStops)
{
	Outcome r = run(std::string(kLegacy) +
			"dma 00:01.0 0x1010 8 r expect=0x0\n"
			"bogus\n"
			"dma 00:01.0 0x1010 8 r expect=0x0\n");
	EXPECT_EQ(r.rc, 2);
	EXPECT_NE(r.err.find("t.trace:6: unknown record 'bogus'"),
		  std::string::npos);
	EXPECT_EQ(r.res.expect_fail, 1u); // the one before, not the one after
	EXPECT_EQ(r.out, "");
}

TEST(Replay, DriverUsageErrorsAreMalformed)
{
	EXPECT_EQ(run("map nope 0x1000 0x1000 0x1000\n").err,
		  "t.trace:1: unknown domain nope\n");
	EXPECT_EQ(run("iommu.init mode=legacy\niommu.init mode=legacy\n").rc,
		  2);
	Outcome r = run("iommu.init mode=legacy\nconfig iotlb.sets=4\n");
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err, "t.trace:2: config after the first non-config "
			 "record\n");
	r = run("config no.such.key=1\n");
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err.rfind("t.trace:1: ", 0), 0u) << r.err;
	r = run("config mem.size=0x100000\nmem.w32 0x100000 1\n");
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err, "t.trace:2: PA 0x100000 beyond mem.size 0x100000\n");
}

TEST(Replay, StaleReportsMustBeAccountedFor)
{
	std::string base = "iommu.init mode=scalable\n"
			   "domain d type=sl\n"
			   "map d 0x1000 0x100000 0x1000\n"
			   "attach 00:0a.0 d\n"
			   "dma 00:0a.0 0x1000 8 r expect=0x100000\n"
			   "remap d 0x1000 0x200000 inv=none\n"
			   "dma 00:0a.0 0x1000 8 r\n";
	Outcome ok = run(base + "expect.stale 1\n");
	EXPECT_EQ(ok.rc, 0) << ok.err;
	EXPECT_EQ(ok.res.stale_reports, 1u);
	EXPECT_EQ(ok.res.stale_unaccounted, 0u);

	Outcome missing = run(base);
	EXPECT_EQ(missing.rc, 1);
	EXPECT_EQ(missing.res.stale_unaccounted, 1u);
	EXPECT_EQ(missing.err.rfind("t.trace:7: stale translation: ", 0), 0u)
		<< missing.err;

	Outcome wrong = run(base + "expect.stale 2\n");
	EXPECT_EQ(wrong.rc, 1);
	EXPECT_NE(wrong.err.find("t.trace:8: expected 2 stale reports, got 1"),
		  std::string::npos);

	Outcome off = run("config check=0\n" + base);
	EXPECT_EQ(off.rc, 0) << off.err;
	EXPECT_EQ(off.res.stale_reports, 0u);
}

TEST(Replay, SetOverridesConfigAndBadSetIsMalformed)
{
	const char *sets[] = {"iotlb.sets=0"};
	replay_options opt{};
	opt.set = sets;
	opt.nset = 1;
	opt.quiet = true;
	// with the IOTLB off, the second request misses as well
	Outcome r = run(std::string(kLegacy) + "dma 00:01.0 0x1000 8 r\n"
					       "dma 00:01.0 0x1000 8 r\n",
			opt);
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(r.out, "");
	const char *bad[] = {"nokey"};
	opt.set = bad;
	r = run("inv.wait\n", opt);
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err, "--set nokey: expected KEY=VALUE\n");
}

TEST(Replay, JsonReportHoldsTheNumbers)
{
	std::string path = temp_path("ok");
	replay_options opt{};
	opt.json_path = path.c_str();
	opt.quiet = true;
	Outcome r = run(std::string(kLegacy) +
				"@5 dma 00:01.0 0x1010 8 r expect=0x100010\n"
				"@7 dma 00:01.0 0x2000 8 r expect=fault:0x6\n",
			opt);
	ASSERT_EQ(r.rc, 0) << r.err;
	std::string j = read_file(path);
	EXPECT_NE(j.find("\"trace\": \"t.trace\""), std::string::npos) << j;
	EXPECT_NE(j.find("\"exit_code\": 0"), std::string::npos);
	EXPECT_NE(j.find("\"requests\": 2"), std::string::npos);
	EXPECT_NE(j.find("\"last_time_ns\": 7"), std::string::npos);
	EXPECT_NE(j.find("{\"code\": 6, \"name\": \""), std::string::npos);
	EXPECT_NE(j.find("\"count\": 1}"), std::string::npos);
	EXPECT_NE(j.find("\"iotlb\": {\"lookups\": "), std::string::npos);
	EXPECT_NE(j.find("\"expectations\": {\"passed\": 2, \"failed\": 0, \"latency_passed\": 0}"),
		  std::string::npos);
	EXPECT_NE(j.find(std::string("\"") + vtd_mode_name(VTD_MODE_LEGACY_SL) +
			 "\": 1"),
		  std::string::npos);
	unlink(path.c_str());
}

TEST(Replay, JsonReportEscapesTheTraceName)
{
	std::string path = temp_path("esc");
	std::string text = "inv.wait\n";
	FILE *in = fmemopen((void *)text.data(), text.size(), "r");
	replay_options opt{};
	opt.json_path = path.c_str();
	opt.quiet = true;
	replay *rp = replay_create(&opt);
	EXPECT_EQ(replay_run(rp, in, "a\"b\\c\n"), 2); // inv.wait before init
	replay_destroy(rp);
	fclose(in);
	EXPECT_NE(access(path.c_str(), F_OK), 0);
	text = "mem.w32 0 1\n";
	in = fmemopen((void *)text.data(), text.size(), "r");
	rp = replay_create(&opt);
	EXPECT_EQ(replay_run(rp, in, "a\"b\\c\n"), 0);
	replay_destroy(rp);
	fclose(in);
	EXPECT_NE(read_file(path).find("\"trace\": \"a\\\"b\\\\c\\n\""),
		  std::string::npos);
	unlink(path.c_str());
}

TEST(Replay, MalformedTraceLeavesAnExistingJsonFileUntouched)
{
	std::string path = temp_path("keep");
	{
		std::ofstream f(path);
		f << "previous";
	}
	replay_options opt{};
	opt.json_path = path.c_str();
	opt.quiet = true;
	Outcome r = run("mem.w32 0 1\nmem.w32 zz 1\n", opt);
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(read_file(path), "previous");
	r = run("mem.w32 0 1\nmem.r32 0 expect=2\n", opt);
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(read_file(path).find("\"failed\": 1"), std::string::npos);
	unlink(path.c_str());
}

// Outputs appear whole or not at all (out_file.h): a replay killed with
// SIGKILL in the middle of a long stream leaves the earlier CSV and JSON as
// they were and no temporary file beside them.
TEST(Replay, AKilledReplayLeavesNoPartialFileAndTheOldOnesIntact)
{
	char dir[] = "/tmp/vtdsim-kill-XXXXXX";
	ASSERT_NE(mkdtemp(dir), nullptr);
	std::string d = dir, csv = d + "/out.csv", json = d + "/out.json";
	{
		std::ofstream(csv) << "old csv";
		std::ofstream(json) << "old json";
	}
	std::string bin = VTDSIM_BINARY;
	std::string cmd = bin + " gen dma-window --count 200000000 --format "
				"binary 2>/dev/null | timeout -s KILL 1 " +
			  bin + " replay --no-progress --csv " + csv +
			  " --json " + json + " - >/dev/null 2>&1";
	int st = system(cmd.c_str());
	EXPECT_NE(WEXITSTATUS(st), 0); // killed (timeout: 137)
	EXPECT_EQ(read_file(csv), "old csv");
	EXPECT_EQ(read_file(json), "old json");
	std::string ls = cli::run("ls -A", d).out;
	EXPECT_EQ(ls, "out.csv\nout.json\n") << "left behind: " << ls;
	// a complete replay replaces both at once
	std::string ok = bin + " replay --quiet --csv " + csv + " --json " +
			 json + " " + VTDSIM_SOURCE_DIR +
			 "/traces/samples/sm-sl.trace";
	EXPECT_EQ(system(ok.c_str()), 0);
	EXPECT_EQ(read_file(csv).rfind("ready_ns,", 0), 0u) << read_file(csv);
	EXPECT_NE(read_file(json).find("\"report_version\""),
		  std::string::npos);
	EXPECT_EQ(cli::run("ls -A", d).out, "out.csv\nout.json\n");
	unlink(csv.c_str());
	unlink(json.c_str());
	rmdir(dir);
}

TEST(Replay, ShippedSamplesPass)
{
	const char *samples[] = {"legacy-sl", "legacy-pt",   "sm-fl4",
				 "sm-fl5",    "sm-sl",	     "sm-nested",
				 "sm-pt",     "sm-lowlevel", "checker"};
	for (const char *s : samples) {
		std::string path = std::string(VTDSIM_SOURCE_DIR) +
				   "/traces/samples/" + s + ".trace";
		replay_options opt{};
		opt.quiet = true;
		replay_result res{};
		EXPECT_EQ(replay_file(path.c_str(), &opt, &res), 0) << s;
		EXPECT_GT(res.expect_pass, 5u) << s;
	}
}

TEST(Replay, CommandLineExitCodes)
{
	std::string bin = VTDSIM_BINARY;
	std::string neg = std::string(VTDSIM_SOURCE_DIR) + "/traces/negative/";
	EXPECT_EQ(system((bin + " --help >/dev/null").c_str()), 0);
	EXPECT_EQ(WEXITSTATUS(system((bin + " replay --quiet " + neg +
				      "wrong-expectation.exit1.trace "
				      "2>/dev/null")
					     .c_str())),
		  1);
	EXPECT_EQ(WEXITSTATUS(system((bin + " replay --quiet " + neg +
				      "malformed-record.exit2.trace "
				      "2>/dev/null")
					     .c_str())),
		  2);
	EXPECT_EQ(WEXITSTATUS(system(
			  (bin + " replay --bogus x 2>/dev/null").c_str())),
		  2);
	// the listing exits 0 and names the keys
	std::string list = testing::TempDir() + "vtdsim-config.txt";
	EXPECT_EQ(system((bin + " config >" + list).c_str()), 0);
	EXPECT_EQ(system(("grep -q '^alloc.base' " + list).c_str()), 0);
	unlink(list.c_str());
}
