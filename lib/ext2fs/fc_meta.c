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
#include "fc_gdt.h"

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

/*
 * The map is built in two parts, each sorted on its own: the runs of
 * bitmaps and inode tables (in group order, which is block order on every
 * layout mke2fs makes), and the superblock and descriptor copies with the
 * journal.  A part out of order (a resized or hostile layout) is sorted;
 * the two are then merged into one list of disjoint ranges.  Sorting all
 * of it took a sixth of a replay on 64 TiB.
 */
enum { PART_GROUPS, PART_COPIES, NPARTS };

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

static void meta_sort(struct meta_map *m)
{
	unsigned i;

	for (i = 1; i < m->n; i++) {
		if (m->r[i].start < m->r[i - 1].start) {
			qsort(m->r, m->n, sizeof(*m->r), meta_cmp);
			return;
		}
	}
}

/*
 * The parts merged into m: sorted, overlapping and adjacent ranges
 * joined, so one binary search answers e2fc_meta_overlaps().  The big
 * part (the groups') becomes m: the copies are merged into it from the
 * end, then it is joined in place (no second array of fresh memory).
 */
static errcode_t meta_join(struct meta_map *m, struct meta_map *part)
{
	struct meta_map *g = &part[PART_GROUPS], *c = &part[PART_COPIES];
	unsigned i, j, out;
	errcode_t err;

	meta_sort(g);
	meta_sort(c);
	err = e2fc_array_grow(&g->r, &g->cap, g->n + c->n, sizeof(*g->r));
	if (err)
		return err;
	i = g->n;
	j = c->n;
	for (out = g->n + c->n; j; ) {
		if (i && g->r[i - 1].start > c->r[j - 1].start)
			g->r[--out] = g->r[--i];
		else
			g->r[--out] = c->r[--j];
	}
	g->n += c->n;
	for (i = 0, out = 0; i < g->n; i++) {
		if (out && g->r[i].start <= g->r[out - 1].end) {
			if (g->r[i].end > g->r[out - 1].end)
				g->r[out - 1].end = g->r[i].end;
			continue;
		}
		g->r[out++] = g->r[i];
	}
	g->n = out;
	*m = *g;
	memset(g, 0, sizeof(*g));
	return 0;
}

static void journal_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	meta_add(arg, blk, count);
}

/* log2 of the groups a flex group has (0 without flex_bg) */
static unsigned flex_log(ext2_filsys fs)
{
	unsigned l = fs->super->s_log_groups_per_flex;

	return ext2fs_has_feature_flex_bg(fs->super) && l < 31 ? l : 0;
}

#define CHUNK_MAX	64	/* groups taken kind by kind */

/*
 * The count groups from g0 into runs: their block bitmaps, their inode
 * bitmaps, then their inode tables.  With flex_bg a flex group's lie end
 * to end in that order, so one range stands for all of them (16 groups):
 * the map of 64 TiB is 32,768 ranges, not 1.6 million (where every fresh
 * page of memory costs a fault, fewer bytes is less time).  A piece that
 * does not continue the run ends it; the run lives in locals (a call per
 * piece was most of the time of a 64 TiB build).
 */
static errcode_t chunk_add(ext2_filsys fs, struct meta_map *m,
			   struct meta_range *run, dgrp_t g0, unsigned count)
{
	blk64_t s = run->start, e = run->end, at, len, loc[CHUNK_MAX];
	unsigned i;
	int k;
	errcode_t err = 0;

	for (k = 0; k < 3 && !err; k++) {
		len = k == 2 ? fs->inode_blocks_per_group : 1;
		e2fc_gd_meta_run(fs, g0, count, k, loc);
		for (i = 0; i < count && !err && len; i++) {
			at = loc[i];
			if (e > s && at == e) {
				e += len;
				continue;
			}
			if (e > s)
				err = meta_add(m, s, e - s);
			s = at;
			e = at + len;
		}
	}
	run->start = s;
	run->end = e;
	return err;
}

