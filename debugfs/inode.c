// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inode.c -- stat, dump_extents, blocks, bmap, imap, inode_dump: one inode
 * shown as debugfs 1.47.0 shows it, byte for byte.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "debugfs-fc.h"

#define EXT_LEAF	0x01	/* dump_extents: leaf extents */
#define EXT_NODE	0x02	/* index nodes */
#define EXT_TABLE	0x04	/* the table of "ex", not stat's list */

/* ---- block lists -------------------------------------------------------- */

struct blist {
	FILE		*f;
	e2_blkcnt_t	total;
	blk64_t		first_blk, last_blk;
	e2_blkcnt_t	first_cnt, last_cnt;
	int		printed;
};

static void blist_sep(struct blist *b)
{
	if (b->printed++)
		fputs(", ", b->f);
}

static void blist_flush(struct blist *b)
{
	if (!b->first_blk)
		return;
	blist_sep(b);
	if (b->first_blk == b->last_blk)
		fprintf(b->f, "(%lld):%llu", (long long)b->first_cnt,
			(unsigned long long)b->first_blk);
	else
		fprintf(b->f, "(%lld-%lld):%llu-%llu",
			(long long)b->first_cnt, (long long)b->last_cnt,
			(unsigned long long)b->first_blk,
			(unsigned long long)b->last_blk);
	b->first_blk = 0;
}

static int blist_proc(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt,
		      blk64_t ref, int ref_off, void *priv)
{
	static const char *const meta[] = { "IND", "DIND", "TIND" };
	struct blist *b = priv;

	b->total++;
	if (cnt >= 0) {
		if (b->first_blk && b->last_blk + 1 == *blk &&
		    b->last_cnt + 1 == cnt) {
			b->last_blk = *blk;
			b->last_cnt = cnt;
			return 0;
		}
		blist_flush(b);
		b->first_blk = b->last_blk = *blk;
		b->first_cnt = b->last_cnt = cnt;
		return 0;
	}
	blist_flush(b);
	blist_sep(b);
	if (cnt >= -3)
		fprintf(b->f, "(%s):%llu", meta[-cnt - 1],
			(unsigned long long)*blk);
	return 0;
}

static void dump_blocks(FILE *f, ext2_ino_t ino)
{
	struct blist b;

	memset(&b, 0, sizeof(b));
	b.f = f;
	fputs("BLOCKS:\n", f);
	ext2fs_block_iterate3(cur.fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
			      blist_proc, &b);
	blist_flush(&b);
	if (b.total)
		fprintf(f, "\nTOTAL: %lld\n", (long long)b.total);
	fputc('\n', f);
}

/* ---- extents ------------------------------------------------------------ */

static void extent_row(FILE *f, struct ext2fs_extent *e,
		       struct ext2_extent_info *info, int lw, int pw)
{
	unsigned long long last = e->e_lblk + (e->e_len - 1);

	fprintf(f, "%2d/%2d %3d/%3d %*llu - %*llu ", info->curr_level,
		info->max_depth, info->curr_entry, info->num_entries, lw,
		(unsigned long long)e->e_lblk, lw, last);
	if (!(e->e_flags & EXT2_EXTENT_FLAGS_LEAF)) {
		fprintf(f, "%*llu%*s %6u\n", pw,
			(unsigned long long)e->e_pblk, pw + 3, "", e->e_len);
		return;
	}
	fprintf(f, "%*llu - %*llu %6u %s\n", pw,
		(unsigned long long)e->e_pblk, pw,
		(unsigned long long)e->e_pblk + (e->e_len - 1), e->e_len,
		e->e_flags & EXT2_EXTENT_FLAGS_UNINIT ? "Uninit" : "");
}

/* stat's list form; returns 1 when something was printed */
static int extent_item(FILE *f, struct ext2fs_extent *e,
		       struct ext2_extent_info *info, int printed)
{
	const char *sep = printed ? ", " : "";
	const char *u = e->e_flags & EXT2_EXTENT_FLAGS_UNINIT ? "[u]" : "";

