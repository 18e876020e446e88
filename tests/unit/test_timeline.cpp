// SPDX-License-Identifier: MIT
// `vtdsim replay --timeline FILE [--window T0:T1]` (docs/timeline.md):
// valid trace-event JSON that Perfetto opens, a track per device lane and
// resource, slices that never overlap on one track without nesting,
// components that add up to their request, page requests and invalidation
// waits as their own slices, counters, and a window that selects.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
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

std::string sample(const char *name)
{
	return std::string(VTDSIM_SOURCE_DIR) + "/traces/samples/" + name +
	       ".trace";
}

json::Value load(const std::string &path)
{
	json::Value v;
	std::string text = slurp(path);
	json::Parser p(text);
	EXPECT_TRUE(p.parse(v)) << path << ": " << p.error();
	return v;
}

struct Slice {
	double ts, dur;
	std::string name, cat;
};

// X events by (pid, tid), in file order
std::map<std::pair<int, int>, std::vector<Slice>> slices(const json::Value &tl)
{
	std::map<std::pair<int, int>, std::vector<Slice>> m;
	for (const json::Value &e : tl["traceEvents"].arr) {
		if (e["ph"].str != "X")
			continue;
		m[{(int)e["pid"].num, (int)e["tid"].num}].push_back(
			{e["ts"].num, e["dur"].num, e["name"].str,
			 e["cat"].str});
	}
	return m;
}

size_t count_cat(const json::Value &tl, const std::string &cat)
{
	size_t n = 0;
	for (const json::Value &e : tl["traceEvents"].arr)
		n += e["cat"].str == cat;
	return n;
}

} // namespace

TEST(Timeline, TheSvaPageFaultSampleGivesValidTraceEventJson)
{
	std::string out = cli::tmp("sva.json");
	Cmd c = vtdsim("replay --no-progress --timeline " + out + " " +
		       sample("sva-page-fault"));
	ASSERT_EQ(c.rc, 0) << c.out;
	json::Value tl = load(out);
	ASSERT_EQ(tl.kind, json::Value::Object);
	EXPECT_EQ(tl["displayTimeUnit"].str, "ns");
	EXPECT_EQ(tl["otherData"]["partial"].b, false);
	const json::Value &ev = tl["traceEvents"];
	ASSERT_GT(ev.arr.size(), 50u);

	// every event is well formed; every track used is named
	std::map<std::pair<int, int>, std::string> names;
	for (const json::Value &e : ev.arr)
		if (e["ph"].str == "M" && e["name"].str == "thread_name")
			names[{(int)e["pid"].num, (int)e["tid"].num}] =
				e["args"]["name"].str;
	for (const json::Value &e : ev.arr) {
		const std::string &ph = e["ph"].str;
		ASSERT_TRUE(ph == "X" || ph == "M" || ph == "C") << ph;
		EXPECT_EQ(e["pid"].kind, json::Value::Number);
		if (ph == "M")
			continue;
		EXPECT_GE(e["ts"].num, 0);
		if (ph == "X") {
			EXPECT_GE(e["dur"].num, 0);
			EXPECT_TRUE(names.count(
				{(int)e["pid"].num, (int)e["tid"].num}))
				<< e["name"].str;
		} else {
			EXPECT_EQ(e["args"]["value"].kind, json::Value::Number);
		}
	}

	// the report's timed requests are the timeline's
	size_t requests = count_cat(tl, "request");
	size_t at = c.out.find("timing: ");
	ASSERT_NE(at, std::string::npos);
	EXPECT_EQ(requests, std::stoul(c.out.substr(at + 8)));
	EXPECT_EQ(requests, 6u);	     // the sample's six device accesses
	EXPECT_EQ(count_cat(tl, "prq"), 2u); // its two page requests
	EXPECT_GT(count_cat(tl, "invalidation"), 3u);
	EXPECT_GT(count_cat(tl, "busy"), 20u);
	bool walkers = false, link = false;
	for (const auto &n : names) {
		walkers |= n.second.rfind("walkers", 0) == 0;
		link |= n.second == "link_up";
	}
	EXPECT_TRUE(walkers && link);

	// one track: slices nest or follow each other, never cross; a
	// request's components fill it exactly
	for (const auto &t : slices(tl)) {
		std::vector<Slice> s = t.second;
		std::stable_sort(s.begin(), s.end(),
				 [](const Slice &a, const Slice &b) {
					 return a.ts < b.ts;
				 });
		std::vector<double> open; // end times of enclosing slices
		for (const Slice &x : s) {
			while (!open.empty() && open.back() <= x.ts + 1e-9)
				open.pop_back();
			if (!open.empty()) {
				EXPECT_LE(x.ts + x.dur, open.back() + 1e-6)
					<< x.name << " crosses on "
					<< names[t.first];
			}
			open.push_back(x.ts + x.dur);
		}
		for (size_t i = 0; i < s.size(); i++) {
			if (s[i].cat != "request")
				continue;
			double sum = 0;
			for (size_t j = i + 1;
			     j < s.size() && s[j].cat == "component" &&
			     s[j].ts < s[i].ts + s[i].dur - 1e-9;
			     j++)
				sum += s[j].dur;
			EXPECT_NEAR(sum, s[i].dur, 1e-5) << s[i].name;
		}
	}
	unlink(out.c_str());
}

