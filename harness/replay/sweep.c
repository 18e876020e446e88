// SPDX-License-Identifier: MIT
/*
 * vtdsim sweep (docs/sweep.md): a trace replayed at every point of the
 * cartesian product of --vary lists, one process per point, each writing
 * its metrics; then the points' files are merged into one CSV, one JSON
 * table and a gnuplot PNG per metric.
 *
 * The points' commands are the same whether this process runs them on the
 * local cores or --emit-jobs writes them for GNU parallel or a Slurm job
 * array; --merge tabulates a directory either way, so the two give the
 * same table.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out_file.h"
#include "replay.h"
#include "sweep.h"

#define WHO	    "vtdsim sweep"
#define MAX_VARY    8
#define MAX_VALUES  64
#define MAX_SETS    64
#define MAX_METRICS 64
#define MAX_POINTS  100000
#define NAME_LEN    64
#define SPEC_NAME   "sweep.spec"
#define SPEC_MAGIC  "vtdsim-sweep 1"

struct vary {
	char key[NAME_LEN];
	unsigned int n;
	char *val[MAX_VALUES];
};

struct sweep {
	char *trace; /* absolute */
	char *dir;   /* absolute */
	char *config;
	struct vary vary[MAX_VARY];
	unsigned int nvary;
	const char *set[MAX_SETS];
	unsigned int nset;
	unsigned long npoints;
	unsigned int jobs;
	bool plots;
	char *owned[MAX_VARY]; /* --merge: the spec's vary lines */
	char self[PATH_MAX];
};

/* A point's merged row. */
struct row {
	const char *status; /* ok, expectations-failed, failed */
	int exit_code;
	bool has_metrics;
	double m[MAX_METRICS];
	char error[256];
};

