// SPDX-License-Identifier: MIT
/* PCIe endpoint model (to be written: issue 3). */
#include "vtd_internal.h"

void vtd_endpoint_invalidate(struct vtd_endpoint *ep,
			     const struct vtd_devtlb_inv *inv, uint64_t token)
{
	(void)ep;
	(void)inv;
	(void)token;
}

void vtd_endpoint_page_response(struct vtd_endpoint *ep, bool has_pasid,
				uint32_t pasid, uint16_t prgi,
				unsigned int resp_code)
{
	(void)ep;
	(void)has_pasid;
	(void)pasid;
	(void)prgi;
	(void)resp_code;
}

void vtd_endpoints_destroy_all(struct vtd *v)
{
	(void)v;
}
