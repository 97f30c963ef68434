// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_add_range.c -- ADD_RANGE applied run by run (fc_apply.c) against a
 * block-by-block model and against the old per-block loop (lookup +
 * ext2fs_extent_set_bmap for each block), on fresh file systems made by
 * mke2fs: 1k blocks, no journal, flex_bg, no backup superblocks (so long
 * physical runs cross no metadata), metadata_csum.
 *
 * Each case seeds an inode with extents, applies ADD_RANGE tags through
 * e2fc_apply_tag() and checks, block by block, the resulting mapping and
 * written/unwritten state, the old blocks released, that the tree has no
 * more extents than the per-block loop leaves (run on a twin image) and
 * that e2fsck -fn finds the image clean.  E2FC_KEEP=1 keeps the images
 * in /tmp and prints the ADD_RANGEs that fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fc_replay_int.h"
#include "unit.h"
#include "add_range_ref.h"

#define W	70000		/* logical blocks the model covers */
#define FS_BLOCKS 131072	/* 128 MiB in 1k blocks */
#define D	20000		/* data area: far from the metadata */

struct img {
	char		path[64];
	ext2_filsys	fs;
	ext2_ino_t	ino;
};

struct fx {
	struct img	a;		/* e2fc_apply_tag */
	struct img	b;		/* the old per-block loop */
	struct replay	r;
	blk64_t		*mp;		/* model: pblk per lblk, 0 = hole */
	uint8_t		*mu;		/* model: unwritten */
	ext2fs_block_bitmap rel;	/* model: released blocks */
	ext2fs_block_bitmap base;	/* block map before any data */
	int		twin;		/* b is used (extents only) */
};

static int sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin ");
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), fmt, arg);
	return system(cmd) == 0;
}

static int make_image(struct img *m, const char *opts)
{
	char args[256];

	snprintf(args, sizeof(args), "-b 1024 -N 256 -G 32 %s "
		 "-E num_backup_sb=0", opts);
	if (!e2fc_test_mkfs(args, FS_BLOCKS, m->path, sizeof(m->path)))
		return 0;
	return !ext2fs_open(m->path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			    unix_io_manager, &m->fs) &&
	       !ext2fs_read_bitmaps(m->fs);
}

/* a regular file with an empty extent root (or no blocks) */
/* i_size at blocks (ranges often come before the INODE that grows it) */
static int set_size(struct img *m, blk64_t blocks)
{
	struct ext2_inode_large in;
	uint64_t size = blocks * m->fs->blocksize;

	if (e2fc_read_inode(m->fs, m->ino, &in))
		return 0;
	in.i_size = size & 0xffffffff;
	in.i_size_high = size >> 32;
	return !e2fc_write_inode(m->fs, m->ino, &in);
}

static int make_file(struct img *m, int extents)
{
	struct ext2_inode_large in;
	ext2_filsys fs = m->fs;

	if (ext2fs_new_inode(fs, EXT2_ROOT_INO, 0100644, NULL, &m->ino))
		return 0;
	memset(&in, 0, sizeof(in));
	in.i_mode = 0100644;
	in.i_links_count = 1;
	in.i_extra_isize = sizeof(in) - EXT2_GOOD_OLD_INODE_SIZE;
	if (extents) {
		in.i_flags = EXT4_EXTENTS_FL;
		in.i_block[0] = ext2fs_cpu_to_le32(EXT3_EXT_MAGIC |
						   (0 << 16));
		in.i_block[1] = ext2fs_cpu_to_le32(4);	/* eh_max */
	}
	if (ext2fs_write_new_inode(fs, m->ino, (struct ext2_inode *)&in))
		return 0;
	ext2fs_inode_alloc_stats2(fs, m->ino, 1, 0);
	return !ext2fs_link(fs, EXT2_ROOT_INO, "f", m->ino, EXT2_FT_REG_FILE);
}

