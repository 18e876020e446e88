// SPDX-License-Identifier: MIT
/* Virtual command interface (to be written: issue 3). */
#include <stdlib.h>

#include "vtd_internal.h"

void vtd_vcmd_write(struct vtd *v, uint64_t val)
{
	(void)v;
	(void)val;
}

void vtd_vcmd_reset(struct vtd *v)
{
	(void)v;
}

void vtd_vcmd_destroy(struct vtd *v)
{
	free(v->vcmd_pasids);
	v->vcmd_pasids = NULL;
}
