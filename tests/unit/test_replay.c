// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_replay.c -- e2fc_replay_check and e2fc_recover on kernel crash
 * images made by Linux 6.18 (tests/unit/data):
 *
 *   replay-1k-128-csum.img.gz    16 MiB ext4, 1k blocks, 128-byte inodes,
 *   replay-4k-256-nocsum.img.gz  16 MiB ext4, 4k blocks, no metadata_csum;
 *
 * both copied while mounted (commit=600) after the same script: a synced
 * tree (d/f1..f40, big, gone, olddir), then with an fsync each: create
 * new1, append to big, hard link d/hl, unlink d/f3 and gone, mkdir nd,
 * nd/in, symlinks sl and longsl, truncate big to 3000, fallocate fa and
 * write into it, rmdir olddir, append to d/f10..f29, create last.  The
 * log holds 9 transactions; the fast-commit area 5 valid commits of tid
 * 11 (appends to d/f26..f29 = inodes 38..41, CREAT of "last" = inode 58
 * at block 9772 in 1k, inode 55 at block 1372 in 4k) and 10 stale ones
 * of tid 10.  A kernel mount of either
 * copy gives the same tree as e2fc (checked with e2fc-listing); the
 * expected values below come from that kernel result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "fc_meta.h"
#include "unit.h"

/* whole file in memory, for before/after comparisons */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? n : 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

struct plan {
	ext2_filsys		fs;
	struct e2fc_journal	*j;
	struct e2fc_log		*log;
	struct e2fc_fc		*fc;
};

static int plan_open(const char *path, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	if (ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			unix_io_manager, &p->fs))
		return 0;
	if (e2fc_journal_open(p->fs, NULL, 0, &p->j) ||
	    e2fc_log_scan(p->j, &p->log) ||
	    e2fc_fc_scan(p->j, p->log, &p->fc))
		return 0;
	return 1;
}

static void plan_close(struct plan *p)
{
	e2fc_fc_free(p->fc);
	e2fc_log_free(p->log);
	e2fc_journal_close(p->j);
	if (p->fs)
		ext2fs_close_free(&p->fs);
}

/* recover path with opts (NULL: all); stats out */
static errcode_t recover(const char *path, unsigned until,
			 struct e2fc_replay_stats *st)
{
	struct e2fc_replay_opts opts;
	struct plan p;
	errcode_t err;

	memset(&opts, 0, sizeof(opts));
	opts.until_commit = until;
	memset(st, 0, sizeof(*st));
	if (!plan_open(path, &p)) {
		plan_close(&p);
		return EXT2_ET_BAD_MAGIC;
	}
	err = e2fc_recover(&p.fs, p.j, p.log, p.fc, &opts, st);
	plan_close(&p);
	return err;
}

static ext2_ino_t lookup(ext2_filsys fs, const char *path)
{
	ext2_ino_t ino = 0;

	if (ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino))
		return 0;
	return ino;
}

/* image name unpacked into path, recovered up to commit until (which must
 * replay commits fast commits) and opened */
static ext2_filsys recovered(const char *name, unsigned until,
			     unsigned commits, char *path, size_t len)
{
	struct e2fc_replay_stats st;
	ext2_filsys fs = NULL;

	CU_ASSERT_FATAL(e2fc_test_unpack(name, path, len));
	CU_ASSERT_EQUAL(recover(path, until, &st), 0);
	CU_ASSERT_EQUAL(st.fc_commits, commits);
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0,
				    unix_io_manager, &fs) == 0);
	return fs;
}

static int fsck_clean(const char *path)
{
	char cmd[256];

	if (access("/sbin/e2fsck", X_OK) && access("/usr/sbin/e2fsck", X_OK))
		return 1;	/* not installed: not checked */
	snprintf(cmd, sizeof(cmd),
		 "PATH=$PATH:/sbin:/usr/sbin e2fsck -fn '%s' >/dev/null 2>&1",
		 path);
	return system(cmd) == 0;
}

