// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_replay.c -- recovery: the full jbd2 log first, then the valid fast
 * commits, then the metadata made consistent and the journal reset.
 *
 * Order of work (what e2fc_recover does):
 *  1. e2fc_replay_check(): every tag of the plan is checked against the
 *     file system before anything is written (hostile input is refused).
 *  2. Every block of every complete transaction is written to its target
 *     in log order, unless revoked by the same or a later transaction or
 *     its checksum fails; escaped blocks get the jbd2 magic back.  The
 *     file system is then reopened so that it reads the replayed metadata.
 *  3. The tags of the valid fast commits are applied (fc_apply.c).  Blocks
 *     the fast commits map are excluded from allocation meanwhile (the
 *     kernel does the same), so a directory or extent-tree block allocated
 *     during replay never lands on data the log is about to map.
 *  4. The blocks of every modified inode are marked in use, its i_blocks is
 *     recomputed from its real block map; the orphans on the orphan list
 *     and in the orphan file are freed or truncated (fc_orphan.c, also
 *     when there is no fast commit), inodes whose links fell to 0 are
 *     freed; the counts and flags of every touched
 *     group and the superblock free counts are recomputed (the latter
 *     also after a replay of the log alone); needs_recovery
 *     is cleared and the journal reset (s_start 0, next tid).
 *
 * Bitmaps are read per group, only for the groups the replay touches
 * (fc_bitmaps.c); only the primary superblock and descriptors are written
 * (EXT2_FLAG_MASTER_SB_ONLY), as the kernel does.
 *
 * This file is the top of the engine: it calls fc_apply.c, fc_bitmaps.c,
 * fc_names.c and fc_meta.c, and nothing calls back up into it (the layers
 * are listed in fc_meta.h).  A replay's state is its struct replay, found
 * from the fs by the allocation hooks (fs->priv_data): any number of
 * replays may run in one process, even nested (not in threads).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "fc_replay_int.h"
#include "fc_gdt.h"

/* ---- hostile input ------------------------------------------------------ */

static int ino_ok(ext2_filsys fs, uint32_t ino)
{
	if (!ino || ino > fs->super->s_inodes_count)
		return 0;
	return ino == EXT2_ROOT_INO || ino >= EXT2_FIRST_INO(fs->super);
}

/* a run the replay would read or write: outside the file system or on its
 * metadata (superblocks, descriptors, bitmaps, inode tables, journal) */
static int blocks_bad(ext2_filsys fs, const struct meta_map *m, blk64_t b,
		      blk64_t len)
{
	blk64_t total = ext2fs_blocks_count(fs->super);

	return b < fs->super->s_first_data_block || len > total ||
	       b > total - len || e2fc_meta_overlaps(m, b, len);
}

/* the extent root of a logged inode: leaf ranges, or child nodes */
static int extent_root_bad(ext2_filsys fs, const struct meta_map *m,
			   const struct e2fc_inode *in)
{
	unsigned i, n = in->eh_entries < 4 ? in->eh_entries : 4;
	blk64_t len;

	if (!in->eh_valid)
		return 0;	/* the replay starts an empty root */
	for (i = 0; i < n; i++) {
		len = in->eh_depth ? 1 : in->eh_ent[i].len;
		if (!in->eh_depth && len > EXT4_FC_EXT_MAX_INIT_LEN)
			len -= EXT4_FC_EXT_MAX_INIT_LEN;	/* unwritten */
		if (len && blocks_bad(fs, m, in->eh_ent[i].pblk, len))
			return 1;
	}
	return 0;
}

/* i_block read as the 12 direct and 3 indirect block pointers */
static int pointers_bad(ext2_filsys fs, const struct meta_map *m,
			const uint8_t *i_block)
{
	unsigned i;
	blk64_t b;

	for (i = 0; i < EXT2_N_BLOCKS; i++) {
		b = e2fc_get_le32(i_block + 4 * i);
		if (b && blocks_bad(fs, m, b, 1))
			return 1;
	}
	return 0;
}

/*
 * The blocks an INODE tag makes the replay use: its xattr block (marked
 * in use, freed with the inode) and the blocks its i_block names: the
 * logged extent root, or the logged block pointers of a block-mapped file
 * or directory.  The replay keeps the on-disk i_block of an inode of the
 * same generation: read as block pointers where the logged flags say so,
 * it is checked too (an extent root read as pointers names any block).
 */
static errcode_t check_inode_blocks(ext2_filsys fs, const struct meta_map *m,
				    const struct e2fc_tag *t)
{
	struct ext2_inode_large cur;
	struct e2fc_inode in;
	blk64_t acl;

	e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
	acl = in.file_acl;
	if (!ext2fs_has_feature_64bit(fs->super))
		acl &= 0xffffffffULL;
	if (acl && blocks_bad(fs, m, acl, 1))
		return E2FC_ERR_BAD_BLOCK;
	if (in.inline_data)
		return 0;
	if (in.has_extents)
		return extent_root_bad(fs, m, &in) ? E2FC_ERR_BAD_BLOCK : 0;
	if (!LINUX_S_ISREG(in.mode) && !LINUX_S_ISDIR(in.mode))
		return 0;	/* fast symlinks and devices hold no pointers */
	if (pointers_bad(fs, m, in.i_block))
		return E2FC_ERR_BAD_BLOCK;
	if (e2fc_read_inode(fs, t->u.inode.ino, &cur) || !cur.i_mode ||
	    cur.i_generation != in.generation ||
	    (cur.i_flags & EXT4_INLINE_DATA_FL))
		return 0;
	return pointers_bad(fs, m, (const uint8_t *)cur.i_block) ?
	       E2FC_ERR_BAD_BLOCK : 0;
}

