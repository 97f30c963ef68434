// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_orphan.c -- the orphans, once the log and the fast commits are
 * replayed: what the kernel's mount does next (fs/ext4/orphan.c).
 *
 * An orphan is an inode still in use with no name left (unlinked while a
 * program held it open, an O_TMPFILE never linked) or one whose truncate
 * did not finish.  They are found on the orphan list (the superblock's
 * s_last_orphan, each inode's i_dtime naming the next) and, with the
 * orphan_file feature, as the non-zero le32 entries of the orphan file's
 * blocks (each block ends with a magic and a checksum).  For each one:
 *
 *   links 0    every block is freed (an extended attribute block shared
 *              with other inodes loses one reference instead), size 0,
 *              dtime set, its inode bit cleared;
 *   links > 0  truncated to i_size: every block past it goes, unwritten
 *              preallocation too (inline data: the bytes past it); its
 *              dtime (the list link) is cleared.
 *
 * Then s_last_orphan and the orphan file's entries are cleared (each
 * block written gets its checksum again) and so is orphan_present.
 * An inode the fast commits leave in use without links (an O_TMPFILE
 * fsynced while its orphan record was not yet on disk) is freed too.
 *
 * Malformed input stops a walk where it is, as the kernel does, and is
 * counted in the stats (orphans_bad, orphan_err, orphan_ino) for the
 * caller to report; what is left goes to e2fsck: a list that loops or
 * names an inode out of range, not in use or without a mode; an orphan
 * file block with a bad magic or checksum (left as it is, and
 * orphan_present with it).  Every inode is taken at most once (a
 * bitmap), so no input makes this loop.
 */
#include <string.h>
#include "fc_replay_int.h"

struct orphans {
	ext2_ino_t		*ino;
	unsigned		n, cap;
	ext2fs_inode_bitmap	seen;
	unsigned		bad_blocks;	/* orphan file blocks */
};

/* ino is already taken (by the list, the orphan file or the log) */
static int taken(ext2_filsys fs, struct orphans *o, ext2_ino_t ino)
{
	return ino <= fs->super->s_inodes_count &&
	       ext2fs_test_inode_bitmap2(o->seen, ino);
}

/* take ino: to be processed once */
static errcode_t take(struct orphans *o, ext2_ino_t ino)
{
	ext2fs_mark_inode_bitmap2(o->seen, ino);
	return e2fc_add_ino(&o->ino, &o->n, &o->cap, ino);
}

static void orphan_bad(struct replay *r, errcode_t err, ext2_ino_t ino)
{
	r->st->orphans_bad++;
	if (!r->st->orphan_err) {
		r->st->orphan_err = err;
		r->st->orphan_ino = ino;
	}
}

/* the kernel's ext4_orphan_get(): an inode that can be an orphan */
static errcode_t orphan_check(struct replay *r, ext2_ino_t ino,
			      struct ext2_inode_large *in)
{
	ext2_filsys fs = r->fs;
	int mode;

	if (ino < EXT2_FIRST_INO(fs->super) ||
	    ino > fs->super->s_inodes_count)
		return E2FC_ERR_ORPHAN_INODE;
	if (!e2fc_ino_in_use(r, ino) || r->err ||
	    e2fc_read_inode(fs, ino, in) || !in->i_mode)
		return E2FC_ERR_ORPHAN_INODE;
	mode = in->i_mode;
	if (in->i_links_count && !LINUX_S_ISREG(mode) &&
	    !LINUX_S_ISDIR(mode) && !LINUX_S_ISLNK(mode))
		return E2FC_ERR_ORPHAN_INODE;	/* nothing to truncate */
	if (in->i_dtime > fs->super->s_inodes_count)
		return E2FC_ERR_ORPHAN_INODE;	/* deleted, not an orphan */
	return 0;
}

/* take ino if orphan_check() finds it sound; else note it, *bad set */
static errcode_t take_sound(struct replay *r, struct orphans *o,
			    ext2_ino_t ino, struct ext2_inode_large *in,
			    int *bad)
{
	errcode_t err = orphan_check(r, ino, in);

	*bad = err != 0;
	if (!err)
		return take(o, ino);
	orphan_bad(r, err, ino);
	return 0;
}