/* the state the kernel leaves after mounting the crash image */
static void check_result(const char *path, ext2_ino_t last_ino,
			 blk64_t last_blk)
{
	struct ext2_inode_large in;
	ext2_filsys fs = NULL;
	blk64_t pblk = 0;
	ext2_ino_t ino;

	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0,
				    unix_io_manager, &fs) == 0);
	CU_ASSERT(!ext2fs_has_feature_journal_needs_recovery(fs->super));
	CU_ASSERT_FATAL(ext2fs_read_bitmaps(fs) == 0);

	/* created by the last fast commit */
	ino = lookup(fs, "last");
	CU_ASSERT_EQUAL(ino, last_ino);
	CU_ASSERT(ext2fs_test_inode_bitmap2(fs->inode_map, last_ino));
	CU_ASSERT_FATAL(ext2fs_read_inode_full(fs, last_ino,
					       (struct ext2_inode *)&in,
					       sizeof(in)) == 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 4);
	CU_ASSERT_EQUAL(in.i_links_count, 1);
	CU_ASSERT_EQUAL(in.i_mode, 0100644);
	CU_ASSERT(ext2fs_bmap2(fs, last_ino, (struct ext2_inode *)&in, NULL, 0, 0,
			       NULL, &pblk) == 0);
	CU_ASSERT_EQUAL(pblk, last_blk);
	CU_ASSERT(ext2fs_test_block_bitmap2(fs->block_map, pblk));
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in),
			fs->blocksize / 512);

	/* appended by fast commits */
	ino = lookup(fs, "d/f26");
	CU_ASSERT_EQUAL(ino, 38);
	CU_ASSERT(ext2fs_read_inode_full(fs, 38, (struct ext2_inode *)&in,
					 sizeof(in)) == 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 14);

	/* from the full transactions */
	ino = lookup(fs, "new1");
	CU_ASSERT(ino != 0);
	CU_ASSERT_EQUAL(lookup(fs, "d/hl"), ino);
	CU_ASSERT(ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)&in,
					 sizeof(in)) == 0);
	CU_ASSERT_EQUAL(in.i_links_count, 2);
	CU_ASSERT_EQUAL(lookup(fs, "d/f3"), 0);
	CU_ASSERT_EQUAL(lookup(fs, "gone"), 0);
	CU_ASSERT_EQUAL(lookup(fs, "olddir"), 0);
	ino = lookup(fs, "big");
	CU_ASSERT(ino != 0 && ext2fs_read_inode_full(fs, ino,
			(struct ext2_inode *)&in, sizeof(in)) == 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 3000);
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
}

static void replay_image(const char *name, ext2_ino_t last_ino,
			 blk64_t last_blk)
{
	struct e2fc_replay_stats st;
	char path[64];
	uint8_t *a, *b;
	size_t la, lb;

	CU_ASSERT_FATAL(e2fc_test_unpack(name, path, sizeof(path)));
	CU_ASSERT_EQUAL(recover(path, ~0U, &st), 0);
	CU_ASSERT_EQUAL(st.log_trans, 9);
	CU_ASSERT_EQUAL(st.fc_commits, 5);
	CU_ASSERT_EQUAL(st.fc_tags, 14);
	check_result(path, last_ino, last_blk);

	/* idempotent: a second recovery finds nothing and changes nothing */
	a = slurp(path, &la);
	CU_ASSERT_EQUAL(recover(path, ~0U, &st), 0);
	CU_ASSERT_EQUAL(st.log_trans, 0);
	CU_ASSERT_EQUAL(st.fc_commits, 0);
	b = slurp(path, &lb);
	CU_ASSERT(a && b && la == lb && memcmp(a, b, la) == 0);
	free(a);
	free(b);
	check_result(path, last_ino, last_blk);
	unlink(path);
}

static void test_replay_1k_128_csum(void)
{
	replay_image("replay-1k-128-csum.img.gz", 58, 9772);
}