	if (!(e->e_flags & EXT2_EXTENT_FLAGS_LEAF)) {
		fprintf(f, "%s(ETB%d):%llu", sep, info->curr_level,
			(unsigned long long)e->e_pblk);
		return 1;
	}
	if (e->e_len == 0)
		return printed;
	if (e->e_len == 1)
		fprintf(f, "%s(%lld%s):%lld", sep, (long long)e->e_lblk, u,
			(long long)e->e_pblk);
	else
		fprintf(f, "%s(%lld-%lld%s):%lld-%lld", sep,
			(long long)e->e_lblk,
			(long long)(e->e_lblk + (e->e_len - 1)), u,
			(long long)e->e_pblk,
			(long long)(e->e_pblk + (e->e_len - 1)));
	return 1;
}

static void dump_extents(FILE *f, ext2_ino_t ino, int flags, int lw, int pw)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	struct ext2_extent_info info;
	int op = EXT2_EXTENT_ROOT, printed = 0, leaf;

	if (ext2fs_extent_open(cur.fs, ino, &h))
		return;
	if (flags & EXT_TABLE)
		fprintf(f, "Level Entries %*s %*s Length Flags\n",
			lw * 2 + 3, "Logical", pw * 2 + 3, "Physical");
	else
		fputs("EXTENTS:\n", f);
	while (!ext2fs_extent_get(h, op, &e)) {
		op = EXT2_EXTENT_NEXT;
		if (e.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT)
			continue;
		leaf = e.e_flags & EXT2_EXTENT_FLAGS_LEAF;
		if (!(flags & (leaf ? EXT_LEAF : EXT_NODE)))
			continue;
		if (ext2fs_extent_get_info(h, &info))
			continue;
		if (flags & EXT_TABLE)
			extent_row(f, &e, &info, lw, pw);
		else
			printed = extent_item(f, &e, &info, printed);
	}
	if (printed)
		fputc('\n', f);
	ext2fs_extent_free(h);
}

