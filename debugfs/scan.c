// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scan.c -- the requests that walk every inode: ncheck (inode to names),
 * icheck (block to inode), lsdel (deleted inodes), as debugfs 1.47.0
 * prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "debugfs-fc.h"
#include "fc_array.h"

/* the next inode of the scan, skipping bad blocks of the inode table */
static errcode_t next_inode(ext2_inode_scan scan, ext2_ino_t *ino,
			    struct ext2_inode *in)
{
	errcode_t err;

	do {
		err = ext2fs_get_next_inode(scan, ino, in);
	} while (err == EXT2_ET_BAD_BLOCK_IN_INODE_TABLE);
	return err;
}

/* one inode of a scan: 0 to go on, 1 to stop, -1 on a fatal error */
typedef int (*scan_fn)(ext2_ino_t ino, struct ext2_inode *in, void *arg);

/*
 * Call fn for every inode of the file system in number order, as
 * debugfs's scans do: errors reported as cmd's, header printed once the
 * scan has started.  Returns 1 when the scan failed or fn said -1.
 */
static int scan_inodes(const char *cmd, const char *header, scan_fn fn,
		       void *arg)
{
	ext2_inode_scan scan;
	struct ext2_inode in;
	ext2_ino_t ino;
	errcode_t err;
	int ret = 0;

	err = ext2fs_open_inode_scan(cur.fs, 0, &scan);
	if (err) {
		com_err(cmd, err, "while opening inode scan");
		return 1;
	}
	err = next_inode(scan, &ino, &in);
	if (err)
		com_err(cmd, err, "while starting inode scan");
	else if (header)
		fputs(header, stdout);
	while (!err && ino && !(ret = fn(ino, &in, arg))) {
		err = next_inode(scan, &ino, &in);
		if (err)
			com_err(cmd, err, "while doing inode scan");
	}
	ext2fs_close_inode_scan(scan);
	return err || ret < 0;
}

/* ---- ncheck ------------------------------------------------------------- */

struct ncheck_ctx {
	ext2_ino_t	dir;
	ext2_ino_t	*inos;
	int		n, left, pos, check;
	char		*parent;
	int		no_parent;
};

static void ncheck_hit(struct ncheck_ctx *w, ext2_ino_t ino,
		       struct ext2_dir_entry *de)
{
	struct ext2_inode in;
	int ft = ext2fs_dirent_file_type(de);
	errcode_t err;

	if (!w->parent && !w->no_parent) {
		err = ext2fs_get_pathname(cur.fs, w->dir, 0, &w->parent);
		if (err) {
			com_err("ncheck", err, "while calling "
				"ext2fs_get_pathname for inode #%u", w->dir);
			w->no_parent = 1;
		}
	}
	if (w->parent)
		printf("%u\t%s/%.*s", ino, w->parent,
		       ext2fs_dirent_name_len(de), de->name);
	else
		printf("%u\t<%u>/%.*s", ino, w->dir,
		       ext2fs_dirent_name_len(de), de->name);
	if (w->check && ft && !dfc_read_inode(de->inode, &in, "ncheck") &&
	    ft != e2fc_file_type(in.i_mode))
		printf("  <--- BAD FILETYPE");
	putchar('\n');
	w->left--;
}

static int ncheck_proc(struct ext2_dir_entry *de, int offset, int blocksize,
		       char *buf, void *priv)
{
	struct ncheck_ctx *w = priv;
	int i;

	if (++w->pos <= 2)
		return 0;
	for (i = 0; i < w->n; i++)
		if (w->inos[i] == de->inode)
			ncheck_hit(w, w->inos[i], de);
	return w->left ? 0 : DIRENT_ABORT;
}

/* one directory of the scan; 1 when all is found */
static int ncheck_dir(ext2_ino_t ino, struct ext2_inode *in, void *arg)
{
	struct ncheck_ctx *w = arg;
	errcode_t err;

	if (!in->i_links_count || in->i_dtime || !LINUX_S_ISDIR(in->i_mode))
		return 0;
	w->pos = 0;
	w->parent = NULL;
	w->dir = ino;
	w->no_parent = 0;
	err = ext2fs_dir_iterate(cur.fs, ino, 0, NULL, ncheck_proc, w);
	ext2fs_free_mem(&w->parent);
	if (err)
		com_err("ncheck", err, "while calling ext2_dir_iterate");
	return !err && !w->left;
}