static void test_replay_4k_256_nocsum(void)
{
	ext2_filsys fs = NULL;
	char path[64];
	blk64_t pblk = 0;
	ext2_ino_t ino;
	struct plan p;
	unsigned i;

	/* the block of "last" as the plan says */
	CU_ASSERT_FATAL(e2fc_test_unpack("replay-4k-256-nocsum.img.gz", path,
			       sizeof(path)));
	CU_ASSERT_FATAL(plan_open(path, &p));
	for (i = 0; i < p.fc->replay_tags; i++)
		if (p.fc->tags[i].tag == EXT4_FC_TAG_ADD_RANGE &&
		    p.fc->tags[i].u.add.ino == 55)
			pblk = p.fc->tags[i].u.add.pblk;
	plan_close(&p);
	unlink(path);
	CU_ASSERT_FATAL(pblk != 0);
	CU_ASSERT_EQUAL(pblk, 1372);
	replay_image("replay-4k-256-nocsum.img.gz", 55, pblk);

	/* until_commit 4: the CREAT of "last" is not replayed */
	fs = recovered("replay-4k-256-nocsum.img.gz", 4, 4, path,
		       sizeof(path));
	ino = lookup(fs, "last");
	CU_ASSERT_EQUAL(ino, 0);
	CU_ASSERT(lookup(fs, "d/f26") == 38);
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
	unlink(path);
}

/* a tampered plan is refused before anything is written */
static void refuse(struct plan *p, const char *path, errcode_t want)
{
	struct e2fc_replay_opts opts;
	struct e2fc_replay_stats st;
	unsigned bc = ~0U, bt = ~0U;
	uint8_t *a, *b;
	size_t la, lb;

	CU_ASSERT_EQUAL(e2fc_replay_check(p->fs, p->fc, &bc, &bt), want);
	CU_ASSERT_EQUAL(bc, 4);
	a = slurp(path, &la);
	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(e2fc_recover(&p->fs, p->j, p->log, p->fc, &opts, &st),
			want);
	b = slurp(path, &lb);
	CU_ASSERT(a && b && la == lb && memcmp(a, b, la) == 0);
	free(a);
	free(b);
}

static struct e2fc_tag *find_tag(struct e2fc_fc *fc, uint16_t tag)
{
	unsigned i;

	for (i = 0; i < fc->replay_tags; i++)
		if (fc->tags[i].tag == tag)
			return &fc->tags[i];
	return NULL;
}

static void tamper_img(const char *img,
		       void (*fn)(struct e2fc_fc *fc, ext2_filsys fs),
		       errcode_t want)
{
	unsigned bc, bt;
	char path[64];
	struct plan p;

	CU_ASSERT_FATAL(e2fc_test_unpack(img, path, sizeof(path)));
	CU_ASSERT_FATAL(plan_open(path, &p));
	CU_ASSERT_EQUAL(e2fc_replay_check(p.fs, p.fc, &bc, &bt), 0);
	fn(p.fc, p.fs);
	refuse(&p, path, want);
	plan_close(&p);
	unlink(path);
}

static void tamper(void (*fn)(struct e2fc_fc *fc, ext2_filsys fs),
		   errcode_t want)
{
	tamper_img("replay-1k-128-csum.img.gz", fn, want);
}

static void pblk_on_sb(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	find_tag(fc, EXT4_FC_TAG_ADD_RANGE)->u.add.pblk = 1;
}

static void pblk_on_itable(struct e2fc_fc *fc, ext2_filsys fs)
{
	find_tag(fc, EXT4_FC_TAG_ADD_RANGE)->u.add.pblk =
		ext2fs_inode_table_loc(fs, 0) + 1;
}

static void pblk_past_end(struct e2fc_fc *fc, ext2_filsys fs)
{
	find_tag(fc, EXT4_FC_TAG_ADD_RANGE)->u.add.pblk =
		ext2fs_blocks_count(fs->super) - 1;
	find_tag(fc, EXT4_FC_TAG_ADD_RANGE)->u.add.len = 8;
}

static void lblk_wraps(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	find_tag(fc, EXT4_FC_TAG_ADD_RANGE)->u.add.lblk = 0xffffffffU;
	find_tag(fc, EXT4_FC_TAG_ADD_RANGE)->u.add.len = 2;
}

