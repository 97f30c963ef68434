// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_inode_io.c -- the replay's own inode I/O (fc_inode.c) against
 * libext2fs's: on the overlay io manager, e2fc_inode_read returns what
 * ext2fs_read_inode2 returns (bytes and error code: bad checksum, all-zero
 * inode, EXT2_FLAG_IGNORE_CSUM_ERRORS, bad inode numbers), and
 * e2fc_inode_write leaves the same bytes in the inode table as
 * ext2fs_write_inode2 (128- and 256-byte inodes, checksum with and
 * without its high half); libext2fs's own cache never serves a stale
 * inode after it; e2fc_inode_bmap maps as ext2fs_bmap2; the hooks that
 * send libext2fs's own inode I/O there; the overlay's byte reads and
 * writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "e2fc_disk.h"
#include "fc_meta.h"
#include "unit.h"

#define NFILES	12

static int make_image(const char *mkfs_opts, char *path, size_t len)
{
	char cmd[512], opts[256], dir[64];
	int ok;

	snprintf(dir, sizeof(dir), "/tmp/e2fc-ino-d.XXXXXX");
	if (!mkdtemp(dir))
		return 0;
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir d && for i in $(seq %d); "
		 "do head -c $((i * 3000)) /dev/zero | tr '\\0' x >d/f$i; done",
		 dir, NFILES);
	snprintf(opts, sizeof(opts), "-t ext4 %s -d %s", mkfs_opts, dir);
	ok = system(cmd) == 0 && e2fc_test_mkfs(opts, 8192, path, len);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok = 0;
	return ok;
}

static ext2_filsys ov_open(const char *path)
{
	ext2_filsys fs = NULL;

	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0,
				    0, e2fc_overlay_io_manager, &fs) == 0);
	return fs;
}

/* the raw inode, as the overlay holds it */
static void raw_inode(ext2_filsys fs, ext2_ino_t ino, uint8_t *raw)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	dgrp_t g = (ino - 1) / fs->super->s_inodes_per_group;
	uint64_t pos = ext2fs_inode_table_loc(fs, g) * (uint64_t)fs->blocksize +
		       (uint64_t)((ino - 1) % fs->super->s_inodes_per_group) *
		       isz;

	CU_ASSERT_FATAL(e2fc_overlay_read_bytes(fs->io, pos, raw, isz) == 0);
}

static void put_raw(ext2_filsys fs, ext2_ino_t ino, const uint8_t *raw)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	dgrp_t g = (ino - 1) / fs->super->s_inodes_per_group;
	uint64_t pos = ext2fs_inode_table_loc(fs, g) * (uint64_t)fs->blocksize +
		       (uint64_t)((ino - 1) % fs->super->s_inodes_per_group) *
		       isz;

	CU_ASSERT_FATAL(e2fc_overlay_write_bytes(fs->io, pos, raw, isz) == 0);
	ext2fs_flush_icache(fs);
}

/* ino read both ways, into buffers of each size: the same */
static void same_read(ext2_filsys fs, ext2_ino_t ino)
{
	static const unsigned sizes[] = { sizeof(struct ext2_inode),
					  sizeof(struct ext2_inode_large),
					  1024 };
	uint8_t a[1024], b[1024];
	errcode_t theirs, ours;
	unsigned i;

	for (i = 0; i < 3; i++) {
		memset(a, 0xa5, sizeof(a));
		memset(b, 0xa5, sizeof(b));
		ext2fs_flush_icache(fs);
		theirs = ext2fs_read_inode2(fs, ino, (struct ext2_inode *)a,
					    sizes[i], 0);
		ours = e2fc_inode_read(fs, ino, b, sizes[i]);
		CU_ASSERT_EQUAL(ours, theirs);
		CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	}
}

/* in written by libext2fs to one overlay, by us to another: the same
 * raw inode afterwards */
static void same_write(ext2_filsys theirs_fs, ext2_filsys ours_fs,
		       ext2_ino_t ino, const void *in, unsigned size)
{
	uint8_t a[1024], b[1024];

	CU_ASSERT(ext2fs_write_inode2(theirs_fs, ino, (struct ext2_inode *)in,
				      size, 0) == 0);
	CU_ASSERT(e2fc_inode_write(ours_fs, ino, in, size) == 0);
	raw_inode(theirs_fs, ino, a);
	raw_inode(ours_fs, ino, b);
	CU_ASSERT(memcmp(a, b, EXT2_INODE_SIZE(ours_fs->super)) == 0);
}