static int ncheck_args(struct ncheck_ctx *w, int argc, char **argv)
{
	struct ext2_inode in;
	const char *s;
	char *end;
	size_t len;
	int i;

	for (i = 0; i < argc; i++) {
		s = argv[i];
		len = strlen(s);
		if (len > 2 && s[0] == '<' && s[len - 1] == '>')
			s++;
		w->inos[i] = strtol(s, &end, 0);
		if (*end && (s == argv[i] || *end != '>')) {
			com_err("ncheck", 0, "Invalid inode number - '%s'",
				argv[i]);
			return 1;
		}
		if (dfc_read_inode(w->inos[i], &in, argv[0]))
			return 1;
		w->left += LINUX_S_ISDIR(in.i_mode) ? 1 : in.i_links_count;
	}
	w->n = argc;
	return 0;
}

void do_ncheck(int argc, char **argv, int sci_idx, void *infop)
{
	struct ncheck_ctx w;

	memset(&w, 0, sizeof(w));
	if (dfc_flag_opt(argc, argv, 'c', &w.check))
		goto usage;
	if (argc <= 1)
		goto usage;
	if (dfc_check_open(argv[0]))
		return;
	argc -= optind;
	argv += optind;
	w.inos = calloc(argc + 1, sizeof(*w.inos));
	if (!w.inos) {
		com_err("ncheck", ENOMEM, "while allocating inode number array");
		return;
	}
	if (!ncheck_args(&w, argc, argv))
		scan_inodes("ncheck", "Inode\tPathname\n", ncheck_dir, &w);
	free(w.inos);
	return;
usage:
	com_err(argv[0], 0, "Usage: ncheck [-c] <inode number> ...");
}

/* ---- icheck ------------------------------------------------------------- */

struct icheck_ctx {
	blk64_t		*blk;
	ext2_ino_t	*owner;
	int		n, left;
	ext2_ino_t	ino;
	char		*block_buf;
};

static int icheck_proc(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt,
		       blk64_t ref, int ref_off, void *priv)
{
	struct icheck_ctx *w = priv;
	int i;

	for (i = 0; i < w->n; i++) {
		if (!w->owner[i] && w->blk[i] == *blk) {
			w->owner[i] = w->ino;
			w->left--;
		}
	}
	return w->left ? 0 : BLOCK_ABORT;
}

/* the blocks of one in-use inode of the scan, its xattr block first; 1
 * when all blocks asked for are found */
static int icheck_inode(ext2_ino_t ino, struct ext2_inode *in, void *arg)
{
	struct icheck_ctx *w = arg;
	blk64_t acl;
	errcode_t err;

	if (!in->i_links_count)
		return 0;
	w->ino = ino;
	acl = ext2fs_file_acl_block(cur.fs, in);
	if (acl) {
		icheck_proc(cur.fs, &acl, 0, 0, 0, w);
		if (!w->left)
			return 1;
	}
	if (!ext2fs_inode_has_valid_blocks2(cur.fs, in) || in->i_dtime)
		return 0;
	err = ext2fs_block_iterate3(cur.fs, ino, BLOCK_FLAG_READ_ONLY,
				    w->block_buf, icheck_proc, w);
	if (err)
		com_err("icheck", err, "while calling ext2fs_block_iterate");
	return !err && !w->left;
}

void do_icheck(int argc, char **argv, int sci_idx, void *infop)
{
	struct icheck_ctx w;
	int i;

	if (argc < 2) {
		com_err(argv[0], 0, "Usage: icheck <block number> ...");
		return;
	}
	if (dfc_check_open(argv[0]))
		return;
	memset(&w, 0, sizeof(w));
	w.blk = calloc(argc, sizeof(*w.blk));
	w.owner = calloc(argc, sizeof(*w.owner));
	w.block_buf = malloc(cur.fs->blocksize * 3);
	if (!w.blk || !w.owner || !w.block_buf) {
		com_err("icheck", ENOMEM, "while allocating inode info array");
		goto out;
	}
	for (i = 1; i < argc; i++)
		if (dfc_parse_blk(argv[i], argv[0], NULL, &w.blk[i - 1]))
			goto out;
	w.n = w.left = argc - 1;
	if (scan_inodes("icheck", NULL, icheck_inode, &w))
		goto out;
	printf("Block\tInode number\n");
	for (i = 0; i < w.n; i++) {
		if (w.owner[i])
			printf("%llu\t%u\n", (unsigned long long)w.blk[i],
			       w.owner[i]);
		else
			printf("%llu\t<block not found>\n",
			       (unsigned long long)w.blk[i]);
	}
out:
	free(w.blk);
	free(w.owner);
	free(w.block_buf);
}

