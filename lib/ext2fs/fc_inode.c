// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_inode.c -- inodes read and written as ext2fs_read_inode2 and
 * ext2fs_write_inode2 do (flags 0), when the file system sits on the
 * overlay io manager: only the inode's own bytes are read or written
 * (not its whole inode-table block), and its checksum is computed with
 * e2fc_crc32c, in hardware where the CPU has it.  libext2fs 1.47.0
 * verifies the checksum of every inode it reads with a table walk, sets
 * it the same way on every write, reads the inode again before each
 * write and keeps four inodes in its cache: a third of a 15,000-commit
 * replay's CPU.
 *
 * Every other case keeps libext2fs's path: another io manager, a
 * read_inode or write_inode hook, an image file, inodes larger than
 * INODE_MAX bytes.
 *
 * libext2fs keeps its own copies (its inode cache, and the inode-table
 * block it read last, which its next write of a neighbour writes back
 * whole): every write here flushes them (ext2fs_flush_icache), so that
 * libext2fs reads the inode again from the overlay.  The reads here see
 * libext2fs's writes, which go straight to the io channel.
 */
#include <string.h>
#include "e2fc.h"
#include "e2fc_disk.h"
#include "fc_meta.h"

#define INODE_MAX	1024	/* the largest inode read here */

/* the byte offset of ino in the device, with libext2fs's checks */
static errcode_t inode_pos(ext2_filsys fs, ext2_ino_t ino, uint64_t *pos)
{
	struct ext2_super_block *sb = fs->super;
	unsigned ipg = EXT2_INODES_PER_GROUP(sb);
	dgrp_t group;
	blk64_t itab;

	if (!ino || ino > sb->s_inodes_count)
		return EXT2_ET_BAD_INODE_NUM;
	group = (ino - 1) / ipg;
	if (group > fs->group_desc_count)
		return EXT2_ET_BAD_INODE_NUM;
	itab = ext2fs_inode_table_loc(fs, group);
	if (!itab)
		return EXT2_ET_MISSING_INODE_TABLE;
	if (itab < sb->s_first_data_block ||
	    itab + fs->inode_blocks_per_group - 1 >= ext2fs_blocks_count(sb))
		return EXT2_ET_GDESC_BAD_INODE_TABLE;
	*pos = (uint64_t)itab * fs->blocksize +
	       (uint64_t)((ino - 1) % ipg) * EXT2_INODE_SIZE(sb);
	return 0;
}

static errcode_t hook_read(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode);
static errcode_t hook_write(ext2_filsys fs, ext2_ino_t ino,
			    struct ext2_inode *inode);

/* our path for fs: the overlay below, no hooks but ours, a usual inode
 * size */
static int own_path(ext2_filsys fs)
{
	return fs->io->manager == e2fc_overlay_io_manager &&
	       (!fs->read_inode || fs->read_inode == hook_read) &&
	       (!fs->write_inode || fs->write_inode == hook_write) &&
	       !(fs->flags & EXT2_FLAG_IMAGE_FILE) &&
	       !ext2fs_has_feature_journal_dev(fs->super) &&
	       fs->blocksize >= 1024 && EXT2_INODE_SIZE(fs->super) <= INODE_MAX;
}

