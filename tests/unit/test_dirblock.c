// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_dirblock.c -- e2fc_dirblock_read and e2fc_dirblock_write
 * (fc_dirblock.c) behave as ext2fs_read_dir_block4 and
 * ext2fs_write_dir_block4: the same bytes on the disk and the same
 * error codes, for leaves with a tail (the checksum is ours), leaves
 * without one, index blocks, bad checksums, with and without
 * EXT2_FLAG_IGNORE_CSUM_ERRORS and metadata_csum; and a leaf's checksum
 * as computed by e2fc_dirblock_leaf_csum is the one libext2fs (mke2fs)
 * wrote; e2fc_crc32c_wide equals e2fc_crc32c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "e2fc_disk.h"
#include "fc_names.h"
#include "unit.h"

struct img {
	char		path[64];
	ext2_filsys	fs;
	ext2_ino_t	d, h;		/* a plain directory, an htree one */
	char		*a, *b, *raw;	/* three block buffers */
};

/* directory d of 40 names, h of 200 long ones (indexed by e2fsck -D) */
static int make_image(const char *mkfs_opts, char *path, size_t len)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "-t ext4 %s", mkfs_opts);
	return e2fc_test_mkfs_tree("mkdir d h && for i in $(seq 40); do "
		"echo $i >d/f$i; done && echo f >h/f && for i in $(seq 200); "
		"do ln h/f h/a-name-of-some-length-for-the-index-$i; done",
		opts, path, len);
}

static void img_open(struct img *m, const char *mkfs_opts)
{
	memset(m, 0, sizeof(*m));
	CU_ASSERT_FATAL(make_image(mkfs_opts, m->path, sizeof(m->path)));
	CU_ASSERT_FATAL(ext2fs_open(m->path, EXT2_FLAG_RW | EXT2_FLAG_64BITS,
				    0, 0, unix_io_manager, &m->fs) == 0);
	CU_ASSERT_FATAL(ext2fs_namei(m->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, "d",
				     &m->d) == 0);
	CU_ASSERT_FATAL(ext2fs_namei(m->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, "h",
				     &m->h) == 0);
	CU_ASSERT_FATAL(ext2fs_get_mem(m->fs->blocksize, &m->a) == 0);
	CU_ASSERT_FATAL(ext2fs_get_mem(m->fs->blocksize, &m->b) == 0);
	CU_ASSERT_FATAL(ext2fs_get_mem(m->fs->blocksize, &m->raw) == 0);
}

static void img_close(struct img *m)
{
	ext2fs_free_mem(&m->a);
	ext2fs_free_mem(&m->b);
	ext2fs_free_mem(&m->raw);
	CU_ASSERT(ext2fs_close_free(&m->fs) == 0);
	unlink(m->path);
}

static blk64_t pblk_of(struct img *m, ext2_ino_t dir, blk64_t lblk)
{
	blk64_t pblk = 0;

	CU_ASSERT_FATAL(ext2fs_bmap2(m->fs, dir, NULL, NULL, 0, lblk, NULL,
				     &pblk) == 0 && pblk);
	return pblk;
}

/* buf (host order) written at pblk by libext2fs and by us: the same
 * return code and the same bytes on the disk */
static void same_write(struct img *m, ext2_ino_t dir, blk64_t pblk,
		       const char *buf)
{
	unsigned bs = m->fs->blocksize;
	errcode_t theirs, ours;

	memcpy(m->a, buf, bs);
	theirs = ext2fs_write_dir_block4(m->fs, pblk, m->a, 0, dir);
	CU_ASSERT_FATAL(io_channel_read_blk64(m->fs->io, pblk, 1,
					      m->raw) == 0);
	memcpy(m->b, buf, bs);
	memset(m->a, 0x5a, bs);			/* not what either writes */
	CU_ASSERT_FATAL(io_channel_write_blk64(m->fs->io, pblk, 1,
					       m->a) == 0);
	ours = e2fc_dirblock_write(m->fs, pblk, m->b, dir, NULL);
	CU_ASSERT_EQUAL(ours, theirs);
	CU_ASSERT_FATAL(io_channel_read_blk64(m->fs->io, pblk, 1,
					      m->a) == 0);
	if (!theirs)
		CU_ASSERT(memcmp(m->a, m->raw, bs) == 0);
}