static void name_slash(struct e2fc_fc *fc, ext2_filsys fs)
{
	static const uint8_t bad[] = "a/b";

	(void)fs;
	find_tag(fc, EXT4_FC_TAG_CREAT)->u.dentry.name = bad;
	find_tag(fc, EXT4_FC_TAG_CREAT)->u.dentry.name_len = 3;
}

static void name_empty(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	find_tag(fc, EXT4_FC_TAG_CREAT)->u.dentry.name_len = 0;
}

static void ino_zero(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	find_tag(fc, EXT4_FC_TAG_CREAT)->u.dentry.ino = 0;
}

static void ino_reserved(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	find_tag(fc, EXT4_FC_TAG_CREAT)->u.dentry.ino = 7;
}

static void ino_too_big(struct e2fc_fc *fc, ext2_filsys fs)
{
	find_tag(fc, EXT4_FC_TAG_CREAT)->u.dentry.ino =
		fs->super->s_inodes_count + 1;
}

/*
 * INODE records no kernel writes, found by fuzz/campaign.py (each left an
 * image e2fsck repairs): the first INODE of commit 4, rewritten.
 */
static uint8_t raw_copy[1024];

static uint8_t *inode_raw(struct e2fc_fc *fc)
{
	const struct e2fc_commit *c = &fc->commits[4];
	unsigned k;

	for (k = c->first_tag; k < c->first_tag + c->ntags; k++) {
		struct e2fc_tag *t = &fc->tags[k];

		if (t->tag != EXT4_FC_TAG_INODE)
			continue;
		memcpy(raw_copy, t->u.inode.raw, t->u.inode.raw_len);
		t->u.inode.raw = raw_copy;
		return raw_copy;
	}
	CU_FAIL_FATAL("no INODE in commit 4");
	return NULL;
}

static void set_flags(struct e2fc_fc *fc, uint32_t set)
{
	uint8_t *r = inode_raw(fc);

	e2fc_put_le32(r + RI_FLAGS, e2fc_get_le32(r + RI_FLAGS) | set);
}

static void inline_no_feature(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	set_flags(fc, EXT4_INLINE_DATA_FL);	/* and EXTENTS_FL */
}

static void index_not_dir(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	set_flags(fc, EXT2_INDEX_FL);
}

static void bad_file_type(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	e2fc_put_le16(inode_raw(fc) + RI_MODE, 0xF1A4);
}

static void faddr_set(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	e2fc_put_le32(inode_raw(fc) + RI_FADDR, 77);
}

static void extent_magic(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	e2fc_put_le16(inode_raw(fc) + RI_BLOCK, 0x1234);
}

static void extent_entries(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	e2fc_put_le16(inode_raw(fc) + RI_BLOCK + EXT4_EXT_HDR_ENTRIES, 5);
}

static void casefold_file(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	set_flags(fc, EXT4_CASEFOLD_FL);
}

static void extra_isize_odd(struct e2fc_fc *fc, ext2_filsys fs)
{
	(void)fs;
	e2fc_put_le16(inode_raw(fc) + RI_EXTRA_ISIZE, 2);
}

static void root_file(struct e2fc_fc *fc, ext2_filsys fs)
{
	const struct e2fc_commit *c = &fc->commits[4];
	unsigned k;

	(void)fs;
	inode_raw(fc);
	for (k = c->first_tag; k < c->first_tag + c->ntags; k++)
		if (fc->tags[k].tag == EXT4_FC_TAG_INODE) {
			fc->tags[k].u.inode.ino = EXT2_ROOT_INO;
			return;
		}
}

static void test_refuse_inode_record(void)
{
	tamper(casefold_file, E2FC_ERR_BAD_INODE);
	/* 256-byte inodes: i_extra_isize is there */
	tamper_img("replay-4k-256-nocsum.img.gz", extra_isize_odd,
		   E2FC_ERR_BAD_INODE);
	tamper(root_file, E2FC_ERR_BAD_INODE);
	tamper(inline_no_feature, E2FC_ERR_BAD_INODE);
	tamper(index_not_dir, E2FC_ERR_BAD_INODE);
	tamper(bad_file_type, E2FC_ERR_BAD_INODE);
	tamper(faddr_set, E2FC_ERR_BAD_INODE);
	tamper(extent_magic, E2FC_ERR_BAD_INODE);
	tamper(extent_entries, E2FC_ERR_BAD_INODE);
}

