/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_meta.h -- the lowest layer of the replay engine (fc_meta.c): inode
 * I/O, block walks and the metadata map.  Not installed.
 *
 * The engine's layers, each calling only the ones below it:
 *   fc_replay.c   plan check, jbd2 log replay, driver, final consistency
 *   fc_apply.c    one fast-commit tag applied
 *   fc_bitmaps.c  bitmaps loaded per group, allocation hooks  (fc_replay_int.h)
 *   fc_names.c    directory name cache                        (fc_names.h)
 *   fc_meta.c     inodes, block walks, metadata map           (this file)
 */
#ifndef E2FC_META_H
#define E2FC_META_H

#include "e2fc.h"

/* sorted, disjoint block ranges of the fs's metadata and journal */
struct meta_range {
	blk64_t	start, end;	/* [start, end) */
};

/*
 * What a map was built from, besides the descriptors' bitmap and inode
 * table locations: the superblock's geometry and the journal inode's
 * block map.  A map whose source is unchanged and whose descriptors did
 * not move (e2fc_gdt_adopt) serves a reopened fs too.
 */
#define META_SRC_GEOMETRY	16	/* superblock fields */
#define META_SRC_WORDS		(META_SRC_GEOMETRY + 1 + EXT2_N_BLOCKS)

struct meta_map {
	struct meta_range	*r;
	unsigned		n, cap;
	uint32_t		src[META_SRC_WORDS];
};

/* the inode's blocks are an extent tree (not inline data, not indirect) */
static inline int e2fc_extent_mapped(const struct ext2_inode_large *in)
{
	return (in->i_flags & EXT4_EXTENTS_FL) &&
	       !(in->i_flags & EXT4_INLINE_DATA_FL);
}

/* fc_inode.c: ext2fs_read_inode2 and ext2fs_write_inode2 (flags 0),
 * cheaper on the overlay io manager (bufsize bytes of buf, host order) */
errcode_t e2fc_inode_read(ext2_filsys fs, ext2_ino_t ino, void *buf,
			  unsigned bufsize);
errcode_t e2fc_inode_write(ext2_filsys fs, ext2_ino_t ino, const void *buf,
			   unsigned bufsize);
/* ext2fs_bmap2(fs, ino, in, NULL, 0, lblk, NULL, pblk), no allocation
 * when the extent tree is all in the inode */
errcode_t e2fc_inode_bmap(ext2_filsys fs, ext2_ino_t ino,
			  struct ext2_inode *in, blk64_t lblk, blk64_t *pblk);
/* libext2fs's own inode reads and writes through e2fc_inode_read and
 * e2fc_inode_write, while only struct ext2_inode is read and written
 * (its extent and bmap code: ext2fs_read_inode, ext2fs_write_inode);
 * set returns whether it set them (not over other hooks, only on the
 * overlay), clear takes that back */
int e2fc_inode_hooks_set(ext2_filsys fs);
void e2fc_inode_hooks_clear(ext2_filsys fs, int set);
/* fc_meta.c: the whole struct ext2_inode_large (zeroed past the inode) */
errcode_t e2fc_read_inode(ext2_filsys fs, ext2_ino_t ino,
			  struct ext2_inode_large *in);
errcode_t e2fc_write_inode(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *in);
/* the kernel's iget: an inode in range with links and a mode */
int e2fc_inode_live(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *in);
errcode_t e2fc_add_ino(ext2_ino_t **arr, unsigned *n, unsigned *cap,
		       ext2_ino_t ino);
/*
 * One piece of what an inode owns, as an extent.  A leaf
 * (EXT2_EXTENT_FLAGS_LEAF in e_flags) maps e_len data blocks from
 * logical block e_lblk at e_pblk; any other piece is the one block e_pblk
 * of an extent tree node, an indirect block or the extended attribute
 * block (e_len 1).
 */
typedef void (*e2fc_piece_fn)(ext2_filsys fs, const struct ext2fs_extent *e,
			      void *arg);
/* call fn for every piece the inode owns, each once, in tree order */
errcode_t e2fc_walk_pieces(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode, e2fc_piece_fn fn,
			   void *arg);
/* the same, as block ranges: fn(blk, count) for every piece */
errcode_t e2fc_walk_blocks(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode,
			   void (*fn)(ext2_filsys fs, blk64_t blk,
				      blk64_t count, void *arg),
			   void *arg);

/* every block the file system's own metadata and journal occupy */
errcode_t e2fc_meta_build(ext2_filsys fs, struct meta_map *m);
/* 1 when m was built from fs's geometry and journal inode (a journal
 * with an extent tree below its inode never is: the log may rewrite the
 * tree's blocks) */
int e2fc_meta_same_source(const struct meta_map *m, ext2_filsys fs);
int e2fc_meta_overlaps(const struct meta_map *m, blk64_t start, blk64_t len);
/* mark in map every metadata block in [first, last] */
void e2fc_meta_mark(const struct meta_map *m, ext2fs_block_bitmap map,
		    blk64_t first, blk64_t last);

#endif
