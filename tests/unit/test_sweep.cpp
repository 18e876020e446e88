// SPDX-License-Identifier: MIT
// `vtdsim sweep` (docs/sweep.md): the product of the --vary lists, one row
// per point in CSV and JSON, a PNG per metric, the same table from
// --emit-jobs + --merge, a failing point reported with its parameters
// without losing the others, deterministic per point.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cli_util.h"
#include "json_check.h"

using cli::Cmd;
using cli::exists;
using cli::slurp;
using cli::vtdsim;

namespace
{

std::string dir(const std::string &name)
{
	std::string d = cli::tmp("sweep-" + name);
	std::string cmd = "rm -rf '" + d + "'";
	EXPECT_EQ(system(cmd.c_str()), 0);
	return d;
}

// a small trace with contention: 2 devices, 8 in flight, 4 MiB
const std::string &trace()
{
	static std::string t;
	if (t.empty()) {
		t = cli::tmp("sweep.vtb");
		Cmd c = vtdsim("gen dma-window --window 4m --inflight 8 "
			       "--devices 2 --count 6000 -o " +
			       t);
		EXPECT_EQ(c.rc, 0) << c.out;
	}
	return t;
}

json::Value parse(const std::string &path)
{
	json::Value v;
	std::string text = slurp(path);
	json::Parser p(text);
	EXPECT_TRUE(p.parse(v)) << path << ": " << p.error();
	return v;
}

std::vector<std::string> lines(const std::string &s)
{
	std::vector<std::string> v;
	size_t a = 0, b;
	while ((b = s.find('\n', a)) != std::string::npos) {
		v.push_back(s.substr(a, b - a));
		a = b + 1;
	}
	return v;
}

// a sweep directory whose spec has nine keys (more than a sweep takes)
std::string nine_vary()
{
	std::string d = cli::tmp("sweep-nine");
	std::string spec = "vtdsim-sweep 1\ntrace /x\npoints 1\n";
	for (int i = 0; i < 9; i++)
		spec += "vary k" + std::to_string(i) + " 1\n";
	EXPECT_EQ(system(("mkdir -p '" + d + "'").c_str()), 0);
	cli::spit(d + "/sweep.spec", spec);
	return d;
}

const char *grid = "--vary iotlb.sets=2,8,32 --vary timing.walkers=1,4";

} // namespace

TEST(Sweep, TheProductOfTheVaryListsGivesOneRowPerPointAndAPlotPerMetric)
{
	std::string d = dir("grid");
	Cmd c = vtdsim("sweep " + trace() + " " + grid + " --jobs 2 -o " + d);
	ASSERT_EQ(c.rc, 0) << c.out;
	EXPECT_NE(c.out.find("6 points (0 failed)"), std::string::npos);

	std::vector<std::string> csv = lines(slurp(d + "/sweep.csv"));
	ASSERT_EQ(csv.size(), 7u);
	EXPECT_EQ(csv[0].rfind("point,iotlb.sets,timing.walkers,status,"
			       "exit_code,requests,",
			       0),
		  0u)
		<< csv[0];
	// the last key varies fastest
	EXPECT_EQ(csv[1].rfind("1,2,1,ok,0,6000,", 0), 0u) << csv[1];
	EXPECT_EQ(csv[2].rfind("2,2,4,ok,0,6000,", 0), 0u) << csv[2];
	EXPECT_EQ(csv[6].rfind("6,32,4,ok,0,6000,", 0), 0u) << csv[6];

	json::Value j = parse(d + "/sweep.json");
	EXPECT_EQ(j["sweep_version"].num, 1);
	ASSERT_EQ(j["parameters"].arr.size(), 2u);
	EXPECT_EQ(j["parameters"][0].str, "iotlb.sets");
	const json::Value &pts = j["points"];
	ASSERT_EQ(pts.arr.size(), 6u);
	// what the sweep is for: a bigger IOTLB hits more, more walkers
	// lower the latency, at every point
	for (size_t w = 0; w < 2; w++) {
		double prev = -1;
		for (size_t s = 0; s < 3; s++) {
			const json::Value &p = pts[s * 2 + w];
			EXPECT_EQ(p["status"].str, "ok");
			EXPECT_EQ(p["parameters"]["timing.walkers"].num,
				  w ? 4 : 1);
			double hr = p["metrics"]["iotlb_hit_rate"].num;
			EXPECT_GT(hr, prev);
			prev = hr;
		}
	}
	for (size_t s = 0; s < 3; s++)
		EXPECT_LT(pts[s * 2 + 1]["metrics"]["latency_p99_ns"].num,
			  pts[s * 2]["metrics"]["latency_p99_ns"].num);
	for (const char *m :
	     {"throughput_mrps", "latency_p50_ns", "latency_p99_ns",
	      "iotlb_hit_rate", "walkers_busy"}) {
		std::string png = slurp(d + "/plots/" + m + ".png");
		EXPECT_EQ(png.compare(0, 8, "\x89PNG\r\n\x1a\n"), 0) << m;
	}
	// one line per value of the other keys
	std::string gp = slurp(d + "/plots/latency_p99_ns.gp");
	EXPECT_NE(gp.find("title 'timing.walkers=1'"), std::string::npos);
	EXPECT_NE(gp.find("title 'timing.walkers=4'"), std::string::npos);
	EXPECT_NE(gp.find("set xlabel 'iotlb.sets'"), std::string::npos);
}

