// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_dirblock.c -- the directory blocks the replay edits itself
 * (fc_names.c), read and written as ext2fs_read_dir_block4 and
 * ext2fs_write_dir_block4 do, but with the checksum of a leaf block
 * (the tail that ends it) computed by e2fc_crc32c, in hardware where
 * the CPU has it.  libext2fs 1.47.0 computes it with a table walk over
 * the whole block on every read and every write: with thousands of
 * CREATs, LINKs and UNLINKs that was a fifth of a replay's CPU.
 *
 * Only the common case is ours: a leaf whose tail is where
 * metadata_csum puts it.  A block without that tail (an index node, a
 * leaf with no room for a tail, a corrupted chain of entries) goes to
 * libext2fs's own functions, so every other case behaves exactly as it
 * did, EXT2_FLAG_IGNORE_CSUM_ERRORS included.
 */
#include <pthread.h>
#include <string.h>
#include "e2fc.h"
#include "e2fc_disk.h"
#include "fc_names.h"
#include "fc_meta.h"

/* ---- crc32c of a whole block, four streams at once --------------------- */

/*
 * One stream of the crc32 instruction waits three cycles for each eight
 * bytes; e2fc_crc32c_x4 runs four over the quarters of a buffer.  Their
 * results join because crc32c is linear: the crc from c over Q is the
 * crc from 0 over Q xor the crc from c over as many zero bytes, and the
 * latter is linear in c, so four tables of 256 entries (one per byte of
 * c) give it for one length.  Tables are made once per quarter length
 * (one per block size), from the 32 crcs of single bits.
 */
#define ZS_SLOTS	8

struct zshift {
	size_t		q;		/* quarter length; 0: slot free */
	uint32_t	t[4][256];
};

static struct zshift zs[ZS_SLOTS];
static int zs_used;			/* slots made, read with acquire */
static pthread_mutex_t zs_lock = PTHREAD_MUTEX_INITIALIZER;

/* crc32c from c over n zero bytes */
static uint32_t crc_zeros(uint32_t c, size_t n)
{
	static const uint8_t zero[256];
	size_t k;

	for (; n; n -= k) {
		k = n < sizeof(zero) ? n : sizeof(zero);
		c = e2fc_crc32c(c, zero, k);
	}
	return c;
}

static void zs_make(struct zshift *z, size_t q)
{
	uint32_t bit[32];
	unsigned i, j, b;

	for (i = 0; i < 32; i++)
		bit[i] = crc_zeros(1U << i, q);
	for (i = 0; i < 4; i++)
		for (b = 0; b < 256; b++) {
			z->t[i][b] = 0;
			for (j = 0; j < 8; j++)
				if (b & (1U << j))
					z->t[i][b] ^= bit[8 * i + j];
		}
	z->q = q;
}