static void reads(ext2_filsys fs, ext2_ino_t last)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	uint8_t raw[1024];
	ext2_ino_t ino;

	for (ino = 1; ino <= last; ino++)
		same_read(fs, ino);
	same_read(fs, 0);
	same_read(fs, fs->super->s_inodes_count + 1);
	/* a bad checksum, refused, then ignored */
	raw_inode(fs, last, raw);
	raw[RI_MTIME] ^= 1;
	put_raw(fs, last, raw);
	same_read(fs, last);
	fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
	same_read(fs, last);
	fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
	/* all zeros: taken */
	memset(raw, 0, isz);
	put_raw(fs, last, raw);
	same_read(fs, last);
}

/* a file's inode changed and written, whole and in part; with
 * i_extra_isize too small for the checksum's high half */
static void writes(const char *path, ext2_ino_t ino)
{
	ext2_filsys a = ov_open(path), b = ov_open(path);
	struct ext2_inode_large in;

	CU_ASSERT_FATAL(e2fc_read_inode(b, ino, &in) == 0);
	in.i_mtime += 100;
	in.i_links_count = 7;
	same_write(a, b, ino, &in, sizeof(in));
	in.i_size += 5;
	same_write(a, b, ino, &in, sizeof(struct ext2_inode));
	if (EXT2_INODE_SIZE(b->super) > EXT2_GOOD_OLD_INODE_SIZE) {
		in.i_extra_isize = 2;
		same_write(a, b, ino, &in, sizeof(in));
	}
	same_read(b, ino);
	/* libext2fs's cache and inode-table buffer do not go stale: read
	 * through it after our write, and write a neighbour after it */
	CU_ASSERT_FATAL(ext2fs_read_inode(b, ino, (struct ext2_inode *)&in) ==
			0);
	CU_ASSERT_FATAL(ext2fs_read_inode(a, ino, (struct ext2_inode *)&in) ==
			0);
	in.i_uid = 4242;
	same_write(a, b, ino, &in, sizeof(struct ext2_inode));
	CU_ASSERT(ext2fs_read_inode(b, ino, (struct ext2_inode *)&in) == 0);
	CU_ASSERT_EQUAL(in.i_uid, 4242);
	CU_ASSERT(ext2fs_write_inode(b, ino + 1, (struct ext2_inode *)&in) ==
		  0);
	CU_ASSERT(ext2fs_write_inode(a, ino + 1, (struct ext2_inode *)&in) ==
		  0);
	same_read(b, ino);
	CU_ASSERT(ext2fs_read_inode(b, ino, (struct ext2_inode *)&in) == 0);
	CU_ASSERT_EQUAL(in.i_uid, 4242);
	ext2fs_free(a);
	ext2fs_free(b);
}

static void run(const char *mkfs_opts, int csum)
{
	char path[64];
	ext2_filsys fs;
	ext2_ino_t d = 0, f = 0;

	CU_ASSERT_FATAL(make_image(mkfs_opts, path, sizeof(path)));
	fs = ov_open(path);
	CU_ASSERT_EQUAL(!!ext2fs_has_feature_metadata_csum(fs->super), csum);
	CU_ASSERT_FATAL(ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, "d",
				     &d) == 0);
	CU_ASSERT_FATAL(ext2fs_namei(fs, EXT2_ROOT_INO, d, "f1", &f) == 0);
	reads(fs, f + NFILES - 1);
	ext2fs_free(fs);
	writes(path, f);
	unlink(path);
}

static void test_256_csum(void)
{
	run("-b 4096 -I 256 -O metadata_csum", 1);
}

static void test_128_csum(void)
{
	run("-b 1024 -I 128 -O metadata_csum", 1);
}

static void test_256_nocsum(void)
{
	run("-b 1024 -I 256 -O ^metadata_csum", 0);
}