static int fx_open(struct fx *f, const char *opts, int extents)
{
	memset(f, 0, sizeof(*f));
	if (!make_image(&f->a, opts) || !make_image(&f->b, opts) ||
	    !make_file(&f->a, extents) || !make_file(&f->b, extents))
		return 0;
	f->mp = calloc(W, sizeof(*f->mp));
	f->mu = calloc(W, 1);
	if (!f->mp || !f->mu ||
	    ext2fs_allocate_block_bitmap(f->a.fs, "rel", &f->rel) ||
	    ext2fs_copy_bitmap(f->a.fs->block_map, &f->base))
		return 0;
	/* like the replay's excluded map: tree blocks come from elsewhere */
	ext2fs_mark_block_bitmap_range2(f->a.fs->block_map, D, FS_BLOCKS - D);
	ext2fs_mark_block_bitmap_range2(f->b.fs->block_map, D, FS_BLOCKS - D);
	f->r.fs = f->a.fs;
	f->r.now = 1;
	f->twin = extents;
	return !e2fc_names_init(&f->r.names) &&
	       !e2fc_bitmaps_init(&f->r) &&	/* the fs's maps: all loaded */
	       !ext2fs_allocate_block_bitmap(f->a.fs, "released",
					     &f->r.released) &&
	       !ext2fs_allocate_block_bitmap(f->a.fs, "owned", &f->r.owned) &&
	       !ext2fs_allocate_inode_bitmap(f->a.fs, "seen", &f->r.seen);
}

static void img_close(struct img *m)
{
	if (m->fs)
		ext2fs_close_free(&m->fs);
	if (!getenv("E2FC_KEEP"))
		unlink(m->path);
}

static void fx_close(struct fx *f)
{
	e2fc_replay_free(&f->r);
	if (f->rel)
		ext2fs_free_block_bitmap(f->rel);
	if (f->base)
		ext2fs_free_block_bitmap(f->base);
	free(f->mp);
	free(f->mu);
	img_close(&f->a);
	img_close(&f->b);
}

/* the old per-block loop (add_range_ref.h), the reference */
static errcode_t old_add(struct img *m, blk64_t lblk, blk64_t pblk,
			 blk64_t len, int unwritten)
{
	ext2fs_mark_block_bitmap_range2(m->fs->block_map, pblk, len);
	return ref_add_range(m->fs, m->ino, lblk, pblk, len, unwritten, NULL);
}

/* block pointers put in place without the code under test */
static int set_ptrs(struct img *m, blk64_t lblk, blk64_t pblk, blk64_t len)
{
	struct ext2_inode_large in;
	blk64_t i, p;

	ext2fs_mark_block_bitmap_range2(m->fs->block_map, pblk, len);
	if (e2fc_read_inode(m->fs, m->ino, &in))
		return 0;
	for (i = 0; i < len; i++) {
		p = pblk + i;
		if (ext2fs_bmap2(m->fs, m->ino, (struct ext2_inode *)&in, NULL,
				 BMAP_SET | BMAP_ALLOC, lblk + i, NULL, &p))
			return 0;
	}
	return 1;
}

/* ---- applying and checking --------------------------------------------- */

/* an extent put in place without the code under test */
static void seed(struct fx *f, blk64_t lblk, blk64_t pblk, blk64_t len,
		 int unwritten)
{
	blk64_t i;

	if (f->twin) {
		CU_ASSERT_FATAL(!old_add(&f->a, lblk, pblk, len, unwritten));
		CU_ASSERT_FATAL(!old_add(&f->b, lblk, pblk, len, unwritten));
	} else {
		CU_ASSERT_FATAL(!unwritten && set_ptrs(&f->a, lblk, pblk, len));
	}
	for (i = 0; i < len; i++) {
		f->mp[lblk + i] = pblk + i;
		f->mu[lblk + i] = unwritten;
	}
}

static errcode_t add(struct fx *f, blk64_t lblk, blk64_t pblk, blk64_t len,
		     int unwritten)
{
	struct e2fc_tag t;
	blk64_t i;
	errcode_t err;

	memset(&t, 0, sizeof(t));
	t.tag = EXT4_FC_TAG_ADD_RANGE;
	t.u.add.ino = f->a.ino;
	t.u.add.lblk = lblk;
	t.u.add.len = len;
	t.u.add.pblk = pblk;
	t.u.add.unwritten = unwritten;
	/* the replay keeps ADD_RANGE targets out of the allocator */
	ext2fs_mark_block_bitmap_range2(f->a.fs->block_map, pblk, len);
	err = e2fc_apply_tag(&f->r, &t);
	if (err && getenv("E2FC_KEEP"))
		fprintf(stderr, "add %llu %llu %llu %d: %ld\n",
			(unsigned long long)lblk, (unsigned long long)pblk,
			(unsigned long long)len, unwritten, (long)err);
	if (f->twin)
		CU_ASSERT_EQUAL(old_add(&f->b, lblk, pblk, len, unwritten), 0);
	if (err)
		return err;		/* refused: nothing changed */
	for (i = 0; i < len; i++) {
		if (f->mp[lblk + i] && f->mp[lblk + i] != pblk + i)
			ext2fs_mark_block_bitmap2(f->rel, f->mp[lblk + i]);
		f->mp[lblk + i] = pblk + i;
		f->mu[lblk + i] = unwritten;
	}
	return err;
}

