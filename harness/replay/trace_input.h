/* SPDX-License-Identifier: MIT */
/*
 * A trace's bytes: a buffered reader over a FILE that undoes zstd
 * compression when the stream starts with a zstd frame, in constant memory.
 */
#ifndef VTDSIM_TRACE_INPUT_H
#define VTDSIM_TRACE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct trace_input {
	FILE *f;
	void *z; /* ZSTD_DCtx, NULL for a plain stream */
	uint8_t *in;
	size_t in_pos, in_end, in_cap;
	size_t zret; /* the last ZSTD_decompressStream hint (0: frame done) */
	uint8_t *buf;
	size_t pos, end, cap;
	/* a plain regular file is mapped a window at a time instead (no copy
	 * through read()): buf is the window, at map_off in the file */
	bool mapped;
	uint64_t map_off, size;
	bool eof;
	const char *error; /* static text of the first error */
};

/* 0 or -1 (out of memory). Reads ahead: trace_input_peek() sees the start. */
int trace_input_open(struct trace_input *in, FILE *f);
void trace_input_close(struct trace_input *in);
bool trace_input_compressed(const struct trace_input *in);
/* How far into the file the input has got (bytes of the file, compressed
 * or not), -1 when that is not known. */
long trace_input_offset(const struct trace_input *in);

/* Make at least n bytes available at in->buf + in->pos unless the stream
 * ends first; returns how many are (0 at the end; short: the end or an
 * error, see in->error). n <= in->cap. */
size_t trace_input_want_slow(struct trace_input *in, size_t n);
static inline size_t trace_input_want(struct trace_input *in, size_t n)
{
	if (in->end - in->pos >= n)
		return n;
	return trace_input_want_slow(in, n);
}

/* The next byte or EOF. */
int trace_input_getc_slow(struct trace_input *in);
static inline int trace_input_getc(struct trace_input *in)
{
	if (in->pos < in->end)
		return in->buf[in->pos++];
	return trace_input_getc_slow(in);
}

#endif /* VTDSIM_TRACE_INPUT_H */
