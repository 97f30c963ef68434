// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_orphan.c -- the orphan list and the orphan file after the replay
 * (fc_orphan.c), on small file systems made here by mke2fs -d from a
 * tree of three files (a: 6 blocks, b: 6 blocks, c: 1 block) and an
 * empty directory d, then
 * turned by hand into what a power cut leaves: names removed, links,
 * sizes and the s_last_orphan chain or orphan file entries set, and
 * needs_recovery (the journal is empty: no log, no fast commits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "unit.h"

/* mke2fs -d a small tree into a new temporary image; 1 on success */
static int make_image(const char *features, char *path, size_t len)
{
	char cmd[1024], dir[64];
	int ok;

	snprintf(dir, sizeof(dir), "/tmp/e2fc-orph-d.XXXXXX");
	if (!mkdtemp(dir))
		return 0;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir d && yes aaaa | head -c 6000 >a && "
		 "yes bbbb | head -c 6000 >b && echo c >c", dir);
	ok = system(cmd) == 0;
	snprintf(cmd, sizeof(cmd), "-t ext4 -b 1024 -O %s -d %s", features,
		 dir);
	ok = ok && e2fc_test_mkfs(cmd, 4096, path, len);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0 && ok) {
		unlink(path);
		ok = 0;
	}
	return ok;
}

static ext2_ino_t lookup(ext2_filsys fs, const char *name)
{
	ext2_ino_t ino = 0;

	ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, name, &ino);
	return ino;
}

static void get_inode(ext2_filsys fs, ext2_ino_t ino,
		      struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	CU_ASSERT(ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)in,
					 sizeof(*in)) == 0);
}

static void put_inode(ext2_filsys fs, ext2_ino_t ino,
		      struct ext2_inode_large *in)
{
	CU_ASSERT(ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)in,
					  sizeof(*in)) == 0);
}

/* name removed, links 0, next on the list in dtime */
static ext2_ino_t unlink_open(ext2_filsys fs, const char *name,
			      ext2_ino_t next)
{
	struct ext2_inode_large in;
	ext2_ino_t ino = lookup(fs, name);

	CU_ASSERT_FATAL(ino != 0);
	CU_ASSERT(ext2fs_unlink(fs, EXT2_ROOT_INO, name, ino, 0) == 0);
	get_inode(fs, ino, &in);
	in.i_links_count = 0;
	in.i_dtime = next;
	put_inode(fs, ino, &in);
	return ino;
}

static int fsck_clean(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "PATH=$PATH:/sbin:/usr/sbin e2fsck -fn '%s' >/dev/null 2>&1",
		 path);
	return system(cmd) == 0;
}

static errcode_t recover(const char *path, struct e2fc_replay_stats *st)
{
	ext2_filsys fs = NULL;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	errcode_t err;

	err = ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			  unix_io_manager, &fs);
	if (!err)
		err = e2fc_journal_open(fs, NULL, 0, &j);
	if (!err)
		err = e2fc_log_scan(j, &log);
	if (!err)
		err = e2fc_recover(&fs, j, log, NULL, NULL, st);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	if (fs)
		ext2fs_close_free(&fs);
	return err;
}

static ext2_filsys open_rw(const char *path)
{
	ext2_filsys fs = NULL;

	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS,
				    0, 0, unix_io_manager, &fs) == 0);
	CU_ASSERT_FATAL(ext2fs_read_bitmaps(fs) == 0);
	return fs;
}

static void close_crashed(ext2_filsys fs)
{
	ext2fs_set_feature_journal_needs_recovery(fs->super);
	ext2fs_mark_super_dirty(fs);
	CU_ASSERT(ext2fs_close_free(&fs) == 0);
}

/* what e2fc_orphans_count finds on the list and in the orphan file */
static void expect_orphans(ext2_filsys fs, unsigned list, unsigned file)
{
	unsigned nl = ~0U, nf = ~0U;

	CU_ASSERT(e2fc_orphans_count(fs, NULL, NULL, &nl, &nf) == 0);
	CU_ASSERT_EQUAL(nl, list);
	CU_ASSERT_EQUAL(nf, file);
}