/*
 * An inode record no kernel writes, which ext4_iget or e2fsck's pass 1
 * refuses (found by fuzz/campaign.py: replayed, they left an image e2fsck
 * repairs): an unknown file type, a root that is not a directory, flags
 * the file system's features or the file type do not allow, an extent
 * root that is not one, an invalid i_extra_isize, the obsolete fragment
 * address set.
 */
static int inode_record_bad(ext2_filsys fs, const struct e2fc_tag *t)
{
	struct e2fc_inode in;
	unsigned type;

	e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
	type = in.mode & 0xF000;
	if (type != LINUX_S_IFREG && type != LINUX_S_IFDIR &&
	    type != LINUX_S_IFLNK && type != LINUX_S_IFCHR &&
	    type != LINUX_S_IFBLK && type != LINUX_S_IFIFO &&
	    type != LINUX_S_IFSOCK && (in.mode || in.links))
		return 1;
	if (t->u.inode.ino == EXT2_ROOT_INO && type != LINUX_S_IFDIR)
		return 1;
	if (t->u.inode.raw_len > EXT2_GOOD_OLD_INODE_SIZE &&
	    ((in.extra_isize & 3) || EXT2_GOOD_OLD_INODE_SIZE +
	     in.extra_isize > t->u.inode.raw_len))
		return 1;
	if ((in.inline_data && !ext2fs_has_feature_inline_data(fs->super)) ||
	    (in.has_extents && !ext2fs_has_feature_extents(fs->super)) ||
	    (in.inline_data && in.has_extents) ||
	    ((in.flags & (EXT2_INDEX_FL | EXT4_CASEFOLD_FL)) &&
	     type != LINUX_S_IFDIR) ||
	    ((in.flags & EXT4_CASEFOLD_FL) &&
	     !ext2fs_has_feature_casefold(fs->super)))
		return 1;
	if (in.has_extents && (!in.eh_valid || in.eh_max > 4 ||
			       in.eh_entries > in.eh_max || in.eh_depth > 5))
		return 1;
	return e2fc_get_le32(t->u.inode.raw + RI_FADDR) != 0;
}

static errcode_t check_tag(ext2_filsys fs, const struct meta_map *m,
			   const struct e2fc_tag *t)
{
	const uint8_t *p;
	uint64_t end;
	unsigned i;

	switch (t->tag) {
	case EXT4_FC_TAG_ADD_RANGE:
		if (!ino_ok(fs, t->u.add.ino))
			return E2FC_ERR_BAD_INODE_NUM;
		end = (uint64_t)t->u.add.lblk + t->u.add.len;
		if (!t->u.add.len || end > (1ULL << 32))
			return E2FC_ERR_BAD_RANGE;
		if (t->u.add.pblk < fs->super->s_first_data_block ||
		    t->u.add.pblk + t->u.add.len > ext2fs_blocks_count(fs->super)
		    || e2fc_meta_overlaps(m, t->u.add.pblk, t->u.add.len))
			return E2FC_ERR_BAD_BLOCK;
		return 0;
	case EXT4_FC_TAG_DEL_RANGE:
		if (!ino_ok(fs, t->u.del.ino))
			return E2FC_ERR_BAD_INODE_NUM;
		if ((uint64_t)t->u.del.lblk + t->u.del.len > (1ULL << 32))
			return E2FC_ERR_BAD_RANGE;
		return 0;
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		if (!ino_ok(fs, t->u.dentry.ino) ||
		    !ino_ok(fs, t->u.dentry.parent))
			return E2FC_ERR_BAD_INODE_NUM;
		p = t->u.dentry.name;
		if (!t->u.dentry.name_len || t->u.dentry.name_len > 255)
			return E2FC_ERR_BAD_NAME;
		for (i = 0; i < t->u.dentry.name_len; i++)
			if (!p[i] || p[i] == '/')
				return E2FC_ERR_BAD_NAME;
		if ((t->u.dentry.name_len == 1 && p[0] == '.') ||
		    (t->u.dentry.name_len == 2 && p[0] == '.' && p[1] == '.'))
			return E2FC_ERR_BAD_NAME;
		return 0;
	case EXT4_FC_TAG_INODE:
		if (!ino_ok(fs, t->u.inode.ino))
			return E2FC_ERR_BAD_INODE_NUM;
		if (t->u.inode.raw_len < EXT2_GOOD_OLD_INODE_SIZE ||
		    t->u.inode.raw_len > EXT2_INODE_SIZE(fs->super) ||
		    inode_record_bad(fs, t))
			return E2FC_ERR_BAD_INODE;
		return check_inode_blocks(fs, m, t);
	}
	return 0;
}

errcode_t e2fc_replay_check(ext2_filsys fs, const struct e2fc_fc *fc,
			    unsigned *bad_commit, unsigned *bad_tag)
{
	return e2fc_replay_check_map(fs, fc, bad_commit, bad_tag, NULL);
}

errcode_t e2fc_replay_check_map(ext2_filsys fs, const struct e2fc_fc *fc,
				unsigned *bad_commit, unsigned *bad_tag,
				struct meta_map **keep)
{
	struct meta_map m;
	unsigned c, k;
	errcode_t err;

	*bad_commit = *bad_tag = 0;
	if (keep)
		*keep = NULL;
	if (!fc || !fc->replay_commits)
		return 0;
	err = e2fc_meta_build(fs, &m);
	for (c = 0; !err && c < fc->replay_commits; c++) {
		const struct e2fc_commit *cm = &fc->commits[c];

		for (k = 0; !err && k < cm->ntags; k++) {
			err = check_tag(fs, &m, &fc->tags[cm->first_tag + k]);
			if (err) {
				*bad_commit = c;
				*bad_tag = k;
			}
		}
	}
	if (!err && keep)
		err = ext2fs_get_mem(sizeof(**keep), keep);
	if (!err && keep) {
		**keep = m;
		return 0;
	}
	ext2fs_free_mem(&m.r);
	return err;
}