/* the twin's DEL_RANGE, i_blocks out of the way (ranges do not count) */
static int punch(struct img *m, blk64_t lblk, blk64_t len)
{
	struct ext2_inode_large in;

	if (e2fc_read_inode(m->fs, m->ino, &in))
		return 0;
	in.i_blocks = 0xffffffff;
	return !ext2fs_punch(m->fs, m->ino, (struct ext2_inode *)&in, NULL,
			     lblk, lblk + len - 1);
}

static errcode_t del(struct fx *f, blk64_t lblk, blk64_t len)
{
	struct e2fc_tag t;
	blk64_t i;

	memset(&t, 0, sizeof(t));
	t.tag = EXT4_FC_TAG_DEL_RANGE;
	t.u.del.ino = f->a.ino;
	t.u.del.lblk = lblk;
	t.u.del.len = len;
	for (i = 0; i < len; i++)
		f->mp[lblk + i] = 0;
	if (f->twin)
		CU_ASSERT(punch(&f->b, lblk, len));
	i = e2fc_apply_tag(&f->r, &t);
	if (i && getenv("E2FC_KEEP"))
		fprintf(stderr, "del: %ld\n", (long)i);
	return i;
}

struct map {
	blk64_t		*p;
	uint8_t		*u;
	unsigned	extents, beyond;
};

static int ptr_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt,
		  blk64_t ref_blk, int ref_offset, void *priv)
{
	struct map *mp = priv;

	if (blockcnt < 0)
		return 0;		/* an indirect block */
	if (blockcnt >= W)
		mp->beyond++;
	else
		mp->p[blockcnt] = *blocknr;
	return 0;
}

static int read_map(struct img *m, struct map *mp)
{
	struct ext2_inode_large in;
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	int op = EXT2_EXTENT_ROOT;
	blk64_t i, prev_end = 0;
	errcode_t err;

	memset(mp, 0, sizeof(*mp));
	mp->p = calloc(W, sizeof(*mp->p));
	mp->u = calloc(W, 1);
	if (!mp->p || !mp->u || e2fc_read_inode(m->fs, m->ino, &in))
		return 0;
	if (!(in.i_flags & EXT4_EXTENTS_FL))
		return !ext2fs_block_iterate3(m->fs, m->ino,
					      BLOCK_FLAG_READ_ONLY, NULL,
					      ptr_cb, mp);
	if (ext2fs_extent_open2(m->fs, m->ino, (struct ext2_inode *)&in, &h))
		return 0;
	while (!(err = ext2fs_extent_get(h, op, &e))) {
		op = EXT2_EXTENT_NEXT_LEAF;
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF) || !e.e_len)
			continue;
		if (e.e_lblk < prev_end)
			mp->beyond++;		/* overlap: counted as bad */
		prev_end = e.e_lblk + e.e_len;
		mp->extents++;
		for (i = 0; i < e.e_len; i++) {
			if (e.e_lblk + i >= W) {
				mp->beyond++;
				continue;
			}
			mp->p[e.e_lblk + i] = e.e_pblk + i;
			mp->u[e.e_lblk + i] =
				!!(e.e_flags & EXT2_EXTENT_FLAGS_UNINIT);
		}
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT;
}

static void free_map(struct map *mp)
{
	free(mp->p);
	free(mp->u);
}

/* blocks where m differs from the model */
static unsigned diff_model(struct fx *f, struct map *m)
{
	unsigned i, bad = 0;

	for (i = 0; i < W; i++)
		if (m->p[i] != f->mp[i] || (m->p[i] && m->u[i] != f->mu[i]))
			bad++;
	return bad + m->beyond;
}

static unsigned diff_released(struct fx *f)
{
	blk64_t b, n = ext2fs_blocks_count(f->a.fs->super);
	unsigned bad = 0;

	for (b = f->a.fs->super->s_first_data_block; b < n; b++)
		if (!!ext2fs_test_block_bitmap2(f->r.released, b) !=
		    !!ext2fs_test_block_bitmap2(f->rel, b))
			bad++;
	return bad;
}

static void mark_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	ext2fs_mark_block_bitmap_range2(arg, blk, count);
}

static void count_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	*(blk64_t *)arg += count;
}

/* what settle does in a real replay, for e2fsck: the block map from the
 * blocks the file owns, i_blocks, i_size past its last block */
