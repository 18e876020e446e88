/* SPDX-License-Identifier: MIT */
/*
 * Streaming reader of vtdsim traces (docs/trace-format.md): the text format
 * v1 (one record per line; a line longer than TRACE_LINE_MAX bytes,
 * comments excluded, is malformed) and the binary format (trace_binary.h),
 * either of them plain or zstd-compressed, told apart by their first bytes.
 * Constant memory. Messages are "FILE:LINE: msg" for text and
 * "FILE:record N: msg" for binary input (N counts records from 1).
 */
#ifndef VTDSIM_TRACE_READER_H
#define VTDSIM_TRACE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_LINE_MAX	 65536
#define TRACE_NAME_MAX	 64
#define TRACE_MAX_TOKENS 64
#define TRACE_MAX_KV	 32
#define TRACE_ERR_MAX	 512

enum trace_op {
	TR_NONE,
	/* low level: an exact contract */
	TR_MEM_W,
	TR_MEM_R,
	TR_REG_W,
	TR_REG_R,
	TR_DMA,
	/* high level: carried out by the reference driver */
	TR_CONFIG,
	TR_IOMMU_INIT,
	TR_DOMAIN,
	TR_MAP,
	TR_UNMAP,
	TR_REMAP,
	TR_ATTACH,
	TR_DETACH,
	TR_INV_CC,
	TR_INV_IOTLB,
	TR_INV_PIOTLB,
	TR_INV_PC,
	TR_INV_WAIT,
	TR_EXPECT_STALE,
	/* devices, ATS, page requests (docs/trace-format.md "Devices") */
	TR_DEVICE,
	TR_DEV_DMA,
	TR_DEV_DONE,
	TR_ATS,
	TR_DEVTLB,
	TR_INV_DEVTLB,
	TR_INV_STATUS,
	TR_PRQ_INIT,
	TR_PRQ_REQ,
	TR_PRQ_EXPECT,
	TR_PRQ_NEXT,
	TR_PRQ_RESPOND,
	TR_PRQ_AUTO,
	TR_OP_COUNT
};

/* Bare-word flags of a record. */
#define TRF_PRIV   (1u << 0)
#define TRF_EXEC   (1u << 1)
#define TRF_USER   (1u << 2)
#define TRF_NX	   (1u << 3)
#define TRF_GLOBAL (1u << 4)
#define TRF_FPD	   (1u << 5)
#define TRF_SRE	   (1u << 6)
#define TRF_ERE	   (1u << 7)
#define TRF_WPE	   (1u << 8)
#define TRF_EAFE   (1u << 9)
#define TRF_SLADE  (1u << 10)
#define TRF_PRE	   (1u << 11)
#define TRF_DTE	   (1u << 12)
#define TRF_IH	   (1u << 13)
#define TRF_NOWAIT (1u << 14)
#define TRF_SILENT (1u << 15)
#define TRF_LPIG   (1u << 16)

enum trace_mode { TR_MODE_LEGACY, TR_MODE_SCALABLE };
enum trace_dom_type { TR_DOM_SL, TR_DOM_FL };
/* PGTT / TT choices; TR_PGTT_DEFAULT: derived from the domain type */
enum trace_pgtt {
	TR_PGTT_DEFAULT,
	TR_PGTT_FL,
	TR_PGTT_SL,
	TR_PGTT_NESTED,
	TR_PGTT_PT
};
enum trace_tt { TR_TT_DEFAULT, TR_TT_SL, TR_TT_DT, TR_TT_PT };
enum trace_inv_mode { TR_INV_AUTO, TR_INV_NONE };
/* Invalidation granularities as written in the trace. */
enum trace_gran {
	TR_GRAN_GLOBAL,
	TR_GRAN_DOMAIN,
	TR_GRAN_DEVICE,
	TR_GRAN_PAGE,
	TR_GRAN_PASID
};

/* A device declaration: capabilities and device-TLB geometry. */
struct trace_device {
	bool pasid, ats, pri; /* capabilities present */
	unsigned int pasid_width, qdepth;
	uint32_t pri_capacity;
	uint32_t devtlb_sets, devtlb_ways; /* sets 0: no device-TLB */
	bool has_latency;
	uint64_t inv_latency;
	bool enable;	      /* enable PASID/ATS/PRI as a driver does */
	uint32_t outstanding; /* requests in flight; 0: timing.outstanding */
};

#define TRACE_WANT_NONE (-1)

struct trace_record {
	enum trace_op op;
	unsigned long line;
	uint64_t time; /* ns; the previous record's when no @T */

	/* mem.* / reg.*: access size (4 or 8), address or offset, value */
	unsigned int size;
	uint64_t addr;	/* PA, OFF, IOVA */
	uint64_t value; /* VALUE; PA of map/remap */
	uint64_t len;	/* LEN of dma, SIZE of map/unmap */
	bool has_expect, has_mask;
	uint64_t expect, mask;
	bool expect_fault; /* dma expect=fault:CODE */
	uint8_t fault;