/* the block at pblk read by libext2fs and by us: the same code, bytes */
static void same_read(struct img *m, ext2_ino_t dir, blk64_t pblk,
		      errcode_t want)
{
	unsigned bs = m->fs->blocksize;
	errcode_t theirs, ours;

	theirs = ext2fs_read_dir_block4(m->fs, pblk, m->a, 0, dir);
	ours = e2fc_dirblock_read(m->fs, pblk, m->b, dir, NULL);
	CU_ASSERT_EQUAL(theirs, want);
	CU_ASSERT_EQUAL(ours, theirs);
	CU_ASSERT(memcmp(m->a, m->b, bs) == 0);
}

/* every leaf of d: our checksum is the one mke2fs wrote */
static void leaf_sums(struct img *m)
{
	struct ext2_inode in;
	blk64_t lblk, n;
	unsigned top = m->fs->blocksize - DE_TAIL_SIZE;
	uint32_t crc;

	CU_ASSERT_FATAL(ext2fs_read_inode(m->fs, m->d, &in) == 0);
	n = EXT2_I_SIZE(&in) / m->fs->blocksize;
	CU_ASSERT(n >= 1);
	for (lblk = 0; lblk < n; lblk++) {
		CU_ASSERT_FATAL(io_channel_read_blk64(m->fs->io,
			pblk_of(m, m->d, lblk), 1, m->raw) == 0);
		CU_ASSERT_FATAL(e2fc_dirblock_leaf_csum(m->fs, m->d, m->raw,
							&crc) == 0);
		CU_ASSERT_EQUAL(crc, e2fc_get_le32(m->raw + top +
						   DE_TAIL_CSUM));
	}
	/* an index block has no leaf tail */
	CU_ASSERT_FATAL(io_channel_read_blk64(m->fs->io,
		pblk_of(m, m->h, 0), 1, m->raw) == 0);
	CU_ASSERT_EQUAL(e2fc_dirblock_leaf_csum(m->fs, m->h, m->raw, &crc),
			EXT2_ET_DIR_NO_SPACE_FOR_CSUM);
}

/* a leaf changed, rewritten; its tail taken away (no room for it) */
static void leaf_writes(struct img *m, int csum)
{
	blk64_t pblk = pblk_of(m, m->d, 0);
	unsigned bs = m->fs->blocksize, off = 0, rec = 0;
	struct ext2_dir_entry *de = NULL;
	char *buf = NULL;

	CU_ASSERT_FATAL(ext2fs_get_mem(bs, &buf) == 0);
	same_read(m, m->d, pblk, 0);
	memcpy(buf, m->a, bs);
	((struct ext2_dir_entry *)(buf + 12))->inode ^= 1; /* ".." */
	same_write(m, m->d, pblk, buf);
	same_read(m, m->d, pblk, 0);
	/* the last entry's rec_len over the tail */
	for (off = 0; off < bs; off += rec) {
		de = (struct ext2_dir_entry *)(buf + off);
		CU_ASSERT_FATAL(ext2fs_get_rec_len(m->fs, de, &rec) == 0 &&
				rec >= 8);
		if (off + rec >= bs - (csum ? DE_TAIL_SIZE : 0))
			break;
	}
	CU_ASSERT_FATAL(ext2fs_set_rec_len(m->fs, bs - off, de) == 0);
	same_write(m, m->d, pblk, buf);		/* NO_SPACE_FOR_CSUM */
	m->fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
	same_write(m, m->d, pblk, buf);		/* written, no checksum */
	same_read(m, m->d, pblk, 0);
	m->fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
	same_read(m, m->d, pblk, csum ? EXT2_ET_DIR_CSUM_INVALID : 0);
	ext2fs_free_mem(&buf);
}