/* a new image of the tree with features, open read-write to be broken */
static ext2_filsys crash_start(const char *features, char *path, size_t len)
{
	CU_ASSERT_FATAL(make_image(features, path, len));
	return open_rw(path);
}

/* the broken image marked crashed, recovered (into *st), opened again */
static ext2_filsys crash_recover(ext2_filsys fs, const char *path,
				 struct e2fc_replay_stats *st)
{
	close_crashed(fs);
	CU_ASSERT_EQUAL(recover(path, st), 0);
	return open_rw(path);
}

/* closed, checked clean by e2fsck -fn when fsck is set, removed */
static void crash_done(ext2_filsys fs, const char *path, int fsck)
{
	CU_ASSERT(ext2fs_close_free(&fs) == 0);
	if (fsck)
		CU_ASSERT(fsck_clean(path));
	unlink(path);
}

static blk64_t first_block(ext2_filsys fs, ext2_ino_t ino, blk64_t lblk)
{
	struct ext2_inode_large in;
	blk64_t p = 0;

	get_inode(fs, ino, &in);
	ext2fs_bmap2(fs, ino, (struct ext2_inode *)&in, NULL, 0, lblk, NULL,
		     &p);
	return p;
}

/* one unlinked while open (a), one truncate cut short (b: 6 blocks, size
 * 1000): a freed with its blocks, b cut to one block, list cleared */
static void test_list_free_and_truncate(void)
{
	struct e2fc_replay_stats st;
	struct ext2_inode_large in;
	ext2_filsys fs;
	ext2_ino_t a, b;
	blk64_t ablk, bblk;
	char path[64];

	fs = crash_start("^orphan_file", path, sizeof(path));
	b = lookup(fs, "b");
	get_inode(fs, b, &in);
	ext2fs_inode_size_set(fs, (struct ext2_inode *)&in, 1000);
	in.i_dtime = 0;			/* the last on the list */
	put_inode(fs, b, &in);
	a = unlink_open(fs, "a", b);
	fs->super->s_last_orphan = a;
	ablk = first_block(fs, a, 0);
	bblk = first_block(fs, b, 3);
	expect_orphans(fs, 2, 0);
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_freed, 1);
	CU_ASSERT_EQUAL(st.orphans_truncated, 1);
	CU_ASSERT_EQUAL(st.orphans_bad, 0);
	CU_ASSERT_EQUAL(st.blocks_freed, 11);	/* 6 of a, 5 of b */
	CU_ASSERT_EQUAL(fs->super->s_last_orphan, 0);
	CU_ASSERT(!ext2fs_test_inode_bitmap2(fs->inode_map, a));
	CU_ASSERT(!ext2fs_test_block_bitmap2(fs->block_map, ablk));
	CU_ASSERT(!ext2fs_test_block_bitmap2(fs->block_map, bblk));
	get_inode(fs, a, &in);
	CU_ASSERT(in.i_dtime != 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 0);
	get_inode(fs, b, &in);
	CU_ASSERT_EQUAL(in.i_dtime, 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 1000);
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in),
			2);
	crash_done(fs, path, 1);
}

/* a directory removed while a program had it open: freed, its group's
 * directory count one less */
static void test_list_dir(void)
{
	struct e2fc_replay_stats st;
	struct ext2_inode_large in;
	ext2_filsys fs;
	ext2_ino_t d;
	dgrp_t g;
	unsigned dirs;
	char path[64];

	fs = crash_start("^orphan_file", path, sizeof(path));
	d = unlink_open(fs, "d", 0);
	get_inode(fs, EXT2_ROOT_INO, &in);
	in.i_links_count--;			/* its ".." */
	put_inode(fs, EXT2_ROOT_INO, &in);
	fs->super->s_last_orphan = d;
	g = ext2fs_group_of_ino(fs, d);
	dirs = ext2fs_bg_used_dirs_count(fs, g);
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_freed, 1);
	CU_ASSERT_EQUAL(ext2fs_bg_used_dirs_count(fs, g), dirs - 1);
	CU_ASSERT(!ext2fs_test_inode_bitmap2(fs->inode_map, d));
	crash_done(fs, path, 1);
}

