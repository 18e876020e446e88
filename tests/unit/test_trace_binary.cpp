// SPDX-License-Identifier: MIT
// The binary trace format and `vtdsim convert` (docs/trace-format.md
// "Binary format"): lossless both ways on every shipped trace, replay of
// either form gives the same report, zstd detected by its magic, and every
// malformed binary input is "FILE:record N: message" with exit 2.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_util.h"
#include "trace_binary.h"
#include "trace_reader.h"

namespace
{

using cli::Cmd;
using cli::exists;
using cli::slurp;
using cli::spit;
using cli::vtdsim;

std::string tmp(const std::string &name)
{
	return cli::tmp("bin-" + name);
}

std::vector<std::string> shipped_traces()
{
	std::vector<std::string> v;
	for (const char *dir : {"samples", "conformance", "negative"}) {
		std::string d =
			std::string(VTDSIM_SOURCE_DIR) + "/traces/" + dir;
		DIR *dp = opendir(d.c_str());
		if (!dp)
			continue;
		while (struct dirent *e = readdir(dp)) {
			std::string n = e->d_name;
			// malformed traces cannot convert: tested below
			if (n.size() > 6 &&
			    n.substr(n.size() - 6) == ".trace" &&
			    n.find(".exit2.") == std::string::npos)
				v.push_back(d + "/" + n);
		}
		closedir(dp);
	}
	return v;
}

// The report without its first line (which names the trace).
std::string report_body(const std::string &out)
{
	size_t nl = out.find('\n');
	return nl == std::string::npos ? out : out.substr(nl + 1);
}

// A binary trace: the header, then records.
std::string header()
{
	uint8_t h[TB_HEADER_LEN];
	tb_header(h);
	return std::string(reinterpret_cast<char *>(h), sizeof(h));
}

std::string dma_bytes(uint64_t iova, uint64_t time = 0)
{
	trace_record rec{};
	rec.op = TR_DMA;
	rec.sid = 0x10;
	rec.addr = iova;
	rec.len = 64;
	rec.time = time;
	uint8_t b[TB_DMA_LAT_LEN];
	size_t n = tb_encode_dma(&rec, b);
	return std::string(reinterpret_cast<char *>(b), n);
}

std::string text_bytes(const std::string &line)
{
	std::string h(TB_TEXT_HDR_LEN, '\0');
	h[0] = TB_TEXT;
	uint32_t n = (uint32_t)line.size();
	for (int i = 0; i < 4; i++)
		h[4 + i] = (char)(n >> (8 * i));
	return h + line;
}

const char *setup_lines[] = {
	"iommu.init mode=legacy",
	"domain d type=sl levels=4",
	"map d 0x100000 0x200000 0x1000",
	"attach 00:02.0 d",
};

std::string setup_bytes()
{
	std::string s = header();
	for (const char *l : setup_lines)
		s += text_bytes(l);
	return s;
}

// replay a binary trace built in memory: exit code and output
Cmd replay_bytes(const std::string &name, const std::string &bytes)
{
	std::string path = tmp(name + ".vtb");
	spit(path, bytes);
	Cmd c = vtdsim("replay --quiet " + path);
	unlink(path.c_str());
	return c;
}

} // namespace

// text -> binary -> text equals the text's canonical form (text -> text),
// binary -> text -> binary is byte-identical, and the binary replays to the
// same report and exit code as the text.
TEST(BinaryTrace, EveryShippedTraceRoundTripsLosslesslyAndReplaysTheSame)
{
	std::vector<std::string> traces = shipped_traces();
	ASSERT_GT(traces.size(), 60u);
	std::string bin = tmp("a.vtb"), bin2 = tmp("b.vtb");
	std::string txt = tmp("a.trace"), canon = tmp("c.trace");
	for (const std::string &t : traces) {
		SCOPED_TRACE(t);
		ASSERT_EQ(vtdsim("convert " + t + " " + bin).rc, 0);
		ASSERT_EQ(vtdsim("convert " + bin + " " + txt).rc, 0);
		ASSERT_EQ(vtdsim("convert " + t + " " + canon).rc, 0);
		EXPECT_EQ(slurp(txt), slurp(canon));
		ASSERT_EQ(vtdsim("convert " + txt + " " + bin2).rc, 0);
		EXPECT_EQ(slurp(bin), slurp(bin2));
		EXPECT_EQ(slurp(bin).compare(0, TB_MAGIC_LEN, TB_MAGIC), 0);

		Cmd a = vtdsim("replay --no-progress " + t);
		Cmd b = vtdsim("replay --no-progress " + bin);
		EXPECT_EQ(a.rc, b.rc);
		// failures name the line (text) or the record (binary)
		if (a.rc == 0) {
			EXPECT_EQ(report_body(a.out), report_body(b.out));
		}
	}
	for (const std::string &p : {bin, bin2, txt, canon})
		unlink(p.c_str());
}

