// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_crc32c.c -- the portable and hardware crc32c paths agree with each
 * other, with libext2fs's ext2fs_crc32c_le and with known vectors.
 * crc32c.c defines ext2fs_crc32c_le too (libext2fs's own calls then take
 * the hardware path) only with --enable-fast-ext2fs-crc32c: the
 * library's version is then found with dlsym(RTLD_NEXT), so both are
 * checked.  By default libext2fs's own is the one every caller gets.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "e2fc.h"

typedef uint32_t (*crc_fn)(uint32_t, unsigned char const *, size_t);

static void test_known_vectors(void)
{
	/* standard CRC-32C of "123456789" is 0xE3069283 (with inversion) */
	const char *s = "123456789";

	CU_ASSERT_EQUAL(~e2fc_crc32c_sw(~0U, s, 9), 0xE3069283U);
	CU_ASSERT_EQUAL(~e2fc_crc32c(~0U, s, 9), 0xE3069283U);
	CU_ASSERT_EQUAL(e2fc_crc32c(0, "", 0), 0);
	CU_ASSERT_EQUAL(e2fc_crc32c(0x1234, "", 0), 0x1234);
}

static void test_paths_agree(void)
{
	uint8_t *buf = malloc(70000);
	unsigned i, off, len;
	crc_fn lib = (crc_fn)dlsym(RTLD_NEXT, "ext2fs_crc32c_le");
	Dl_info where;

	CU_ASSERT_PTR_EQUAL((void *)ext2fs_crc32c_le,
			    dlsym(RTLD_DEFAULT, "ext2fs_crc32c_le"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(lib);
	CU_ASSERT_FATAL(dladdr((void *)ext2fs_crc32c_le, &where) != 0);
#ifdef E2FC_FAST_EXT2FS_CRC32C
	/* the program's definition takes the place of libext2fs's */
	CU_ASSERT((void *)lib != (void *)ext2fs_crc32c_le);
	CU_ASSERT(strstr(where.dli_fname, "libext2fs") == NULL);
#else
	/* no interposition: every caller gets libext2fs's own */
	CU_ASSERT_PTR_NOT_NULL(strstr(where.dli_fname, "libext2fs"));
#endif

	for (i = 0; i < 70000; i++)
		buf[i] = (uint8_t)(i * 2654435761U >> 13);
	for (off = 0; off < 9; off++) {
		for (len = 0; len < 70000 - 9; len = len * 3 + 1) {
			uint32_t a = e2fc_crc32c_sw(0, buf + off, len);
			uint32_t b = e2fc_crc32c(0, buf + off, len);
			uint32_t c = lib(0, buf + off, len);
			uint32_t d = ext2fs_crc32c_le(~0U, buf + off, len);

			CU_ASSERT_EQUAL(a, b);
			CU_ASSERT_EQUAL(a, c);
			CU_ASSERT_EQUAL(d, lib(~0U, buf + off, len));
		}
	}
	/* incremental == one shot */
	CU_ASSERT_EQUAL(e2fc_crc32c(e2fc_crc32c(7, buf, 1000), buf + 1000, 3333),
			e2fc_crc32c_sw(7, buf, 4333));
	free(buf);
}

/* e2fc_crc32c_x4: each quarter's crc, on both paths; a length that is not
 * a multiple of 32 gets the whole crc in out[0] */
static void test_x4(void)
{
	static uint8_t buf[4096 + 8];
	uint32_t out[4], seed = 0x5a5a1234;
	size_t len, q;
	int i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 40503U >> 7);
	for (len = 32; len <= 4096; len *= 2) {
		q = len / 4;
		e2fc_crc32c_x4(seed, buf + 1, len, out);
		for (i = 0; i < 4; i++)
			CU_ASSERT_EQUAL(out[i], e2fc_crc32c_sw(seed,
						buf + 1 + i * q, q));
	}
	e2fc_crc32c_x4(seed, buf, 100, out);
	CU_ASSERT_EQUAL(out[0], e2fc_crc32c_sw(seed, buf, 100));
	CU_ASSERT_EQUAL(out[1], seed);
	/* one byte changed anywhere changes one quarter */
	e2fc_crc32c_x4(0, buf, 4096, out);
	buf[3000] ^= 1;
	{
		uint32_t o2[4];

		e2fc_crc32c_x4(0, buf, 4096, o2);
		CU_ASSERT_EQUAL(o2[0], out[0]);
		CU_ASSERT_NOT_EQUAL(o2[2], out[2]);
	}
}

static CU_TestInfo crc_tests[] = {
	{ "crc32c known vectors", test_known_vectors },
	{ "crc32c sw, hw and libext2fs agree", test_paths_agree },
	{ "crc32c four streams == four crcs", test_x4 },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("crc32c", crc_tests);
