// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ls.c -- directories as debugfs 1.47.0 prints them: ls (-c -d -l -p -r),
 * cd, pwd, dirsearch, htree_dump.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "debugfs-fc.h"

#define LS_LONG		0x01
#define LS_PARSE	0x02
#define LS_RAW		0x04
#define LS_ENCRYPT	0x08

struct ls_ctx {
	int	col;
	int	opts;
	int	seen;	/* "." and ".." are always shown raw */
};

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* prints the name escaped (when f) and returns its printed length */
static int ls_name(FILE *f, struct ext2_dir_entry *de, int opts)
{
	const unsigned char *p = (const unsigned char *)de->name;
	int len = ext2fs_dirent_name_len(de), n = 0;

	if ((opts & LS_ENCRYPT) && !(opts & LS_RAW))
		return f ? fprintf(f, "<encrypted (%d)>", len) :
			snprintf(NULL, 0, "<encrypted (%d)>", len);
	for (; len--; p++) {
		if (*p < 32 || *p >= 127 || *p == '\\') {
			if (f)
				fprintf(f, "\\x%02x", *p);
			n += 4;
		} else {
			if (f)
				fputc(*p, f);
			n++;
		}
	}
	return n;
}

static int ls_inode(ext2_ino_t ino, struct ext2_inode *in)
{
	memset(in, 0, sizeof(*in));
	return ino ? dfc_read_inode(ino, in, "ls") : 0;
}

static void ls_parse(ext2_ino_t ino, struct ext2_dir_entry *de)
{
	struct ext2_inode in;

	if (ls_inode(ino, &in))
		return;
	printf("/%u/%06o/%d/%d/%.*s/", ino, in.i_mode, inode_uid(in),
	       inode_gid(in), ext2fs_dirent_name_len(de), de->name);
	if (LINUX_S_ISDIR(in.i_mode))
		printf("/");
	else
		printf("%llu/", (unsigned long long)EXT2_I_SIZE(&in));
	printf("\n");
}

static void ls_long(ext2_ino_t ino, int entry, struct ext2_dir_entry *de,
		    int opts, char lbr, char rbr)
{
	struct ext2_inode in;
	char date[40] = "                 ";
	struct tm *tm;
	time_t t;

	if (ls_inode(ino, &in))
		return;
	if (ino) {
		t = in.i_mtime;
		tm = localtime(&t);
		snprintf(date, sizeof(date), "%2d-%s-%4d %02d:%02d",
			 tm->tm_mday, months[tm->tm_mon], 1900 + tm->tm_year,
			 tm->tm_hour, tm->tm_min);
	}
	printf("%c%6u%c %6o ", lbr, ino, rbr, in.i_mode);
	if (entry == DIRENT_CHECKSUM) {
		printf("(dirblock checksum: 0x%08x)\n",
		       e2fc_get_le32((char *)de + 8));
		return;
	}
	printf("(%d)  %5d  %5d   ", ext2fs_dirent_file_type(de),
	       inode_uid(in), inode_gid(in));
	printf("%5llu %s ", (unsigned long long)EXT2_I_SIZE(&in), date);
	ls_name(stdout, de, opts);
	putchar('\n');
}

/* the short form: entries side by side, a new line past column 80 */
static void ls_short(struct ls_ctx *ls, int entry, struct ext2_dir_entry *de,
		     int opts, char lbr, char rbr)
{
	char tmp[EXT2_NAME_LEN + 64];
	int len;

	if (entry == DIRENT_CHECKSUM)
		snprintf(tmp, sizeof(tmp), "%c%u%c (dirblock checksum: "
			 "0x%08x)   ", lbr, de->inode, rbr,
			 e2fc_get_le32((char *)de + 8));
	else
		snprintf(tmp, sizeof(tmp), "%c%u%c (%d) ", lbr, de->inode,
			 rbr, de->rec_len);
	len = strlen(tmp);
	if (entry != DIRENT_CHECKSUM)
		len += 3 + ls_name(NULL, de, opts);
	if (ls->col + len > 80) {
		putchar('\n');
		ls->col = 0;
	}
	fputs(tmp, stdout);
	if (entry != DIRENT_CHECKSUM) {
		ls_name(stdout, de, opts);
		fputs("   ", stdout);
	}
	ls->col += len;
}

static int ls_proc(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		   int offset, int blocksize, char *buf, void *priv)
{
	struct ls_ctx *ls = priv;
	ext2_ino_t ino = de->inode;
	int opts = ls->opts;
	char lbr = ' ', rbr = ' ';

	if (ls->seen < 2) {
		ls->seen++;
		opts |= LS_RAW;
	}
	if (entry == DIRENT_DELETED_FILE) {
		lbr = '<';
		rbr = '>';
		ino = 0;
	}
	if (opts & LS_PARSE)
		ls_parse(ino, de);
	else if (opts & LS_LONG)
		ls_long(ino, entry, de, opts, lbr, rbr);
	else
		ls_short(ls, entry, de, opts, lbr, rbr);
	return 0;
}