/* the high 16 bits of the checksum are stored too */
static int csum_hi(ext2_filsys fs, const uint8_t *raw)
{
	return EXT2_INODE_SIZE(fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
	       e2fc_get_le16(raw + RI_EXTRA_ISIZE) >=
	       EXT4_INODE_CSUM_HI_EXTRA_END;
}

/* crc32c of the inode's seed and of the raw (disk order) inode, with
 * its checksum fields read as zeros */
static uint32_t raw_csum(ext2_filsys fs, ext2_ino_t ino, const uint8_t *raw,
			 int hi)
{
	static const uint8_t zero[2];
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	uint8_t le[4];
	uint32_t crc;

	e2fc_put_le32(le, ino);
	crc = e2fc_crc32c(fs->csum_seed, le, 4);
	crc = e2fc_crc32c(crc, raw + RI_GENERATION, 4);
	crc = e2fc_crc32c(crc, raw, RI_CSUM_LO);
	crc = e2fc_crc32c(crc, zero, 2);
	if (!hi)
		return e2fc_crc32c(crc, raw + RI_CSUM_LO + 2,
				   isz - RI_CSUM_LO - 2);
	crc = e2fc_crc32c(crc, raw + RI_CSUM_LO + 2,
			  RI_CSUM_HI - RI_CSUM_LO - 2);
	crc = e2fc_crc32c(crc, zero, 2);
	return e2fc_crc32c(crc, raw + RI_CSUM_HI + 2, isz - RI_CSUM_HI - 2);
}

/* ext2fs_inode_csum_verify: an all-zero inode passes */
static int csum_ok(ext2_filsys fs, ext2_ino_t ino, const uint8_t *raw)
{
	int hi = csum_hi(fs, raw);
	uint32_t want = e2fc_get_le16(raw + RI_CSUM_LO), got;
	unsigned i;

	if (!ext2fs_has_feature_metadata_csum(fs->super))
		return 1;
	got = raw_csum(fs, ino, raw, hi);
	if (hi)
		want |= (uint32_t)e2fc_get_le16(raw + RI_CSUM_HI) << 16;
	else
		got &= 0xffff;
	if (want == got)
		return 1;
	for (i = 0; i < EXT2_GOOD_OLD_INODE_SIZE; i++)
		if (raw[i])
			return 0;
	return 1;
}

static void csum_set(ext2_filsys fs, ext2_ino_t ino, uint8_t *raw)
{
	int hi = csum_hi(fs, raw);
	uint32_t crc;

	if (!ext2fs_has_feature_metadata_csum(fs->super))
		return;
	crc = raw_csum(fs, ino, raw, hi);
	e2fc_put_le16(raw + RI_CSUM_LO, crc & 0xffff);
	if (hi)
		e2fc_put_le16(raw + RI_CSUM_HI, crc >> 16);
}

/* the raw inode, and where it is */
static errcode_t raw_read(ext2_filsys fs, ext2_ino_t ino, uint8_t *raw,
			  uint64_t *pos)
{
	errcode_t err;

	err = inode_pos(fs, ino, pos);
	if (err)
		return err;
	return e2fc_overlay_read_bytes(fs->io, *pos, raw,
				       EXT2_INODE_SIZE(fs->super));
}

/* between disk and host order (nothing to do on little-endian hosts) */
static void raw_swap(ext2_filsys fs, uint8_t *raw, int hostorder)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	ext2fs_swap_inode_full(fs, (struct ext2_inode_large *)raw,
			       (struct ext2_inode_large *)raw, hostorder,
			       EXT2_INODE_SIZE(fs->super));
#else
	(void)fs;
	(void)raw;
	(void)hostorder;
#endif
}

/* ext2fs_read_inode2(fs, ino, buf, bufsize, 0) */
errcode_t e2fc_inode_read(ext2_filsys fs, ext2_ino_t ino, void *buf,
			  unsigned bufsize)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	uint8_t raw[INODE_MAX];
	uint64_t pos;
	int bad;
	errcode_t err;

	if (!own_path(fs))
		return ext2fs_read_inode2(fs, ino, buf, bufsize, 0);
	err = raw_read(fs, ino, raw, &pos);
	if (err)
		return err;
	/* libext2fs computes the checksum whatever the flag (it caches
	 * only inodes that pass); with nothing cached here the result
	 * matters only when errors are not ignored: the replay's case */
	bad = !(fs->flags & EXT2_FLAG_IGNORE_CSUM_ERRORS) &&
	      !csum_ok(fs, ino, raw);
	raw_swap(fs, raw, 0);
	memcpy(buf, raw, bufsize < isz ? bufsize : isz);
	return bad ? EXT2_ET_INODE_CSUM_INVALID : 0;
}

/* ext2fs_write_inode2(fs, ino, buf, bufsize, 0) */
errcode_t e2fc_inode_write(ext2_filsys fs, ext2_ino_t ino, const void *buf,
			   unsigned bufsize)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	uint8_t raw[INODE_MAX];
	uint64_t pos;
	errcode_t err;

	if (!own_path(fs))
		return ext2fs_write_inode2(fs, ino, (struct ext2_inode *)buf,
					   bufsize, 0);
	if (bufsize < isz) {	/* the bytes buf does not cover are kept */
		err = raw_read(fs, ino, raw, &pos);
		if (!err)
			raw_swap(fs, raw, 0);
	} else {
		err = inode_pos(fs, ino, &pos);
	}
	if (err)
		return err;
	if (!(fs->flags & EXT2_FLAG_RW))
		return EXT2_ET_RO_FILSYS;
	memcpy(raw, buf, bufsize < isz ? bufsize : isz);
	raw_swap(fs, raw, 1);
	csum_set(fs, ino, raw);
	err = e2fc_overlay_write_bytes(fs->io, pos, raw, isz);
	ext2fs_flush_icache(fs);
	if (!err)
		fs->flags |= EXT2_FLAG_CHANGED;
	return err;
}

