// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: binary trace records (docs/trace-format.md, "binary
 * form") behind a valid header, so every input reaches the record
 * decoder. Invariants as for text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_machine.h"
#include "trace_binary.h"
#include "trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(TB_HEADER_LEN + size);
	struct trace_reader *rd;
	struct trace_record rec;
	struct trace_dma d;
	FILE *in;
	int rc, n = 0;

	if (!buf)
		return 0;
	tb_header(buf);
	memcpy(buf + TB_HEADER_LEN, data, size);
	in = fmemopen(buf, TB_HEADER_LEN + size, "r");
	rd = in ? trace_reader_open(in, "fuzz") : NULL;
	if (rd) {
		do {
			rc = n++ & 1 ? trace_reader_next_dma(rd, &d)
				     : trace_reader_next(rd, &rec);
		} while (rc > 0);
		if (rc < 0 && !trace_reader_error(rd)[0])
			fm_fail("a reader error without a message");
		trace_reader_close(rd);
	}
	if (in)
		fclose(in);
	free(buf);
	return 0;
}