/* ---- step 2: the full jbd2 log ------------------------------------------ */

/* the rule for one log block, counted in st; 1 if it is to be written */
static int block_written(const struct e2fc_log *log,
			 const struct e2fc_log_block *b, blk64_t nblocks,
			 struct e2fc_replay_stats *st)
{
	switch (e2fc_log_block_fate(log, b, nblocks)) {
	case E2FC_LB_REVOKED:
		st->log_revoked++;
		return 0;
	case E2FC_LB_BAD_CSUM:
		st->log_bad_csum++;
		return 0;
	case E2FC_LB_OUTSIDE:
		return 0;	/* the kernel fails this write */
	case E2FC_LB_WRITE:
		break;
	}
	st->log_blocks++;
	return 1;
}

/* the contents a log block puts on its target (its escape undone) */
static errcode_t read_log_block(struct e2fc_journal *j,
				const struct e2fc_log_block *b, uint8_t *buf)
{
	errcode_t err;

	err = e2fc_journal_read(j, b->log_block, 1, buf);
	if (!err && b->escaped)
		e2fc_put_be32(buf, JBD2_MAGIC);
	return err;
}

static void count_trans(const struct e2fc_log *log,
			struct e2fc_replay_stats *st)
{
	unsigned t;

	for (t = 0; t < log->ntrans; t++)
		st->log_trans += log->trans[t].complete;
}

static errcode_t replay_log(ext2_filsys fs, struct e2fc_journal *j,
			    const struct e2fc_log *log,
			    struct e2fc_replay_stats *st)
{
	unsigned t, i, ntrans = e2fc_log_replayed_trans(log);
	blk64_t nblocks = ext2fs_blocks_count(fs->super);
	uint8_t *buf;
	errcode_t err;

	err = ext2fs_get_mem(fs->blocksize, &buf);
	if (err)
		return err;
	for (t = 0; t < ntrans && !err; t++) {
		const struct e2fc_log_trans *tr = &log->trans[t];

		for (i = tr->first_lb; i < tr->first_lb + tr->ndata && !err;
		     i++) {
			const struct e2fc_log_block *b = &log->blocks[i];

			if (!block_written(log, b, nblocks, st))
				continue;
			err = read_log_block(j, b, buf);
			if (!err)
				err = io_channel_write_blk64(fs->io, b->target,
							     1, buf);
		}
	}
	count_trans(log, st);
	ext2fs_free_mem(&buf);
	if (!err)
		err = io_channel_flush(fs->io);
	return err;
}

/*
 * The log straight to a channel on the device, in bounded memory: the
 * last version of each target that the rule writes, in block order, in
 * runs of up to RUN_BLOCKS.  The bytes are those of replay_log (a later
 * version of a block overwrites an earlier one there), and like it this
 * can be cut and run again: the journal still holds the log.
 */
#define RUN_BLOCKS	256

/* the blocks the rule writes, sorted, newest version of each target
 * only, with the log's counts in st */
static errcode_t final_versions(const struct e2fc_log *log, blk64_t nblocks,
				struct e2fc_lb_ref **refs, unsigned *nref,
				struct e2fc_replay_stats *st)
{
	unsigned counts[E2FC_LB_OUTSIDE + 1] = { 0 };
	errcode_t err;

	err = e2fc_log_writes(log, nblocks, refs, nref, counts);
	if (err)
		return err;
	st->log_revoked += counts[E2FC_LB_REVOKED];
	st->log_bad_csum += counts[E2FC_LB_BAD_CSUM];
	st->log_blocks += counts[E2FC_LB_WRITE];
	return 0;
}

static errcode_t write_runs(io_channel io, struct e2fc_journal *j,
			    const struct e2fc_log *log,
			    const struct e2fc_lb_ref *r, unsigned n, unsigned bs)
{
	uint8_t *buf;
	unsigned i = 0, len;
	errcode_t err;

	err = ext2fs_get_array(RUN_BLOCKS, bs, &buf);
	if (err)
		return err;
	while (i < n && !err) {
		for (len = 0; i + len < n && len < RUN_BLOCKS &&
		     r[i + len].target == r[i].target + len && !err; len++) {
			err = read_log_block(j, &log->blocks[r[i + len].idx],
					     buf + (size_t)len * bs);
		}
		if (!err)
			err = io_channel_write_blk64(io, r[i].target, len, buf);
		i += len;
	}
	ext2fs_free_mem(&buf);
	return err;
}

errcode_t e2fc_log_replay_to(io_channel io, struct e2fc_journal *j,
			     const struct e2fc_log *log, blk64_t nblocks,
			     struct e2fc_replay_stats *st)
{
	struct e2fc_lb_ref *r = NULL;
	unsigned n = 0;
	errcode_t err;

	err = final_versions(log, nblocks, &r, &n, st);
	if (!err)
		err = write_runs(io, j, log, r, n, j->fs->blocksize);
	if (!err)
		err = io_channel_flush(io);
	count_trans(log, st);
	ext2fs_free_mem(&r);
	return err;
}

/* zero stats; with keep_log, the log_* fields e2fc_log_prewrite() set stay */
static void log_stats_reset(struct e2fc_replay_stats *st, int keep_log)
{
	struct e2fc_replay_stats old = *st;

	memset(st, 0, sizeof(*st));
	if (!keep_log)
		return;
	st->log_trans = old.log_trans;
	st->log_blocks = old.log_blocks;
	st->log_revoked = old.log_revoked;
	st->log_bad_csum = old.log_bad_csum;
}