static void test_refuse_block(void)
{
	tamper(pblk_on_sb, E2FC_ERR_BAD_BLOCK);
	tamper(pblk_on_itable, E2FC_ERR_BAD_BLOCK);
	tamper(pblk_past_end, E2FC_ERR_BAD_BLOCK);
}

static void test_refuse_range(void)
{
	tamper(lblk_wraps, E2FC_ERR_BAD_RANGE);
}

static void test_refuse_name(void)
{
	tamper(name_slash, E2FC_ERR_BAD_NAME);
	tamper(name_empty, E2FC_ERR_BAD_NAME);
}

static void test_refuse_inode(void)
{
	tamper(ino_zero, E2FC_ERR_BAD_INODE_NUM);
	tamper(ino_reserved, E2FC_ERR_BAD_INODE_NUM);
	tamper(ino_too_big, E2FC_ERR_BAD_INODE_NUM);
}

/*
 * replay-reuse-1k-nocsum.img.gz: 8 MiB, 1k blocks, 128-byte inodes, no
 * metadata_csum (tests/kernel corpus 1k-128-nocsum-32-s2003-00).  Fast
 * commits unlink the sparse file b/base1 (inode 16, blocks up to logical
 * 3076) and mkdir f30_957 in the same inode number with a new generation.
 * The new directory must not inherit the dead file's tree.
 */
static void test_replay_reused_inode(void)
{
	struct ext2_inode_large in;
	ext2_filsys fs = NULL;
	blk64_t pblk = 0;
	char path[64];

	fs = recovered("replay-reuse-1k-nocsum.img.gz", ~0U, 6, path,
		       sizeof(path));
	CU_ASSERT_EQUAL(lookup(fs, "f30_957"), 16);
	CU_ASSERT_EQUAL(lookup(fs, "b/base1"), 0);
	CU_ASSERT_FATAL(ext2fs_read_inode_full(fs, 16, (struct ext2_inode *)&in,
					       sizeof(in)) == 0);
	CU_ASSERT(LINUX_S_ISDIR(in.i_mode));
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 1024);
	CU_ASSERT_EQUAL(in.i_links_count, 2);
	CU_ASSERT(ext2fs_bmap2(fs, 16, (struct ext2_inode *)&in, NULL, 0, 0,
			       NULL, &pblk) == 0 && pblk != 0);
	pblk = 1;
	CU_ASSERT(ext2fs_bmap2(fs, 16, (struct ext2_inode *)&in, NULL, 0, 3076,
			       NULL, &pblk) == 0 && pblk == 0);
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in),
			2);
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
	unlink(path);
}

/*
 * replay-inline-1k-csum.img.gz: 8 MiB, 1k blocks, inline_data,
 * metadata_csum (tests/kernel corpus 1k-256-csum-64-inline-fc64-s21-00).
 * Fast commits rename a/base0 to a/f8_565 (LINK + UNLINK in the inline
 * directory a), unlink b/base1 and rename base3 to b/f11_205.  Inline
 * inodes are logged whole (256 bytes); the removed names must stay gone.
 */
static void test_replay_inline_dirs(void)
{
	struct ext2_inode_large in;
	ext2_filsys fs = NULL;
	ext2_ino_t a;
	char path[64];

	fs = recovered("replay-inline-1k-csum.img.gz", ~0U, 6, path,
		       sizeof(path));
	a = lookup(fs, "a");
	CU_ASSERT_FATAL(a != 0);
	CU_ASSERT_FATAL(ext2fs_read_inode_full(fs, a, (struct ext2_inode *)&in,
					       sizeof(in)) == 0);
	CU_ASSERT(in.i_flags & EXT4_INLINE_DATA_FL);
	CU_ASSERT_EQUAL(lookup(fs, "a/base0"), 0);
	CU_ASSERT_EQUAL(lookup(fs, "a/f8_565"), 15);
	CU_ASSERT_EQUAL(lookup(fs, "b/base0-link"), 15);
	CU_ASSERT_EQUAL(lookup(fs, "b/base1"), 0);
	CU_ASSERT_EQUAL(lookup(fs, "base3"), 0);
	CU_ASSERT_EQUAL(lookup(fs, "b/f11_205"), 18);
	CU_ASSERT_FATAL(ext2fs_read_inode_full(fs, 15, (struct ext2_inode *)&in,
					       sizeof(in)) == 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 30784);
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
	unlink(path);
}

