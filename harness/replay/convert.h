/* SPDX-License-Identifier: MIT */
/* `vtdsim convert`: text and binary traces (docs/trace-format.md). */
#ifndef VTDSIM_CONVERT_H
#define VTDSIM_CONVERT_H

/* argv: the command's arguments; returns the exit code (0, 1, 2). */
int convert_main(int argc, char **argv);

#endif