/* a -> b -> a: each taken once, the loop reported, no hang */
static void test_list_loop(void)
{
	struct e2fc_replay_stats st;
	ext2_filsys fs;
	ext2_ino_t a, b;
	unsigned nl, nf;
	char path[64];

	fs = crash_start("^orphan_file", path, sizeof(path));
	a = lookup(fs, "a");
	b = unlink_open(fs, "b", a);
	unlink_open(fs, "a", b);
	fs->super->s_last_orphan = a;
	CU_ASSERT(e2fc_orphans_count(fs, NULL, NULL, &nl, &nf) == 0);
	CU_ASSERT(nl >= 2 && nl <= fs->super->s_inodes_count);
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_freed, 2);
	CU_ASSERT_EQUAL(st.orphans_bad, 1);
	CU_ASSERT_EQUAL(st.orphan_err, E2FC_ERR_ORPHAN_LOOP);
	CU_ASSERT_EQUAL(st.orphan_ino, a);
	CU_ASSERT_EQUAL(fs->super->s_last_orphan, 0);
	CU_ASSERT(!ext2fs_test_inode_bitmap2(fs->inode_map, a));
	CU_ASSERT(!ext2fs_test_inode_bitmap2(fs->inode_map, b));
	crash_done(fs, path, 1);
}

/* a list that starts at a reserved inode, or runs off the end: stops
 * there, nothing of it touched, the list cleared */
static void test_list_bad_inode(void)
{
	struct e2fc_replay_stats st;
	struct ext2_inode_large in;
	ext2_filsys fs;
	ext2_ino_t c;
	char path[64];

	fs = crash_start("^orphan_file", path, sizeof(path));
	fs->super->s_last_orphan = 7;		/* the resize inode */
	close_crashed(fs);
	CU_ASSERT_EQUAL(recover(path, &st), 0);
	CU_ASSERT_EQUAL(st.orphans_bad, 1);
	CU_ASSERT_EQUAL(st.orphan_err, E2FC_ERR_ORPHAN_INODE);
	CU_ASSERT_EQUAL(st.orphan_ino, 7);
	CU_ASSERT_EQUAL(st.orphans_freed + st.orphans_truncated, 0);
	CU_ASSERT(fsck_clean(path));

	/* c names an inode past the last one as its next */
	fs = open_rw(path);
	c = lookup(fs, "c");
	get_inode(fs, c, &in);
	in.i_dtime = fs->super->s_inodes_count + 5;
	put_inode(fs, c, &in);
	fs->super->s_last_orphan = c;
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_bad, 1);
	CU_ASSERT_EQUAL(st.orphan_ino, c);
	CU_ASSERT_EQUAL(fs->super->s_last_orphan, 0);
	CU_ASSERT(ext2fs_test_inode_bitmap2(fs->inode_map, c));
	crash_done(fs, path, 0);
}

/* the physical block of the orphan file's first block */
static blk64_t orphan_block(ext2_filsys fs)
{
	return first_block(fs, fs->super->s_orphan_file_inum, 0);
}

/* entries of the orphan file: a unlinked (freed), b cut short
 * (truncated), one bad entry; cleared with a good checksum and
 * orphan_present with them */
