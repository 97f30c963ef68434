// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unit_main.c -- runs every registered CUnit suite and prints a summary
 * line "N passed, N failed" (tests) for tests/run-tests.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "unit.h"

#define MAX_SUITES 64

static struct {
	const char *name;
	CU_TestInfo *tests;
} suites[MAX_SUITES];
static int nsuites;

void e2fc_unit_register(const char *name, CU_TestInfo *tests)
{
	if (nsuites < MAX_SUITES) {
		suites[nsuites].name = name;
		suites[nsuites].tests = tests;
		nsuites++;
	}
}

int main(int argc, char **argv)
{
	CU_SuiteInfo *info;
	unsigned run, failed;
	int i, j = 0;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	info = calloc(nsuites + 1, sizeof(*info));
	if (!info)
		return 2;
	for (i = 0; i < nsuites; i++) {
		/* optional filter: only suites named on the command line */
		if (argc > 1) {
			int k, want = 0;

			for (k = 1; k < argc; k++)
				if (!strcmp(argv[k], suites[i].name))
					want = 1;
			if (!want)
				continue;
		}
		info[j].pName = (char *)suites[i].name;
		info[j].pTests = suites[i].tests;
		j++;
	}
	if (CU_register_suites(info) != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	printf("unit: %u passed, %u failed\n", run - failed, failed);
	CU_cleanup_registry();
	free(info);
	return failed ? 1 : 0;
}
