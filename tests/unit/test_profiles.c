// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_profiles.c -- the replay on file system features this machine's
 * kernel cannot mount (no CONFIG_QUOTA, no CONFIG_UNICODE), so the kernel
 * corpus has no crash image of them (doc/profiles.md):
 *
 *   quota     e2fc leaves the quota files alone; the usage the replay
 *             changes is what a full system e2fsck pass repairs.
 *   bigalloc  (the corpus has kernel images too) i_blocks and the free
 *             counts in clusters, a cluster partly unmapped kept.
 *   casefold  a name the replay adds to a casefolded, indexed directory
 *             is hashed as the kernel does (through libext2fs, with the
 *             file system's encoding): e2fsck finds the index right.
 *
 * The images are made by mke2fs and debugfs (1k blocks, fast_commit, an
 * internal journal); the fast commit is laid out by the fcw writer and
 * decoded with e2fc_fc_scan_buf, then e2fc_recover replays it.
 * E2FC_KEEP=1 keeps the images in /tmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "e2fc.h"
#include "e2fc_disk.h"
#include "fcw.h"
#include "unit.h"

struct pimg {
	char			path[64];
	ext2_filsys		fs;
	struct e2fc_journal	*j;
	struct e2fc_log		*log;
	struct fcw		*w;
};

/* run a shell command; its exit status */
static int sh(const char *cmd)
{
	char buf[1024];
	int n;

	snprintf(buf, sizeof(buf), "PATH=$PATH:/sbin:/usr/sbin; %s", cmd);
	n = system(buf);
	return WIFEXITED(n) ? WEXITSTATUS(n) : -1;
}

/* e2fsck opts on the image, its output to tail (a redirection or pipe) */
static int e2fsck_run(const char *opts, const char *path, const char *tail)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "e2fsck %s '%s' %s", opts, path, tail);
	return sh(cmd);
}

static int have_tools(void)
{
	return !sh("{ command -v mke2fs && command -v debugfs && "
		   "command -v e2fsck; } >/dev/null");
}

/* mke2fs with features, the debugfs commands of file cmds, then e2fsck
 * -fyD (indexes the directories; debugfs keeps no quota usage) */
static int pimg_make(struct pimg *p, const char *features, const char *cmds)
{
	char args[256], cmd[512];

	memset(p, 0, sizeof(*p));
	snprintf(args, sizeof(args), "-t ext4 -b 1024 -O %s -J size=1",
		 features);
	if (!e2fc_test_mkfs(args, 4096, p->path, sizeof(p->path)))
		return 0;
	snprintf(cmd, sizeof(cmd), "debugfs -w -f %s '%s' >/dev/null 2>&1",
		 cmds, p->path);
	return !sh(cmd) && e2fsck_run("-fyD", p->path, ">/dev/null 2>&1") <= 1;
}

/* mke2fs leaves the journal's FAST_COMMIT feature to the first mount,
 * which sets it: set it in the journal superblock (no checksum here) */
static int set_jsb_fast_commit(ext2_filsys fs)
{
	struct ext2_inode jin;
	blk64_t blk = 0;
	uint8_t *buf;
	int ok;

	if (ext2fs_read_inode(fs, fs->super->s_journal_inum, &jin) ||
	    ext2fs_bmap2(fs, fs->super->s_journal_inum, &jin, NULL, 0, 0,
			 NULL, &blk) || !blk ||
	    ext2fs_get_mem(fs->blocksize, &buf))
		return 0;
	ok = !io_channel_read_blk64(fs->io, blk, 1, buf) &&
	     !e2fc_get_be32(buf + JSB_FEATURE_INCOMPAT);
	if (ok) {
		e2fc_put_be32(buf + JSB_FEATURE_INCOMPAT,
			      JBD2_FEATURE_INCOMPAT_FAST_COMMIT);
		ok = !io_channel_write_blk64(fs->io, blk, 1, buf);
	}
	ext2fs_free_mem(&buf);
	return ok;
}