static void test_orphan_file(void)
{
	struct e2fc_replay_stats st;
	struct ext2_inode_large in;
	ext2_filsys fs;
	ext2_ino_t a, b, fino;
	blk64_t blk;
	char path[64], *buf = NULL;

	fs = crash_start("orphan_file,metadata_csum", path, sizeof(path));
	fino = fs->super->s_orphan_file_inum;
	CU_ASSERT_FATAL(fino != 0);
	b = lookup(fs, "b");
	get_inode(fs, b, &in);
	ext2fs_inode_size_set(fs, (struct ext2_inode *)&in, 2048);
	put_inode(fs, b, &in);
	a = unlink_open(fs, "a", 0);
	blk = orphan_block(fs);
	CU_ASSERT_FATAL(ext2fs_get_mem(fs->blocksize, &buf) == 0);
	CU_ASSERT(io_channel_read_blk64(fs->io, blk, 1, buf) == 0);
	e2fc_put_le32(buf + 4 * 3, a);
	e2fc_put_le32(buf + 4 * 9, b);
	e2fc_put_le32(buf + 4 * 20, 2);		/* the root: bad */
	CU_ASSERT(ext2fs_orphan_file_block_csum_set(fs, fino, blk, buf) == 0);
	CU_ASSERT(io_channel_write_blk64(fs->io, blk, 1, buf) == 0);
	ext2fs_set_feature_orphan_present(fs->super);
	expect_orphans(fs, 0, 3);
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_freed, 1);
	CU_ASSERT_EQUAL(st.orphans_truncated, 1);
	CU_ASSERT_EQUAL(st.orphans_bad, 1);
	CU_ASSERT_EQUAL(st.orphan_ino, 2);
	CU_ASSERT(!ext2fs_has_feature_orphan_present(fs->super));
	CU_ASSERT(!ext2fs_test_inode_bitmap2(fs->inode_map, a));
	get_inode(fs, b, &in);
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in),
			4);
	CU_ASSERT(io_channel_read_blk64(fs->io, blk, 1, buf) == 0);
	CU_ASSERT_EQUAL(e2fc_get_le32(buf + 4 * 3), 0);
	CU_ASSERT_EQUAL(e2fc_get_le32(buf + 4 * 9), 0);
	CU_ASSERT_EQUAL(e2fc_get_le32(buf + 4 * 20), 0);
	CU_ASSERT(ext2fs_orphan_file_block_csum_verify(fs, fino, blk, buf));
	ext2fs_free_mem(&buf);
	crash_done(fs, path, 1);
}

/* a damaged orphan file block: left as it is (and orphan_present), the
 * list still processed */
static void test_orphan_file_damaged(void)
{
	struct e2fc_replay_stats st;
	ext2_filsys fs;
	ext2_ino_t a, fino;
	blk64_t blk;
	char path[64], *buf = NULL, *after = NULL;

	fs = crash_start("orphan_file,metadata_csum", path, sizeof(path));
	fino = fs->super->s_orphan_file_inum;
	a = unlink_open(fs, "a", 0);
	fs->super->s_last_orphan = a;
	blk = orphan_block(fs);
	CU_ASSERT_FATAL(ext2fs_get_mem(fs->blocksize, &buf) == 0);
	CU_ASSERT_FATAL(ext2fs_get_mem(fs->blocksize, &after) == 0);
	CU_ASSERT(io_channel_read_blk64(fs->io, blk, 1, buf) == 0);
	e2fc_put_le32(buf + 4 * 5, lookup(fs, "c"));
	/* not resealed: the checksum no longer matches */
	CU_ASSERT(io_channel_write_blk64(fs->io, blk, 1, buf) == 0);
	ext2fs_set_feature_orphan_present(fs->super);
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_freed, 1);
	CU_ASSERT_EQUAL(st.orphans_bad, 1);
	CU_ASSERT_EQUAL(st.orphan_err, E2FC_ERR_ORPHAN_BLOCK);
	CU_ASSERT_EQUAL(st.orphan_ino, fino);
	CU_ASSERT(ext2fs_has_feature_orphan_present(fs->super));
	CU_ASSERT_EQUAL(fs->super->s_last_orphan, 0);
	CU_ASSERT(io_channel_read_blk64(fs->io, blk, 1, after) == 0);
	CU_ASSERT(memcmp(buf, after, fs->blocksize) == 0);
	CU_ASSERT_EQUAL(e2fc_get_le32(after + fs->blocksize - 8),
			E2FC_ORPHAN_BLOCK_MAGIC);
	ext2fs_free_mem(&buf);
	ext2fs_free_mem(&after);
	crash_done(fs, path, 0);
}

/* orphan_present over an empty orphan file and no log: cleared, so that
 * e2fsck finds nothing ("orphan_present is set but orphan file is
 * clean") */
static void test_orphan_present_only(void)
{
	struct e2fc_replay_stats st;
	ext2_filsys fs;
	char path[64];

	fs = crash_start("orphan_file,metadata_csum", path, sizeof(path));
	ext2fs_set_feature_orphan_present(fs->super);
	fs = crash_recover(fs, path, &st);
	CU_ASSERT_EQUAL(st.orphans_freed + st.orphans_truncated +
			st.orphans_bad, 0);
	CU_ASSERT(!ext2fs_has_feature_orphan_present(fs->super));
	crash_done(fs, path, 1);
}