/* a bad checksum: refused by both, taken by both when ignored */
static void bad_sum(struct img *m)
{
	blk64_t pblk = pblk_of(m, m->d, 0);
	unsigned top = m->fs->blocksize - DE_TAIL_SIZE;

	CU_ASSERT_FATAL(io_channel_read_blk64(m->fs->io, pblk, 1,
					      m->raw) == 0);
	m->raw[top + DE_TAIL_CSUM] ^= 0x40;
	CU_ASSERT_FATAL(io_channel_write_blk64(m->fs->io, pblk, 1,
					       m->raw) == 0);
	same_read(m, m->d, pblk, EXT2_ET_DIR_CSUM_INVALID);
	m->fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
	same_read(m, m->d, pblk, 0);
	m->fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
}

/* the index root and a leaf of h: libext2fs's checksums either way */
static void index_blocks(struct img *m)
{
	struct ext2_inode in;
	blk64_t pblk = pblk_of(m, m->h, 0);

	CU_ASSERT_FATAL(ext2fs_read_inode(m->fs, m->h, &in) == 0);
	CU_ASSERT(in.i_flags & EXT2_INDEX_FL);
	same_read(m, m->h, pblk, 0);
	memcpy(m->raw, m->a, m->fs->blocksize);
	same_write(m, m->h, pblk, m->raw);
	same_read(m, m->h, pblk, 0);
	pblk = pblk_of(m, m->h, 1);
	same_read(m, m->h, pblk, 0);
	memcpy(m->raw, m->a, m->fs->blocksize);
	same_write(m, m->h, pblk, m->raw);
}

static void run(const char *mkfs_opts, int csum)
{
	struct img m;

	img_open(&m, mkfs_opts);
	CU_ASSERT_EQUAL(!!ext2fs_has_feature_metadata_csum(m.fs->super),
			csum);
	if (csum)
		leaf_sums(&m);
	leaf_writes(&m, csum);
	if (csum)
		bad_sum(&m);
	index_blocks(&m);
	img_close(&m);
}

static void test_csum_4k(void)
{
	run("-b 4096 -O metadata_csum", 1);
}

static void test_csum_1k(void)
{
	run("-b 1024 -O metadata_csum", 1);
}

static void test_nocsum(void)
{
	run("-b 1024 -O ^metadata_csum", 0);
}

/* the four-stream crc equals the one-stream one, any length and seed */
static void test_wide_crc(void)
{
	static const size_t lens[] = { 0, 31, 1023, 1024, 1055, 2036, 4084,
				       4096, 8180, 16372, 65524, 70001 };
	/* 70001 bytes from each of the offsets 0, 1 and 2 */
	uint8_t *buf = malloc(70001 + 2);
	uint32_t seed = 0x12345678;
	unsigned i, k;

	CU_ASSERT_FATAL(buf != NULL);
	for (i = 0; i < 70001 + 2; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 7));
	for (k = 0; k < 3; k++, seed = seed * 2654435761U + 1)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			CU_ASSERT_EQUAL(e2fc_crc32c_wide(seed, buf + k,
							 lens[i]),
					e2fc_crc32c(seed, buf + k, lens[i]));
			CU_ASSERT_EQUAL(e2fc_crc32c_wide(~0U, buf, lens[i]),
					e2fc_crc32c_sw(~0U, buf, lens[i]));
		}
	free(buf);
}

static CU_TestInfo tests[] = {
	{ "four-stream crc32c", test_wide_crc },
	{ "metadata_csum, 4k blocks", test_csum_4k },
	{ "metadata_csum, 1k blocks", test_csum_1k },
	{ "no metadata_csum", test_nocsum },
	CU_TEST_INFO_NULL,
};
E2FC_SUITE("dirblock", tests);
