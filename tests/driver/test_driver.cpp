// SPDX-License-Identifier: MIT
// The real Linux 6.12 VT-d driver against the model: one test per scenario.
// CTest runs each test in its own process (a process holds one booted
// kernel). A scenario passes only with no failed check, no WARN() in the
// driver, no report from the model's stale-translation checker and no
// invalidation queue error.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <unistd.h>

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

TEST(LinuxDriver, AVmmBringsUpNestingThroughIommufdIoctlsWithEveryError)
{
	run("iommufd");
}

TEST(LinuxDriver,
     GuestPageFaultsReachTheVmmThroughIommufdAndItsResponsesTheDevice)
{
	run("guest-fault");
}

TEST(LinuxDriver, DmaApiStrictInvalidatesEveryUnmapBeforeItReturns)
{
	run("dma-api-strict");
}

TEST(LinuxDriver, DmaApiLazyDefersInvalidationToTheFlushQueueTimerOrAFullQueue)
{
	run("dma-api-lazy");
}

TEST(LinuxDriver, CachingModeUnitsGetAFlushAfterEveryMapOfANotPresentEntry)
{
	run("caching-mode");
}

TEST(LinuxDriver, LegacyModeDomainsMapUnmapAndFlushThroughContextEntries)
{
	run("legacy-dma-domain");
}

TEST(LinuxDriver, LegacyModeDmaApiInvalidatesEveryUnmap)
{
	run("legacy-dma-api");
}

TEST(LinuxDriver, WithoutQueuedInvalidationTheRegistersInvalidate)
{
	run("legacy-register-invalidation");
}

TEST(LinuxDriver, UnmapsOfEveryShapeFlushExactlyTheirRange)
{
	run("flush-ranges");
}

TEST(LinuxDriver, LegacyModeUnmapsOfEveryShapeFlushExactlyTheirRange)
{
	run("legacy-flush-ranges");
}

TEST(LinuxDriver, FirstLevelUnmapsOfEveryShapeFlushExactlyTheirRange)
{
	run("first-level-flush-ranges");
}

TEST(LinuxDriver, DomainsSharedReusedMovedAndOnAPasidKeepNoStaleTranslation)
{
	run("domains");
}

TEST(LinuxDriver, PageRequestsOverEveryFieldsRangeGetTheirOwnResponses)
{
	run("page-requests");
}

TEST(LinuxDriver, HotRemovedDevicesAreCutOffAndReAddedOnesProbedAgain)
{
	run("hotplug");
}

TEST(LinuxDriver, AfterASystemSleepTheUnitsAreProgrammedAgainAndTranslate)
{
	run("suspend-resume");
}

TEST(LinuxDriver, FirmwareTablesRmrrAtsrRhsaSatcAreParsedAndHonoured)
{
	run("firmware-tables");
}

TEST(LinuxDriver, DirtyTrackingReportsExactlyThePagesTheDeviceWrote)
{
	run("dirty-tracking");
}

TEST(LinuxDriver, InvalidationQueueErrorsAreReportedAndTheQueueRecovers)
{
	run("inv-queue-errors");
}

TEST(LinuxDriver, SvaIsRefusedOnUnitsWithoutFirstLevelGigabytePages)
{
	run("sva-unsupported");
}

TEST(LinuxDriver, DrhdHotAddIsRefusedBy612sCapabilityAuditAndLeavesNothing)
{
	run("drhd-hotplug");
}

TEST(LinuxDriver, MalformedUserDataIsRejectedWithTheKernelsErrors)
{
	run("bad-input");
}

// The one scenario that must fail: the VMM drops a guest's invalidation and
// the checker, not a scenario check, catches it.
TEST(LinuxDriver, AVmmDroppingAGuestInvalidationIsCaughtByTheChecker)
{
	vl_options opt{};
	vl_result res{};

	EXPECT_EQ(vl_run_scenario("nested-unforwarded", &opt, &res), 1);
	EXPECT_EQ(res.failed_checks, 0u) << res.first_problem;
	EXPECT_EQ(res.warnings, 0u);
	EXPECT_EQ(res.stale_reports, 1u);
	EXPECT_NE(
		std::string(res.first_problem)
			.find("stale iotlb entry: sid 00:04.0 pasid none addr "
			      "0x7f0000002000"),
		std::string::npos)
		<< res.first_problem;
	EXPECT_NE(std::string(res.first_problem)
			  .find("missing PASID-based IOTLB invalidation"),
		  std::string::npos)
		<< res.first_problem;
}

