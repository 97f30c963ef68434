/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * debugfs-fc.h -- what the request families of debugfs-fc share: the open
 * file system, the filespec parser and debugfs's argument checks.
 */
#ifndef DEBUGFS_FC_H
#define DEBUGFS_FC_H

#include <stdio.h>
#include <ss/ss.h>
#include "e2fc.h"

/* the open file system (NULL when none) and the shell state */
struct dfc_state {
	ext2_filsys	fs;
	char		*image;		/* name given to open */
	char		*extj;		/* external journal, or NULL */
	ext2_ino_t	root, cwd;
	int		replayed;	/* fc_replay ran on this open */
	int		open_flags;	/* ext2fs_open flags of the last open */
	blk64_t		superblock, blocksize;
	int		catastrophic;	/* -c: no bitmaps */
};

extern struct dfc_state cur;
extern const char *prog;		/* the name debugfs-fc runs as */

/* debugfs-fc.c */
int dfc_open(const char *image, const char *extj);
void dfc_close(void);

/* util.c: debugfs's argument conventions and output helpers */
#define DFC_NEED_BITMAPS	0x01

void dfc_reset_getopt(void);
/* the one flag (-flag) a request takes: *set when given, -1 for any
 * other option; optind is left after the options */
int dfc_flag_opt(int argc, char **argv, int flag, int *set);
int dfc_check_open(const char *cmd);
int dfc_check_bitmaps(const char *cmd);
int dfc_args(int argc, char **argv, int min, int max, const char *cmd,
	     const char *usage, int flags);
ext2_ino_t dfc_filespec(const char *str);
int dfc_inode_arg(int argc, char **argv, ext2_ino_t *ino, int flags);
int dfc_read_inode(ext2_ino_t ino, struct ext2_inode *in, const char *cmd);
int dfc_read_inode_full(ext2_ino_t ino, struct ext2_inode_large *in,
			const char *cmd);
int dfc_parse_ulong(const char *str, const char *cmd, const char *what,
		    unsigned long *val);
int dfc_parse_blk(const char *str, const char *cmd, const char *what,
		  blk64_t *val);
int dfc_block_args(int argc, char **argv, blk64_t *blk, blk64_t *count);
const char *dfc_time(int64_t t);
const char *dfc_inode_time(uint32_t t, uint32_t extra);
void dfc_hexdump(FILE *f, const unsigned char *buf, size_t size);
int dfc_same_file_as_image(const char *path);

/* inode.c */
void dfc_dump_inode(FILE *f, const char *prefix, ext2_ino_t ino,
		    struct ext2_inode_large *in, int blocks);

/* xattr_raw.c */
void dfc_inode_xattr_dump(FILE *f, const unsigned char *buf, unsigned len);
void dfc_block_xattr_dump(FILE *f, const unsigned char *buf, unsigned len);

#endif /* DEBUGFS_FC_H */
