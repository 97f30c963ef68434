// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_journal.c -- e2fc_journal_open / read / write / reset and the log
 * scan on real images made by Linux 6.18 (tests/unit/data):
 *
 *   fc1k.img.gz           16 MiB ext4, 1k blocks, fast_commit, metadata_csum,
 *                         internal journal (1040 blocks, 16 FC blocks);
 *                         copied while mounted after a sync (transaction 2,
 *                         log blocks 1..12) and three file fsyncs (fast
 *                         commits of tid 3)
 *   ext1k.img.gz          8 MiB ext4, 1k blocks, fast_commit, journal on
 *   ext1k-journal.img.gz  a 2 MiB journal_dev (jsb at device block 2,
 *                         s_first 3, transaction 2 at 3..13)
 *   wrap1k.img.gz         16 MiB ext4, 1k blocks, 1040-block journal with
 *                         16 FC blocks, after 80 syncs: the log starts at
 *                         696 (tid 57) and wraps from block 1023 (tid 82)
 *                         to block 1 (tids 83, 84); a fast commit of tid
 *                         85 follows.  Mounting a copy replays that fast
 *                         commit (its file exists), so the expected tid
 *                         is 85; debugfs 1.47.0 logdump stops at 1024.
 *   v1async1k.img.gz      8 MiB ext4, 1k blocks, no metadata_csum, mounted
 *                         with journal_async_commit,data=writeback: jbd2
 *                         COMPAT_CHECKSUM (v1 crc32 commit checksums) and
 *                         ASYNC_COMMIT; tids 2-4, tid 4 revokes 9 blocks
 *                         logged by tids 2 and 3 (rm -rf); a fast commit
 *                         of tid 5 that a kernel mount replays.
 *   ext4k.img.gz,         the same with 4k blocks: an 8 MiB journal_dev
 *   ext4k-journal.img.gz  (jsb at device block 1, s_first 2, 2048 blocks;
 *                         transaction 2 at 2..10).  A 4 MiB one is
 *                         refused by the kernel: "Journal too short".
 *   ext3-1k.img.gz        4 MiB ext3 by mke2fs 1.47.0, 1k blocks, journal
 *                         inode mapped by indirect blocks: 0-11 at 290-301,
 *                         12-267 at 303-558, ... 780-1023 at 1075-1318
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "unit.h"

static ext2_filsys open_fs(const char *path, int rw)
{
	ext2_filsys fs = NULL;
	int flags = EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0);

	if (ext2fs_open(path, flags, 0, 0, unix_io_manager, &fs))
		return NULL;
	return fs;
}

