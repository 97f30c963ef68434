// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_bitmaps.c -- block and inode bitmaps read one group at a time, the
 * first time the replay looks at a group, and written back only for the
 * groups it changed: replay time follows the log, not the size of the
 * file system (an 8 TiB file system has 65,536 groups).
 *
 * fs->block_map and fs->inode_map start empty.  A group is loaded before
 * any bit of it is tested or changed:
 *  - by e2fc_touch_block()/e2fc_touch_inode()/e2fc_ino_in_use() below and
 *    the recount of touched groups (fc_replay.c);
 *  - by the allocation hooks below: libext2fs allocates through them
 *    (ext2fs_new_block2 and ext2fs_new_range with no map call the
 *    get_alloc_block and new_range hooks), and they search group by
 *    group, loading each, never handing out a block the fast commits map
 *    (the kernel's excluded regions);
 *  - by the allocation-statistics hooks: libext2fs changes a bit first and
 *    tells us after (a block freed by ext2fs_punch, an extent block freed
 *    by the extent code); if that group was not loaded, it is loaded now
 *    and the change made again on top.
 * A group whose block bitmap was BLOCK_UNINIT when the replay started
 * (libext2fs clears the flag as soon as it allocates there) is loaded as
 * the metadata blocks that lie in it; an INODE_UNINIT group as all free.
 *
 * At the end e2fc_bitmaps_write() writes the bitmaps of the touched
 * groups, with their checksums, and e2fc_bitmaps_done() clears the dirty
 * flags, so that ext2fs_flush() does not write every group's bitmap, and
 * drops the partial bitmaps (a later ext2fs_read_bitmaps() reads them all
 * from the device).  bigalloc file systems are read whole.
 */
#include <string.h>
#include "fc_replay_int.h"
#include "fc_array.h"
#include "fc_gdt.h"

/* libext2fs's hooks get only the fs: while they are set, fs->priv_data
 * is the replay (as e2fsck keeps its context there) */
static struct replay *replay_of(ext2_filsys fs)
{
	return fs->priv_data;
}

static errcode_t read_group_block(ext2_filsys fs, blk64_t blk, void *buf)
{
	if (!blk || blk >= ext2fs_blocks_count(fs->super))
		return EXT2_ET_GDESC_BAD_BLOCK_MAP;
	return io_channel_read_blk64(fs->io, blk, 1, buf);
}

/* group g's block (inodes == 0) or inode bitmap into r->buf, its checksum
 * verified when the replay verifies */
static errcode_t read_bitmap(struct replay *r, dgrp_t g, int inodes)
{
	ext2_filsys fs = r->fs;
	char *buf = (char *)r->buf;
	errcode_t err;
	int ok;

	err = read_group_block(fs, inodes ? ext2fs_inode_bitmap_loc(fs, g) :
					    ext2fs_block_bitmap_loc(fs, g),
			       buf);
	if (err)
		return err;
	if (r->verify && inodes)
		ok = ext2fs_inode_bitmap_csum_verify(fs, g, buf,
				fs->super->s_inodes_per_group / 8);
	else if (r->verify)
		ok = ext2fs_block_bitmap_csum_verify(fs, g, buf,
				EXT2_CLUSTERS_PER_GROUP(fs->super) / 8);
	else
		ok = 1;
	if (!ok)
		return inodes ? EXT2_ET_INODE_BITMAP_CSUM_INVALID :
				EXT2_ET_BLOCK_BITMAP_CSUM_INVALID;
	r->st->bitmaps_read++;
	return 0;
}

/* the metadata map, built at its first use (a BLOCK_UNINIT group loaded,
 * the verifier) unless the plan's was lent: what lies where does not
 * change during a replay */
errcode_t e2fc_meta_ready(struct replay *r)
{
	errcode_t err;

	if (r->meta_built)
		return 0;
	err = e2fc_meta_build(r->fs, &r->meta);
	if (!err)
		r->meta_built = 1;
	return err;
}

errcode_t e2fc_load_block_group(struct replay *r, dgrp_t g)
{
	ext2_filsys fs = r->fs;
	blk64_t first, last;
	errcode_t err;

	if (r->gstate[g] & GS_BB_LOADED)
		return 0;
	first = ext2fs_group_first_block2(fs, g);
	last = ext2fs_group_last_block2(fs, g);
	ext2fs_unmark_block_bitmap_range2(fs->block_map, first,
					  last - first + 1);
	if (r->gstate[g] & GS_BB_UNINIT) {
		err = e2fc_meta_ready(r);
		if (err)
			return err;
		e2fc_meta_mark(&r->meta, fs->block_map, first, last);
	} else {
		err = read_bitmap(r, g, 0);
		if (!err)
			err = ext2fs_set_block_bitmap_range2(fs->block_map,
					first, last - first + 1, r->buf);
		if (err)
			return err;
	}
	r->gstate[g] |= GS_BB_LOADED;
	return 0;
}

errcode_t e2fc_load_inode_group(struct replay *r, dgrp_t g)
{
	ext2_filsys fs = r->fs;
	uint32_t ipg = fs->super->s_inodes_per_group;
	errcode_t err;

	if (r->gstate[g] & GS_IB_LOADED)
		return 0;
	if (r->gstate[g] & GS_IB_UNINIT) {
		memset(r->buf, 0, fs->blocksize);
	} else {
		err = read_bitmap(r, g, 1);
		if (err)
			return err;
	}
	err = ext2fs_set_inode_bitmap_range2(fs->inode_map,
					     (ext2_ino_t)g * ipg + 1, ipg,
					     r->buf);
	if (!err)
		r->gstate[g] |= GS_IB_LOADED;
	return err;
}

errcode_t e2fc_load_group(struct replay *r, dgrp_t g)
{
	errcode_t err = e2fc_load_block_group(r, g);

	return err ? err : e2fc_load_inode_group(r, g);
}

errcode_t e2fc_load_blocks(struct replay *r, blk64_t blk, blk64_t count)
{
	ext2_filsys fs = r->fs;
	dgrp_t g, last;
	errcode_t err = 0;

	if (!count)
		return 0;
	g = ext2fs_group_of_blk2(fs, blk);
	last = ext2fs_group_of_blk2(fs, blk + count - 1);
	for (; g <= last && !err; g++)
		err = e2fc_load_block_group(r, g);
	return err;
}

int e2fc_ino_in_use(struct replay *r, ext2_ino_t ino)
{
	errcode_t err;

	if (!ino || ino > r->fs->super->s_inodes_count)
		return 0;
	err = e2fc_load_inode_group(r, ext2fs_group_of_ino(r->fs, ino));
	if (err) {
		e2fc_replay_fail(r, err);
		return 0;
	}
	return ext2fs_test_inode_bitmap2(r->fs->inode_map, ino);
}

/* ---- changes the replay makes -------------------------------------------- */

void e2fc_touch_block(struct replay *r, blk64_t blk, blk64_t count, int use)
{
	ext2_filsys fs = r->fs;
	blk64_t end = blk + count, b;
	errcode_t err;

	if (blk < fs->super->s_first_data_block ||
	    end > ext2fs_blocks_count(fs->super) || end <= blk)
		return;
	err = e2fc_load_blocks(r, blk, count);
	if (err) {
		e2fc_replay_fail(r, err);
		return;
	}
	if (use) {
		ext2fs_mark_block_bitmap_range2(fs->block_map, blk, count);
		if (r->settling)
			ext2fs_mark_block_bitmap_range2(r->owned, blk, count);
	} else if (!r->settling) {
		/* keep it allocated until the end: the kernel frees it at
		 * once and may hand it to a new directory block while
		 * another inode still maps it (it is marked again at the
		 * end); here it is only freed if nothing maps it then */
		ext2fs_mark_block_bitmap_range2(r->released, blk, count);
		return;
	} else {
		ext2fs_unmark_block_bitmap_range2(fs->block_map, blk, count);
	}
	for (b = blk; b < end; b += fs->super->s_blocks_per_group)
		e2fc_touch_group(r, ext2fs_group_of_blk2(fs, b));
	e2fc_touch_group(r, ext2fs_group_of_blk2(fs, end - 1));
	ext2fs_mark_bb_dirty(fs);
}

void e2fc_touch_inode(struct replay *r, ext2_ino_t ino, int use)
{
	ext2_filsys fs = r->fs;
	errcode_t err;

	if (!ino || ino > fs->super->s_inodes_count)
		return;
	err = e2fc_load_inode_group(r, ext2fs_group_of_ino(fs, ino));
	if (err) {
		e2fc_replay_fail(r, err);
		return;
	}
	if (use)
		ext2fs_mark_inode_bitmap2(fs->inode_map, ino);
	else
		ext2fs_unmark_inode_bitmap2(fs->inode_map, ino);
	e2fc_touch_group(r, ext2fs_group_of_ino(fs, ino));
	ext2fs_mark_ib_dirty(fs);
}

/* remember whether ino was a directory in use before we changed it */
errcode_t e2fc_note_inode(struct replay *r, ext2_ino_t ino)
{
	struct ext2_inode_large in;
	struct ino_note *n;
	errcode_t err;

	if (!ino || ino > r->fs->super->s_inodes_count ||
	    ext2fs_test_inode_bitmap2(r->seen, ino))
		return 0;
	err = e2fc_array_grow(&r->notes, &r->capnotes, r->nnotes + 1,
			      sizeof(*r->notes));
	if (err)
		return err;
	ext2fs_mark_inode_bitmap2(r->seen, ino);
	n = &r->notes[r->nnotes++];
	n->ino = ino;
	n->was_live = e2fc_ino_in_use(r, ino) &&
		      e2fc_inode_live(r->fs, ino, &in);
	n->was_dir = n->was_live && LINUX_S_ISDIR(in.i_mode);
	n->links = n->was_live ? in.i_links_count : 0;
	n->mode = n->was_live ? in.i_mode : 0;
	return 0;
}

/* ---- allocation -------------------------------------------------------- */

/* first block in [b, last] that is free and not excluded; 0 if none */
static blk64_t free_in(struct replay *r, blk64_t b, blk64_t last)
{
	blk64_t f;

	while (b <= last) {
		if (ext2fs_find_first_zero_block_bitmap2(r->fs->block_map, b,
							 last, &f))
			return 0;
		if (!ext2fs_test_block_bitmap2(r->excluded, f))
			return f;
		b = f + 1;
	}
	return 0;
}

/* the first usable block at or after goal, wrapping once */
static errcode_t find_free(struct replay *r, blk64_t goal, blk64_t *ret)
{
	ext2_filsys fs = r->fs;
	dgrp_t g0, g, n = fs->group_desc_count, i;
	blk64_t from, b;
	errcode_t err;

	if (goal < fs->super->s_first_data_block ||
	    goal >= ext2fs_blocks_count(fs->super))
		goal = fs->super->s_first_data_block;
	g0 = ext2fs_group_of_blk2(fs, goal);
	for (i = 0; i <= n; i++) {
		g = (g0 + i) % n;
		if (!ext2fs_bg_free_blocks_count(fs, g) &&
		    !(r->gstate[g] & GS_BB_LOADED))
			continue;	/* full by its descriptor */
		err = e2fc_load_block_group(r, g);
		if (err)
			return err;
		from = i == 0 ? goal : ext2fs_group_first_block2(fs, g);
		if (i == n)	/* back in the goal's group, before goal */
			from = ext2fs_group_first_block2(fs, g);
		b = free_in(r, from, ext2fs_group_last_block2(fs, g));
		if (b) {
			*ret = b;
			return 0;
		}
	}
	return EXT2_ET_BLOCK_ALLOC_FAIL;
}

static errcode_t alloc_block(ext2_filsys fs, blk64_t goal, blk64_t *ret)
{
	return find_free(replay_of(fs), goal, ret);
}

/* the run of usable blocks from b, at most len, inside b's group */
static blk64_t run_at(struct replay *r, blk64_t b, blk64_t len)
{
	ext2_filsys fs = r->fs;
	blk64_t end = ext2fs_group_last_block2(fs, ext2fs_group_of_blk2(fs, b));
	blk64_t n;

	for (n = 0; n < len && b + n <= end; n++)
		if (ext2fs_test_block_bitmap2(fs->block_map, b + n) ||
		    ext2fs_test_block_bitmap2(r->excluded, b + n))
			break;
	return n;
}

static errcode_t new_range(ext2_filsys fs, int flags, blk64_t goal,
			   blk64_t len, blk64_t *pblk, blk64_t *plen)
{
	struct replay *r = replay_of(fs);
	blk64_t b = goal, prev = goal, n;
	int wrapped = 0;
	errcode_t err;

	if (flags & EXT2_NEWRANGE_FIXED_GOAL) {
		err = e2fc_load_blocks(r, goal, 1);
		if (err)
			return err;
		n = run_at(r, goal, len);
		if (!n || (n < len && (flags & EXT2_NEWRANGE_MIN_LENGTH)))
			return EXT2_ET_BLOCK_ALLOC_FAIL;
		*pblk = goal;
		*plen = n;
		return 0;
	}
	for (;;) {
		err = find_free(r, b, &b);
		if (err)
			return err;
		if (b < prev)
			wrapped++;
		if (wrapped > 1 || (wrapped && b >= goal))
			return EXT2_ET_BLOCK_ALLOC_FAIL;
		n = run_at(r, b, len);
		if (n == len || !(flags & EXT2_NEWRANGE_MIN_LENGTH)) {
			*pblk = b;
			*plen = n;
			return 0;
		}
		prev = b;
		b += n + 1;
		if (b >= ext2fs_blocks_count(fs->super))
			b = fs->super->s_first_data_block;
	}
}

/* libext2fs changed blk's bit already; load its group under it first */
static void stats_range(ext2_filsys fs, blk64_t blk, blk_t num, int inuse)
{
	struct replay *r = replay_of(fs);
	blk64_t b, end = blk + num;
	dgrp_t g;
	errcode_t err;

	if (!num || end > ext2fs_blocks_count(fs->super))
		return;
	for (b = blk; b < end; b = ext2fs_group_last_block2(fs, g) + 1) {
		g = ext2fs_group_of_blk2(fs, b);
		e2fc_touch_group(r, g);
		if (r->gstate[g] & GS_BB_LOADED)
			continue;
		err = e2fc_load_block_group(r, g);
		if (err) {
			e2fc_replay_fail(r, err);
			return;
		}
	}
	if (inuse > 0) {
		ext2fs_mark_block_bitmap_range2(fs->block_map, blk, num);
		r->st->blocks_allocated += num;
	} else
		ext2fs_unmark_block_bitmap_range2(fs->block_map, blk, num);
}

static void stats_one(ext2_filsys fs, blk64_t blk, int inuse)
{
	stats_range(fs, blk, 1, inuse);
}

errcode_t e2fc_hooks_set(struct replay *r)
{
	ext2_filsys fs = r->fs;

	if (fs->get_alloc_block == alloc_block)
		return EXT2_ET_OP_NOT_SUPPORTED;	/* one per fs */
	r->old_priv = fs->priv_data;
	fs->priv_data = r;
	ext2fs_set_alloc_block_callback(fs, alloc_block, &r->old_alloc);
	ext2fs_set_new_range_callback(fs, new_range, &r->old_range);
	ext2fs_set_block_alloc_stats_callback(fs, stats_one, &r->old_stats);
	ext2fs_set_block_alloc_stats_range_callback(fs, stats_range,
						    &r->old_stats_range);
	return 0;
}

void e2fc_hooks_clear(struct replay *r)
{
	ext2_filsys fs = r->fs;

	ext2fs_set_alloc_block_callback(fs, r->old_alloc, NULL);
	ext2fs_set_new_range_callback(fs, r->old_range, NULL);
	ext2fs_set_block_alloc_stats_callback(fs, r->old_stats, NULL);
	ext2fs_set_block_alloc_stats_range_callback(fs, r->old_stats_range,
						    NULL);
	fs->priv_data = r->old_priv;
}

/* ---- set-up and write-back ------------------------------------------- */

static void all_loaded(struct replay *r)
{
	dgrp_t g;

	for (g = 0; g < r->fs->group_desc_count; g++)
		r->gstate[g] |= GS_BB_LOADED | GS_IB_LOADED;
}

errcode_t e2fc_bitmaps_init(struct replay *r)
{
	ext2_filsys fs = r->fs;
	dgrp_t g, n = fs->group_desc_count;
	int csum = ext2fs_has_group_desc_csum(fs);
	uint16_t flags;
	errcode_t err;

	/* one byte per group: 512 KiB on 64 TiB (four byte maps were a
	 * fresh 2 MiB huge page, zeroed) */
	err = ext2fs_get_memzero(n, &r->gstate);
	if (!err)
		err = ext2fs_get_mem(fs->blocksize, &r->buf);
	if (err)
		return err;
	/* checked as ext2fs_read_bitmaps would, whatever the flags are
	 * when a group is loaded */
	r->verify = ext2fs_has_feature_metadata_csum(fs->super) &&
		    !(fs->flags & EXT2_FLAG_IGNORE_CSUM_ERRORS);
	/* the flags come with the descriptors' sums, in one pass over the
	 * descriptors (on 64 TiB they are 32 MiB) */
	err = e2fc_gdt_sums(fs, &r->sums, r->gstate);
	if (err)
		return err;
	for (g = 0; g < n; g++) {
		flags = csum ? r->gstate[g] : 0;
		r->gstate[g] = (flags & EXT2_BG_BLOCK_UNINIT ? GS_BB_UNINIT : 0) |
			       (flags & EXT2_BG_INODE_UNINIT ? GS_IB_UNINIT : 0);
	}
	if (fs->block_map && fs->inode_map) {	/* the caller read them */
		all_loaded(r);
		return 0;
	}
	if (EXT2FS_CLUSTER_RATIO(fs) > 1) {
		err = ext2fs_read_bitmaps(fs);
		if (!err)
			all_loaded(r);
		r->st->bitmaps_read = 2 * n;
		return err;
	}
	err = 0;
	if (!fs->block_map)
		err = ext2fs_allocate_block_bitmap(fs, "block bitmap",
						   &fs->block_map);
	if (!err && !fs->inode_map)
		err = ext2fs_allocate_inode_bitmap(fs, "inode bitmap",
						   &fs->inode_map);
	r->partial = 1;
	return err;
}

/* one group's bitmaps to the device (the overlay), with checksums; the
 * caller sets the descriptor checksum after */
errcode_t e2fc_bitmaps_write(struct replay *r, dgrp_t g)
{
	ext2_filsys fs = r->fs;
	uint32_t bpg = EXT2_CLUSTERS_PER_GROUP(fs->super);
	uint32_t ipg = fs->super->s_inodes_per_group;
	blk64_t first = ext2fs_group_first_block2(fs, g);
	blk64_t n = ext2fs_group_last_block2(fs, g) - first + 1, i;
	errcode_t err;

	if (!r->partial)
		return 0;	/* ext2fs_flush writes them all */
	err = e2fc_load_group(r, g);
	if (err)
		return err;
	/* like ext2fs_write_bitmaps: no bitmap for a group still UNINIT */
	if (ext2fs_bg_flags_test(fs, g, EXT2_BG_BLOCK_UNINIT))
		goto inodes;
	memset(r->buf, 0xff, fs->blocksize);	/* padding bits are set */
	err = ext2fs_get_block_bitmap_range2(fs->block_map, first, n, r->buf);
	for (i = n; !err && i < bpg; i++)
		ext2fs_set_bit(i, r->buf);
	if (err)
		return err;
	ext2fs_block_bitmap_csum_set(fs, g, (char *)r->buf, bpg / 8);
	err = io_channel_write_blk64(fs->io, ext2fs_block_bitmap_loc(fs, g),
				     1, r->buf);
	if (err)
		return err;
inodes:
	if (ext2fs_bg_flags_test(fs, g, EXT2_BG_INODE_UNINIT))
		return 0;
	memset(r->buf, 0xff, fs->blocksize);
	err = ext2fs_get_inode_bitmap_range2(fs->inode_map,
					     (ext2_ino_t)g * ipg + 1, ipg,
					     r->buf);
	if (err)
		return err;
	ext2fs_inode_bitmap_csum_set(fs, g, (char *)r->buf, ipg / 8);
	return io_channel_write_blk64(fs->io, ext2fs_inode_bitmap_loc(fs, g),
				      1, r->buf);
}

uint8_t *e2fc_bitmaps_touched(struct replay *r)
{
	uint8_t *t = r->gstate;
	dgrp_t g;

	for (g = 0; t && g < r->fs->group_desc_count; g++)
		t[g] = !!(t[g] & GS_TOUCHED);
	r->gstate = NULL;
	return t;
}

void e2fc_bitmaps_done(struct replay *r)
{
	ext2_filsys fs = r->fs;

	if (r->partial) {
		/* written group by group: nothing left for ext2fs_flush */
		fs->flags &= ~(EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY);
		ext2fs_free_block_bitmap(fs->block_map);
		ext2fs_free_inode_bitmap(fs->inode_map);
		fs->block_map = NULL;
		fs->inode_map = NULL;
	}
	if (!r->meta_lent)
		ext2fs_free_mem(&r->meta.r);
	ext2fs_free_mem(&r->gstate);
	ext2fs_free_mem(&r->sums);
	ext2fs_free_mem(&r->buf);
}
