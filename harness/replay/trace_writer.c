// SPDX-License-Identifier: MIT
/*
 * Trace output, text or binary, plain or zstd: records into a fixed
 * buffer, the buffer (compressed or not) to the FILE.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "trace_binary.h"
#include "trace_writer.h"

#define OUT_BUF (256u * 1024u)

struct trace_writer {
	FILE *f;
	enum trace_format fmt;
	ZSTD_CCtx *z;
	uint8_t *buf, *zbuf;
	size_t n, zcap;
	uint64_t time;
	bool failed;
	char line[TRACE_LINE_MAX + 64];
};

static void emit(struct trace_writer *w, const void *p, size_t n)
{
	if (w->failed || !n)
		return;
	if (fwrite(p, 1, n, w->f) != n)
		w->failed = true;
}

static void compress(struct trace_writer *w, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = {w->buf, w->n, 0};
	size_t left;

	do {
		ZSTD_outBuffer out = {w->zbuf, w->zcap, 0};

		left = ZSTD_compressStream2(w->z, &out, &in, end);
		if (ZSTD_isError(left)) {
			w->failed = true;
			return;
		}
		emit(w, w->zbuf, out.pos);
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
}

static void flush(struct trace_writer *w, bool last)
{
	if (w->z)
		compress(w, last ? ZSTD_e_end : ZSTD_e_continue);
	else
		emit(w, w->buf, w->n);
	w->n = 0;
}

static uint8_t *room(struct trace_writer *w, size_t n)
{
	if (w->n + n > OUT_BUF)
		flush(w, false);
	w->n += n;
	return w->buf + w->n - n;
}

static void put(struct trace_writer *w, const void *p, size_t n)
{
	while (n) {
		size_t k = n < OUT_BUF ? n : OUT_BUF;

		memcpy(room(w, k), p, k);
		p = (const uint8_t *)p + k;
		n -= k;
	}
}

struct trace_writer *trace_writer_open(FILE *f, enum trace_format fmt,
				       int zstd_level)
{
	struct trace_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = f;
	w->fmt = fmt;
	w->buf = malloc(OUT_BUF);
	if (!w->buf)
		goto fail;
	if (zstd_level) {
		w->zcap = ZSTD_CStreamOutSize();
		w->zbuf = malloc(w->zcap);
		w->z = ZSTD_createCCtx();
		if (!w->zbuf || !w->z ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(
			    w->z, ZSTD_c_compressionLevel, zstd_level)))
			goto fail;
	}
	if (fmt == TRACE_BINARY)
		tb_header(room(w, TB_HEADER_LEN));
	return w;
fail:
	ZSTD_freeCCtx(w->z);
	free(w->zbuf);
	free(w->buf);
	free(w);
	return NULL;
}

int trace_writer_close(struct trace_writer *w)
{
	int rc;

	flush(w, true);
	if (fflush(w->f))
		w->failed = true;
	rc = w->failed ? -1 : 0;
	ZSTD_freeCCtx(w->z);
	free(w->zbuf);
	free(w->buf);
	free(w);
	return rc;
}

static void text_line(struct trace_writer *w, const char *s, size_t n)
{
	put(w, s, n);
	*room(w, 1) = '\n';
}

static void binary_text(struct trace_writer *w, uint8_t kind, const char *s)
{
	size_t n = strlen(s);

	/* a record's line is within the readers' limit; a comment is cut */
	if (kind == TB_COMMENT && n > TB_COMMENT_MAX)
		n = TB_COMMENT_MAX;
	if (n >= TRACE_LINE_MAX) {
		w->failed = true;
		return;
	}
	uint8_t *p = room(w, TB_TEXT_HDR_LEN);

	memset(p, 0, TB_TEXT_HDR_LEN);
	p[0] = kind;
	tb_put32(p + 4, (uint32_t)n);
	put(w, s, n);
}