void do_list_dir(int argc, char **argv, int sci_idx, void *infop)
{
	struct ls_ctx ls = { 0, 0, 0 };
	int c, flags = DIRENT_FLAG_INCLUDE_EMPTY;
	struct ext2_inode in;
	ext2_ino_t ino;
	errcode_t err;

	if (dfc_check_open(argv[0]))
		return;
	dfc_reset_getopt();
	while ((c = getopt(argc, argv, "cdlpr")) != -1) {
		switch (c) {
		case 'c':
			flags |= DIRENT_FLAG_INCLUDE_CSUM;
			break;
		case 'd':
			flags |= DIRENT_FLAG_INCLUDE_REMOVED;
			break;
		case 'l':
			ls.opts |= LS_LONG;
			break;
		case 'p':
			ls.opts |= LS_PARSE;
			break;
		case 'r':
			ls.opts |= LS_RAW;
			break;
		default:
			goto usage;
		}
	}
	if (argc > optind + 1)
		goto usage;
	ino = argc == optind ? cur.cwd : dfc_filespec(argv[optind]);
	if (!ino || dfc_read_inode(ino, &in, argv[0]))
		return;
	if (in.i_flags & EXT4_ENCRYPT_FL)
		ls.opts |= LS_ENCRYPT;
	err = ext2fs_dir_iterate2(cur.fs, ino, flags, NULL, ls_proc, &ls);
	putchar('\n');
	if (err)
		com_err(argc > 1 ? argv[1] : NULL, err, 0);
	return;
usage:
	com_err(0, 0, "Usage: ls [-c] [-d] [-l] [-p] [-r] file");
}

void do_change_working_dir(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;
	errcode_t err;

	if (dfc_inode_arg(argc, argv, &ino, 0))
		return;
	err = ext2fs_check_directory(cur.fs, ino);
	if (err) {
		com_err(argv[1], err, 0);
		return;
	}
	cur.cwd = ino;
}

static void pwd_line(const char *cmd, const char *tag, ext2_ino_t ino,
		     const char *what)
{
	char *path = NULL;
	errcode_t err;

	err = ext2fs_get_pathname(cur.fs, ino, 0, &path);
	if (err)
		com_err(cmd, err, "while trying to get pathname of %s", what);
	printf("%s INODE: %6u  PATH: %s\n", tag, ino, path ? path : "NULL");
	ext2fs_free_mem(&path);
}

void do_print_working_directory(int argc, char **argv, int sci_idx,
				void *infop)
{
	if (dfc_args(argc, argv, 1, 1, "print_working_directory", "", 0))
		return;
	pwd_line(argv[0], "[pwd]  ", cur.cwd, "cwd");
	pwd_line(argv[0], "[root] ", cur.root, "root");
}

/* ---- dirsearch ---------------------------------------------------------- */

struct search_ctx {
	const char	*name;
	size_t		len;
	char		*buf;
};

static int search_block(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt,
			blk64_t ref, int ref_off, void *priv)
{
	struct search_ctx *s = priv;
	unsigned off = 0, rec_len, name_len;
	errcode_t err;
	char *de;

	if (cnt < 0)
		return 0;
	err = io_channel_read_blk64(fs->io, *blk, 1, s->buf);
	if (err) {
		com_err("search_dir_block", err, "while reading block %lu",
			(unsigned long)*blk);
		return BLOCK_ABORT;
	}
	while (off < fs->blocksize) {
		de = s->buf + off;
		err = ext2fs_get_rec_len(fs, (struct ext2_dir_entry *)de,
					 &rec_len);
		if (err) {
			com_err("htree_dump_leaf_inode", err, "while getting "
				"rec_len for block %lu", (unsigned long)*blk);
			return BLOCK_ABORT;
		}
		/* debugfs loops for ever on a rec_len of 0: stop there */
		if (rec_len < DE_NAME || off + rec_len > fs->blocksize)
			break;
		name_len = (unsigned char)de[DE_NAME_LEN];
		if (e2fc_get_le32(de + DE_INODE) && name_len == s->len &&
		    !strncmp(s->name, de + DE_NAME, s->len)) {
			printf("Entry found at logical block %lld, phys %llu, "
			       "offset %u\n", (long long)cnt,
			       (unsigned long long)*blk, off);
			printf("offset %u\n", off);
			return BLOCK_ABORT;
		}
		off += rec_len;
	}
	return 0;
}

void do_dirsearch(int argc, char **argv, int sci_idx, void *infop)
{
	struct search_ctx s;
	ext2_ino_t ino;

	if (dfc_check_open(argv[0]))
		return;
	if (argc != 3) {
		com_err(0, 0, "Usage: dirsearch dir filename");
		return;
	}
	ino = dfc_filespec(argv[1]);
	if (!ino)
		return;
	s.buf = malloc(cur.fs->blocksize);
	if (!s.buf) {
		com_err("dirsearch", 0, "Couldn't allocate buffer");
		return;
	}
	s.name = argv[2];
	s.len = strlen(argv[2]);
	ext2fs_block_iterate3(cur.fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
			      search_block, &s);
	free(s.buf);
}