static int settle(struct fx *f, struct img *m)
{
	ext2_filsys fs = m->fs;
	struct ext2_inode_large in;
	ext2fs_block_bitmap map;
	blk64_t n = 0, last = 0;
	unsigned i;

	for (i = 0; i < W; i++)
		if (f->mp[i])
			last = i + 1;
	if (e2fc_read_inode(fs, m->ino, &in) ||
	    ext2fs_copy_bitmap(f->base, &map))
		return 0;
	if (e2fc_walk_blocks(fs, m->ino, (struct ext2_inode *)&in, mark_cb,
			     map) ||
	    e2fc_walk_blocks(fs, m->ino, (struct ext2_inode *)&in, count_cb,
			     &n)) {
		ext2fs_free_block_bitmap(map);
		return 0;
	}
	ext2fs_free_block_bitmap(fs->block_map);
	fs->block_map = map;
	ext2fs_mark_bb_dirty(fs);
	if (ext2fs_iblk_set(fs, (struct ext2_inode *)&in, n))
		return 0;
	in.i_size = (last * fs->blocksize) & 0xffffffff;
	in.i_size_high = (last * fs->blocksize) >> 32;
	return !e2fc_write_inode(fs, m->ino, &in) &&
	       !ext2fs_calculate_summary_stats(fs, 0) &&
	       !ext2fs_set_gdt_csum(fs) &&
	       !ext2fs_close_free(&m->fs);
}

static int fsck_clean(const char *path)
{
	return sh("e2fsck -fn '%s' >/dev/null 2>&1", path);
}

/* the whole check of a case; extents: what the new tree may hold at most
 * (0: no more than the per-block loop leaves) */
static void check(struct fx *f, unsigned max_extents)
{
	struct map a, b;

	CU_ASSERT_FATAL(read_map(&f->a, &a));
	CU_ASSERT_EQUAL(diff_model(f, &a), 0);
	if (max_extents)
		CU_ASSERT(a.extents <= max_extents);
	CU_ASSERT_EQUAL(diff_released(f), 0);
	CU_ASSERT(settle(f, &f->a) && fsck_clean(f->a.path));
	if (f->twin) {
		CU_ASSERT_FATAL(read_map(&f->b, &b));
		CU_ASSERT_EQUAL(diff_model(f, &b), 0);	/* the harness */
		CU_ASSERT(a.extents <= b.extents);
		free_map(&b);
		CU_ASSERT(settle(f, &f->b) && fsck_clean(f->b.path));
	}
	free_map(&a);
}

#define OPTS "-O ^has_journal,^resize_inode,sparse_super2,extent,flex_bg," \
	     "metadata_csum,64bit"

#define FX_OPEN(f)	CU_ASSERT_FATAL(fx_open(&(f), OPTS, 1))

static void test_hole(void)
{
	struct fx f;

	FX_OPEN(f);
	CU_ASSERT_EQUAL(add(&f, 10, D, 500, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 1000, D + 2000, 100, 1), 0);
	CU_ASSERT_EQUAL(add(&f, 600, D + 600, 300, 0), 0);	/* between */
	check(&f, 3);
	fx_close(&f);
}

static void test_same(void)
{
	struct fx f;

	FX_OPEN(f);
	seed(&f, 0, D, 200, 0);
	CU_ASSERT_EQUAL(add(&f, 0, D, 200, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 50, D + 50, 20, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 150, D + 150, 150, 0), 0);	/* and on */
	check(&f, 1);
	fx_close(&f);
}

/* a range over a mapping elsewhere, and partly over holes at both ends */
static void test_overlap(void)
{
	struct fx f;

	FX_OPEN(f);
	seed(&f, 100, D, 100, 0);			/* 100..199 */
	seed(&f, 300, D + 1000, 100, 1);		/* 300..399 */
	seed(&f, 500, D + 2000, 50, 0);			/* 500..549 */
	CU_ASSERT_EQUAL(add(&f, 100, D + 5000, 100, 0), 0);	/* exact */
	CU_ASSERT_EQUAL(add(&f, 250, D + 6000, 200, 0), 0);	/* wider */
	CU_ASSERT_EQUAL(add(&f, 490, D + 7000, 20, 1), 0);	/* left end */
	CU_ASSERT_EQUAL(add(&f, 540, D + 8000, 30, 0), 0);	/* right end */
	check(&f, 0);
	fx_close(&f);
}

