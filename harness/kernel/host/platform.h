/* SPDX-License-Identifier: MIT */
/*
 * vtdsim driver harness, host side: the simulated platform the real Linux
 * driver runs on (VT-d units, endpoints, physical arena, ACPI DMAR table),
 * and the scenario runner used by vtdsim-linux and the driver tests.
 */
#ifndef VTDSIM_LINUX_PLATFORM_H
#define VTDSIM_LINUX_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What one scenario run found. A run passes when everything is zero. */
struct vl_result {
	unsigned int failed_checks; /* the scenario's own assertions */
	unsigned int warnings;	    /* WARN()s hit in kernel code */
	unsigned int stale_reports; /* the checker's reports */
	unsigned int inv_errors;    /* IQE/ITE/ICE the unit flagged */
	char first_problem[512];    /* the first of any of the above */
};

/* Options of a run. */
struct vl_options {
	bool verbose; /* print the kernel log */
	FILE *log;    /* where; stderr when NULL */
	/* model configuration overrides for every unit, "KEY=VALUE" as
	 * `vtdsim config` lists them; the checker stays on */
	const char *const *set;
	unsigned int nset;
};

/* Build the platform, boot the shim and run one scenario on it. A process
 * runs one scenario: the kernel it holds is not reset between runs.
 * Returns 0 when the run passed, 1 when it found problems (res says which),
 * 2 for an unknown scenario or a bad --set (res->first_problem says why). */
int vl_run_scenario(const char *name, const struct vl_options *opt,
		    struct vl_result *res);

/* The run's result and statistics as JSON, written whole or not at all.
 * 0, or -1 with a message in err. */
int vl_write_json(const char *path, const char *scenario, int rc,
		  const struct vl_result *res, char *err, size_t errlen);

/* What the units and endpoints counted during the run. */
void vl_print_stats(FILE *out);

/* Names of the scenarios, NULL past the last. */
const char *vl_scenario_name(unsigned int i);

#ifdef __cplusplus
}
#endif

#endif
