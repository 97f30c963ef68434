// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_dxsplit.c -- no heap bytes in the leaves ext2fs_link splits.
 *
 * When a name goes into a full leaf of an htree directory, ext2fs_link
 * (libext2fs 1.47.0) splits the leaf: it packs the entries of each half
 * into a buffer it does not clear and writes that buffer out, so the
 * slack after the last entry of both halves (the new leaf, at the end of
 * the directory, and the leaf it came from) holds whatever the heap held.
 * A name the same link then adds in that slack keeps heap bytes in the
 * padding after it, and a later split copies that padding along.  Two
 * runs of the same replay then write different bytes, and memory of the
 * process reaches the disk.  After such a link, both leaves are scrubbed
 * here: every byte after each name that no entry uses is zeroed.
 *
 * The new leaf is a block the link added past the old size whose first
 * entry names an inode (a new index node starts with an empty entry);
 * the leaf it came from is the one before it in its index node (the
 * split puts the new leaf's index entry right after its own).
 */
#include <string.h>
#include "fc_names.h"

/* zero buf[from, to); 1 if a byte was not zero */
static int zero_range(char *buf, unsigned from, unsigned to)
{
	int dirty = 0;

	for (; from < to; from++)
		if (buf[from]) {
			buf[from] = 0;
			dirty = 1;
		}
	return dirty;
}

/* zero what no entry of the leaf at pblk uses: the padding after each
 * name and the slack after the last entry */
static errcode_t scrub_leaf(ext2_filsys fs, ext2_ino_t dir, blk64_t pblk,
			    char *buf)
{
	unsigned end = fs->blocksize, off, rec, used;
	struct ext2_dir_entry *de;
	errcode_t err;
	int dirty = 0;

	if (ext2fs_has_feature_metadata_csum(fs->super))
		end -= sizeof(struct ext2_dir_entry_tail);
	err = ext2fs_read_dir_block4(fs, pblk, buf, 0, dir);
	if (err == EXT2_ET_DIR_CSUM_INVALID)
		return 0;	/* not a leaf we made: leave it */
	if (err)
		return err;
	for (off = 0; off < end; off += rec) {
		de = (struct ext2_dir_entry *)(buf + off);
		err = ext2fs_get_rec_len(fs, de, &rec);
		if (err || rec < EXT2_DIR_ENTRY_HEADER_LEN || rec > end - off)
			return 0;	/* not a leaf we made: leave it */
		used = EXT2_DIR_ENTRY_HEADER_LEN + ext2fs_dirent_name_len(de);
		if (used > rec)
			return 0;
		dirty |= zero_range(buf, off + used, off + rec);
	}
	if (!dirty)
		return 0;
	return ext2fs_write_dir_block4(fs, pblk, buf, 0, dir);
}

static errcode_t read_lblk(ext2_filsys fs, ext2_ino_t dir, blk64_t lblk,
			   blk64_t *pblk, char *buf)
{
	errcode_t err;

	*pblk = 0;
	err = ext2fs_bmap2(fs, dir, NULL, NULL, 0, lblk, NULL, pblk);
	if (err)
		return err;
	if (!*pblk)
		return EXT2_ET_DIR_CORRUPTED;
	return io_channel_read_blk64(fs->io, *pblk, 1, buf);
}

/*
 * Search the index node in buf (its entries at off) and the nodes under
 * it (depth levels more) for the entry of leaf lblk: *prev is the leaf
 * of the entry before it, 0 if none
 */
static errcode_t find_prev(ext2_filsys fs, ext2_ino_t dir, char *buf,
			   unsigned off, int depth, blk64_t lblk,
			   blk64_t *prev)
{
	unsigned count = e2fc_get_le16(buf + off + DX_COUNT), i;
	unsigned max = (fs->blocksize - off) / DX_ENTRY_SIZE;
	blk64_t blk, before = 0, pblk;
	char *child;
	errcode_t err = 0;

	if (count > max)
		return 0;
	for (i = 0; i < count && !*prev; i++) {
		blk = e2fc_get_le32(buf + off + i * DX_ENTRY_SIZE +
				    DX_ENTRY_BLOCK) & DX_BLOCK_MASK;
		if (!depth) {
			if (blk == lblk && i)
				*prev = before;
			before = blk;
			continue;
		}
		err = ext2fs_get_mem(fs->blocksize, &child);
		if (err)
			return err;
		err = read_lblk(fs, dir, blk, &pblk, child);
		if (!err)
			err = find_prev(fs, dir, child, DX_NODE_ENTRIES,
					depth - 1, lblk, prev);
		ext2fs_free_mem(&child);
		if (err)
			return err;
	}
	return 0;
}

/* the leaf the new leaf lblk was split from, 0 if not found */
static errcode_t split_source(ext2_filsys fs, ext2_ino_t dir, blk64_t lblk,
			      char *buf, blk64_t *src)
{
	blk64_t pblk;
	unsigned info, levels;
	errcode_t err;

	*src = 0;
	err = read_lblk(fs, dir, 0, &pblk, buf);
	if (err)
		return err;
	info = (uint8_t)buf[DX_ROOT_INFO + DX_INFO_LENGTH];
	levels = (uint8_t)buf[DX_ROOT_INFO + DX_INFO_LEVELS];
	if (levels >= DX_MAX_LEVELS ||
	    DX_ROOT_INFO + info + DX_ENTRY_SIZE > fs->blocksize)
		return 0;
	return find_prev(fs, dir, buf, DX_ROOT_INFO + info, levels,
			 lblk, src);
}

/* the new block lblk: if a leaf (its first entry names an inode), scrub
 * it and the leaf it was split from */
static errcode_t scrub_new(ext2_filsys fs, ext2_ino_t dir, blk64_t lblk,
			   char *buf)
{
	blk64_t pblk, src, spblk;
	errcode_t err;

	err = read_lblk(fs, dir, lblk, &pblk, buf);
	if (err || !e2fc_get_le32(buf))
		return err;
	err = scrub_leaf(fs, dir, pblk, buf);
	if (!err)
		err = split_source(fs, dir, lblk, buf, &src);
	if (err || !src)
		return err;
	err = read_lblk(fs, dir, src, &spblk, buf);
	if (!err)
		err = scrub_leaf(fs, dir, spblk, buf);
	return err;
}

errcode_t e2fc_dx_scrub_split(ext2_filsys fs, ext2_ino_t dir,
			      ext2_off64_t old_size)
{
	struct ext2_inode in;
	blk64_t lblk, nblk;
	char *buf;
	errcode_t err;

	err = ext2fs_read_inode(fs, dir, &in);
	if (err || !(in.i_flags & EXT2_INDEX_FL) ||
	    (in.i_flags & EXT4_INLINE_DATA_FL))
		return err;
	nblk = EXT2_I_SIZE(&in) / fs->blocksize;
	lblk = old_size / fs->blocksize;
	if (lblk >= nblk)
		return 0;
	err = ext2fs_get_mem(fs->blocksize, &buf);
	if (err)
		return err;
	for (; lblk < nblk && !err; lblk++)
		err = scrub_new(fs, dir, lblk, buf);
	ext2fs_free_mem(&buf);
	return err;
}