static int digits(unsigned long long n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

void do_dump_extents(int argc, char **argv, int sci_idx, void *infop)
{
	struct ext2_inode in;
	ext2_ino_t ino;
	int c, flags = 0, lw, pw;

	dfc_reset_getopt();
	while ((c = getopt(argc, argv, "nl")) != -1) {
		if (c == 'n')
			flags |= EXT_NODE;
		else if (c == 'l')
			flags |= EXT_LEAF;
	}
	if (argc != optind + 1) {
		com_err(0, 0, "Usage: dump_extents [-n] [-l] file");
		return;
	}
	if (!flags)
		flags = EXT_NODE | EXT_LEAF;
	if (dfc_check_open(argv[0]))
		return;
	ino = dfc_filespec(argv[optind]);
	if (!ino || dfc_read_inode(ino, &in, argv[0]))
		return;
	if (!(in.i_flags & EXT4_EXTENTS_FL)) {
		fprintf(stderr, "%s: does not uses extent block maps\n",
			argv[optind]);
		return;
	}
	lw = digits((EXT2_I_SIZE(&in) + cur.fs->blocksize - 1) /
		    cur.fs->blocksize);
	pw = digits(ext2fs_blocks_count(cur.fs->super));
	dump_extents(stdout, ino, flags | EXT_TABLE, lw < 5 ? 5 : lw,
		     pw < 5 ? 5 : pw);
}

/* ---- stat --------------------------------------------------------------- */

static const char *type_name(unsigned mode)
{
	/* in the order of EXT2_FT_UNKNOWN .. EXT2_FT_SYMLINK */
	static const char *const names[EXT2_FT_MAX] = {
		"bad type", "regular", "directory", "character special",
		"block special", "FIFO", "socket", "symlink"
	};

	return names[e2fc_file_type(mode)];
}

/* debugfs's C-string form of names and values */
static void c_string(FILE *f, const unsigned char *s, size_t len)
{
	for (; len--; s++) {
		switch (*s) {
		case '\a': fputs("\\a", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\v': fputs("\\v", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\'': fputs("\\'", f); break;
		case '"': fputs("\\\"", f); break;
		default:
			if (*s < 32 || *s > 126)
				fprintf(f, "\\%03o", *s);
			else
				fputc(*s, f);
		}
	}
}

/* an attribute value: quoted C string when printable enough, else hex */
static void xattr_value(FILE *f, const unsigned char *v, size_t len)
{
	size_t i, printable = 0;

	for (i = 0; i < len; i++)
		if (isprint((char)v[i]))
			printable++;
	if (printable <= len * 7 / 8) {
		for (i = 0; i < len; i++)
			fprintf(f, "%02x ", v[i]);
		return;
	}
	fputc('"', f);
	c_string(f, v, len);
	fputc('"', f);
}

static int xattr_line(char *name, char *value, size_t len, void *priv)
{
	FILE *f = priv;

	fputs("  ", f);
	c_string(f, (unsigned char *)name, strlen(name));
	fprintf(f, " (%zu)", len);
	if (!strcmp(name, "system.data"))
		len = 0;
	if (len && len < 40) {
		fputs(" = ", f);
		xattr_value(f, (unsigned char *)value, len);
	}
	fputc('\n', f);
	return 0;
}

static void dump_xattrs(FILE *f, ext2_ino_t ino)
{
	struct ext2_xattr_handle *h;
	size_t n;

	if (ext2fs_xattrs_open(cur.fs, ino, &h))
		return;
	if (!ext2fs_xattrs_read(h) && !ext2fs_xattrs_count(h, &n) && n) {
		fputs("Extended attributes:\n", f);
		ext2fs_xattrs_iterate(h, xattr_line, f);
	}
	ext2fs_xattrs_close(&h);
}

static void time_line(FILE *f, const char *p, const char *name, uint32_t t)
{
	fprintf(f, "%s%s: 0x%08x -- %s", p, name, t, dfc_time((int32_t)t));
}

static void xtime_line(FILE *f, const char *p, const char *name, uint32_t t,
		       uint32_t extra)
{
	fprintf(f, "%s%s: 0x%08x:%08x -- %s", p, name, t, extra,
		dfc_inode_time(t, extra));
}

static void stat_times(FILE *f, const char *p, struct ext2_inode_large *in,
		       int extra)
{
	if (!extra) {
		time_line(f, p, "ctime", in->i_ctime);
		time_line(f, p, "atime", in->i_atime);
		time_line(f, p, "mtime", in->i_mtime);
		if (in->i_dtime)
			time_line(f, p, "dtime", in->i_dtime);
		return;
	}
	xtime_line(f, p, " ctime", in->i_ctime, in->i_ctime_extra);
	xtime_line(f, p, " atime", in->i_atime, in->i_atime_extra);
	xtime_line(f, p, " mtime", in->i_mtime, in->i_mtime_extra);
	xtime_line(f, p, "crtime", in->i_crtime, in->i_crtime_extra);
	/* debugfs shows dtime with ctime's extra bits */
	if (in->i_dtime)
		fprintf(f, "%s dtime: 0x%08x:(%08x) -- %s", p, in->i_dtime,
			in->i_ctime_extra, dfc_inode_time(in->i_dtime,
							  in->i_ctime_extra));
}

static void stat_head(FILE *f, const char *p, ext2_ino_t ino,
		      struct ext2_inode_large *in, int large)
{
	int hurd = cur.fs->super->s_creator_os == EXT2_OS_HURD;

	fprintf(f, "%sInode: %u   Type: %s    ", p, ino, type_name(in->i_mode));
	fprintf(f, "%sMode:  0%03o   Flags: 0x%x\n", p, in->i_mode & 07777,
		in->i_flags);
	if (large && in->i_extra_isize >= 24)
		fprintf(f, "%sGeneration: %u    Version: 0x%08x:%08x\n", p,
			in->i_generation, in->i_version_hi,
			in->osd1.linux1.l_i_version);
	else
		fprintf(f, "%sGeneration: %u    Version: 0x%08x\n", p,
			in->i_generation, in->osd1.linux1.l_i_version);
	fprintf(f, "%sUser: %5d   Group: %5d", p, inode_uid(*in),
		inode_gid(*in));
	if (large && in->i_extra_isize >= 32)
		fprintf(f, "   Project: %5d", in->i_projid);
	if (LINUX_S_ISREG(in->i_mode) || LINUX_S_ISDIR(in->i_mode))
		fprintf(f, "   Size: %llu\n",
			(unsigned long long)EXT2_I_SIZE(in));
	else
		fprintf(f, "   Size: %u\n", in->i_size);
	if (hurd) {
		fprintf(f, "%sFile ACL: %u Translator: %u\n", p,
			in->i_file_acl, in->osd1.hurd1.h_i_translator);
		fprintf(f, "%sLinks: %u   Blockcount: %u\n", p,
			in->i_links_count, in->i_blocks);
		fprintf(f, "%sFragment:  Address: %u    Number: %u    "
			"Size: %u\n", p, in->i_faddr,
			in->osd2.hurd2.h_i_frag, in->osd2.hurd2.h_i_fsize);
		return;
	}
	fprintf(f, "%sFile ACL: %llu\n", p, in->i_file_acl |
		((unsigned long long)in->osd2.linux2.l_i_file_acl_high << 32));
	fprintf(f, "%sLinks: %u   Blockcount: %llu\n", p, in->i_links_count,
		((unsigned long long)in->osd2.linux2.l_i_blocks_hi << 32) +
		in->i_blocks);
	fprintf(f, "%sFragment:  Address: %u    Number: %u    Size: %u\n",
		p, in->i_faddr, 0, 0);
}

static void stat_inline_link(FILE *f, const char *p, ext2_ino_t ino,
			     struct ext2_inode_large *in)
{
	char *buf = NULL;
	size_t size;
	errcode_t err;

	err = ext2fs_inline_data_size(cur.fs, ino, &size);
	if (!err)
		err = ext2fs_get_memzero(size + 1, &buf);
	if (!err)
		err = ext2fs_inline_data_get(cur.fs, ino,
					     (struct ext2_inode *)in, buf,
					     &size);
	if (!err)
		fprintf(f, "%sFast link dest: \"%.*s\"\n", p, (int)size, buf);
	else
		com_err("dump_inline_symlink", err,
			"while dumping link destination");
	ext2fs_free_mem(&buf);
}

static void stat_device(FILE *f, struct ext2_inode_large *in)
{
	unsigned major, minor;
	const char *note = "";

	if (in->i_block[0]) {
		major = (in->i_block[0] >> 8) & 255;
		minor = in->i_block[0] & 255;
	} else {
		major = (in->i_block[1] & 0xfff00) >> 8;
		minor = (in->i_block[1] & 0xff) |
			((in->i_block[1] >> 12) & 0xfff00);
		note = "(New-style) ";
	}
	fprintf(f, "%sDevice major/minor number: %02d:%02d (hex %02x:%02x)\n",
		note, major, minor, major, minor);
}

static void stat_tail(FILE *f, const char *p, ext2_ino_t ino,
		      struct ext2_inode_large *in, int blocks)
{
	struct ext2_inode *small = (struct ext2_inode *)in;
	size_t size;

	if (LINUX_S_ISLNK(in->i_mode) && ext2fs_is_fast_symlink(small))
		fprintf(f, "%sFast link dest: \"%.*s\"\n", p,
			(int)EXT2_I_SIZE(in), (char *)in->i_block);
	else if (LINUX_S_ISLNK(in->i_mode) &&
		 (in->i_flags & EXT4_INLINE_DATA_FL))
		stat_inline_link(f, p, ino, in);
	else if (LINUX_S_ISBLK(in->i_mode) || LINUX_S_ISCHR(in->i_mode))
		stat_device(f, in);
	else if (!blocks)
		return;
	else if (in->i_flags & EXT4_EXTENTS_FL)
		dump_extents(f, ino, EXT_LEAF | EXT_NODE, 0, 0);
	else if (in->i_flags & EXT4_INLINE_DATA_FL) {
		if (!ext2fs_inline_data_size(cur.fs, ino, &size))
			fprintf(f, "%sSize of inline data: %zu\n", p, size);
	} else
		dump_blocks(f, ino);
}

/* debugfs's inode dump; p prefixes most lines (logdump -i uses it) */
void dfc_dump_inode(FILE *f, const char *p, ext2_ino_t ino,
		    struct ext2_inode_large *in, int blocks)
{
	unsigned isize = EXT2_INODE_SIZE(cur.fs->super);
	int large = isize > EXT2_GOOD_OLD_INODE_SIZE;
	uint32_t crc;

	stat_head(f, p, ino, in, large);
	stat_times(f, p, in, large && in->i_extra_isize >= 24);
	if (large) {
		fprintf(f, "Size of extra inode fields: %u\n",
			in->i_extra_isize);
		if (in->i_extra_isize > isize - EXT2_GOOD_OLD_INODE_SIZE)
			fprintf(stderr, "invalid inode->i_extra_isize (%u)\n",
				in->i_extra_isize);
	}
	dump_xattrs(f, ino);
	if (ext2fs_has_feature_metadata_csum(cur.fs->super)) {
		crc = in->i_checksum_lo;
		if (large && in->i_extra_isize >=
		    offsetof(struct ext2_inode_large, i_checksum_hi) -
		    EXT2_GOOD_OLD_INODE_SIZE)
			crc |= (uint32_t)in->i_checksum_hi << 16;
		fprintf(f, "Inode checksum: 0x%08x\n", crc);
	}
	stat_tail(f, p, ino, in, blocks);
}

void do_stat(int argc, char **argv, int sci_idx, void *infop)
{
	struct ext2_inode_large in;
	unsigned isize;
	ext2_ino_t ino;
	errcode_t err;

	if (dfc_check_open(argv[0]) || dfc_inode_arg(argc, argv, &ino, 0))
		return;
	/* the whole inode, the checksum verified as debugfs does */
	isize = EXT2_INODE_SIZE(cur.fs->super);
	if (isize > sizeof(in))
		isize = sizeof(in);
	memset(&in, 0, sizeof(in));
	err = ext2fs_read_inode2(cur.fs, ino, (struct ext2_inode *)&in,
				 isize, 0);
	if (err) {
		com_err(argv[0], err, "while reading inode %u", ino);
		return;
	}
	dfc_dump_inode(stdout, "", ino, &in, 1);
}

/* ---- blocks, bmap, imap -------------------------------------------------- */

static int print_blk(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt,
		     blk64_t ref, int ref_off, void *priv)
{
	printf("%llu ", (unsigned long long)*blk);
	return 0;
}

void do_blocks(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;

	if (dfc_check_open(argv[0]) || dfc_inode_arg(argc, argv, &ino, 0))
		return;
	ext2fs_block_iterate3(cur.fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
			      print_blk, NULL);
	putchar('\n');
}

void do_bmap(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;
	blk64_t lblk, pblk = 0;
	int set = 0, ret_flags = 0;
	errcode_t err;

	if (dfc_check_open(argv[0]))
		return;
	if (dfc_flag_opt(argc, argv, 'a', &set))
		goto usage;
	if (argc <= optind + 1 || argc > optind + 3)
		goto usage;
	/* -a allocates and a physical_blk sets: both would write */
	if (set || argc == optind + 3) {
		com_err(argv[0], 0, "the image is read-only: no -a, no "
			"physical_blk");
		return;
	}
	ino = dfc_filespec(argv[optind]);
	if (!ino || dfc_parse_blk(argv[optind + 1], argv[0], "logical block",
				  &lblk))
		return;
	err = ext2fs_bmap2(cur.fs, ino, 0, 0, 0, lblk, &ret_flags, &pblk);
	if (err) {
		com_err(argv[0], err, "while mapping logical block %llu\n",
			(unsigned long long)lblk);
		return;
	}
	printf("%llu%s\n", (unsigned long long)pblk,
	       ret_flags & BMAP_RET_UNINIT ? " (uninit)" : "");
	return;
usage:
	com_err(0, 0, "Usage: bmap [-a] <file> logical_blk [physical_blk]");
}

void do_imap(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_filsys fs = cur.fs;
	unsigned long group, offset;
	blk64_t table;
	ext2_ino_t ino;

	if (dfc_args(argc, argv, 2, 2, NULL, "<file>", 0))
		return;
	ino = dfc_filespec(argv[1]);
	if (!ino)
		return;
	fs = cur.fs;
	group = (ino - 1) / EXT2_INODES_PER_GROUP(fs->super);
	offset = ((ino - 1) % EXT2_INODES_PER_GROUP(fs->super)) *
		EXT2_INODE_SIZE(fs->super);
	table = ext2fs_inode_table_loc(fs, group);
	if (!table) {
		com_err(argv[0], 0, "Inode table for group %lu is missing\n",
			group);
		return;
	}
	printf("Inode %u is part of block group %lu\n"
	       "\tlocated at block %lu, offset 0x%04lx\n", ino, group,
	       (unsigned long)(table + (offset >> EXT2_BLOCK_SIZE_BITS(fs->super))),
	       offset & (fs->blocksize - 1));
}

/* ---- raw dumps ---------------------------------------------------------- */

void do_idump(int argc, char **argv, int sci_idx, void *infop)
{
	unsigned char *buf;
	unsigned isize, off = 0, size;
	ext2_ino_t ino;
	errcode_t err;
	int c, mode = 0;

	dfc_reset_getopt();
	while ((c = getopt(argc, argv, "bex")) != -1) {
		if (mode || c == '?') {
			com_err(argv[0], 0, "Usage: inode_dump [-b]|[-e] <file>");
			return;
		}
		mode = c;
	}
	if (optind != argc - 1)
		return;	/* silently, as debugfs */
	if (dfc_check_open(argv[0]))
		return;
	ino = dfc_filespec(argv[optind]);
	if (!ino)
		return;
	isize = size = EXT2_INODE_SIZE(cur.fs->super);
	buf = calloc(1, isize);
	if (!buf) {
		com_err(argv[0], ENOMEM, "while allocating memory");
		return;
	}
	err = ext2fs_read_inode_full(cur.fs, ino, (struct ext2_inode *)buf,
				     isize);
	if (err) {
		com_err(argv[0], err, "while reading inode %u", ino);
		goto out;
	}
	if (mode == 'b') {
		off = offsetof(struct ext2_inode, i_block);
		size = EXT2_N_BLOCKS * 4;
	} else if (mode == 'e' || mode == 'x') {
		if (isize <= EXT2_GOOD_OLD_INODE_SIZE) {
			com_err(argv[0], 0, "No extra space in inode");
			goto out;
		}
		off = EXT2_GOOD_OLD_INODE_SIZE +
			e2fc_get_le16(buf + EXT2_GOOD_OLD_INODE_SIZE);
		if (off > isize)
			goto out;
		size = isize - off;
	}
	if (mode == 'x')
		dfc_inode_xattr_dump(stdout, buf + off, size);
	else
		dfc_hexdump(stdout, buf + off, size);
out:
	free(buf);
}

void do_block_dump(int argc, char **argv, int sci_idx, void *infop)
{
	const char *file = NULL;
	unsigned char *buf;
	blk64_t blk;
	ext2_ino_t ino;
	errcode_t err;
	int c, xattr = 0;

	if (dfc_check_open(argv[0]))
		return;
	dfc_reset_getopt();
	while ((c = getopt(argc, argv, "f:x")) != -1) {
		if (c == 'x')
			xattr = 1;
		else if (c == 'f')
			file = optarg;
		else
			goto usage;
	}
	if (argc != optind + 1)
		goto usage;
	if (dfc_parse_blk(argv[optind], argv[0], "block", &blk))
		return;
	if (file) {
		ino = dfc_filespec(file);
		if (!ino)
			return;
		err = ext2fs_bmap2(cur.fs, ino, 0, 0, 0, blk, 0, &blk);
		if (err) {
			com_err(argv[0], err, "while mapping logical block "
				"%llu\n", (unsigned long long)blk);
			return;
		}
	}
	buf = malloc(cur.fs->blocksize);
	if (!buf) {
		com_err(argv[0], 0, "Couldn't allocate block buffer");
		return;
	}
	err = io_channel_read_blk64(cur.fs->io, blk, 1, buf);
	if (err)
		com_err(argv[0], err, "while reading block %llu\n",
			(unsigned long long)blk);
	else if (xattr)
		dfc_block_xattr_dump(stdout, buf, cur.fs->blocksize);
	else
		dfc_hexdump(stdout, buf, cur.fs->blocksize);
	free(buf);
	return;
usage:
	com_err(0, 0, "Usage: block_dump [-x] [-f inode] block_num");
}
