// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_cluster.c -- block counts of the replay on bigalloc file systems
 *
 * With bigalloc the block bitmap has one bit per cluster, the group
 * descriptors count free clusters, and i_blocks counts whole clusters:
 * every cluster an inode's data lies in, every extent tree node and the
 * extended attribute block count one cluster each, all its blocks.  A
 * data block starts a new cluster unless the data block before it (in
 * logical order) lies in the same cluster, at the same offset in it as
 * its logical block in the logical cluster -- the kernel allocates that
 * way and e2fsck counts that way.  Without bigalloc every block counts
 * once, as before.
 */
#include "fc_replay_int.h"

/* clusters of one leaf extent; *prev is the last data block counted */
static blk64_t leaf_clusters(ext2_filsys fs, const struct ext2fs_extent *e,
			     blk64_t *prev)
{
	blk64_t first = e->e_pblk, last = e->e_pblk + e->e_len - 1;
	blk64_t n = EXT2FS_B2C(fs, last) - EXT2FS_B2C(fs, first) + 1;
	blk64_t mask = EXT2FS_CLUSTER_MASK(fs);

	if (*prev && EXT2FS_B2C(fs, *prev) == EXT2FS_B2C(fs, first) &&
	    (first & mask) == (e->e_lblk & mask))
		n--;		/* continues the cluster of the block before */
	*prev = last;
	return n;
}

struct count_ctx {
	blk64_t	n;
	blk64_t	prev;		/* the last data block counted */
};

/* a tree node, an indirect block and the extended attribute block count
 * one cluster each; data blocks by the rule above */
static void count_piece(ext2_filsys fs, const struct ext2fs_extent *e,
			void *arg)
{
	struct count_ctx *c = arg;

	if (EXT2FS_CLUSTER_RATIO(fs) == 1)
		c->n += e->e_len;
	else if (e->e_flags & EXT2_EXTENT_FLAGS_LEAF)
		c->n += leaf_clusters(fs, e, &c->prev);
	else
		c->n++;
}

/*
 * What i_blocks must say, in the unit of ext2fs_iblk_set (which
 * multiplies by the cluster ratio): the blocks the inode owns, or on
 * bigalloc the clusters.
 */
errcode_t e2fc_count_iblocks(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode *inode, blk64_t *ret)
{
	struct count_ctx c = { 0, 0 };
	errcode_t err;

	err = e2fc_walk_pieces(fs, ino, inode, count_piece, &c);
	*ret = c.n;
	return err;
}

/* the free clusters of a group of blocks [first, last] of which used
 * blocks (whole clusters, from a cluster bitmap) are in use */
blk64_t e2fc_free_clusters(ext2_filsys fs, blk64_t first, blk64_t last,
			   blk64_t used)
{
	return EXT2FS_NUM_B2C(fs, last - first + 1) - EXT2FS_NUM_B2C(fs, used);
}
