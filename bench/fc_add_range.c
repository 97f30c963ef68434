// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fc_add_range.c -- the time of one ADD_RANGE tag, applied by
 * e2fc_apply_tag() (run by run) and by the per-block loop it replaced
 * (lookup + ext2fs_extent_set_bmap for each block, kept here as the
 * reference), on a fresh 1k-block file system made by mke2fs in a
 * temporary file.
 *
 *   hole      LEN blocks into an empty file
 *   replace   LEN blocks over a file mapped elsewhere (old blocks freed)
 *   flip      LEN written blocks turned unwritten in place
 *   frag      LEN blocks over a file of 10-block extents, every other
 *             one unwritten (a tree of depth 2)
 *
 * usage: fc_add_range [LEN]   (default 30000)
 * Output: a line per case and "RESULT add_range_<case>_<how>_ms <ms>".
 * Exit: 0 ok, 1 a step failed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fc_replay_int.h"
#include "../tests/unit/add_range_ref.h"

#define FS_BLOCKS	262144
#define D		40000		/* data area */

struct run {
	char		path[64];
	ext2_filsys	fs;
	ext2_ino_t	ino;
	struct replay	r;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int make_fs(struct run *x)
{
	char cmd[512];
	int fd;

	snprintf(x->path, sizeof(x->path), "/tmp/e2fc-bench-ar.XXXXXX");
	fd = mkstemp(x->path);
	if (fd < 0)
		return 0;
	close(fd);
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin mke2fs -q -F "
		 "-b 1024 -N 256 -G 64 -O ^has_journal,^resize_inode,"
		 "sparse_super2,extent,flex_bg,metadata_csum,64bit "
		 "-E num_backup_sb=0 '%s' %d >/dev/null 2>&1", x->path,
		 FS_BLOCKS);
	return system(cmd) == 0 &&
	       !ext2fs_open(x->path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			    unix_io_manager, &x->fs) &&
	       !ext2fs_read_bitmaps(x->fs);
}

static int make_file(struct run *x)
{
	struct ext2_inode_large in;

	if (ext2fs_new_inode(x->fs, EXT2_ROOT_INO, 0100644, NULL, &x->ino))
		return 0;
	memset(&in, 0, sizeof(in));
	in.i_mode = 0100644;
	in.i_links_count = 1;
	in.i_extra_isize = sizeof(in) - EXT2_GOOD_OLD_INODE_SIZE;
	in.i_flags = EXT4_EXTENTS_FL;
	in.i_block[0] = ext2fs_cpu_to_le32(EXT3_EXT_MAGIC);
	in.i_block[1] = ext2fs_cpu_to_le32(4);
	if (ext2fs_write_new_inode(x->fs, x->ino, (struct ext2_inode *)&in))
		return 0;
	ext2fs_inode_alloc_stats2(x->fs, x->ino, 1, 0);
	return 1;
}

static int open_run(struct run *x)
{
	struct replay *r = &x->r;

	memset(x, 0, sizeof(*x));
	if (!make_fs(x) || !make_file(x))
		return 0;
	/* the replay keeps ADD_RANGE targets out of the allocator */
	ext2fs_mark_block_bitmap_range2(x->fs->block_map, D, FS_BLOCKS - D);
	r->fs = x->fs;
	return !e2fc_names_init(&r->names) &&
	       !e2fc_bitmaps_init(r) &&	/* the fs's maps: all loaded */
	       !ext2fs_allocate_block_bitmap(x->fs, "rel", &r->released) &&
	       !ext2fs_allocate_inode_bitmap(x->fs, "seen", &r->seen);
}

static void close_run(struct run *x)
{
	struct replay *r = &x->r;

	e2fc_names_free(r->names);
	e2fc_bitmaps_done(r);
	if (r->released)
		ext2fs_free_block_bitmap(r->released);
	if (r->seen)
		ext2fs_free_inode_bitmap(r->seen);
	ext2fs_free_mem(&r->notes);
	ext2fs_free_mem(&r->modified);
	ext2fs_free_mem(&r->pending);
	if (x->fs)
		ext2fs_close_free(&x->fs);
	unlink(x->path);
}

/* the per-block loop fc_apply.c used before */
static errcode_t per_block(struct run *x, const struct e2fc_tag *t)
{
	return ref_add_range(x->fs, x->ino, t->u.add.lblk, t->u.add.pblk,
			     t->u.add.len, t->u.add.unwritten, &x->r);
}

