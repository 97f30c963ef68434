// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fc-listing.c -- print the canonical listing of an ext4 image, read with
 * libext2fs (no mount), in the format of tests/kernel/oracle.py:
 *
 *   path TAB type TAB mode TAB nlink TAB uid TAB gid               (dirs)
 *   ... TAB size TAB mtime_ns TAB digest                          (others)
 *
 * sorted bytewise by path; the root is "/"; path bytes <= 0x20, >= 0x7f
 * and the backslash are written as \xHH.  type: f d l p c b s.  mode: the
 * permission bits in octal.  digest: first 16 hex digits of the SHA-1 of
 * the contents (symlink: of its target; others "-").  Inline data, holes
 * and unwritten extents read as the kernel reads them.
 *
 * usage: e2fc-listing IMAGE       exit 0, or 1 on any error (message on
 * stderr; entries that cannot be read print "?" fields; files over 1 GiB
 * are not read: digest "?").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include "e2fc.h"

/* files larger than this are not read (a damaged i_size must not hang us) */
#define MAX_READ	(1ULL << 30)

/* ---- SHA-1 (FIPS 180-4) --------------------------------------------- */

struct sha1 {
	uint32_t	h[5];
	uint64_t	len;		/* bytes so far */
	unsigned char	buf[64];
	unsigned	used;
};

static uint32_t rol32(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_init(struct sha1 *s)
{
	s->h[0] = 0x67452301;
	s->h[1] = 0xEFCDAB89;
	s->h[2] = 0x98BADCFE;
	s->h[3] = 0x10325476;
	s->h[4] = 0xC3D2E1F0;
	s->len = 0;
	s->used = 0;
}

static void sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol32(b, 30); b = a; a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e;
}

static void sha1_update(struct sha1 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	while (n) {
		size_t take = 64 - s->used;

		if (take > n)
			take = n;
		memcpy(s->buf + s->used, p, take);
		s->used += take;
		p += take;
		n -= take;
		if (s->used == 64) {
			sha1_block(s, s->buf);
			s->used = 0;
		}
	}
}

/* the first 16 hex digits of the digest into out[17] */
static void sha1_final16(struct sha1 *s, char *out)
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, z = 0, lenb[8];
	int i;

	sha1_update(s, &pad, 1);
	while (s->used != 56)
		sha1_update(s, &z, 1);
	for (i = 0; i < 8; i++)
		lenb[i] = bits >> (56 - 8 * i);
	sha1_update(s, lenb, 8);
	for (i = 0; i < 2; i++)
		sprintf(out + 8 * i, "%08x", s->h[i]);
}

/* ---- walking the tree ----------------------------------------------- */

struct entry {
	char		*path;
	ext2_ino_t	ino;
};

struct walk {
	ext2_filsys	fs;
	struct entry	*v;
	size_t		n, cap;
	errcode_t	err;
	int		depth;
	unsigned char	*seen;		/* directories walked, one bit each */
};

struct dirctx {
	struct walk	*w;
	const char	*parent;
	ext2_ino_t	*subdirs;	/* directories found in this dir */
	char		**subpaths;
	size_t		nsub, capsub;
};

static int add_entry(struct walk *w, char *path, ext2_ino_t ino)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct entry *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n].path = path;
	w->v[w->n].ino = ino;
	w->n++;
	return 0;
}