struct table {
	char metric[MAX_METRICS][NAME_LEN];
	unsigned int nmetrics;
	struct row *rows;
};

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs(WHO ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static void sweep_usage(FILE *f)
{
	fputs("usage: vtdsim sweep TRACE --vary KEY=V1,V2,... [--vary ...] "
	      "[--set KEY=VALUE]...\n"
	      "                    [--config FILE] [--jobs N] [-o DIR] "
	      "[--no-plots]\n"
	      "       vtdsim sweep TRACE --vary ... [-o DIR] --emit-jobs FILE\n"
	      "       vtdsim sweep --merge DIR [--no-plots]\n"
	      "Replays TRACE at every point of the product of the --vary "
	      "lists, one\n"
	      "process per point (--jobs, default: the machine's cores), and "
	      "writes\n"
	      "DIR/sweep.csv, DIR/sweep.json and DIR/plots/METRIC.png "
	      "(default DIR: sweep).\n"
	      "--emit-jobs writes the points' commands, one a line, for GNU "
	      "parallel or a\n"
	      "Slurm job array; --merge DIR tabulates their results.\n"
	      "Exit code: 0 every point passed, 1 some failed (reported with "
	      "their\n"
	      "parameters), 2 bad options.\n",
	      f);
}

/* ---- points -------------------------------------------------------------- */

/* The value index of each key at point p (0-based): the last key varies
 * fastest. */
static void point_values(const struct sweep *s, unsigned long p,
			 unsigned int *idx)
{
	unsigned int k;

	for (k = s->nvary; k-- > 0;) {
		idx[k] = (unsigned int)(p % s->vary[k].n);
		p /= s->vary[k].n;
	}
}

static void point_path(const struct sweep *s, unsigned long p, const char *ext,
		       char *buf, size_t len)
{
	snprintf(buf, len, "%s/points/%04lu.%s", s->dir, p + 1, ext);
}

static int parse_vary(struct sweep *s, char *arg)
{
	struct vary *v;
	char *eq = strchr(arg, '='), *tok, *save;

	if (s->nvary == MAX_VARY)
		return usage_err("at most %d --vary keys", MAX_VARY);
	if (!eq || eq == arg || !eq[1])
		return usage_err("bad --vary '%s' (KEY=V1,V2,...)", arg);
	if ((size_t)(eq - arg) >= NAME_LEN)
		return usage_err("--vary key too long in '%s'", arg);
	v = &s->vary[s->nvary];
	memset(v, 0, sizeof(*v));
	memcpy(v->key, arg, (size_t)(eq - arg));
	for (unsigned int k = 0; k < s->nvary; k++)
		if (!strcmp(s->vary[k].key, v->key))
			return usage_err("--vary %s given twice", v->key);
	for (tok = strtok_r(eq + 1, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (v->n == MAX_VALUES)
			return usage_err("at most %d values for %s", MAX_VALUES,
					 v->key);
		if (strpbrk(tok, " \t\n'\"\\") || strlen(tok) > 200)
			return usage_err("bad value '%s' for %s", tok, v->key);
		v->val[v->n++] = tok;
	}
	if (!v->n)
		return usage_err("--vary %s has no values", v->key);
	s->nvary++;
	return 0;
}

/* ---- the spec: what --merge needs to know -------------------------------- */

static int mkdir_p(const char *path)
{
	if (mkdir(path, 0777) && errno != EEXIST)
		return usage_err("cannot create %s: %s", path, strerror(errno));
	return 0;
}

static int write_spec(const struct sweep *s)
{
	char path[PATH_MAX + 32];
	struct out_file o;
	FILE *f;
	unsigned int k, i;

	snprintf(path, sizeof(path), "%s/" SPEC_NAME, s->dir);
	if (out_file_open(&o, path))
		return usage_err("cannot write %s", path);
	f = o.f;
	fprintf(f, SPEC_MAGIC "\ntrace %s\npoints %lu\n", s->trace, s->npoints);
	for (k = 0; k < s->nvary; k++) {
		fprintf(f, "vary %s", s->vary[k].key);
		for (i = 0; i < s->vary[k].n; i++)
			fprintf(f, "%c%s", i ? ',' : ' ', s->vary[k].val[i]);
		fputc('\n', f);
	}
	if (out_file_close(&o, true))
		return usage_err("cannot write %s", path);
	return 0;
}

static char *trim(char *l)
{
	size_t n = strlen(l);

	while (n && (l[n - 1] == '\n' || l[n - 1] == '\r'))
		l[--n] = '\0';
	return l;
}

static int spec_line(struct sweep *s, char *l, const char *path, int line)
{
	if (!strncmp(l, "trace ", 6)) {
		free(s->trace);
		s->trace = strdup(l + 6);
		return s->trace ? 0 : -1;
	}
	if (!strncmp(l, "points ", 7)) {
		s->npoints = strtoul(l + 7, NULL, 10);
		return 0;
	}
	if (!strncmp(l, "vary ", 5)) {
		char *arg, *sp;

		if (s->nvary == MAX_VARY)
			return usage_err("%s:%d: more than %d vary lines", path,
					 line, MAX_VARY);
		arg = strdup(l + 5);
		if (!arg || !(sp = strchr(arg, ' '))) {
			free(arg);
			return usage_err("%s:%d: bad vary line", path, line);
		}
		*sp = '=';
		s->owned[s->nvary] = arg; /* the values point into it */
		return parse_vary(s, arg);
	}
	return usage_err("%s:%d: unknown line '%s'", path, line, l);
}

static int read_spec(struct sweep *s)
{
	char path[PATH_MAX + 32], buf[8192];
	unsigned long want = 1;
	int line = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" SPEC_NAME, s->dir);
	f = fopen(path, "r");
	if (!f)
		return usage_err("%s: cannot open (not a sweep directory)",
				 path);
	while (fgets(buf, sizeof(buf), f)) {
		trim(buf);
		if (++line == 1) {
			if (strcmp(buf, SPEC_MAGIC)) {
				fclose(f);
				return usage_err("%s:1: not a sweep spec",
						 path);
			}
			continue;
		}
		if (spec_line(s, buf, path, line)) {
			fclose(f);
			return 2;
		}
	}
	fclose(f);
	for (unsigned int k = 0; k < s->nvary; k++)
		want *= s->vary[k].n;
	if (!s->trace || !s->nvary || want != s->npoints)
		return usage_err("%s: incomplete spec", path);
	return 0;
}

/* ---- a point's command --------------------------------------------------- */

/* argv of point p (strings in the caller's buffer); n arguments */
static unsigned int point_argv(const struct sweep *s, unsigned long p,
			       char (*buf)[PATH_MAX + 96], char **argv)
{
	unsigned int idx[MAX_VARY], k, n = 0, b = 0;

	point_values(s, p, idx);
	argv[n++] = (char *)s->self;
	argv[n++] = "replay";
	argv[n++] = "--quiet";
	argv[n++] = "--no-progress";
	if (s->config) {
		argv[n++] = "--config";
		argv[n++] = s->config;
	}
	for (k = 0; k < s->nset; k++) {
		argv[n++] = "--set";
		argv[n++] = (char *)s->set[k];
	}
	for (k = 0; k < s->nvary; k++) {
		snprintf(buf[b], sizeof(buf[b]), "%s=%s", s->vary[k].key,
			 s->vary[k].val[idx[k]]);
		argv[n++] = "--set";
		argv[n++] = buf[b++];
	}
	point_path(s, p, "json", buf[b], sizeof(buf[b]));
	argv[n++] = "--json";
	argv[n++] = buf[b++];
	point_path(s, p, "metrics", buf[b], sizeof(buf[b]));
	argv[n++] = "--metrics";
	argv[n++] = buf[b++];
	argv[n++] = s->trace;
	argv[n] = NULL;
	return n;
}

#define ARGV_MAX (16 + 2 * MAX_SETS + 2 * MAX_VARY)
#define BUFS_MAX (MAX_VARY + 2)

static void shell_quote(FILE *f, const char *a)
{
	fputc('\'', f);
	for (; *a; a++) {
		if (*a == '\'')
			fputs("'\\''", f);
		else
			fputc(*a, f);
	}
	fputc('\'', f);
}

static int write_params(const struct sweep *s, unsigned long p)
{
	char path[PATH_MAX + 32];
	unsigned int idx[MAX_VARY], k;
	struct out_file o;

	point_values(s, p, idx);
	point_path(s, p, "params", path, sizeof(path));
	if (out_file_open(&o, path))
		return usage_err("cannot write %s", path);
	for (k = 0; k < s->nvary; k++)
		fprintf(o.f, "%s %s\n", s->vary[k].key, s->vary[k].val[idx[k]]);
	if (out_file_close(&o, true))
		return usage_err("cannot write %s", path);
	return 0;
}

/* The directory, the spec and each point's parameters; old results of the
 * points removed so a merge never mixes two runs. */
static int prepare_dir(const struct sweep *s)
{
	char path[PATH_MAX + 32];
	static const char *const exts[] = {"json", "metrics", "err"};
	unsigned long p;

	snprintf(path, sizeof(path), "%s/points", s->dir);
	if (mkdir_p(s->dir) || mkdir_p(path) || write_spec(s))
		return 2;
	for (p = 0; p < s->npoints; p++) {
		for (unsigned int e = 0; e < 3; e++) {
			point_path(s, p, exts[e], path, sizeof(path));
			unlink(path);
		}
		if (write_params(s, p))
			return 2;
	}
	return 0;
}

static int emit_jobs(const struct sweep *s, const char *path)
{
	char buf[BUFS_MAX][PATH_MAX + 96], err[PATH_MAX + 32];
	char *argv[ARGV_MAX];
	struct out_file o;
	unsigned long p;
	FILE *f;

	if (out_file_open(&o, path))
		return usage_err("cannot write %s", path);
	f = o.f;
	for (p = 0; p < s->npoints; p++) {
		unsigned int n = point_argv(s, p, buf, argv), i;

		for (i = 0; i < n; i++) {
			if (i)
				fputc(' ', f);
			shell_quote(f, argv[i]);
		}
		point_path(s, p, "err", err, sizeof(err));
		fputs(" 2>", f);
		shell_quote(f, err);
		fputc('\n', f);
	}
	if (out_file_close(&o, true))
		return usage_err("cannot write %s", path);
	printf("%lu jobs in %s; run them (e.g. `parallel < %s`), then "
	       "`vtdsim sweep --merge %s`\n",
	       s->npoints, path, path, s->dir);
	return 0;
}

/* ---- running the points locally ------------------------------------------ */

static pid_t start_point(const struct sweep *s, unsigned long p)
{
	char buf[BUFS_MAX][PATH_MAX + 96], err[PATH_MAX + 32];
	char *argv[ARGV_MAX];
	pid_t pid;

	point_argv(s, p, buf, argv);
	point_path(s, p, "err", err, sizeof(err));
	pid = fork();
	if (pid == 0) {
		int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 2);
		if (null >= 0)
			dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int run_points(const struct sweep *s)
{
	unsigned long next = 0, done = 0;
	unsigned int running = 0;

	while (done < s->npoints) {
		int st;

		while (running < s->jobs && next < s->npoints) {
			if (start_point(s, next) < 0)
				return usage_err("cannot start a process: %s",
						 strerror(errno));
			next++;
			running++;
		}
		if (wait(&st) < 0)
			return usage_err("wait: %s", strerror(errno));
		running--;
		done++;
		if (isatty(2))
			fprintf(stderr, "\r" WHO ": %lu/%lu points", done,
				s->npoints);
	}
	if (isatty(2))
		fputc('\n', stderr);
	return 0;
}

/* ---- merging ------------------------------------------------------------- */

static int metric_index(struct table *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nmetrics; i++)
		if (!strcmp(t->metric[i], name))
			return (int)i;
	if (t->nmetrics == MAX_METRICS || strlen(name) >= NAME_LEN)
		return -1;
	snprintf(t->metric[t->nmetrics], NAME_LEN, "%s", name);
	return (int)t->nmetrics++;
}

/* The first line of the point's stderr: why it failed (what follows is
 * often a consequence). */
static void failure_reason(const struct sweep *s, unsigned long p,
			   struct row *r)
{
	char path[PATH_MAX + 32], buf[sizeof(r->error)];
	FILE *f;

	point_path(s, p, "err", path, sizeof(path));
	snprintf(r->error, sizeof(r->error), "no result (not run?)");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		if (*trim(buf)) {
			snprintf(r->error, sizeof(r->error), "%s", buf);
			break;
		}
	fclose(f);
}

static void read_row(const struct sweep *s, unsigned long p, struct table *t)
{
	struct row *r = &t->rows[p];
	char path[PATH_MAX + 32], name[NAME_LEN + 1];
	double val;
	FILE *f;

	r->status = "failed";
	r->exit_code = -1;
	point_path(s, p, "metrics", path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		failure_reason(s, p, r);
		return;
	}
	while (fscanf(f, "%64s %lf", name, &val) == 2) {
		int i;

		if (!strcmp(name, "exit_code")) {
			r->exit_code = (int)val;
			continue;
		}
		i = metric_index(t, name);
		if (i >= 0)
			r->m[i] = val;
	}
	fclose(f);
	r->has_metrics = true;
	r->status = r->exit_code == 0 ? "ok" : "expectations-failed";
	if (r->exit_code)
		failure_reason(s, p, r);
}

/* A JSON number as written: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool digits(const char **p)
{
	const char *s = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > s;
}

static bool numeric(const char *v)
{
	if (*v == '-')
		v++;
	if (*v == '0')
		v++;
	else if (*v < '1' || *v > '9' || !digits(&v))
		return false;
	if (*v == '.' && (v++, !digits(&v)))
		return false;
	if (*v == 'e' || *v == 'E') {
		v++;
		if (*v == '+' || *v == '-')
			v++;
		if (!digits(&v))
			return false;
	}
	return !*v;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_value(FILE *f, const char *v)
{
	if (numeric(v))
		fputs(v, f);
	else
		json_str(f, v);
}

static void csv_field(FILE *f, const char *v)
{
	if (!strpbrk(v, ",\"\n")) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, const struct sweep *s, const struct table *t)
{
	unsigned int idx[MAX_VARY], k, i;
	unsigned long p;

	fputs("point", f);
	for (k = 0; k < s->nvary; k++)
		fprintf(f, ",%s", s->vary[k].key);
	fputs(",status,exit_code", f);
	for (i = 0; i < t->nmetrics; i++)
		fprintf(f, ",%s", t->metric[i]);
	fputs(",error\n", f);
	for (p = 0; p < s->npoints; p++) {
		const struct row *r = &t->rows[p];

		point_values(s, p, idx);
		fprintf(f, "%lu", p + 1);
		for (k = 0; k < s->nvary; k++) {
			fputc(',', f);
			csv_field(f, s->vary[k].val[idx[k]]);
		}
		fprintf(f, ",%s,%d", r->status, r->exit_code);
		for (i = 0; i < t->nmetrics; i++) {
			if (r->has_metrics)
				fprintf(f, ",%.15g", r->m[i]);
			else
				fputc(',', f);
		}
		fputc(',', f);
		csv_field(f, r->error);
		fputc('\n', f);
	}
}

static void write_json(FILE *f, const struct sweep *s, const struct table *t)
{
	unsigned int idx[MAX_VARY], k, i;
	unsigned long p;

	fputs("{\n  \"sweep_version\": 1,\n  \"trace\": ", f);
	json_str(f, s->trace);
	fputs(",\n  \"parameters\": [", f);
	for (k = 0; k < s->nvary; k++) {
		fputs(k ? ", " : "", f);
		json_str(f, s->vary[k].key);
	}
	fputs("],\n  \"metrics\": [", f);
	for (i = 0; i < t->nmetrics; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, t->metric[i]);
	}
	fputs("],\n  \"points\": [", f);
	for (p = 0; p < s->npoints; p++) {
		const struct row *r = &t->rows[p];

		point_values(s, p, idx);
		fprintf(f, "%s\n    {\"point\": %lu, \"parameters\": {",
			p ? "," : "", p + 1);
		for (k = 0; k < s->nvary; k++) {
			fputs(k ? ", " : "", f);
			json_str(f, s->vary[k].key);
			fputs(": ", f);
			json_value(f, s->vary[k].val[idx[k]]);
		}
		fprintf(f, "}, \"status\": \"%s\", \"exit_code\": %d",
			r->status, r->exit_code);
		if (r->has_metrics) {
			fputs(", \"metrics\": {", f);
			for (i = 0; i < t->nmetrics; i++) {
				fputs(i ? ", " : "", f);
				json_str(f, t->metric[i]);
				fprintf(f, ": %.15g", r->m[i]);
			}
			fputc('}', f);
		}
		if (r->error[0]) {
			fputs(", \"error\": ", f);
			json_str(f, r->error);
		}
		fputc('}', f);
	}
	fputs("\n  ]\n}\n", f);
}

static int
write_table(const struct sweep *s, const struct table *t, const char *name,
	    void (*body)(FILE *, const struct sweep *, const struct table *))
{
	char path[PATH_MAX + 32];
	struct out_file o;

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	if (out_file_open(&o, path))
		return usage_err("cannot write %s", path);
	body(o.f, s, t);
	if (out_file_close(&o, true))
		return usage_err("cannot write %s", path);
	return 0;
}

/* ---- plots ----------------------------------------------------------------
 */

/* The number of lines of a plot: the product of the other keys' values. */
static unsigned long nlines(const struct sweep *s)
{
	return s->npoints / s->vary[0].n;
}

/* Label of line j ("k2=v, k3=w"), j in the order of points. */
static void line_label(const struct sweep *s, unsigned long j, char *buf,
		       size_t len)
{
	unsigned int idx[MAX_VARY], k;
	size_t n = 0;

	point_values(s, j, idx); /* j < nlines: key 0 at index 0 */
	buf[0] = '\0';
	for (k = 1; k < s->nvary && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%s",
				      k > 1 ? ", " : "", s->vary[k].key,
				      s->vary[k].val[idx[k]]);
	if (s->nvary == 1)
		snprintf(buf, len, "%s", "all");
}

static void plot_data(FILE *f, const struct sweep *s, const struct table *t,
		      unsigned int m)
{
	unsigned long j, lines = nlines(s);
	unsigned int x;

	for (j = 0; j < lines; j++) {
		fprintf(f, "# line %lu\n", j);
		for (x = 0; x < s->vary[0].n; x++) {
			const struct row *r = &t->rows[x * lines + j];

			if (r->has_metrics)
				fprintf(f, "%s %.9g\n", s->vary[0].val[x],
					r->m[m]);
		}
		fputs("\n\n", f);
	}
}

static void plot_script(FILE *f, const struct sweep *s, const struct table *t,
			unsigned int m)
{
	unsigned long j, lines = nlines(s);
	char label[512];

	fprintf(f,
		"set terminal png size 900,540 noenhanced\n"
		"set output '%s.png'\n"
		"set title '%s against %s'\n"
		"set xlabel '%s'\n"
		"set ylabel '%s'\n"
		"set key outside right\n"
		"set grid\n"
		"set offsets 0.2, 0.2, 0, 0\n"
		"plot",
		t->metric[m], t->metric[m], s->vary[0].key, s->vary[0].key,
		t->metric[m]);
	for (j = 0; j < lines; j++) {
		line_label(s, j, label, sizeof(label));
		fprintf(f,
			"%s '%s.dat' index %lu using 0:2:xtic(1) "
			"with linespoints title '%s'",
			j ? ", \\\n     " : " ", t->metric[m], j, label);
	}
	fputc('\n', f);
}

static int write_plot_file(const char *path, const struct sweep *s,
			   const struct table *t, unsigned int m,
			   void (*body)(FILE *, const struct sweep *,
					const struct table *, unsigned int))
{
	struct out_file o;

	if (out_file_open(&o, path))
		return usage_err("cannot write %s", path);
	body(o.f, s, t, m);
	if (out_file_close(&o, true))
		return usage_err("cannot write %s", path);
	return 0;
}

static int run_gnuplot(const char *dir, const char *script)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY), log;

		if (chdir(dir))
			_exit(127);
		log = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (null >= 0)
			dup2(null, 1);
		if (log >= 0)
			dup2(log, 2);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A PNG per metric; 0, or -1 when gnuplot is missing or failed (the
 * tables stand). */
static int plots(const struct sweep *s, const struct table *t)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 96], script[NAME_LEN + 8];
	unsigned int m;
	int rc;

	snprintf(dir, sizeof(dir), "%s/plots", s->dir);
	if (mkdir_p(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/gnuplot.log", dir);
	unlink(path);
	for (m = 0; m < t->nmetrics; m++) {
		snprintf(path, sizeof(path), "%s/%s.dat", dir, t->metric[m]);
		if (write_plot_file(path, s, t, m, plot_data))
			return -1;
		snprintf(path, sizeof(path), "%s/%s.gp", dir, t->metric[m]);
		if (write_plot_file(path, s, t, m, plot_script))
			return -1;
		snprintf(script, sizeof(script), "%s.gp", t->metric[m]);
		rc = run_gnuplot(dir, script);
		if (rc == 127) {
			fprintf(stderr,
				WHO ": gnuplot not found: no plots (the "
				    "scripts are in %s)\n",
				dir);
			return -1;
		}
		if (rc) {
			fprintf(stderr,
				WHO ": gnuplot failed on %s/%s (see "
				    "gnuplot.log there)\n",
				dir, script);
			return -1;
		}
	}
	return 0;
}

static void report_failures(const struct sweep *s, const struct table *t,
			    unsigned long *nfail)
{
	unsigned int idx[MAX_VARY], k;
	unsigned long p;

	*nfail = 0;
	for (p = 0; p < s->npoints; p++) {
		const struct row *r = &t->rows[p];

		if (!strcmp(r->status, "ok"))
			continue;
		(*nfail)++;
		point_values(s, p, idx);
		fprintf(stderr, WHO ": point %lu (", p + 1);
		for (k = 0; k < s->nvary; k++)
			fprintf(stderr, "%s%s=%s", k ? " " : "", s->vary[k].key,
				s->vary[k].val[idx[k]]);
		fprintf(stderr, ") %s: %s\n", r->status, r->error);
	}
}

static int merge(const struct sweep *s)
{
	struct table *t = calloc(1, sizeof(*t));
	unsigned long p, nfail;
	int rc = 0;

	if (!t || !(t->rows = calloc(s->npoints, sizeof(*t->rows)))) {
		free(t);
		return usage_err("out of memory");
	}
	for (p = 0; p < s->npoints; p++)
		read_row(s, p, t);
	if (write_table(s, t, "sweep.csv", write_csv) ||
	    write_table(s, t, "sweep.json", write_json))
		rc = 2;
	if (!rc && s->plots && t->nmetrics)
		plots(s, t);
	report_failures(s, t, &nfail);
	if (!rc)
		printf("%lu points (%lu failed): %s/sweep.csv, "
		       "%s/sweep.json%s\n",
		       s->npoints, nfail, s->dir, s->dir,
		       s->plots ? ", plots/*.png" : "");
	if (!rc && nfail)
		rc = 1;
	free(t->rows);
	free(t);
	return rc;
}

/* ---- the command ----------------------------------------------------------
 */

static char *absolute(const char *path)
{
	char buf[PATH_MAX];

	if (realpath(path, buf))
		return strdup(buf);
	return NULL;
}

static unsigned int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

static int parse_args(struct sweep *s, int argc, char **argv, const char **emit,
		      const char **merge_dir)
{
	const char *trace = NULL, *dir = "sweep";
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool val = i + 1 < argc;

		if (!strcmp(a, "--vary") && val) {
			if (parse_vary(s, argv[++i]))
				return 2;
		} else if (!strcmp(a, "--set") && val) {
			if (s->nset == MAX_SETS)
				return usage_err("at most %d --set", MAX_SETS);
			s->set[s->nset++] = argv[++i];
		} else if (!strcmp(a, "--config") && val) {
			s->config = absolute(argv[++i]);
			if (!s->config)
				return usage_err("%s: cannot open", argv[i]);
		} else if (!strcmp(a, "--jobs") && val) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end || n < 1 || n > 1024)
				return usage_err("bad --jobs '%s' (1..1024)",
						 argv[i]);
			s->jobs = (unsigned int)n;
		} else if (!strcmp(a, "-o") && val) {
			dir = argv[++i];
		} else if (!strcmp(a, "--emit-jobs") && val) {
			*emit = argv[++i];
		} else if (!strcmp(a, "--merge") && val) {
			*merge_dir = argv[++i];
		} else if (!strcmp(a, "--no-plots")) {
			s->plots = false;
		} else if (a[0] == '-' && a[1]) {
			sweep_usage(stderr);
			return usage_err("bad option '%s'", a);
		} else if (!trace) {
			trace = a;
		} else {
			return usage_err("one trace only");
		}
	}
	if (*merge_dir) {
		if (trace || s->nvary || *emit)
			return usage_err("--merge DIR takes no trace, --vary "
					 "or --emit-jobs");
		dir = *merge_dir;
	} else {
		if (!trace || !s->nvary) {
			sweep_usage(stderr);
			return 2;
		}
		s->trace = absolute(trace);
		if (!s->trace)
			return usage_err("%s: cannot open", trace);
	}
	if (mkdir_p(dir))
		return 2;
	s->dir = absolute(dir);
	return s->dir ? 0 : usage_err("%s: cannot open", dir);
}

