/* SPDX-License-Identifier: MIT */
/*
 * Output files written atomically (docs/robustness.md): the data goes to an
 * unnamed file in the destination's directory (Linux O_TMPFILE) that is
 * linked into place only once complete. Until then nothing is visible: a
 * replay killed with any signal, SIGKILL too, leaves neither a partial
 * output nor a temporary file; an earlier file of the same name stays as
 * it was. Where the file system has no O_TMPFILE, a PATH.tmpXXXXXX file
 * is used and renamed (a kill then can leave that temporary behind).
 */
#ifndef VTDSIM_OUT_FILE_H
#define VTDSIM_OUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct out_file {
	FILE *f;    /* write here */
	char *path; /* where it goes */
	char *tmp;  /* the named temporary (fallback), else NULL */
	int fd;	    /* the unnamed file's descriptor */
};

/* 0 and o->f, or -1 with errno set (nothing created). */
int out_file_open(struct out_file *o, const char *path);
/* keep: flush and put the file in place (0, or -1 with errno when a write
 * failed, nothing then in place); otherwise discard it (0). */
int out_file_close(struct out_file *o, bool keep);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_OUT_FILE_H */