/* the list from s_last_orphan; stops at the first bad link */
static errcode_t list_collect(struct replay *r, struct orphans *o)
{
	struct ext2_inode_large in;
	ext2_ino_t ino = r->fs->super->s_last_orphan;
	errcode_t err;
	int bad;

	while (ino) {
		if (taken(r->fs, o, ino)) {
			orphan_bad(r, E2FC_ERR_ORPHAN_LOOP, ino);
			break;
		}
		err = take_sound(r, o, ino, &in, &bad);
		if (err)
			return err;
		if (bad)
			break;
		ino = in.i_dtime;
	}
	return r->err;
}

/*
 * The list as the log left it, before the fast commits: an INODE tag of
 * an orphan taken off the list later (an O_TMPFILE linked by linkat) has
 * dtime 0 and cuts the list after it, and the inodes behind would stay
 * in use without links.  The kernel loses them; they are taken here.
 */
errcode_t e2fc_orphans_listed(struct replay *r)
{
	struct e2fc_replay_stats saved = *r->st;
	struct orphans o;
	errcode_t err;

	if (!r->fs->super->s_last_orphan)
		return 0;
	memset(&o, 0, sizeof(o));
	err = ext2fs_allocate_inode_bitmap(r->fs, "fc orphans", &o.seen);
	if (!err)
		err = list_collect(r, &o);
	if (o.seen)
		ext2fs_free_inode_bitmap(o.seen);
	*r->st = saved;		/* a bad link is counted once, after */
	r->listed = o.ino;
	r->nlisted = o.n;
	r->caplisted = o.cap;
	return err;
}

/* take each inode of list[0..n) not taken yet that want() accepts; an
 * inode the list names again is asked once (the log's list of modified
 * inodes names one per INODE tag: 14,000 reads of 15,000 commits were
 * repeats) */
static errcode_t collect_from(struct replay *r, struct orphans *o,
			      const ext2_ino_t *list, unsigned n,
			      int (*want)(struct replay *r, ext2_ino_t ino))
{
	ext2_filsys fs = r->fs;
	ext2fs_inode_bitmap asked = NULL;
	unsigned i;
	errcode_t err;

	err = ext2fs_allocate_inode_bitmap(fs, "fc orphans asked", &asked);
	for (i = 0; i < n && !err; i++) {
		if (taken(fs, o, list[i]))
			continue;
		if (list[i] <= fs->super->s_inodes_count) {
			if (ext2fs_test_inode_bitmap2(asked, list[i]))
				continue;
			ext2fs_mark_inode_bitmap2(asked, list[i]);
		}
		if (want(r, list[i]))
			err = take(o, list[i]);
	}
	if (asked)
		ext2fs_free_inode_bitmap(asked);
	return err ? err : r->err;
}

/* an orphan of the list the log left (that the list now misses) */
static int listed_want(struct replay *r, ext2_ino_t ino)
{
	struct ext2_inode_large in;

	return !orphan_check(r, ino, &in);
}

/* the entries of one orphan file block at blk: taken and cleared */
static errcode_t file_block(struct replay *r, struct orphans *o,
			    ext2_ino_t fino, blk64_t blk, uint8_t *b)
{
	ext2_filsys fs = r->fs;
	struct ext2_inode_large in;
	unsigned i, per = (fs->blocksize - E2FC_ORPHAN_TAIL_SIZE) / 4;
	ext2_ino_t ino;
	int changed = 0, bad;
	errcode_t err;

	err = io_channel_read_blk64(fs->io, blk, 1, b);
	if (err)
		return err;
	if (e2fc_get_le32(b + fs->blocksize - E2FC_ORPHAN_TAIL_MAGIC) !=
	    E2FC_ORPHAN_BLOCK_MAGIC ||
	    (ext2fs_has_feature_metadata_csum(fs->super) &&
	     !ext2fs_orphan_file_block_csum_verify(fs, fino, blk, (char *)b))) {
		orphan_bad(r, E2FC_ERR_ORPHAN_BLOCK, fino);
		o->bad_blocks++;
		return 0;
	}
	for (i = 0; i < per; i++) {
		ino = e2fc_get_le32(b + 4 * i);
		if (!ino)
			continue;
		e2fc_put_le32(b + 4 * i, 0);
		changed = 1;
		if (taken(fs, o, ino))
			continue;	/* on the list too */
		err = take_sound(r, o, ino, &in, &bad);
		if (err)
			return err;
	}
	if (!changed)
		return 0;
	err = ext2fs_orphan_file_block_csum_set(fs, fino, blk, (char *)b);
	if (!err)
		err = io_channel_write_blk64(fs->io, blk, 1, b);
	return err;
}