// Records that differ only in formatting come back in one canonical form:
// @T only where the time changes, keys in a fixed order, comments on their
// own line kept, trailing ones dropped.
TEST(BinaryTrace, TextComesBackInCanonicalForm)
{
	std::string in = tmp("fmt.trace"), out = tmp("fmt.out.trace");
	spit(in, "# a trace\n"
		 "iommu.init mode=scalable\n"
		 "domain p type=fl levels=4\n"
		 "map p 0x7f0000001000 0x80001000 0x1000 user\n"
		 "attach 00:05.0 p pasid=5\n"
		 "@100 dma 00:05.0 0x7f0000001010 16 r pasid=5 "
		 "expect=0x80001010  # trailing\n"
		 "@100 dma 00:05.0 exec pasid=5 priv 0x7f0000001010 0x10 r "
		 "latency=551.250 tolerance=2.5%\n"
		 "@110\tdma 00:05.0 pasid=5 0x7f0000002000 8 w "
		 "expect=fault:0x71\n");
	Cmd c = vtdsim("convert " + in + " " + out);
	EXPECT_EQ(c.rc, 0) << c.out;
	EXPECT_EQ(slurp(out),
		  "# a trace\n"
		  "iommu.init mode=scalable\n"
		  "domain p type=fl levels=4\n"
		  "map p 0x7f0000001000 0x80001000 0x1000 user\n"
		  "attach 00:05.0 p pasid=5\n"
		  "@100 dma 00:05.0 pasid=5 0x7f0000001010 16 r "
		  "expect=0x80001010\n"
		  "dma 00:05.0 pasid=5 priv exec 0x7f0000001010 16 r "
		  "latency=551.25 tolerance=2.5%\n"
		  "@110 dma 00:05.0 pasid=5 0x7f0000002000 8 w "
		  "expect=fault:0x71\n");
	unlink(in.c_str());
	unlink(out.c_str());
}

// zstd is detected by its magic whatever the name; compressed binary and
// compressed text replay like the plain forms, from a file or a pipe.
TEST(BinaryTrace, ZstdIsDetectedByItsMagicAndStreamsFromAPipe)
{
	std::string t = std::string(VTDSIM_SOURCE_DIR) +
			"/traces/samples/sm-nested.trace";
	std::string z = tmp("n.vtb.zst"), zt = tmp("n.trace.zst");
	std::string odd = tmp("n.anyname");
	ASSERT_EQ(vtdsim("convert " + t + " " + z).rc, 0);
	ASSERT_EQ(vtdsim("convert " + t + " " + zt).rc, 0);
	ASSERT_EQ(
		vtdsim("convert --format binary --zstd=19 " + t + " " + odd).rc,
		0);
	EXPECT_EQ(slurp(z).compare(0, 4, "\x28\xb5\x2f\xfd"), 0);
	EXPECT_EQ(slurp(odd).compare(0, 4, "\x28\xb5\x2f\xfd"), 0);
	Cmd want = vtdsim("replay --no-progress " + t);
	ASSERT_EQ(want.rc, 0);
	for (const std::string &f : {z, zt, odd}) {
		Cmd got = vtdsim("replay --no-progress " + f);
		EXPECT_EQ(got.rc, 0) << f;
		EXPECT_EQ(report_body(got.out), report_body(want.out)) << f;
	}
	Cmd piped = vtdsim("replay --no-progress - < " + z);
	EXPECT_EQ(piped.rc, 0);
	EXPECT_EQ(report_body(piped.out), report_body(want.out));
	// back to plain text: the same as converting the original
	std::string a = tmp("n1.trace"), b = tmp("n2.trace");
	ASSERT_EQ(vtdsim("convert " + z + " " + a).rc, 0);
	ASSERT_EQ(vtdsim("convert " + t + " " + b).rc, 0);
	EXPECT_EQ(slurp(a), slurp(b));
	for (const std::string &p : {z, zt, odd, a, b})
		unlink(p.c_str());
}