static void test_internal_kernel_image(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_jsb *sb;
	uint8_t *buf, *one;
	unsigned i;

	CU_ASSERT_FATAL(e2fc_test_unpack("fc1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 0);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	sb = &j->sb;
	CU_ASSERT_EQUAL(j->external, 0);
	CU_ASSERT_EQUAL(sb->blocktype, JBD2_BT_SB_V2);
	CU_ASSERT_EQUAL(sb->blocksize, 1024);
	CU_ASSERT_EQUAL(sb->maxlen, 1040);
	CU_ASSERT_EQUAL(sb->first, 1);
	CU_ASSERT_EQUAL(sb->sequence, 2);
	CU_ASSERT_EQUAL(sb->start, 1);
	CU_ASSERT_EQUAL(sb->num_fc_blks, 16);
	CU_ASSERT_EQUAL(sb->log_end, 1024);
	CU_ASSERT_EQUAL(sb->fc_first, 1025);
	CU_ASSERT_EQUAL(sb->fc_blocks, 15);
	CU_ASSERT(e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V3));
	CU_ASSERT(e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_64BIT));
	CU_ASSERT(e2fc_jsb_has_incompat(sb,
					JBD2_FEATURE_INCOMPAT_FAST_COMMIT));
	CU_ASSERT(sb->csum_present && sb->csum_ok);
	CU_ASSERT_EQUAL(sb->checksum, 0x7989d23a);

	/* a whole-journal read equals block-by-block reads */
	buf = malloc((size_t)sb->maxlen * 1024);
	one = malloc(1024);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, 0, sb->maxlen, buf), 0);
	for (i = 0; i < sb->maxlen; i += 37) {
		CU_ASSERT_EQUAL(e2fc_journal_read(j, i, 1, one), 0);
		CU_ASSERT(memcmp(one, buf + (size_t)i * 1024, 1024) == 0);
	}
	CU_ASSERT_EQUAL(e2fc_get_be32(buf), JBD2_MAGIC);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, sb->maxlen - 1, 2, one),
			E2FC_ERR_JOURNAL_SHORT);
	free(one);
	free(buf);

	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log), 0);
	CU_ASSERT_EQUAL(log->start_tid, 2);
	CU_ASSERT_EQUAL(log->start_block, 1);
	CU_ASSERT_EQUAL(log->ntrans, 1);
	CU_ASSERT_EQUAL(log->trans[0].tid, 2);
	CU_ASSERT_EQUAL(log->trans[0].first_block, 1);
	CU_ASSERT_EQUAL(log->trans[0].commit_block, 12);
	CU_ASSERT(log->trans[0].complete);
	CU_ASSERT(log->trans[0].commit_csum_present);
	CU_ASSERT(log->trans[0].commit_csum_ok);
	CU_ASSERT_EQUAL(log->trans[0].ndesc, 1);
	CU_ASSERT_EQUAL(log->trans[0].ndata, 10);
	CU_ASSERT_EQUAL(log->nblocks, 10);
	for (i = 0; i < log->nblocks; i++) {
		CU_ASSERT(log->blocks[i].csum_ok);
		CU_ASSERT_EQUAL(log->blocks[i].tid, 2);
		CU_ASSERT_EQUAL(log->blocks[i].log_block, 2 + i);
		CU_ASSERT(log->blocks[i].target < ext2fs_blocks_count(fs->super));
	}
	CU_ASSERT_EQUAL(log->bad_csums, 0);
	CU_ASSERT_EQUAL(log->stop, E2FC_LOG_NO_MAGIC);
	CU_ASSERT_EQUAL(log->end_block, 13);
	CU_ASSERT_EQUAL(log->expected_tid, 3);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_reset(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;

	CU_ASSERT_FATAL(e2fc_test_unpack("fc1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 1);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT_EQUAL(e2fc_journal_reset(j, 4), 0);
	CU_ASSERT_EQUAL(j->sb.start, 0);
	CU_ASSERT_EQUAL(j->sb.sequence, 4);
	CU_ASSERT(j->sb.csum_ok);
	e2fc_journal_close(j);
	ext2fs_close_free(&fs);

	/* read it back from the disk */
	fs = open_fs(path, 0);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT_EQUAL(j->sb.start, 0);
	CU_ASSERT_EQUAL(j->sb.sequence, 4);
	CU_ASSERT(j->sb.csum_present && j->sb.csum_ok);
	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log), 0);
	CU_ASSERT_EQUAL(log->stop, E2FC_LOG_CLEAN);
	CU_ASSERT_EQUAL(log->ntrans, 0);
	CU_ASSERT_EQUAL(log->expected_tid, 4);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	ext2fs_close_free(&fs);
	unlink(path);
}

/* corrupt the journal inode: a hole, then a block outside the fs */
static void test_internal_errors(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct ext2_inode inode;

	CU_ASSERT_FATAL(e2fc_test_unpack("fc1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 1);
	CU_ASSERT_FATAL(fs != NULL);
	/* the journal inode too small for s_maxlen */
	CU_ASSERT_EQUAL_FATAL(ext2fs_read_inode(fs, 8, &inode), 0);
	inode.i_size = 1024 * 100;
	CU_ASSERT_EQUAL(ext2fs_write_inode(fs, 8, &inode), 0);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_JOURNAL_SHORT);
	CU_ASSERT_PTR_NULL(j);
	/* an external journal required but not given */
	fs->super->s_journal_inum = 0;
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_EXT_JOURNAL_NEEDED);
	/* no journal at all */
	ext2fs_clear_feature_journal(fs->super);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_NO_JOURNAL);
	CU_ASSERT_PTR_NULL(j);
	/* nothing flushed: close without writing */
	fs->flags &= ~(EXT2_FLAG_DIRTY | EXT2_FLAG_RW);
	ext2fs_close_free(&fs);
	unlink(path);
}