/* a block of transaction tid: its header's type, else 0 */
static unsigned log_block_type(const uint8_t *b, uint32_t tid)
{
	if (e2fc_get_be32(b + JBD2_HDR_MAGIC) != JBD2_MAGIC ||
	    e2fc_get_be32(b + JBD2_HDR_SEQUENCE) != tid)
		return 0;
	return e2fc_get_be32(b + JBD2_HDR_BLOCKTYPE);
}

/* a commit block of tid with a good checksum after blk, before the log
 * comes round to its start */
static errcode_t commit_follows(struct e2fc_journal *j,
				const struct e2fc_log *log, uint32_t blk,
				uint8_t *buf, int *found)
{
	uint32_t n;
	errcode_t err = 0;

	*found = 0;
	for (n = 0; n < j->sb.maxlen && !*found && !err; n++) {
		blk = e2fc_log_next(&j->sb, blk);
		if (blk == log->start_block)
			break;
		err = e2fc_journal_read(j, blk, 1, buf);
		*found = !err && log_block_type(buf, log->expected_tid) ==
			 JBD2_BT_COMMIT &&
			 e2fc_jbd2_commit_csum(&j->sb, buf, j->blocksize) ==
			 e2fc_get_be32(buf + JBD2_COMMIT_CHKSUM);
	}
	return err;
}

/*
 * The scan ended at a block of the next transaction whose own checksum
 * fails: at its commit block, or at a descriptor or revoke block followed
 * by its good commit block.  Not the end of the log but a corrupt
 * transaction: the kernel fails the mount (j_failed_commit, "invalid
 * checksum found in transaction") and e2fsck checks the file system in
 * full.  *tid: that transaction's tid + 1 (0: none).  A torn descriptor
 * has no commit block after it (the commit is written after a flush): the
 * end of the log, as for the kernel; with async_commit too.
 */
static errcode_t failed_commit(struct e2fc_journal *j,
			       const struct e2fc_log *log, uint32_t *tid)
{
	uint8_t *buf;
	unsigned type;
	int found = 0;
	errcode_t err;

	*tid = 0;
	if (log->stop != E2FC_LOG_CSUM ||
	    (j->sb.feature_incompat & JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT))
		return 0;
	err = ext2fs_get_mem(j->blocksize, &buf);
	if (err)
		return err;
	err = e2fc_journal_read(j, log->end_block, 1, buf);
	type = err ? 0 : log_block_type(buf, log->expected_tid);
	if (type == JBD2_BT_COMMIT)
		found = 1;
	else if (type == JBD2_BT_DESCRIPTOR || type == JBD2_BT_REVOKE)
		err = commit_follows(j, log, log->end_block, buf, &found);
	if (found)
		*tid = log->expected_tid + 1;
	ext2fs_free_mem(&buf);
	return err;
}

/*
 * Drop the in-memory fs without writing it back, open it again; an
 * overlay channel is kept open until the new one has taken its writes.
 * The new fs keeps the old one's descriptor array and reads again only
 * the descriptor blocks log wrote (fc_gdt.c): on 64 TiB the array is
 * 32 MiB, and a fresh one costs a page fault per 4 KiB.
 */
static errcode_t reopen(ext2_filsys *fsp, struct e2fc_journal *j,
			const struct e2fc_log *log, int *moved)
{
	ext2_filsys fs = *fsp, nfs;
	io_manager mgr = fs->io->manager;
	io_channel hold = NULL;
	const char *opts = e2fc_overlay_reopen_options(fs->io);
	char *name = NULL;
	int flags = fs->flags & (EXT2_FLAG_RW | EXT2_FLAG_64BITS |
				 EXT2_FLAG_EXCLUSIVE);
	void *desc = NULL;
	size_t desc_size = (size_t)fs->desc_blocks * fs->blocksize;
	errcode_t err;

	err = ext2fs_get_mem(strlen(fs->device_name) + 1, &name);
	if (err)
		return err;
	strcpy(name, fs->device_name);
	if (opts) {
		hold = fs->io;
		io_channel_bumpcount(hold);
	}
	if (e2fc_gdt_by_block(fs)) {
		desc = fs->group_desc;
		fs->group_desc = NULL;
	}
	fs->flags &= ~EXT2_FLAG_DIRTY;
	ext2fs_free(fs);
	*fsp = NULL;
	err = ext2fs_open2(name, opts, flags | (desc ? EXT2_FLAG_SUPER_ONLY :
			   0), 0, 0, mgr, &nfs);
	ext2fs_free_mem(&name);
	*moved = 1;
	if (!err && desc) {
		err = e2fc_gdt_adopt(nfs, desc, desc_size, log, moved);
		desc = NULL;
		if (err)
			ext2fs_free(nfs);
	}
	ext2fs_free_mem(&desc);
	if (hold)
		io_channel_close(hold);
	if (err)
		return err;
	*fsp = nfs;
	j->fs = nfs;
	return 0;
}

/* ---- step 4: consistency ------------------------------------------------- */

static void mark_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	e2fc_touch_block(arg, blk, count, 1);
}

/* free what was unmapped during the replay and is not mapped now */
static void settle_released(struct replay *r)
{
	ext2_filsys fs = r->fs;
	blk64_t b = fs->super->s_first_data_block, last, set, zero;

	last = ext2fs_blocks_count(fs->super) - 1;
	while (b <= last) {
		if (ext2fs_find_first_set_block_bitmap2(r->released, b, last,
							&set))
			break;
		if (ext2fs_find_first_zero_block_bitmap2(r->released, set,
							 last, &zero))
			zero = last + 1;
		for (b = set; b < zero; b++)
			if (!ext2fs_test_block_bitmap2(r->owned, b))
				e2fc_touch_block(r, b, 1, 0);
	}
}

/* a whole extent past EOF, to delete */
struct cut {
	blk64_t		lblk, pblk;
	__u32		len;
};

