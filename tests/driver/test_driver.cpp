// SPDX-License-Identifier: MIT
// The real Linux 6.12 VT-d driver against the model: one test per scenario.
// CTest runs each test in its own process (a process holds one booted
// kernel). A scenario passes only with no failed check, no WARN() in the
// driver, no report from the model's stale-translation checker and no
// invalidation queue error.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "platform.h"

namespace
{

void run(const char *scenario)
{
	vl_options opt{};
	vl_result res{};
	int rc = vl_run_scenario(scenario, &opt, &res);

	EXPECT_EQ(rc, 0) << "first problem: " << res.first_problem;
	EXPECT_EQ(res.failed_checks, 0u);
	EXPECT_EQ(res.warnings, 0u);
	EXPECT_EQ(res.stale_reports, 0u) << res.first_problem;
	EXPECT_EQ(res.inv_errors, 0u);
}

} // namespace

TEST(LinuxDriver, BringUpParsesDmarAndEnablesScalableModeQiAndTranslation)
{
	run("bringup");
}

TEST(LinuxDriver, ProbeMatchesEachEndpointsPasidAtsAndPriCapabilities)
{
	run("probe");
}

TEST(LinuxDriver, DmaDomainMapsUnmapsAndSyncsMixedPageSizesExactly)
{
	run("dma-domain");
}

TEST(LinuxDriver, SvaBindDmaThroughFirstLevelAndMmuNotifierInvalidation)
{
	run("sva");
}

TEST(LinuxDriver, NestedGuestStageOneOverStageTwoWithForwardedInvalidations)
{
	run("nested");
}

TEST(LinuxDriver, PageFaultsGoThroughPrqAndIopfToAPageGroupResponse)
{
	run("page-fault");
}

TEST(LinuxDriver, MalformedUserDataIsRejectedWithTheKernelsErrors)
{
	run("bad-input");
}

TEST(LinuxDriverHarness, UnknownScenarioIsRefused)
{
	vl_options opt{};
	vl_result res{};
	EXPECT_EQ(vl_run_scenario("no-such-scenario", &opt, &res), 2);
}

TEST(LinuxDriverHarness, ASecondScenarioInOneProcessIsRefused)
{
	vl_options opt{};
	vl_result res{};
	ASSERT_EQ(vl_run_scenario("bringup", &opt, &res), 0)
		<< res.first_problem;
	EXPECT_EQ(vl_run_scenario("probe", &opt, &res), 1);
	EXPECT_NE(std::string(res.first_problem).find("one scenario"),
		  std::string::npos)
		<< res.first_problem;
}

TEST(LinuxDriverHarness, EveryScenarioHasATestHere)
{
	const std::set<std::string> tested = {
		"bringup", "probe",	 "dma-domain", "sva",
		"nested",  "page-fault", "bad-input",
	};
	std::set<std::string> listed;
	for (unsigned int i = 0; vl_scenario_name(i); i++)
		listed.insert(vl_scenario_name(i));
	EXPECT_EQ(listed, tested);
}
