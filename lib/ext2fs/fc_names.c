// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_names.c -- the names in the directories a replay touches, in a hash
 * table, so that CREAT/LINK/UNLINK do not each scan the whole directory
 * (ext2fs_lookup is linear: a directory filled by thousands of fast
 * commits made the replay quadratic).  A directory is read once, at its
 * first use; its entries are then kept up to date by the replay itself.
 * A directory whose contents are rebuilt (a new directory block) is
 * forgotten and read again at its next use.
 *
 * Each name also remembers the directory block that holds it, and each
 * directory the room left in its blocks (the largest free gap of each, in
 * a max-tree over the logical blocks), so that an UNLINK goes straight to
 * its block and a CREAT to the first block with room (first fit, as
 * ext2fs_link): both O(log n) plus one block, where ext2fs_unlink and a
 * search from block 0 scanned the whole directory (an UNLINK/CREAT
 * alternation in one big directory was quadratic).
 */
#include <string.h>
#include "fc_names.h"
#include "fc_meta.h"

#define NO_LBLK		(~0U)		/* block of the entry not known */
#define GAP_UNKNOWN	(~0U)		/* block not looked at yet */

struct name_ent {
	struct name_ent	*next;
	ext2_ino_t	dir;
	uint32_t	epoch;
	ext2_ino_t	ino;		/* 0: removed */
	uint32_t	lblk;		/* its directory block, or NO_LBLK */
	uint8_t		len;
	char		name[];
};

/* the largest free gap of each directory block: leaves [cap, 2 cap) of a
 * max-tree; a block not read yet counts as GAP_UNKNOWN (room, maybe) */
struct room {
	uint32_t	cap;		/* a power of two */
	uint32_t	nblk;		/* blocks of the directory */
	uint32_t	*t;
};

struct dir_ent {
	struct dir_ent	*next;
	ext2_ino_t	dir;
	uint32_t	epoch;
	int		loaded;
	struct room	room;		/* cap 0: not made yet */
};

struct e2fc_names {
	struct name_ent	**tab;
	size_t		size, count;
	struct dir_ent	**dirs;		/* small table of directories */
	size_t		dsize;
	char		*blk;		/* one directory block, reused */
	unsigned	blksize;
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
			ext2fs_free_mem(&d->room.t);
			ext2fs_free_mem(&d);
		}
	ext2fs_free_mem(&n->tab);
	ext2fs_free_mem(&n->dirs);
	ext2fs_free_mem(&n->blk);
	ext2fs_free_mem(&n);
}

/* a buffer of one block of fs, the same for every call (a fresh 4 KiB
 * per entry was malloc's trim and a page fault each time) */