/*
 * replay-noext-1k-csum.img.gz: 8 MiB, 1k blocks, no extent feature,
 * metadata_csum (tests/kernel corpus 1k-256-csum-32-noext-s132-00; its
 * oracle is the live tree, the kernel cannot replay it).  Fast commits
 * mkdir f14_427 (inode 23, CREAT: its '.'/'..' block is made here) and
 * write a/f16_872 (inode 24, 39012 bytes): blocks 0, 2, .. 38 at 7937,
 * 7939, .. 7975, the indirect block between (lblk 12 on).  shrink: both
 * INODE tags of inode 24 say 1024 bytes, so the trim at the end leaves
 * only block 0 (the indirect block goes too).
 */
static void noext_shrink(struct e2fc_fc *fc)
{
	uint8_t *raw;
	unsigned i, n = 0;

	for (i = 0; i < fc->replay_tags; i++) {
		struct e2fc_tag *t = &fc->tags[i];

		if (t->tag != EXT4_FC_TAG_INODE || t->u.inode.ino != 24 ||
		    t->u.inode.raw_len < 128)
			continue;
		raw = (uint8_t *)t->u.inode.raw;
		raw[4] = 0x00;		/* i_size_lo = 1024 */
		raw[5] = 0x04;
		raw[6] = raw[7] = 0;
		n++;
	}
	CU_ASSERT_EQUAL(n, 2);
}

static void replay_noext(int shrink)
{
	struct e2fc_replay_opts opts;
	struct e2fc_replay_stats st;
	struct ext2_inode_large in;
	ext2_filsys fs = NULL;
	blk64_t pblk = 0, ind = 0;
	char path[64];
	struct plan p;

	CU_ASSERT_FATAL(e2fc_test_unpack("replay-noext-1k-csum.img.gz", path,
			       sizeof(path)));
	CU_ASSERT_FATAL(plan_open(path, &p));
	if (shrink)
		noext_shrink(p.fc);
	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(e2fc_recover(&p.fs, p.j, p.log, p.fc, &opts, &st), 0);
	CU_ASSERT_EQUAL(st.fc_commits, 7);
	/* the new directory's block and the file's indirect block */
	CU_ASSERT_EQUAL(st.blocks_allocated, 2);
	plan_close(&p);

	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0,
				    unix_io_manager, &fs) == 0);
	CU_ASSERT_FATAL(ext2fs_read_bitmaps(fs) == 0);
	CU_ASSERT(!ext2fs_has_feature_extents(fs->super));

	/* the new directory: one block, '.' and '..' */
	CU_ASSERT_EQUAL(lookup(fs, "f14_427"), 23);
	CU_ASSERT_FATAL(ext2fs_read_inode_full(fs, 23, (struct ext2_inode *)&in,
					       sizeof(in)) == 0);
	CU_ASSERT(LINUX_S_ISDIR(in.i_mode));
	CU_ASSERT(!(in.i_flags & EXT4_EXTENTS_FL));
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 1024);
	CU_ASSERT(ext2fs_bmap2(fs, 23, (struct ext2_inode *)&in, NULL, 0, 0,
			       NULL, &pblk) == 0 && pblk != 0);
	CU_ASSERT(ext2fs_test_block_bitmap2(fs->block_map, pblk));
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in),
			2);
	CU_ASSERT_EQUAL(lookup(fs, "f14_427/.."), EXT2_ROOT_INO);

	/* the written file, whole or shrunk */
	CU_ASSERT_EQUAL(lookup(fs, "a/f16_872"), 24);
	CU_ASSERT_FATAL(ext2fs_read_inode_full(fs, 24, (struct ext2_inode *)&in,
					       sizeof(in)) == 0);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), shrink ? 1024 : 39012);
	CU_ASSERT(ext2fs_bmap2(fs, 24, (struct ext2_inode *)&in, NULL, 0, 0,
			       NULL, &pblk) == 0 && pblk == 7937);
	pblk = 1;
	CU_ASSERT(ext2fs_bmap2(fs, 24, (struct ext2_inode *)&in, NULL, 0, 38,
			       NULL, &pblk) == 0);
	CU_ASSERT_EQUAL(pblk, shrink ? 0 : 7975);
	CU_ASSERT_EQUAL(!!ext2fs_test_block_bitmap2(fs->block_map, 7975),
			!shrink);
	ind = in.i_block[EXT2_IND_BLOCK];
	if (shrink) {
		CU_ASSERT_EQUAL(ind, 0);
		CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs,
						(struct ext2_inode *)&in), 2);
	} else {
		CU_ASSERT(ind != 0 && ext2fs_test_block_bitmap2(fs->block_map,
								ind));
		/* 20 data blocks and the indirect block */
		CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(fs,
						(struct ext2_inode *)&in), 42);
	}
	ext2fs_close_free(&fs);
	CU_ASSERT(fsck_clean(path));
	unlink(path);
}