/* the extents trim_to_size removes: wholly past eof (written ones of a
 * file, all of a directory), in tree order; *part: the end of an extent
 * that straddles eof and must lose its tail (0: none) */
static errcode_t find_cuts(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *in, blk64_t eof, int dir,
			   struct cut **cuts, size_t *n, blk64_t *part)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	size_t cap = 0;
	int op = EXT2_EXTENT_ROOT;
	errcode_t err;

	*n = 0;
	*part = 0;
	err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)in, &h);
	if (err)
		return err;
	while (!err && !ext2fs_extent_get(h, op, &e)) {
		op = EXT2_EXTENT_NEXT_LEAF;
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF) ||
		    ((e.e_flags & EXT2_EXTENT_FLAGS_UNINIT) && !dir) ||
		    e.e_lblk + e.e_len <= eof)
			continue;
		if (e.e_lblk < eof) {
			*part = e.e_lblk + e.e_len;
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			err = ext2fs_resize_mem(0, cap * sizeof(**cuts), cuts);
			if (err)
				break;
		}
		(*cuts)[*n].lblk = e.e_lblk;
		(*cuts)[*n].pblk = e.e_pblk;
		(*cuts)[(*n)++].len = e.e_len;
	}
	ext2fs_extent_free(h);
	return err;
}

/* delete one whole extent and free its blocks with one call (ext2fs_punch
 * frees block by block: hostile ADD_RANGEs mapping 32768 blocks each past
 * EOF made that minutes) */
static errcode_t drop_extent(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode_large *in, const struct cut *c)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	errcode_t err;

	err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)in, &h);
	if (err)
		return err;
	err = ext2fs_extent_goto(h, c->lblk);
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (!err && (e.e_lblk != c->lblk || e.e_len != c->len))
		err = EXT2_ET_EXTENT_NOT_FOUND;
	if (!err)
		err = ext2fs_extent_delete(h, 0);
	ext2fs_extent_free(h);
	if (!err)
		ext2fs_block_alloc_stats_range(fs, c->pblk, c->len, -1);
	return err;
}

/* written blocks past the end of a regular file, and any block past the
 * end of a directory (a reused inode keeps the old file's tree), are
 * unmapped: the kernel trims the tree to i_size after ranges, e2fsck
 * wants no initialised block past EOF; a file's unwritten preallocation
 * past EOF stays (extents only; a block-mapped inode is punched from
 * EOF on) */
static errcode_t trim_to_size(ext2_filsys fs, ext2_ino_t ino,
			      struct ext2_inode_large *in)
{
	blk64_t eof = (EXT2_I_SIZE(in) + fs->blocksize - 1) / fs->blocksize;
	int dir = LINUX_S_ISDIR(in->i_mode);
	struct cut *cuts = NULL;
	blk64_t part;
	size_t n, i;
	errcode_t err;

	if (!LINUX_S_ISREG(in->i_mode) && !dir)
		return 0;
	if (!e2fc_extent_mapped(in)) {
		/* block pointers: no unwritten state, everything past EOF
		 * goes (not inline data) */
		if ((in->i_flags & EXT4_INLINE_DATA_FL) ||
		    !ext2fs_inode_has_valid_blocks2(fs,
						    (struct ext2_inode *)in))
			return 0;
		return ext2fs_punch(fs, ino, (struct ext2_inode *)in, NULL,
				    eof, ~0ULL);
	}
	err = find_cuts(fs, ino, in, eof, dir, &cuts, &n, &part);
	/* from the last one: a deletion leaves the earlier ones in place;
	 * with clusters, ext2fs_punch knows which are shared */
	for (i = n; !err && i-- > 0; )
		err = EXT2FS_CLUSTER_RATIO(fs) > 1 ?
		      ext2fs_punch(fs, ino, (struct ext2_inode *)in, NULL,
				   cuts[i].lblk,
				   cuts[i].lblk + cuts[i].len - 1) :
		      drop_extent(fs, ino, in, &cuts[i]);
	ext2fs_free_mem(&cuts);
	if (!err && part > eof)		/* the tail of the one across eof */
		err = ext2fs_punch(fs, ino, (struct ext2_inode *)in, NULL,
				   eof, part - 1);
	return err;
}

/* rewrite every extent block so that its checksum matches the inode's
 * (a reused inode number keeps the old tree under a new generation) */
static errcode_t reseal_extents(ext2_filsys fs, ext2_ino_t ino,
				struct ext2_inode_large *in)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	struct ext2_extent_info info;
	int op = EXT2_EXTENT_ROOT;
	errcode_t err;

	if (!ext2fs_has_feature_metadata_csum(fs->super) ||
	    !e2fc_extent_mapped(in))
		return 0;
	err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)in, &h);
	if (err)
		return err;
	while (!(err = ext2fs_extent_get(h, op, &e))) {
		op = EXT2_EXTENT_NEXT_LEAF;
		if (ext2fs_extent_get_info(h, &info) || !info.curr_level ||
		    info.curr_entry != 1)
			continue;	/* the root, or not a node's first */
		err = ext2fs_extent_replace(h, 0, &e);
		if (err)
			break;
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT ? 0 : err;
}

/* i_blocks from the real block map */
static errcode_t fix_iblocks(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode_large *in)
{
	blk64_t n = 0;
	errcode_t err;

	err = e2fc_count_iblocks(fs, ino, (struct ext2_inode *)in, &n);
	if (!err)
		err = ext2fs_iblk_set(fs, (struct ext2_inode *)in, n);
	if (!err)
		err = e2fc_write_inode(fs, ino, in);
	return err;
}

