// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_dxsplit.c -- a name the replay adds to a full leaf of an htree
 * directory (e2fc_names_link -> ext2fs_link, which splits the leaf
 * through a buffer it does not clear) leaves no heap bytes on the disk:
 * with the heap filled with a pattern (mallopt M_PERTURB), the slack
 * after the last entry of every leaf must still be zero
 * (fc_dxsplit.c), and e2fsck -fn clean.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "fc_names.h"
#include "unit.h"

/* a 1k-block file system with directory d of 120 long names (one
 * inode, many links), indexed by e2fsck -D, leaves packed full */
static int make_image(const char *features, char *path, size_t len)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "-t ext4 -b 1024 -O %s", features);
	return e2fc_test_mkfs_tree("mkdir d && echo f >d/f && for i in "
		"$(seq 120); do ln d/f d/name-of-some-length-$i; done",
		opts, path, len);
}

/* bytes after the last entry of the leaf at lblk that are not zero */
static unsigned slack_bytes(ext2_filsys fs, ext2_ino_t dir, blk64_t lblk,
			    char *buf)
{
	unsigned end = fs->blocksize, off = 0, rec = 0, last = 0, n = 0, i;
	struct ext2_dir_entry *de;
	blk64_t pblk = 0;

	if (ext2fs_has_feature_metadata_csum(fs->super))
		end -= sizeof(struct ext2_dir_entry_tail);
	CU_ASSERT_FATAL(ext2fs_bmap2(fs, dir, NULL, NULL, 0, lblk, NULL,
				     &pblk) == 0 && pblk);
	CU_ASSERT_FATAL(ext2fs_read_dir_block4(fs, pblk, buf, 0, dir) == 0);
	if (!((struct ext2_dir_entry *)buf)->inode)
		return 0;		/* an index node */
	for (; off < end; off += rec) {
		CU_ASSERT_FATAL(ext2fs_get_rec_len(fs,
			(struct ext2_dir_entry *)(buf + off), &rec) == 0 &&
			rec >= 8);
		last = off;
	}
	de = (struct ext2_dir_entry *)(buf + last);
	for (i = last + EXT2_DIR_REC_LEN(ext2fs_dirent_name_len(de));
	     i < end; i++)
		n += buf[i] != 0;
	return n;
}

static void split_leaves(const char *features)
{
	struct e2fc_names *names = NULL;
	struct ext2_inode in;
	ext2_filsys fs = NULL;
	ext2_ino_t d = 0, f = 0;
	__u64 size0, nblk;
	char path[64], name[64], cmd[256], *buf = NULL;
	unsigned i, dirty = 0;
	blk64_t lblk;

	CU_ASSERT_FATAL(make_image(features, path, sizeof(path)));
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0,
				    0, unix_io_manager, &fs) == 0);
	CU_ASSERT_FATAL(ext2fs_read_bitmaps(fs) == 0);
	CU_ASSERT_FATAL(ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, "d",
				     &d) == 0);
	CU_ASSERT_FATAL(ext2fs_namei(fs, EXT2_ROOT_INO, d, "f", &f) == 0);
	CU_ASSERT_FATAL(ext2fs_read_inode(fs, d, &in) == 0);
	CU_ASSERT_FATAL(in.i_flags & EXT2_INDEX_FL);
	size0 = EXT2_I_SIZE(&in);
	CU_ASSERT_FATAL(e2fc_names_init(&names) == 0);
	mallopt(M_PERTURB, 0x5a);	/* heap bytes are never zero */
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "added-by-the-replay-%u", i);
		CU_ASSERT_FATAL(e2fc_names_link(fs, names, d, name, f,
						EXT2_FT_REG_FILE) == 0);
	}
	mallopt(M_PERTURB, 0);
	CU_ASSERT_FATAL(ext2fs_read_inode(fs, d, &in) == 0);
	CU_ASSERT(EXT2_I_SIZE(&in) > size0);	/* leaves were split */
	CU_ASSERT_FATAL(ext2fs_get_mem(fs->blocksize, &buf) == 0);
	nblk = EXT2_I_SIZE(&in) / fs->blocksize;
	for (lblk = 1; lblk < nblk; lblk++)
		dirty += slack_bytes(fs, d, lblk, buf);
	CU_ASSERT_EQUAL(dirty, 0);
	ext2fs_free_mem(&buf);
	e2fc_names_free(names);
	CU_ASSERT_FATAL(ext2fs_read_inode(fs, f, &in) == 0);
	in.i_links_count += 60;
	CU_ASSERT(ext2fs_write_inode(fs, f, &in) == 0);
	CU_ASSERT(ext2fs_close_free(&fs) == 0);
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin "
		 "e2fsck -fn %s >/dev/null 2>&1", path);
	CU_ASSERT(system(cmd) == 0);
	unlink(path);
}

static void test_split_csum(void)
{
	split_leaves("metadata_csum");
}

static void test_split_nocsum(void)
{
	split_leaves("^metadata_csum");
}

static CU_TestInfo tests[] = {
	{ "htree leaf split: slack zeroed (csum)", test_split_csum },
	{ "htree leaf split: slack zeroed (no csum)", test_split_nocsum },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("dxsplit", tests);
