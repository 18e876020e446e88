// SPDX-License-Identifier: MIT
/*
 * vtdsim: the command line.
 *   vtdsim replay [--quiet] [--json FILE] [--csv FILE] [--metrics FILE]
 *                 [--timeline FILE [--window T0:T1]] [--config FILE]
 *                 [--set KEY=VALUE]... [--warmup N|@T] [--no-progress] FILE
 *   vtdsim gen KIND [options]
 *   vtdsim convert [options] IN OUT
 *   vtdsim import ftrace|qemu FILE [options]
 *   vtdsim sweep TRACE --vary KEY=V1,V2,... [options] | --merge DIR
 *   vtdsim config
 *   vtdsim --help
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "gen.h"
#include "import.h"
#include "replay.h"
#include "sweep.h"
#include "version.h"

static void usage(FILE *f)
{
	fputs("usage: vtdsim replay [--quiet] [--json FILE] [--csv FILE] "
	      "[--metrics FILE]\n"
	      "                     [--timeline FILE [--window T0:T1]] "
	      "[--config FILE]\n"
	      "                     [--set KEY=VALUE]... [--warmup N|@T] "
	      "[--no-progress] FILE\n"
	      "       vtdsim gen KIND [options]   write a trace: dma-window, "
	      "nic, nvme, sva,\n"
	      "                                   tenants (vtdsim gen --help)\n"
	      "       vtdsim convert IN OUT             text <-> binary "
	      "traces (--help)\n"
	      "       vtdsim import ftrace|qemu FILE     traces from Linux "
	      "ftrace or QEMU (--help)\n"
	      "       vtdsim sweep TRACE --vary KEY=V1,V2,...   what-if "
	      "sweeps (--help)\n"
	      "       vtdsim config     list configuration keys and defaults\n"
	      "       vtdsim --help | --version\n"
	      "\n"
	      "replay runs a trace, text or binary, plain or zstd "
	      "(docs/trace-format.md;\n"
	      "FILE may be '-')\n"
	      "against the VT-d model and prints a report (docs/report.md).\n"
	      "  --json FILE    the report as JSON\n"
	      "  --csv FILE     one row per timed request: times, result, "
	      "latency by part\n"
	      "  --metrics FILE the report's headline numbers, one "
	      "'NAME VALUE' a line\n"
	      "  --timeline FILE  trace-event JSON for the Perfetto UI "
	      "(docs/timeline.md)\n"
	      "  --window T0:T1   only what overlaps T0..T1 ns in the "
	      "timeline\n"
	      "  --config FILE  configuration keys from an INI file\n"
	      "  --set K=V      one key; --set overrides --config, which "
	      "overrides\n"
	      "                 the trace's config records\n"
	      "  --warmup N|@T  leave the first N requests (or those ready "
	      "before T ns)\n"
	      "                 out of the statistics\n"
	      "  --no-progress  no progress bar (shown on a terminal)\n"
	      "Exit code: 0 all expectations hold, 1 one or more failed, 2 "
	      "malformed\n"
	      "trace, configuration or options, 130 interrupted (Ctrl-C: the "
	      "report so far,\n"
	      "marked partial).\n",
	      f);
}

static int parse_warmup(const char *s, struct replay_options *opt)
{
	uint64_t v;

	if (*s == '@') {
		if (trace_parse_u64(s + 1, &v))
			return -1;
		opt->warmup_at = true;
		opt->warmup_ns = v;
		return 0;
	}
	if (trace_parse_u64(s, &v))
		return -1;
	opt->warmup_requests = v;
	return 0;
}

/* Ctrl-C: the replay stops after the record it is on and reports what
 * ran, marked partial; a second Ctrl-C ends the process at once. The only
 * mutable global of the command line. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	static const char msg[] =
		"\nvtdsim: interrupted: finishing the requests in flight, "
		"then the partial report (Ctrl-C again to quit now)\n";

	interrupted = 1;
	signal(sig, SIG_DFL);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		interrupted = 1;
}

static void catch_sigint(struct replay_options *opt)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	opt->stop = &interrupted;
}

/* --window T0:T1 in ns, either side may be empty */
static int parse_window(const char *s, struct replay_options *opt)
{
	const char *colon = strchr(s, ':');
	char lo[32];
	size_t n;

	if (!colon || (size_t)(colon - s) >= sizeof(lo))
		return -1;
	n = (size_t)(colon - s);
	memcpy(lo, s, n);
	lo[n] = '\0';
	opt->window_t0_ns = 0;
	opt->window_t1_ns = UINT64_MAX;
	if (n && trace_parse_u64(lo, &opt->window_t0_ns))
		return -1;
	if (colon[1] && trace_parse_u64(colon + 1, &opt->window_t1_ns))
		return -1;
	/* the timeline works in ps */
	if (opt->window_t0_ns > UINT64_MAX / 1000)
		return -1;
	return opt->window_t1_ns < opt->window_t0_ns ? -1 : 0;
}

static int cmd_replay(int argc, char **argv)
{
	struct replay_options opt;
	const char **sets = calloc((size_t)argc, sizeof(*sets));
	const char *file = NULL;
	bool window = false;
	int i, rc;

	if (!sets)
		return 2;
	memset(&opt, 0, sizeof(opt));
	opt.progress = true;
	opt.window_t1_ns = UINT64_MAX;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet")) {
			opt.quiet = true;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			opt.json_path = argv[++i];
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
			sets[opt.nset++] = argv[++i];
		} else if (!strcmp(argv[i], "--timeline") && i + 1 < argc) {
			opt.timeline_path = argv[++i];
		} else if (!strcmp(argv[i], "--window") && i + 1 < argc) {
			if (parse_window(argv[++i], &opt)) {
				fprintf(stderr,
					"vtdsim replay: bad --window '%s' "
					"(T0:T1 in ns, T0 <= T1, either may "
					"be empty)\n",
					argv[i]);
				free(sets);
				return 2;
			}
			window = true;
		} else if (!strcmp(argv[i], "--metrics") && i + 1 < argc) {
			opt.metrics_path = argv[++i];
		} else if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
			opt.csv_path = argv[++i];
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			opt.config_path = argv[++i];
		} else if (!strcmp(argv[i], "--no-progress")) {
			opt.progress = false;
		} else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
			if (parse_warmup(argv[++i], &opt)) {
				fprintf(stderr,
					"vtdsim replay: bad --warmup '%s' "
					"(N requests or @T ns)\n",
					argv[i]);
				free(sets);
				return 2;
			}
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			free(sets);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] && !file) {
			fprintf(stderr, "vtdsim replay: bad option '%s'\n",
				argv[i]);
			usage(stderr);
			free(sets);
			return 2;
		} else if (!file) {
			file = argv[i];
		} else {
			fprintf(stderr, "vtdsim replay: one trace file only\n");
			free(sets);
			return 2;
		}
	}
	if (!file) {
		usage(stderr);
		free(sets);
		return 2;
	}
	if (window && !opt.timeline_path) {
		fprintf(stderr, "vtdsim replay: --window needs --timeline\n");
		free(sets);
		return 2;
	}
	opt.set = sets;
	catch_sigint(&opt);
	rc = replay_file(file, &opt, NULL);
	free(sets);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vtdsim %s\n", vtdsim_version());
		return 0;
	}
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(argv[1], "gen"))
		return gen_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "import"))
		return import_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "sweep"))
		return sweep_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "convert"))
		return convert_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "config")) {
		replay_print_config(stdout);
		return 0;
	}
	fprintf(stderr, "vtdsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
