// SPDX-License-Identifier: MIT
/* Page request queue engine (to be written: issue 3). */
#include "vtd_internal.h"

void vtd_prq_page_group_response(struct vtd *v, const uint64_t desc[4])
{
	(void)v;
	(void)desc;
}

void vtd_prq_reset(struct vtd *v)
{
	(void)v;
}

void vtd_prq_destroy(struct vtd *v)
{
	(void)v;
}
