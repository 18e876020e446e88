// SPDX-License-Identifier: MIT
// The timing model (docs/timing.md), seen as a user sees it: per-request
// rows of `--csv`, the `--json` report, `latency=` expectations. Each
// resource is shown to be a finite resource (a second user waits), and
// timing on or off never changes a functional result.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "cli_util.h"

#include "replay.h"
#include "vtd_internal.h"

namespace
{

using Row = std::map<std::string, std::string>;

struct Timed {
	int rc = -1;
	std::vector<Row> rows; // CSV, in completion order
	std::string json, err;

	double num(size_t i, const std::string &col) const
	{
		return std::stod(rows.at(i).at(col));
	}
	// The row of the request to addr from device dev.
	const Row &req(const std::string &dev, const std::string &addr) const
	{
		for (const Row &r : rows)
			if (r.at("device") == dev && r.at("addr") == addr)
				return r;
		throw std::runtime_error("no row for " + dev + " " + addr);
	}
	double at(const std::string &dev, const std::string &addr,
		  const std::string &col) const
	{
		return std::stod(req(dev, addr).at(col));
	}
	// A number of the JSON report: the first "key": after "section".
	double js(const std::string &section, const std::string &key) const
	{
		size_t p =
			section.empty() ? 0 : json.find("\"" + section + "\"");
		if (p == std::string::npos)
			throw std::runtime_error("no section " + section);
		p = json.find("\"" + key + "\": ", p);
		if (p == std::string::npos)
			throw std::runtime_error("no key " + key);
		return std::stod(json.substr(p + key.size() + 4));
	}
};

std::string slurp_path(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

std::vector<Row> parse_csv(const std::string &text)
{
	std::vector<Row> rows;
	std::istringstream in(text);
	std::string line, cell;
	std::vector<std::string> head;

	if (!std::getline(in, line))
		return rows;
	std::istringstream h(line);
	while (std::getline(h, cell, ','))
		head.push_back(cell);
	while (std::getline(in, line)) {
		std::istringstream l(line);
		Row r;
		size_t i = 0;
		while (std::getline(l, cell, ',') && i < head.size())
			r[head[i++]] = cell;
		rows.push_back(r);
	}
	return rows;
}

std::string tmp(const char *tag, const char *ext)
{
	return std::string(testing::TempDir()) + "vtdsim_timing_" + tag + "_" +
	       std::to_string(getpid()) + ext;
}

Timed run(const std::string &text, std::vector<std::string> sets = {})
{
	Timed t;
	std::string csv = tmp("run", ".csv"), json = tmp("run", ".json");
	std::vector<const char *> set;
	for (const std::string &s : sets)
		set.push_back(s.c_str());
	replay_options opt{};
	opt.quiet = true;
	opt.csv_path = csv.c_str();
	opt.json_path = json.c_str();
	opt.set = set.data();
	opt.nset = (unsigned int)set.size();
	FILE *in = fmemopen((void *)text.data(), text.size(), "r");
	FILE *err = tmpfile();
	opt.err = err;
	replay *rp = replay_create(&opt);
	t.rc = replay_run(rp, in, "t.trace");
	replay_destroy(rp);
	fclose(in);
	rewind(err);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), err)) > 0)
		t.err.append(buf, n);
	fclose(err);
	t.rows = parse_csv(slurp_path(csv));
	t.json = slurp_path(json);
	unlink(csv.c_str());
	unlink(json.c_str());
	return t;
}

// Two devices behind one legacy second-level domain of 64 KiB.
const std::string kTwo = "iommu.init mode=legacy\n"
			 "domain d type=sl levels=4\n"
			 "map d 0x100000 0x200000 0x10000\n"
			 "attach 00:01.0 d\n"
			 "attach 00:02.0 d\n";

} // namespace