/* the tables for quarter length q; NULL when every slot is taken */
static const struct zshift *zs_get(size_t q)
{
	int i, n = __atomic_load_n(&zs_used, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (zs[i].q == q)
			return &zs[i];
	pthread_mutex_lock(&zs_lock);
	for (i = 0; i < zs_used && zs[i].q != q; i++)
		;
	if (i == zs_used && i < ZS_SLOTS) {
		zs_make(&zs[i], q);
		__atomic_store_n(&zs_used, i + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&zs_lock);
	return i < ZS_SLOTS ? &zs[i] : NULL;
}

static uint32_t zs_shift(const struct zshift *z, uint32_t c)
{
	return z->t[0][c & 0xff] ^ z->t[1][(c >> 8) & 0xff] ^
	       z->t[2][(c >> 16) & 0xff] ^ z->t[3][c >> 24];
}

uint32_t e2fc_crc32c_wide(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t body = len & ~(size_t)31;
	const struct zshift *z;
	uint32_t part[4];
	int i;

	if (body < 1024 || !e2fc_crc32c_hw_available())
		return e2fc_crc32c(crc, buf, len);
	z = zs_get(body / 4);
	if (!z)
		return e2fc_crc32c(crc, buf, len);
	e2fc_crc32c_x4(0, p, body, part);
	for (i = 0; i < 4; i++)
		crc = zs_shift(z, crc) ^ part[i];
	return e2fc_crc32c(crc, p + body, len - body);
}

/* ---- leaf blocks ---------------------------------------------------------- */

/* where the tail of a leaf block starts; 0 when the entries do not end
 * in a well-formed tail (the same walk and tests as libext2fs's) */
static unsigned leaf_tail(ext2_filsys fs, const uint8_t *buf)
{
	unsigned top = fs->blocksize - DE_TAIL_SIZE, off = 0, rec;
	const uint8_t *t = buf + top;

	while (off < top) {
		rec = e2fc_get_le16(buf + off + DE_REC_LEN);
		if (rec < 8 || (rec & 3))
			return 0;
		off += rec;
	}
	if (off != top || e2fc_get_le32(t + DE_INODE) ||
	    e2fc_get_le16(t + DE_REC_LEN) != DE_TAIL_SIZE ||
	    e2fc_get_le16(t + DE_NAME_LEN) != EXT2_DIR_NAME_LEN_CSUM)
		return 0;
	return top;
}

/* crc32c of the dir's seed (fs seed, inode number, generation: of din,
 * or read) and the first len bytes of the block */
static errcode_t leaf_csum(ext2_filsys fs, ext2_ino_t dir,
			   const struct ext2_inode *din, const void *buf,
			   unsigned len, uint32_t *crc)
{
	struct ext2_inode in;
	uint8_t le[4];
	errcode_t err;

	if (!din) {
		err = e2fc_inode_read(fs, dir, &in, sizeof(in));
		if (err)
			return err;
		din = &in;
	}
	e2fc_put_le32(le, dir);
	*crc = e2fc_crc32c(fs->csum_seed, le, 4);
	e2fc_put_le32(le, din->i_generation);
	*crc = e2fc_crc32c(*crc, le, 4);
	*crc = e2fc_crc32c_wide(*crc, buf, len);
	return 0;
}

errcode_t e2fc_dirblock_leaf_csum(ext2_filsys fs, ext2_ino_t dir,
				  const void *buf, uint32_t *crc)
{
	unsigned top = leaf_tail(fs, buf);

	if (!top)
		return EXT2_ET_DIR_NO_SPACE_FOR_CSUM;
	return leaf_csum(fs, dir, NULL, buf, top, crc);
}

/* ext2fs_dir_block_csum_verify, a leaf's checksum ours */
static int csum_ok(ext2_filsys fs, ext2_ino_t dir,
		   const struct ext2_inode *din, const uint8_t *buf)
{
	unsigned top;
	uint32_t crc;

	if (!ext2fs_has_feature_metadata_csum(fs->super))
		return 1;
	top = leaf_tail(fs, buf);
	if (!top)
		return ext2fs_dir_block_csum_verify(fs, dir,
					(struct ext2_dir_entry *)buf);
	return !leaf_csum(fs, dir, din, buf, top, &crc) &&
	       crc == e2fc_get_le32(buf + top + DE_TAIL_CSUM);
}

/* ext2fs_dir_block_csum_set, a leaf's checksum ours */
static errcode_t csum_set(ext2_filsys fs, ext2_ino_t dir,
			  const struct ext2_inode *din, uint8_t *buf)
{
	unsigned top;
	uint32_t crc;
	errcode_t err;

	if (!ext2fs_has_feature_metadata_csum(fs->super))
		return 0;
	top = leaf_tail(fs, buf);
	if (!top)
		return ext2fs_dir_block_csum_set(fs, dir,
					(struct ext2_dir_entry *)buf);
	err = leaf_csum(fs, dir, din, buf, top, &crc);
	if (!err)
		e2fc_put_le32(buf + top + DE_TAIL_CSUM, crc);
	return err;
}

/* ext2fs_read_dir_block4(fs, blk, buf, 0, dir) */
errcode_t e2fc_dirblock_read(ext2_filsys fs, blk64_t blk, void *buf,
			     ext2_ino_t dir, const struct ext2_inode *din)
{
	errcode_t err;
	int corrupt;

	err = io_channel_read_blk64(fs->io, blk, 1, buf);
	if (err)
		return err;
	corrupt = !(fs->flags & EXT2_FLAG_IGNORE_CSUM_ERRORS) &&
		  !csum_ok(fs, dir, din, buf);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	err = ext2fs_dirent_swab_in(fs, buf, 0);
#endif
	return !err && corrupt ? EXT2_ET_DIR_CSUM_INVALID : err;
}

/* ext2fs_write_dir_block4(fs, blk, buf, 0, dir) */
errcode_t e2fc_dirblock_write(ext2_filsys fs, blk64_t blk, void *buf,
			      ext2_ino_t dir, const struct ext2_inode *din)
{
	uint8_t *out = buf;
	errcode_t err;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	err = ext2fs_get_mem(fs->blocksize, &out);
	if (err)
		return err;
	memcpy(out, buf, fs->blocksize);
	err = ext2fs_dirent_swab_out(fs, (char *)out, 0);
	if (err) {
		ext2fs_free_mem(&out);
		return err;
	}
#endif
	err = csum_set(fs, dir, din, out);
	if (!err)
		err = io_channel_write_blk64(fs->io, blk, 1, out);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	ext2fs_free_mem(&out);
#endif
	return err;
}