// A well-formed binary trace built by hand replays, and its text records
// keep their own times.
TEST(BinaryTrace, AHandBuiltBinaryTraceReplays)
{
	Cmd c = replay_bytes("ok",
			     setup_bytes() + dma_bytes(0x100000) +
				     dma_bytes(0x100040, 5) +
				     text_bytes("@7 unmap d 0x100000 0x1000") +
				     dma_bytes(0x100000, 7));
	EXPECT_EQ(c.rc, 0) << c.out;
}

struct BadBinary {
	const char *name;
	std::string bytes;
	const char *msg;
};

// Every malformed binary input: its record number and what is wrong, exit
// 2, and convert leaves no output behind.
TEST(BinaryTrace, MalformedBinaryInputNamesTheRecordAndExitsTwo)
{
	std::string ok = setup_bytes();
	std::string d = dma_bytes(0x100000);
	std::string bad_version = header();
	bad_version[8] = 2;
	std::string reserved = d;
	reserved[1] = (char)0x80;
	std::string res_field = d;
	res_field[37] = 1;
	std::string both = d;
	both[1] = (char)(TBF_EXPECT_PA | TBF_EXPECT_FAULT);
	std::string priv = d;
	priv[1] = (char)TBF_PRIV;
	std::string wide = d;
	wide[1] = (char)TBF_PASID;
	wide[6] = 0x10; // PASID 0x100000: 21 bits
	std::string ppm = dma_bytes(0x100000);
	ppm[0] = TB_DMA_LAT;
	ppm.resize(TB_DMA_LAT_LEN, '\0');
	ppm[48] = 5; // 5 ppm: not a multiple of ten
	ppm[55] = (char)0x80;
	std::string loose = d;
	loose[24] = 1; // an expectation field without an expectation
	std::string nul = text_bytes("map d 0x1000");
	nul[TB_TEXT_HDR_LEN + 3] = '\0';
	std::vector<BadBinary> cases = {
		{"truncated-header", header().substr(0, 12),
		 "record 0: truncated binary trace header"},
		{"version", bad_version,
		 "record 0: unsupported binary trace version"},
		{"truncated", ok + d.substr(0, 20),
		 "record 5: truncated record"},
		{"kind", ok + std::string(1, '\x7f'),
		 "record 5: unknown record kind 0x7f"},
		{"reserved-flags", ok + reserved,
		 "record 5: reserved dma flags set"},
		{"reserved-field", ok + res_field,
		 "record 5: reserved dma field set"},
		{"two-expectations", ok + both,
		 "record 5: dma expects both a PA and a fault"},
		{"priv-without-pasid", ok + priv,
		 "record 5: priv/exec need a request with pasid="},
		{"wide-pasid", ok + wide, "record 5: bad PASID"},
		{"backwards",
		 ok + dma_bytes(0x100000, 9) + dma_bytes(0x100000, 3),
		 "record 6: time 3 goes backwards (previous @9)"},
		{"text-backwards",
		 ok + dma_bytes(0x100000, 9) +
			 text_bytes("@3 unmap d 0x100000 0x1000"),
		 "record 6: time @3 goes backwards (previous @9)"},
		{"bad-text", ok + text_bytes("frobnicate 1"),
		 "record 5: unknown record 'frobnicate'"},
		{"nul-text", ok + nul,
		 "record 5: NUL or newline in a text record"},
		{"ppm", ok + ppm, "record 5: bad latency tolerance"},
		{"loose-expect", ok + loose,
		 "record 5: expectation field set without an expectation"},
		{"empty-text", ok + text_bytes(" "),
		 "record 5: empty text record"},
		{"truncated-text",
		 ok + text_bytes("unmap d 0x100000 0x1000").substr(0, 12),
		 "record 5: truncated text record"},
	};
	for (const BadBinary &b : cases) {
		SCOPED_TRACE(b.name);
		Cmd c = replay_bytes(b.name, b.bytes);
		EXPECT_EQ(c.rc, 2) << c.out;
		EXPECT_NE(c.out.find(std::string(".vtb:") + b.msg),
			  std::string::npos)
			<< c.out;
		std::string in = tmp(std::string(b.name) + ".vtb");
		std::string out = tmp(std::string(b.name) + ".out.trace");
		spit(in, b.bytes);
		Cmd v = vtdsim("convert " + in + " " + out);
		EXPECT_EQ(v.rc, 2);
		EXPECT_NE(v.out.find(b.msg), std::string::npos) << v.out;
		EXPECT_FALSE(exists(out));
		EXPECT_FALSE(exists(out + ".tmp"));
		unlink(in.c_str());
	}
}