/* mark the blocks of every modified live inode, fix its i_blocks */
static errcode_t settle_inodes(struct replay *r)
{
	struct ext2_inode_large in;
	unsigned i;
	errcode_t err;

	r->settling = 1;

	for (i = 0; i < r->nmod; i++) {
		ext2_ino_t ino = r->modified[i];

		if (ext2fs_test_inode_bitmap2(r->modmap, ino))
			continue;
		ext2fs_mark_inode_bitmap2(r->modmap, ino);
		if (!e2fc_inode_live(r->fs, ino, &in))
			continue;
		/* i_blocks first (punch subtracts from it), then the
		 * trim, then the final map */
		err = reseal_extents(r->fs, ino, &in);
		if (!err)
			err = fix_iblocks(r->fs, ino, &in);
		if (!err)
			err = trim_to_size(r->fs, ino, &in);
		if (!err)
			err = e2fc_read_inode(r->fs, ino, &in);
		if (!err)
			err = e2fc_walk_blocks(r->fs, ino,
					       (struct ext2_inode *)&in,
					       mark_cb, r);
		if (!err)
			err = fix_iblocks(r->fs, ino, &in);
		if (err)
			return err;
	}
	settle_released(r);
	return 0;
}

static void unmark_free_cb(ext2_filsys fs, blk64_t blk, blk64_t count,
			   void *arg)
{
	struct replay *r = arg;

	e2fc_touch_block(r, blk, count, 0);
	r->st->blocks_freed += count;
}

static errcode_t free_inode(struct replay *r, ext2_ino_t ino)
{
	struct ext2_inode_large in;
	errcode_t err;

	err = e2fc_note_inode(r, ino);
	if (!err)
		err = e2fc_read_inode(r->fs, ino, &in);
	if (err)
		return err;
	if (in.i_links_count)
		return 0;		/* linked again later in the log */
	if (in.i_mode) {
		err = e2fc_walk_blocks(r->fs, ino, (struct ext2_inode *)&in,
				       unmark_free_cb, r);
		if (err)
			return err;
	}
	in.i_dtime = r->now;
	err = e2fc_write_inode(r->fs, ino, &in);
	if (!err) {
		e2fc_touch_inode(r, ino, 0);
		r->st->inodes_freed++;
	}
	return err;
}

/* the on-disk orphans (fc_orphan.c), then inodes whose links fell to 0 */
static errcode_t settle_orphans(struct replay *r)
{
	unsigned i;
	errcode_t err;

	err = e2fc_orphans_settle(r);
	for (i = 0; !err && i < r->norph; i++)
		err = free_inode(r, r->orphans[i]);
	return err;
}

/* directories created or removed change their group's used_dirs count */
static void settle_dirs(struct replay *r)
{
	struct ext2_inode_large in;
	unsigned i;

	for (i = 0; i < r->nnotes; i++) {
		ext2_ino_t ino = r->notes[i].ino;
		dgrp_t g = ext2fs_group_of_ino(r->fs, ino);
		int is_dir = e2fc_ino_in_use(r, ino) &&
			     e2fc_inode_live(r->fs, ino, &in) &&
			     LINUX_S_ISDIR(in.i_mode);
		uint32_t n = ext2fs_bg_used_dirs_count(r->fs, g);

		if (is_dir == r->notes[i].was_dir)
			continue;
		if (is_dir)
			n++;
		else if (n)
			n--;
		ext2fs_bg_used_dirs_count_set(r->fs, g, n);
		e2fc_touch_group(r, g);
	}
}

/* blocks marked in use in [first, last], run by run */
static blk64_t count_used(ext2fs_block_bitmap map, blk64_t first,
			  blk64_t last)
{
	blk64_t b = first, set, zero, used = 0;

	while (b <= last) {
		if (ext2fs_find_first_set_block_bitmap2(map, b, last, &set))
			break;
		if (ext2fs_find_first_zero_block_bitmap2(map, set, last,
							 &zero)) {
			used += last - set + 1;
			break;
		}
		used += zero - set;
		b = zero;
	}
	return used;
}

/* recount one group from the bitmaps; clear its UNINIT flags */
static errcode_t recount_group(struct replay *r, dgrp_t g)
{
	ext2_filsys fs = r->fs;
	blk64_t first = ext2fs_group_first_block2(fs, g);
	blk64_t last = ext2fs_group_last_block2(fs, g), used = 0;
	uint32_t ipg = fs->super->s_inodes_per_group, i, free_ino = 0;
	uint32_t highest = 0;
	ext2_ino_t base = g * ipg + 1;
	errcode_t err;

	err = e2fc_load_group(r, g);
	if (err)
		return err;
	used = count_used(fs->block_map, first, last);
	for (i = 0; i < ipg; i++) {
		if (ext2fs_test_inode_bitmap2(fs->inode_map, base + i))
			highest = i + 1;
		else
			free_ino++;
	}
	ext2fs_bg_free_blocks_count_set(fs, g,
					e2fc_free_clusters(fs, first, last, used));
	ext2fs_bg_free_inodes_count_set(fs, g, free_ino);
	ext2fs_bg_flags_clear(fs, g, EXT2_BG_BLOCK_UNINIT);
	if (highest)
		ext2fs_bg_flags_clear(fs, g, EXT2_BG_INODE_UNINIT);
	if (ext2fs_has_group_desc_csum(fs) &&
	    ext2fs_bg_itable_unused(fs, g) > ipg - highest)
		ext2fs_bg_itable_unused_set(fs, g, ipg - highest);
	err = e2fc_bitmaps_write(r, g);	/* sets the bitmap checksums */
	ext2fs_group_desc_csum_set(fs, g);
	return err;
}

/* the superblock's free counts: the sums of the group descriptors' (the
 * kernel's mount computes them so, the log leaves them stale) */
static void super_counts(ext2_filsys fs)
{
	uint64_t free_blocks, free_inodes;

	e2fc_gd_free_totals(fs, &free_blocks, &free_inodes);
	ext2fs_free_blocks_count_set(fs->super,
				     EXT2FS_C2B(fs, free_blocks));
	fs->super->s_free_inodes_count = (uint32_t)free_inodes;
	ext2fs_mark_super_dirty(fs);
}