/* every block of the orphan file (its size in blocks) */
static errcode_t file_collect(struct replay *r, struct orphans *o,
			      int *clean)
{
	ext2_filsys fs = r->fs;
	ext2_ino_t fino = fs->super->s_orphan_file_inum;
	struct ext2_inode_large in;
	blk64_t lblk, nblk, pblk;
	uint8_t *buf;
	errcode_t err = 0;

	*clean = 1;
	if (!ext2fs_has_feature_orphan_file(fs->super))
		return 0;
	if (!fino || fino > fs->super->s_inodes_count ||
	    e2fc_read_inode(fs, fino, &in)) {
		orphan_bad(r, E2FC_ERR_ORPHAN_BLOCK, fino);
		*clean = 0;
		return 0;
	}
	nblk = EXT2_I_SIZE(&in) / fs->blocksize;
	if (nblk > ext2fs_blocks_count(fs->super))
		nblk = ext2fs_blocks_count(fs->super);
	err = ext2fs_get_mem(fs->blocksize, &buf);
	if (err)
		return err;
	for (lblk = 0; lblk < nblk && !err; lblk++) {
		pblk = 0;
		if (ext2fs_bmap2(fs, fino, (struct ext2_inode *)&in, NULL, 0,
				 lblk, NULL, &pblk) || !pblk ||
		    pblk >= ext2fs_blocks_count(fs->super)) {
			orphan_bad(r, E2FC_ERR_ORPHAN_BLOCK, fino);
			o->bad_blocks++;
			continue;
		}
		err = file_block(r, o, fino, pblk, buf);
	}
	ext2fs_free_mem(&buf);
	*clean = !o->bad_blocks;
	return err;
}

/* inodes the fast commits left in use with a mode but no links and no
 * name (an O_TMPFILE or a file unlinked while open, fsynced, whose
 * orphan record never reached the disk): freed like orphans, else
 * e2fsck finds a deleted inode with zero dtime */
static int fc_want(struct replay *r, ext2_ino_t ino)
{
	struct ext2_inode_large in;

	return e2fc_ino_in_use(r, ino) && !e2fc_read_inode(r->fs, ino, &in) &&
	       in.i_mode && !in.i_links_count;
}

/* the extended attribute block: one reference less, freed at none */
static errcode_t drop_xattr(struct replay *r, ext2_ino_t ino,
			    struct ext2_inode_large *in)
{
	ext2_filsys fs = r->fs;
	blk64_t blk = ext2fs_file_acl_block(fs, (struct ext2_inode *)in);
	__u32 count = 0;
	errcode_t err;

	if (!blk || blk >= ext2fs_blocks_count(fs->super))
		return 0;
	ext2fs_file_acl_block_set(fs, (struct ext2_inode *)in, 0);
	err = ext2fs_adjust_ea_refcount3(fs, blk, NULL, -1, &count, ino);
	if (err)
		return 0;	/* unreadable: left to e2fsck */
	if (!count) {
		e2fc_touch_block(r, blk, 1, 0);
		r->st->blocks_freed++;
	}
	return 0;
}

