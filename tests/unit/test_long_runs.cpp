// SPDX-License-Identifier: MIT
// Long runs (docs/performance.md "Long runs"): a replay streamed from a
// pipe, interrupted with SIGINT (Ctrl-C), prints the report so far marked
// partial, exits 130, and its output files are whole (written through a
// temporary file and renamed), also marked partial.
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_util.h"
#include "json_check.h"

using cli::exists;
using cli::slurp;

namespace
{

pid_t spawn(const char *const *argv, int in, int out, int err)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0)
			dup2(out, 1);
		if (err >= 0)
			dup2(err, 2);
		execv(argv[0], const_cast<char *const *>(argv));
		_exit(127);
	}
	return pid;
}

} // namespace

TEST(LongRun, CtrlCPrintsThePartialReportAndLeavesWholeFiles)
{
	std::string json = cli::tmp("partial.json"), csv = cli::tmp("p.csv");
	std::string out = cli::tmp("partial.out"), tl = cli::tmp("p-tl.json");
	int p[2];
	ASSERT_EQ(pipe(p), 0);
	// a trace far longer than the test waits: 10^9 requests, streamed
	const char *gen[] = {VTDSIM_BINARY, "gen",	"dma-window", "--count",
			     "1000000000",  "--format", "binary",     nullptr};
	const char *rep[] = {VTDSIM_BINARY, "replay",	"--json",
			     json.c_str(),  "--csv",	csv.c_str(),
			     "--timeline",  tl.c_str(), "--window",
			     "0:2000",	    "-",	nullptr};
	int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t g = spawn(gen, -1, p[1], -1);
	pid_t r = spawn(rep, p[0], fd, fd);
	close(p[0]);
	close(p[1]);
	close(fd);
	usleep(700 * 1000);
	kill(r, SIGINT);
	int st = 0;
	ASSERT_EQ(waitpid(r, &st, 0), r);
	kill(g, SIGTERM); // its pipe is gone; make sure
	waitpid(g, nullptr, 0);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 130);

	std::string report = slurp(out);
	EXPECT_NE(report.find("interrupted: finishing the requests in flight"),
		  std::string::npos);
	EXPECT_NE(report.find("result: PARTIAL (interrupted after "),
		  std::string::npos)
		<< report;
	EXPECT_NE(report.find("timing: "), std::string::npos);
	json::Value v;
	std::string text = slurp(json);
	json::Parser jp(text);
	ASSERT_TRUE(jp.parse(v)) << jp.error();
	EXPECT_TRUE(v["partial"].b);
	EXPECT_EQ(v["exit_code"].num, 130);
	EXPECT_GT(v["requests"].num, 1000);
	EXPECT_LT(v["requests"].num, 1e9);
	// the CSV has a row per timed request that completed, all whole
	std::string rows = slurp(csv);
	ASSERT_FALSE(rows.empty());
	EXPECT_EQ(rows.back(), '\n');
	json::Value t;
	std::string ttext = slurp(tl);
	json::Parser tp(ttext);
	ASSERT_TRUE(tp.parse(t)) << tp.error();
	EXPECT_TRUE(t["otherData"]["partial"].b);
	for (const std::string &f : {json, csv, tl}) {
		EXPECT_FALSE(exists(f + ".tmp"));
		unlink(f.c_str());
	}
	unlink(out.c_str());
}
