// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_gdt.c -- the group descriptors read and written by the block
 * (fc_gdt.c): e2fc_fs_open reads what ext2fs_open reads; the flush writes
 * the descriptor blocks that changed or hold a touched group and no other
 * (a block garbled on the disk behind the fs's back stays garbled); the
 * reopen after the log reads again only the blocks the log wrote.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fc_meta.h"
#include "fc_gdt.h"
#include "unit.h"

/* 1k blocks, 1024 a group: 128 groups, 32 descriptors a block, the four
 * descriptor blocks at 2..5 */
#define FS_BLOCKS	131072
#define BS		1024
#define DESC0		2

static ext2_filsys make_fs(char *path, size_t len, const char *opts, int rw)
{
	char all[256];
	ext2_filsys fs = NULL;

	snprintf(all, sizeof(all), "-b %d -g 1024 -N 2048 %s", BS, opts);
	if (!e2fc_test_mkfs(all, FS_BLOCKS, path, len) ||
	    e2fc_fs_open(path, EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0), 0,
			 0, unix_io_manager, &fs))
		return NULL;
	return fs;
}

/* one block of the image file, read or written past the fs's channel */
static int raw(const char *path, blk64_t blk, void *buf, int write)
{
	int fd = open(path, write ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write ? pwrite(fd, buf, BS, (off_t)blk * BS) :
		    pread(fd, buf, BS, (off_t)blk * BS);
	close(fd);
	return n == BS ? 0 : -1;
}

static void check_open(const char *opts)
{
	char path[64];
	ext2_filsys fs = make_fs(path, sizeof(path), opts, 0), ref = NULL;

	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0,
				    unix_io_manager, &ref) == 0);
	CU_ASSERT(!(fs->flags & EXT2_FLAG_SUPER_ONLY));
	CU_ASSERT_EQUAL(fs->desc_blocks, ref->desc_blocks);
	CU_ASSERT(memcmp(fs->group_desc, ref->group_desc,
			 (size_t)ref->desc_blocks * BS) == 0);
	ext2fs_close_free(&ref);
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_open(void)
{
	check_open("-O ^has_journal");
}

static void test_open_meta_bg(void)
{
	check_open("-O ^has_journal,^resize_inode,meta_bg");
}

/* group 40's descriptor changed (block 1 of the descriptors), block 2
 * garbled on the disk: the flush writes block 1 and the superblock,
 * leaves block 2; with touched[70], block 2 is written all the same */