/* open the image and its (clean) journal; start the fast commit */
static int pimg_open(struct pimg *p)
{
	if (ext2fs_open(p->path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			unix_io_manager, &p->fs) ||
	    !set_jsb_fast_commit(p->fs) ||
	    e2fc_journal_open(p->fs, NULL, 0, &p->j) ||
	    e2fc_log_scan(p->j, &p->log) || !p->j->sb.fc_blocks)
		return 0;
	p->w = fcw_new(p->fs->blocksize, p->j->sb.fc_blocks);
	return p->w && !fcw_begin(p->w, p->log->expected_tid);
}

/* end the fast commit, mark the file system unclean, recover */
static errcode_t pimg_recover(struct pimg *p, struct e2fc_replay_stats *st)
{
	struct e2fc_replay_opts opts;
	struct e2fc_fc *fc = NULL;
	uint32_t n = p->w->nblocks;
	uint8_t *area;
	errcode_t err;

	if (fcw_tail(p->w, p->log->expected_tid) || p->w->overflow)
		return EXT2_ET_INVALID_ARGUMENT;
	area = fcw_take(p->w);
	p->w = NULL;
	err = e2fc_fc_scan_buf(area, n, p->fs->blocksize, p->j->sb.fc_first,
			       p->log->expected_tid, 0, &fc);
	if (err) {
		free(area);
		return err;
	}
	ext2fs_set_feature_journal_needs_recovery(p->fs->super);
	ext2fs_mark_super_dirty(p->fs);
	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	err = e2fc_recover(&p->fs, p->j, p->log, fc, &opts, st);
	e2fc_fc_free(fc);
	return err;
}

static void pimg_close(struct pimg *p)
{
	if (p->w)
		fcw_free(p->w);
	e2fc_log_free(p->log);
	e2fc_journal_close(p->j);
	if (p->fs)
		ext2fs_close_free(&p->fs);
	p->w = NULL;
	p->log = NULL;
	p->j = NULL;
}

static void pimg_remove(struct pimg *p)
{
	pimg_close(p);
	if (!getenv("E2FC_KEEP"))
		unlink(p->path);
	else
		printf("kept %s\n", p->path);
}

static int write_cmds(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/e2fc-prof-cmds.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "w");
	if (!f)
		return 0;
	fputs(text, f);
	return !fclose(f);
}

/*
 * The image for test name: the debugfs commands text on mke2fs with
 * features, opened with a fast commit started.  0 (and a SKIP line) when
 * the e2fsprogs tools are missing.
 */
static int pimg_setup(struct pimg *p, const char *name, const char *features,
		      const char *text)
{
	char cmds[64];

	if (!have_tools()) {
		printf("SKIP: %s (mke2fs, debugfs or e2fsck missing)\n", name);
		return 0;
	}
	CU_ASSERT_FATAL(write_cmds(cmds, sizeof(cmds), text));
	CU_ASSERT_FATAL(pimg_make(p, features, cmds));
	unlink(cmds);
	CU_ASSERT_FATAL(pimg_open(p));
	return 1;
}

static void pimg_inode(struct pimg *p, ext2_ino_t ino,
		       struct ext2_inode_large *in)
{
	CU_ASSERT_FATAL(!ext2fs_read_inode_full(p->fs, ino,
						(struct ext2_inode *)in,
						sizeof(*in)));
}

/* an INODE tag for ino: its on-disk bytes as the kernel logs them, the
 * first ones from *in */
static int pimg_log_inode(struct pimg *p, ext2_ino_t ino,
			  const struct ext2_inode_large *in)
{
	unsigned isz = EXT2_INODE_SIZE(p->fs->super);
	uint8_t raw[1024];

	if (isz > sizeof(raw) ||
	    ext2fs_read_inode_full(p->fs, ino, (struct ext2_inode *)raw, isz))
		return -1;
	memcpy(raw, in, sizeof(*in) < isz ? sizeof(*in) : isz);
	return fcw_inode(p->w, ino, raw, isz);
}

