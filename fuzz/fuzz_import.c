// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: an importer (`vtdsim import ftrace|qemu`, built once per
 * source: -DFUZZ_IMPORT_SOURCE="ftrace" or "qemu") on any input, output to
 * stdout (sent to /dev/null). Invariants: no crash or hang, bounded
 * memory (a map or unmap of a huge range is refused, not enumerated),
 * exit code 0, 1 or 2.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_machine.h"
#include "fuzz_quiet.h"
#include "import.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout))
		return 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	char *argv[] = {FUZZ_IMPORT_SOURCE, path, NULL};
	int fd = fq_file(data, size, path, sizeof(path)), rc;

	if (fd < 0)
		return 0;
	fq_quiet();
	rc = import_main(2, argv);
	fq_loud();
	close(fd);
	if (rc < 0 || rc > 2)
		fm_fail("an importer exit code other than 0, 1 or 2");
	return 0;
}
