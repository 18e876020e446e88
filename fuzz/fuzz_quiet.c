// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "fuzz_quiet.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int saved_err = -1;

int fq_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz-input", 0);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (done < size) {
		n = write(fd, data + done, size - done);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

void fq_quiet(void)
{
	int null;

	if (getenv("FUZZ_LOUD")) /* to see a crash's report */
		return;
	null = open("/dev/null", O_WRONLY);

	fflush(stderr);
	if (saved_err < 0)
		saved_err = dup(2);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
}

void fq_loud(void)
{
	fflush(stderr);
	if (saved_err >= 0)
		dup2(saved_err, 2);
}
