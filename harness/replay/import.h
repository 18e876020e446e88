/* SPDX-License-Identifier: MIT */
/* `vtdsim import`: traces from Linux ftrace and QEMU (docs/importers.md). */
#ifndef VTDSIM_IMPORT_H
#define VTDSIM_IMPORT_H

/* argv[0] is the source (ftrace, qemu); returns the exit code (0, 1, 2). */
int import_main(int argc, char **argv);

#endif
