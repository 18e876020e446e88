// SPDX-License-Identifier: MIT
// Bad input from users (docs/robustness.md): for every interface a list
// of malformed inputs, each giving exit 2 and a message that names where
// (FILE:LINE, FILE:record N for binary traces, the option), and no output
// file written (not even a partial one).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_util.h"

namespace
{

struct Case {
	std::string args, message;
};

const std::string src = VTDSIM_SOURCE_DIR;
const std::string sample = src + "/traces/samples/sm-sl.trace";

void walk(const std::vector<Case> &cases, const std::string &out = "")
{
	for (const Case &c : cases) {
		if (!out.empty())
			std::remove(out.c_str());
		cli::Cmd r = cli::vtdsim(c.args);
		EXPECT_EQ(r.rc, 2) << c.args << "\n" << r.out;
		EXPECT_NE(r.out.find(c.message), std::string::npos)
			<< c.args << ": wanted '" << c.message << "' in\n"
			<< r.out;
		if (!out.empty()) {
			FILE *f = fopen(out.c_str(), "r");
			EXPECT_EQ(f, nullptr) << c.args << " wrote " << out;
			if (f)
				fclose(f);
		}
	}
}

std::string file(const std::string &name, const std::string &text)
{
	std::string p = cli::tmp(name);
	std::ofstream(p, std::ios::binary) << text;
	return p;
}

} // namespace

TEST(UserErrors, CommandLinesExitTwoNamingTheOption)
{
	std::string csv = cli::tmp("never.csv");
	walk({{"bogus", "unknown command 'bogus'"},
	      {"replay --bogus " + sample, "--bogus"},
	      {"replay /nonexistent.trace", "/nonexistent.trace: cannot open"},
	      {"replay --set nope=1 --csv " + csv + " " + sample,
	       "--set nope=1: unknown configuration key 'nope'"},
	      {"replay --set iotlb.sets=3 --csv " + csv + " " + sample,
	       "iotlb.sets"},
	      {"replay --warmup x --csv " + csv + " " + sample,
	       "bad --warmup 'x'"},
	      {"replay --config /nonexistent.ini " + sample,
	       "/nonexistent.ini"},
	      {"gen nic --packets x", "--packets"},
	      {"gen nosuch", "nosuch"},
	      {"convert", "usage: vtdsim convert"},
	      {"convert /nonexistent.trace x.vtb", "/nonexistent.trace"},
	      {"import", "usage: vtdsim import"},
	      {"import nosuch x", "unknown source 'nosuch'"},
	      {"sweep", "usage: vtdsim sweep"},
	      {"sweep " + sample + " --vary nope=1,2 -o " + cli::tmp("sw"),
	       "unknown configuration key 'nope'"}},
	     csv);
}

TEST(UserErrors, TextTraceLinesAreFileLine)
{
	std::string csv = cli::tmp("never2.csv");
	struct {
		const char *text, *msg;
	} lines[] = {
		{"dma 00:02.0 0x1000 8 q\n", ":1: bad access (r or w) 'q'"},
		{"# c\nmem.w32 zz 1\n", ":2:"},
		{"nosuch record\n", ":1:"},
		{"iommu.init mode=weird\n", ":1:"},
		{"config nope=1\n", ":1:"},
		{"@abc dma 00:02.0 0x1000 8 r\n", ":1:"},
		{"dma 00:02.0\n", ":1:"},
		{"map d 0x1000 0x2000 0x1000\n", ":1:"},
	};
	std::vector<Case> cases;
	for (auto &l : lines) {
		std::string p = file("bad.trace", l.text);
		cases.push_back(
			{"replay --quiet --csv " + csv + " " + p, p + l.msg});
		walk(cases, csv);
		cases.clear();
	}
}

TEST(UserErrors, BinaryRecordsAreFileRecordN)
{
	std::string vtb = cli::tmp("ok.vtb"), csv = cli::tmp("never3.csv");
	ASSERT_EQ(cli::vtdsim("convert " + sample + " " + vtb).rc, 0);
	std::string data = cli::slurp(vtb);
	ASSERT_GT(data.size(), 64u);
	std::string cut = file("cut.vtb", data.substr(0, data.size() - 3));
	std::string head = file("head.vtb", data.substr(0, 10));
	std::string magic = data;
	magic[8] = 99; // an unknown version
	std::string ver = file("ver.vtb", magic);
	walk({{"replay --quiet --csv " + csv + " " + cut, cut + ":record "},
	      {"replay --quiet --csv " + csv + " " + head, head + ":"},
	      {"replay --quiet --csv " + csv + " " + ver, ver + ":"}},
	     csv);
}

TEST(UserErrors, ConfigurationFilesAreFileLine)
{
	struct {
		const char *text, *msg;
	} files[] = {
		{"[iotlb]\nsets = x\n",
		 ":2: bad value 'x' for configuration key 'iotlb.sets'"},
		{"garbage line\n", ":1: expected 'KEY = VALUE' or '[section]'"},
		{"seed = 1\nnope = 2\n",
		 ":2: unknown configuration key 'nope'"},
		{"[timing]\nwalkers = 0\n", ":2:"},
	};
	std::string csv = cli::tmp("never4.csv");
	for (auto &f : files) {
		std::string p = file("bad.ini", f.text);
		walk({{"replay --quiet --csv " + csv + " --config " + p + " " +
			       sample,
		       p + f.msg}},
		     csv);
	}
}
