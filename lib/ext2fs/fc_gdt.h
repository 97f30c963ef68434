/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_gdt.h -- the group descriptors read and written by the block across
 * a recovery (fc_gdt.c).  Not installed.
 */
#ifndef E2FC_GDT_H
#define E2FC_GDT_H

#include "e2fc.h"

/* the descriptor array in memory holds the disk's (little-endian) bytes */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define E2FC_HOST_LE	1
#else			/* libext2fs swaps the array into host order */
#define E2FC_HOST_LE	0
#endif

/* 1 when fs's descriptors can be read and written block by block here
 * (little-endian host, not a journal device, descriptors in memory) */
int e2fc_gdt_by_block(ext2_filsys fs);

/*
 * nfs was opened with EXT2_FLAG_SUPER_ONLY after the log was replayed:
 * give it desc (old_size bytes), the array of the fs it replaces, resized
 * to its own descriptors, and read into it the descriptor blocks log
 * wrote (all of them when the size changed or log is NULL).  desc is
 * nfs's from here on, or freed on error.  *moved: a descriptor read
 * again puts a bitmap or an inode table elsewhere (1 too when all were
 * read again).
 */
errcode_t e2fc_gdt_adopt(ext2_filsys nfs, void *desc, size_t old_size,
			 const struct e2fc_log *log, int *moved);

/*
 * Sums of each descriptor block, for e2fc_gdt_flush; *sums is NULL (and
 * the flush a plain ext2fs_flush) where !e2fc_gdt_by_block.  flags, when
 * not NULL (one byte per group), gets each group's bg_flags (low byte)
 * in the same pass: on 64 TiB the descriptors are 32 MiB, and each pass
 * over them is ~4.5 ms of memory reads.
 */
errcode_t e2fc_gdt_sums(ext2_filsys fs, uint32_t **sums, uint8_t *flags);

/* ext2fs_flush of fs with EXT2_FLAG_MASTER_SB_ONLY, but of the
 * descriptors only the blocks whose sum changed or that hold a group
 * marked in touched (one byte per group, or NULL) */
errcode_t e2fc_gdt_flush(ext2_filsys fs, const uint32_t *sums,
			 const uint8_t *touched);

/*
 * The descriptor array as the disk holds it, for walks over every group:
 * a little-endian host's (libext2fs swaps it only on big-endian ones),
 * when it is read; NULL otherwise, and the walks use libext2fs's
 * accessors, which cost a call and a feature test per field (on 64 TiB,
 * 524,288 groups, such walks were most of a replay's time).
 */
static inline const unsigned char *e2fc_gd_raw(ext2_filsys fs)
{
	return E2FC_HOST_LE ? (const unsigned char *)fs->group_desc : NULL;
}

/* the block bitmaps (k 0), inode bitmaps (1) or inode tables (2) of the
 * count groups from g0, into loc */
static inline void e2fc_gd_meta_run(ext2_filsys fs, dgrp_t g0,
				    unsigned count, int k, blk64_t *loc)
{
	static const unsigned char off[3] = {
		EXT4_GD_BLOCK_BITMAP, EXT4_GD_INODE_BITMAP, EXT4_GD_INODE_TABLE
	};
	size_t step = EXT2_DESC_SIZE(fs->super);
	const unsigned char *d = e2fc_gd_raw(fs);
	unsigned i;

	if (!d) {
		for (i = 0; i < count; i++)
			loc[i] = k == 0 ? ext2fs_block_bitmap_loc(fs, g0 + i) :
				 k == 1 ? ext2fs_inode_bitmap_loc(fs, g0 + i) :
					  ext2fs_inode_table_loc(fs, g0 + i);
		return;
	}
	d += (size_t)g0 * step + off[k];
	if (!ext2fs_has_feature_64bit(fs->super)) {
		for (i = 0; i < count; i++, d += step)
			loc[i] = e2fc_get_le32(d);
		return;
	}
	for (i = 0; i < count; i++, d += step)
		loc[i] = e2fc_get_le32(d) |
			 (blk64_t)e2fc_get_le32(d + EXT4_GD_HI) << 32;
}

/* the free blocks (clusters) and inodes of every group, summed */
void e2fc_gd_free_totals(ext2_filsys fs, uint64_t *blocks,
			 uint64_t *inodes);

#endif