	/* dma / attach / detach / invalidations */
	uint16_t sid;
	bool has_pasid;
	uint32_t pasid;
	bool write;
	uint32_t flags; /* TRF_* */

	/* high-level records */
	char name[TRACE_NAME_MAX];   /* domain NAME ("" when absent) */
	char parent[TRACE_NAME_MAX]; /* parent= / domain= of inv.* */
	enum trace_mode mode;
	bool qi;
	unsigned int dw; /* 128 or 256 */
	enum trace_dom_type type;
	unsigned int levels; /* 0: default */
	uint64_t page;	     /* page size of map */
	unsigned int perm;   /* VTD_PERM_R|W, 0: default */
	enum trace_pgtt pgtt;
	enum trace_tt tt;
	enum trace_inv_mode inv;
	enum trace_gran gran;
	bool has_did;
	uint16_t did;
	bool has_rid_pasid;
	uint32_t rid_pasid;
	bool has_addr, has_am;
	unsigned int am, fm;
	bool has_sid2; /* inv.cc device sid= */
	uint16_t sid2;
	uint64_t count; /* expect.stale N, prq.expect count= */

	/* devices, ATS, page requests */
	struct trace_device dev;
	bool has_tag;
	uint64_t tag;
	int want; /* expected outcome (index in the record's word list) */
	bool has_pa;
	uint64_t pa;
	bool has_fcode;
	uint8_t fcode;
	bool has_xsize;
	uint64_t xsize;	 /* ats size=, inv.devtlb size= (0: all) */
	int want_perm;	 /* ats perm=: VTD_PERM_R|W bits, or WANT_NONE */
	int want_u;	 /* ats u=0|1 */
	int want_devtlb; /* dev.dma devtlb=miss|hit */
	int want_pro, want_ppr;
	bool has_count, has_prq;
	uint32_t prq; /* dev.done prq=N: page requests issued */
	bool read;    /* prq.*: r, w or rw */
	bool has_prgi;
	uint16_t prgi;
	bool has_private;
	uint64_t private_data[2];
	unsigned int qs; /* prq.init qs= */
	int resp;	 /* prq.respond/auto: response code, -1 off */
	uint64_t delay;	 /* prq.respond/auto delay= */

	/* latency= and tolerance= of dma, dev.dma, dev.done (timing) */
	bool has_lat;
	uint64_t lat_ps;
	uint64_t tol_ps;  /* tolerance=NS */
	uint32_t tol_ppm; /* tolerance=P% (parts per million) */
	uint32_t dev_len; /* dev.dma len=: bytes accessed, 0 default */

	/* config: pointers into the reader's line, valid until the next
	 * trace_reader_next() */
	unsigned int nkv;
	const char *keys[TRACE_MAX_KV];
	const char *vals[TRACE_MAX_KV];
};

struct trace_reader;

/* The reader does not own f. name is used in messages. Reads the start of
 * f to tell the format. */
struct trace_reader *trace_reader_open(FILE *f, const char *name);
/* For converters: keep each record's text (trace_reader_text: a text
 * line without its comment, a binary text record; not for binary dma
 * records) and return whole-line comments as TR_NONE records (their text
 * after '#' in trace_reader_text). */
void trace_reader_keep(struct trace_reader *r, bool text, bool comments);
const char *trace_reader_text(const struct trace_reader *r);
bool trace_reader_binary(const struct trace_reader *r);
bool trace_reader_compressed(const struct trace_reader *r);
/* Bytes of the file read so far (for progress), -1 if not known. */
long trace_reader_offset(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);
/* 1: a record in *rec; 0: end of file; -1: malformed ("FILE:LINE: msg" in
 * trace_reader_error()). After -1 the reader stays in error. A binary dma
 * record following one into the same *rec rewrites only the dma fields
 * (the rest stay as the first left them: cleared). */
int trace_reader_next(struct trace_reader *r, struct trace_record *rec);
/* A plain request: a binary dma record without expectations or latency=,
 * most of a long replay, read without a trace_record. */
struct trace_dma {
	uint64_t time, addr, len;
	uint32_t pasid;
	uint16_t sid;
	bool has_pasid, write, priv, exec;
	unsigned long line; /* its record number */
};

/* 1: the next record was a plain request, in *d; 0: it is anything else
 * (or malformed, or the input is text): trace_reader_next reads it. */
int trace_reader_next_dma(struct trace_reader *r, struct trace_dma *d);
const char *trace_reader_error(const struct trace_reader *r);
const char *trace_reader_name(const struct trace_reader *r);
unsigned long trace_reader_line(const struct trace_reader *r);

const char *trace_op_name(enum trace_op op);

/* Helpers shared with the engine and tests. 0 or -1. */
int trace_parse_u64(const char *s, uint64_t *out);
int trace_parse_bdf(const char *s, uint16_t *sid);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_TRACE_READER_H */