/* inside one extent: both of its ends stay */
static void test_middle(void)
{
	struct fx f;

	FX_OPEN(f);
	seed(&f, 0, D, 1000, 0);
	CU_ASSERT_EQUAL(add(&f, 400, D + 400, 100, 1), 0);	/* flip */
	CU_ASSERT_EQUAL(add(&f, 700, D + 3000, 10, 0), 0);	/* move */
	CU_ASSERT_EQUAL(add(&f, 0, D, 1, 1), 0);		/* first */
	CU_ASSERT_EQUAL(add(&f, 999, D + 999, 1, 1), 0);	/* last */
	check(&f, 7);
	fx_close(&f);
}

/* flips back: the pieces merge again */
static void test_flip_back(void)
{
	struct fx f;

	FX_OPEN(f);
	seed(&f, 0, D, 1000, 1);
	CU_ASSERT_EQUAL(add(&f, 0, D, 1000, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 200, D + 200, 300, 1), 0);
	CU_ASSERT_EQUAL(add(&f, 100, D + 100, 600, 0), 0);
	check(&f, 1);
	fx_close(&f);
}

/* next to an extent, continuing its blocks: no new extent */
static void test_merge(void)
{
	struct fx f;

	FX_OPEN(f);
	seed(&f, 100, D + 100, 100, 0);			/* 100..199 */
	seed(&f, 400, D + 400, 100, 0);			/* 400..499 */
	CU_ASSERT_EQUAL(add(&f, 200, D + 200, 50, 0), 0);	/* after */
	CU_ASSERT_EQUAL(add(&f, 350, D + 350, 50, 0), 0);	/* before */
	CU_ASSERT_EQUAL(add(&f, 50, D + 50, 50, 0), 0);		/* before */
	check(&f, 2);
	fx_close(&f);
}

/* longer than one extent can be: 32768 written, 32767 unwritten */
static void test_long(void)
{
	struct fx f;

	FX_OPEN(f);
	CU_ASSERT_EQUAL(add(&f, 0, D, 32768 + 100, 0), 0);
	check(&f, 2);
	fx_close(&f);
	FX_OPEN(f);
	CU_ASSERT_EQUAL(add(&f, 5, D, 32767 * 2 + 1, 1), 0);
	check(&f, 3);
	fx_close(&f);
	FX_OPEN(f);
	seed(&f, 0, D, 1000, 0);
	CU_ASSERT_EQUAL(add(&f, 1000, D + 1000, 40000, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 20000, D + 60000, 5, 1), 0);
	check(&f, 0);
	fx_close(&f);
}

/* many small extents: a tree of depth 2; one range across all of them */
static void test_deep(void)
{
	struct fx f;
	unsigned i;

	FX_OPEN(f);
	for (i = 0; i < 400; i++)
		seed(&f, i * 20, D + i * 30, 10, i & 1);
	CU_ASSERT_EQUAL(add(&f, 15, D + 30000, 6000, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 6100, D + 6100 / 20 * 30, 10, 1), 0);
	CU_ASSERT_EQUAL(add(&f, 0, D + 40000, 3, 1), 0);
	check(&f, 0);
	fx_close(&f);
}

/* the same, the tree built by ADD_RANGEs appended one after the other */
static void test_deep_appended(void)
{
	struct fx f;
	unsigned i;

	FX_OPEN(f);
	for (i = 0; i < 3000; i += 2)
		CU_ASSERT_EQUAL(add(&f, i * 10, D + i * 10, 10, (i / 2) & 1),
				0);
	CU_ASSERT_EQUAL(add(&f, 0, D + 40000, 30000, 0), 0);
	check(&f, 1);
	fx_close(&f);
}

/*
 * random ranges, the model checked every 50: pblk = D + k * gap + lblk,
 * so a physical block belongs to one logical block only (else e2fsck
 * finds blocks claimed twice) and ranges of the same k continue each
 * other
 */
