// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_gdt.c -- the group descriptors across a recovery, read and written
 * by the block instead of whole.  On a 64 TiB file system they are 8,192
 * blocks (32 MiB, 524,288 groups) and a replay of a few thousand fast
 * commits changes a few dozen of them:
 *  - e2fc_fs_open reads them into an array of its own, in 2 MiB pages
 *    (transparent huge pages, madvise mode here): a fresh 4 KiB page of
 *    memory costs a fault on first touch, and on this kind of VM the
 *    faults, not the read, were most of an ext2fs_open of 64 TiB (32 MiB
 *    into 4 KiB pages: 0.2-0.5 s; into 2 MiB pages: 6-90 ms, and every
 *    later walk over the array 100x faster);
 *  - after the jbd2 log, the reopened fs keeps the descriptor array of the
 *    fs it replaces and reads again only the descriptor blocks the log
 *    wrote (e2fc_gdt_adopt);
 *  - before the replay the array is summed block by block (crc32c); at the
 *    end only the blocks whose sum changed, and those of groups the replay
 *    touched, are written, then the primary superblock (e2fc_gdt_flush).
 * ext2fs_flush would write all 8,192 into the overlay and the write-back
 * would then compare each with the disk.  Big-endian hosts and external
 * journal devices keep libext2fs's way (ext2fs_open and ext2fs_flush swap
 * the descriptors there; a journal device has none).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fc_meta.h"
#include "fc_gdt.h"
#include "fc_array.h"

/* on big-endian hosts ext2fs_open and ext2fs_flush swap them */
#define GDT_BY_BLOCK	E2FC_HOST_LE

int e2fc_gdt_by_block(ext2_filsys fs)
{
	return GDT_BY_BLOCK && fs->group_desc &&
	       !ext2fs_has_feature_journal_dev(fs->super);
}

/* where descriptor block i of fs is, as ext2fs_open reads it: the first
 * s_first_meta_bg blocks (all without meta_bg) after the primary
 * superblock, the others in their meta_bg groups */
static blk64_t desc_loc(ext2_filsys fs, dgrp_t i)
{
	blk64_t first = fs->super->s_first_data_block;
	dgrp_t nold = fs->desc_blocks;

	if (ext2fs_has_feature_meta_bg(fs->super) &&
	    fs->super->s_first_meta_bg < nold)
		nold = fs->super->s_first_meta_bg;
	if (i >= nold)
		return ext2fs_descriptor_block_loc2(fs, first, i);
	/* block 0 of a 1k-block fs is the boot block */
	return first + (first == 0 && fs->blocksize == 1024) + 1 + i;
}

#define SUMS_PER	4	/* sums per descriptor block */

static char *desc_block(ext2_filsys fs, dgrp_t i)
{
	return (char *)fs->group_desc + (size_t)i * fs->blocksize;
}

/* every descriptor block read into the array, in runs of neighbours */
static errcode_t read_all(ext2_filsys fs)
{
	dgrp_t i = 0, n;
	errcode_t err = 0;

	while (i < fs->desc_blocks && !err) {
		blk64_t at = desc_loc(fs, i);

		for (n = 1; i + n < fs->desc_blocks &&
		     desc_loc(fs, i + n) == at + n; n++)
			;
		err = io_channel_read_blk64(fs->io, at, n, desc_block(fs, i));
		i += n;
	}
	return err;
}

static int target_cmp(const void *key, const void *elem)
{
	const blk64_t *x = key;
	const struct e2fc_lb_ref *y = elem;

	return *x < y->target ? -1 : *x > y->target;
}

/* 1 when a descriptor of block buf puts a bitmap or an inode table
 * somewhere else than the same descriptor of old */
static int locs_moved(ext2_filsys fs, const char *old, const char *buf)
{
	unsigned d, size = EXT2_DESC_SIZE(fs->super);
	int hi = ext2fs_has_feature_64bit(fs->super);

	for (d = 0; d + size <= fs->blocksize; d += size) {
		if (memcmp(old + d, buf + d, EXT4_GD_LOCS_SIZE) ||
		    (hi && memcmp(old + d + EXT4_GD_HI, buf + d + EXT4_GD_HI,
				  EXT4_GD_LOCS_SIZE)))
			return 1;
	}
	return 0;
}

/* the descriptor blocks the log wrote, read again into the array;
 * *moved when one of them moved a bitmap or an inode table */