/* the one fast commit replayed; the image opened again, read-only */
static void pimg_replay(struct pimg *p)
{
	struct e2fc_replay_stats st;

	CU_ASSERT_EQUAL(pimg_recover(p, &st), 0);
	CU_ASSERT_EQUAL(st.fc_commits, 1);
	pimg_close(p);
	CU_ASSERT_FATAL(!ext2fs_open(p->path, EXT2_FLAG_64BITS, 0, 0,
				     unix_io_manager, &p->fs));
}

/* e2fsck -fn finds the image clean; the image removed */
static void pimg_done(struct pimg *p)
{
	pimg_close(p);
	CU_ASSERT_EQUAL(e2fsck_run("-fn", p->path, ">/dev/null 2>&1"), 0);
	pimg_remove(p);
}

/* ---- quota ------------------------------------------------------------- */

/*
 * An empty file f (inode 12) gets four blocks by a fast commit (ADD_RANGE
 * and its INODE with the new size).  e2fc leaves the quota inodes as they
 * were; e2fsck -fn then reports the usage the replay changed, e2fsck -fy
 * (the system e2fsck pass of e2fsck-fc -f) repairs it.
 */
static void test_quota(void)
{
	struct ext2_inode_large in, q0, q1;
	blk64_t pblk = 0, plen = 0;
	struct pimg p;

	if (!pimg_setup(&p, "quota", "quota,fast_commit", "write /dev/null f\n"))
		return;
	CU_ASSERT_FATAL(ext2fs_has_feature_quota(p.fs->super));
	pimg_inode(&p, 3, &q0);
	/* four free blocks far from the metadata */
	CU_ASSERT_FATAL(!ext2fs_read_bitmaps(p.fs));
	CU_ASSERT_FATAL(!ext2fs_new_range(p.fs, EXT2_NEWRANGE_MIN_LENGTH,
					  3000, 4, p.fs->block_map, &pblk,
					  &plen));
	pimg_inode(&p, 12, &in);
	in.i_size = 4 * p.fs->blocksize;
	CU_ASSERT_EQUAL(fcw_add_range(p.w, 12, 0, 4, pblk, 0), 0);
	CU_ASSERT_EQUAL(pimg_log_inode(&p, 12, &in), 0);
	pimg_replay(&p);

	pimg_inode(&p, 12, &in);
	CU_ASSERT_EQUAL(EXT2_I_SIZE(&in), 4 * p.fs->blocksize);
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(p.fs, (struct ext2_inode *)&in),
			4 * p.fs->blocksize / 512);
	pimg_inode(&p, 3, &q1);
	CU_ASSERT(!memcmp(&q0, &q1, sizeof(q0)));	/* quota untouched */
	pimg_close(&p);

	/* the usage is stale until a full e2fsck pass, which repairs it */
	CU_ASSERT_EQUAL(e2fsck_run("-fn", p.path, "2>&1 | grep -q QUOTA"), 0);
	CU_ASSERT_EQUAL(e2fsck_run("-fy", p.path, ">/dev/null 2>&1"), 1);
	pimg_done(&p);
}

/* ---- bigalloc ---------------------------------------------------------- */

/*
 * 1k blocks, 16-block clusters.  The empty file f (inode 12) gets, by
 * fast commits, blocks 0-2 at the start of a free cluster A, blocks 20-21
 * at offsets 4-5 of a free cluster B (the kernel keeps the offset of the
 * logical block), then block 1 is unmapped again.  The kernel counts two
 * clusters in i_blocks (64 sectors) and keeps A in use for blocks 0 and
 * 2; the free counts are in clusters.  e2fsck -fn checks all of it.
 */
