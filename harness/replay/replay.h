/* SPDX-License-Identifier: MIT */
/*
 * The trace replay engine: reads a text trace (trace_reader.h), builds
 * tables through the reference driver (refdrv.h), issues the requests to a
 * model instance over sparse memory and checks every expectation.
 *
 * Exit codes: 0 all expectations hold, 1 some failed (each printed as
 * "FILE:LINE: expected ..., got ..."), 2 malformed input ("FILE:LINE: msg").
 */
#ifndef VTDSIM_REPLAY_H
#define VTDSIM_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vtdsim/vtdsim.h>

#include "refdrv.h"
#include "sparse_mem.h"
#include "trace_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REPLAY_OK	   0
#define REPLAY_FAILED	   1
#define REPLAY_MALFORMED   2
#define REPLAY_INTERRUPTED 130 /* stopped by *opt.stop (SIGINT) */

/*
 * A platform the replay runs on instead of its own unit and memory (the
 * SystemC example platform, docs/systemc.md): the unit is the platform's,
 * software (the reference driver, register and memory records, the
 * checks of the page request queue) reaches it through the platform's
 * bus, dma records are issued by the platform's devices, and time passes
 * on the platform's clock.
 */
struct replay_platform {
	void *opaque;
	/* The unit for cfg (the configuration the trace, --config and --set
	 * give); observer's callbacks (stale, timing, timed, busy) are to be
	 * called as the unit's host ops would. NULL and err on failure. */
	struct vtd *(*unit)(void *o, const struct vtd_config *cfg,
			    const struct vtd_host_ops *observer, void *obs,
			    char *err, size_t errlen);
	/* The platform's memory, as the unit sees it (sizes, mem records
	 * beyond it). */
	struct sparse_mem *(*memory)(void *o);
	/* Software's view of memory and registers. */
	struct refdrv_bus bus;
	/* Let the platform's time pass to t ns (records at @t). */
	void (*wait_until)(void *o, uint64_t t_ns);
	/* A DMA by device req->sid, ready at ready_ps, with the replay's
	 * cookie for its timing; res as vtd_dma gives it. */
	bool (*dma)(void *o, const struct vtd_request *req, uint64_t len,
		    uint64_t ready_ps, uint64_t cookie,
		    struct vtd_dma_result *res);
};

struct replay_options {
	bool quiet;		 /* no report on out */
	const char *json_path;	 /* JSON report, written at the end */
	unsigned int nset;	 /* --set KEY=VALUE, applied over config */
	const char *const *set;	 /* "KEY=VALUE" strings */
	FILE *out;		 /* report; stdout when NULL */
	FILE *err;		 /* failures and errors; stderr when NULL */
	const char *csv_path;	 /* one row per timed request */
	const char *config_path; /* --config FILE (INI), before --set */
	/* --warmup: requests before the Nth, or ready before T ns, are left
	 * out of the latency statistics and the unit's statistics */
	uint64_t warmup_requests;
	bool warmup_at;
	uint64_t warmup_ns;
	bool progress;		   /* a progress bar on stderr (a terminal) */
	const char *metrics_path;  /* --metrics FILE: "NAME VALUE" lines */
	const char *timeline_path; /* --timeline FILE: trace-event JSON */
	uint64_t window_t0_ns, window_t1_ns; /* --window T0:T1 (0:max) */
	/* set (by a signal handler) to stop after the current record: the
	 * replay finishes what is in flight and reports it as partial */
	volatile sig_atomic_t *stop;
	/* run on this platform (NULL: the replay's own unit and memory) */
	const struct replay_platform *platform;
};

/* The configuration a replay of path would build its unit with (the
 * trace's config records, then opt's --config and --set) and mem.size.
 * REPLAY_OK, or REPLAY_MALFORMED with the message on opt->err. */
int replay_resolve_config(const char *path, const struct replay_options *opt,
			  struct vtd_config *cfg, uint64_t *mem_size);

struct replay_result {
	int exit_code;
	uint64_t records;  /* trace records (lines with a record) */
	uint64_t requests; /* dma records */
	uint64_t expect_pass, expect_fail;
	uint64_t latency_pass;	/* latency= expectations that held */
	uint64_t failures;	/* expect_fail + driver failures + stale */
	uint64_t stale_reports; /* all checker reports */
	uint64_t stale_unaccounted;
	uint64_t last_time; /* @T of the last record */
	bool partial;	    /* stopped early (opt.stop) */
};

struct replay;

struct replay *replay_create(const struct replay_options *opt);
void replay_destroy(struct replay *r);
/* Replay a whole stream; returns the exit code (also in the result). */
int replay_run(struct replay *r, FILE *in, const char *name);
const struct replay_result *replay_get_result(const struct replay *r);
/* The instance, memory and driver of the last run (NULL before). */
struct vtd *replay_model(struct replay *r);
struct sparse_mem *replay_memory(struct replay *r);
struct refdrv *replay_driver(struct replay *r);

/* Open path ("-" for stdin), replay it, fill *res; returns the exit code. */
int replay_file(const char *path, const struct replay_options *opt,
		struct replay_result *res);

/* Would "--set KEY=VALUE" over the defaults be accepted (the key, its
 * value, the configuration it makes)? 0, or -1 with the message. */
int replay_check_set(const char *kv, char *err, size_t errlen);

/* "vtdsim config": harness keys and every model key with its default. */
void replay_print_config(FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_REPLAY_H */
