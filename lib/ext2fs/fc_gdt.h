/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_gdt.h -- the group descriptors read and written by the block across
 * a recovery (fc_gdt.c).  Not installed.
 */
#ifndef E2FC_GDT_H
#define E2FC_GDT_H

#include "e2fc.h"

/* 1 when fs's descriptors can be read and written block by block here
 * (little-endian host, not a journal device, descriptors in memory) */
int e2fc_gdt_by_block(ext2_filsys fs);

/*
 * nfs was opened with EXT2_FLAG_SUPER_ONLY after the log was replayed:
 * give it desc (old_size bytes), the array of the fs it replaces, resized
 * to its own descriptors, and read into it the descriptor blocks log
 * wrote (all of them when the size changed or log is NULL).  desc is
 * nfs's from here on, or freed on error.
 */
errcode_t e2fc_gdt_adopt(ext2_filsys nfs, void *desc, size_t old_size,
			 const struct e2fc_log *log);

/* a crc32c of each descriptor block, for e2fc_gdt_flush; *sums is NULL
 * (and the flush a plain ext2fs_flush) where !e2fc_gdt_by_block */
errcode_t e2fc_gdt_sums(ext2_filsys fs, uint32_t **sums);

/* ext2fs_flush of fs with EXT2_FLAG_MASTER_SB_ONLY, but of the
 * descriptors only the blocks whose sum changed or that hold a group
 * marked in touched (one byte per group, or NULL) */
errcode_t e2fc_gdt_flush(ext2_filsys fs, const uint32_t *sums,
			 const uint8_t *touched);

#endif
