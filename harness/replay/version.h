/* SPDX-License-Identifier: MIT */
#ifndef VTDSIM_REPLAY_VERSION_H
#define VTDSIM_REPLAY_VERSION_H

#define VTDSIM_VERSION_STRING "0.1.0"

const char *vtdsim_version(void);

#endif
