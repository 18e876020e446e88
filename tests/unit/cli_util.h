// SPDX-License-Identifier: MIT
// Running the vtdsim command line from a test: its exit code and output,
// and small file helpers.
#ifndef VTDSIM_TEST_CLI_UTIL_H
#define VTDSIM_TEST_CLI_UTIL_H

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace cli
{

struct Cmd {
	int rc;		 // exit code, -1 when killed
	std::string out; // stdout and stderr
};

// `BINARY ARGS` through the shell (ARGS may redirect).
inline Cmd run(const std::string &binary, const std::string &args)
{
	Cmd c{};
	std::string cmd = binary + " " + args + " 2>&1";
	FILE *p = popen(cmd.c_str(), "r");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		c.out.append(buf, n);
	int st = pclose(p);
	c.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return c;
}

#ifdef VTDSIM_BINARY
// `vtdsim ARGS`
inline Cmd vtdsim(const std::string &args)
{
	return run(VTDSIM_BINARY, args);
}
#endif

// A path in the test's temporary directory, unique to this process.
inline std::string tmp(const std::string &name)
{
	return testing::TempDir() + "vtdsim-" + std::to_string(getpid()) + "-" +
	       name;
}

inline std::string slurp(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

inline void spit(const std::string &path, const std::string &s)
{
	std::ofstream(path, std::ios::binary) << s;
}

inline bool exists(const std::string &path)
{
	return access(path.c_str(), F_OK) == 0;
}

// Occurrences of what in s.
inline size_t count(const std::string &s, const std::string &what)
{
	size_t n = 0, p = 0;
	while ((p = s.find(what, p)) != std::string::npos) {
		n++;
		p += what.size();
	}
	return n;
}

} // namespace cli

#endif
