// SPDX-License-Identifier: MIT
/*
 * vtdsim-linux: run one scenario of the real Linux VT-d driver against the
 * model.
 *
 *   vtdsim-linux [-v] [-s] [--json FILE] [--set KEY=VALUE]... SCENARIO
 *           run it; exit 0 pass, 1 problems found, 2 bad usage
 *           (-v: the kernel log, -s: the units' and devices' statistics,
 *           --json: result and statistics as JSON, --set: a model
 *           configuration key for every unit, as `vtdsim config` lists)
 *   vtdsim-linux --list            list the scenarios
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

#define MAX_SETS 64

static void usage(FILE *f)
{
	fprintf(f, "usage: vtdsim-linux [-v] [-s] [--json FILE] "
		   "[--set KEY=VALUE]... SCENARIO\n"
		   "       vtdsim-linux --list\n"
		   "Runs the real Linux 6.12 VT-d driver against the vtdsim "
		   "model.\n"
		   "  -v            the kernel log\n"
		   "  -s, --stats   the units' and devices' statistics\n"
		   "  --json FILE   result and statistics as JSON\n"
		   "  --set K=V     a model configuration key for every unit "
		   "(`vtdsim config`)\n"
		   "Exit: 0 pass, 1 problems found, 2 bad usage. Scenarios:\n");
	for (unsigned int i = 0; vl_scenario_name(i); i++)
		fprintf(f, "  %s\n", vl_scenario_name(i));
}

int main(int argc, char **argv)
{
	struct vl_options opt = {0};
	struct vl_result res;
	const char *name = NULL;
	bool stats = false;
	const char *json = NULL;
	const char *sets[MAX_SETS];
	unsigned int nset = 0;
	char err[256];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			opt.verbose = true;
		} else if (!strcmp(argv[i], "-s") ||
			   !strcmp(argv[i], "--stats")) {
			stats = true;
		} else if (!strcmp(argv[i], "--set")) {
			if (i + 1 == argc || nset == MAX_SETS) {
				fprintf(stderr,
					"vtdsim-linux: --set needs "
					"KEY=VALUE (at most %d)\n",
					MAX_SETS);
				return 2;
			}
			sets[nset++] = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			if (i + 1 == argc) {
				fprintf(stderr,
					"vtdsim-linux: --json needs a FILE\n");
				return 2;
			}
			json = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			for (unsigned int j = 0; vl_scenario_name(j); j++)
				printf("%s\n", vl_scenario_name(j));
			return 0;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || name) {
			fprintf(stderr,
				"vtdsim-linux: unexpected argument '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		} else {
			name = argv[i];
		}
	}
	if (!name) {
		usage(stderr);
		return 2;
	}
	opt.set = sets;
	opt.nset = nset;
	rc = vl_run_scenario(name, &opt, &res);
	if (rc == 2 && res.first_problem[0]) {
		fprintf(stderr, "vtdsim-linux: %s\n", res.first_problem);
		return 2;
	}
	if (rc == 2) {
		fprintf(stderr, "vtdsim-linux: unknown scenario '%s'\n", name);
		usage(stderr);
		return 2;
	}
	printf("scenario %s: %s\n", name, rc ? "FAIL" : "pass");
	printf("  failed checks %u, driver warnings %u, checker reports %u, "
	       "invalidation errors %u\n",
	       res.failed_checks, res.warnings, res.stale_reports,
	       res.inv_errors);
	if (rc)
		printf("  first problem: %s\n", res.first_problem);
	if (stats)
		vl_print_stats(stdout);
	if (json && vl_write_json(json, name, rc, &res, err, sizeof(err))) {
		fprintf(stderr, "vtdsim-linux: %s\n", err);
		return 2;
	}
	return rc;
}