struct ext_case {
	const char	*fs, *jnl;
	unsigned	bs, jsb_blk, maxlen, first, commit, end;
};

static void external_image(const struct ext_case *c)
{
	char fpath[64], jpath[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_jsb *sb;
	uint8_t *buf;

	CU_ASSERT_FATAL(e2fc_test_unpack(c->fs, fpath, sizeof(fpath)));
	CU_ASSERT_FATAL(e2fc_test_unpack(c->jnl, jpath, sizeof(jpath)));
	fs = open_fs(fpath, 0);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL(fs->blocksize, c->bs);
	CU_ASSERT_EQUAL(fs->super->s_journal_inum, 0);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_EXT_JOURNAL_NEEDED);
	/* the fs image is no journal device */
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, fpath, 0, &j),
			E2FC_ERR_EXT_JOURNAL_BAD);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, jpath, 0, &j), 0);
	sb = &j->sb;
	CU_ASSERT(j->external);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 0), c->jsb_blk);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, c->first), c->first);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, c->maxlen - 1), c->maxlen - 1);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, c->maxlen), 0);
	CU_ASSERT_EQUAL(j->nruns, 2);
	CU_ASSERT_EQUAL(sb->blocksize, c->bs);
	CU_ASSERT_EQUAL(sb->maxlen, c->maxlen);
	CU_ASSERT_EQUAL(sb->first, c->first);
	CU_ASSERT_EQUAL(sb->first, c->jsb_blk + 1);
	CU_ASSERT_EQUAL(sb->sequence, 2);
	CU_ASSERT_EQUAL(sb->start, c->first);
	CU_ASSERT_EQUAL(sb->num_fc_blks_raw, 0);
	CU_ASSERT_EQUAL(sb->num_fc_blks, 256);
	CU_ASSERT_EQUAL(sb->log_end, c->maxlen - 256);
	CU_ASSERT_EQUAL(sb->fc_first, c->maxlen - 255);
	CU_ASSERT_EQUAL(sb->fc_blocks, 255);
	CU_ASSERT(sb->csum_present && sb->csum_ok);

	buf = malloc(c->bs);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, 0, 1, buf), 0);
	CU_ASSERT_EQUAL(e2fc_get_be32(buf), JBD2_MAGIC);
	free(buf);

	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log), 0);
	CU_ASSERT_EQUAL(log->ntrans, 1);
	CU_ASSERT_EQUAL(log->trans[0].first_block, c->first);
	CU_ASSERT_EQUAL(log->trans[0].commit_block, c->commit);
	CU_ASSERT(log->trans[0].commit_csum_ok);
	CU_ASSERT_EQUAL(log->bad_csums, 0);
	CU_ASSERT_EQUAL(log->stop, E2FC_LOG_NO_MAGIC);
	CU_ASSERT_EQUAL(log->end_block, c->end);
	CU_ASSERT_EQUAL(log->expected_tid, 3);
	e2fc_log_free(log);
	e2fc_journal_close(j);

	/* a different journal UUID */
	fs->super->s_journal_uuid[0] ^= 1;
	j = NULL;
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, jpath, 0, &j),
			E2FC_ERR_EXT_JOURNAL_UUID);
	CU_ASSERT_PTR_NULL(j);
	fs->super->s_journal_uuid[0] ^= 1;
	ext2fs_close_free(&fs);
	unlink(fpath);
	unlink(jpath);
}

