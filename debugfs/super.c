// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * super.c -- the superblock, group and bitmap requests: stats, testi,
 * testb, ffb, ffi, as debugfs 1.47.0 prints them.
 */
#include <getopt.h>
#include <stdlib.h>
#include <e2p/e2p.h>
#include "debugfs-fc.h"

static void group_flag(dgrp_t g, int mask, const char *str, int *first)
{
	if (!ext2fs_bg_flags_test(cur.fs, g, mask))
		return;
	fputs(*first ? "           [" : ", ", stdout);
	*first = 0;
	fputs(str, stdout);
}

static void group_stats(dgrp_t g, const char *units, int csum)
{
	ext2_filsys fs = cur.fs;
	unsigned fb = ext2fs_bg_free_blocks_count(fs, g);
	unsigned fi = ext2fs_bg_free_inodes_count(fs, g);
	unsigned ud = ext2fs_bg_used_dirs_count(fs, g);
	unsigned un = ext2fs_bg_itable_unused(fs, g);
	int first = 1;

	printf(" Group %2d: block bitmap at %llu, inode bitmap at %llu, "
	       "inode table at %llu\n", g,
	       (unsigned long long)ext2fs_block_bitmap_loc(fs, g),
	       (unsigned long long)ext2fs_inode_bitmap_loc(fs, g),
	       (unsigned long long)ext2fs_inode_table_loc(fs, g));
	printf("           %u free %s%s, %u free %s, %u used %s%s", fb, units,
	       fb != 1 ? "s" : "", fi, fi != 1 ? "inodes" : "inode", ud,
	       ud != 1 ? "directories" : "directory", csum ? ", " : "\n");
	if (csum)
		printf("%u unused %s\n", un, un != 1 ? "inodes" : "inode");
	group_flag(g, EXT2_BG_INODE_UNINIT, "Inode not init", &first);
	group_flag(g, EXT2_BG_BLOCK_UNINIT, "Block not init", &first);
	if (csum) {
		printf("%sChecksum 0x%04x", first ? "           [" : ", ",
		       ext2fs_bg_checksum(fs, g));
		first = 0;
	}
	if (!first)
		fputs("]\n", stdout);
}

void do_show_super_stats(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_filsys fs;
	struct ext2_super_block *sb;
	const char *units = "block";
	int header_only = 0, csum;
	unsigned dirs = 0;
	uint32_t saved;
	dgrp_t g;

	if (dfc_flag_opt(argc, argv, 'h', &header_only))
		goto usage;
	if (optind != argc)
		goto usage;
	if (dfc_check_open(argv[0]))
		return;
	fs = cur.fs;
	sb = fs->super;
	if (ext2fs_has_feature_bigalloc(sb))
		units = "cluster";
	fflush(stdout);
	list_super2(sb, stdout);
	if (ext2fs_has_feature_metadata_csum(sb) &&
	    !ext2fs_superblock_csum_verify(fs, sb)) {
		saved = sb->s_checksum;
		ext2fs_superblock_csum_set(fs, sb);
		printf("Expected Checksum:        0x%08x\n", sb->s_checksum);
		sb->s_checksum = saved;
	}
	for (g = 0; g < fs->group_desc_count; g++)
		dirs += ext2fs_bg_used_dirs_count(fs, g);
	printf("Directories:              %u\n", dirs);
	if (header_only)
		return;
	csum = ext2fs_has_group_desc_csum(fs);
	for (g = 0; g < fs->group_desc_count; g++)
		group_stats(g, units, csum);
	return;
usage:
	com_err(argv[0], 0, "Usage: show_super_stats [-h]");
}

void do_testi(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;

	if (dfc_inode_arg(argc, argv, &ino, DFC_NEED_BITMAPS))
		return;
	if (ext2fs_test_inode_bitmap2(cur.fs->inode_map, ino))
		printf("Inode %u is marked in use\n", ino);
	else
		printf("Inode %u is not in use\n", ino);
}

void do_testb(int argc, char **argv, int sci_idx, void *infop)
{
	blk64_t blk, count = 1;

	if (dfc_block_args(argc, argv, &blk, &count))
		return;
	for (; count > 0; count--, blk++) {
		if (ext2fs_test_block_bitmap2(cur.fs->block_map, blk))
			printf("Block %llu marked in use\n",
			       (unsigned long long)blk);
		else
			printf("Block %llu not in use\n",
			       (unsigned long long)blk);
	}
}

static int parse_long(const char *cmd, const char *what, const char *str,
		      long *val)
{
	char *end;

	*val = strtol(str, &end, 0);
	if (!*end)
		return 0;
	com_err(cmd, 0, "Bad %s - %s", what, str);
	return 1;
}

/*
 * The two optional numbers of find_free_block and find_free_inode, named
 * what[0] and what[1], into val[0] and val[1] (left alone when not
 * given).  "?" asks for the usage: as the only argument (help_first_only)
 * or as the first.  1 when the request is not to run.
 */
static int two_numbers(int argc, char **argv, int help_first_only,
		       const char *usage, const char *const what[2],
		       long *val[2])
{
	int i;

	if (argc > 3 || (argc > 1 && *argv[1] == '?' &&
			 (argc == 2 || !help_first_only))) {
		com_err(argv[0], 0, "Usage: %s", usage);
		return 1;
	}
	if (dfc_check_open(argv[0]))
		return 1;
	for (i = 1; i < argc; i++)
		if (parse_long(argv[0], what[i - 1], argv[i], val[i - 1]))
			return 1;
	return 0;
}

void do_find_free_block(int argc, char **argv, int sci_idx, void *infop)
{
	static const char *const what[2] = { "count", "goal" };
	blk64_t blk, first = 0;
	long count = 1, goal = -1;
	long *val[2] = { &count, &goal };
	errcode_t err;

	if (two_numbers(argc, argv, 1, "find_free_block [count [goal]]",
			what, val))
		return;
	if (argc <= 2)
		goal = cur.fs->super->s_first_data_block;
	printf("Free blocks found: ");
	blk = goal - 1;
	while (count-- > 0) {
		err = ext2fs_new_block2(cur.fs, blk + 1, 0, &blk);
		if (first && first == blk)
			break;
		if (!first)
			first = blk;
		if (err) {
			com_err("ext2fs_new_block", err, 0);
			return;
		}
		printf("%llu ", (unsigned long long)blk);
	}
	printf("\n");
}

void do_find_free_inode(int argc, char **argv, int sci_idx, void *infop)
{
	static const char *const what[2] = { "dir", "mode" };
	long dir = cur.root, mode = 010755;
	long *val[2] = { &dir, &mode };
	ext2_ino_t ino;
	errcode_t err;

	if (two_numbers(argc, argv, 0, "find_free_inode [dir [mode]]",
			what, val))
		return;
	err = ext2fs_new_inode(cur.fs, dir, mode, 0, &ino);
	if (err)
		com_err("ext2fs_new_inode", err, 0);
	else
		printf("Free inode found: %u\n", ino);
}
