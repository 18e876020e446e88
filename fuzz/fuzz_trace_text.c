// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: the trace reader on any bytes (docs/robustness.md), text
 * traces mostly (a zstd frame or a binary header at the start takes those
 * paths too). Both ways of reading: every record, and the plain-DMA fast
 * path. Invariants: no crash, no hang, bounded memory; an error has a
 * message with the line.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_machine.h"
#include "trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in;
	struct trace_reader *rd;
	struct trace_record rec;
	struct trace_dma d;
	int rc, n = 0;
	bool fast = size && (data[0] & 1);

	if (!size)
		return 0;
	in = fmemopen((void *)(data + 1), size - 1, "r");
	if (!in)
		return 0;
	rd = trace_reader_open(in, "fuzz");
	if (!rd) {
		fclose(in);
		return 0;
	}
	do {
		if (fast && (n & 1))
			rc = trace_reader_next_dma(rd, &d);
		else
			rc = trace_reader_next(rd, &rec);
		n++;
	} while (rc > 0);
	if (rc < 0 && !trace_reader_error(rd)[0])
		fm_fail("a reader error without a message");
	trace_reader_close(rd);
	fclose(in);
	return 0;
}