TEST(Timeline, AWindowKeepsOnlyWhatOverlapsIt)
{
	std::string all = cli::tmp("all.json"), win = cli::tmp("win.json");
	std::string trace = cli::tmp("tl.vtb");
	ASSERT_EQ(vtdsim("gen dma-window --count 2000 --inflight 4 --window "
			 "16m -o " +
			 trace)
			  .rc,
		  0);
	ASSERT_EQ(vtdsim("replay --quiet --set timing.walkers=1 --timeline " + all + " " + trace).rc,
		  0);
	ASSERT_EQ(vtdsim("replay --quiet --timeline " + win +
			 " --window 100000:200000 " + trace)
			  .rc,
		  0);
	json::Value a = load(all), w = load(win);
	EXPECT_EQ(count_cat(a, "request"), 2000u);
	size_t n = count_cat(w, "request");
	EXPECT_GT(n, 10u);
	EXPECT_LT(n, 2000u);
	for (const json::Value &e : w["traceEvents"].arr) {
		// a request in the window comes whole, components too
		if (e["ph"].str != "X" || e["cat"].str == "component")
			continue;
		EXPECT_GE(e["ts"].num + e["dur"].num, 100.0 - 1e-6);
		EXPECT_LE(e["ts"].num, 200.0 + 1e-6);
	}
	EXPECT_EQ(w["otherData"]["window_ns"][0].num, 100000);
	EXPECT_EQ(w["otherData"]["window_ns"][1].num, 200000);
	// lanes: four in flight, four tracks for the device
	size_t lanes = 0;
	for (const json::Value &e : a["traceEvents"].arr)
		lanes += e["name"].str == "thread_name" &&
			 e["args"]["name"].str.rfind("00:02.0 #", 0) == 0;
	EXPECT_EQ(lanes, 4u);
	// counters: what is in use, in flight, queued; never negative, all
	// back to zero when the run is over
	std::map<std::string, double> last;
	for (const json::Value &e : a["traceEvents"].arr) {
		if (e["ph"].str != "C")
			continue;
		EXPECT_GE(e["args"]["value"].num, 0) << e["name"].str;
		last[e["name"].str] = e["args"]["value"].num;
	}
	for (const char *c :
	     {"00:02.0 in flight", "00:02.0 waiting for a credit",
	      "walkers in use", "walkers queue", "link_up in use",
	      "memory in use"}) {
		ASSERT_TRUE(last.count(c)) << c;
		EXPECT_EQ(last[c], 0) << c;
	}
	for (const std::string &p : {all, win, trace})
		unlink(p.c_str());
}

TEST(Timeline, BadOptionsAndMalformedTracesLeaveNoFile)
{
	std::string out = cli::tmp("bad.json");
	for (const char *w : {"5", "9:3", "x:", ":y"}) {
		Cmd c = vtdsim(std::string("replay --timeline ") + out +
			       " --window " + w + " " + sample("sm-sl"));
		EXPECT_EQ(c.rc, 2) << w;
		EXPECT_NE(c.out.find("bad --window"), std::string::npos);
	}
	Cmd c = vtdsim("replay --window 1:2 " + sample("sm-sl"));
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("--window needs --timeline"), std::string::npos);
	std::string neg = std::string(VTDSIM_SOURCE_DIR) +
			  "/traces/negative/malformed-record.exit2.trace";
	c = vtdsim("replay --quiet --timeline " + out + " " + neg);
	EXPECT_EQ(c.rc, 2);
	EXPECT_FALSE(exists(out));
	c = vtdsim("replay --quiet --set timing=0 --timeline " + out + " " +
		   sample("sm-sl"));
	EXPECT_EQ(c.rc, 0);
	EXPECT_NE(c.out.find("timing is off"), std::string::npos);
	unlink(out.c_str());
}