static int dir_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		  int offset, int blocksize, char *buf, void *priv)
{
	struct dirctx *c = priv;
	int len = ext2fs_dirent_name_len(de);
	size_t plen = strlen(c->parent);
	char *path;

	if (!de->inode)
		return 0;
	if ((len == 1 && de->name[0] == '.') ||
	    (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	path = malloc(plen + len + 2);
	if (!path)
		goto nomem;
	memcpy(path, c->parent, plen);
	if (plen != 1)
		path[plen++] = '/';
	memcpy(path + plen, de->name, len);
	path[plen + len] = 0;
	if (add_entry(c->w, path, de->inode))
		goto nomem;
	if (ext2fs_dirent_file_type(de) == EXT2_FT_DIR ||
	    ext2fs_dirent_file_type(de) == EXT2_FT_UNKNOWN) {
		if (c->nsub == c->capsub) {
			size_t cap = c->capsub ? c->capsub * 2 : 16;
			ext2_ino_t *s = realloc(c->subdirs, cap * sizeof(*s));
			char **sp;

			if (!s)
				goto nomem;
			c->subdirs = s;
			sp = realloc(c->subpaths, cap * sizeof(*sp));
			if (!sp)
				goto nomem;
			c->subpaths = sp;
			c->capsub = cap;
		}
		c->subdirs[c->nsub] = de->inode;
		c->subpaths[c->nsub++] = path;
	}
	return 0;
nomem:
	c->w->err = EXT2_ET_NO_MEMORY;
	return DIRENT_ABORT;
}

static void walk_dir(struct walk *w, ext2_ino_t dir, const char *path)
{
	struct dirctx c = { .w = w, .parent = path };
	struct ext2_inode inode;
	errcode_t err;
	size_t i;

	if (w->depth > 256 || dir > w->fs->super->s_inodes_count)
		return;
	if (w->seen[dir / 8] & (1 << (dir % 8)))
		return;		/* a directory cycle in a damaged image */
	w->seen[dir / 8] |= 1 << (dir % 8);
	if (ext2fs_read_inode(w->fs, dir, &inode) ||
	    !LINUX_S_ISDIR(inode.i_mode))
		return;
	err = ext2fs_dir_iterate2(w->fs, dir, 0, NULL, dir_cb, &c);
	if (err && !w->err)
		w->err = err;
	w->depth++;
	for (i = 0; i < c.nsub && !w->err; i++)
		walk_dir(w, c.subdirs[i], c.subpaths[i]);
	w->depth--;
	free(c.subdirs);
	free(c.subpaths);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* ---- one line -------------------------------------------------------- */

static void put_path(const char *p)
{
	for (; *p; p++) {
		unsigned char c = *p;

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* by the directory-entry file type (EXT2_FT_UNKNOWN .. EXT2_FT_SYMLINK) */
static char type_char(unsigned mode)
{
	return "?fdcbpsl"[e2fc_file_type(mode)];
}

/* mtime in ns as the kernel reports it */
static long long mtime_ns(struct ext2_inode_large *in, int isize)
{
	long long sec = (int32_t)in->i_mtime;
	uint32_t extra;

	if (isize <= EXT2_GOOD_OLD_INODE_SIZE ||
	    offsetof(struct ext2_inode_large, i_mtime_extra) + 4 >
	    (size_t)EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize)
		return sec * 1000000000LL;
	extra = in->i_mtime_extra;
	sec += (long long)(extra & 3) << 32;
	return sec * 1000000000LL + (extra >> 2);
}

/* inline data: i_block then the system.data xattr, i_size bytes of it */
static errcode_t digest_inline(ext2_filsys fs, ext2_ino_t ino,
			       struct ext2_inode *inode, struct sha1 *s,
			       char *out)
{
	size_t size = 0, n = EXT2_I_SIZE(inode);
	errcode_t err;
	char *buf;

	err = ext2fs_inline_data_size(fs, ino, &size);
	if (err)
		return err;
	buf = calloc(1, size + 1);
	if (!buf)
		return EXT2_ET_NO_MEMORY;
	err = ext2fs_inline_data_get(fs, ino, NULL, buf, &size);
	if (!err) {
		if (n > size)
			n = size;
		sha1_update(s, buf, n);
		sha1_final16(s, out);
	}
	free(buf);
	return err;
}

static errcode_t digest_file(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode *inode, char *out)
{
	struct sha1 s;
	ext2_file_t f;
	errcode_t err;
	char *buf;
	unsigned got;

	sha1_init(&s);
	if (LINUX_S_ISLNK(inode->i_mode) && ext2fs_is_fast_symlink(inode)) {
		size_t n = EXT2_I_SIZE(inode);

		if (n > sizeof(inode->i_block))
			n = sizeof(inode->i_block);
		sha1_update(&s, inode->i_block, n);
		sha1_final16(&s, out);
		return 0;
	}
	if (inode->i_flags & EXT4_INLINE_DATA_FL)
		return digest_inline(fs, ino, inode, &s, out);
	if (EXT2_I_SIZE(inode) > MAX_READ)
		return EXT2_ET_FILE_TOO_BIG;	/* damaged, or not a test image */
	err = ext2fs_file_open2(fs, ino, inode, 0, &f);
	if (err)
		return err;
	buf = malloc(65536);
	if (!buf) {
		ext2fs_file_close(f);
		return EXT2_ET_NO_MEMORY;
	}
	for (;;) {
		err = ext2fs_file_read(f, buf, 65536, &got);
		if (err || !got)
			break;
		sha1_update(&s, buf, got);
	}
	free(buf);
	ext2fs_file_close(f);
	if (!err)
		sha1_final16(&s, out);
	return err;
}

static int print_entry(ext2_filsys fs, const struct entry *e)
{
	int isize = EXT2_INODE_SIZE(fs->super);
	struct ext2_inode_large in;
	char dig[17] = "-";
	errcode_t err;
	char t;

	memset(&in, 0, sizeof(in));
	err = ext2fs_read_inode_full(fs, e->ino, (struct ext2_inode *)&in,
				     sizeof(in) < (size_t)isize ? sizeof(in) :
				     (unsigned)isize);
	put_path(e->path);
	if (err) {
		printf("\t?\n");
		fprintf(stderr, "e2fc-listing: %s: inode %u: %s\n", e->path,
			e->ino, error_message(err));
		return 1;
	}
	t = type_char(in.i_mode);
	printf("\t%c\t%o\t%u\t%u\t%u", t, in.i_mode & 07777,
	       in.i_links_count, inode_uid(in), inode_gid(in));
	if (t == 'd') {
		putchar('\n');
		return 0;
	}
	if (t == 'f' || t == 'l') {
		err = digest_file(fs, e->ino, (struct ext2_inode *)&in, dig);
		if (err) {
			strcpy(dig, "?");
			fprintf(stderr, "e2fc-listing: %s: read: %s\n",
				e->path, error_message(err));
		}
	}
	printf("\t%llu\t%lld\t%s\n", (unsigned long long)EXT2_I_SIZE(&in),
	       mtime_ns(&in, isize), dig);
	return err != 0;
}

int main(int argc, char **argv)
{
	struct walk w = { 0 };
	ext2_filsys fs;
	errcode_t err;
	char root[] = "/";
	size_t i;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: e2fc-listing IMAGE\n");
		return 2;
	}
	add_error_table(&et_ext2_error_table);
	err = ext2fs_open(argv[1], EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS,
			  0, 0, unix_io_manager, &fs);
	if (err) {
		fprintf(stderr, "e2fc-listing: %s: %s\n", argv[1],
			error_message(err));
		return 1;
	}
	w.fs = fs;
	w.seen = calloc(fs->super->s_inodes_count / 8 + 1, 1);
	if (!w.seen) {
		ext2fs_close_free(&fs);
		return 1;
	}
	if (add_entry(&w, root, EXT2_ROOT_INO)) {
		ext2fs_close_free(&fs);
		return 1;
	}
	walk_dir(&w, EXT2_ROOT_INO, root);
	if (w.err) {
		fprintf(stderr, "e2fc-listing: %s: %s\n", argv[1],
			error_message(w.err));
		bad = 1;
	}
	qsort(w.v, w.n, sizeof(*w.v), cmp_entry);
	for (i = 0; i < w.n; i++)
		bad |= print_entry(fs, &w.v[i]);
	for (i = 0; i < w.n; i++)
		if (w.v[i].path != root)
			free(w.v[i].path);
	free(w.v);
	free(w.seen);
	ext2fs_close_free(&fs);
	return bad;
}
