// SPDX-License-Identifier: MIT
// The replay fast lane (docs/performance.md): the translation memo and a
// cache hit run to completion while nothing else is in flight give exactly
// what the pipeline and the event engine give. Every shipped trace and a
// set of generated ones (paced and back to back, hits and misses, reads and
// writes, every translation mode, several devices, invalidations, page
// requests) is replayed with fast=1 and fast=0 (the checker
// off: it re-walks every hit, so the lane is closed with it); the text
// report, the JSON report, the per-request CSV and the timeline must be
// byte for byte the same. A fast lane that charged a part differently,
// skipped an LRU touch or a statistic, completed a request out of order or
// ran one alone while another was in flight shows up here.
#include <gtest/gtest.h>

#include <dirent.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

namespace
{

struct Outputs {
	int rc;
	std::string text, json, csv, timeline;
};

Outputs replay(const std::string &trace, bool fast, const std::string &extra)
{
	std::string base = cli::tmp(fast ? "fast1" : "fast0");
	cli::Cmd c = cli::vtdsim(
		"replay --no-progress --json " + base + ".json --csv " + base +
		".csv --timeline " + base + ".tl.json --set check=0 " +
		"--set fast=" + (fast ? "1" : "0") + " " + extra + " " + trace);
	Outputs o{c.rc, c.out, cli::slurp(base + ".json"),
		  cli::slurp(base + ".csv"), cli::slurp(base + ".tl.json")};
	for (const char *s : {".json", ".csv", ".tl.json"})
		std::remove((base + s).c_str());
	return o;
}

// "" when a == b, else the first line that differs (a diff of whole
// outputs would be far too big to print).
std::string first_difference(const std::string &a, const std::string &b)
{
	size_t line = 1, i = 0, start = 0;

	if (a == b)
		return "";
	while (i < a.size() && i < b.size() && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	auto rest = [start](const std::string &s) {
		return s.substr(start, s.find('\n', start) - start);
	};
	return "line " + std::to_string(line) + ":\n  fast: " + rest(a) +
	       "\n  engine: " + rest(b);
}

// The same outputs both ways; the number of requests the CSV timed.
size_t same_both_ways(const std::string &trace, const std::string &extra = "")
{
	Outputs a = replay(trace, true, extra), b = replay(trace, false, extra);

	EXPECT_EQ(a.rc, b.rc) << trace;
	EXPECT_EQ("", first_difference(a.text, b.text)) << trace << " (report)";
	EXPECT_EQ("", first_difference(a.json, b.json)) << trace << " (JSON)";
	EXPECT_EQ("", first_difference(a.csv, b.csv)) << trace << " (CSV)";
	EXPECT_EQ("", first_difference(a.timeline, b.timeline))
		<< trace << " (timeline)";
	return cli::count(a.csv, "\n");
}

void traces_under(const std::string &dir, std::vector<std::string> &out)
{
	DIR *d = opendir(dir.c_str());
	struct dirent *e;

	ASSERT_NE(d, nullptr) << dir;
	while ((e = readdir(d))) {
		std::string n = e->d_name;
		if (n.size() > 6 && n.substr(n.size() - 6) == ".trace")
			out.push_back(dir + "/" + n);
	}
	closedir(d);
}

// The whitespace-separated fields of the report's line that starts with
// name (after its indent).
std::vector<std::string> fields(const std::string &report,
				const std::string &name)
{
	std::istringstream in(report);
	std::string line, w;
	std::vector<std::string> f;

	while (std::getline(in, line)) {
		std::istringstream ws(line);
		if (!(ws >> w) || w != name)
			continue;
		while (ws >> w)
			f.push_back(w);
		break;
	}
	return f;
}

std::string gen(const std::string &name, const std::string &args)
{
	std::string path = cli::tmp(name + ".vtb");
	cli::Cmd c = cli::vtdsim("gen " + args + " -o " + path);
	EXPECT_EQ(c.rc, 0) << args << "\n" << c.out;
	return path;
}

} // namespace

TEST(FastLane, EveryShippedTraceGivesTheSameReportsWithAndWithout)
{
	std::vector<std::string> traces;
	std::string src = VTDSIM_SOURCE_DIR;

	for (const char *d : {"/traces/samples", "/traces/conformance",
			      "/traces/generators", "/traces/imported"})
		traces_under(src + d, traces);
	ASSERT_GT(traces.size(), 50u);
	for (const std::string &t : traces)
		same_both_ways(t, "--set timing=1");
}

TEST(FastLane, GeneratedWorkloadsGiveTheSameReportsWithAndWithout)
{
	const char *cases[][2] = {
		// paced, each request done before the next: all fast
		{"paced-read", "dma-window --window 256k --count 3000 "
			       "--interval 1000"},
		{"paced-write", "dma-window --window 256k --count 3000 "
				"--interval 1000 --rw w --access 4k"},
		{"paced-nested", "dma-window --window 256k --count 3000 "
				 "--interval 1500 --mode nested"},
		{"paced-fl-2m", "dma-window --window 64m --count 3000 "
				"--interval 1000 --mode fl --page 2m"},
		{"paced-sl", "dma-window --window 1m --count 3000 "
			     "--interval 900 --mode sl --access 256"},
		// overlapping: some fast, some given a script behind others
		{"overlap", "dma-window --window 256k --count 3000 "
			    "--interval 300 --inflight 4"},
		{"overlap-2dev", "dma-window --window 256k --count 3000 "
				 "--interval 200 --devices 2"},
		// misses among the hits
		{"paced-miss", "dma-window --window 64m --count 3000 "
			       "--interval 1000"},
		// back to back: the engine throughout
		{"closed", "dma-window --window 256k --count 3000"},
		{"nic-strict", "nic --packets 300 --inv strict --gap 400"},
		{"nic-lazy", "nic --packets 300 --inv lazy --fq 16 --gap 900"},
		{"nic-closed", "nic --packets 300"},
		{"nvme", "nvme --ios 200 --gap 700 --rw mix --block 16k"},
		{"sva", "sva --pages 64 --touches 3000"},
		{"tenants", "tenants --tenants 8 --requests 3000 --inflight 1"},
	};
	size_t timed = 0;

	for (auto &c : cases) {
		std::string t = gen(c[0], c[1]);
		timed += same_both_ways(t);
		std::remove(t.c_str());
	}
	EXPECT_GT(timed, 30000u);
}

// The lane is taken where it can be: a paced hit-dominated trace replays
// with the same results under a timeline window and CSV (above) and with
// the LRU replacement the IOTLB defaults to, over a window that evicts.
TEST(FastLane, EvictionsAndWarmUpAreTheSame)
{
	std::string t = gen("evict", "dma-window --window 2m --count 20000 "
				     "--interval 2500");

	same_both_ways(t, "--set iotlb.sets=4 --set iotlb.ways=8");
	same_both_ways(t, "--set iotlb.repl=fifo --set iotlb.sets=8");
	same_both_ways(t, "--set iotlb.repl=random --set iotlb.sets=8");
	same_both_ways(t, "--warmup 5000");
	std::remove(t.c_str());
}

// A memo hit refreshes its IOTLB line's LRU stamp as a lookup does: A and
// B fill a 2-way IOTLB, hit once each through the pipeline, A hits again
// from the memo; C then evicts B, the least recently used, so A hits
// after it (a memo that left the stamp alone would evict A instead).
TEST(FastLane, AMemoHitIsARecentUseForLru)
{
	std::string t = cli::tmp("lru.trace");
	std::string a = "0x100000000", b = "0x100001000", c = "0x100002000";
	std::string body = "config iotlb.sets=1\nconfig iotlb.ways=2\n"
			   "iommu.init mode=legacy\n"
			   "domain buf type=sl levels=4\n"
			   "map buf 0x100000000 0x4000000000 0x10000 page=4k\n"
			   "attach 00:02.0 buf\n";
	int n = 0;

	for (const std::string &x : {a, b, a, b, a, c, a})
		body += "@" + std::to_string(1000 * ++n) + " dma 00:02.0 " + x +
			" 64 r\n";
	cli::spit(t, body);
	for (const char *fast : {"1", "0"}) {
		cli::Cmd r = cli::vtdsim("replay --no-progress --set check=0 "
					 "--set fast=" +
					 std::string(fast) + " " + t);
		EXPECT_EQ(r.rc, 0) << r.out;
		// lookups, hits, hit rate, evictions: A, B, C miss; A, B,
		// A, A hit; C evicted B
		std::vector<std::string> f = fields(r.out, "iotlb");
		ASSERT_GE(f.size(), 4u) << r.out;
		EXPECT_EQ(f[0], "7") << "fast=" << fast << "\n" << r.out;
		EXPECT_EQ(f[1], "4") << "fast=" << fast << "\n" << r.out;
		EXPECT_EQ(f[3], "1") << "fast=" << fast << "\n" << r.out;
	}
	same_both_ways(t);
	std::remove(t.c_str());
}

// The warm-up can end inside the engine's run ahead (a closed loop of more
// requests than a device keeps waiting): the unit's counters it snapshots
// must not yet hold the request being begun, memo hit or not (a memo that
// counted the lookups before the run ahead was one translation short).
TEST(FastLane, AWarmUpEndingInARunAheadCountsTheSame)
{
	std::string t = cli::tmp("closed.trace");
	std::string body = "iommu.init mode=legacy\n"
			   "domain d type=sl levels=4\n"
			   "map d 0x0 0x70000000 0x100000\n"
			   "attach 00:03.0 d\n";

	for (int i = 0; i < 600; i++)
		body += "dma 00:03.0 0x1000 64 r\n";
	cli::spit(t, body);
	same_both_ways(t, "--warmup 300");
	std::remove(t.c_str());
}

// A hit still pending when the next request arrives is not run alone: in
// pairs of requests 100 ns apart (then a pause that empties the unit), with
// one translation slot and 2 us IOTLB lookups, the second of each pair
// waits for the slot the first holds.
TEST(FastLane, AHitNotDoneByTheNextRecordWaitsForItsTurn)
{
	std::string t = cli::tmp("pairs.trace");
	std::string body = "config timing.outstanding=4\n"
			   "iommu.init mode=legacy\n"
			   "domain buf type=sl levels=4\n"
			   "map buf 0x100000000 0x4000000000 0x10000 page=4k\n"
			   "attach 00:02.0 buf\n";
	std::string cfg = "--set timing.slots=1 --set timing.iotlb.cycles=4000";

	for (int i = 0; i < 200; i++)
		for (int j = 0; j < 2; j++)
			body += "@" + std::to_string(10000 * i + 100 * j) +
				" dma 00:02.0 0x10000" + std::to_string(i % 8) +
				"000 64 r\n";
	cli::spit(t, body);
	same_both_ways(t, cfg);
	cli::Cmd r = cli::vtdsim("replay --no-progress --set check=0 " + cfg +
				 " " + t);
	EXPECT_EQ(r.rc, 0);
	// servers, busy, waits: the second of each pair queued for the slot
	std::vector<std::string> f = fields(r.out, "slots");
	ASSERT_GE(f.size(), 3u) << r.out;
	EXPECT_EQ(f[0], "1");
	EXPECT_EQ(f[2], "200") << r.out;
	std::remove(t.c_str());
}
