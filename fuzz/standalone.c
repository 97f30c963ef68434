// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * standalone.c -- run a harness on files, without libFuzzer: how `make
 * check` replays the regression inputs (and how a finding is debugged
 * with gcc and gdb).  Usage: HARNESS FILE...; exit 0 when every input
 * ran to its end (a finding aborts).
 */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_common.h"

static int run_file(const char *name)
{
	FILE *f = fopen(name, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f) {
		perror(name);
		return 1;
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(f);
				return 1;
			}
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		ret |= run_file(argv[i]);
	return ret;
}
