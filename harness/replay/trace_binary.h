/* SPDX-License-Identifier: MIT */
/*
 * The vtdsim binary trace format, version 1 (docs/trace-format.md "Binary
 * format"): a 16-byte header, then records, each starting with its kind
 * byte. All fields little endian. Requests are fixed-size records decoded
 * without any parsing; every other record of the text format travels as its
 * text line, so the two forms carry the same trace.
 *
 * Either form may be compressed with zstd; readers detect it by the zstd
 * frame magic and the binary form by its own.
 */
#ifndef VTDSIM_TRACE_BINARY_H
#define VTDSIM_TRACE_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "trace_reader.h"

/* Header: magic, u16 version, u16 header length, u32 flags (0). */
#define TB_MAGIC      "\x89VTB\r\n\x1a\n"
#define TB_MAGIC_LEN  8
#define TB_VERSION    1
#define TB_HEADER_LEN 16
#define ZSTD_MAGIC_LE 0xfd2fb528u /* a zstd frame's first four bytes */

/* Record kinds (the first byte of each record). */
enum tb_kind {
	TB_DMA = 0x01,	   /* a dma record: TB_DMA_LEN bytes */
	TB_DMA_LAT = 0x02, /* a dma record with latency=: TB_DMA_LAT_LEN */
	TB_TEXT = 0x10,	   /* any other record: its text line */
	TB_COMMENT = 0x11, /* a whole-line comment (text after '#') */
};

/*
 * TB_DMA, 40 bytes:
 *   0  u8  kind
 *   1  u8  flags (TBF_*)
 *   2  u16 source id (bus << 8 | dev << 3 | fn)
 *   4  u32 PASID (TBF_PASID; 0 otherwise)
 *   8  u64 time in ns (the record's @T, or the previous record's)
 *  16  u64 IOVA
 *  24  u64 expected PA (TBF_EXPECT_PA) or fault reason (TBF_EXPECT_FAULT)
 *  32  u32 LEN - 1
 *  36  u32 reserved, 0
 * TB_DMA_LAT, 56 bytes: the same, then
 *  40  u64 expected latency in ps
 *  48  u64 tolerance: ps, or parts per million with TB_TOL_PPM set
 */
#define TB_DMA_LEN     40
#define TB_DMA_LAT_LEN 56
#define TB_TOL_PPM     (1ull << 63)

#define TBF_WRITE	 (1u << 0)
#define TBF_PASID	 (1u << 1)
#define TBF_PRIV	 (1u << 2)
#define TBF_EXEC	 (1u << 3)
#define TBF_EXPECT_PA	 (1u << 4)
#define TBF_EXPECT_FAULT (1u << 5)
#define TBF_RESERVED	 0xc0u

/*
 * TB_TEXT and TB_COMMENT: u8 kind, u8 0, u16 0, u32 length N, then N bytes
 * (no newline, no NUL; at most TRACE_LINE_MAX).
 */
#define TB_TEXT_HDR_LEN 8
/* A comment record's text is cut to this many bytes (a text record's is
 * within the reader's line limit already). */
#define TB_COMMENT_MAX 4096

#ifdef __cplusplus
extern "C" {
#endif

/* The 16-byte header of version 1. */
void tb_header(uint8_t out[TB_HEADER_LEN]);
/* NULL when p (TB_HEADER_LEN bytes, magic already matched) is one this
 * reader takes, else why not. */
const char *tb_check_header(const uint8_t *p);
struct trace_dma;
/* A TB_DMA record without expectations that tb_decode_dma would accept,
 * into *d (all but its line); else false and *d is undefined. */
bool tb_decode_plain_dma(const uint8_t *p, struct trace_dma *d);
/* A TR_DMA record into p (TB_DMA_LAT_LEN bytes of room); its length. */
size_t tb_encode_dma(const struct trace_record *rec, uint8_t *p);
/* p: TB_DMA_LEN or TB_DMA_LAT_LEN bytes by p[0]. Sets the dma fields of
 * *rec (op, time, sid, pasid, flags, addr, len, expectation, latency);
 * NULL or what is malformed. */
const char *tb_decode_dma(const uint8_t *p, struct trace_record *rec);
uint32_t tb_get32(const uint8_t *p);
void tb_put32(uint8_t *p, uint32_t v);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_TRACE_BINARY_H */
