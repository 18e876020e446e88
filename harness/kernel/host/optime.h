/* SPDX-License-Identifier: MIT */
/*
 * vtdsim driver harness: model time of the driver operations a scenario
 * brackets with vh_op_begin/vh_op_end (optime.c).
 */
#ifndef VTDSIM_LINUX_OPTIME_H
#define VTDSIM_LINUX_OPTIME_H

#include <stdint.h>
#include <stdio.h>

#include <vtdsim/timing.h>

/* now_ps: the platform's model time in ps; flush: run the units' timing
 * models to the end of what they were given (vtd_timing_flush). */
void optime_init(uint64_t (*now_ps)(void), void (*flush)(void));
/* The units' host ops `timing` and `timed` pass their reports here. */
void optime_event(const struct vtd_timing_event *ev);
void optime_timed(const struct vtd_timing *t);
/* After the scenario and the units' vtd_timing_flush: charge each
 * invalidation wait to its operation. Idempotent. */
void optime_finish(void);
const char *optime_name(unsigned int kind);
/* The text report (-s) and the JSON "timing" member (with its trailing
 * comma). */
void optime_print(FILE *out);
void optime_json(FILE *f);

#endif
