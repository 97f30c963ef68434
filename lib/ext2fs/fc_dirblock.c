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
#include <string.h>
#include "e2fc.h"
#include "e2fc_disk.h"
#include "fc_names.h"
#include "fc_meta.h"

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