static errcode_t settle_counts(struct replay *r)
{
	dgrp_t g;
	errcode_t err;

	for (g = 0; g < r->fs->group_desc_count; g++) {
		if (r->gstate[g] & GS_TOUCHED) {
			err = recount_group(r, g);
			if (err)
				return err;
		}
	}
	super_counts(r->fs);
	return 0;
}

/* ---- the driver ----------------------------------------------------------- */

void e2fc_replay_free(struct replay *r)
{
	if (r->excluded)
		ext2fs_free_block_bitmap(r->excluded);
	if (r->released)
		ext2fs_free_block_bitmap(r->released);
	if (r->owned)
		ext2fs_free_block_bitmap(r->owned);
	if (r->seen)
		ext2fs_free_inode_bitmap(r->seen);
	if (r->modmap)
		ext2fs_free_inode_bitmap(r->modmap);
	e2fc_bitmaps_done(r);
	e2fc_names_free(r->names);
	ext2fs_free_mem(&r->pending);
	ext2fs_free_mem(&r->notes);
	ext2fs_free_mem(&r->modified);
	ext2fs_free_mem(&r->orphans);
	ext2fs_free_mem(&r->namechg);
	ext2fs_free_mem(&r->listed);
}

/*
 * The time replay stamps on what it changes (ctime of linked/unlinked
 * inodes, dtime of freed ones): the newest ctime the replayed commits log
 * (about when the last fsync ran), else the superblock's last write time.
 * Never the clock: a run cut short and run again must write the same
 * bytes (fc_writeback.c).
 */
static uint32_t replay_time(ext2_filsys fs, const struct e2fc_fc *fc,
			    unsigned ncommits)
{
	uint32_t t = fs->super->s_wtime, c;
	unsigned i, k;

	for (i = 0; i < ncommits; i++) {
		const struct e2fc_commit *cm = &fc->commits[i];

		for (k = 0; k < cm->ntags; k++) {
			const struct e2fc_tag *tg = &fc->tags[cm->first_tag + k];

			if (tg->tag != EXT4_FC_TAG_INODE ||
			    tg->u.inode.raw_len < RI_CTIME + 4)
				continue;
			c = e2fc_get_le32(tg->u.inode.raw + RI_CTIME);
			if (c > t)
				t = c;
		}
	}
	return t;
}

static errcode_t replay_init(struct replay *r, ext2_filsys fs,
			     const struct e2fc_fc *fc, unsigned ncommits,
			     struct e2fc_replay_stats *st)
{
	unsigned c, k;
	errcode_t err;

	memset(r, 0, sizeof(*r));
	r->fs = fs;
	r->st = st;
	r->now = replay_time(fs, fc, ncommits);
	/* bitmaps as red-black trees, not 2^32-bit arrays (256 MiB apiece
	 * on an 8 TiB fs): memory follows the runs of used blocks, and the
	 * replay's own bitmaps hold only a few runs.  Until the replay
	 * ends (e2fc_recover): the orphan pass's inode bitmap too (a
	 * 128 MiB array on 64 TiB, most of that run's time) */
	r->old_bitmap_type = fs->default_bitmap_type;
	fs->default_bitmap_type = EXT2FS_BMAP64_RBTREE;
	err = e2fc_bitmaps_init(r);
	if (!err)
		err = e2fc_names_init(&r->names);
	if (!err)
		err = ext2fs_allocate_block_bitmap(fs, "fc excluded",
						   &r->excluded);
	if (!err)
		err = ext2fs_allocate_block_bitmap(fs, "fc released",
						   &r->released);
	if (!err)
		err = ext2fs_allocate_block_bitmap(fs, "fc owned", &r->owned);
	if (!err)
		err = ext2fs_allocate_inode_bitmap(fs, "fc seen", &r->seen);
	if (!err)
		err = ext2fs_allocate_inode_bitmap(fs, "fc modified",
						   &r->modmap);
	for (c = 0; !err && c < ncommits; c++) {
		const struct e2fc_commit *cm = &fc->commits[c];

		for (k = 0; k < cm->ntags; k++) {
			const struct e2fc_tag *t = &fc->tags[cm->first_tag + k];

			if (t->tag == EXT4_FC_TAG_ADD_RANGE)
				ext2fs_mark_block_bitmap_range2(r->excluded,
					t->u.add.pblk, t->u.add.len);
		}
	}
	return err;
}

/* errors that stop the replay; the others only skip one tag */
static int fatal(errcode_t err)
{
	return err == EXT2_ET_NO_MEMORY || err == EXT2_ET_SHORT_READ ||
	       err == EXT2_ET_SHORT_WRITE || err == EXT2_ET_BLOCK_ALLOC_FAIL ||
	       err == EXT2_ET_DIR_NO_SPACE || err == EIO || err == ENOSPC ||
	       err == EROFS;
}

static errcode_t replay_fc(struct replay *r, const struct e2fc_fc *fc,
			   unsigned ncommits,
			   const struct e2fc_replay_opts *opts)
{
	unsigned c, k;
	errcode_t err = 0;

	for (c = 0; c < ncommits && !err; c++) {
		const struct e2fc_commit *cm = &fc->commits[c];

		for (k = 0; k < cm->ntags && !err; k++) {
			const struct e2fc_tag *t = &fc->tags[cm->first_tag + k];

			r->ctags = &fc->tags[cm->first_tag];
			r->cpos = k;
			err = e2fc_apply_tag(r, t);
			if (r->err)	/* a bitmap could not be read */
				err = r->err;
			else if (err && !fatal(err)) {
				/* like the kernel: a tag whose inode or
				 * directory cannot be used is skipped */
				r->st->fc_skipped++;
				err = 0;
			}
			r->st->fc_tags++;
		}
		r->st->fc_commits++;
		if (opts && opts->progress)
			opts->progress(opts->progress_arg, c + 1, ncommits);
	}
	if (!err)
		err = settle_inodes(r);
	if (!err)
		err = settle_orphans(r);
	if (!err)
		settle_dirs(r);
	if (!err && !r->err)
		err = e2fc_verify(r);
	if (!err)
		err = settle_counts(r);
	return err ? err : r->err;
}