static void test_external_kernel_image(void)
{
	static const struct ext_case c1k = {
		"ext1k.img.gz", "ext1k-journal.img.gz", 1024, 2, 2048, 3, 13, 14
	}, c4k = {
		"ext4k.img.gz", "ext4k-journal.img.gz", 4096, 1, 2048, 2, 10, 11
	};

	external_image(&c1k);
	external_image(&c4k);
}

static void test_indirect_journal(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct ext2_inode inode;
	uint8_t *buf;

	CU_ASSERT_FATAL(e2fc_test_unpack("ext3-1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 1);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT_EQUAL(j->sb.maxlen, 1024);
	CU_ASSERT_EQUAL(j->sb.start, 0);
	CU_ASSERT_EQUAL(j->sb.num_fc_blks, 0);
	CU_ASSERT_EQUAL(j->sb.log_end, 1024);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 0), 290);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 11), 301);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 12), 303);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 267), 558);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 268), 561);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, 1023), 1318);
	/* a read across indirect blocks is split into runs, not garbled */
	buf = malloc(1024 * 20);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, 0, 20, buf), 0);
	CU_ASSERT_EQUAL(e2fc_get_be32(buf), JBD2_MAGIC);
	free(buf);
	e2fc_journal_close(j);
	j = NULL;

	/* a hole in the journal inode */
	CU_ASSERT_EQUAL_FATAL(ext2fs_read_inode(fs, 8, &inode), 0);
	inode.i_block[5] = 0;
	CU_ASSERT_EQUAL(ext2fs_write_inode(fs, 8, &inode), 0);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_JOURNAL_HOLE);
	CU_ASSERT_PTR_NULL(j);
	/* a block outside the file system */
	inode.i_block[5] = 5000000;
	CU_ASSERT_EQUAL(ext2fs_write_inode(fs, 8, &inode), 0);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_JOURNAL_HOLE);
	/* a hole at logical block 0: no superblock */
	inode.i_block[5] = 295;
	inode.i_block[0] = 0;
	CU_ASSERT_EQUAL(ext2fs_write_inode(fs, 8, &inode), 0);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j),
			E2FC_ERR_JOURNAL_HOLE);
	fs->flags &= ~(EXT2_FLAG_DIRTY | EXT2_FLAG_RW);
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_wrap_kernel_image(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	unsigned i;

	CU_ASSERT_FATAL(e2fc_test_unpack("wrap1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 0);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT_EQUAL(j->sb.start, 696);
	CU_ASSERT_EQUAL(j->sb.sequence, 57);
	CU_ASSERT_EQUAL(j->sb.log_end, 1024);
	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log), 0);
	CU_ASSERT_EQUAL_FATAL(log->ntrans, 28);
	for (i = 0; i < log->ntrans; i++) {
		CU_ASSERT_EQUAL(log->trans[i].tid, 57 + i);
		CU_ASSERT(log->trans[i].complete);
		CU_ASSERT(log->trans[i].commit_csum_ok);
	}
	CU_ASSERT_EQUAL(log->trans[25].commit_block, 1023);
	CU_ASSERT_EQUAL(log->trans[26].first_block, 1);
	CU_ASSERT_EQUAL(log->trans[27].commit_block, 26);
	CU_ASSERT_EQUAL(log->nblocks, 298);
	CU_ASSERT_EQUAL(log->bad_csums, 0);
	CU_ASSERT_EQUAL(log->stop, E2FC_LOG_SEQUENCE);
	CU_ASSERT_EQUAL(log->end_block, 27);
	CU_ASSERT_EQUAL(log->expected_tid, 85);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_v1_async_kernel_image(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	unsigned i, revoked = 0;

	CU_ASSERT_FATAL(e2fc_test_unpack("v1async1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 0);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT(j->sb.feature_compat & JBD2_FEATURE_COMPAT_CHECKSUM);
	CU_ASSERT(e2fc_jsb_has_incompat(&j->sb,
					JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT));
	CU_ASSERT(!e2fc_jsb_csum_v23(&j->sb));
	CU_ASSERT(!j->sb.csum_present);
	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log), 0);
	CU_ASSERT_EQUAL_FATAL(log->ntrans, 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(log->trans[i].tid, 2 + i);
		CU_ASSERT(log->trans[i].complete);
		CU_ASSERT(log->trans[i].commit_csum_present);
		CU_ASSERT(log->trans[i].commit_csum_ok);
	}
	CU_ASSERT_EQUAL(log->trans[2].nrevoke_blocks, 1);
	CU_ASSERT_EQUAL(log->trans[2].nrevoked, 9);
	CU_ASSERT_EQUAL(log->nrevokes, 9);
	CU_ASSERT_EQUAL(log->nblocks, 125);
	for (i = 0; i < log->nblocks; i++)
		revoked += e2fc_log_is_revoked(log, log->blocks[i].target,
					       log->blocks[i].tid);
	CU_ASSERT_EQUAL(revoked, 9);
	CU_ASSERT(e2fc_log_is_revoked(log, 1635, 2));
	CU_ASSERT(e2fc_log_is_revoked(log, 1645, 4));
	CU_ASSERT(!e2fc_log_is_revoked(log, 1645, 5));
	CU_ASSERT(!e2fc_log_is_revoked(log, 1646, 2));
	CU_ASSERT_EQUAL(log->stop, E2FC_LOG_NO_MAGIC);
	CU_ASSERT_EQUAL(log->end_block, 133);
	CU_ASSERT_EQUAL(log->expected_tid, 5);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	ext2fs_close_free(&fs);
	unlink(path);
}

/* the same log with one data byte changed: the v1 commit checksum of
 * tid 3 fails and the valid log ends there */
static void test_v1_bad_kernel_image(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	uint8_t *buf;

	CU_ASSERT_FATAL(e2fc_test_unpack("v1async1k.img.gz", path, sizeof(path)));
	fs = open_fs(path, 1);
	CU_ASSERT_FATAL(fs != NULL);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	buf = malloc(1024);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, 80, 1, buf), 0);
	buf[100] ^= 0x55;
	CU_ASSERT_EQUAL(e2fc_journal_write(j, 80, 1, buf), 0);
	free(buf);
	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log), 0);
	CU_ASSERT_EQUAL(log->stop, E2FC_LOG_CSUM);
	CU_ASSERT_EQUAL(log->end_block, 91);
	CU_ASSERT_EQUAL(log->expected_tid, 3);
	CU_ASSERT(log->trans[0].complete);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	ext2fs_close_free(&fs);
	unlink(path);
}