static void test_bigalloc(void)
{
	struct ext2_inode_large in;
	blk64_t a = 0, b = 0, len = 0, pblk = 0;
	struct pimg p;

	if (!pimg_setup(&p, "bigalloc", "bigalloc,fast_commit -C 16384",
			"write /dev/null f\n"))
		return;
	CU_ASSERT_FATAL(EXT2FS_CLUSTER_RATIO(p.fs) == 16);
	CU_ASSERT_FATAL(!ext2fs_read_bitmaps(p.fs));
	CU_ASSERT_FATAL(!ext2fs_new_range(p.fs, EXT2_NEWRANGE_MIN_LENGTH,
					  2048, 32, p.fs->block_map, &a, &len));
	CU_ASSERT_FATAL(!(a & 15));
	b = a + 16 + 4;
	pimg_inode(&p, 12, &in);
	in.i_size = 22 * p.fs->blocksize;
	CU_ASSERT_EQUAL(fcw_add_range(p.w, 12, 0, 3, a, 0), 0);
	CU_ASSERT_EQUAL(fcw_add_range(p.w, 12, 20, 2, b, 0), 0);
	CU_ASSERT_EQUAL(fcw_del_range(p.w, 12, 1, 1), 0);
	CU_ASSERT_EQUAL(pimg_log_inode(&p, 12, &in), 0);
	pimg_replay(&p);

	CU_ASSERT_FATAL(!ext2fs_read_bitmaps(p.fs));
	pimg_inode(&p, 12, &in);
	CU_ASSERT_EQUAL(ext2fs_get_stat_i_blocks(p.fs, (struct ext2_inode *)&in),
			2 * 16 * p.fs->blocksize / 512);
	CU_ASSERT(!ext2fs_bmap2(p.fs, 12, (struct ext2_inode *)&in, NULL, 0, 1,
				NULL, &pblk) && pblk == 0);
	CU_ASSERT(!ext2fs_bmap2(p.fs, 12, (struct ext2_inode *)&in, NULL, 0, 2,
				NULL, &pblk) && pblk == a + 2);
	CU_ASSERT(ext2fs_test_block_bitmap2(p.fs->block_map, a));
	CU_ASSERT(ext2fs_test_block_bitmap2(p.fs->block_map, b));
	pimg_done(&p);
}

/* ---- casefold ---------------------------------------------------------- */

#define CF_NAMES	120

/*
 * d (inode 12) is casefolded and indexed (e2fsck -D hashed its 120 names
 * with the casefold hash); a fast commit links inode 13 into it under a
 * mixed-case name and logs the inode with two links.  The entry must land
 * in the leaf its casefolded hash says, or e2fsck -fn complains about
 * the index.
 */
static void test_casefold(void)
{
	struct ext2_inode_large in;
	static const char name[] = "New_MIXED_case_Name.TXT";
	char *text, *t;
	ext2_ino_t ino = 0;
	struct pimg p;
	unsigned i;
	int ready;

	text = malloc(64 * (CF_NAMES + 3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	t = text + sprintf(text, "mkdir d\nset_inode_field d flags 0x40080000\n");
	for (i = 0; i < CF_NAMES; i++)
		t += sprintf(t, "write /dev/null d/Entry_with_a_long_name_%03u\n",
			     i);
	ready = pimg_setup(&p, "casefold", "casefold,fast_commit", text);
	free(text);
	if (!ready)
		return;
	CU_ASSERT_FATAL(ext2fs_has_feature_casefold(p.fs->super));
	pimg_inode(&p, 12, &in);
	CU_ASSERT_FATAL(in.i_flags & EXT4_CASEFOLD_FL);
	CU_ASSERT_FATAL(in.i_flags & EXT2_INDEX_FL);
	pimg_inode(&p, 13, &in);
	in.i_links_count = 2;
	CU_ASSERT_EQUAL(fcw_dentry(p.w, EXT4_FC_TAG_LINK, 12, 13, name,
				   strlen(name)), 0);
	CU_ASSERT_EQUAL(pimg_log_inode(&p, 13, &in), 0);
	pimg_replay(&p);

	CU_ASSERT(!ext2fs_lookup(p.fs, 12, name, strlen(name), NULL, &ino));
	CU_ASSERT_EQUAL(ino, 13);
	pimg_inode(&p, 13, &in);
	CU_ASSERT_EQUAL(in.i_links_count, 2);
	pimg_done(&p);
}

static CU_TestInfo tests[] = {
	{ "quota: files untouched, e2fsck repairs the usage", test_quota },
	{ "bigalloc: i_blocks and free counts in clusters", test_bigalloc },
	{ "casefold: a linked name hashed into the right leaf",
	  test_casefold },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("profiles", tests);