static errcode_t read_logged(ext2_filsys fs, const struct e2fc_log *log,
			     int *moved)
{
	struct e2fc_lb_ref *v = NULL;
	char *buf = NULL;
	blk64_t at;
	unsigned n;
	dgrp_t i;
	errcode_t err;

	err = e2fc_log_writes(log, ext2fs_blocks_count(fs->super), &v, &n,
			      NULL);
	if (!err && n)
		err = ext2fs_get_mem(fs->blocksize, &buf);
	for (i = 0; !err && n && i < fs->desc_blocks; i++) {
		at = desc_loc(fs, i);
		if (!bsearch(&at, v, n, sizeof(*v), target_cmp))
			continue;
		err = io_channel_read_blk64(fs->io, at, 1, buf);
		if (err)
			break;
		*moved |= locs_moved(fs, desc_block(fs, i), buf);
		memcpy(desc_block(fs, i), buf, fs->blocksize);
	}
	ext2fs_free_mem(&buf);
	ext2fs_free_mem(&v);
	return err;
}

/* an array of size bytes that ext2fs_free_mem can free, in huge pages
 * when it is big (fc_array.c) */
static errcode_t array_alloc(size_t size, void *ret)
{
	void *p;

	if (size < E2FC_HUGE_SZ)
		return ext2fs_get_mem(size, ret);
	p = e2fc_big_alloc(&size);
	if (!p)
		return EXT2_ET_NO_MEMORY;
	memcpy(ret, &p, sizeof(p));
	return 0;
}

errcode_t e2fc_fs_open(const char *name, int flags, int superblock,
		       unsigned int block_size, io_manager manager,
		       ext2_filsys *ret_fs)
{
	ext2_filsys fs;
	errcode_t err;

	/* a backup superblock or an image file: ext2fs_open's own way */
	if (!GDT_BY_BLOCK || superblock ||
	    (flags & (EXT2_FLAG_SUPER_ONLY | EXT2_FLAG_IMAGE_FILE)))
		return ext2fs_open(name, flags, superblock, block_size,
				   manager, ret_fs);
	err = ext2fs_open(name, flags | EXT2_FLAG_SUPER_ONLY, 0, block_size,
			  manager, &fs);
	if (err)
		return err;
	fs->flags &= ~EXT2_FLAG_SUPER_ONLY;
	if (ext2fs_has_feature_journal_dev(fs->super)) {
		*ret_fs = fs;	/* no descriptors, as ext2fs_open */
		return 0;
	}
	fs->stride = fs->super->s_raid_stride;
	err = array_alloc((size_t)fs->desc_blocks * fs->blocksize,
			  &fs->group_desc);
	if (!err)
		err = read_all(fs);
	if (err) {
		ext2fs_free(fs);
		return err;
	}
	*ret_fs = fs;
	return 0;
}

/* one pass over the array, the feature test and the stride hoisted
 * (through the accessors it was 3% of a 64 TiB replay) */
void e2fc_gd_free_totals(ext2_filsys fs, uint64_t *blocks, uint64_t *inodes)
{
	const unsigned char *d = e2fc_gd_raw(fs);
	size_t step = EXT2_DESC_SIZE(fs->super);
	int hi = ext2fs_has_feature_64bit(fs->super);
	uint64_t b = 0, i = 0;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count && !d; g++) {
		b += ext2fs_bg_free_blocks_count(fs, g);
		i += ext2fs_bg_free_inodes_count(fs, g);
	}
	for (; d && g < fs->group_desc_count; g++, d += step) {
		b += e2fc_get_le16(d + EXT4_GD_FREE_BLOCKS);
		i += e2fc_get_le16(d + EXT4_GD_FREE_INODES);
		if (!hi)
			continue;
		b += (uint32_t)e2fc_get_le16(d + EXT4_GD_FREE_BLOCKS +
					     EXT4_GD_HI) << 16;
		i += (uint32_t)e2fc_get_le16(d + EXT4_GD_FREE_INODES +
					     EXT4_GD_HI) << 16;
	}
	*blocks = b;
	*inodes = i;
}

void e2fc_fs_discard(ext2_filsys *fsp)
{
	if (*fsp)
		ext2fs_free(*fsp);
	*fsp = NULL;
}

errcode_t e2fc_gdt_adopt(ext2_filsys nfs, void *desc, size_t old_size,
			 const struct e2fc_log *log, int *moved)
{
	size_t size = (size_t)nfs->desc_blocks * nfs->blocksize;
	errcode_t err = 0;

	*moved = 1;
	if (size != old_size)
		err = ext2fs_resize_mem(old_size, size, &desc);
	if (err) {
		ext2fs_free_mem(&desc);
		return err;
	}
	nfs->group_desc = desc;
	nfs->flags &= ~EXT2_FLAG_SUPER_ONLY;
	nfs->stride = nfs->super->s_raid_stride;
	if (size != old_size || !log)
		return read_all(nfs);
	/* the same geometry: what the log did not write is what the old
	 * fs read (nothing changes the array before the reopen) */
	*moved = 0;
	return read_logged(nfs, log, moved);
}

/*
 * The sums of descriptor block i: the crc32c of each of its quarters,
 * computed side by side (on 64 TiB the 32 MiB were summed twice a run at
 * 4 ms each with one stream).  Four sums, not one folded: two equal
 * changes in two quarters (a flag cleared in groups 16 apart) must not
 * cancel out.
 */