/* ---- the map of an extent-mapped journal inode (4 KiB blocks) ---- */

#define JM_BLOCKS	8192	/* fs blocks */
#define JM_JBLOCKS	1024	/* journal blocks: -J size=4 */

struct jext {
	uint32_t	lblk, len;
	blk64_t		pblk;
};

/* a 32 MiB ext4 with 4 KiB blocks (s_first_data_block 0); *p0 is where
 * its journal starts */
static ext2_filsys jm_open(char *path, size_t len, blk64_t *p0)
{
	ext2_filsys fs;
	struct ext2_inode inode;

	if (!e2fc_test_mkfs("-t ext4 -b 4096 -J size=4", JM_BLOCKS, path, len))
		return NULL;
	fs = open_fs(path, 1);
	if (!fs)
		return NULL;
	if (ext2fs_read_inode(fs, 8, &inode) ||
	    ext2fs_bmap2(fs, 8, &inode, NULL, 0, 0, NULL, p0) ||
	    fs->super->s_first_data_block != 0) {
		ext2fs_close_free(&fs);
		return NULL;
	}
	return fs;
}

/* give the journal inode the n (<= 4) extents e, in the inode */
static void jm_set(ext2_filsys fs, const struct jext *e, unsigned n)
{
	struct ext2_inode inode;
	uint8_t *b = (uint8_t *)inode.i_block, *x;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(ext2fs_read_inode(fs, 8, &inode), 0);
	CU_ASSERT_FATAL(inode.i_flags & EXT4_EXTENTS_FL);
	memset(inode.i_block, 0, sizeof(inode.i_block));
	e2fc_put_le16(b, EXT4_EXT_MAGIC);
	e2fc_put_le16(b + EXT4_EXT_HDR_ENTRIES, n);
	e2fc_put_le16(b + EXT4_EXT_HDR_MAX, 4);
	for (i = 0; i < n; i++) {
		x = b + EXT4_EXT_HDR_SIZE + i * EXT4_EXT_ENTRY_SIZE;
		e2fc_put_le32(x + EXT4_EXT_LBLK, e[i].lblk);
		e2fc_put_le16(x + EXT4_EXT_LEN, e[i].len);
		e2fc_put_le16(x + EXT4_EXT_START_HI, e[i].pblk >> 32);
		e2fc_put_le32(x + EXT4_EXT_START_LO, (uint32_t)e[i].pblk);
	}
	CU_ASSERT_EQUAL_FATAL(ext2fs_write_inode(fs, 8, &inode), 0);
}