TEST(Timing, AWalkerPoolOfOneSerialisesTwoMisses)
{
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "dma 00:02.0 0x101000 64 r\n";
	Timed one = run(t, {"timing.walkers=1"});
	Timed two = run(t, {"timing.walkers=2"});
	ASSERT_EQ(one.rc, 0) << one.err;
	ASSERT_EQ(two.rc, 0) << two.err;
	// with one walker the second miss waits for the first walk to end
	double a = one.at("00:01.0", "0x100000", "completed_ns");
	double w = one.at("00:02.0", "0x101000", "walker_wait_ns");
	EXPECT_EQ(one.at("00:01.0", "0x100000", "walker_wait_ns"), 0);
	EXPECT_GT(w, 1000); // the first walk: root, context, four levels
	EXPECT_GT(one.at("00:02.0", "0x101000", "completed_ns"), a);
	// with two they walk at once
	EXPECT_EQ(two.at("00:02.0", "0x101000", "walker_wait_ns"), 0);
	EXPECT_LT(two.at("00:02.0", "0x101000", "latency_ns"),
		  one.at("00:02.0", "0x101000", "latency_ns") - 1000);
	EXPECT_GT(one.js("walkers", "waits"), 0);
	EXPECT_EQ(two.js("walkers", "waits"), 0);
}

TEST(Timing, AMergedMissWaitsForTheWalkInFlightInsteadOfWalking)
{
	// warm the context and paging-structure caches, then two requests
	// to one new page at once: one walk, the other waits for it
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "dma 00:02.0 0x101000 64 r\n"
			       "@10000 dma 00:01.0 0x102000 64 r\n"
			       "dma 00:02.0 0x102040 64 r\n";
	Timed r = run(t);
	ASSERT_EQ(r.rc, 0) << r.err;
	double walk = r.at("00:01.0", "0x102000", "walk_sl_ns");
	double merged = r.at("00:02.0", "0x102040", "merged_wait_ns");
	EXPECT_GT(walk, 200);
	EXPECT_EQ(r.at("00:02.0", "0x102040", "walk_sl_ns"), 0);
	EXPECT_GT(merged, walk - 10); // waited out (almost) the whole walk
	EXPECT_LE(merged, walk);
	EXPECT_EQ(r.js("", "merged_misses"), 1);
	EXPECT_EQ(r.js("", "walks"), 3);
}

TEST(Timing, MemoryLatencyIsChargedToEachTableRead)
{
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "@5000 dma 00:01.0 0x101000 64 r\n";
	Timed a = run(t, {"timing.mem.latency_ns=220"});
	Timed b = run(t, {"timing.mem.latency_ns=320"});
	ASSERT_EQ(a.rc, 0);
	// the second request reads one leaf entry (PSC hit): +100 ns
	EXPECT_NEAR(b.at("00:01.0", "0x101000", "walk_sl_ns") -
			    a.at("00:01.0", "0x101000", "walk_sl_ns"),
		    100, 0.01);
	// the first reads root, context and four levels: +600 ns
	EXPECT_NEAR(b.at("00:01.0", "0x100000", "latency_ns") -
			    a.at("00:01.0", "0x100000", "latency_ns"),
		    600, 0.01);
}

TEST(Timing, LinkBandwidthCapsThroughput)
{
	std::string t = kTwo;
	for (int i = 0; i < 2000; i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "dma 00:01.0 0x%x 4096 r\n",
			 0x100000 + (i % 16) * 0x1000);
		t += buf;
	}
	Timed fast = run(t, {"timing.link.mbps=4000"});
	Timed slow = run(t, {"timing.link.mbps=2000"});
	ASSERT_EQ(fast.rc, 0) << fast.err;
	double bf = fast.js("throughput", "bytes_per_s");
	double bs = slow.js("throughput", "bytes_per_s");
	// completions of 4096 bytes: 64 TLPs of 64 B + 24 B each
	EXPECT_LE(bf, 4000e6 * 64 / 88 * 1.001);
	EXPECT_GT(bf, 4000e6 * 64 / 88 * 0.95);
	EXPECT_NEAR(bs / bf, 0.5, 0.02);
	EXPECT_GT(fast.js("link_down", "busy"), 0.95);
}

TEST(Timing, OutOfOrderCompletionLetsAHitPassAMiss)
{
	// 0x100000 is cached by the first request; then a miss (0x101000)
	// and a hit (0x100040) issued together by one device
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "@10000 dma 00:01.0 0x101000 64 r\n"
			       "dma 00:01.0 0x100040 64 r\n";
	Timed ooo = run(t);
	Timed ino = run(t, {"timing.in_order=1"});
	ASSERT_EQ(ooo.rc, 0);
	ASSERT_EQ(ino.rc, 0);
	double miss = ooo.at("00:01.0", "0x101000", "completed_ns");
	double hit = ooo.at("00:01.0", "0x100040", "completed_ns");
	EXPECT_LT(hit, miss - 200);
	EXPECT_EQ(ooo.rows.at(1).at("addr"), "0x100040"); // completed first
	// in order: the hit waits for the miss ahead of it
	EXPECT_GE(ino.at("00:01.0", "0x100040", "completed_ns"),
		  ino.at("00:01.0", "0x101000", "completed_ns"));
	EXPECT_GT(ino.at("00:01.0", "0x100040", "order_wait_ns"), 200);
	EXPECT_EQ(ino.rows.at(2).at("addr"), "0x100040");
}

