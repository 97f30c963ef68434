/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * add_range_ref.h -- the per-block ADD_RANGE that e2fc_apply_tag()'s
 * run-by-run one replaced (a lookup and ext2fs_extent_set_bmap() for each
 * block): the reference tests/unit/test_add_range.c compares with and
 * bench/fc_add_range.c times.  Header only (static), one user per program.
 */
#ifndef E2FC_ADD_RANGE_REF_H
#define E2FC_ADD_RANGE_REF_H

#include "fc_replay_int.h"

/* the block lblk maps to (0: none) and whether it is unwritten */
static errcode_t ref_lookup(ext2_extent_handle_t h, blk64_t lblk,
			    blk64_t *pblk, int *uninit)
{
	struct ext2fs_extent e;
	errcode_t err;

	*pblk = 0;
	*uninit = 0;
	err = ext2fs_extent_goto2(h, 0, lblk);
	if (err == EXT2_ET_EXTENT_NOT_FOUND)
		return 0;
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (err)
		return err;
	if (lblk >= e.e_lblk && lblk < e.e_lblk + e.e_len) {
		*pblk = e.e_pblk + (lblk - e.e_lblk);
		*uninit = !!(e.e_flags & EXT2_EXTENT_FLAGS_UNINIT);
	}
	return 0;
}

/* map lblk.. of ino to pblk.. block by block; each block it moves off
 * goes to e2fc_touch_block(r) when r is given */
static errcode_t ref_add_range(ext2_filsys fs, ext2_ino_t ino, blk64_t lblk,
			       blk64_t pblk, blk64_t len, int unwritten,
			       struct replay *r)
{
	int uninit, flags = unwritten ? EXT2_EXTENT_SET_BMAP_UNINIT : 0;
	struct ext2_inode_large in;
	ext2_extent_handle_t h;
	blk64_t i, old;
	errcode_t err;

	err = e2fc_read_inode(fs, ino, &in);
	if (!err)
		err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)&in,
					  &h);
	if (err)
		return err;
	for (i = 0; i < len && !err; i++) {
		err = ref_lookup(h, lblk + i, &old, &uninit);
		if (err || (old == pblk + i && uninit == unwritten))
			continue;
		err = ext2fs_extent_set_bmap(h, lblk + i, pblk + i, flags);
		if (!err && r && old && old != pblk + i)
			e2fc_touch_block(r, old, 1, 0);
	}
	ext2fs_extent_free(h);
	return err;
}

#endif