/* ns with up to three decimals, trailing zeros dropped */
static int put_ns(char *b, size_t len, uint64_t ps)
{
	unsigned int frac = (unsigned int)(ps % 1000);
	int n = snprintf(b, len, "%" PRIu64, ps / 1000);

	if (!frac || n < 0 || (size_t)n >= len)
		return n;
	n += snprintf(b + n, len - (size_t)n, ".%03u", frac);
	while (b[n - 1] == '0')
		b[--n] = '\0';
	return n;
}

static void format_latency(const struct trace_record *rec, char *b, size_t len)
{
	size_t n = strlen(b);

	n += (size_t)snprintf(b + n, len - n, " latency=");
	n += (size_t)put_ns(b + n, len - n, rec->lat_ps);
	if (rec->tol_ppm) {
		n += (size_t)snprintf(b + n, len - n, " tolerance=");
		n += (size_t)put_ns(b + n, len - n, rec->tol_ppm / 10);
		snprintf(b + n, len - n, "%%");
	} else if (rec->tol_ps) {
		n += (size_t)snprintf(b + n, len - n, " tolerance=");
		put_ns(b + n, len - n, rec->tol_ps);
	}
}

const char *trace_format_bdf(uint16_t sid, char *buf)
{
	snprintf(buf, 16, "%02x:%02x.%x", sid >> 8, (sid >> 3) & 0x1f, sid & 7);
	return buf;
}

void trace_format_dma(const struct trace_record *rec, char *b, size_t len)
{
	size_t n;

	n = (size_t)snprintf(b, len, "dma %02x:%02x.%x", rec->sid >> 8,
			     (rec->sid >> 3) & 0x1f, rec->sid & 7);
	if (rec->has_pasid)
		n += (size_t)snprintf(b + n, len - n, " pasid=%u", rec->pasid);
	if (rec->flags & TRF_PRIV)
		n += (size_t)snprintf(b + n, len - n, " priv");
	if (rec->flags & TRF_EXEC)
		n += (size_t)snprintf(b + n, len - n, " exec");
	n += (size_t)snprintf(b + n, len - n, " 0x%" PRIx64 " %" PRIu64 " %c",
			      rec->addr, rec->len, rec->write ? 'w' : 'r');
	if (rec->has_expect && rec->expect_fault)
		snprintf(b + n, len - n, " expect=fault:0x%02x", rec->fault);
	else if (rec->has_expect)
		snprintf(b + n, len - n, " expect=0x%" PRIx64, rec->expect);
	if (rec->has_lat)
		format_latency(rec, b, len);
}

int trace_writer_dma(struct trace_writer *w, const struct trace_record *rec)
{
	if (w->fmt == TRACE_BINARY) {
		uint8_t rec_buf[TB_DMA_LAT_LEN];

		put(w, rec_buf, tb_encode_dma(rec, rec_buf));
	} else {
		size_t n = 0;

		if (rec->time != w->time)
			n = (size_t)snprintf(w->line, sizeof(w->line),
					     "@%" PRIu64 " ", rec->time);
		trace_format_dma(rec, w->line + n, sizeof(w->line) - n);
		text_line(w, w->line, strlen(w->line));
	}
	w->time = rec->time;
	return w->failed ? -1 : 0;
}

int trace_writer_line(struct trace_writer *w, uint64_t time, const char *line)
{
	if (w->fmt == TRACE_BINARY)
		binary_text(w, TB_TEXT, line);
	else
		text_line(w, line, strlen(line));
	w->time = time;
	return w->failed ? -1 : 0;
}

int trace_writer_vlinef(struct trace_writer *w, uint64_t time, const char *fmt,
			va_list ap)
{
	size_t n = 0;

	if (time != w->time)
		n = (size_t)snprintf(w->line, sizeof(w->line), "@%" PRIu64 " ",
				     time);
	vsnprintf(w->line + n, sizeof(w->line) - n, fmt, ap);
	return trace_writer_line(w, time, w->line);
}

int trace_writer_linef(struct trace_writer *w, uint64_t time, const char *fmt,
		       ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = trace_writer_vlinef(w, time, fmt, ap);
	va_end(ap);
	return rc;
}