static void jm_close(ext2_filsys fs, const char *path)
{
	fs->flags &= ~(EXT2_FLAG_DIRTY | EXT2_FLAG_RW);
	ext2fs_close_free(&fs);
	unlink(path);
}

/* journal block lblk is physical block pblk, with contig blocks from it */
static void jm_lookup(struct e2fc_journal *j, blk64_t lblk, blk64_t pblk,
		      blk64_t contig)
{
	blk64_t p = 1;

	CU_ASSERT_EQUAL(e2fc_journal_bmap(j, lblk, &p), contig);
	CU_ASSERT_EQUAL(p, pblk);
	CU_ASSERT_EQUAL(e2fc_journal_pblk(j, lblk), pblk);
}

/* four extents, two of them physically contiguous: three runs */
static void test_map_fragmented(void)
{
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct jext e[4] = {
		{ 0, 300, 0 }, { 300, 200, 300 },
		{ 500, 300, 6000 }, { 800, 224, 7000 },
	};
	blk64_t p0;
	uint8_t *got, *want;
	const unsigned bs = 4096;

	fs = jm_open(path, sizeof(path), &p0);
	CU_ASSERT_FATAL(fs != NULL);
	e[0].pblk += p0;	/* the first two where mke2fs put the journal */
	e[1].pblk += p0;
	jm_set(fs, e, 4);
	CU_ASSERT_EQUAL_FATAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT_EQUAL_FATAL(j->nruns, 3);
	CU_ASSERT_EQUAL(j->runs[0].lblk, 0);
	CU_ASSERT_EQUAL(j->runs[0].len, 500);
	CU_ASSERT_EQUAL(j->runs[0].pblk, p0);
	CU_ASSERT_EQUAL(j->runs[1].lblk, 500);
	CU_ASSERT_EQUAL(j->runs[2].lblk, 800);
	CU_ASSERT_EQUAL(j->runs[2].len, 224);
	jm_lookup(j, 0, p0, 500);
	jm_lookup(j, 299, p0 + 299, 201);
	jm_lookup(j, 499, p0 + 499, 1);
	jm_lookup(j, 500, 6000, 300);
	jm_lookup(j, 799, 6299, 1);
	jm_lookup(j, 800, 7000, 224);
	jm_lookup(j, 1023, 7223, 1);
	jm_lookup(j, JM_JBLOCKS, 0, 0);
	jm_lookup(j, 1ULL << 40, 0, 0);
	/* a read across two run edges: 498-499, 500-799, 800-801 */
	got = malloc(304 * bs);
	want = malloc(304 * bs);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, 498, 304, got), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(fs->io, p0 + 498, 2, want), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(fs->io, 6000, 300,
					      want + 2 * bs), 0);
	CU_ASSERT_EQUAL(io_channel_read_blk64(fs->io, 7000, 2,
					      want + 302 * bs), 0);
	CU_ASSERT(memcmp(got, want, 304 * bs) == 0);
	CU_ASSERT_EQUAL(e2fc_journal_read(j, 1023, 2, got),
			E2FC_ERR_JOURNAL_SHORT);
	free(got);
	free(want);
	e2fc_journal_close(j);
	jm_close(fs, path);
}

