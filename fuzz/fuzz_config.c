// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: the configuration reader (`vtdsim replay --config FILE`,
 * inih) and every value it hands to the model's vtd_config_set, then
 * vtd_config_validate and, when it accepts, an instance. Invariants: no
 * crash or hang; a refused file has a message with the file and line.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vtdsim/vtdsim.h>

#include "config_file.h"
#include "fuzz_machine.h"
#include "fuzz_quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[256] = "";
	struct config_file *f;
	struct vtd_config cfg;
	struct vtd_host_ops ops;
	struct vtd *v;
	int fd = fq_file(data, size, path, sizeof(path));
	size_t i;

	if (fd < 0)
		return 0;
	f = config_file_load(path, err, sizeof(err));
	close(fd);
	if (!f) {
		if (!strstr(err, path))
			fm_fail("a refused configuration file without its "
				"name");
		return 0;
	}
	vtd_config_init(&cfg);
	for (i = 0; i < f->n; i++)
		vtd_config_set(&cfg, f->pairs[i].key, f->pairs[i].value, err,
			       sizeof(err));
	config_file_free(f);
	if (vtd_config_validate(&cfg, err, sizeof(err)))
		return 0;
	memset(&ops, 0, sizeof(ops));
	v = vtd_create(&cfg, &ops, NULL, err, sizeof(err));
	if (v)
		vtd_destroy(v);
	return 0;
}