TEST(Sweep, EmittedJobsRunElsewhereAndMergedGiveTheSameTable)
{
	std::string local = dir("local"), far = dir("far");
	std::string jobs = cli::tmp("sweep-jobs.txt");
	ASSERT_EQ(vtdsim("sweep " + trace() + " " + grid + " -o " + local).rc,
		  0);
	Cmd e = vtdsim("sweep " + trace() + " " + grid + " -o " + far +
		       " --emit-jobs " + jobs);
	ASSERT_EQ(e.rc, 0) << e.out;
	EXPECT_NE(e.out.find("6 jobs in"), std::string::npos);
	EXPECT_FALSE(exists(far + "/sweep.csv"));
	std::vector<std::string> cmds = lines(slurp(jobs));
	ASSERT_EQ(cmds.size(), 6u);
	// what a Slurm array task does: its line of the file, by the shell
	for (size_t i = cmds.size(); i-- > 0;) {
		std::string one = "sed -n '" + std::to_string(i + 1) + "p' '" +
				  jobs + "' | sh";
		EXPECT_EQ(system(one.c_str()), 0) << cmds[i];
	}
	Cmd m = vtdsim("sweep --merge " + far);
	ASSERT_EQ(m.rc, 0) << m.out;
	std::string a = slurp(local + "/sweep.csv");
	std::string b = slurp(far + "/sweep.csv");
	EXPECT_EQ(a, b);
	std::string ja = slurp(local + "/sweep.json");
	std::string jb = slurp(far + "/sweep.json");
	EXPECT_EQ(ja, jb);
	EXPECT_TRUE(exists(far + "/plots/iotlb_hit_rate.png"));
	// and a second local run: deterministic per point
	std::string again = dir("again");
	ASSERT_EQ(vtdsim("sweep " + trace() + " " + grid + " --jobs 1 -o " +
			 again)
			  .rc,
		  0);
	EXPECT_EQ(slurp(again + "/sweep.csv"), a);
}

TEST(Sweep, AFailingPointIsReportedWithItsParametersAndTheOthersKept)
{
	std::string d = dir("fail");
	Cmd c = vtdsim("sweep " + trace() +
		       " --vary mem.size=0x10000000000,0x1000 --vary "
		       "timing.walkers=2 -o " +
		       d);
	EXPECT_EQ(c.rc, 1) << c.out;
	EXPECT_NE(c.out.find("point 2 (mem.size=0x1000 timing.walkers=2) "
			     "failed: "),
		  std::string::npos)
		<< c.out;
	EXPECT_NE(c.out.find("iommu.init: table memory exhausted"),
		  std::string::npos);
	json::Value j = parse(d + "/sweep.json");
	ASSERT_EQ(j["points"].arr.size(), 2u);
	EXPECT_EQ(j["points"][0]["status"].str, "ok");
	EXPECT_GT(j["points"][0]["metrics"]["throughput_mrps"].num, 0);
	EXPECT_EQ(j["points"][1]["status"].str, "failed");
	EXPECT_FALSE(j["points"][1].has("metrics"));
	EXPECT_NE(j["points"][1]["error"].str.find("table memory exhausted"),
		  std::string::npos);
	std::vector<std::string> csv = lines(slurp(d + "/sweep.csv"));
	ASSERT_EQ(csv.size(), 3u);
	EXPECT_EQ(csv[2].rfind("2,0x1000,2,failed,-1,,", 0), 0u) << csv[2];
}

TEST(Sweep, BadOptionsExitTwoBeforeAnyPointRuns)
{
	struct {
		std::string args, msg;
	} cases[] = {
		{"sweep " + trace(), "usage: vtdsim sweep"},
		{"sweep " + trace() + " --vary iotlb.sets", "bad --vary"},
		{"sweep " + trace() + " --vary iotlb.sets=", "bad --vary"},
		{"sweep " + trace() + " --vary iotlb.bogus=1",
		 "--vary iotlb.bogus=1: "},
		{"sweep " + trace() + " --vary iotlb.sets=3",
		 "--vary iotlb.sets=3: "},
		{"sweep " + trace() + " --vary a.b=1 --vary a.b=2",
		 "--vary a.b given twice"},
		{"sweep " + trace() + " --vary iotlb.sets=8 --jobs 0",
		 "bad --jobs '0'"},
		{"sweep /nonexistent.trace --vary iotlb.sets=8",
		 "/nonexistent.trace: cannot open"},
		{"sweep --merge /", "not a sweep directory"},
		{"sweep --merge /tmp " + trace(), "--merge DIR takes no trace"},
		{"sweep --merge " + nine_vary(), "more than 8 vary lines"},
	};
	for (const auto &k : cases) {
		Cmd c = vtdsim(k.args + " -o " + dir("bad"));
		EXPECT_EQ(c.rc, 2) << k.args << "\n" << c.out;
		EXPECT_NE(c.out.find(k.msg), std::string::npos)
			<< k.args << "\n"
			<< c.out;
	}
}
