// SPDX-License-Identifier: MIT
/*
 * The one set-associative cache implementation. The context cache, PASID
 * cache, IOTLB and paging-structure caches are all instances of it, each with
 * its own key fields and data. Capacity is always bounded: sets x ways lines.
 */
#include <stdlib.h>
#include <string.h>

#include "vtd_internal.h"

struct vtd_cache_line {
	struct vtd_cache_key key;
	uint64_t stamp; /* LRU: last use, FIFO: fill time */
	bool valid;
};

struct vtd_cache {
	uint32_t sets, ways;
	enum vtd_replacement repl;
	size_t data_size, line_size;
	uint64_t clock, rng;
	struct vtd_cache_stats *stats;
	unsigned char *lines;
	/* a 16-bit hash of each line's key (0: invalid), looked at before
	 * the line itself: most ways of a set are ruled out from one array */
	uint16_t *tags;
	struct vtd_cache_line *last; /* the last line a lookup found */
	uint64_t *gen; /* bumped when a line is filled or dropped */
};

static struct vtd_cache_line *line_at(struct vtd_cache *c, uint32_t set,
				      uint32_t way)
{
	size_t i = (size_t)set * c->ways + way;

	return (struct vtd_cache_line *)(c->lines + i * c->line_size);
}

static void *line_data(struct vtd_cache_line *l)
{
	return (unsigned char *)l + sizeof(*l);
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The key's hash: its set in the low bits, its tag in the top 16 (inline:
 * a key built on the stack and read back field by field through a call
 * waits on store forwarding). */
static inline __attribute__((always_inline)) uint64_t
hash_fields(uint64_t addr, uint32_t pasid, uint16_t did, uint16_t sid,
	    uint8_t level)
{
	uint64_t h = (addr >> VTD_PAGE_SHIFT) ^ ((uint64_t)pasid << 40) ^
		     ((uint64_t)did << 20) ^ ((uint64_t)sid << 4) ^ level;

	return mix64(h);
}

static inline uint64_t hash_of(const struct vtd_cache_key *k)
{
	return hash_fields(k->addr, k->pasid, k->did, k->sid, k->level);
}

static uint32_t set_of(const struct vtd_cache *c, uint64_t h)
{
	return (uint32_t)(h & (c->sets - 1));
}

static uint16_t tag_of(uint64_t h)
{
	return (uint16_t)(h >> 48) | 1;
}

static uint16_t *tag_at(struct vtd_cache *c, struct vtd_cache_line *l)
{
	return &c->tags[((unsigned char *)l - c->lines) / c->line_size];
}

static bool key_eq(const struct vtd_cache_key *a, const struct vtd_cache_key *b)
{
	return a->addr == b->addr && a->pasid == b->pasid && a->did == b->did &&
	       a->sid == b->sid && a->level == b->level;
}

struct vtd_cache_key vtd_cache_key_region(uint16_t did, uint32_t pasid,
					  uint64_t addr, unsigned int level)
{
	uint64_t size = 1ULL << VTD_LEVEL_SHIFT(level);
	struct vtd_cache_key k = {
		.addr = addr & ~(size - 1),
		.pasid = pasid,
		.did = did,
		.level = (uint8_t)level,
	};

	return k;
}

struct vtd_cache *vtd_cache_create(const struct vtd_cache_geometry *g,
				   size_t data_size, uint64_t seed,
				   struct vtd_cache_stats *stats)
{
	struct vtd_cache *c = calloc(1, sizeof(*c));
	size_t n;

	if (!c)
		return NULL;
	c->sets = g->sets;
	c->ways = g->sets ? g->ways : 0;
	c->repl = g->repl;
	c->data_size = data_size;
	/* keep every line 8-byte aligned */
	c->line_size = (sizeof(struct vtd_cache_line) + data_size + 7) & ~7UL;
	c->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	c->stats = stats;
	n = (size_t)c->sets * c->ways;
	if (n) {
		c->lines = calloc(n, c->line_size);
		c->tags = calloc(n, sizeof(*c->tags));
		if (!c->lines || !c->tags) {
			free(c->lines);
			free(c->tags);
			free(c);
			return NULL;
		}
	}
	return c;
}

void vtd_cache_destroy(struct vtd_cache *c)
{
	if (!c)
		return;
	free(c->lines);
	free(c->tags);
	free(c);
}

/* A lookup by the key's fields, not a key in memory: a key just built on
 * the stack and read back wider than it was written (the compiler compares
 * several fields at once) waits on store forwarding. */
static inline __attribute__((always_inline)) void *
find(struct vtd_cache *c, uint64_t addr, uint32_t pasid, uint16_t did,
     uint16_t sid, uint8_t level)
{
	uint64_t h;
	uint32_t set, w;
	const uint16_t *tags;
	uint16_t tag;

	if (!c->sets)
		return NULL;
	h = hash_fields(addr, pasid, did, sid, level);
	set = set_of(c, h);
	tag = tag_of(h);
	tags = &c->tags[(size_t)set * c->ways];
	for (w = 0; w < c->ways; w++) {
		struct vtd_cache_line *l;
		const struct vtd_cache_key *k;

		if (tags[w] != tag)
			continue;
		l = line_at(c, set, w);
		k = &l->key;
		if (l->valid && k->addr == addr && k->pasid == pasid &&
		    k->did == did && k->sid == sid && k->level == level) {
			if (c->repl == VTD_REPL_LRU)
				l->stamp = ++c->clock;
			c->last = l;
			return line_data(l);
		}
	}
	return NULL;
}

