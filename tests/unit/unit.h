/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h -- registration of CUnit suites for the single unit-test runner.
 *
 * A test file declares its tests in a table and registers it:
 *
 *	static CU_TestInfo tests[] = { { "name", fn }, CU_TEST_INFO_NULL };
 *	E2FC_SUITE("fc_scan", tests);
 */
#ifndef E2FC_UNIT_H
#define E2FC_UNIT_H

#include <CUnit/CUnit.h>

void e2fc_unit_register(const char *name, CU_TestInfo *tests);

/* testdata.c: the images of tests/unit/data */
#include <stddef.h>
const char *e2fc_test_data_dir(void);
int e2fc_test_unpack(const char *name, char *out, size_t outlen);
int e2fc_test_mkfs(const char *opts, unsigned blocks, char *out,
		   size_t outlen);
int e2fc_test_mkfs_tree(const char *script, const char *opts, char *out,
			size_t outlen);

#define E2FC_SUITE(name, table)						\
	static void __attribute__((constructor)) e2fc_reg_##table(void)	\
	{								\
		e2fc_unit_register(name, table);			\
	}

#endif