TEST(Timing, ADeviceIssuesNoMoreThanItsOutstandingRequests)
{
	std::string t = kTwo;
	for (int i = 0; i < 4; i++)
		t += "@1000 dma 00:01.0 0x100000 64 r\n";
	Timed one = run(t, {"timing.outstanding=1"});
	ASSERT_EQ(one.rc, 0);
	ASSERT_EQ(one.rows.size(), 4u);
	for (size_t i = 1; i < 4; i++) {
		// issued when the previous one completed, and counted apart
		EXPECT_EQ(one.num(i, "issued_ns"),
			  one.num(i - 1, "completed_ns"));
		EXPECT_GT(one.num(i, "device_wait_ns"), 0);
	}
	EXPECT_EQ(one.js("", "device_credit_waits"), 3);
	Timed four = run(t, {"timing.outstanding=4"});
	for (size_t i = 0; i < 4; i++)
		EXPECT_EQ(four.num(i, "issued_ns"), 1000);
	// a device record's outstanding= overrides the default
	Timed dev = run("device 00:01.0 outstanding=1\n" + t,
			{"timing.outstanding=4"});
	ASSERT_EQ(dev.rc, 0) << dev.err;
	EXPECT_EQ(dev.js("", "device_credit_waits"), 3);
}

TEST(Timing, TranslationSlotsHoldRequestsInTheUnit)
{
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "dma 00:02.0 0x101000 64 r\n";
	Timed one = run(t, {"timing.slots=1", "timing.walkers=2"});
	ASSERT_EQ(one.rc, 0);
	EXPECT_GT(one.at("00:02.0", "0x101000", "slot_wait_ns") +
			  one.at("00:01.0", "0x100000", "slot_wait_ns"),
		  1000);
	EXPECT_GT(one.js("slots", "waits"), 0);
	Timed two = run(t, {"timing.slots=2", "timing.walkers=2"});
	EXPECT_EQ(two.js("slots", "waits"), 0);
}

TEST(Timing, LookupCyclesFollowTheUnitClock)
{
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "@5000 dma 00:01.0 0x100040 64 r\n";
	Timed a = run(t, {"timing.iotlb.cycles=100", "timing.clock_mhz=1000"});
	Timed b = run(t, {"timing.iotlb.cycles=100", "timing.clock_mhz=500"});
	EXPECT_EQ(a.at("00:01.0", "0x100040", "iotlb_lookup_ns"), 100);
	EXPECT_EQ(b.at("00:01.0", "0x100040", "iotlb_lookup_ns"), 200);
	// the context-cache lookup (4 cycles) slows down with the clock too
	EXPECT_EQ(b.at("00:01.0", "0x100040", "context_lookup_ns"), 8);
	EXPECT_NEAR(b.at("00:01.0", "0x100040", "latency_ns") -
			    a.at("00:01.0", "0x100040", "latency_ns"),
		    104, 0.01);
}

TEST(Timing, InvalidationWaitTimeGrowsWithTheWorkQueuedBeforeIt)
{
	std::string t = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n"
			       "@5000 inv.iotlb global\n";
	Timed a = run(t);
	Timed b = run(t, {"timing.qi.inv_cycles=2000"});
	ASSERT_EQ(a.rc, 0) << a.err;
	// two waits: iommu.init's (after a context-cache and an IOTLB
	// invalidation) and the record's (after one IOTLB invalidation)
	ASSERT_EQ(a.js("invalidation_wait", "count"), 2);
	double wa = a.js("invalidation_wait", "mean_ns") * 2;
	double wb = b.js("invalidation_wait", "mean_ns") * 2;
	EXPECT_GT(wa, 0);
	// three invalidation descriptors, 1950 cycles more each at 2 GHz
	EXPECT_NEAR(wb - wa, 3 * 975, 1);
	EXPECT_NEAR(b.js("invalidation_wait", "max_ns") -
			    a.js("invalidation_wait", "max_ns"),
		    2 * 975, 1);
}

