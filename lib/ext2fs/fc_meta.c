// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_meta.c -- the file system as the replay engine sees it, below
 * everything else: inodes read and written whole, the blocks an inode
 * owns, and the map of the blocks its own metadata and journal occupy
 * (which no fast-commit range may touch).  Calls only libext2fs.
 */
#include <string.h>
#include "fc_meta.h"
#include "fc_array.h"

/* ---- inodes -------------------------------------------------------------- */

errcode_t e2fc_read_inode(ext2_filsys fs, ext2_ino_t ino,
			  struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	return e2fc_inode_read(fs, ino, in, sizeof(*in));
}

errcode_t e2fc_write_inode(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *in)
{
	return e2fc_inode_write(fs, ino, in, sizeof(*in));
}

int e2fc_inode_live(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *in)
{
	if (!ino || ino > fs->super->s_inodes_count)
		return 0;
	if (e2fc_read_inode(fs, ino, in))
		return 0;
	return in->i_links_count && in->i_mode;
}

errcode_t e2fc_add_ino(ext2_ino_t **arr, unsigned *n, unsigned *cap,
		       ext2_ino_t ino)
{
	errcode_t err;

	err = e2fc_array_grow(arr, cap, *n + 1, sizeof(**arr));
	if (err)
		return err;
	(*arr)[(*n)++] = ino;
	return 0;
}

/* ---- the blocks of an inode --------------------------------------------- */

struct walk_ctx {
	e2fc_piece_fn	fn;
	void		*arg;
};

/* a block of a block-mapped inode: data at blockcnt >= 0, else an
 * indirect block */
static int walk_indirect(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t
			 blockcnt, blk64_t ref_blk, int ref_offset,
			 void *priv)
{
	struct walk_ctx *w = priv;
	struct ext2fs_extent e = { .e_pblk = *blocknr, .e_len = 1 };

	if (blockcnt >= 0) {
		e.e_lblk = blockcnt;
		e.e_flags = EXT2_EXTENT_FLAGS_LEAF;
	}
	if (*blocknr)
		w->fn(fs, &e, w->arg);
	return 0;
}

/* every node below the root and every leaf that maps blocks, each once */
static errcode_t walk_extents(ext2_filsys fs, ext2_ino_t ino,
			      struct ext2_inode *inode, struct walk_ctx *w)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
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
			e.e_len = 1;		/* a child node's block */
		if (e.e_len)
			w->fn(fs, &e, w->arg);
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_EXTENT_NO_DOWN ?
	       0 : err;
}

errcode_t e2fc_walk_pieces(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode, e2fc_piece_fn fn,
			   void *arg)
{
	struct walk_ctx w = { fn, arg };
	blk64_t acl = ext2fs_file_acl_block(fs, inode);
	struct ext2fs_extent e = { .e_pblk = acl, .e_len = 1 };

	if (acl && acl < ext2fs_blocks_count(fs->super))
		fn(fs, &e, arg);
	/* inline data, fast symlinks, devices, fifos and sockets: their
	 * i_block holds no block numbers */
	if (!ext2fs_inode_has_valid_blocks2(fs, inode))
		return 0;
	if (!(inode->i_flags & EXT4_EXTENTS_FL))
		return ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
					     walk_indirect, &w);
	return walk_extents(fs, ino, inode, &w);
}

struct blocks_ctx {
	void	(*fn)(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg);
	void	*arg;
};

static void walk_piece_blocks(ext2_filsys fs, const struct ext2fs_extent *e,
			      void *priv)
{
	struct blocks_ctx *b = priv;

	b->fn(fs, e->e_pblk, e->e_len, b->arg);
}

errcode_t e2fc_walk_blocks(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode,
			   void (*fn)(ext2_filsys fs, blk64_t blk,
				      blk64_t count, void *arg),
			   void *arg)
{
	struct blocks_ctx b = { fn, arg };

	return e2fc_walk_pieces(fs, ino, inode, walk_piece_blocks, &b);
}

/* ---- the metadata map ---------------------------------------------------- */

static errcode_t meta_add(struct meta_map *m, blk64_t start, blk64_t len)
{
	errcode_t err;

	if (!len)
		return 0;
	err = e2fc_array_grow(&m->r, &m->cap, m->n + 1, sizeof(*m->r));
	if (err)
		return err;
	m->r[m->n].start = start;
	m->r[m->n].end = start + len;
	m->n++;
	return 0;
}

static int meta_cmp(const void *a, const void *b)
{
	const struct meta_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* sort, then merge overlapping and adjacent ranges: disjoint and sorted,
 * one binary search answers meta_overlaps() */
static void meta_merge(struct meta_map *m)
{
	unsigned i, out = 0;

	qsort(m->r, m->n, sizeof(*m->r), meta_cmp);
	for (i = 0; i < m->n; i++) {
		if (out && m->r[i].start <= m->r[out - 1].end) {
			if (m->r[i].end > m->r[out - 1].end)
				m->r[out - 1].end = m->r[i].end;
			continue;
		}
		m->r[out++] = m->r[i];
	}
	m->n = out;
}

static void journal_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	meta_add(arg, blk, count);
}