/* ---- lsdel -------------------------------------------------------------- */

struct deleted {
	ext2_ino_t	ino;
	unsigned	mode;
	uint32_t	uid;
	uint64_t	size;
	int64_t		dtime;
	e2_blkcnt_t	blocks, free_blocks;
};

struct lsdel_ctx {
	e2_blkcnt_t	blocks, free_blocks, bad_blocks;
	struct deleted	*list;
	unsigned	n, max;
	long		secs;
	time_t		now;
	char		*block_buf;
};

static int lsdel_proc(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt,
		      blk64_t ref, int ref_off, void *priv)
{
	struct lsdel_ctx *d = priv;

	d->blocks++;
	if (*blk < fs->super->s_first_data_block ||
	    *blk >= ext2fs_blocks_count(fs->super)) {
		d->bad_blocks++;
		return BLOCK_ABORT;
	}
	if (!ext2fs_test_block_bitmap2(fs->block_map, *blk))
		d->free_blocks++;
	return 0;
}

static int deleted_cmp(const void *a, const void *b)
{
	const struct deleted *x = a, *y = b;

	return (int)(x->dtime - y->dtime);
}

/* one inode of the scan; -1 on a fatal error */
static int lsdel_inode(ext2_ino_t ino, struct ext2_inode *in, void *arg)
{
	struct lsdel_ctx *d = arg;
	struct deleted *e;
	errcode_t err;

	if (!in->i_dtime || (d->secs && labs(d->now - d->secs) >
			     (long)in->i_dtime))
		return 0;
	d->blocks = d->free_blocks = d->bad_blocks = 0;
	if (ext2fs_inode_has_valid_blocks2(cur.fs, in)) {
		err = ext2fs_block_iterate3(cur.fs, ino, BLOCK_FLAG_READ_ONLY,
					    d->block_buf, lsdel_proc, d);
		if (err) {
			com_err("ls_deleted_inodes", err,
				"while calling ext2fs_block_iterate2");
			return 0;
		}
	}
	if (!((d->free_blocks && !d->bad_blocks) ||
	      (in->i_flags & EXT4_INLINE_DATA_FL)))
		return 0;
	err = e2fc_array_grow(&d->list, &d->max, d->n + 1, sizeof(*d->list));
	if (err) {
		com_err("ls_deleted_inodes", err, "while reallocating array");
		return -1;
	}
	e = &d->list[d->n++];
	e->ino = ino;
	e->mode = in->i_mode;
	e->uid = inode_uid(*in);
	e->size = EXT2_I_SIZE(in);
	e->dtime = (int32_t)in->i_dtime;
	e->blocks = d->blocks;
	e->free_blocks = d->free_blocks;
	return 0;
}

void do_lsdel(int argc, char **argv, int sci_idx, void *infop)
{
	struct lsdel_ctx d;
	struct deleted *e;
	char *end;
	unsigned i;

	if (dfc_args(argc, argv, 1, 2, "list_deleted_inodes", "[secs]", 0))
		return;
	memset(&d, 0, sizeof(d));
	if (argc > 1) {
		d.secs = strtol(argv[1], &end, 0);
		if (*end) {
			com_err(argv[0], 0, "Bad time - %s", argv[1]);
			return;
		}
	}
	d.now = cur.fs->now ? cur.fs->now : time(NULL);
	d.block_buf = malloc(cur.fs->blocksize * 3);
	if (!d.block_buf) {
		com_err("ls_deleted_inodes", ENOMEM,
			"while allocating block buffer");
		return;
	}
	if (!scan_inodes("ls_deleted_inodes", NULL, lsdel_inode, &d)) {
		printf(" Inode  Owner  Mode    Size      Blocks   Time deleted\n");
		if (d.n)	/* d.list is NULL when nothing was deleted */
			qsort(d.list, d.n, sizeof(*d.list), deleted_cmp);
		for (i = 0, e = d.list; i < d.n; i++, e++)
			printf("%6u %6d %6o %6llu %6lld/%6lld %s", e->ino,
			       e->uid, e->mode, (unsigned long long)e->size,
			       (long long)e->free_blocks,
			       (long long)e->blocks, dfc_time(e->dtime));
		printf("%u deleted inodes found.\n", d.n);
	}
	free(d.block_buf);
	free(d.list);
}