TEST(Timing, LatencyExpectationsHoldWithinTheirToleranceAndFailOtherwise)
{
	std::string base = kTwo + "@1000 dma 00:01.0 0x100000 64 r\n";
	Timed r = run(base);
	ASSERT_EQ(r.rc, 0);
	double lat = r.num(0, "latency_ns");
	char buf[128];
	snprintf(buf, sizeof(buf),
		 "@1000 dma 00:01.0 0x100000 64 r "
		 "latency=%.3f\n",
		 lat);
	Timed exact = run(kTwo + buf);
	EXPECT_EQ(exact.rc, 0) << exact.err;
	EXPECT_EQ(exact.js("expectations", "latency_passed"), 1);
	snprintf(buf, sizeof(buf),
		 "@1000 dma 00:01.0 0x100000 64 r "
		 "latency=%.0f tolerance=5\n",
		 lat + 4);
	EXPECT_EQ(run(kTwo + buf).rc, 0);
	snprintf(buf, sizeof(buf),
		 "@1000 dma 00:01.0 0x100000 64 r "
		 "latency=%.0f tolerance=1%%\n",
		 lat * 1.05);
	Timed off = run(kTwo + buf);
	EXPECT_EQ(off.rc, 1);
	EXPECT_NE(off.err.find("t.trace:6: expected latency"),
		  std::string::npos)
		<< off.err;
	EXPECT_EQ(run(kTwo + "dma 00:01.0 0x100000 64 r tolerance=5\n").rc, 2);
	EXPECT_EQ(run(kTwo + "dma 00:01.0 0x100000 64 r latency=fast\n").rc, 2);
}

TEST(Timing, SameTraceAndConfigurationGiveBitIdenticalReports)
{
	std::string t = "config timing.mem.llc_hit_pct=50\n" + kTwo;
	for (int i = 0; i < 500; i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "dma 00:0%d.0 0x%x 64 r\n",
			 1 + i % 2, 0x100000 + (i * 7 % 16) * 0x1000);
		t += buf;
	}
	Timed a = run(t), b = run(t);
	ASSERT_EQ(a.rc, 0) << a.err;
	EXPECT_EQ(a.json, b.json);
	EXPECT_EQ(a.rows, b.rows);
}

// The identity test: over every shipped trace, functional results, faults
// and statistics (the report up to its timing sections, failures and exit
// code) are the same with the timing model on and off.
TEST(Timing, EveryShippedTraceHasIdenticalFunctionalResultsWithTimingOnAndOff)
{
	namespace fs = std::filesystem;
	int n = 0;
	for (const char *dir : {"samples", "conformance", "negative"}) {
		fs::path d = fs::path(VTDSIM_SOURCE_DIR) / "traces" / dir;
		for (const auto &e : fs::directory_iterator(d)) {
			if (e.path().extension() != ".trace")
				continue;
			std::string text = slurp_path(e.path());
			Timed on = run(text, {"timing=1"});
			Timed off = run(text, {"timing=0"});
			std::string name = e.path().filename();
			EXPECT_EQ(on.rc, off.rc) << name;
			EXPECT_EQ(on.err, off.err) << name;
			auto functional = [](const std::string &j) {
				std::string f =
					j.substr(0, j.find("  \"timing\""));
				size_t p = f.find(", \"latency_passed\"");
				if (p != std::string::npos)
					f.erase(p, f.find('}', p) - p);
				return f + j.substr(j.find("  \"failures\""));
			};
			if (on.rc != 2) {
				EXPECT_NE(on.json.find("\"failures\""),
					  std::string::npos)
					<< name;
				EXPECT_EQ(functional(on.json),
					  functional(off.json))
					<< name;
			}
			n++;
		}
	}
	EXPECT_GT(n, 20);
}

