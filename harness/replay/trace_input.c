// SPDX-License-Identifier: MIT
/*
 * A trace's bytes, plain or zstd-compressed (detected by the frame magic),
 * through one fixed buffer, or for a plain regular file a mapped window:
 * the reader's memory does not depend on the trace's length.
 */
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "trace_binary.h"
#include "trace_input.h"

#define INPUT_BUF  (256u * 1024u)
#define MAP_WINDOW (1u << 20) /* bytes of a plain file mapped at once */

/* Map the window of the file that starts at what is unread (page aligned
 * below it). false: keep to read(). */
static bool map_window(struct trace_input *in)
{
	uint64_t at = in->map_off + in->pos;
	uint64_t off = at & ~(uint64_t)(sysconf(_SC_PAGESIZE) - 1);
	size_t len = in->size - off < MAP_WINDOW ? (size_t)(in->size - off)
						 : MAP_WINDOW;
	void *p;

	if (in->mapped && in->buf)
		munmap(in->buf, in->end);
	in->buf = NULL;
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fileno(in->f), (off_t)off);
	if (p == MAP_FAILED) {
		in->error = "cannot map the trace";
		in->eof = true;
		in->pos = in->end = 0;
		return false;
	}
	posix_madvise(p, len, POSIX_MADV_SEQUENTIAL);
	in->buf = p;
	in->map_off = off;
	in->pos = (size_t)(at - off);
	in->end = len;
	in->eof = off + len == in->size;
	return true;
}

/* A regular file, at its start, not empty: mapped (a window of 1 MiB at a
 * time: memory stays flat; a file truncated under a running replay would
 * end it with SIGBUS, as it would any mapped reader). */
static bool map_open(struct trace_input *in)
{
	struct stat st;

	if (fstat(fileno(in->f), &st) || !S_ISREG(st.st_mode) || !st.st_size ||
	    ftello(in->f) != 0)
		return false;
	in->size = (uint64_t)st.st_size;
	in->mapped = true;
	if (!map_window(in)) {
		in->mapped = false;
		in->error = NULL;
		in->eof = false;
		return false;
	}
	return true;
}

static void map_close(struct trace_input *in)
{
	if (in->buf)
		munmap(in->buf, in->end);
	in->buf = NULL;
	in->mapped = false;
	in->pos = in->end = 0;
	in->eof = false;
}

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
	if (in->mapped) {
		map_window(in);
		return;
	}
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
	if (map_open(in)) {
		if (in->end < 4 || !zstd_magic(in->buf))
			return 0;
		map_close(in); /* compressed: read, decompressed */
	}
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
	if (in->mapped)
		map_close(in);
	else
		free(in->buf);
	memset(in, 0, sizeof(*in));
}

long trace_input_offset(const struct trace_input *in)
{
	if (in->mapped)
		return (long)(in->map_off + in->pos);
	return ftell(in->f);
}

bool trace_input_compressed(const struct trace_input *in)
{
	return in->z != NULL;
}