static void check_flush(int touch)
{
	char path[64], junk[BS], buf[BS], want[BS];
	ext2_filsys fs = make_fs(path, sizeof(path), "-O ^has_journal", 1);
	uint8_t touched[128] = { 0 };
	uint32_t *sums;

	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_FATAL(fs->desc_blocks == 4);
	CU_ASSERT_FATAL(e2fc_gdt_sums(fs, &sums, NULL) == 0 && sums);
	ext2fs_bg_free_inodes_count_set(fs, 40, 3);
	ext2fs_group_desc_csum_set(fs, 40);
	fs->super->s_free_inodes_count = 1234;
	ext2fs_mark_super_dirty(fs);
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	memset(junk, 0xa5, sizeof(junk));
	CU_ASSERT_FATAL(raw(path, DESC0 + 2, junk, 1) == 0);
	touched[70] = touch;
	CU_ASSERT_FATAL(e2fc_gdt_flush(fs, sums, touched) == 0);
	CU_ASSERT(!(fs->flags & EXT2_FLAG_DIRTY));
	memcpy(want, (char *)fs->group_desc + 2 * BS, BS);
	CU_ASSERT(raw(path, DESC0 + 1, buf, 0) == 0 &&
		  !memcmp(buf, (char *)fs->group_desc + BS, BS));
	CU_ASSERT(raw(path, DESC0 + 2, buf, 0) == 0 &&
		  !memcmp(buf, touch ? want : junk, BS));
	CU_ASSERT(raw(path, 1, buf, 0) == 0 &&
		  e2fc_get_le32((uint8_t *)buf + 16) == 1234);
	ext2fs_free_mem(&sums);
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_flush_changed(void)
{
	check_flush(0);
}

static void test_flush_touched(void)
{
	check_flush(1);
}

/* the same change to groups 40 and 48 (the same place in two quarters of
 * descriptor block 1): the two do not cancel out, the block is written */
static void test_flush_twin_changes(void)
{
	char path[64], junk[BS], buf[BS];
	ext2_filsys fs = make_fs(path, sizeof(path), "-O ^has_journal", 1);
	uint32_t *sums;

	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_FATAL(EXT2_DESC_PER_BLOCK(fs->super) == 32);
	CU_ASSERT_FATAL(ext2fs_bg_free_inodes_count(fs, 40) ==
			ext2fs_bg_free_inodes_count(fs, 48));
	CU_ASSERT_FATAL(e2fc_gdt_sums(fs, &sums, NULL) == 0 && sums);
	ext2fs_bg_free_inodes_count_set(fs, 40, 3);
	ext2fs_bg_free_inodes_count_set(fs, 48, 3);
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	memset(junk, 0xa5, sizeof(junk));
	CU_ASSERT_FATAL(raw(path, DESC0 + 1, junk, 1) == 0);
	CU_ASSERT_FATAL(e2fc_gdt_flush(fs, sums, NULL) == 0);
	CU_ASSERT(raw(path, DESC0 + 1, buf, 0) == 0 &&
		  !memcmp(buf, (char *)fs->group_desc + BS, BS));
	ext2fs_free_mem(&sums);
	ext2fs_free(fs);
	unlink(path);
}

/* e2fc_gd_meta_run, e2fc_gdt_sums's flags and e2fc_gd_free_totals read
 * what libext2fs's accessors read, high halves included (64bit), and
 * without them */
static void check_decode(const char *opts, int big)
{
	char path[64];
	ext2_filsys fs = make_fs(path, sizeof(path), opts, 0);
	uint64_t fb = 0, fi = 0, tb, ti;
	blk64_t run[3][16];
	uint32_t *sums = NULL;
	uint8_t flags[256];
	dgrp_t g;
	int bad = 0, k;

	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_FATAL(fs->group_desc_count >= 16 &&
			fs->group_desc_count <= sizeof(flags));
	if (big) {	/* values only the high halves can hold */
		ext2fs_block_bitmap_loc_set(fs, 7, 0x123400000005ULL);
		ext2fs_inode_bitmap_loc_set(fs, 8, 0x200000006ULL);
		ext2fs_inode_table_loc_set(fs, 9, 0x300000007ULL);
		ext2fs_bg_free_blocks_count_set(fs, 10, 0x12345);
		ext2fs_bg_free_inodes_count_set(fs, 11, 0x23456);
	}
	ext2fs_bg_flags_set(fs, 12, EXT2_BG_BLOCK_UNINIT);
	for (k = 0; k < 3; k++)		/* one run of the first 16 */
		e2fc_gd_meta_run(fs, 0, 16, k, run[k]);
	CU_ASSERT_FATAL(e2fc_gdt_sums(fs, &sums, flags) == 0);
	for (g = 0; g < fs->group_desc_count; g++) {
		blk64_t loc[3];

		for (k = 0; k < 3; k++)
			e2fc_gd_meta_run(fs, g, 1, k, &loc[k]);
		bad += loc[0] != ext2fs_block_bitmap_loc(fs, g);
		bad += loc[1] != ext2fs_inode_bitmap_loc(fs, g);
		bad += loc[2] != ext2fs_inode_table_loc(fs, g);
		for (k = 0; g < 16 && k < 3; k++)
			bad += run[k][g] != loc[k];
		bad += flags[g] != (uint8_t)ext2fs_bg_flags(fs, g);
		fb += ext2fs_bg_free_blocks_count(fs, g);
		fi += ext2fs_bg_free_inodes_count(fs, g);
	}
	CU_ASSERT_EQUAL(bad, 0);
	e2fc_gd_free_totals(fs, &tb, &ti);
	CU_ASSERT_EQUAL(tb, fb);
	CU_ASSERT_EQUAL(ti, fi);
	if (big)
		CU_ASSERT(fb > 0x12345);
	ext2fs_free_mem(&sums);
	ext2fs_free(fs);
	unlink(path);
}

static void test_decode_64bit(void)
{
	check_decode("-O ^has_journal,extent,64bit", 1);
}

static void test_decode_32(void)
{
	check_decode("-O ^has_journal,^64bit", 0);
}

/*
 * A log that wrote descriptor block 1: adopt reads it again, not block 2,
 * and says whether a location moved: with counts changed only (same) it
 * did not; with block 1 garbled it did.
 */
static void check_adopt(int same)
{
	char path[64], new1[BS], junk2[BS];
	ext2_filsys fs = make_fs(path, sizeof(path), "-O ^has_journal", 0);
	ext2_filsys nfs = NULL;
	struct e2fc_log_trans tr = { .complete = 1, .ndata = 1 };
	struct e2fc_log_block lb = { .target = DESC0 + 1, .csum_ok = 1 };
	struct e2fc_log log = { .ntrans = 1, .trans = &tr, .nblocks = 1,
				.blocks = &lb };
	char old2[BS];
	size_t size;
	void *desc;
	int moved = -1;

	CU_ASSERT_FATAL(fs != NULL);
	size = (size_t)fs->desc_blocks * BS;
	memcpy(old2, (char *)fs->group_desc + 2 * BS, BS);
	if (same) {	/* group 33's free counts, checksum */
		memcpy(new1, (char *)fs->group_desc + BS, BS);
		new1[32 + EXT4_GD_FREE_BLOCKS] ^= 3;
		new1[32 + EXT4_GD_FREE_INODES] ^= 5;
		new1[32 + 0x1E] ^= 7;
	} else {
		memset(new1, 0x11, BS);
	}
	memset(junk2, 0x22, BS);
	CU_ASSERT_FATAL(raw(path, DESC0 + 1, new1, 1) == 0);
	CU_ASSERT_FATAL(raw(path, DESC0 + 2, junk2, 1) == 0);
	desc = fs->group_desc;
	fs->group_desc = NULL;
	ext2fs_free(fs);
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_64BITS |
				    EXT2_FLAG_SUPER_ONLY, 0, 0,
				    unix_io_manager, &nfs) == 0);
	CU_ASSERT_FATAL(e2fc_gdt_adopt(nfs, desc, size, &log, &moved) == 0);
	CU_ASSERT(!(nfs->flags & EXT2_FLAG_SUPER_ONLY));
	CU_ASSERT(!memcmp((char *)nfs->group_desc + BS, new1, BS));
	CU_ASSERT(!memcmp((char *)nfs->group_desc + 2 * BS, old2, BS));
	CU_ASSERT_EQUAL(moved, !same);
	ext2fs_free(nfs);
	unlink(path);
}