TEST(Timing, AnIotlbInvalidationWithDrainWaitsForRequestsInFlight)
{
	// four misses behind one walker are in flight when the driver
	// invalidates at 1100 ns; with DR/DW (CAP.DRD/DWD, as Linux sets
	// them) the invalidation completes only after they have
	std::string t = kTwo;
	for (int i = 0; i < 4; i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "@1000 dma 00:0%d.0 0x%x 64 r\n",
			 1 + i % 2, 0x100000 + i * 0x1000);
		t += buf;
	}
	t += "@1100 inv.iotlb global\n";
	Timed drain = run(t, {"timing.walkers=1"});
	Timed none = run(t, {"timing.walkers=1", "cap.drd=0", "cap.dwd=0"});
	ASSERT_EQ(drain.rc, 0) << drain.err;
	ASSERT_EQ(none.rc, 0) << none.err;
	double last = 0;
	for (size_t i = 0; i < drain.rows.size(); i++)
		last = std::max(last, drain.num(i, "completed_ns"));
	EXPECT_GT(last, 3000);
	EXPECT_GE(drain.js("invalidation_wait", "max_ns"), last - 1100);
	EXPECT_LT(none.js("invalidation_wait", "max_ns"), 1000);
	// the requests themselves are timed the same either way
	EXPECT_EQ(drain.rows, none.rows);
}

// ---- the command line ------------------------------------------------------

namespace
{

using cli::Cmd;

Cmd sh(const std::string &args)
{
	return cli::vtdsim(args);
}

std::string write_tmp(const char *tag, const char *ext, const std::string &s)
{
	std::string path = tmp(tag, ext);
	std::ofstream(path) << s;
	return path;
}

std::string sample(const char *name)
{
	return std::string(VTDSIM_SOURCE_DIR) + "/traces/samples/" + name +
	       ".trace";
}

} // namespace

TEST(TimingCli, ConfigFileSetsKeysAndSetOverridesIt)
{
	std::string ini = write_tmp("ok", ".ini",
				    "# what-if\n[timing]\nwalkers = 1\n\n"
				    "[iotlb]\nsets = 16\n");
	std::string json = tmp("cfg", ".json");
	Cmd c = sh("replay --quiet --config " + ini + " --json " + json + " " +
		   sample("legacy-sl"));
	EXPECT_EQ(c.rc, 0) << c.out;
	Timed t;
	t.json = slurp_path(json);
	EXPECT_EQ(t.js("walkers", "servers"), 1);
	c = sh("replay --quiet --config " + ini +
	       " --set timing.walkers=3 --json " + json + " " +
	       sample("legacy-sl"));
	EXPECT_EQ(c.rc, 0) << c.out;
	t.json = slurp_path(json);
	EXPECT_EQ(t.js("walkers", "servers"), 3);
	unlink(json.c_str());
	unlink(ini.c_str());
}

TEST(TimingCli, BadConfigFilesAreFileLineMessagesAndExitTwo)
{
	struct {
		const char *text, *msg;
	} cases[] = {
		{"[timing]\nwalkers = 1\nbogus = 3\n",
		 ":3: unknown configuration key 'timing.bogus'"},
		{"[timing]\nwalkers = lots\n",
		 ":2: bad value 'lots' for configuration key 'timing.walkers'"},
		{"[timing]\nwalkers = 0\n", ":2: bad value '0'"},
		{"[timing\nwalkers = 1\n", ":1: expected 'KEY = VALUE'"},
	};
	std::string json = tmp("bad", ".json");
	for (const auto &k : cases) {
		std::string ini = write_tmp("bad", ".ini", k.text);
		unlink(json.c_str());
		Cmd c = sh("replay --quiet --json " + json + " --config " +
			   ini + " " + sample("legacy-sl"));
		EXPECT_EQ(c.rc, 2) << k.text;
		EXPECT_NE(c.out.find(ini + k.msg), std::string::npos) << c.out;
		EXPECT_NE(access(json.c_str(), F_OK), 0) << "half-written";
		unlink(ini.c_str());
	}
	Cmd c = sh("replay --quiet --config /nonexistent.ini " +
		   sample("legacy-sl"));
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("/nonexistent.ini"), std::string::npos);
}

