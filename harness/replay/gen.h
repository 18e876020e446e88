/* SPDX-License-Identifier: MIT */
/* `vtdsim gen`: trace generators (docs/trace-format.md). */
#ifndef VTDSIM_GEN_H
#define VTDSIM_GEN_H

/* argv[0] is the generator's name; returns the exit code (0, 1, 2). */
int gen_main(int argc, char **argv);

#endif
