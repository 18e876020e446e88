// SPDX-License-Identifier: MIT
/*
 * The physical limit of a replay's translation work (bench/run.sh): the
 * request stream of a trace (its `dma` records' page numbers), looked up in
 * a bare set-associative tag array the size of the model's default IOTLB,
 * in a loop, nothing else: no decoding, no walks, no timing, no counting.
 *
 *   vtdsim-bare-loop TRACE COUNT
 *
 * Prints `bare-loop: X M translations/s, peak RSS M MB`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SETS 64
#define WAYS 8

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
		if (sscanf(line, "dma %15s %" SCNx64, sid, &addr) != 2)
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

int main(int argc, char **argv)
{
	static uint64_t tag[SETS][WAYS];
	static uint8_t next[SETS];
	uint64_t *pages, count, hits = 0, i;
	size_t j = 0;
	struct rusage ru;
	size_t n;
	double t0, t1;

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
	memset(tag, 0xff, sizeof(tag));
	t0 = now();
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
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("bare-loop: %.1f M translations/s, ratio 1.00 to the bare loop, "
	       "peak RSS %ld MB (hit rate %.1f%%)\n",
	       count / (t1 - t0) / 1e6, ru.ru_maxrss / 1024,
	       100.0 * hits / count);
	free(pages);
	return 0;
}
