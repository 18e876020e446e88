/* SPDX-License-Identifier: MIT */
/*
 * `vtdsim replay --config FILE`: configuration keys from an INI file, read
 * with inih (Debian's libinih-dev; docs/configuration.md says why INI).
 * A section names the key's prefix: "[timing] walkers = 2" is the key
 * timing.walkers; keys before any section are used as they are.
 */
#ifndef VTDSIM_CONFIG_FILE_H
#define VTDSIM_CONFIG_FILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct config_pair {
	char *key, *value;
	unsigned long line;
};

struct config_file {
	char *path;
	struct config_pair *pairs;
	size_t n, cap;
};

/* Read path; NULL and "FILE:LINE: message" (or "FILE: message") in err on
 * a syntax error or a file that cannot be read. */
struct config_file *config_file_load(const char *path, char *err,
				     size_t errlen);
void config_file_free(struct config_file *f);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_CONFIG_FILE_H */