/* cut every block from lblk on (not inline data, not a fast symlink) */
static errcode_t cut_from(struct replay *r, ext2_ino_t ino,
			  struct ext2_inode_large *in, blk64_t lblk)
{
	ext2_filsys fs = r->fs;
	blk64_t before = ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)in);
	blk64_t after;
	errcode_t err;

	if ((in->i_flags & EXT4_INLINE_DATA_FL) ||
	    !ext2fs_inode_has_valid_blocks2(fs, (struct ext2_inode *)in))
		return 0;
	err = ext2fs_punch(fs, ino, (struct ext2_inode *)in, NULL, lblk,
			   ~0ULL);
	if (err)
		return err;
	after = ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)in);
	if (before > after)
		r->st->blocks_freed += (before - after) /
				       (fs->blocksize / 512);
	return 0;
}

/* a directory freed here whose note (e2fc_note_inode: taken without
 * links, so not as a directory) does not make settle_dirs() count it */
static void drop_dir(struct replay *r, ext2_ino_t ino)
{
	dgrp_t g = ext2fs_group_of_ino(r->fs, ino);
	uint32_t n = ext2fs_bg_used_dirs_count(r->fs, g);
	unsigned i;

	for (i = 0; i < r->nnotes; i++)
		if (r->notes[i].ino == ino && r->notes[i].was_dir)
			return;
	if (n)
		ext2fs_bg_used_dirs_count_set(r->fs, g, n - 1);
	e2fc_touch_group(r, g);
}

/* links 0: what the kernel's eviction does */
static errcode_t orphan_free(struct replay *r, ext2_ino_t ino,
			     struct ext2_inode_large *in)
{
	errcode_t err;

	if (LINUX_S_ISDIR(in->i_mode))
		drop_dir(r, ino);

	err = cut_from(r, ino, in, 0);
	if (!err)
		err = drop_xattr(r, ino, in);
	if (err)
		return err;
	err = ext2fs_inode_size_set(r->fs, (struct ext2_inode *)in, 0);
	if (err)
		return err;
	in->i_dtime = r->now;
	err = e2fc_write_inode(r->fs, ino, in);
	if (err)
		return err;
	e2fc_touch_inode(r, ino, 0);
	r->st->orphans_freed++;
	return r->err;
}

/*
 * inline data past i_size goes, as the kernel's truncate of inline data:
 * the system.data value shrinks to what lies past the 60 bytes of
 * i_block, and i_block is zeroed past i_size; in is read again
 */
static errcode_t cut_inline(struct replay *r, ext2_ino_t ino,
			    struct ext2_inode_large *in)
{
	ext2_filsys fs = r->fs;
	size_t have = 0, keep = EXT2_I_SIZE(in);
	char *buf;
	errcode_t err;

	err = ext2fs_inline_data_size(fs, ino, &have);
	if (err == EXT2_ET_NO_INLINE_DATA)
		return 0;		/* nothing past i_block: e2fsck's */
	if (err || keep >= have)
		return err;
	err = ext2fs_get_memzero(have, &buf);
	if (err)
		return err;
	err = ext2fs_inline_data_get(fs, ino, NULL, buf, NULL);
	if (!err) {
		memset(buf + keep, 0, have - keep);
		if (keep < EXT4_MIN_INLINE_DATA_SIZE)
			keep = EXT4_MIN_INLINE_DATA_SIZE;
		err = ext2fs_inline_data_set(fs, ino, NULL, buf, keep);
	}
	ext2fs_free_mem(&buf);
	if (!err)
		err = e2fc_read_inode(fs, ino, in);
	return err;
}

/* links > 0: truncated to its size, off the list */
static errcode_t orphan_truncate(struct replay *r, ext2_ino_t ino,
				 struct ext2_inode_large *in)
{
	ext2_filsys fs = r->fs;
	blk64_t eof = (EXT2_I_SIZE(in) + fs->blocksize - 1) / fs->blocksize;
	errcode_t err;

	if (in->i_flags & EXT4_INLINE_DATA_FL)
		err = cut_inline(r, ino, in);
	else
		err = cut_from(r, ino, in, eof);
	if (err)
		return err;
	in->i_dtime = 0;
	err = e2fc_write_inode(fs, ino, in);
	if (!err)
		r->st->orphans_truncated++;
	return err;
}

