/* SPDX-License-Identifier: MIT */
/* `vtdsim gen`: trace generators (docs/trace-format.md). */
#ifndef VTDSIM_GEN_H
#define VTDSIM_GEN_H

#include <stdbool.h>
#include <stdint.h>

/* argv[0] is the generator's name; returns the exit code (0, 1, 2). */
int gen_main(int argc, char **argv);

/* "4096", "0x1000", "4k", "2m", "1g" into *v: 0 or -1. */
int gen_parse_size(const char *s, uint64_t *v);

/* gen_workloads.c: nic, nvme, sva, tenants. argv: the options. */
bool gen_workload_known(const char *kind);
int gen_workload_main(const char *kind, int argc, char **argv);

#endif
