// SPDX-License-Identifier: MIT
/* Atomic output files: see out_file.h. */
#define _GNU_SOURCE
#include "out_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path ("." for a bare name). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	char *d = malloc(n + 2);

	if (!d)
		return NULL;
	if (!slash)
		strcpy(d, ".");
	else if (!n)
		strcpy(d, "/");
	else {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

static int open_unnamed(struct out_file *o)
{
	char *dir = dir_of(o->path);
	int fd;

	if (!dir)
		return -1;
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	free(dir);
	return fd;
}

static int open_named(struct out_file *o)
{
	size_t n = strlen(o->path) + 16;
	int fd;

	o->tmp = malloc(n);
	if (!o->tmp)
		return -1;
	snprintf(o->tmp, n, "%s.tmpXXXXXX", o->path);
	fd = mkstemp(o->tmp);
	if (fd >= 0 && fchmod(fd, 0644)) {
		close(fd);
		unlink(o->tmp);
		fd = -1;
	}
	if (fd < 0) {
		free(o->tmp);
		o->tmp = NULL;
	}
	return fd;
}

int out_file_open(struct out_file *o, const char *path)
{
	int err;

	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path)
		return -1;
	o->fd = open_unnamed(o);
	if (o->fd < 0 && errno != ENOENT && errno != EACCES)
		o->fd = open_named(o); /* no O_TMPFILE here */
	if (o->fd >= 0)
		o->f = fdopen(o->fd, "w");
	if (o->f)
		return 0;
	err = errno;
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	errno = err;
	return -1;
}

/* Give the unnamed file a temporary name beside path, then rename it over
 * path (link cannot replace). */
static int link_into_place(struct out_file *o)
{
	size_t n = strlen(o->path) + 32;
	char proc[64], *name = malloc(n);
	unsigned int i;
	int rc = -1;

	if (!name)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	for (i = 0; i < 100 && rc; i++) {
		snprintf(name, n, "%s.tmp%ld.%u", o->path, (long)getpid(), i);
		rc = linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
		if (rc && errno != EEXIST)
			break;
	}
	if (!rc && rename(name, o->path)) {
		unlink(name);
		rc = -1;
	}
	free(name);
	return rc;
}

int out_file_close(struct out_file *o, bool keep)
{
	int rc = 0, err = 0;

	if (!o->f)
		return 0;
	if (keep && fflush(o->f))
		rc = -1;
	if (keep && !rc && ferror(o->f))
		rc = -1;
	if (keep && !rc) {
		rc = o->tmp ? rename(o->tmp, o->path) : link_into_place(o);
		if (rc)
			err = errno;
	}
	if (fclose(o->f) && keep && !rc) {
		rc = -1;
		err = errno;
		if (!o->tmp)
			unlink(o->path);
	}
	if (o->tmp && (!keep || rc))
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	errno = err;
	return rc;
}
