// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c -- debugfs's conventions, shared by every request of debugfs-fc:
 * "<ino>" or path filespecs, argument checks and their messages, times in
 * asctime() form, the byte hexdump.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "debugfs-fc.h"

void dfc_reset_getopt(void)
{
	optind = 0;
	opterr = 1;
}

int dfc_flag_opt(int argc, char **argv, int flag, int *set)
{
	char opts[2] = { (char)flag, 0 };
	int c;

	dfc_reset_getopt();
	while ((c = getopt(argc, argv, opts)) != -1) {
		if (c != flag)
			return -1;
		*set = 1;
	}
	return 0;
}

int dfc_check_open(const char *cmd)
{
	if (cur.fs)
		return 0;
	com_err(cmd, 0, "Filesystem not open");
	return 1;
}

int dfc_check_bitmaps(const char *cmd)
{
	if (cur.fs->block_map && cur.fs->inode_map)
		return 0;
	com_err(cmd, 0, "Filesystem bitmaps not loaded");
	return 1;
}

/* argc within [min, max], a file system open (and its bitmaps) */
int dfc_args(int argc, char **argv, int min, int max, const char *cmd,
	     const char *usage, int flags)
{
	if (argc < min || argc > max) {
		com_err(argv[0], 0, "Usage: %s %s", cmd ? cmd : argv[0], usage);
		return 1;
	}
	if (dfc_check_open(argv[0]))
		return 1;
	if ((flags & DFC_NEED_BITMAPS) && dfc_check_bitmaps(argv[0]))
		return 1;
	return 0;
}

/* "<12>" is inode 12; anything else a path from the working directory;
 * 0 (with a message) when it names nothing */
ext2_ino_t dfc_filespec(const char *str)
{
	size_t len = strlen(str);
	unsigned long n;
	ext2_ino_t ino;
	errcode_t err;
	char *end;

	if (len > 2 && str[0] == '<' && str[len - 1] == '>') {
		n = strtoul(str + 1, &end, 0);
		if (*end == '>' && n <= cur.fs->super->s_inodes_count)
			return n;
	}
	err = ext2fs_namei(cur.fs, cur.root, cur.cwd, str, &ino);
	if (err) {
		com_err(str, err, 0);
		return 0;
	}
	if (ino > cur.fs->super->s_inodes_count) {
		com_err(str, 0, "resolves to an illegal inode number: %u\n",
			ino);
		return 0;
	}
	return ino;
}

/* "request <file>" */
int dfc_inode_arg(int argc, char **argv, ext2_ino_t *ino, int flags)
{
	if (dfc_args(argc, argv, 2, 2, NULL, "<file>", flags))
		return 1;
	*ino = dfc_filespec(argv[1]);
	return *ino ? 0 : 1;
}

int dfc_read_inode(ext2_ino_t ino, struct ext2_inode *in, const char *cmd)
{
	errcode_t err = ext2fs_read_inode(cur.fs, ino, in);

	if (err)
		com_err(cmd, err, "while reading inode %u", ino);
	return err ? 1 : 0;
}

/* the whole on-disk inode (up to sizeof(*in)); the tail is zeroed */
int dfc_read_inode_full(ext2_ino_t ino, struct ext2_inode_large *in,
			const char *cmd)
{
	unsigned size = EXT2_INODE_SIZE(cur.fs->super);
	errcode_t err;

	memset(in, 0, sizeof(*in));
	if (size > sizeof(*in))
		size = sizeof(*in);
	err = ext2fs_read_inode_full(cur.fs, ino, (struct ext2_inode *)in,
				     size);
	if (err)
		com_err(cmd, err, "while reading inode %u", ino);
	return err ? 1 : 0;
}

int dfc_parse_ulong(const char *str, const char *cmd, const char *what,
		    unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(str, &end, 0);
	if (*str && !*end && !errno)
		return 0;
	com_err(cmd, 0, "Bad %s - %s", what, str);
	return 1;
}

int dfc_parse_blk(const char *str, const char *cmd, const char *what,
		  blk64_t *val)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(str, &end, 0);
	*val = n;
	if (*str && !*end && !errno)
		return 0;
	com_err(cmd, 0, "Bad %s - %s", what ? what : "block number", str);
	return 1;
}

/* "request <block> [count]", block not 0 */
int dfc_block_args(int argc, char **argv, blk64_t *blk, blk64_t *count)
{
	if (dfc_args(argc, argv, 2, 3, NULL, "<block> [count]",
		     DFC_NEED_BITMAPS))
		return 1;
	if (dfc_parse_blk(argv[1], argv[0], NULL, blk))
		return 1;
	if (*blk == 0) {
		com_err(argv[0], 0, "Invalid block number 0");
		return 1;
	}
	if (argc > 2 && dfc_parse_blk(argv[2], argv[0], "count", count))
		return 1;
	return 0;
}

/* asctime() form with its newline; UTC only when TZ is GMT or GMT0, as
 * debugfs does */
const char *dfc_time(int64_t t)
{
	const char *tz = getenv("TZ");
	time_t tt = (time_t)t;
	struct tm *tm;

	if (tz && (!strcmp(tz, "GMT") || !strcmp(tz, "GMT0")))
		tm = gmtime(&tt);
	else
		tm = localtime(&tt);
	return tm ? asctime(tm) : "(bad time)\n";
}

/* a 32-bit inode time with the epoch bits of its _extra field */
const char *dfc_inode_time(uint32_t t, uint32_t extra)
{
	int64_t v = (int32_t)t;

	v += (int64_t)(extra & EXT4_EPOCH_MASK) << 32;
	return dfc_time(v);
}

static void hex_line(FILE *f, const unsigned char *p, size_t off, size_t n)
{
	size_t j;

	fprintf(f, "%04o  ", (unsigned)off);
	for (j = 0; j < 16; j++) {
		if (j < n)
			fprintf(f, "%02x", p[j]);
		else
			fputs("  ", f);
		if (j & 1)
			fputc(' ', f);
	}
	fputc(' ', f);
	for (j = 0; j < n; j++)
		fputc(isprint(p[j]) ? p[j] : '.', f);
	fputc('\n', f);
}

/* 16 bytes a line, octal offsets; runs of lines equal to the one before
 * the run print as one "*" */
void dfc_hexdump(FILE *f, const unsigned char *buf, size_t size)
{
	size_t i, n, run = 0;
	int in_run = 0;

	for (i = 0; i < size; i += 16) {
		n = size - i > 16 ? 16 : size - i;
		if (in_run) {
			if (!memcmp(buf + i, buf + run, n))
				continue;
			in_run = 0;
		} else if (i && !memcmp(buf + i, buf + i - n, n)) {
			in_run = 1;
			run = i;
			fputs("*\n", f);
			continue;
		}
		hex_line(f, buf + i, i, n);
	}
	fputc('\n', f);
}

/* one file, or two device nodes of one block device */
static int same_file(const struct stat *a, const char *name)
{
	struct stat b;

	if (!name || stat(name, &b))
		return 0;
	if (S_ISBLK(a->st_mode) && S_ISBLK(b.st_mode))
		return a->st_rdev == b.st_rdev;
	return a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* path (after following links) is the open image or its external
 * journal: never write there */
int dfc_same_file_as_image(const char *path)
{
	struct stat st;

	if (!cur.fs || stat(path, &st))
		return 0;
	return same_file(&st, cur.image) || same_file(&st, cur.extj);
}
