// SPDX-License-Identifier: MIT
/*
 * vtdsim convert [--format text|binary] [--zstd[=LEVEL]|--no-zstd] IN OUT:
 * a trace from one form to the other, streamed (docs/trace-format.md
 * "Binary format"). Every record is read and checked as replay reads it;
 * OUT appears only when all of IN converted.
 */
#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "trace_reader.h"
#include "trace_writer.h"

#define WHO "vtdsim convert"

static void convert_usage(FILE *f)
{
	fputs("usage: vtdsim convert [--format text|binary] "
	      "[--zstd[=LEVEL]|--no-zstd] IN OUT\n"
	      "IN: a text or binary trace, plain or zstd ('-': stdin).\n"
	      "OUT ('-': stdout): binary when named *.vtb or *.vtb.zst, "
	      "compressed when\n"
	      "named *.zst, text otherwise; --format and --zstd override "
	      "the name.\n",
	      f);
}

static int copy(struct trace_reader *rd, struct trace_writer *w)
{
	struct trace_record rec;
	int rc;

	while ((rc = trace_reader_next(rd, &rec)) > 0) {
		if (trace_writer_record(w, &rec, trace_reader_text(rd)))
			return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", trace_reader_error(rd));
		return 2;
	}
	return 0;
}

static int run(const char *in_path, const char *out_path,
	       const struct trace_out_opts *o)
{
	struct trace_reader *rd;
	struct trace_file out;
	FILE *in;
	int rc;

	in = strcmp(in_path, "-") ? fopen(in_path, "rb") : stdin;
	if (!in) {
		fprintf(stderr, "%s: cannot open\n", in_path);
		return 2;
	}
	rd = trace_reader_open(in, in_path);
	if (!rd || trace_file_open(&out, out_path, o, WHO)) {
		trace_reader_close(rd);
		if (in != stdin)
			fclose(in);
		return 2;
	}
	trace_reader_keep(rd, true, true);
	rc = copy(rd, out.w);
	if (trace_file_close(&out, rc == 0, WHO) && !rc)
		rc = 1;
	trace_reader_close(rd);
	if (in != stdin)
		fclose(in);
	return rc;
}

int convert_main(int argc, char **argv)
{
	struct trace_out_opts o = {0};
	const char *files[2];
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		int k = trace_out_option(WHO, argc, argv, &i, &o);

		if (k < 0)
			return 2;
		if (k)
			continue;
		if (!strcmp(argv[i], "--help")) {
			convert_usage(stdout);
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, WHO ": bad option '%s'\n", argv[i]);
			convert_usage(stderr);
			return 2;
		}
		if (n == 2) {
			fprintf(stderr, WHO ": one input and one output\n");
			return 2;
		}
		files[n++] = argv[i];
	}
	if (n != 2) {
		convert_usage(stderr);
		return 2;
	}
	return run(files[0], files[1], &o);
}