/*
 * The plan's metadata map serves the replay when its source matches the
 * fs the log left: a map that calls every block metadata then makes the
 * verifier refuse the replay; the same map with another source is not
 * used (the replay builds its own) and the recovery passes.
 */
static void check_lent_map(int same_source)
{
	struct e2fc_replay_opts opts;
	struct e2fc_replay_stats st;
	struct meta_map *m = NULL;
	struct meta_range all;
	unsigned bc, bt;
	char path[64];
	struct plan p;

	CU_ASSERT_FATAL(e2fc_test_unpack("replay-1k-128-csum.img.gz", path,
					 sizeof(path)));
	CU_ASSERT_FATAL(plan_open(path, &p));
	CU_ASSERT_FATAL(e2fc_replay_check_map(p.fs, p.fc, &bc, &bt, &m) == 0);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(e2fc_meta_same_source(m, p.fs));
	all.start = 0;
	all.end = ext2fs_blocks_count(p.fs->super);
	ext2fs_free_mem(&m->r);
	m->r = &all;
	m->n = m->cap = 1;
	if (!same_source)
		m->src[0] ^= 1;
	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	opts.plan_checked = 1;
	opts.plan_meta = m;
	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(e2fc_recover(&p.fs, p.j, p.log, p.fc, &opts, &st),
			same_source ? E2FC_ERR_VERIFY_BLOCKS : 0);
	m->r = NULL;
	e2fc_meta_free(&m);
	plan_close(&p);
	unlink(path);
}

static void test_lent_map(void)
{
	check_lent_map(1);
	check_lent_map(0);
}

static void test_replay_noext(void)
{
	replay_noext(0);
}

static void test_replay_noext_trim(void)
{
	replay_noext(1);
}

static CU_TestInfo tests[] = {
	{ "block-mapped: new directory, indirect file",
	  test_replay_noext },
	{ "block-mapped: blocks past EOF trimmed", test_replay_noext_trim },
	{ "inline directories: rename and unlink",
	  test_replay_inline_dirs },
	{ "reused inode number: new directory, empty tree",
	  test_replay_reused_inode },
	{ "kernel image 1k, 128-byte inodes, metadata_csum",
	  test_replay_1k_128_csum },
	{ "kernel image 4k, no metadata_csum; until_commit",
	  test_replay_4k_256_nocsum },
	{ "hostile pblk refused, image unchanged", test_refuse_block },
	{ "the plan's map serves the replay when its source matches",
	  test_lent_map },
	{ "hostile lblk+len wrap refused", test_refuse_range },
	{ "hostile names refused", test_refuse_name },
	{ "hostile inode numbers refused", test_refuse_inode },
	{ "inode records no kernel writes refused", test_refuse_inode_record },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("replay", tests);