/* not the overlay: libext2fs's path, the same answers */
static void test_other_io(void)
{
	struct ext2_inode a, b;
	ext2_filsys fs = NULL;
	char path[64];
	uint8_t byte;

	CU_ASSERT_FATAL(make_image("-b 1024 -O metadata_csum", path,
				   sizeof(path)));
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0,
				    0, unix_io_manager, &fs) == 0);
	CU_ASSERT_EQUAL(e2fc_overlay_read_bytes(fs->io, 0, &byte, 1),
			EXT2_ET_OP_NOT_SUPPORTED);
	CU_ASSERT_EQUAL(e2fc_overlay_write_bytes(fs->io, 0, &byte, 1),
			EXT2_ET_OP_NOT_SUPPORTED);
	CU_ASSERT(ext2fs_read_inode(fs, EXT2_ROOT_INO, &a) == 0);
	CU_ASSERT(e2fc_inode_read(fs, EXT2_ROOT_INO, &b, sizeof(b)) == 0);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	b.i_atime++;
	CU_ASSERT(e2fc_inode_write(fs, EXT2_ROOT_INO, &b, sizeof(b)) == 0);
	CU_ASSERT(ext2fs_read_inode(fs, EXT2_ROOT_INO, &a) == 0);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	ext2fs_free(fs);
	unlink(path);
}

static errcode_t other_hook(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode)
{
	return EXT2_ET_CALLBACK_NOTHANDLED;
}

/* with the hooks, libext2fs's ext2fs_read_inode and ext2fs_write_inode
 * go through e2fc_inode_read/write: the same bytes and inodes */
static void test_hooks(void)
{
	struct ext2_inode in, back;
	ext2_filsys a, b, u = NULL;
	char path[64];
	uint8_t ra[1024], rb[1024];
	int set;

	CU_ASSERT_FATAL(make_image("-b 1024 -I 256 -O metadata_csum", path,
				   sizeof(path)));
	a = ov_open(path);
	b = ov_open(path);
	CU_ASSERT_FATAL(ext2fs_read_inode(a, 12, &in) == 0);
	in.i_mtime += 7;
	in.i_size += 3;
	set = e2fc_inode_hooks_set(b);
	CU_ASSERT_EQUAL(set, 1);
	CU_ASSERT(b->read_inode != NULL && b->write_inode != NULL);
	CU_ASSERT(ext2fs_write_inode(a, 12, &in) == 0);
	CU_ASSERT(ext2fs_write_inode(b, 12, &in) == 0);
	raw_inode(a, 12, ra);
	raw_inode(b, 12, rb);
	CU_ASSERT(memcmp(ra, rb, EXT2_INODE_SIZE(a->super)) == 0);
	CU_ASSERT(ext2fs_read_inode(b, 12, &back) == 0);
	ext2fs_flush_icache(a);		/* it caches the inode it was given */
	CU_ASSERT(ext2fs_read_inode(a, 12, &in) == 0);
	CU_ASSERT(memcmp(&back, &in, sizeof(in)) == 0);
	CU_ASSERT_EQUAL(e2fc_inode_hooks_set(b), 0);	/* already there */
	e2fc_inode_hooks_clear(b, set);
	CU_ASSERT(b->read_inode == NULL && b->write_inode == NULL);
	b->write_inode = other_hook;			/* not over another */
	CU_ASSERT_EQUAL(e2fc_inode_hooks_set(b), 0);
	CU_ASSERT(b->write_inode == other_hook);
	b->write_inode = NULL;
	ext2fs_free(a);
	ext2fs_free(b);
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0,
				    0, unix_io_manager, &u) == 0);
	CU_ASSERT_EQUAL(e2fc_inode_hooks_set(u), 0);	/* not the overlay */
	CU_ASSERT(u->read_inode == NULL);
	ext2fs_free(u);
	unlink(path);
}

/* an extent root in i_block: lblk, len (> 32768: unwritten), start */
static void put_ext(struct ext2_inode *in, unsigned i, uint32_t lblk,
		    uint16_t len, uint64_t start)
{
	uint8_t *x = (uint8_t *)in->i_block + EXT4_EXT_HDR_SIZE +
		     i * EXT4_EXT_ENTRY_SIZE;

	e2fc_put_le32(x + EXT4_EXT_LBLK, lblk);
	e2fc_put_le16(x + EXT4_EXT_LEN, len);
	e2fc_put_le16(x + EXT4_EXT_START_HI, (uint16_t)(start >> 32));
	e2fc_put_le32(x + EXT4_EXT_START_LO, (uint32_t)start);
}

static void root(struct ext2_inode *in, unsigned n, unsigned max,
		 unsigned depth)
{
	uint8_t *h = (uint8_t *)in->i_block;

	memset(in, 0, sizeof(*in));
	in->i_mode = LINUX_S_IFDIR | 0755;
	in->i_links_count = 2;
	in->i_flags = EXT4_EXTENTS_FL;
	e2fc_put_le16(h, EXT4_EXT_MAGIC);
	e2fc_put_le16(h + EXT4_EXT_HDR_ENTRIES, n);
	e2fc_put_le16(h + EXT4_EXT_HDR_MAX, max);
	e2fc_put_le16(h + EXT4_EXT_HDR_DEPTH, depth);
}