TEST(BinaryTrace, TruncatedZstdIsMalformed)
{
	std::string t = std::string(VTDSIM_SOURCE_DIR) +
			"/traces/samples/sm-nested.trace";
	std::string z = tmp("t.vtb.zst");
	ASSERT_EQ(vtdsim("convert " + t + " " + z).rc, 0);
	std::string bytes = slurp(z);
	spit(z, bytes.substr(0, bytes.size() - 5));
	Cmd c = vtdsim("replay --quiet " + z);
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("zstd"), std::string::npos) << c.out;
	unlink(z.c_str());
}

TEST(BinaryTrace, ConvertCommandLineErrorsExitTwo)
{
	std::string t =
		std::string(VTDSIM_SOURCE_DIR) + "/traces/samples/sm-sl.trace";
	Cmd c = vtdsim("convert " + t);
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("usage: vtdsim convert"), std::string::npos);
	c = vtdsim("convert --format elf " + t + " x");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("bad --format 'elf'"), std::string::npos);
	c = vtdsim("convert --zstd=99 " + t + " x");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("bad --zstd=99"), std::string::npos);
	c = vtdsim("convert /nonexistent.trace " + tmp("x.vtb"));
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("/nonexistent.trace: cannot open"),
		  std::string::npos);
	c = vtdsim("convert " + t + " /nonexistent-dir/x.vtb");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("cannot write /nonexistent-dir/x.vtb"),
		  std::string::npos);
	c = vtdsim("convert --help");
	EXPECT_EQ(c.rc, 0);
}

// gen writes binary directly, the same trace as its text converted.
TEST(BinaryTrace, GenWritesBinaryEqualToItsTextConverted)
{
	std::string a = tmp("g.vtb"), t = tmp("g.trace"), b = tmp("g2.vtb");
	ASSERT_EQ(vtdsim("gen dma-window --count 500 --mode nested -o " + a).rc,
		  0);
	ASSERT_EQ(vtdsim("gen dma-window --count 500 --mode nested -o " + t).rc,
		  0);
	ASSERT_EQ(vtdsim("convert " + t + " " + b).rc, 0);
	EXPECT_EQ(slurp(a), slurp(b));
	EXPECT_EQ(slurp(a).size(), TB_HEADER_LEN + 500u * TB_DMA_LEN +
					   (slurp(a).size() - TB_HEADER_LEN -
					    500u * TB_DMA_LEN));
	Cmd c = vtdsim("gen dma-window --count 5 --format binary --zstd");
	EXPECT_EQ(c.rc, 0);
	EXPECT_EQ(c.out.compare(0, 4, "\x28\xb5\x2f\xfd"), 0);
	for (const std::string &p : {a, t, b})
		unlink(p.c_str());
}

// Comments carry no meaning: a long one or one with a NUL converts (cut,
// cleaned) as replay reads it; a tolerance the binary cannot hold is refused
// in the text already; a failed write says so.
TEST(BinaryTrace, CommentsAndLimitsConvertAsReplayReadsThem)
{
	std::string in = tmp("c.trace"), out = tmp("c.vtb");
	std::string big(70000, 'x');
	std::string text = "#" + big + "\n# a?b\n" + "iommu.init mode=legacy\n";
	text[text.find("a?b") + 1] = '\0';
	spit(in, text);
	EXPECT_EQ(vtdsim("replay --quiet " + in).rc, 0);
	Cmd c = vtdsim("convert " + in + " " + out);
	EXPECT_EQ(c.rc, 0) << c.out;
	std::string back = tmp("c2.trace");
	ASSERT_EQ(vtdsim("convert " + out + " " + back).rc, 0);
	EXPECT_EQ(slurp(back), "#" + big.substr(0, 4095) + "\n# ab\n" +
				       "iommu.init mode=legacy\n");
	spit(in, "dma 00:01.0 0x1000 4 r latency=100 "
		 "tolerance=9223372036854776\n");
	c = vtdsim("replay --quiet " + in);
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find(":1: bad tolerance"), std::string::npos) << c.out;
	std::string err = tmp("full.err");
	int st = system(
		(std::string(VTDSIM_BINARY) + " convert " + VTDSIM_SOURCE_DIR +
		 "/traces/samples/sm-sl.trace - 2>" + err + " >/dev/full")
			.c_str());
	EXPECT_EQ(WEXITSTATUS(st), 1);
	EXPECT_NE(slurp(err).find("cannot write"), std::string::npos)
		<< slurp(err);
	unlink(err.c_str());
	for (const std::string &p : {in, out, back})
		unlink(p.c_str());
}
