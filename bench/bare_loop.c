// SPDX-License-Identifier: MIT
/*
 * The physical limit of a replay's translation work (bench/run.sh): the
 * request stream of a trace (its `dma` records' page numbers), looked up in
 * a bare tag array in a loop, nothing else: no decoding, no walks, no
 * timing, no counting. Two loops over the same stream:
 *
 *   bare-loop:  the model's default IOTLB geometry (8 sets x 16 ways, a
 *               set index from the page number, FIFO replacement): the
 *               tag compares a translation through that IOTLB cannot avoid;
 *   bare-probe: a single direct-mapped probe per request (1024 entries):
 *               the cheapest lookup there is.
 *
 *   vtdsim-bare-loop TRACE COUNT
 *
 * Prints one line each, `NAME: X M translations/s, ratio R to the bare
 * loop, peak RSS M MB (hit rate H%)`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SETS	   8
#define WAYS	   16
#define PROBE_SETS 1024

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The page numbers of the trace's dma records. */
static uint64_t *read_pages(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	uint64_t *p = NULL, addr;
	size_t cap = 0;
	char line[512], sid[16];

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		const char *r = line;

		if (*r == '@') /* "@T ": the record's time */
			r += strcspn(r, " ") + (r[strcspn(r, " ")] != 0);
		if (sscanf(r, "dma %15s %" SCNx64, sid, &addr) != 2)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			p = realloc(p, cap * sizeof(*p));
			if (!p)
				break;
		}
		p[(*n)++] = addr >> 12;
	}
	fclose(f);
	return p;
}

/* Set-associative: the first way that holds the page, else FIFO. */
static uint64_t set_assoc(const uint64_t *pages, size_t n, uint64_t count)
{
	static uint64_t tag[SETS][WAYS];
	static uint8_t next[SETS];
	uint64_t hits = 0, i;
	size_t j = 0;

	memset(tag, 0xff, sizeof(tag));
	for (i = 0; i < count; i++) {
		uint64_t pg = pages[j];
		unsigned int s = pg % SETS, w;

		if (++j == n)
			j = 0;
		for (w = 0; w < WAYS; w++)
			if (tag[s][w] == pg)
				break;
		if (w < WAYS) {
			hits++;
			continue;
		}
		tag[s][next[s]] = pg; /* FIFO replacement */
		next[s] = (uint8_t)((next[s] + 1) % WAYS);
	}
	return hits;
}

/* Direct-mapped: one compare per request. */
static uint64_t probe(const uint64_t *pages, size_t n, uint64_t count)
{
	static uint64_t tag[PROBE_SETS];
	uint64_t hits = 0, i;
	size_t j = 0;

	memset(tag, 0xff, sizeof(tag));
	for (i = 0; i < count; i++) {
		uint64_t pg = pages[j];
		uint64_t *t = &tag[pg % PROBE_SETS];

		if (++j == n)
			j = 0;
		hits += *t == pg;
		*t = pg;
	}
	return hits;
}

static double report(const char *name, uint64_t count, uint64_t hits,
		     double secs, double base)
{
	struct rusage ru;
	double rate = count / secs / 1e6;

	getrusage(RUSAGE_SELF, &ru);
	printf("%s: %.1f M translations/s, ratio %.2f to the bare loop, "
	       "peak RSS %ld MB (hit rate %.1f%%)\n",
	       name, rate, base ? rate / base : 1.0, ru.ru_maxrss / 1024,
	       100.0 * hits / count);
	return rate;
}

int main(int argc, char **argv)
{
	uint64_t *pages, count, hits;
	size_t n;
	double t0, base;

	if (argc != 3) {
		fprintf(stderr, "usage: vtdsim-bare-loop TRACE COUNT\n");
		return 2;
	}
	pages = read_pages(argv[1], &n);
	count = strtoull(argv[2], NULL, 0);
	if (!pages || !n || !count) {
		fprintf(stderr, "vtdsim-bare-loop: %s: no dma records\n",
			argv[1]);
		return 2;
	}
	t0 = now();
	hits = set_assoc(pages, n, count);
	base = report("bare-loop", count, hits, now() - t0, 0);
	t0 = now();
	hits = probe(pages, n, count);
	report("bare-probe", count, hits, now() - t0, base);
	free(pages);
	return 0;
}