static void tag(struct e2fc_tag *t, ext2_ino_t ino, uint32_t lblk,
		uint64_t pblk, uint32_t len, int unwritten)
{
	memset(t, 0, sizeof(*t));
	t->tag = EXT4_FC_TAG_ADD_RANGE;
	t->u.add.ino = ino;
	t->u.add.lblk = lblk;
	t->u.add.pblk = pblk;
	t->u.add.len = len;
	t->u.add.unwritten = unwritten;
}

static errcode_t apply(struct run *x, const struct e2fc_tag *t, int old)
{
	return old ? per_block(x, t) : e2fc_apply_tag(&x->r, t);
}

/* the untimed state before the timed tag */
static errcode_t prepare(struct run *x, const char *c, uint32_t len)
{
	struct e2fc_tag t;
	uint32_t i;
	errcode_t err = 0;

	if (!strcmp(c, "replace") || !strcmp(c, "flip")) {
		tag(&t, x->ino, 0, D, len, 0);
		return e2fc_apply_tag(&x->r, &t);
	}
	for (i = 0; !strcmp(c, "frag") && i < len / 10 && !err; i += 2) {
		tag(&t, x->ino, i * 10, D + i * 10, 10, (i / 2) & 1);
		err = e2fc_apply_tag(&x->r, &t);
	}
	return err;
}

/* the tag's blocks are mapped as it says (not a no-op measured) */
static int verify(struct run *x, const struct e2fc_tag *t)
{
	struct ext2_inode_large in;
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	blk64_t ok = 0, i, l;
	int op = EXT2_EXTENT_ROOT;

	if (e2fc_read_inode(x->fs, x->ino, &in) ||
	    ext2fs_extent_open2(x->fs, x->ino, (struct ext2_inode *)&in, &h))
		return 0;
	while (!ext2fs_extent_get(h, op, &e)) {
		op = EXT2_EXTENT_NEXT_LEAF;
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF) ||
		    !!(e.e_flags & EXT2_EXTENT_FLAGS_UNINIT) !=
		    t->u.add.unwritten)
			continue;
		for (i = 0; i < e.e_len; i++) {
			l = e.e_lblk + i;
			if (l >= t->u.add.lblk &&
			    l < (blk64_t)t->u.add.lblk + t->u.add.len &&
			    e.e_pblk + i == t->u.add.pblk + (l - t->u.add.lblk))
				ok++;
		}
	}
	ext2fs_extent_free(h);
	return ok == t->u.add.len;
}

static int one(const char *c, uint32_t len, int old)
{
	struct e2fc_tag t;
	struct run x;
	double t0, ms;
	errcode_t err;

	if (!open_run(&x)) {
		fprintf(stderr, "fc_add_range: cannot make a file system\n");
		close_run(&x);
		return 0;
	}
	err = prepare(&x, c, len);
	if (err)
		fprintf(stderr, "fc_add_range: %s: prepare: error %ld\n", c,
			(long)err);
	if (!strcmp(c, "flip"))
		tag(&t, x.ino, 0, D, len, 1);
	else
		tag(&t, x.ino, 0, D + 100000, len, 0);
	t0 = now();
	if (!err)
		err = apply(&x, &t, old);
	ms = (now() - t0) * 1000;
	if (!err && !verify(&x, &t))
		err = EXT2_ET_EXTENT_NOT_FOUND;
	close_run(&x);
	if (err) {
		fprintf(stderr, "fc_add_range: %s: error %ld\n", c, (long)err);
		return 0;
	}
	printf("  %-8s %-10s %10.3f ms\n", c, old ? "per-block" : "runs", ms);
	printf("RESULT add_range_%s_%s_ms %.3f\n", c, old ? "perblock" : "runs",
	       ms);
	return 1;
}

int main(int argc, char **argv)
{
	static const char *const cases[] = { "hole", "replace", "flip",
					     "frag" };
	uint32_t len = 30000;
	unsigned i;
	int ok = 1;

	if (argc > 2)
		return 2;
	if (argc == 2)
		len = strtoul(argv[1], NULL, 0);
	if (!len || len > 65536)
		return 2;
	printf("ADD_RANGE of %u blocks, 1k-block file system\n", len);
	for (i = 0; i < 4; i++) {
		ok &= one(cases[i], len, 0);
		ok &= one(cases[i], len, 1);
	}
	return ok ? 0 : 1;
}