/*
 * The fast commits and the orphans applied to fs, or only the superblock's
 * free counts summed when there are none.  *touched: the replay's map of
 * the groups it changed (one byte per group, or NULL); *sums: the
 * descriptors' sums before (e2fc_gdt_sums); both the caller's to free.
 */
static errcode_t replay_all(ext2_filsys fs, const struct e2fc_fc *fc,
			    unsigned ncommits,
			    const struct e2fc_replay_opts *opts,
			    const struct meta_map *plan,
			    struct e2fc_replay_stats *stats, uint8_t **touched,
			    uint32_t **sums)
{
	struct replay r;
	errcode_t err;

	if (!ncommits && !fs->super->s_last_orphan &&
	    !ext2fs_has_feature_orphan_present(fs->super)) {
		super_counts(fs);
		return e2fc_gdt_sums(fs, sums, NULL);
	}
	err = replay_init(&r, fs, fc, ncommits, stats);
	if (!err && plan) {	/* lent: e2fc_replay_free leaves it */
		r.meta = *plan;
		r.meta_built = r.meta_lent = 1;
	}
	if (!err)
		err = e2fc_orphans_listed(&r);
	if (!err)
		err = e2fc_hooks_set(&r);
	if (!err) {
		/* the kernel reads each tree block once and trusts it after;
		 * a reused inode's old blocks fail the checksum under the new
		 * generation: read them anyway, settle_inodes() rewrites them */
		fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
		err = replay_fc(&r, fc, ncommits, opts);
		fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
		e2fc_hooks_clear(&r);
	}
	*touched = e2fc_bitmaps_touched(&r);
	*sums = r.sums;
	r.sums = NULL;
	e2fc_replay_free(&r);
	fs->default_bitmap_type = r.old_bitmap_type;
	return err;
}

errcode_t e2fc_recover(ext2_filsys *fsp, struct e2fc_journal *j,
		       const struct e2fc_log *log, const struct e2fc_fc *fc,
		       const struct e2fc_replay_opts *opts,
		       struct e2fc_replay_stats *stats)
{
	unsigned ncommits = 0, bc, bt;
	uint32_t *sums = NULL;
	uint8_t *touched = NULL;
	struct meta_map *own = NULL;
	const struct meta_map *plan = opts ? opts->plan_meta : NULL;
	ext2_filsys fs;
	errcode_t err;
	int moved = 0;

	log_stats_reset(stats, opts && opts->log_applied);
	if (!((*fsp)->flags & EXT2_FLAG_RW))
		return EXT2_ET_RO_FILSYS;
	if (fc && (!opts || !opts->no_fc)) {
		ncommits = fc->replay_commits;
		if (opts && opts->until_commit < ncommits)
			ncommits = opts->until_commit;
	}
	if (!ext2fs_has_feature_journal_needs_recovery((*fsp)->super)) {
		/* already recovered: write nothing, not even the superblock;
		 * a log behind a clean superblock is cleared without being
		 * replayed, as the kernel does (jbd2_journal_wipe) */
		if (!j || !j->sb.start)
			return 0;
		stats->log_cleared = 1;
		return e2fc_journal_reset(j, (log ? log->expected_tid :
					      j->sb.sequence) + 1);
	}
	if (j) {
		err = e2fc_journal_check_write(j);
		if (err)
			return err;
	}
	if (ncommits && !(opts && opts->plan_checked)) {
		err = e2fc_replay_check_map(*fsp, fc, &bc, &bt, &own);
		if (err)
			return err;
		plan = own;
	}
	if (j && log) {
		err = failed_commit(j, log, &stats->log_failed_commit);
		if (err)
			return err;
	}
	if (log && log->ntrans) {
		err = opts && opts->log_applied ? 0 :
		      replay_log(*fsp, j, log, stats);
		if (!err)
			err = reopen(fsp, j, log, &moved);
		if (err) {
			e2fc_meta_free(&own);
			return err;
		}
	}
	fs = *fsp;
	/* the plan's map serves the replay (the verifier, BLOCK_UNINIT
	 * groups) where the log moved none of what it maps: one walk over
	 * every group less (4 ms on 64 TiB) */
	if (plan && (moved || !e2fc_meta_same_source(plan, fs)))
		plan = NULL;
	/* libext2fs stamps s_wtime (and new inodes) with fs->now or the
	 * clock: keep the time the log left, so runs write the same bytes */
	fs->now = fs->super->s_wtime;
	err = replay_all(fs, fc, ncommits, opts, plan, stats, &touched,
			 &sums);
	if (!err) {
		ext2fs_clear_feature_journal_needs_recovery(fs->super);
		/* failed: a full check, as e2fsck */
		if (stats->log_bad_csum || stats->log_failed_commit)
			fs->super->s_state &= ~EXT2_VALID_FS;
		ext2fs_mark_super_dirty(fs);
		fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
		err = e2fc_gdt_flush(fs, sums, touched);
	}
	ext2fs_free_mem(&sums);
	ext2fs_free_mem(&touched);
	e2fc_meta_free(&own);
	if (!err)
		err = e2fc_journal_reset(j, log ? log->expected_tid + 1 :
					 j->sb.sequence + 1);
	return err;
}