/* the FC replay unlinked it: fc_replay.c frees it with the others */
static int freed_by_fc(struct replay *r, ext2_ino_t ino)
{
	unsigned i;

	for (i = 0; i < r->norph; i++)
		if (r->orphans[i] == ino)
			return 1;
	return 0;
}

static errcode_t orphans_process(struct replay *r, struct orphans *o)
{
	struct ext2_inode_large in;
	unsigned i;
	errcode_t err;

	for (i = 0; i < o->n; i++) {
		ext2_ino_t ino = o->ino[i];

		err = e2fc_note_inode(r, ino);
		if (!err)
			err = e2fc_read_inode(r->fs, ino, &in);
		if (err)
			return err;
		if (!in.i_links_count && freed_by_fc(r, ino)) {
			in.i_dtime = 0;		/* fc_replay.c frees it */
			err = e2fc_write_inode(r->fs, ino, &in);
		} else if (!in.i_links_count) {
			err = orphan_free(r, ino, &in);
		} else {
			err = orphan_truncate(r, ino, &in);
		}
		if (err)
			return err;
	}
	return 0;
}

errcode_t e2fc_orphans_settle(struct replay *r)
{
	ext2_filsys fs = r->fs;
	struct orphans o;
	int clean = 1;
	errcode_t err;

	if (!fs->super->s_last_orphan && !r->nmod &&
	    !ext2fs_has_feature_orphan_file(fs->super) &&
	    !ext2fs_has_feature_orphan_present(fs->super))
		return 0;
	memset(&o, 0, sizeof(o));
	err = ext2fs_allocate_inode_bitmap(fs, "fc orphans", &o.seen);
	if (!err)
		err = list_collect(r, &o);
	if (!err)
		err = collect_from(r, &o, r->listed, r->nlisted, listed_want);
	if (!err)
		err = file_collect(r, &o, &clean);
	if (!err)
		err = collect_from(r, &o, r->modified, r->nmod, fc_want);
	if (!err)
		err = orphans_process(r, &o);
	if (!err) {
		fs->super->s_last_orphan = 0;
		if (clean)
			ext2fs_clear_feature_orphan_present(fs->super);
		ext2fs_mark_super_dirty(fs);
	}
	if (o.seen)
		ext2fs_free_inode_bitmap(o.seen);
	ext2fs_free_mem(&o.ino);
	return err;
}

/* ---- the -n plan: count without changing anything ------------------- */

struct plan_view {
	ext2_filsys		fs;
	struct e2fc_journal	*j;
	const struct e2fc_log	*log;
	uint8_t			*buf;
};

/* the last copy of blk the replay of the log writes (the rule of
 * e2fc_log_block_fate), or NULL */
static const struct e2fc_log_block *view_logged(struct plan_view *v,
						blk64_t blk)
{
	if (!v->j)
		return NULL;
	return e2fc_log_last_write(v->log, blk,
				   ext2fs_blocks_count(v->fs->super));
}

/* block blk as the replay of the log leaves it */
static errcode_t view_read(struct plan_view *v, blk64_t blk)
{
	const struct e2fc_log_block *last = view_logged(v, blk);
	errcode_t err;

	if (!last)
		return io_channel_read_blk64(v->fs->io, blk, 1, v->buf);
	err = e2fc_journal_read(v->j, last->log_block, 1, v->buf);
	if (!err && last->escaped)
		e2fc_put_be32(v->buf, JBD2_MAGIC);
	return err;
}

/* field off (le32) of inode ino as the log leaves it */
static errcode_t view_inode_le32(struct plan_view *v, ext2_ino_t ino,
				 unsigned off, uint32_t *val)
{
	ext2_filsys fs = v->fs;
	uint32_t ipg = fs->super->s_inodes_per_group;
	dgrp_t g = (ino - 1) / ipg;
	uint64_t pos = (uint64_t)((ino - 1) % ipg) * EXT2_INODE_SIZE(fs->super);
	errcode_t err;

	err = view_read(v, ext2fs_inode_table_loc(fs, g) +
			pos / fs->blocksize);
	if (!err)
		*val = e2fc_get_le32(v->buf + pos % fs->blocksize + off);
	return err;
}