static void block_sums(ext2_filsys fs, dgrp_t i, uint32_t out[SUMS_PER])
{
	e2fc_crc32c_x4(~0U, desc_block(fs, i), fs->blocksize, out);
}

/* the bg_flags (low byte) of the groups of descriptor block i */
static void block_flags(ext2_filsys fs, dgrp_t i, uint8_t *flags)
{
	dgrp_t per = EXT2_DESC_PER_BLOCK(fs->super), g, end = (i + 1) * per;
	size_t step = EXT2_DESC_SIZE(fs->super);
	const unsigned char *d = e2fc_gd_raw(fs);

	if (end > fs->group_desc_count)
		end = fs->group_desc_count;
	if (!d) {
		for (g = i * per; g < end; g++)
			flags[g] = (uint8_t)ext2fs_bg_flags(fs, g);
		return;
	}
	/* the low byte of the little-endian bg_flags */
	for (g = i * per, d += g * step + EXT4_GD_FLAGS; g < end;
	     g++, d += step)
		flags[g] = d[0];
}

errcode_t e2fc_gdt_sums(ext2_filsys fs, uint32_t **sums, uint8_t *flags)
{
	dgrp_t i;
	errcode_t err;

	*sums = NULL;
	if (!e2fc_gdt_by_block(fs)) {
		for (i = 0; flags && i < fs->desc_blocks; i++)
			block_flags(fs, i, flags);
		return 0;
	}
	err = ext2fs_get_array(fs->desc_blocks, SUMS_PER * sizeof(**sums),
			       sums);
	if (err)
		return err;
	/* each block's flags while the block is in the cache */
	for (i = 0; i < fs->desc_blocks; i++) {
		block_sums(fs, i, *sums + (size_t)i * SUMS_PER);
		if (flags)
			block_flags(fs, i, flags);
	}
	return 0;
}

/* the descriptor blocks that changed since e2fc_gdt_sums, or that hold a
 * group in touched (one byte per group, may be NULL) */
static errcode_t write_changed(ext2_filsys fs, const uint32_t *sums,
			       const uint8_t *touched)
{
	dgrp_t i, g, per = EXT2_DESC_PER_BLOCK(fs->super);
	uint32_t now[SUMS_PER];
	errcode_t err = 0;
	int dirty;

	for (i = 0; i < fs->desc_blocks && !err; i++) {
		block_sums(fs, i, now);
		dirty = memcmp(now, sums + (size_t)i * SUMS_PER,
			       sizeof(now)) != 0;
		for (g = i * per; touched && !dirty && g < (i + 1) * per &&
		     g < fs->group_desc_count; g++)
			dirty = touched[g];
		if (dirty)
			err = io_channel_write_blk64(fs->io, desc_loc(fs, i), 1,
						     desc_block(fs, i));
	}
	return err;
}

/*
 * The primary superblock, as ext2fs_flush writes it (stamped, checksum
 * set, the device flushed before and after), without its walk over every
 * group looking for backups that EXT2_FLAG_MASTER_SB_ONLY does not write.
 */
static errcode_t write_super(ext2_filsys fs)
{
	io_channel io = fs->io;
	errcode_t err;

	fs->super->s_wtime = fs->now ? fs->now : time(NULL);
	fs->super->s_block_group_nr = 0;
	err = ext2fs_superblock_csum_set(fs, fs->super);
	if (!err)
		err = io_channel_flush(io);
	if (err)
		return err;
	err = io_channel_write_byte(io, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE,
				    fs->super);
	if (err == EXT2_ET_UNIMPLEMENTED) {
		io_channel_set_blksize(io, SUPERBLOCK_OFFSET);
		err = io_channel_write_blk64(io, 1, -SUPERBLOCK_SIZE,
					     fs->super);
		io_channel_set_blksize(io, fs->blocksize);
	}
	if (!err)
		err = io_channel_flush(io);
	if (err)
		return err;
	if (fs->orig_super)
		memcpy(fs->orig_super, fs->super, SUPERBLOCK_SIZE);
	fs->flags &= ~EXT2_FLAG_DIRTY;
	return 0;
}

errcode_t e2fc_gdt_flush(ext2_filsys fs, const uint32_t *sums,
			 const uint8_t *touched)
{
	errcode_t err;

	if (!sums || !e2fc_gdt_by_block(fs) ||
	    !(fs->flags & EXT2_FLAG_MASTER_SB_ONLY))
		return ext2fs_flush(fs);
	/* the bitmaps first, as ext2fs_flush: their checksums live in
	 * the descriptors */
	if (fs->write_bitmaps) {
		err = fs->write_bitmaps(fs);
		if (err)
			return err;
	}
	err = write_changed(fs, sums, touched);
	return err ? err : write_super(fs);
}
