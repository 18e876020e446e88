/* SPDX-License-Identifier: MIT */
/* `vtdsim sweep`: parameter sweeps over a trace (docs/sweep.md). */
#ifndef VTDSIM_SWEEP_H
#define VTDSIM_SWEEP_H

/* argv: the command's arguments; returns the exit code (0, 1, 2). */
int sweep_main(int argc, char **argv);

#endif
