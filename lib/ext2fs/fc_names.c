// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_names.c -- the names in the directories a replay touches, in a hash
 * table, so that CREAT/LINK/UNLINK do not each scan the whole directory
 * (ext2fs_lookup is linear: a directory filled by thousands of fast
 * commits made the replay quadratic).  A directory is read once, at its
 * first use; its entries are then kept up to date by the replay itself.
 * A directory whose contents are rebuilt (a new directory block) is
 * forgotten and read again at its next use.
 */
#include <string.h>
#include "fc_names.h"

struct name_ent {
	struct name_ent	*next;
	ext2_ino_t	dir;
	uint32_t	epoch;
	ext2_ino_t	ino;		/* 0: removed */
	uint8_t		len;
	char		name[];
};

struct dir_ent {
	struct dir_ent	*next;
	ext2_ino_t	dir;
	uint32_t	epoch;
	int		loaded;
	blk64_t		room_from;	/* e2fc_names_link: blocks before
					 * this one are full */
};

struct e2fc_names {
	struct name_ent	**tab;
	size_t		size, count;
	struct dir_ent	**dirs;		/* small table of directories */
	size_t		dsize;
};

static uint64_t name_hash(ext2_ino_t dir, uint32_t epoch, const char *name,
			  unsigned len)
{
	uint64_t h = 1469598103934665603ULL ^ dir ^ ((uint64_t)epoch << 32);
	unsigned i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 1099511628211ULL;
	return h;
}

errcode_t e2fc_names_init(struct e2fc_names **np)
{
	struct e2fc_names *n;
	errcode_t err;

	err = ext2fs_get_memzero(sizeof(*n), &n);
	if (err)
		return err;
	n->size = 1024;
	n->dsize = 256;
	err = ext2fs_get_arrayzero(n->size, sizeof(*n->tab), &n->tab);
	if (!err)
		err = ext2fs_get_arrayzero(n->dsize, sizeof(*n->dirs),
					   &n->dirs);
	if (err) {
		e2fc_names_free(n);
		return err;
	}
	*np = n;
	return 0;
}

void e2fc_names_free(struct e2fc_names *n)
{
	struct name_ent *e, *ne;
	struct dir_ent *d, *nd;
	size_t i;

	if (!n)
		return;
	for (i = 0; n->tab && i < n->size; i++)
		for (e = n->tab[i]; e; e = ne) {
			ne = e->next;
			ext2fs_free_mem(&e);
		}
	for (i = 0; n->dirs && i < n->dsize; i++)
		for (d = n->dirs[i]; d; d = nd) {
			nd = d->next;
			ext2fs_free_mem(&d);
		}
	ext2fs_free_mem(&n->tab);
	ext2fs_free_mem(&n->dirs);
	ext2fs_free_mem(&n);
}

static struct dir_ent *dir_find(struct e2fc_names *n, ext2_ino_t dir)
{
	struct dir_ent *d;

	for (d = n->dirs[dir % n->dsize]; d; d = d->next)
		if (d->dir == dir)
			return d;
	return NULL;
}

static struct dir_ent *dir_get(struct e2fc_names *n, ext2_ino_t dir)
{
	struct dir_ent *d = dir_find(n, dir), **head;

	if (d)
		return d;
	head = &n->dirs[dir % n->dsize];
	if (ext2fs_get_memzero(sizeof(*d), &d))
		return NULL;
	d->dir = dir;
	d->next = *head;
	*head = d;
	return d;
}