static void test_adopt(void)
{
	check_adopt(0);
}

static void test_adopt_same(void)
{
	check_adopt(1);
}

/* e2fc_gdt_sums gives every group's flags with the sums, in one pass,
 * also for the groups of the last descriptor block, partly used (118
 * groups, 32 descriptors a block) */
static void test_sum_flags(void)
{
	char path[64];
	ext2_filsys fs = NULL;
	uint8_t flags[160];
	uint32_t *sums = NULL;
	dgrp_t g;

	CU_ASSERT_FATAL(e2fc_test_mkfs("-b 1024 -g 1024 -N 2048 "
				       "-O ^has_journal", 120000, path,
				       sizeof(path)) &&
			!e2fc_fs_open(path, EXT2_FLAG_64BITS, 0, 0,
				      unix_io_manager, &fs));
	CU_ASSERT_FATAL(fs->group_desc_count == 118 &&
			EXT2_DESC_PER_BLOCK(fs->super) == 32);
	for (g = 0; g < fs->group_desc_count; g++)
		ext2fs_bg_flags_set(fs, g, (g * 7 + 3) & 0x7);
	memset(flags, 0xee, sizeof(flags));
	CU_ASSERT_FATAL(e2fc_gdt_sums(fs, &sums, flags) == 0 && sums);
	for (g = 0; g < fs->group_desc_count; g++)
		CU_ASSERT_EQUAL(flags[g], (g * 7 + 3) & 0x7);
	CU_ASSERT_EQUAL(flags[fs->group_desc_count], 0xee);
	ext2fs_free_mem(&sums);
	ext2fs_close_free(&fs);
	unlink(path);
}

static CU_TestInfo tests[] = {
	{ "e2fc_fs_open reads what ext2fs_open reads", test_open },
	{ "e2fc_fs_open reads what ext2fs_open reads, meta_bg",
	  test_open_meta_bg },
	{ "flush writes the changed descriptor block, no other",
	  test_flush_changed },
	{ "flush writes the block of a touched group", test_flush_touched },
	{ "flush: equal changes in two quarters are seen",
	  test_flush_twin_changes },
	{ "sums and every group's flags in one pass", test_sum_flags },
	{ "reopen reads again only the blocks the log wrote", test_adopt },
	{ "reopen: counts rewritten, no location moved", test_adopt_same },
	{ "descriptors decoded in place == accessors, 64bit",
	  test_decode_64bit },
	{ "descriptors decoded in place == accessors, 32-byte",
	  test_decode_32 },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("gdt", tests);
