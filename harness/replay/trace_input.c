// SPDX-License-Identifier: MIT
/*
 * A trace's bytes, plain or zstd-compressed (detected by the frame magic),
 * through one fixed buffer: the reader's memory does not depend on the
 * trace's length.
 */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "trace_binary.h"
#include "trace_input.h"

#define INPUT_BUF (256u * 1024u)

/* Plain: read into buf after what is left. */
static void fill_plain(struct trace_input *in)
{
	size_t n = fread(in->buf + in->end, 1, in->cap - in->end, in->f);

	in->end += n;
	if (!n) {
		in->eof = true;
		if (ferror(in->f))
			in->error = "read error";
	}
}

static bool refill_raw(struct trace_input *in)
{
	size_t n;

	if (in->in_pos < in->in_end)
		return true;
	n = fread(in->in, 1, in->in_cap, in->f);
	in->in_pos = 0;
	in->in_end = n;
	if (!n && ferror(in->f))
		in->error = "read error";
	return n > 0;
}

/* zstd: decompress into buf after what is left, at least one byte unless
 * the stream ends. */
static void fill_zstd(struct trace_input *in)
{
	size_t start = in->end;

	while (in->end == start && !in->eof) {
		ZSTD_inBuffer zi;
		ZSTD_outBuffer zo;

		if (!refill_raw(in)) {
			in->eof = true;
			if (!in->error && in->zret)
				in->error = "zstd stream truncated";
			return;
		}
		zi.src = in->in;
		zi.size = in->in_end;
		zi.pos = in->in_pos;
		zo.dst = in->buf;
		zo.size = in->cap;
		zo.pos = in->end;
		in->zret = ZSTD_decompressStream(in->z, &zo, &zi);
		in->in_pos = zi.pos;
		in->end = zo.pos;
		if (ZSTD_isError(in->zret)) {
			in->error = ZSTD_getErrorName(in->zret);
			in->eof = true;
		}
	}
}

static void fill(struct trace_input *in)
{
	if (in->pos) {
		memmove(in->buf, in->buf + in->pos, in->end - in->pos);
		in->end -= in->pos;
		in->pos = 0;
	}
	if (in->z)
		fill_zstd(in);
	else
		fill_plain(in);
}

size_t trace_input_want_slow(struct trace_input *in, size_t n)
{
	while (in->end - in->pos < n && !in->eof)
		fill(in);
	return in->end - in->pos < n ? in->end - in->pos : n;
}

int trace_input_getc_slow(struct trace_input *in)
{
	if (!trace_input_want(in, 1))
		return EOF;
	return in->buf[in->pos++];
}

static bool zstd_magic(const uint8_t *p)
{
	uint32_t m = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return m == ZSTD_MAGIC_LE;
}

int trace_input_open(struct trace_input *in, FILE *f)
{
	memset(in, 0, sizeof(*in));
	in->f = f;
	in->cap = INPUT_BUF;
	in->buf = malloc(in->cap);
	if (!in->buf)
		return -1;
	if (trace_input_want(in, 4) < 4 || !zstd_magic(in->buf))
		return 0;
	/* compressed: what was read is the start of the raw stream */
	in->in_cap = ZSTD_DStreamInSize();
	if (in->in_cap < in->end)
		in->in_cap = in->end;
	in->in = malloc(in->in_cap);
	in->z = ZSTD_createDCtx();
	if (!in->in || !in->z)
		return -1;
	memcpy(in->in, in->buf, in->end);
	in->in_end = in->end;
	in->pos = in->end = 0;
	in->eof = false;
	in->zret = 1;
	return 0;
}

void trace_input_close(struct trace_input *in)
{
	ZSTD_freeDCtx(in->z);
	free(in->in);
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

bool trace_input_compressed(const struct trace_input *in)
{
	return in->z != NULL;
}