/*
 * A run of one kind of per-group metadata (block bitmaps, inode bitmaps
 * or inode tables) of consecutive groups.  With flex_bg those of a flex
 * group lie end to end: one range then stands for 16 groups, and the map
 * of a 64 TiB file system is about 100,000 ranges, not 1.6 million (on a
 * machine where every fresh page of memory costs a fault, fewer bytes is
 * less time).  A range that does not continue the run ends it.
 */
static errcode_t run_add(struct meta_map *m, struct meta_range *run,
			 blk64_t start, blk64_t len)
{
	errcode_t err = 0;

	if (!len)
		return 0;
	if (run->end > run->start && start == run->end) {
		run->end += len;
		return 0;
	}
	if (run->end > run->start)
		err = meta_add(m, run->start, run->end - run->start);
	run->start = start;
	run->end = start + len;
	return err;
}

/* the superblock and descriptor copies group g holds */
static errcode_t super_add(ext2_filsys fs, struct meta_map *m, dgrp_t g)
{
	blk64_t super, old_desc, new_desc;
	blk_t used;
	errcode_t err = 0;

	ext2fs_super_and_bgd_loc2(fs, g, &super, &old_desc, &new_desc, &used);
	if (super || g == 0)
		err = meta_add(m, super ? super :
			       fs->super->s_first_data_block, 1);
	if (!err && old_desc)
		err = meta_add(m, old_desc, fs->desc_blocks +
			       fs->super->s_reserved_gdt_blocks);
	if (!err && new_desc)
		err = meta_add(m, new_desc, 1);
	return err;
}

/* the bitmaps and inode tables of every group, wherever they lie, and the
 * superblock and descriptor copies */
static errcode_t groups_add(ext2_filsys fs, struct meta_map *m)
{
	struct meta_range run[3] = { { 0, 0 } };
	dgrp_t g;
	errcode_t err = 0;
	int i;

	for (g = 0; g < fs->group_desc_count && !err; g++) {
		err = super_add(fs, m, g);
		if (!err)
			err = run_add(m, &run[0],
				      ext2fs_block_bitmap_loc(fs, g), 1);
		if (!err)
			err = run_add(m, &run[1],
				      ext2fs_inode_bitmap_loc(fs, g), 1);
		if (!err)
			err = run_add(m, &run[2],
				      ext2fs_inode_table_loc(fs, g),
				      fs->inode_blocks_per_group);
	}
	for (i = 0; i < 3 && !err; i++)
		if (run[i].end > run[i].start)
			err = meta_add(m, run[i].start,
				       run[i].end - run[i].start);
	return err;
}

/* every block the file system's own metadata and journal occupy */
errcode_t e2fc_meta_build(ext2_filsys fs, struct meta_map *m)
{
	errcode_t err;

	memset(m, 0, sizeof(*m));
	err = groups_add(fs, m);
	if (!err && fs->super->s_journal_inum &&
	    fs->super->s_journal_inum <= fs->super->s_inodes_count) {
		struct ext2_inode_large j;

		if (!e2fc_read_inode(fs, fs->super->s_journal_inum, &j))
			err = e2fc_walk_blocks(fs, fs->super->s_journal_inum,
					       (struct ext2_inode *)&j,
					       journal_cb, m);
	}
	if (!err && m->n)
		meta_merge(m);
	return err;
}

void e2fc_meta_mark(const struct meta_map *m, ext2fs_block_bitmap map,
		    blk64_t first, blk64_t last)
{
	unsigned lo = 0, hi = m->n;
	blk64_t s, e;

	while (lo < hi) {	/* the first range ending after first */
		unsigned mid = (lo + hi) / 2;

		if (m->r[mid].end <= first)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->n && m->r[lo].start <= last; lo++) {
		s = m->r[lo].start > first ? m->r[lo].start : first;
		e = m->r[lo].end - 1 < last ? m->r[lo].end - 1 : last;
		ext2fs_mark_block_bitmap_range2(map, s, e - s + 1);
	}
}

int e2fc_meta_overlaps(const struct meta_map *m, blk64_t start, blk64_t len)
{
	unsigned lo = 0, hi = m->n;

	/* the first range starting at or after start + len; only the one
	 * before it can overlap (the ranges are disjoint and sorted) */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (m->r[mid].start < start + len)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && m->r[lo - 1].end > start;
}

/* the directory-entry file type of an inode mode (EXT2_FT_*) */
int e2fc_file_type(unsigned mode)
{
	static const unsigned char ft[(LINUX_S_IFMT >> 12) + 1] = {
		[LINUX_S_IFREG >> 12]	= EXT2_FT_REG_FILE,
		[LINUX_S_IFDIR >> 12]	= EXT2_FT_DIR,
		[LINUX_S_IFCHR >> 12]	= EXT2_FT_CHRDEV,
		[LINUX_S_IFBLK >> 12]	= EXT2_FT_BLKDEV,
		[LINUX_S_IFIFO >> 12]	= EXT2_FT_FIFO,
		[LINUX_S_IFSOCK >> 12]	= EXT2_FT_SOCK,
		[LINUX_S_IFLNK >> 12]	= EXT2_FT_SYMLINK,
	};

	return ft[(mode & LINUX_S_IFMT) >> 12];	/* 0: EXT2_FT_UNKNOWN */
}
