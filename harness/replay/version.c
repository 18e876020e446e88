// SPDX-License-Identifier: MIT
/* The version of the vtdsim tools, from the CMake project. */
#include "version.h"

const char *vtdsim_version(void)
{
	return VTDSIM_VERSION_STRING;
}
