/* SPDX-License-Identifier: MIT */
/*
 * Writing traces: text format v1 or the binary format (trace_binary.h),
 * optionally zstd-compressed, streamed. Requests (dma records) are written
 * from their fields; every other record from its text line.
 */
#ifndef VTDSIM_TRACE_WRITER_H
#define VTDSIM_TRACE_WRITER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "out_file.h"
#include "trace_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

enum trace_format { TRACE_TEXT, TRACE_BINARY };

struct trace_writer;

/* zstd_level 0: not compressed. The writer does not own f. */
struct trace_writer *trace_writer_open(FILE *f, enum trace_format fmt,
				       int zstd_level);
/* Flush and finish the stream; 0, or -1 if any write failed. Frees w. */
int trace_writer_close(struct trace_writer *w);

/* A dma record (rec->op TR_DMA). Text: "@T" only when rec->time differs
 * from the previous record's. */
int trace_writer_dma(struct trace_writer *w, const struct trace_record *rec);
/* Any other record as its text line (which may start with "@T"); time is
 * the record's. */
int trace_writer_line(struct trace_writer *w, uint64_t time, const char *line);
/* printf-style trace_writer_line of a record written without its time:
 * "@T " goes in front when time differs from the previous record's (as
 * trace_writer_dma does). */
int trace_writer_linef(struct trace_writer *w, uint64_t time, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));
int trace_writer_vlinef(struct trace_writer *w, uint64_t time, const char *fmt,
			va_list ap) __attribute__((format(printf, 3, 0)));
/* A whole-line comment (text after "#"). */
int trace_writer_comment(struct trace_writer *w, const char *text);
/* What a reader with trace_reader_keep(r, true, true) returned. */
int trace_writer_record(struct trace_writer *w, const struct trace_record *rec,
			const char *text);

/* "BB:DD.F" of a source id into buf (16 bytes); buf. */
const char *trace_format_bdf(uint16_t sid, char *buf);

/* The text form of a dma record (without "@T"), into buf. */
void trace_format_dma(const struct trace_record *rec, char *buf, size_t len);

/* "x.vtb": binary; "x.vtb.zst", "x.zst": compressed (binary unless
 * "x.trace.zst" or "x.txt.zst"); anything else text. */
void trace_format_from_name(const char *path, enum trace_format *fmt,
			    bool *zstd);

/* An output file that appears at PATH only when complete (out_file.h;
 * "-" or NULL: stdout, text unless told). */
struct trace_file {
	const char *path;
	struct out_file out;
	FILE *f;
	struct trace_writer *w;
};

/* Output format options of gen/convert/import: --format text|binary,
 * --zstd[=LEVEL]. */
struct trace_out_opts {
	bool has_fmt;
	enum trace_format fmt;
	int zstd; /* 0: by name, -1: off */
};

/* argv[*i] is one of the options: consumes it (and its value), 1; not
 * one: 0; a bad value: -1 with a message on stderr prefixed by who. */
int trace_out_option(const char *who, int argc, char **argv, int *i,
		     struct trace_out_opts *o);
/* 0, or -1 with "who: cannot write PATH" on stderr. */
int trace_file_open(struct trace_file *t, const char *path,
		    const struct trace_out_opts *o, const char *who);
/* Finish: ok and every write done: renamed into place, 0; otherwise the
 * temporary file is removed, -1 (a message on stderr when writing
 * failed). */
int trace_file_close(struct trace_file *t, bool ok, const char *who);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_TRACE_WRITER_H */