static void random_ranges(unsigned window, unsigned ops, unsigned maxlen,
			  blk64_t gap)
{
	static const unsigned kk[] = { 0, 0, 0, 1, 2, 3 };
	uint32_t v = 12345 + window;
	unsigned i, bad = 0;
	struct map a;
	struct fx f;

	FX_OPEN(f);
	CU_ASSERT_FATAL(set_size(&f.a, window / 2) &&
			set_size(&f.b, window / 2));
	for (i = 0; i < ops; i++) {
		blk64_t lblk, len, pblk;
		int uw;

		v = v * 1103515245 + 12345;
		lblk = (v >> 8) % window;
		v = v * 1103515245 + 12345;
		len = 1 + (v >> 8) % ((v & 0x10) ? maxlen : 20);
		v = v * 1103515245 + 12345;
		pblk = D + kk[(v >> 8) % 6] * gap + lblk;
		uw = (v >> 20) & 1;
		CU_ASSERT_EQUAL(add(&f, lblk, pblk, len, uw), 0);
		if (i % 50 == 49) {
			CU_ASSERT_FATAL(read_map(&f.a, &a));
			bad += diff_model(&f, &a);
			free_map(&a);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	check(&f, 0);
	fx_close(&f);
}

static void test_random(void)
{
	random_ranges(3000, 300, 400, 4000);
}

/* small ranges far apart: a tree of depth 2 */
static void test_random_deep(void)
{
	random_ranges(20000, 1500, 60, 25000);
}

/* DEL_RANGE after ADD_RANGEs of the replay (i_blocks does not count
 * their blocks yet) */
static void test_del_after_add(void)
{
	struct fx f;

	FX_OPEN(f);
	CU_ASSERT_EQUAL(add(&f, 0, D, 1000, 0), 0);
	CU_ASSERT_EQUAL(del(&f, 100, 200), 0);
	CU_ASSERT_EQUAL(del(&f, 900, 500), 0);
	CU_ASSERT_EQUAL(add(&f, 150, D + 5000, 10, 1), 0);
	check(&f, 4);
	fx_close(&f);
}

/* ---- block-mapped inodes (no extents) ------------------------------------ */

#define OPTS_IND "-O ^has_journal,^resize_inode,sparse_super2,^extent," \
		 "flex_bg,metadata_csum"

/* direct, indirect and double indirect pointers; replaced, kept, far */
static void test_ind_map(void)
{
	struct fx f;

	CU_ASSERT_FATAL(fx_open(&f, OPTS_IND, 0));
	CU_ASSERT_EQUAL(add(&f, 0, D, 12 + 256 + 300, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 5, D + 5000, 10, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 100, D + 100, 50, 0), 0);
	CU_ASSERT_EQUAL(add(&f, 3000, D + 7000, 20, 0), 0);
	check(&f, 0);
	fx_close(&f);
}

/* no unwritten state without extents: refused, nothing changed */
static void test_ind_unwritten(void)
{
	struct fx f;

	CU_ASSERT_FATAL(fx_open(&f, OPTS_IND, 0));
	seed(&f, 0, D, 20, 0);
	CU_ASSERT_EQUAL(add(&f, 10, D + 10, 20, 1), EXT2_ET_INODE_NOT_EXTENT);
	CU_ASSERT_EQUAL(add(&f, 40, D + 40, 5, 1), EXT2_ET_INODE_NOT_EXTENT);
	check(&f, 0);
	fx_close(&f);
}

static void test_ind_del(void)
{
	struct fx f;

	CU_ASSERT_FATAL(fx_open(&f, OPTS_IND, 0));
	seed(&f, 0, D, 600, 0);
	CU_ASSERT_EQUAL(del(&f, 100, 300), 0);
	CU_ASSERT_EQUAL(del(&f, 590, 100), 0);
	CU_ASSERT_EQUAL(add(&f, 150, D + 9000, 10, 0), 0);
	check(&f, 0);
	fx_close(&f);
}

static CU_TestInfo tests[] = {
	{ "ADD_RANGE into holes", test_hole },
	{ "ADD_RANGE already mapped the same: unchanged", test_same },
	{ "ADD_RANGE over other mappings, partial at both ends",
	  test_overlap },
	{ "ADD_RANGE inside an extent: flip, move, first, last",
	  test_middle },
	{ "ADD_RANGE flips back: extents merge", test_flip_back },
	{ "ADD_RANGE next to an extent: merged", test_merge },
	{ "ADD_RANGE longer than an extent", test_long },
	{ "ADD_RANGE across a deep tree", test_deep },
	{ "ADD_RANGE across a deep tree of appended ranges",
	  test_deep_appended },
	{ "ADD_RANGE random ranges against the model", test_random },
	{ "ADD_RANGE random ranges, deep tree", test_random_deep },
	{ "DEL_RANGE after ADD_RANGEs: i_blocks lags", test_del_after_add },
	{ "ADD_RANGE block-mapped: pointers set", test_ind_map },
	{ "ADD_RANGE block-mapped: unwritten refused", test_ind_unwritten },
	{ "DEL_RANGE block-mapped: pointers cleared", test_ind_del },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("add_range", tests);