void *vtd_cache_find_region(struct vtd_cache *c, uint16_t did, uint32_t pasid,
			    uint64_t addr, unsigned int min_level,
			    unsigned int max_level, unsigned int *level)
{
	unsigned int l;

	for (l = min_level; l <= max_level; l++) {
		uint64_t size = 1ULL << VTD_LEVEL_SHIFT(l);
		void *d =
			find(c, addr & ~(size - 1), pasid, did, 0, (uint8_t)l);

		if (d) {
			*level = l;
			return d;
		}
	}
	return NULL;
}

void *vtd_cache_find(struct vtd_cache *c, const struct vtd_cache_key *k)
{
	return find(c, k->addr, k->pasid, k->did, k->sid, k->level);
}

void *vtd_cache_last_hit(const struct vtd_cache *c,
			 const struct vtd_cache_key **key)
{
	if (!c->last)
		return NULL;
	*key = &c->last->key;
	return line_data(c->last);
}

uint64_t *vtd_cache_stamp(void *data)
{
	struct vtd_cache_line *l =
		(struct vtd_cache_line *)((unsigned char *)data - sizeof(*l));

	return &l->stamp;
}

uint64_t *vtd_cache_lru_clock(struct vtd_cache *c)
{
	return c->repl == VTD_REPL_LRU ? &c->clock : NULL;
}

void vtd_cache_set_gen(struct vtd_cache *c, uint64_t *gen)
{
	c->gen = gen;
}

static void changed(struct vtd_cache *c)
{
	c->last = NULL;
	if (c->gen)
		++*c->gen;
}

void vtd_cache_count(struct vtd_cache *c, bool hit)
{
	c->stats->lookups++;
	if (hit)
		c->stats->hits++;
	else
		c->stats->misses++;
}

void *vtd_cache_lookup(struct vtd_cache *c, const struct vtd_cache_key *k)
{
	void *d = vtd_cache_find(c, k);

	vtd_cache_count(c, d != NULL);
	return d;
}

static uint32_t victim(struct vtd_cache *c, uint32_t set)
{
	uint32_t w, best = 0;

	for (w = 0; w < c->ways; w++)
		if (!line_at(c, set, w)->valid)
			return w;
	if (c->repl == VTD_REPL_RANDOM) {
		/* xorshift64: deterministic for a given seed */
		c->rng ^= c->rng << 13;
		c->rng ^= c->rng >> 7;
		c->rng ^= c->rng << 17;
		return (uint32_t)(c->rng % c->ways);
	}
	for (w = 1; w < c->ways; w++)
		if (line_at(c, set, w)->stamp < line_at(c, set, best)->stamp)
			best = w;
	return best;
}

void *vtd_cache_fill(struct vtd_cache *c, const struct vtd_cache_key *k,
		     const void *data)
{
	struct vtd_cache_line *l = NULL;
	uint64_t h;
	uint32_t set, w;

	if (!c->sets)
		return NULL;
	h = hash_of(k);
	set = set_of(c, h);
	for (w = 0; w < c->ways && !l; w++) {
		struct vtd_cache_line *cand = line_at(c, set, w);

		if (cand->valid && key_eq(&cand->key, k))
			l = cand;
	}
	if (!l) {
		l = line_at(c, set, victim(c, set));
		if (l->valid)
			c->stats->evictions++;
	}
	l->key = *k;
	l->valid = true;
	*tag_at(c, l) = tag_of(h);
	l->stamp = ++c->clock;
	memcpy(line_data(l), data, c->data_size);
	c->stats->fills++;
	changed(c);
	return line_data(l);
}

unsigned int vtd_cache_invalidate(struct vtd_cache *c, vtd_cache_match_fn match,
				  const void *arg)
{
	size_t i, n = (size_t)c->sets * c->ways;
	unsigned int count = 0;

	for (i = 0; i < n; i++) {
		struct vtd_cache_line *l =
			(struct vtd_cache_line *)(c->lines + i * c->line_size);

		if (!l->valid)
			continue;
		if (match && !match(&l->key, line_data(l), arg))
			continue;
		l->valid = false;
		c->tags[i] = 0;
		count++;
	}
	c->stats->invalidations += count;
	if (count)
		changed(c);
	return count;
}

void vtd_cache_clear(struct vtd_cache *c)
{
	if (c->lines) {
		memset(c->lines, 0, (size_t)c->sets * c->ways * c->line_size);
		memset(c->tags, 0,
		       (size_t)c->sets * c->ways * sizeof(*c->tags));
	}
	c->clock = 0;
	changed(c);
}
