/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_names.h -- the replay's cache of directory names (fc_names.c).
 * Not installed.
 */
#ifndef E2FC_NAMES_H
#define E2FC_NAMES_H

#include "e2fc.h"

struct e2fc_names;

errcode_t e2fc_names_init(struct e2fc_names **np);
void e2fc_names_free(struct e2fc_names *n);
errcode_t e2fc_names_lookup(ext2_filsys fs, struct e2fc_names *n,
			    ext2_ino_t dir, const char *name, unsigned len,
			    ext2_ino_t *ino);
errcode_t e2fc_names_set(struct e2fc_names *n, ext2_ino_t dir,
			 const char *name, unsigned len, ext2_ino_t ino);
void e2fc_names_forget(struct e2fc_names *n, ext2_ino_t dir);
/* ext2fs_link (and ext2fs_expand_dir when full), without a scan of the
 * whole directory per entry */
errcode_t e2fc_names_link(ext2_filsys fs, struct e2fc_names *n,
			  ext2_ino_t dir, const char *name, ext2_ino_t ino,
			  int ftype);
/* the same, dir's inode as the caller has just read it */
errcode_t e2fc_names_link_in(ext2_filsys fs, struct e2fc_names *n,
			     ext2_ino_t dir, const struct ext2_inode *din,
			     const char *name, ext2_ino_t ino, int ftype);
errcode_t e2fc_names_unlink(ext2_filsys fs, struct e2fc_names *n,
			    ext2_ino_t dir, const char *name, ext2_ino_t ino);
/* fc_dxsplit.c: zero the slack of the leaves ext2fs_link split in dir
 * (its size was old_size before the link) */
errcode_t e2fc_dx_scrub_split(ext2_filsys fs, ext2_ino_t dir,
			      ext2_off64_t old_size);
/* fc_dirblock.c: ext2fs_read_dir_block4 and ext2fs_write_dir_block4
 * (flags 0), a leaf block's checksum computed with e2fc_crc32c; din:
 * dir's inode as the caller has it (its generation), NULL: read it */
errcode_t e2fc_dirblock_read(ext2_filsys fs, blk64_t blk, void *buf,
			     ext2_ino_t dir, const struct ext2_inode *din);
errcode_t e2fc_dirblock_write(ext2_filsys fs, blk64_t blk, void *buf,
			      ext2_ino_t dir, const struct ext2_inode *din);
/* the checksum of a leaf block (disk order) that ends in a tail;
 * EXT2_ET_DIR_NO_SPACE_FOR_CSUM when it has none */
errcode_t e2fc_dirblock_leaf_csum(ext2_filsys fs, ext2_ino_t dir,
				  const void *buf, uint32_t *crc);

#endif
