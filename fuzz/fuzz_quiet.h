/* SPDX-License-Identifier: MIT */
/*
 * The reader harnesses: an input as a file the code under test opens by
 * name (a memfd), and its messages to stderr silenced for the call (the
 * sanitizers' reports still reach the fuzzer: they come after it).
 */
#ifndef VTDSIM_FUZZ_QUIET_H
#define VTDSIM_FUZZ_QUIET_H

#include <stddef.h>
#include <stdint.h>

/* A memfd holding data: its /proc/self/fd path in path (>= 32 bytes);
 * the fd, or -1. */
int fq_file(const uint8_t *data, size_t size, char *path, size_t len);
/* stderr to /dev/null until fq_loud(). */
void fq_quiet(void);
void fq_loud(void);

#endif /* VTDSIM_FUZZ_QUIET_H */
