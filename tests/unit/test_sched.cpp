// SPDX-License-Identifier: MIT
// The unit's clock and event scheduler.
#include "fixture.h"

extern "C" {
#include "vtd_internal.h"
}

namespace
{

struct Log {
	std::vector<std::pair<uint64_t, uint64_t>> ran; // (time, arg)
};

void record(vtd *v, void *obj, uint64_t arg)
{
	static_cast<Log *>(obj)->ran.push_back({vtd_now(v), arg});
}

TEST(Scheduler, EventsRunInTimeOrderWhenTheClockPassesThem)
{
	vtdtest::Model m;
	Log log;
	ASSERT_EQ(vtd_sched_at(m.v, 300, record, &log, 3), 0);
	ASSERT_EQ(vtd_sched_at(m.v, 100, record, &log, 1), 0);
	ASSERT_EQ(vtd_sched_at(m.v, 200, record, &log, 2), 0);
	uint64_t next = 0;
	ASSERT_TRUE(vtd_next_event(m.v, &next));
	EXPECT_EQ(next, 100u);
	vtd_advance(m.v, 250);
	ASSERT_EQ(log.ran.size(), 2u);
	EXPECT_EQ(log.ran[0], std::make_pair(uint64_t{100}, uint64_t{1}));
	EXPECT_EQ(log.ran[1], std::make_pair(uint64_t{200}, uint64_t{2}));
	EXPECT_EQ(vtd_now(m.v), 250u);
	vtd_advance(m.v, 1000);
	ASSERT_EQ(log.ran.size(), 3u);
	EXPECT_EQ(log.ran[2].first, 300u);
	EXPECT_FALSE(vtd_next_event(m.v, &next));
}

TEST(Scheduler, EventsAtTheSameTimeRunInTheOrderScheduled)
{
	vtdtest::Model m;
	Log log;
	for (uint64_t i = 0; i < 50; i++)
		vtd_sched_at(m.v, 10, record, &log, i);
	vtd_advance(m.v, 10);
	ASSERT_EQ(log.ran.size(), 50u);
	for (uint64_t i = 0; i < 50; i++)
		EXPECT_EQ(log.ran[i].second, i);
}

TEST(Scheduler, ThePastIsNow)
{
	vtdtest::Model m;
	Log log;
	vtd_advance(m.v, 500);
	vtd_sched_at(m.v, 100, record, &log, 1);
	vtd_advance(m.v, 500);
	ASSERT_EQ(log.ran.size(), 1u);
	EXPECT_EQ(log.ran[0].first, 500u);
	vtd_advance(m.v, 400); // never backwards
	EXPECT_EQ(vtd_now(m.v), 500u);
}

void chain(vtd *v, void *obj, uint64_t arg)
{
	record(v, obj, arg);
	if (arg < 3)
		vtd_sched_at(v, vtd_now(v) + 10, chain, obj, arg + 1);
}

TEST(Scheduler, HandlersCanScheduleLaterEventsThatRunInTheSameAdvance)
{
	vtdtest::Model m;
	Log log;
	vtd_sched_at(m.v, 0, chain, &log, 0);
	vtd_advance(m.v, 25);
	ASSERT_EQ(log.ran.size(), 3u);
	EXPECT_EQ(log.ran[2].first, 20u);
	vtd_advance(m.v, 100);
	EXPECT_EQ(log.ran.size(), 4u);
}

TEST(Scheduler, CancelDropsOnlyMatchingEvents)
{
	vtdtest::Model m;
	Log a, b;
	vtd_sched_at(m.v, 10, record, &a, 1);
	vtd_sched_at(m.v, 20, record, &b, 2);
	vtd_sched_at(m.v, 30, record, &a, 3);
	vtd_sched_cancel(m.v, record, &a);
	vtd_advance(m.v, 100);
	EXPECT_TRUE(a.ran.empty());
	ASSERT_EQ(b.ran.size(), 1u);
}

TEST(Scheduler, ResetDropsPendingEvents)
{
	vtdtest::Model m;
	Log log;
	vtd_sched_at(m.v, 10, record, &log, 1);
	vtd_reset(m.v);
	vtd_advance(m.v, 100);
	EXPECT_TRUE(log.ran.empty());
}

} // namespace