TEST(TimingCli, CsvHasOneRowPerTimedRequestAndWarmupSkipsRequests)
{
	std::string trace = tmp("gen", ".trace"), csv = tmp("gen", ".csv");
	std::string json = tmp("gen", ".json");
	Cmd g = sh("gen dma-window --window 1m --count 500 --seed 7 -o " +
		   trace);
	ASSERT_EQ(g.rc, 0) << g.out;
	Cmd c = sh("replay --quiet --csv " + csv + " --json " + json + " " +
		   trace);
	EXPECT_EQ(c.rc, 0) << c.out;
	EXPECT_EQ(c.out, ""); // no progress bar when stderr is not a tty
	std::vector<Row> rows = parse_csv(slurp_path(csv));
	ASSERT_EQ(rows.size(), 500u);
	EXPECT_EQ(rows[0].at("result"), "ok");
	EXPECT_EQ(rows[0].at("bytes"), "64");
	Timed t;
	t.json = slurp_path(json);
	EXPECT_EQ(t.js("latency", "count"), 500);
	c = sh("replay --quiet --warmup 100 --json " + json + " " + trace);
	EXPECT_EQ(c.rc, 0) << c.out;
	t.json = slurp_path(json);
	EXPECT_EQ(t.js("latency", "count"), 400);
	EXPECT_NE(t.json.find("\"warmup\": true"), std::string::npos);
	c = sh("replay --quiet --warmup soon " + trace);
	EXPECT_EQ(c.rc, 2);
	// a malformed trace writes no CSV
	unlink(csv.c_str());
	std::string bad = write_tmp("bad", ".trace", "iommu.init mode=odd\n");
	c = sh("replay --quiet --csv " + csv + " " + bad);
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(access(csv.c_str(), F_OK), 0);
	for (const std::string &f : {trace, csv, json, bad})
		unlink(f.c_str());
}

TEST(TimingCli, GenIsDeterministicPerSeedAndRefusesBadOptions)
{
	Cmd a = sh("gen dma-window --count 50 --seed 3 --mode nested");
	Cmd b = sh("gen dma-window --count 50 --seed 3 --mode nested");
	Cmd c = sh("gen dma-window --count 50 --seed 4 --mode nested");
	EXPECT_EQ(a.rc, 0);
	EXPECT_EQ(b.rc, 0);
	EXPECT_EQ(c.rc, 0);
	EXPECT_EQ(a.out, b.out);
	EXPECT_NE(a.out, c.out);
	for (const char *mode : {"legacy", "sl", "fl", "nested"}) {
		std::string trace = tmp(mode, ".trace");
		Cmd g = sh(std::string("gen dma-window --count 200 --rw w "
				       "--window 2m --page 2m --devices 3 "
				       "--inflight 4 --mode ") +
			   mode + " -o " + trace);
		ASSERT_EQ(g.rc, 0) << g.out;
		Cmd r = sh("replay --quiet " + trace);
		EXPECT_EQ(r.rc, 0) << mode << r.out;
		unlink(trace.c_str());
	}
	EXPECT_EQ(sh("gen").rc, 2);
	EXPECT_EQ(sh("gen dma-ring").rc, 2);
	EXPECT_EQ(sh("gen dma-window --page 8k").rc, 2);
	EXPECT_EQ(sh("gen dma-window --access 3").rc, 2);
	EXPECT_EQ(sh("gen dma-window --window").rc, 2);
	EXPECT_EQ(sh("gen dma-window --mode ept").rc, 2);
	EXPECT_EQ(sh("gen --help").rc, 0);
}

// A closed loop (every request ready at once) over a window larger than
// the IOTLB: the functional model runs ahead of the timing model, evicts
// and refills pages. Every request still completes (a merge never waits for
// a later walk of the same page that sits behind it), and the scripts the
// timing model keeps stay bounded instead of growing with the trace.
TEST(Timing, AClosedLoopCompletesEveryRequestWithBoundedScripts)
{
	std::string t = "iommu.init mode=legacy\n"
			"domain d type=sl levels=4\n"
			"map d 0x100000000 0x4000000000 0x400000\n"
			"attach 00:02.0 d\n";
	uint64_t x = 1;
	const int n = 20000;
	for (int i = 0; i < n; i++) {
		char buf[64];
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		snprintf(buf, sizeof(buf), "dma 00:02.0 0x%llx 64 r\n",
			 0x100000000ull + (x % 65536) * 64);
		t += buf;
	}
	replay_options opt{};
	opt.quiet = true;
	FILE *in = fmemopen((void *)t.data(), t.size(), "r");
	replay *rp = replay_create(&opt);
	ASSERT_EQ(replay_run(rp, in, "t.trace"), 0);
	const vtd_timing_stats *ts = vtd_get_timing_stats(replay_model(rp));
	EXPECT_EQ(ts->requests, (uint64_t)n);
	EXPECT_GT(ts->walks, 1000u); // the window is 8 times the IOTLB
	EXPECT_LT(replay_model(rp)->tm.nreqs, 1000u);
	replay_destroy(rp);
	fclose(in);
}
