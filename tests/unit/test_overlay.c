// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_overlay.c -- the copy-on-write overlay io_manager: reads see the
 * base file under the writes, writes never reach the base, two opens of
 * one name have separate overlays, a channel takes over the overlay of
 * another with the reopen option (as e2fc_recover does), sparse copy,
 * channels opened and handed over in several threads at once.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "unit.h"
#include "e2fc.h"

static char base[] = "/tmp/e2fc-ov.XXXXXX";

static void make_base(void)
{
	uint8_t buf[16384];
	unsigned i;
	int fd;

	strcpy(base, "/tmp/e2fc-ov.XXXXXX");
	fd = mkstemp(base);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i / 1024 + 1);
	CU_ASSERT_EQUAL(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
}

static int base_byte(off_t off)
{
	uint8_t b = 0;
	int fd = open(base, O_RDONLY);

	if (pread(fd, &b, 1, off) != 1)
		b = 0xee;
	close(fd);
	return b;
}

static void test_read_write_reopen(void)
{
	io_channel ch, ch2;
	uint8_t buf[4096], w[2048];

	make_base();
	CU_ASSERT_EQUAL_FATAL(e2fc_overlay_io_manager->open(base, IO_FLAG_RW,
							    &ch), 0);
	CU_ASSERT_EQUAL(io_channel_set_blksize(ch, 2048), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(ch, 1, 1, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 3);		/* bytes 2048.. */
	memset(w, 0xab, sizeof(w));
	CU_ASSERT_EQUAL(io_channel_write_blk64(ch, 2, 1, w), 0);
	/* byte write in the middle of a unit */
	CU_ASSERT_EQUAL(io_channel_write_byte(ch, 100, 3, "xyz"), 0);
	CU_ASSERT_EQUAL(base_byte(4096), 5);	/* base untouched */
	CU_ASSERT_EQUAL(base_byte(100), 1);
	CU_ASSERT_EQUAL(e2fc_overlay_units(ch), 3);

	/* another open of the name: its own, empty overlay */
	CU_ASSERT_EQUAL_FATAL(e2fc_overlay_io_manager->open(base, 0, &ch2), 0);
	CU_ASSERT_EQUAL(e2fc_overlay_units(ch2), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(ch2, 4, 1, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 5);

	/* it takes over ch's overlay, which outlives ch */
	CU_ASSERT_EQUAL(io_channel_set_options(ch2,
				e2fc_overlay_reopen_options(ch)), 0);
	io_channel_close(ch);
	CU_ASSERT_EQUAL(e2fc_overlay_units(ch2), 3);
	CU_ASSERT_EQUAL(io_channel_set_blksize(ch2, 4096), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(ch2, 1, 1, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 0xab);
	CU_ASSERT_EQUAL(buf[2047], 0xab);
	CU_ASSERT_EQUAL(buf[2048], 7);		/* base around the write */
	CU_ASSERT_EQUAL(io_channel_read_blk64(ch2, 0, 1, buf), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 100, "xyz", 3), 0);
	CU_ASSERT_EQUAL(buf[99], 1);
	CU_ASSERT_EQUAL(buf[103], 1);
	/* negative count: bytes */
	CU_ASSERT_EQUAL(io_channel_read_blk64(ch2, 0, -200, buf), 0);
	CU_ASSERT_EQUAL(buf[101], 'y');
	/* an overlay that is gone, or not a number, is refused */
	CU_ASSERT_NOT_EQUAL(io_channel_set_options(ch2,
				"e2fc_overlay=999999"), 0);
	CU_ASSERT_NOT_EQUAL(io_channel_set_options(ch2, "e2fc_overlay=x"), 0);
	CU_ASSERT_EQUAL(e2fc_overlay_reopen_options(NULL), NULL);
	io_channel_close(ch2);

	/* the last channel took the writes with it */
	CU_ASSERT_EQUAL_FATAL(e2fc_overlay_io_manager->open(base, 0, &ch), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(ch, 2, 1, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 3);
	io_channel_close(ch);
	unlink(base);
}

static void test_sparse_copy(void)
{
	char copy[] = "/tmp/e2fc-ovc.XXXXXX";
	uint8_t w[1];
	struct stat st;
	int fd;

	make_base();
	fd = mkstemp(copy);
	close(fd);
	CU_ASSERT_EQUAL(e2fc_copy_sparse(base, copy), 0);
	fd = open(copy, O_RDONLY);
	CU_ASSERT(pread(fd, w, 1, 3 * 1024) == 1 && w[0] == 4);
	CU_ASSERT(pread(fd, w, 1, 5 * 1024) == 1 && w[0] == 6);
	fstat(fd, &st);
	CU_ASSERT_EQUAL(st.st_size, 16384);
	close(fd);
	unlink(copy);
	unlink(base);
}

static void test_missing_file(void)
{
	io_channel ch;

	CU_ASSERT_NOT_EQUAL(e2fc_overlay_io_manager->open(
				"/nonexistent/e2fc", 0, &ch), 0);
}

#define RACE_THREADS	4
#define RACE_ROUNDS	20000

/*
 * One thread's rounds: a channel with a write, a second channel that
 * takes its overlay over, the first closed, the write read back.  The
 * overlays of the other threads come and go in the same registry.
 */
static void *race_rounds(void *arg)
{
	unsigned i, bad = 0;
	io_channel a, b;
	uint8_t w = 0x5a, r[8];

	for (i = 0; i < RACE_ROUNDS; i++) {
		if (e2fc_overlay_io_manager->open(base, IO_FLAG_RW, &a)) {
			bad++;
			continue;
		}
		if (io_channel_write_byte(a, 7, 1, &w) ||
		    e2fc_overlay_io_manager->open(base, 0, &b)) {
			io_channel_close(a);
			bad++;
			continue;
		}
		if (io_channel_set_options(b, e2fc_overlay_reopen_options(a)))
			bad++;
		io_channel_close(a);
		if (io_channel_read_blk64(b, 0, -8, r) || r[7] != w ||
		    e2fc_overlay_units(b) != 1)
			bad++;
		io_channel_close(b);
	}
	return (void *)(uintptr_t)bad;
}

static void test_threads(void)
{
	pthread_t t[RACE_THREADS];
	unsigned i, bad = 0;
	void *ret;

	make_base();
	for (i = 0; i < RACE_THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, race_rounds,
						     NULL), 0);
	for (i = 0; i < RACE_THREADS; i++) {
		CU_ASSERT_EQUAL(pthread_join(t[i], &ret), 0);
		bad += (unsigned)(uintptr_t)ret;
	}
	CU_ASSERT_EQUAL(bad, 0);
	unlink(base);
}

static CU_TestInfo overlay_tests[] = {
	{ "overlay: read, write, reopen", test_read_write_reopen },
	{ "overlay: sparse copy", test_sparse_copy },
	{ "overlay: missing file", test_missing_file },
	{ "overlay: channels in four threads", test_threads },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("overlay", overlay_tests);