/* an extent tree all in i_block, as ext2fs_extent_header_verify takes it
 * (a depth-0 root: at most 4 entries); its entry count, or -1 */
static int root_leaf(const struct ext2_inode *in)
{
	const uint8_t *h = (const uint8_t *)in->i_block;
	unsigned n, max, room = (RI_BLOCK_LEN - EXT4_EXT_HDR_SIZE) /
				EXT4_EXT_ENTRY_SIZE;

	if (!(in->i_flags & EXT4_EXTENTS_FL) ||
	    (in->i_flags & EXT4_INLINE_DATA_FL) ||
	    e2fc_get_le16(h) != EXT4_EXT_MAGIC ||
	    e2fc_get_le16(h + EXT4_EXT_HDR_DEPTH))
		return -1;
	n = e2fc_get_le16(h + EXT4_EXT_HDR_ENTRIES);
	max = e2fc_get_le16(h + EXT4_EXT_HDR_MAX);
	if (n > max || max > room || max + 2 < room)
		return -1;
	return (int)n;
}

/*
 * ext2fs_bmap2(fs, ino, in, NULL, 0, lblk, NULL, pblk), without the two
 * allocations it makes per call (a two-block buffer, an extent handle)
 * when the extent tree is all in the inode, a directory's usual case:
 * the same walk as ext2fs_extent_goto over the root's extents, in order.
 */
errcode_t e2fc_inode_bmap(ext2_filsys fs, ext2_ino_t ino,
			  struct ext2_inode *in, blk64_t lblk, blk64_t *pblk)
{
	const uint8_t *x = (const uint8_t *)in->i_block + EXT4_EXT_HDR_SIZE;
	int i, n = root_leaf(in);
	uint64_t start, len;

	if (n < 0 || lblk >= (1ULL << 32))
		return ext2fs_bmap2(fs, ino, in, NULL, 0, lblk, NULL, pblk);
	*pblk = 0;
	for (i = 0; i < n; i++, x += EXT4_EXT_ENTRY_SIZE) {
		start = e2fc_get_le32(x + EXT4_EXT_LBLK);
		len = e2fc_get_le16(x + EXT4_EXT_LEN);
		if (len > EXT4_FC_EXT_MAX_INIT_LEN)	/* unwritten */
			len -= EXT4_FC_EXT_MAX_INIT_LEN;
		if (lblk < start)
			break;
		if (lblk < start + len) {
			*pblk = ((uint64_t)e2fc_get_le16(x + EXT4_EXT_START_HI)
				 << 32 | e2fc_get_le32(x + EXT4_EXT_START_LO)) +
				lblk - start;
			break;
		}
	}
	return 0;
}

/* ---- libext2fs's own inode I/O, for a while -------------------------- */

/* libext2fs calls the read hook only for a struct ext2_inode (or when
 * the inode is no bigger) */
static errcode_t hook_read(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode)
{
	return e2fc_inode_read(fs, ino, inode, sizeof(*inode));
}

/* the write hook gets no size: only set while every write libext2fs
 * makes is of a struct ext2_inode (ext2fs_write_inode) */
static errcode_t hook_write(ext2_filsys fs, ext2_ino_t ino,
			    struct ext2_inode *inode)
{
	return e2fc_inode_write(fs, ino, inode, sizeof(*inode));
}

int e2fc_inode_hooks_set(ext2_filsys fs)
{
	if (fs->read_inode || fs->write_inode || !own_path(fs))
		return 0;
	fs->read_inode = hook_read;
	fs->write_inode = hook_write;
	return 1;
}

void e2fc_inode_hooks_clear(ext2_filsys fs, int set)
{
	if (!set)
		return;
	fs->read_inode = NULL;
	fs->write_inode = NULL;
}