static int list_ino_ok(ext2_filsys fs, uint32_t ino)
{
	return ino >= EXT2_FIRST_INO(fs->super) &&
	       ino <= fs->super->s_inodes_count;
}

/* the orphan after ino on the list the log leaves; 0 at its end */
static uint32_t list_next(struct plan_view *v, uint32_t ino)
{
	uint32_t next;

	if (!list_ino_ok(v->fs, ino) ||
	    view_inode_le32(v, ino, E2FC_INODE_DTIME, &next) ||
	    !list_ino_ok(v->fs, next))
		return 0;
	return next;
}

/*
 * The inodes on the list starting at ino, each once: Brent's cycle
 * search finds the length of a loop, a second walk the steps into it.
 */
static unsigned count_chain(struct plan_view *v, uint32_t ino)
{
	uint32_t slow = ino, fast;
	unsigned power = 1, lam = 1, mu = 0, n = 1;

	if (!list_ino_ok(v->fs, ino))
		return 0;
	fast = list_next(v, ino);
	while (fast && fast != slow) {
		if (power == lam) {
			slow = fast;
			power *= 2;
			lam = 0;
		}
		fast = list_next(v, fast);
		lam++;
		n++;
	}
	if (!fast)
		return n;	/* no loop: n inodes, the last ends it */
	slow = fast = ino;
	for (n = 0; n < lam; n++)
		fast = list_next(v, fast);
	while (slow != fast && mu < v->fs->super->s_inodes_count) {
		slow = list_next(v, slow);
		fast = list_next(v, fast);
		mu++;
	}
	return mu + lam;
}

static unsigned count_list(struct plan_view *v)
{
	ext2_filsys fs = v->fs;
	blk64_t sb = E2FC_SB_OFFSET / fs->blocksize;
	unsigned off = E2FC_SB_OFFSET % fs->blocksize;
	uint32_t ino = fs->super->s_last_orphan;

	/* the superblock the log leaves, else the one fs holds */
	if (view_logged(v, sb)) {
		if (view_read(v, sb))
			return 0;
		ino = e2fc_get_le32(v->buf + off + E2FC_SB_LAST_ORPHAN);
	}
	return count_chain(v, ino);
}

static unsigned count_file(struct plan_view *v)
{
	ext2_filsys fs = v->fs;
	ext2_ino_t fino = fs->super->s_orphan_file_inum;
	struct ext2_inode_large in;
	blk64_t lblk, nblk, pblk;
	unsigned i, n = 0, per = (fs->blocksize - E2FC_ORPHAN_TAIL_SIZE) / 4;

	if (!ext2fs_has_feature_orphan_file(fs->super) || !fino ||
	    fino > fs->super->s_inodes_count || e2fc_read_inode(fs, fino, &in))
		return 0;
	nblk = EXT2_I_SIZE(&in) / fs->blocksize;
	if (nblk > ext2fs_blocks_count(fs->super))
		nblk = ext2fs_blocks_count(fs->super);
	for (lblk = 0; lblk < nblk; lblk++) {
		pblk = 0;
		if (ext2fs_bmap2(fs, fino, (struct ext2_inode *)&in, NULL, 0,
				 lblk, NULL, &pblk) || !pblk ||
		    pblk >= ext2fs_blocks_count(fs->super) ||
		    view_read(v, pblk))
			continue;
		for (i = 0; i < per; i++)
			n += e2fc_get_le32(v->buf + 4 * i) != 0;
	}
	return n;
}

errcode_t e2fc_orphans_count(ext2_filsys fs, struct e2fc_journal *j,
			     const struct e2fc_log *log, unsigned *list,
			     unsigned *file)
{
	struct plan_view v = { fs, j, log, NULL };
	errcode_t err;

	*list = *file = 0;
	err = ext2fs_get_mem(fs->blocksize, &v.buf);
	if (err)
		return err;
	*list = count_list(&v);
	*file = count_file(&v);
	ext2fs_free_mem(&v.buf);
	return 0;
}
