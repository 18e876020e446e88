// SPDX-License-Identifier: MIT
/*
 * Without libFuzzer: run a harness on files (the seed corpus and the
 * regression inputs of fuzz/regressions), so the normal build's tests
 * replay every input that once crashed, under gcc and the sanitizers of
 * the asan preset. `fuzz-replay-H FILE|DIR...`: exit 0 when every input
 * ran (an invariant violation aborts).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(buf);
		fclose(f);
		return 2;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n > 0 ? (size_t)n : 0);
	free(buf);
	return 0;
}

static int run_path(const char *path, unsigned long *count)
{
	struct stat st;
	struct dirent **ents;
	char sub[4096];
	int n, i, rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: no such file\n", path);
		return 2;
	}
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return run_file(path);
	}
	n = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && !rc) {
			snprintf(sub, sizeof(sub), "%s/%s", path,
				 ents[i]->d_name);
			rc = run_path(sub, count);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int i, rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc && !rc; i++)
		rc = run_path(argv[i], &count);
	printf("%lu inputs ran\n", count);
	return rc;
}
