// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_meta.c -- the metadata map (fc_meta.c) against a reference built
 * the plain way: one bit per block for every group's superblock and
 * descriptor copies, bitmaps and inode table.  e2fc_meta_build joins the
 * runs flex_bg lays end to end as it goes; the set of blocks it refuses
 * must stay exactly the reference's, also where a descriptor puts a
 * group's metadata in some other group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fc_meta.h"
#include "unit.h"

#define FS_BLOCKS	32768	/* 1k blocks, 1024 a group: 32 groups */

static ext2_filsys make_fs(char *path, size_t len, const char *opts)
{
	char all[256];
	ext2_filsys fs = NULL;

	snprintf(all, sizeof(all), "-b 1024 -g 1024 -N 512 %s", opts);
	if (!e2fc_test_mkfs(all, FS_BLOCKS, path, len) ||
	    ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs))
		return NULL;
	return fs;
}

static void mark(uint8_t *ref, blk64_t start, blk64_t len)
{
	blk64_t b;

	for (b = start; b < start + len && b < FS_BLOCKS; b++)
		ref[b] = 1;
}

/* every metadata block, one group at a time (the fs has no journal) */
static void reference(ext2_filsys fs, uint8_t *ref)
{
	blk64_t super, old_desc, new_desc;
	dgrp_t g;

	memset(ref, 0, FS_BLOCKS);
	for (g = 0; g < fs->group_desc_count; g++) {
		ext2fs_super_and_bgd_loc2(fs, g, &super, &old_desc, &new_desc,
					  NULL);
		if (super || g == 0)
			mark(ref, super ? super : fs->super->s_first_data_block,
			     1);
		if (old_desc)
			mark(ref, old_desc, fs->desc_blocks +
			     fs->super->s_reserved_gdt_blocks);
		if (new_desc)
			mark(ref, new_desc, 1);
		mark(ref, ext2fs_block_bitmap_loc(fs, g), 1);
		mark(ref, ext2fs_inode_bitmap_loc(fs, g), 1);
		mark(ref, ext2fs_inode_table_loc(fs, g),
		     fs->inode_blocks_per_group);
	}
}

/* the map refuses exactly the reference's blocks; its range count */
static unsigned compare(ext2_filsys fs)
{
	static uint8_t ref[FS_BLOCKS];
	struct meta_map m;
	unsigned bad = 0, n;
	blk64_t b;

	reference(fs, ref);
	CU_ASSERT_FATAL(e2fc_meta_build(fs, &m) == 0);
	for (b = 0; b < FS_BLOCKS; b++)
		if (e2fc_meta_overlaps(&m, b, 1) != ref[b])
			bad++;
	/* a run of 8 blocks overlaps if any of its blocks is metadata */
	for (b = 0; b + 8 <= FS_BLOCKS; b += 8)
		if (e2fc_meta_overlaps(&m, b, 8) !=
		    (memchr(ref + b, 1, 8) != NULL))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	/* its source is fs's geometry, and no longer after a change */
	CU_ASSERT(e2fc_meta_same_source(&m, fs));
	fs->super->s_reserved_gdt_blocks++;
	CU_ASSERT(!e2fc_meta_same_source(&m, fs));
	fs->super->s_reserved_gdt_blocks--;
	n = m.n;
	ext2fs_free_mem(&m.r);
	return n;
}

static void check_layout(const char *opts, int moved)
{
	char path[64];
	ext2_filsys fs = make_fs(path, sizeof(path), opts);
	unsigned n;

	CU_ASSERT_FATAL(fs != NULL);
	n = compare(fs);
	/* one range per flex group and kind, not one per group */
	if (strstr(opts, "-G 16"))
		CU_ASSERT(n < fs->group_desc_count);
	if (moved) {
		/* hostile descriptors: group 5's bitmaps in the middle of
		 * group 20, group 3's inode table in group 30, out of every
		 * run: the map must follow them */
		ext2fs_block_bitmap_loc_set(fs, 5, 20 * 1024 + 500);
		ext2fs_inode_bitmap_loc_set(fs, 5, 20 * 1024 + 600);
		ext2fs_inode_table_loc_set(fs, 3, 30 * 1024 + 100);
		compare(fs);
	}
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_flex(void)
{
	check_layout("-O ^has_journal,flex_bg -G 16", 1);
}

static void test_no_flex(void)
{
	check_layout("-O ^has_journal,^flex_bg,^resize_inode", 1);
}

static void test_meta_bg(void)
{
	check_layout("-O ^has_journal,^resize_inode,meta_bg,flex_bg -G 16", 1);
}

static void test_sparse2(void)
{
	check_layout("-O ^has_journal,sparse_super2,flex_bg -G 4 "
		     "-E num_backup_sb=2", 0);
}

static void test_no_sparse(void)
{
	check_layout("-O ^has_journal,^sparse_super,^resize_inode", 1);
}

static void test_64bit(void)
{
	check_layout("-O ^has_journal,extent,64bit,flex_bg -G 8", 1);
}

static CU_TestInfo tests[] = {
	{ "meta map == reference, flex_bg 16, moved tables", test_flex },
	{ "meta map == reference, no flex_bg", test_no_flex },
	{ "meta map == reference, meta_bg", test_meta_bg },
	{ "meta map == reference, sparse_super2", test_sparse2 },
	{ "meta map == reference, no sparse_super (copies everywhere)",
	  test_no_sparse },
	{ "meta map == reference, 64bit, flex_bg 8", test_64bit },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("meta", tests);
