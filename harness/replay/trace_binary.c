// SPDX-License-Identifier: MIT
/*
 * The fixed-size request records of the binary trace format
 * (trace_binary.h): encoding from and decoding into a trace_record.
 */
#include <string.h>

#include "trace_binary.h"

/* Little-endian fields: one load on a little-endian host. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}
#else
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}
#endif

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

uint32_t tb_get32(const uint8_t *p)
{
	return get32(p);
}

void tb_put32(uint8_t *p, uint32_t v)
{
	put32(p, v);
}

void tb_header(uint8_t out[TB_HEADER_LEN])
{
	memcpy(out, TB_MAGIC, TB_MAGIC_LEN);
	put16(out + 8, TB_VERSION);
	put16(out + 10, TB_HEADER_LEN);
	put32(out + 12, 0);
}

const char *tb_check_header(const uint8_t *p)
{
	if (get16(p + 8) != TB_VERSION)
		return "unsupported binary trace version";
	if (get16(p + 10) != TB_HEADER_LEN)
		return "bad binary trace header length";
	if (get32(p + 12))
		return "unknown binary trace header flags";
	return NULL;
}

size_t tb_encode_dma(const struct trace_record *rec, uint8_t *p)
{
	uint8_t f = 0;
	uint64_t expect = 0;

	if (rec->write)
		f |= TBF_WRITE;
	if (rec->has_pasid)
		f |= TBF_PASID;
	if (rec->flags & TRF_PRIV)
		f |= TBF_PRIV;
	if (rec->flags & TRF_EXEC)
		f |= TBF_EXEC;
	if (rec->has_expect) {
		f |= rec->expect_fault ? TBF_EXPECT_FAULT : TBF_EXPECT_PA;
		expect = rec->expect_fault ? rec->fault : rec->expect;
	}
	p[0] = rec->has_lat ? TB_DMA_LAT : TB_DMA;
	p[1] = f;
	put16(p + 2, rec->sid);
	put32(p + 4, rec->has_pasid ? rec->pasid : 0);
	put64(p + 8, rec->time);
	put64(p + 16, rec->addr);
	put64(p + 24, expect);
	put32(p + 32, (uint32_t)(rec->len - 1));
	put32(p + 36, 0);
	if (!rec->has_lat)
		return TB_DMA_LEN;
	put64(p + 40, rec->lat_ps);
	put64(p + 48, rec->tol_ppm ? TB_TOL_PPM | rec->tol_ppm : rec->tol_ps);
	return TB_DMA_LAT_LEN;
}

/* The checks the text reader makes of a dma record. */
static const char *check_dma(const struct trace_record *rec, uint8_t f,
			     uint64_t expect)
{
	if (f & TBF_RESERVED)
		return "reserved dma flags set";
	if ((f & TBF_EXPECT_PA) && (f & TBF_EXPECT_FAULT))
		return "dma expects both a PA and a fault";
	if ((f & TBF_EXPECT_FAULT) && (!expect || expect > 0xff))
		return "bad expected fault reason";
	if (!(f & (TBF_EXPECT_PA | TBF_EXPECT_FAULT)) && expect)
		return "expectation field set without an expectation";
	if (rec->has_pasid ? rec->pasid > 0xfffff : rec->pasid != 0)
		return "bad PASID";
	if ((rec->flags & (TRF_PRIV | TRF_EXEC)) && !rec->has_pasid)
		return "priv/exec need a request with pasid=";
	if (rec->addr + (rec->len - 1) < rec->addr)
		return "IOVA + LEN beyond the 64-bit address space";
	return NULL;
}

static const char *decode_lat(const uint8_t *p, struct trace_record *rec)
{
	uint64_t tol = get64(p + 48);

	rec->has_lat = true;
	rec->lat_ps = get64(p + 40);
	rec->tol_ps = rec->tol_ppm = 0;
	if (!(tol & TB_TOL_PPM)) {
		rec->tol_ps = tol;
		return NULL;
	}
	tol &= ~TB_TOL_PPM;
	/* the text form has P% to three decimals: tens of ppm */
	if (tol > 1000000 || tol % 10)
		return "bad latency tolerance";
	rec->tol_ppm = (uint32_t)tol;
	return NULL;
}

bool tb_decode_plain_dma(const uint8_t *p, struct trace_dma *d)
{
	uint8_t f = p[1];

	/* what check_dma would refuse, or expectations: the general path */
	if (p[0] != TB_DMA ||
	    (f & ~(TBF_WRITE | TBF_PASID | TBF_PRIV | TBF_EXEC)) ||
	    get64(p + 24) || get32(p + 36))
		return false;
	d->has_pasid = f & TBF_PASID;
	d->write = f & TBF_WRITE;
	d->priv = f & TBF_PRIV;
	d->exec = f & TBF_EXEC;
	d->sid = get16(p + 2);
	d->pasid = get32(p + 4);
	d->time = get64(p + 8);
	d->addr = get64(p + 16);
	d->len = (uint64_t)get32(p + 32) + 1;
	if (d->has_pasid ? d->pasid > 0xfffff : d->pasid != 0)
		return false;
	/* from f, not the bools just stored: a load of both at once would
	 * wait for the two stores to retire */
	if ((f & (TBF_PRIV | TBF_EXEC)) && !(f & TBF_PASID))
		return false;
	return d->addr + (d->len - 1) >= d->addr;
}

const char *tb_decode_dma(const uint8_t *p, struct trace_record *rec)
{
	uint8_t f = p[1];
	uint64_t expect = get64(p + 24);

	rec->op = TR_DMA;
	rec->size = 0;
	rec->write = f & TBF_WRITE;
	rec->has_pasid = f & TBF_PASID;
	rec->flags =
		(f & TBF_PRIV ? TRF_PRIV : 0) | (f & TBF_EXEC ? TRF_EXEC : 0);
	rec->sid = get16(p + 2);
	rec->pasid = get32(p + 4);
	rec->time = get64(p + 8);
	rec->addr = get64(p + 16);
	rec->len = (uint64_t)get32(p + 32) + 1;
	rec->has_expect = (f & (TBF_EXPECT_PA | TBF_EXPECT_FAULT)) != 0;
	rec->expect_fault = f & TBF_EXPECT_FAULT;
	rec->expect = rec->expect_fault ? 0 : expect;
	rec->fault = rec->expect_fault ? (uint8_t)expect : 0;
	rec->has_lat = false;
	rec->lat_ps = rec->tol_ps = 0;
	rec->tol_ppm = 0;
	if (get32(p + 36))
		return "reserved dma field set";
	if (p[0] == TB_DMA_LAT) {
		const char *e = decode_lat(p, rec);

		if (e)
			return e;
	}
	return check_dma(rec, f, expect);
}