/* the bitmaps and inode tables of every group, wherever they lie */
static errcode_t groups_add(ext2_filsys fs, struct meta_map *m)
{
	dgrp_t n = fs->group_desc_count, g;
	unsigned chunk = 1U << flex_log(fs);
	struct meta_range run = { 0, 0 };
	errcode_t err;

	if (chunk > CHUNK_MAX)
		chunk = CHUNK_MAX;
	/* room for a range per chunk and for the copies merged in later
	 * (a few dozen without meta_bg): no growing on the way, and no
	 * more than that (on 64 TiB 528 KiB of plain pages; the doubled
	 * capacity of e2fc_array_grow was a fresh 2 MiB huge page) */
	m->cap = n / chunk + 256;
	err = ext2fs_get_array(m->cap, sizeof(*m->r), &m->r);
	if (err)
		m->cap = 0;
	for (g = 0; g < n && !err; g += chunk)
		err = chunk_add(fs, m, &run, g, n - g < chunk ? n - g : chunk);
	if (!err && run.end > run.start)
		err = meta_add(m, run.start, run.end - run.start);
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

/* super_add of g, when g is a group */
static errcode_t super_add_if(ext2_filsys fs, struct meta_map *m, uint64_t g)
{
	return g < fs->group_desc_count ? super_add(fs, m, (dgrp_t)g) : 0;
}

/*
 * The copies, asking only the groups that can hold one (asking all of
 * them was a third of a 64 TiB replay): group 0; with sparse_super 1 and
 * the powers of 3, 5 and 7; with sparse_super2 the two s_backup_bgs;
 * with meta_bg the first, second and last group of each meta group past
 * s_first_meta_bg; without either sparse feature every group.  A group
 * asked twice adds ranges the merge joins.
 */
static errcode_t copies_add(ext2_filsys fs, struct meta_map *m)
{
	struct ext2_super_block *sb = fs->super;
	uint64_t g, b, per = EXT2_DESC_PER_BLOCK(sb);
	errcode_t err = super_add(fs, m, 0);

	if (ext2fs_has_feature_sparse_super2(sb)) {
		if (!err && sb->s_backup_bgs[0])
			err = super_add_if(fs, m, sb->s_backup_bgs[0]);
		if (!err && sb->s_backup_bgs[1])
			err = super_add_if(fs, m, sb->s_backup_bgs[1]);
	} else if (ext2fs_has_feature_sparse_super(sb)) {
		for (b = 3; b <= 7 && !err; b += 2)
			for (g = b; g < fs->group_desc_count && !err; g *= b)
				err = super_add_if(fs, m, g);
		if (!err)
			err = super_add_if(fs, m, 1);
	} else {
		for (g = 1; g < fs->group_desc_count && !err; g++)
			err = super_add_if(fs, m, g);
	}
	if (!ext2fs_has_feature_meta_bg(sb))
		return err;
	for (g = sb->s_first_meta_bg * per; g < fs->group_desc_count && !err;
	     g += per) {
		err = super_add_if(fs, m, g);
		if (!err)
			err = super_add_if(fs, m, g + 1);
		if (!err)
			err = super_add_if(fs, m, g + per - 1);
	}
	return err;
}

/* the journal inode, when there is one and it can be read */
static int journal_inode(ext2_filsys fs, struct ext2_inode_large *j)
{
	ext2_ino_t jino = fs->super->s_journal_inum;

	return jino && jino <= fs->super->s_inodes_count &&
	       !e2fc_read_inode(fs, jino, j);
}

/* the superblock fields a map depends on (none is wider than 32 bits) */
#define SB_FIELD(f)	{ offsetof(struct ext2_super_block, f), \
			  sizeof(((struct ext2_super_block *)0)->f) }