int trace_writer_comment(struct trace_writer *w, const char *text)
{
	if (w->fmt == TRACE_BINARY) {
		binary_text(w, TB_COMMENT, text);
	} else {
		size_t n = strlen(text);

		*room(w, 1) = '#';
		text_line(w, text, n > TB_COMMENT_MAX ? TB_COMMENT_MAX : n);
	}
	return w->failed ? -1 : 0;
}

int trace_writer_record(struct trace_writer *w, const struct trace_record *rec,
			const char *text)
{
	if (rec->op == TR_NONE)
		return trace_writer_comment(w, text);
	if (rec->op == TR_DMA)
		return trace_writer_dma(w, rec);
	return trace_writer_line(w, rec->time, text);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

void trace_format_from_name(const char *path, enum trace_format *fmt,
			    bool *zstd)
{
	*zstd = ends_with(path, ".zst");
	*fmt = TRACE_TEXT;
	if (ends_with(path, ".vtb") || ends_with(path, ".vtb.zst"))
		*fmt = TRACE_BINARY;
	else if (*zstd && !ends_with(path, ".trace.zst") &&
		 !ends_with(path, ".txt.zst"))
		*fmt = TRACE_BINARY;
}

/* ---- output files ---------------------------------------------------- */

int trace_out_option(const char *who, int argc, char **argv, int *i,
		     struct trace_out_opts *o)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--format") && *i + 1 < argc) {
		const char *v = argv[++*i];

		o->has_fmt = true;
		if (!strcmp(v, "text")) {
			o->fmt = TRACE_TEXT;
		} else if (!strcmp(v, "binary")) {
			o->fmt = TRACE_BINARY;
		} else {
			fprintf(stderr,
				"%s: bad --format '%s' (text or binary)\n", who,
				v);
			return -1;
		}
		return 1;
	}
	if (!strcmp(a, "--zstd")) {
		o->zstd = ZSTD_CLEVEL_DEFAULT;
		return 1;
	}
	if (!strncmp(a, "--zstd=", 7)) {
		char *end;
		long l = strtol(a + 7, &end, 10);

		if (*end || end == a + 7 || l < 1 || l > ZSTD_maxCLevel()) {
			fprintf(stderr, "%s: bad %s (level 1..%d)\n", who, a,
				ZSTD_maxCLevel());
			return -1;
		}
		o->zstd = (int)l;
		return 1;
	}
	if (!strcmp(a, "--no-zstd")) {
		o->zstd = -1;
		return 1;
	}
	return 0;
}

int trace_file_open(struct trace_file *t, const char *path,
		    const struct trace_out_opts *o, const char *who)
{
	enum trace_format fmt = TRACE_TEXT;
	bool zstd = false;
	int level;

	memset(t, 0, sizeof(*t));
	t->path = path && strcmp(path, "-") ? path : NULL;
	t->f = stdout;
	if (t->path)
		trace_format_from_name(t->path, &fmt, &zstd);
	if (o->has_fmt)
		fmt = o->fmt;
	level = o->zstd > 0	   ? o->zstd
		: zstd && !o->zstd ? ZSTD_CLEVEL_DEFAULT
				   : 0;
	if (t->path) {
		if (out_file_open(&t->out, t->path)) {
			fprintf(stderr, "%s: cannot write %s\n", who, t->path);
			return -1;
		}
		t->f = t->out.f;
	}
	t->w = trace_writer_open(t->f, fmt, level);
	if (t->w)
		return 0;
	fprintf(stderr, "%s: out of memory\n", who);
	trace_file_close(t, false, who);
	return -1;
}

int trace_file_close(struct trace_file *t, bool ok, const char *who)
{
	bool wrote = true;

	if (t->w && trace_writer_close(t->w))
		wrote = false;
	t->w = NULL;
	if (t->out.f) {
		if (out_file_close(&t->out, ok && wrote)) {
			fprintf(stderr, "%s: cannot write %s\n", who, t->path);
			wrote = false;
		}
		if (!wrote)
			ok = false;
	} else if (!wrote) {
		fprintf(stderr, "%s: cannot write the output\n", who);
		ok = false;
	}
	return ok && wrote ? 0 : -1;
}
