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

static void count_blocks_cb(ext2_filsys fs, blk64_t blk, blk64_t count,
			    void *arg)
{
	*(blk64_t *)arg += count;
}

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

static errcode_t extent_clusters(ext2_filsys fs, ext2_ino_t ino,
				 struct ext2_inode *inode, blk64_t *n)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	blk64_t prev = 0;
	int op = EXT2_EXTENT_ROOT;
	errcode_t err;

	err = ext2fs_extent_open2(fs, ino, inode, &h);
	if (err)
		return err;
	while ((err = ext2fs_extent_get(h, op, &e)) == 0) {
		op = EXT2_EXTENT_NEXT;
		if (e.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT)
			continue;
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF))
			(*n)++;			/* a child node's cluster */
		else if (e.e_len)
			*n += leaf_clusters(fs, &e, &prev);
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_EXTENT_NO_DOWN ?
	       0 : err;
}

/*
 * What i_blocks must say, in the unit of ext2fs_iblk_set (which
 * multiplies by the cluster ratio): the blocks the inode owns, or on
 * bigalloc the clusters.
 */
errcode_t e2fc_count_iblocks(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode *inode, blk64_t *ret)
{
	blk64_t n = 0, acl = ext2fs_file_acl_block(fs, inode);
	errcode_t err = 0;

	if (EXT2FS_CLUSTER_RATIO(fs) == 1) {
		err = e2fc_walk_blocks(fs, ino, inode, count_blocks_cb, &n);
		*ret = n;
		return err;
	}
	if (acl && acl < ext2fs_blocks_count(fs->super))
		n++;
	/* bigalloc needs extents: no block-mapped inode to walk */
	if ((inode->i_flags & EXT4_EXTENTS_FL) &&
	    !(inode->i_flags & EXT4_INLINE_DATA_FL) &&
	    (!LINUX_S_ISLNK(inode->i_mode) ||
	     ext2fs_inode_has_valid_blocks2(fs, inode)))
		err = extent_clusters(fs, ino, inode, &n);
	*ret = n;
	return err;
}

/* the free clusters of a group of blocks [first, last] of which used
 * blocks (whole clusters, from a cluster bitmap) are in use */
blk64_t e2fc_free_clusters(ext2_filsys fs, blk64_t first, blk64_t last,
			   blk64_t used)
{
	return EXT2FS_NUM_B2C(fs, last - first + 1) - EXT2FS_NUM_B2C(fs, used);
}