static const struct {
	unsigned short	off, len;
} map_geometry[] = {
	SB_FIELD(s_blocks_count), SB_FIELD(s_blocks_count_hi),
	SB_FIELD(s_first_data_block), SB_FIELD(s_log_block_size),
	SB_FIELD(s_blocks_per_group), SB_FIELD(s_inodes_per_group),
	SB_FIELD(s_inode_size), SB_FIELD(s_desc_size),
	SB_FIELD(s_feature_compat), SB_FIELD(s_feature_incompat),
	SB_FIELD(s_feature_ro_compat), SB_FIELD(s_first_meta_bg),
	SB_FIELD(s_backup_bgs[0]), SB_FIELD(s_backup_bgs[1]),
	SB_FIELD(s_reserved_gdt_blocks), SB_FIELD(s_journal_inum),
};
_Static_assert(sizeof(map_geometry) / sizeof(map_geometry[0]) ==
	       META_SRC_GEOMETRY, "one word of a map's source per field");

/* the source of a map of fs (struct meta_map), with j its journal inode
 * (NULL: none); 0 when it cannot serve another fs: the journal's map has
 * blocks of its own (an extent tree deeper than the inode, indirect
 * blocks), which a log may rewrite */
static int meta_source(ext2_filsys fs, const struct ext2_inode_large *j,
		       uint32_t src[META_SRC_WORDS])
{
	const char *sb = (const char *)fs->super;
	unsigned i;

	memset(src, 0, META_SRC_WORDS * sizeof(*src));
	for (i = 0; i < sizeof(map_geometry) / sizeof(map_geometry[0]); i++)
		memcpy(&src[i], sb + map_geometry[i].off, map_geometry[i].len);
	src[META_SRC_GEOMETRY] = !!j;
	for (i = 0; j && i < EXT2_N_BLOCKS; i++)
		src[META_SRC_GEOMETRY + 1 + i] = j->i_block[i];
	if (!j)
		return 1;
	if (j->i_flags & EXT4_EXTENTS_FL)	/* the root's eh_depth */
		return e2fc_get_le16((const uint8_t *)j->i_block +
				     EXT4_EXT_HDR_DEPTH) == 0;
	return !j->i_block[EXT2_IND_BLOCK] && !j->i_block[EXT2_DIND_BLOCK] &&
	       !j->i_block[EXT2_TIND_BLOCK];
}

int e2fc_meta_same_source(const struct meta_map *m, ext2_filsys fs)
{
	uint32_t src[META_SRC_WORDS];
	struct ext2_inode_large j;

	return meta_source(fs, journal_inode(fs, &j) ? &j : NULL, src) &&
	       !memcmp(src, m->src, sizeof(src));
}

void e2fc_meta_free(struct meta_map **mp)
{
	if (!*mp)
		return;
	ext2fs_free_mem(&(*mp)->r);
	ext2fs_free_mem(mp);
}

/* every block the file system's own metadata and journal occupy */
errcode_t e2fc_meta_build(ext2_filsys fs, struct meta_map *m)
{
	struct meta_map part[NPARTS];
	struct ext2_inode_large j;
	int has_j = journal_inode(fs, &j), i;
	errcode_t err;

	memset(m, 0, sizeof(*m));
	memset(part, 0, sizeof(part));
	err = groups_add(fs, &part[PART_GROUPS]);
	if (!err)
		err = copies_add(fs, &part[PART_COPIES]);
	if (!err && has_j)
		err = e2fc_walk_blocks(fs, fs->super->s_journal_inum,
				       (struct ext2_inode *)&j,
				       journal_cb, &part[PART_COPIES]);
	if (!err)
		err = meta_join(m, part);
	if (!err)
		meta_source(fs, has_j ? &j : NULL, m->src);
	for (i = 0; i < NPARTS; i++)
		ext2fs_free_mem(&part[i].r);
	if (err)
		ext2fs_free_mem(&m->r);
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