static int self_path(struct sweep *s)
{
	ssize_t n = readlink("/proc/self/exe", s->self, sizeof(s->self) - 1);

	if (n <= 0)
		return usage_err("cannot find the vtdsim executable");
	s->self[n] = '\0';
	return 0;
}

static int product(struct sweep *s)
{
	unsigned int k;

	s->npoints = 1;
	for (k = 0; k < s->nvary; k++) {
		s->npoints *= s->vary[k].n;
		if (s->npoints > MAX_POINTS)
			return usage_err("more than %d points", MAX_POINTS);
	}
	return 0;
}

/* Every point's configuration must be one replay accepts: check the keys
 * and values before starting hundreds of processes. */
static int check_points(const struct sweep *s)
{
	unsigned int k, i;

	for (k = 0; k < s->nvary; k++)
		for (i = 0; i < s->vary[k].n; i++) {
			char kv[NAME_LEN + 256], err[256];

			snprintf(kv, sizeof(kv), "%s=%s", s->vary[k].key,
				 s->vary[k].val[i]);
			if (replay_check_set(kv, err, sizeof(err)))
				return usage_err("--vary %s: %s", kv, err);
		}
	for (k = 0; k < s->nset; k++) {
		char err[256];

		if (replay_check_set(s->set[k], err, sizeof(err)))
			return usage_err("--set %s: %s", s->set[k], err);
	}
	return 0;
}

static void sweep_free(struct sweep *s)
{
	free(s->trace);
	free(s->dir);
	free(s->config);
	for (unsigned int k = 0; k < MAX_VARY; k++)
		free(s->owned[k]);
}

int sweep_main(int argc, char **argv)
{
	struct sweep s = {.plots = true};
	const char *emit = NULL, *merge_dir = NULL;
	int rc;

	if (argc >= 1 && !strcmp(argv[0], "--help")) {
		sweep_usage(stdout);
		return 0;
	}
	s.jobs = cores();
	rc = parse_args(&s, argc, argv, &emit, &merge_dir);
	if (!rc && merge_dir)
		rc = read_spec(&s);
	else if (!rc)
		rc = product(&s) || check_points(&s) || self_path(&s) ||
				     prepare_dir(&s)
			     ? 2
			     : 0;
	if (!rc && emit)
		rc = emit_jobs(&s, emit);
	else if (!rc && !merge_dir)
		rc = run_points(&s);
	if (!rc && !emit)
		rc = merge(&s);
	sweep_free(&s);
	return rc;
}