/* every lblk of 0..300 mapped by both: the same block and code */
static void same_map(ext2_filsys fs, struct ext2_inode *in)
{
	blk64_t lblk, a, b;
	errcode_t ea, eb;

	for (lblk = 0; lblk < 300; lblk++) {
		a = b = 12345;
		ea = ext2fs_bmap2(fs, 11, in, NULL, 0, lblk, NULL, &a);
		eb = e2fc_inode_bmap(fs, 11, in, lblk, &b);
		CU_ASSERT_EQUAL(eb, ea);
		if (!ea)
			CU_ASSERT_EQUAL(b, a);
	}
}

static void test_bmap(void)
{
	struct ext2_inode in;
	ext2_filsys fs = NULL;
	char path[64];

	CU_ASSERT_FATAL(make_image("-b 1024", path, sizeof(path)));
	CU_ASSERT_FATAL(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0,
				    unix_io_manager, &fs) == 0);
	root(&in, 0, 4, 0);				/* empty */
	same_map(fs, &in);
	root(&in, 4, 4, 0);				/* holes, unwritten */
	put_ext(&in, 0, 0, 3, 500);
	put_ext(&in, 1, 10, 32768 + 5, 0x100000600ULL);
	put_ext(&in, 2, 15, 1, 700);
	put_ext(&in, 3, 200, 40, 800);
	same_map(fs, &in);
	root(&in, 2, 3, 0);				/* max 3: valid */
	put_ext(&in, 0, 5, 10, 900);
	put_ext(&in, 1, 100, 1, 990);
	same_map(fs, &in);
	root(&in, 2, 1, 0);				/* entries > max */
	same_map(fs, &in);
	root(&in, 1, 4, 0);
	((uint8_t *)in.i_block)[0] ^= 1;		/* bad magic */
	same_map(fs, &in);
	root(&in, 1, 4, 0);				/* inline data */
	put_ext(&in, 0, 0, 3, 500);
	in.i_flags |= EXT4_INLINE_DATA_FL;
	same_map(fs, &in);
	in.i_flags = 0;					/* block map */
	memset(in.i_block, 0, sizeof(in.i_block));
	in.i_block[0] = 600;
	in.i_block[3] = 601;
	same_map(fs, &in);
	ext2fs_free(fs);
	unlink(path);
}

/* bytes across a unit boundary, read back by blocks and by bytes */
static void test_overlay_bytes(void)
{
	char path[64];
	io_channel ch;
	uint8_t blk[4096], w[300], r[300];
	unsigned i;

	CU_ASSERT_FATAL(e2fc_test_mkfs("-t ext4 -b 4096", 256, path,
				       sizeof(path)));
	CU_ASSERT_FATAL(e2fc_overlay_io_manager->open(path, IO_FLAG_RW,
						      &ch) == 0);
	CU_ASSERT(io_channel_set_blksize(ch, 4096) == 0);
	for (i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 1);
	CU_ASSERT(e2fc_overlay_write_bytes(ch, 8 * 4096 + 900, w,
					   sizeof(w)) == 0);
	CU_ASSERT(e2fc_overlay_read_bytes(ch, 8 * 4096 + 900, r,
					  sizeof(r)) == 0);
	CU_ASSERT(memcmp(r, w, sizeof(w)) == 0);
	CU_ASSERT(io_channel_read_blk64(ch, 8, 1, blk) == 0);
	CU_ASSERT(memcmp(blk + 900, w, sizeof(w)) == 0);
	CU_ASSERT_EQUAL(e2fc_overlay_units(ch), 2);
	io_channel_close(ch);
	unlink(path);
}

static CU_TestInfo tests[] = {
	{ "256-byte inodes, metadata_csum", test_256_csum },
	{ "128-byte inodes, metadata_csum", test_128_csum },
	{ "256-byte inodes, no metadata_csum", test_256_nocsum },
	{ "another io manager: libext2fs's path", test_other_io },
	{ "bmap of an extent root in the inode", test_bmap },
	{ "libext2fs's inode I/O through the hooks", test_hooks },
	{ "overlay byte reads and writes", test_overlay_bytes },
	CU_TEST_INFO_NULL,
};
E2FC_SUITE("inode_io", tests);