static errcode_t block_buf(struct e2fc_names *n, ext2_filsys fs, char **buf)
{
	errcode_t err;

	if (n->blksize < fs->blocksize) {
		ext2fs_free_mem(&n->blk);
		n->blksize = 0;
		err = ext2fs_get_mem(fs->blocksize, &n->blk);
		if (err)
			return err;
		n->blksize = fs->blocksize;
	}
	*buf = n->blk;
	return 0;
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

/* ---- the room in each directory block ------------------------------------ */

static void room_reset(struct dir_ent *d)
{
	ext2fs_free_mem(&d->room.t);
	memset(&d->room, 0, sizeof(d->room));
}

static void room_put(struct room *r, uint32_t lblk, uint32_t gap)
{
	uint32_t k = r->cap + lblk, a, b;

	if (lblk >= r->cap)
		return;
	r->t[k] = gap;
	for (k /= 2; k; k /= 2) {
		a = r->t[2 * k];
		b = r->t[2 * k + 1];
		r->t[k] = a > b ? a : b;
	}
}

/* room for blocks [0, nblk): the known gaps kept, new blocks unknown */
static errcode_t room_size(struct room *r, uint32_t nblk)
{
	uint32_t cap = r->cap ? r->cap : 16, i, *t;
	errcode_t err;

	while (cap < nblk)
		cap *= 2;
	if (cap != r->cap) {
		err = ext2fs_get_arrayzero(2 * (size_t)cap, sizeof(*t), &t);
		if (err)
			return err;
		for (i = 0; i < r->nblk && i < cap; i++)
			t[cap + i] = r->t[r->cap + i];
		ext2fs_free_mem(&r->t);
		r->t = t;
		r->cap = cap;
		for (i = cap - 1; i; i--)
			t[i] = t[2 * i] > t[2 * i + 1] ? t[2 * i] : t[2 * i + 1];
	}
	for (i = r->nblk; i < nblk; i++)
		room_put(r, i, GAP_UNKNOWN);
	for (i = nblk; i < r->nblk; i++)
		room_put(r, i, 0);
	r->nblk = nblk;
	return 0;
}

/* the first block whose gap may take need bytes; nblk if none */
static uint32_t room_first(const struct room *r, uint32_t need)
{
	uint32_t k = 1;

	if (!r->cap || r->t[1] < need)
		return r->nblk;
	while (k < r->cap)
		k = r->t[2 * k] >= need ? 2 * k : 2 * k + 1;
	return k - r->cap < r->nblk ? k - r->cap : r->nblk;
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

/* name -> ino in block lblk (NO_LBLK: keep what is known) */
static errcode_t set(struct e2fc_names *n, struct dir_ent *d,
		     const char *name, unsigned len, ext2_ino_t ino,
		     uint32_t lblk)
{
	struct name_ent *e = find(n, d, name, len);
	size_t b;
	errcode_t err;

	if (e) {
		e->ino = ino;
		if (lblk != NO_LBLK)
			e->lblk = lblk;
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
	e->lblk = lblk;
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
	char			*buf;
	errcode_t		err;
};

/* an inline directory: its entries, blocks unknown */
static int load_entry(struct ext2_dir_entry *de, int offset, int blocksize,
		      char *buf, void *priv)
{
	struct load_ctx *c = priv;
	unsigned len = ext2fs_dirent_name_len(de);

	if (de->inode)
		c->err = set(c->n, c->d, de->name, len, de->inode, NO_LBLK);
	return c->err ? DIRENT_ABORT : 0;
}

/* the entries of one directory block, with the block they are in */
static int load_block(ext2_filsys fs, blk64_t *pblk, e2_blkcnt_t lblk,
		      blk64_t ref, int ref_off, void *priv)
{
	struct load_ctx *c = priv;
	unsigned off, rec;
	struct ext2_dir_entry *de;

	if (lblk < 0)
		return 0;
	c->err = e2fc_dirblock_read(fs, *pblk, c->buf, c->d->dir, NULL);
	for (off = 0; !c->err && off + EXT2_DIR_ENTRY_HEADER_LEN <=
	     fs->blocksize; off += rec) {
		de = (struct ext2_dir_entry *)(c->buf + off);
		c->err = ext2fs_get_rec_len(fs, de, &rec);
		if (!c->err && (rec < EXT2_DIR_ENTRY_HEADER_LEN ||
				rec > fs->blocksize - off ||
				ext2fs_dirent_name_len(de) + 8U > rec))
			c->err = EXT2_ET_DIR_CORRUPTED;
		if (!c->err && de->inode)
			c->err = set(c->n, c->d, de->name,
				     ext2fs_dirent_name_len(de), de->inode,
				     (uint32_t)lblk);
	}
	return c->err ? BLOCK_ABORT : 0;
}

static errcode_t load_dir(ext2_filsys fs, struct e2fc_names *n,
			  struct dir_ent *d)
{
	struct load_ctx c = { n, d, NULL, 0 };
	struct ext2_inode in;
	errcode_t err;

	err = e2fc_inode_read(fs, d->dir, &in, sizeof(in));
	if (err)
		return err;
	/* inline entries only for an inline directory: with the flag, a
	 * block directory reads as corrupted */
	if (in.i_flags & EXT4_INLINE_DATA_FL) {
		err = ext2fs_dir_iterate(fs, d->dir,
					 DIRENT_FLAG_INCLUDE_INLINE_DATA,
					 NULL, load_entry, &c);
		return err ? err : c.err;
	}
	err = block_buf(n, fs, &c.buf);
	if (err)
		return err;
	err = ext2fs_block_iterate3(fs, d->dir, BLOCK_FLAG_READ_ONLY |
				    BLOCK_FLAG_DATA_ONLY, NULL, load_block,
				    &c);
	return err ? err : c.err;
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
		err = load_dir(fs, n, d);
		if (err)
			return err;
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

	if (d && !ino)		/* made room, in a block we do not know */
		room_reset(d);
	if (!d || !d->loaded)
		return 0;	/* read in full at its first lookup */
	return set(n, d, name, len, ino, NO_LBLK);
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
		room_reset(d);
	}
}

/* ---- adding and removing entries ----------------------------------------- */

/* the largest gap of a directory block: rec_len past what an entry uses */
/*
 * The entry at off of a directory block read by e2fc_dirblock_read
 * (host order, walked through libext2fs's ext2_dir_entry accessors):
 * its rec_len and the bytes its name uses (0 for an empty entry);
 * EXT2_ET_DIR_CORRUPTED when rec_len leaves the block's entry space.
 */
static errcode_t entry_at(ext2_filsys fs, char *buf, unsigned end,
			  unsigned off, struct ext2_dir_entry **de,
			  unsigned *rec, unsigned *used)
{
	*de = (struct ext2_dir_entry *)(buf + off);
	if (ext2fs_get_rec_len(fs, *de, rec) ||
	    *rec < EXT2_DIR_ENTRY_HEADER_LEN || *rec > end - off)
		return EXT2_ET_DIR_CORRUPTED;
	*used = (*de)->inode ?
		EXT2_DIR_REC_LEN(ext2fs_dirent_name_len(*de)) : 0;
	return 0;
}

static errcode_t block_gap(ext2_filsys fs, char *buf, unsigned end,
			   uint32_t *gap)
{
	unsigned off, rec, used;
	struct ext2_dir_entry *de;
	errcode_t err;

	*gap = 0;
	for (off = 0; off + EXT2_DIR_ENTRY_HEADER_LEN <= end; off += rec) {
		err = entry_at(fs, buf, end, off, &de, &rec, &used);
		if (err)
			return err;
		if (rec > used && rec - used > *gap)
			*gap = rec - used;
	}
	return 0;
}

static unsigned dirent_end(ext2_filsys fs)
{
	if (ext2fs_has_feature_metadata_csum(fs->super))
		return fs->blocksize - sizeof(struct ext2_dir_entry_tail);
	return fs->blocksize;
}

/*
 * Put name -> ino into the directory block at pblk if it has room (the
 * first fit, as ext2fs_link does); EXT2_ET_DIR_NO_SPACE if not.  *gap:
 * the block's largest gap afterwards.  The block is handled in host
 * order (e2fc_dirblock_read converts it, as ext2fs_read_dir_block4
 * does), through libext2fs's ext2_dir_entry accessors.
 */
static errcode_t link_in_block(ext2_filsys fs, ext2_ino_t dir,
			       const struct ext2_inode *din, blk64_t pblk,
			       char *buf, const char *name, ext2_ino_t ino,
			       int ftype, uint32_t *gap)
{
	unsigned len = strlen(name), need = EXT2_DIR_REC_LEN(len);
	unsigned end = dirent_end(fs), off = 0, rec, used;
	struct ext2_dir_entry *de;
	errcode_t err;

	err = e2fc_dirblock_read(fs, pblk, buf, dir, din);
	if (err)
		return err;
	for (; off + EXT2_DIR_ENTRY_HEADER_LEN <= end; off += rec) {
		err = entry_at(fs, buf, end, off, &de, &rec, &used);
		if (err)
			return err;
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
		err = block_gap(fs, buf, end, gap);
		if (!err)
			err = e2fc_dirblock_write(fs, pblk, buf, dir, din);
		return err;
	}
	err = block_gap(fs, buf, end, gap);
	return err ? err : EXT2_ET_DIR_NO_SPACE;
}

/* dir's block count (its inode: in) into its room tree */
static errcode_t room_update(ext2_filsys fs, struct dir_ent *d,
			     const struct ext2_inode *in)
{
	uint64_t nblk;

	nblk = EXT2_I_SIZE(in) / fs->blocksize;
	if (nblk > (1U << 24))		/* 2^24 blocks: ext4's limit is 2^32
					 * bytes of directory */
		return EXT2_ET_DIR_CORRUPTED;
	return room_size(&d->room, (uint32_t)nblk);
}

/* the first block of dir (its inode: in) with room takes the entry: *lblk */
static errcode_t link_first_fit(ext2_filsys fs, struct e2fc_names *n,
				struct dir_ent *d, struct ext2_inode *in,
				const char *name, ext2_ino_t ino, int ftype,
				uint32_t *lblk)
{
	uint32_t need = EXT2_DIR_REC_LEN(strlen(name)), gap;
	blk64_t pblk;
	char *buf;
	errcode_t err;

	err = block_buf(n, fs, &buf);
	if (err)
		return err;
	/* each round fills the block or learns its gap: ends */
	for (err = EXT2_ET_DIR_NO_SPACE; err == EXT2_ET_DIR_NO_SPACE; ) {
		*lblk = room_first(&d->room, need);
		if (*lblk >= d->room.nblk)
			break;
		pblk = 0;
		gap = 0;
		err = e2fc_inode_bmap(fs, d->dir, in, *lblk, &pblk);
		if (!err)
			err = pblk ? link_in_block(fs, d->dir, in, pblk, buf,
						   name, ino, ftype, &gap) :
				     EXT2_ET_DIR_NO_SPACE;
		if (!err || err == EXT2_ET_DIR_NO_SPACE)
			room_put(&d->room, *lblk, gap);
	}
	return err;
}

/* a directory ext2fs_link handles: hashed, inline, encrypted, casefolded */
static errcode_t link_libext2fs(ext2_filsys fs, ext2_ino_t dir,
				const struct ext2_inode *in, const char *name,
				ext2_ino_t ino, int ftype)
{
	errcode_t err;

	err = ext2fs_link(fs, dir, name, ino, ftype);
	if (err == EXT2_ET_DIR_NO_SPACE) {
		err = ext2fs_expand_dir(fs, dir);
		if (!err)
			err = ext2fs_link(fs, dir, name, ino, ftype);
	}
	if (!err && (in->i_flags & EXT2_INDEX_FL))
		err = e2fc_dx_scrub_split(fs, dir, EXT2_I_SIZE(in));
	return err;
}

/*
 * Add name -> ino to dir, as ext2fs_link does (the first block with
 * room, a new block when none has), without its scan of the whole
 * directory for every entry (160,000 CREATs into one directory took
 * minutes): the room tree names the first block that can take it.
 * Hashed, inline, encrypted and casefolded directories go to ext2fs_link,
 * which does not scan (or is rare).  The name's block is kept.
 */
errcode_t e2fc_names_link(ext2_filsys fs, struct e2fc_names *n,
			  ext2_ino_t dir, const char *name, ext2_ino_t ino,
			  int ftype)
{
	struct ext2_inode in;
	errcode_t err;

	err = e2fc_inode_read(fs, dir, &in, sizeof(in));
	if (err)
		return err;
	return e2fc_names_link_in(fs, n, dir, &in, name, ino, ftype);
}

errcode_t e2fc_names_link_in(ext2_filsys fs, struct e2fc_names *n,
			     ext2_ino_t dir, const struct ext2_inode *din,
			     const char *name, ext2_ino_t ino, int ftype)
{
	struct ext2_inode in = *din;
	struct dir_ent *d;
	uint32_t lblk = NO_LBLK;
	errcode_t err;

	d = dir_get(n, dir);
	if (!d)
		return EXT2_ET_NO_MEMORY;
	if (in.i_flags & (EXT2_INDEX_FL | EXT4_INLINE_DATA_FL |
			  EXT4_ENCRYPT_FL | EXT4_CASEFOLD_FL))
		return link_libext2fs(fs, dir, &in, name, ino, ftype);
	err = room_update(fs, d, &in);
	if (!err)
		err = link_first_fit(fs, n, d, &in, name, ino, ftype,
				     &lblk);
	if (err == EXT2_ET_DIR_NO_SPACE) {	/* a new block, at the end */
		err = ext2fs_expand_dir(fs, dir);
		if (!err)
			err = e2fc_inode_read(fs, dir, &in, sizeof(in));
		if (!err)
			err = room_update(fs, d, &in);
		if (!err)
			err = link_first_fit(fs, n, d, &in, name, ino, ftype,
					     &lblk);
	}
	if (!err && d->loaded)
		err = set(n, d, name, strlen(name), ino, lblk);
	return err;
}

/* take name -> ino out of the block at pblk, as ext2fs_unlink does (into
 * the entry before it, or zeroed when it is the first); EXT2_ET_DIR_NO_SPACE
 * (not there) when the block does not hold it */
static errcode_t unlink_in_block(ext2_filsys fs, ext2_ino_t dir,
				 const struct ext2_inode *din, blk64_t pblk,
				 char *buf, const char *name, ext2_ino_t ino,
				 uint32_t *gap)
{
	unsigned len = strlen(name), end = dirent_end(fs), off, rec, prec = 0;
	unsigned used;
	struct ext2_dir_entry *de, *prev = NULL;
	errcode_t err;

	err = e2fc_dirblock_read(fs, pblk, buf, dir, din);
	for (off = 0; !err && off + EXT2_DIR_ENTRY_HEADER_LEN <= end;
	     off += rec, prev = de, prec = rec) {
		err = entry_at(fs, buf, end, off, &de, &rec, &used);
		if (err)
			return err;
		if (de->inode != ino ||
		    (unsigned)ext2fs_dirent_name_len(de) != len ||
		    memcmp(de->name, name, len))
			continue;
		if (prev)
			ext2fs_set_rec_len(fs, prec + rec, prev);
		else
			de->inode = 0;
		err = block_gap(fs, buf, end, gap);
		if (!err)
			err = e2fc_dirblock_write(fs, pblk, buf, dir, din);
		return err;
	}
	return err ? err : EXT2_ET_DIR_NO_SPACE;
}

/* the entry's block, when it is known and dir (inode: *in) is a block
 * directory */
static uint32_t entry_block(ext2_filsys fs, struct e2fc_names *n,
			    struct dir_ent *d, const char *name,
			    ext2_ino_t ino, struct ext2_inode *in)
{
	struct name_ent *e;

	if (!d || !d->loaded || e2fc_inode_read(fs, d->dir, in, sizeof(*in)) ||
	    (in->i_flags & EXT4_INLINE_DATA_FL))
		return NO_LBLK;
	e = find(n, d, name, strlen(name));
	return e && e->ino == ino ? e->lblk : NO_LBLK;
}

/*
 * Remove name -> ino from dir, as ext2fs_unlink does, in the block the
 * name was found in or put in (ext2fs_unlink scans the whole directory:
 * quadratic for an UNLINK/CREAT alternation); ext2fs_unlink when that is
 * not known.  The table forgets the name.
 */
errcode_t e2fc_names_unlink(ext2_filsys fs, struct e2fc_names *n,
			    ext2_ino_t dir, const char *name, ext2_ino_t ino)
{
	struct dir_ent *d = dir_find(n, dir);
	struct ext2_inode in;
	uint32_t lblk = entry_block(fs, n, d, name, ino, &in), gap = 0;
	blk64_t pblk = 0;
	char *buf;
	errcode_t err = EXT2_ET_DIR_NO_SPACE;

	if (lblk != NO_LBLK &&
	    !e2fc_inode_bmap(fs, dir, &in, lblk, &pblk) && pblk &&
	    !block_buf(n, fs, &buf))
		err = unlink_in_block(fs, dir, &in, pblk, buf, name, ino,
				      &gap);
	if (!err) {
		if (d->room.cap && lblk < d->room.nblk)
			room_put(&d->room, lblk, gap);
		return set(n, d, name, strlen(name), 0, NO_LBLK);
	}
	if (err != EXT2_ET_DIR_NO_SPACE)
		return err;
	err = ext2fs_unlink(fs, dir, name, ino, 0);
	if (!err)
		err = e2fc_names_set(n, dir, name, strlen(name), 0);
	return err;
}