static struct name_ent *find(struct e2fc_names *n, struct dir_ent *d,
			     const char *name, unsigned len)
{
	struct name_ent *e;
	size_t b = name_hash(d->dir, d->epoch, name, len) & (n->size - 1);

	for (e = n->tab[b]; e; e = e->next)
		if (e->dir == d->dir && e->epoch == d->epoch &&
		    e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static void grow(struct e2fc_names *n)
{
	struct name_ent **nt, *e, *ne;
	size_t i, ns = n->size * 2;

	if (ext2fs_get_arrayzero(ns, sizeof(*nt), &nt))
		return;		/* longer chains, still correct */
	for (i = 0; i < n->size; i++)
		for (e = n->tab[i]; e; e = ne) {
			size_t b = name_hash(e->dir, e->epoch, e->name,
					     e->len) & (ns - 1);

			ne = e->next;
			e->next = nt[b];
			nt[b] = e;
		}
	ext2fs_free_mem(&n->tab);
	n->tab = nt;
	n->size = ns;
}

static errcode_t set(struct e2fc_names *n, struct dir_ent *d,
		     const char *name, unsigned len, ext2_ino_t ino)
{
	struct name_ent *e = find(n, d, name, len);
	size_t b;
	errcode_t err;

	if (e) {
		e->ino = ino;
		return 0;
	}
	if (n->count >= n->size * 2)
		grow(n);
	err = ext2fs_get_mem(sizeof(*e) + len, &e);
	if (err)
		return err;
	e->dir = d->dir;
	e->epoch = d->epoch;
	e->ino = ino;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
	b = name_hash(d->dir, d->epoch, name, len) & (n->size - 1);
	e->next = n->tab[b];
	n->tab[b] = e;
	n->count++;
	return 0;
}

struct load_ctx {
	struct e2fc_names	*n;
	struct dir_ent		*d;
	errcode_t		err;
};

static int load_entry(struct ext2_dir_entry *de, int offset, int blocksize,
		      char *buf, void *priv)
{
	struct load_ctx *c = priv;
	unsigned len = ext2fs_dirent_name_len(de);

	if (de->inode)
		c->err = set(c->n, c->d, de->name, len, de->inode);
	return c->err ? DIRENT_ABORT : 0;
}

/* the directory's entry for name: 0 with *ino = 0 when there is none */
errcode_t e2fc_names_lookup(ext2_filsys fs, struct e2fc_names *n,
			    ext2_ino_t dir, const char *name, unsigned len,
			    ext2_ino_t *ino)
{
	struct dir_ent *d = dir_get(n, dir);
	struct name_ent *e;
	errcode_t err;

	*ino = 0;
	if (!d)
		return EXT2_ET_NO_MEMORY;
	if (!d->loaded) {
		struct load_ctx c = { n, d, 0 };
		struct ext2_inode in;
		int flags = 0;

		/* inline entries only for an inline directory: with the
		 * flag, a block directory reads as corrupted */
		err = ext2fs_read_inode(fs, dir, &in);
		if (err)
			return err;
		if (in.i_flags & EXT4_INLINE_DATA_FL)
			flags = DIRENT_FLAG_INCLUDE_INLINE_DATA;
		err = ext2fs_dir_iterate(fs, dir, flags, NULL, load_entry, &c);
		if (err || c.err)
			return err ? err : c.err;
		d->loaded = 1;
	}
	e = find(n, d, name, len);
	if (e)
		*ino = e->ino;
	return 0;
}

/* the replay added (ino) or removed (0) name in dir */
errcode_t e2fc_names_set(struct e2fc_names *n, ext2_ino_t dir,
			 const char *name, unsigned len, ext2_ino_t ino)
{
	struct dir_ent *d = dir_find(n, dir);

	if (d && !ino)
		d->room_from = 0;	/* a removal made room somewhere */
	if (!d || !d->loaded)
		return 0;	/* read in full at its first lookup */
	return set(n, d, name, len, ino);
}

/*
 * dir's contents were rebuilt: read it again at its next use.  Called for
 * every inode the replay rewrites, most of them files: only a directory
 * already looked up has anything to forget (no entry is made for the
 * others, so the table stays as small as the set of parents).
 */
void e2fc_names_forget(struct e2fc_names *n, ext2_ino_t dir)
{
	struct dir_ent *d = dir_find(n, dir);

	if (d) {
		d->epoch++;
		d->loaded = 0;
	}
}

/* ---- adding an entry ------------------------------------------------------ */

/*
 * Put name -> ino into the directory block at pblk if it has room (the
 * first fit, as ext2fs_link does); EXT2_ET_DIR_NO_SPACE if not.  The block
 * is handled as libext2fs gives it (ext2fs_read_dir_block4 converts it to
 * host order), through its ext2_dir_entry accessors.
 */
static errcode_t link_in_block(ext2_filsys fs, ext2_ino_t dir, blk64_t pblk,
			       char *buf, const char *name, ext2_ino_t ino,
			       int ftype)
{
	unsigned len = strlen(name), need = EXT2_DIR_REC_LEN(len);
	unsigned end = fs->blocksize, off = 0, rec, used;
	struct ext2_dir_entry *de;
	errcode_t err;

	if (ext2fs_has_feature_metadata_csum(fs->super))
		end -= sizeof(struct ext2_dir_entry_tail);
	err = ext2fs_read_dir_block4(fs, pblk, buf, 0, dir);
	if (err)
		return err;
	for (; off + EXT2_DIR_ENTRY_HEADER_LEN <= end; off += rec) {
		de = (struct ext2_dir_entry *)(buf + off);
		err = ext2fs_get_rec_len(fs, de, &rec);
		if (err || rec < EXT2_DIR_ENTRY_HEADER_LEN || rec > end - off)
			return EXT2_ET_DIR_CORRUPTED;
		used = de->inode ?
		       EXT2_DIR_REC_LEN(ext2fs_dirent_name_len(de)) : 0;
		if (rec < used + need)
			continue;
		if (used) {			/* split the entry */
			ext2fs_set_rec_len(fs, used, de);
			de = (struct ext2_dir_entry *)(buf + off + used);
			rec -= used;
		}
		de->inode = ino;
		ext2fs_dirent_set_name_len(de, len);
		ext2fs_dirent_set_file_type(de,
			ext2fs_has_feature_filetype(fs->super) ? ftype : 0);
		memcpy(de->name, name, len);
		ext2fs_set_rec_len(fs, rec, de);
		return ext2fs_write_dir_block4(fs, pblk, buf, 0, dir);
	}
	return EXT2_ET_DIR_NO_SPACE;
}

/* the blocks of dir from lblk on: the first that takes the entry */
static errcode_t link_from(ext2_filsys fs, ext2_ino_t dir, blk64_t *lblk,
			   const char *name, ext2_ino_t ino, int ftype)
{
	struct ext2_inode in;
	blk64_t nblk, pblk;
	char *buf;
	errcode_t err;

	err = ext2fs_read_inode(fs, dir, &in);
	if (err)
		return err;
	err = ext2fs_get_mem(fs->blocksize, &buf);
	if (err)
		return err;
	nblk = EXT2_I_SIZE(&in) / fs->blocksize;
	if (*lblk > nblk)		/* the directory was rebuilt smaller */
		*lblk = 0;
	for (err = EXT2_ET_DIR_NO_SPACE; *lblk < nblk; ++*lblk) {
		pblk = 0;
		err = ext2fs_bmap2(fs, dir, &in, NULL, 0, *lblk, NULL, &pblk);
		if (!err)
			err = pblk ? link_in_block(fs, dir, pblk, buf, name, ino,
						   ftype) : EXT2_ET_DIR_NO_SPACE;
		if (err != EXT2_ET_DIR_NO_SPACE)
			break;
	}
	ext2fs_free_mem(&buf);
	return err;
}

/*
 * Add name -> ino to dir, as ext2fs_link does, without its scan of the
 * whole directory for every entry (160,000 CREATs into one directory
 * took minutes): the blocks before the first one that had room are full,
 * and the replay only ever adds to them through here (a removal sends the
 * search back to block 0).  Hashed, inline, encrypted and casefolded
 * directories go to ext2fs_link, which does not scan (or is rare).
 */
errcode_t e2fc_names_link(ext2_filsys fs, struct e2fc_names *n,
			  ext2_ino_t dir, const char *name, ext2_ino_t ino,
			  int ftype)
{
	struct ext2_inode in;
	struct dir_ent *d;
	errcode_t err;

	err = ext2fs_read_inode(fs, dir, &in);
	if (err)
		return err;
	d = dir_get(n, dir);
	if (!d)
		return EXT2_ET_NO_MEMORY;
	if (in.i_flags & (EXT2_INDEX_FL | EXT4_INLINE_DATA_FL |
			  EXT4_ENCRYPT_FL | EXT4_CASEFOLD_FL)) {
		err = ext2fs_link(fs, dir, name, ino, ftype);
		if (err == EXT2_ET_DIR_NO_SPACE) {
			err = ext2fs_expand_dir(fs, dir);
			if (!err)
				err = ext2fs_link(fs, dir, name, ino, ftype);
		}
		if (!err && (in.i_flags & EXT2_INDEX_FL))
			err = e2fc_dx_scrub_split(fs, dir, EXT2_I_SIZE(&in));
		return err;
	}
	err = link_from(fs, dir, &d->room_from, name, ino, ftype);
	if (err == EXT2_ET_DIR_NO_SPACE) {	/* room_from: the new block */
		err = ext2fs_expand_dir(fs, dir);
		if (!err)
			err = link_from(fs, dir, &d->room_from, name, ino,
					ftype);
	}
	return err;
}