/* extent lists the kernel's bmap would not give a whole journal for */
static void test_map_refused(void)
{
	static const struct {
		struct jext	e[4];
		unsigned	n;
		errcode_t	err;
	} c[] = {
		/* an interior hole: block 0 (the superblock) on 4k */
		{ { { 0, 300, 0 }, { 301, 723, 301 } }, 2,
		  E2FC_ERR_JOURNAL_HOLE },
		/* the last blocks missing */
		{ { { 0, 1000, 0 } }, 1, E2FC_ERR_JOURNAL_HOLE },
		/* an overlap */
		{ { { 0, 300, 0 }, { 200, 824, 200 } }, 2,
		  E2FC_ERR_JOURNAL_OVERLAP },
		/* out of order: 600 before 300 */
		{ { { 0, 300, 0 }, { 600, 424, 600 }, { 300, 300, 300 } }, 3,
		  E2FC_ERR_JOURNAL_OVERLAP },
		/* the same block twice, past s_maxlen */
		{ { { 0, 1024, 0 }, { 1100, 10, 2000 }, { 1100, 10, 2000 } },
		  3, E2FC_ERR_JOURNAL_OVERLAP },
		/* a block past the end of the fs */
		{ { { 0, 724, 0 }, { 724, 300, JM_BLOCKS - 299 } }, 2,
		  E2FC_ERR_JOURNAL_HOLE },
		/* block 0 mapped explicitly */
		{ { { 0, 724, 0 }, { 724, 300, ~0ULL } }, 2,
		  E2FC_ERR_JOURNAL_HOLE },
	};
	char path[64];
	ext2_filsys fs;
	struct e2fc_journal *j = NULL;
	struct jext e[4];
	blk64_t p0;
	unsigned i, k;

	fs = jm_open(path, sizeof(path), &p0);
	CU_ASSERT_FATAL(fs != NULL);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* pblk is relative to p0; ~0 is block 0 */
		for (k = 0; k < c[i].n; k++) {
			e[k] = c[i].e[k];
			e[k].pblk = e[k].pblk == ~0ULL ? 0 :
				    e[k].pblk < JM_JBLOCKS ? p0 + e[k].pblk :
				    e[k].pblk;
		}
		jm_set(fs, e, c[i].n);
		CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j), c[i].err);
		CU_ASSERT_PTR_NULL(j);
	}
	/* the whole journal again: accepted */
	e[0] = (struct jext){ 0, JM_JBLOCKS, p0 };
	jm_set(fs, e, 1);
	CU_ASSERT_EQUAL(e2fc_journal_open(fs, NULL, 0, &j), 0);
	CU_ASSERT_EQUAL(j->nruns, 1);
	e2fc_journal_close(j);
	jm_close(fs, path);
}

static CU_TestInfo journal_tests[] = {
	{ "journal: kernel image, internal journal", test_internal_kernel_image },
	{ "journal: reset", test_reset },
	{ "journal: short, needed, none", test_internal_errors },
	{ "journal: kernel image, external journal", test_external_kernel_image },
	{ "journal: indirect-mapped journal, holes", test_indirect_journal },
	{ "journal: kernel image, log wraps at log_end", test_wrap_kernel_image },
	{ "journal: kernel image, v1 checksums, async commit, revokes",
	  test_v1_async_kernel_image },
	{ "journal: kernel image, v1 checksum bad", test_v1_bad_kernel_image },
	{ "journal: map of a fragmented 4k journal", test_map_fragmented },
	{ "journal: map with holes, overlaps, out of order",
	  test_map_refused },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("journal", journal_tests);