/* a truncate of an inline data file cut short (c: 100 bytes, 60 in
 * i_block and 40 in system.data, size 30): the bytes past 30 go, in
 * i_block and in the attribute, as the kernel's truncate does */
static void test_list_inline_truncate(void)
{
	struct e2fc_replay_stats st;
	struct ext2_inode_large in;
	char data[100], got[100];
	ext2_filsys fs;
	ext2_ino_t c;
	size_t size = 0;
	unsigned i, tail = 0;
	char path[64];

	CU_ASSERT_FATAL(make_image("^orphan_file,inline_data -I 256", path,
				   sizeof(path)));
	fs = open_rw(path);
	c = lookup(fs, "c");
	CU_ASSERT_FATAL(c != 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = 'A' + i % 26;
	CU_ASSERT_FATAL(ext2fs_inline_data_set(fs, c, NULL, data,
					       sizeof(data)) == 0);
	get_inode(fs, c, &in);
	CU_ASSERT_FATAL(in.i_flags & EXT4_INLINE_DATA_FL);
	ext2fs_inode_size_set(fs, (struct ext2_inode *)&in, 30);
	in.i_dtime = 0;
	put_inode(fs, c, &in);
	fs->super->s_last_orphan = c;
	close_crashed(fs);

	CU_ASSERT_EQUAL(recover(path, &st), 0);
	CU_ASSERT_EQUAL(st.orphans_truncated, 1);
	fs = open_rw(path);
	CU_ASSERT_EQUAL(fs->super->s_last_orphan, 0);
	CU_ASSERT(ext2fs_inline_data_size(fs, c, &size) == 0);
	CU_ASSERT_EQUAL(size, EXT4_MIN_INLINE_DATA_SIZE);
	memset(got, 0x55, sizeof(got));
	CU_ASSERT(ext2fs_inline_data_get(fs, c, NULL, got, NULL) == 0);
	CU_ASSERT(memcmp(got, data, 30) == 0);
	for (i = 30; i < EXT4_MIN_INLINE_DATA_SIZE; i++)
		tail += got[i] != 0;
	CU_ASSERT_EQUAL(tail, 0);
	get_inode(fs, c, &in);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 30);
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
	unlink(path);
}

/* no orphan and no fast commit, only needs_recovery (a replay of the log
 * alone): the superblock's free counts, stale in a crash copy, are set
 * from the group descriptors as the kernel's mount does */
static void test_log_only_counts(void)
{
	struct e2fc_replay_stats st;
	ext2_filsys fs;
	blk64_t blocks;
	uint32_t inodes;
	char path[64];

	CU_ASSERT_FATAL(make_image("^orphan_file", path, sizeof(path)));
	fs = open_rw(path);
	blocks = ext2fs_free_blocks_count(fs->super);
	inodes = fs->super->s_free_inodes_count;
	ext2fs_free_blocks_count_set(fs->super, blocks + 77);
	fs->super->s_free_inodes_count = inodes + 5;
	close_crashed(fs);

	CU_ASSERT_EQUAL(recover(path, &st), 0);
	fs = open_rw(path);
	CU_ASSERT_EQUAL(ext2fs_free_blocks_count(fs->super), blocks);
	CU_ASSERT_EQUAL(fs->super->s_free_inodes_count, inodes);
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
	unlink(path);
}

static CU_TestInfo tests[] = {
	{ "list: unlinked freed, truncate cut", test_list_free_and_truncate },
	{ "list: directory", test_list_dir },
	{ "list: inline data truncate", test_list_inline_truncate },
	{ "list: loop", test_list_loop },
	{ "list: bad inode numbers", test_list_bad_inode },
	{ "orphan file: entries", test_orphan_file },
	{ "orphan file: damaged block", test_orphan_file_damaged },
	{ "orphan file: orphan_present only", test_orphan_present_only },
	{ "log only: superblock free counts", test_log_only_counts },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("orphan", tests);