TEST(LinuxDriverHarness, ShimServicesBehaveAsTheDriverExpects)
{
	run("shim");
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

TEST(LinuxDriverHarness, JsonReportHoldsTheResultEveryUnitAndDevice)
{
	vl_options opt{};
	vl_result res{};
	char err[256] = "";
	std::string path =
		"/tmp/vtdsim-linux-test-" + std::to_string(getpid()) + ".json";

	EXPECT_EQ(vl_write_json(path.c_str(), "bringup", 0, &res, err,
				sizeof(err)),
		  -1)
		<< "nothing ran yet";
	int rc = vl_run_scenario("bringup", &opt, &res);
	ASSERT_EQ(rc, 0) << res.first_problem;
	ASSERT_EQ(vl_write_json(path.c_str(), "bringup", rc, &res, err,
				sizeof(err)),
		  0)
		<< err;
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	std::string j = ss.str();
	unlink(path.c_str());
	EXPECT_NE(j.find("\"scenario\": \"bringup\""), std::string::npos) << j;
	EXPECT_NE(j.find("\"result\": \"pass\""), std::string::npos);
	EXPECT_NE(j.find("\"checker_reports\": 0"), std::string::npos);
	EXPECT_NE(j.find("\"name\": \"dmar0\""), std::string::npos);
	EXPECT_NE(j.find("\"name\": \"dmar1\""), std::string::npos);
	EXPECT_NE(j.find("\"invalidation_descriptors\": {"), std::string::npos);
	EXPECT_NE(j.find("\"device\": \"00:05.0\", \"unit\": 1"),
		  std::string::npos);
	EXPECT_NE(vl_write_json("/nonexistent-dir/x.json", "bringup", rc, &res,
				err, sizeof(err)),
		  0);
	EXPECT_NE(std::string(err).find("/nonexistent-dir/x.json"),
		  std::string::npos)
		<< err;
}

TEST(LinuxDriverHarness, EveryScenarioHasATestHere)
{
	const std::set<std::string> tested = {
		"bringup",
		"probe",
		"dma-domain",
		"sva",
		"nested",
		"page-fault",
		"bad-input",
		"nested-unforwarded",
		"iommufd",
		"guest-fault",
		"shim",
		"dma-api-strict",
		"dma-api-lazy",
		"caching-mode",
		"legacy-dma-domain",
		"legacy-dma-api",
		"legacy-register-invalidation",
		"flush-ranges",
		"legacy-flush-ranges",
		"domains",
		"first-level-flush-ranges",
		"page-requests",
		"hotplug",
		"suspend-resume",
		"firmware-tables",
		"dirty-tracking",
		"inv-queue-errors",
		"sva-unsupported",
		"drhd-hotplug",
	};
	std::set<std::string> listed;
	for (unsigned int i = 0; vl_scenario_name(i); i++)
		listed.insert(vl_scenario_name(i));
	EXPECT_EQ(listed, tested);
}

namespace
{

// Run a scenario and return its JSON report.
std::string run_json(const char *scenario)
{
	vl_options opt{};
	vl_result res{};
	char err[256] = "";
	std::string path =
		"/tmp/vtdsim-linux-time-" + std::to_string(getpid()) + ".json";
	int rc = vl_run_scenario(scenario, &opt, &res);

	EXPECT_EQ(rc, 0) << res.first_problem;
	EXPECT_EQ(vl_write_json(path.c_str(), scenario, rc, &res, err,
				sizeof(err)),
		  0)
		<< err;
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	unlink(path.c_str());
	return ss.str();
}

double num_after(const std::string &j, size_t from, const std::string &key)
{
	size_t p = j.find("\"" + key + "\": ", from);
	if (p == std::string::npos)
		return -1;
	return std::stod(j.substr(p + key.size() + 4));
}

} // namespace

// Every unmap's flush is timed: a driver that skips the IOTLB flush of an
// unmap (kernel-patches/examples/missing-iotlb-flush) leaves that unmap
// without an invalidation wait.
TEST(LinuxDriverTime, EveryUnmapOfTheDmaDomainHasItsInvalidationTimed)
{
	std::string j = run_json("dma-domain");
	size_t list = j.find("\"operation_list\"");
	ASSERT_NE(list, std::string::npos) << j;
	unsigned int unmaps = 0;
	for (size_t p = j.find("{\"op\": \"unmap", list);
	     p != std::string::npos; p = j.find("{\"op\": \"unmap", p + 1)) {
		unmaps++;
		EXPECT_GE(num_after(j, p, "waits"), 1) << j.substr(p, 120);
		EXPECT_GT(num_after(j, p, "invalidation_ns"), 100)
			<< j.substr(p, 120);
		EXPECT_GE(num_after(j, p, "span_ns"),
			  num_after(j, p, "invalidation_ns") - 0.001);
	}
	EXPECT_EQ(unmaps, 26u); // 12 + 1 gathered per device, two devices
	size_t ops = j.find("\"operations\"");
	EXPECT_EQ(num_after(j, j.find("\"unmap\"", ops), "calls"), 24);
	EXPECT_EQ(num_after(j, j.find("\"unmap\"", ops), "with_invalidation"),
		  24);
}

// The page fault round trip: the request reaches the PRQ and its
// interrupt, software answers, the response reaches the device and it
// retries; so each round trip is longer than the delivery alone.
TEST(LinuxDriverTime, PageFaultsReportTheirRoundTripFromRequestToRetry)
{
	std::string j = run_json("page-fault");
	size_t rt = j.find("\"page_fault_round_trip\"");
	size_t dl = j.find("\"page_request_delivery\"");
	ASSERT_NE(rt, std::string::npos) << j;
	EXPECT_GE(num_after(j, rt, "count"), 5); // 4 faults, 1 invalid
	EXPECT_GT(num_after(j, dl, "count"), 0);
	EXPECT_GT(num_after(j, rt, "p50_ns"), num_after(j, dl, "mean_ns"));
}
