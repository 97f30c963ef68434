// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_verify.c -- the last check of a replay, after the tags are applied
 * and the orphans settled, before anything is flushed: every inode the
 * replay touched and every directory it touched must keep the rules
 * e2fsck enforces, or the replay is refused (E2FC_ERR_VERIFY_*, the
 * inode in stats->verify_ino) and the caller writes nothing.
 *
 * Hostile fast commits with valid checksums pass the per-tag check of
 * the plan (e2fc_replay_check) and still leave a file system e2fsck
 * would repair: an inode in use with dtime set, a name of a freed inode,
 * a directory without blocks, a new inode without a name.  The kernel
 * replays them blindly; e2fc refuses them.
 *
 * The work follows the touched inodes and the blocks of the touched
 * directories, never the whole tree: rules that need the whole tree
 * (names in directories the log never touched, blocks shared with
 * untouched inodes) are left to e2fsck (doc/design.md).
 *
 * In the layer of fc_replay.c: it calls fc_bitmaps.c, fc_cluster.c and
 * fc_meta.c only.
 */
#include <stdlib.h>
#include <string.h>
#include "fc_replay_int.h"

struct vnode {
	ext2_ino_t	ino;
	ext2_ino_t	named_in;	/* a touched directory naming it */
	ext2_ino_t	dotdot;		/* directories: their '..' */
	unsigned	names;		/* names in touched directories */
	unsigned	subdirs;	/* directories: entries of dirs */
	unsigned	added, removed;	/* names the replay added, removed */
	unsigned	inline_names;	/* names in touched inline dirs */
	uint16_t	mode, links;
	uint16_t	mode0, links0;	/* before the replay, when was_live */
	uint8_t		live, was_live, inline_dir;
};

struct verify {
	struct replay		*r;
	ext2_filsys		fs;
	struct vnode		*v;
	unsigned		n;
	ext2fs_block_bitmap	claimed;	/* blocks of touched inodes */
	/* the block walk of one inode */
	errcode_t		bad;
	blk64_t			next_lblk;	/* past the last leaf */
	blk64_t			last_init;	/* last initialised lblk + 1 */
	blk64_t			first_pblk;	/* of logical block 0 */
	blk64_t			acl;		/* its xattr block */
	int			is_dir;
	int			any_leaf;
	char			*buf;		/* one block */
	/* the entry walk of one directory */
	struct vnode		*dir;
	unsigned		pos;
};

static int vnode_cmp(const void *a, const void *b)
{
	const struct vnode *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct vnode *vnode_find(struct verify *v, ext2_ino_t ino)
{
	struct vnode key = { .ino = ino };

	return bsearch(&key, v->v, v->n, sizeof(*v->v), vnode_cmp);
}

/* ---- the blocks of one inode --------------------------------------------- */

static int all_marked(ext2fs_block_bitmap map, blk64_t b, blk64_t len)
{
	blk64_t zero;

	return ext2fs_find_first_zero_block_bitmap2(map, b, b + len - 1,
						    &zero) == ENOENT;
}

static int any_marked(ext2fs_block_bitmap map, blk64_t b, blk64_t len)
{
	blk64_t set;

	return ext2fs_find_first_set_block_bitmap2(map, b, b + len - 1,
						   &set) == 0;
}

/* where the blocks lie: in the fs, off its metadata, in use; claimed
 * once */
static errcode_t piece_place(struct verify *v, blk64_t b, blk64_t len,
			     int claim)
{
	ext2_filsys fs = v->fs;
	struct replay *r = v->r;
	errcode_t err;

	if (!len || b < fs->super->s_first_data_block ||
	    b + len > ext2fs_blocks_count(fs->super) || b + len < b)
		return E2FC_ERR_VERIFY_BLOCKS;
	err = e2fc_meta_ready(r);
	if (err)
		return err;
	if (e2fc_meta_overlaps(&r->meta, b, len))
		return E2FC_ERR_VERIFY_BLOCKS;
	err = e2fc_load_blocks(r, b, len);
	if (err)
		return err;
	if (!all_marked(fs->block_map, b, len))
		return E2FC_ERR_VERIFY_BLOCKS;
	if (v->claimed && claim) {
		if (any_marked(v->claimed, b, len))
			return E2FC_ERR_VERIFY_DUP;
		ext2fs_mark_block_bitmap_range2(v->claimed, b, len);
	}
	return 0;
}

static void piece_cb(ext2_filsys fs, const struct ext2fs_extent *e,
		     void *arg)
{
	struct verify *v = arg;
	errcode_t err;
	int claim;

	if (v->bad)
		return;
	/* the xattr block comes first; inodes with the same xattrs share
	 * it: not claimed (its refcount needs the whole tree) */
	claim = !(v->acl && e->e_pblk == v->acl &&
		  !(e->e_flags & EXT2_EXTENT_FLAGS_LEAF));
	v->acl = 0;
	err = piece_place(v, e->e_pblk, e->e_len, claim);
	if (err) {
		v->bad = err;
		return;
	}
	if (!(e->e_flags & EXT2_EXTENT_FLAGS_LEAF))
		return;
	/* leaves in logical order, none past 2^32 blocks; a directory
	 * has no hole */
	if ((v->any_leaf && e->e_lblk < v->next_lblk) ||
	    (v->is_dir && e->e_lblk != v->next_lblk) ||
	    e->e_lblk + e->e_len > (1ULL << 32)) {
		v->bad = E2FC_ERR_VERIFY_TREE;
		return;
	}
	if (e->e_lblk == 0)
		v->first_pblk = e->e_pblk;
	v->any_leaf = 1;
	v->next_lblk = e->e_lblk + e->e_len;
	if (!(e->e_flags & EXT2_EXTENT_FLAGS_UNINIT))
		v->last_init = v->next_lblk;
	(void)fs;
}

/* i_blocks as the block map says */
static errcode_t iblocks_rule(struct verify *v, ext2_ino_t ino,
			      struct ext2_inode_large *in)
{
	struct ext2_inode_large want = *in;
	blk64_t n = 0;
	errcode_t err;

	err = e2fc_count_iblocks(v->fs, ino, (struct ext2_inode *)in, &n);
	if (!err)
		err = ext2fs_iblk_set(v->fs, (struct ext2_inode *)&want, n);
	if (err)
		return E2FC_ERR_VERIFY_TREE;
	if (want.i_blocks != in->i_blocks ||
	    want.osd2.linux2.l_i_blocks_hi != in->osd2.linux2.l_i_blocks_hi)
		return E2FC_ERR_VERIFY_IBLOCKS;
	return 0;
}

/* the largest i_size a block map can reach: 2^32 blocks of extents, or
 * 12 direct blocks and three levels of indirect ones */
static uint64_t max_size(ext2_filsys fs, const struct ext2_inode_large *in)
{
	uint64_t a = fs->blocksize / 4;

	if (in->i_flags & EXT4_EXTENTS_FL)
		return ((uint64_t)fs->blocksize << 32) - 1;
	return (EXT2_NDIR_BLOCKS + a + a * a + a * a * a) * fs->blocksize;
}

/* i_size against the block map, as e2fsck's pass 1 has it */
static errcode_t size_rule(struct verify *v, struct ext2_inode_large *in)
{
	ext2_filsys fs = v->fs;
	uint64_t size = EXT2_I_SIZE(in), nblk = size / fs->blocksize;

	if (in->i_flags & EXT4_INLINE_DATA_FL)
		return 0;
	if (size > max_size(fs, in))
		return E2FC_ERR_VERIFY_SIZE;
	if (LINUX_S_ISREG(in->i_mode))
		return v->last_init && size < (v->last_init - 1) *
		       (uint64_t)fs->blocksize ? E2FC_ERR_VERIFY_SIZE : 0;
	if (!LINUX_S_ISDIR(in->i_mode))
		return 0;
	if (!v->any_leaf)
		return E2FC_ERR_VERIFY_SIZE;	/* no block at all */
	if (size & (fs->blocksize - 1) || nblk > v->next_lblk ||
	    v->next_lblk - nblk > fs->super->s_prealloc_dir_blocks)
		return E2FC_ERR_VERIFY_SIZE;
	return 0;
}

/* a symlink's target, in i_block or in one block, is i_size long */
static errcode_t symlink_rule(struct verify *v, struct ext2_inode_large *in)
{
	ext2_filsys fs = v->fs;
	uint64_t size = EXT2_I_SIZE(in);
	const char *buf = (const char *)in->i_block;
	size_t max = sizeof(in->i_block);

	if (in->i_flags & (EXT4_INLINE_DATA_FL | EXT4_ENCRYPT_FL))
		return 0;
	if (size < sizeof(in->i_block)) {
		if ((in->i_flags & EXT4_EXTENTS_FL) || v->any_leaf)
			return E2FC_ERR_VERIFY_SYMLINK;
	} else {
		if (size >= fs->blocksize || v->next_lblk != 1 ||
		    !v->first_pblk)
			return E2FC_ERR_VERIFY_SYMLINK;
		if (io_channel_read_blk64(fs->io, v->first_pblk, 1, v->buf))
			return E2FC_ERR_VERIFY_SYMLINK;
		buf = v->buf;
		max = fs->blocksize;
	}
	return size && strnlen(buf, max) == size ? 0 :
	       E2FC_ERR_VERIFY_SYMLINK;
}

/* device, fifo and socket inodes keep no blocks */
static errcode_t special_rule(struct ext2_inode_large *in)
{
	unsigned i;

	if (in->i_flags & (EXT2_INDEX_FL | EXT4_EXTENTS_FL |
			   EXT4_INLINE_DATA_FL))
		return E2FC_ERR_VERIFY_MODE;
	for (i = 4; i < EXT2_N_BLOCKS; i++)
		if (in->i_block[i])
			return E2FC_ERR_VERIFY_MODE;
	return 0;
}

/* an xattr block: its header and checksum */
static errcode_t xattr_rule(struct verify *v, ext2_ino_t ino,
			    struct ext2_inode_large *in)
{
	blk64_t acl = ext2fs_file_acl_block(v->fs, (struct ext2_inode *)in);
	errcode_t err;

	if (!ext2fs_has_feature_64bit(v->fs->super) &&
	    in->osd2.linux2.l_i_file_acl_high)
		return E2FC_ERR_VERIFY_XATTR;
	if (!acl)
		return 0;
	err = ext2fs_read_ext_attr3(v->fs, acl, v->buf, ino);
	if (err)
		return E2FC_ERR_VERIFY_XATTR;
	if (e2fc_get_le32((uint8_t *)v->buf) != EXT2_EXT_ATTR_MAGIC ||
	    e2fc_get_le32((uint8_t *)v->buf + 8) != 1)
		return E2FC_ERR_VERIFY_XATTR;
	return 0;
}

/* inline data lives in i_block and the system.data attribute, which
 * must be there; i_size within the two */
static errcode_t inline_rule(struct verify *v, ext2_ino_t ino,
			     struct ext2_inode_large *in)
{
	struct ext2_xattr_handle *h;
	size_t len = 0;
	void *val = NULL;
	errcode_t err;

	if (!(in->i_flags & EXT4_INLINE_DATA_FL))
		return 0;
	err = ext2fs_xattrs_open(v->fs, ino, &h);
	if (err)
		return err == EXT2_ET_NO_MEMORY ? err : E2FC_ERR_VERIFY_INLINE;
	err = ext2fs_xattrs_read(h);	/* the whole record: *in is short */
	if (!err)
		err = ext2fs_xattr_get(h, "system.data", &val, &len);
	ext2fs_xattrs_close(&h);
	if (val)
		ext2fs_free_mem(&val);
	if (err == EXT2_ET_NO_MEMORY)
		return err;
	if (err || EXT2_I_SIZE(in) > sizeof(in->i_block) + len)
		return E2FC_ERR_VERIFY_INLINE;
	return 0;
}

static int mode_valid(unsigned mode)
{
	return e2fc_file_type(mode) != EXT2_FT_UNKNOWN;
}

/* the flags a file system without their feature cannot have */
static int flags_valid(ext2_filsys fs, const struct ext2_inode_large *in)
{
	if ((in->i_flags & EXT4_EXTENTS_FL) &&
	    !ext2fs_has_feature_extents(fs->super))
		return 0;
	if ((in->i_flags & EXT4_INLINE_DATA_FL) &&
	    !ext2fs_has_feature_inline_data(fs->super))
		return 0;
	return 1;
}

/* the blocks of a live inode and what depends on them */
static errcode_t blocks_rules(struct verify *v, ext2_ino_t ino,
			      struct ext2_inode_large *in)
{
	errcode_t err;

	v->bad = 0;
	v->next_lblk = v->last_init = v->first_pblk = 0;
	v->any_leaf = 0;
	v->is_dir = LINUX_S_ISDIR(in->i_mode);
	v->acl = ext2fs_file_acl_block(v->fs, (struct ext2_inode *)in);
	if (!LINUX_S_ISREG(in->i_mode) && !LINUX_S_ISDIR(in->i_mode) &&
	    !LINUX_S_ISLNK(in->i_mode))
		return special_rule(in);
	err = e2fc_walk_pieces(v->fs, ino, (struct ext2_inode *)in, piece_cb,
			       v);
	if (v->bad)
		return v->bad;
	if (err)
		return err == EXT2_ET_NO_MEMORY ? err : E2FC_ERR_VERIFY_TREE;
	err = xattr_rule(v, ino, in);
	if (!err)
		err = inline_rule(v, ino, in);
	if (!err)
		err = iblocks_rule(v, ino, in);
	if (!err)
		err = size_rule(v, in);
	if (!err && LINUX_S_ISLNK(in->i_mode))
		err = symlink_rule(v, in);
	return err;
}

/* ---- the state of one touched inode -------------------------------------- */

/* in use (bitmap) <=> links; dtime 0 <=> in use; a valid mode */
static errcode_t inode_rules(struct verify *v, struct vnode *n,
			     struct ext2_inode_large *in)
{
	int used = e2fc_ino_in_use(v->r, n->ino);

	if (v->r->err)
		return v->r->err;
	n->mode = in->i_mode;
	n->links = in->i_links_count;
	n->live = in->i_links_count && in->i_mode;
	if (!in->i_links_count) {
		if (used)
			return E2FC_ERR_VERIFY_INUSE;
		return in->i_mode && !in->i_dtime ? E2FC_ERR_VERIFY_DTIME : 0;
	}
	if (!used)
		return E2FC_ERR_VERIFY_INUSE;
	if (in->i_dtime)
		return E2FC_ERR_VERIFY_DTIME;
	if (!mode_valid(in->i_mode) || !flags_valid(v->fs, in))
		return E2FC_ERR_VERIFY_MODE;
	if (LINUX_S_ISDIR(in->i_mode) && (in->i_flags & EXT4_INLINE_DATA_FL))
		n->inline_dir = 1;
	return blocks_rules(v, n->ino, in);
}

static errcode_t check_inodes(struct verify *v, ext2_ino_t *bad)
{
	struct ext2_inode_large in;
	unsigned i;
	errcode_t err;

	for (i = 0; i < v->n; i++) {
		struct vnode *n = &v->v[i];

		if (n->ino < EXT2_FIRST_INODE(v->fs->super) &&
		    n->ino != EXT2_ROOT_INO)
			continue;
		err = e2fc_read_inode(v->fs, n->ino, &in);
		if (err == EXT2_ET_INODE_CSUM_INVALID ||
		    err == EXT2_ET_INODE_IS_GARBAGE)
			err = E2FC_ERR_VERIFY_CSUM;	/* e2fsck's too */
		if (!err)
			err = inode_rules(v, n, &in);
		if (err) {
			*bad = n->ino;
			return err;
		}
	}
	return 0;
}

/* ---- the entries of the touched directories ------------------------------ */

static int dirent_type_ok(struct verify *v, const struct ext2_dir_entry *de,
			  const struct vnode *t)
{
	int ft = ext2fs_dirent_file_type(de);

	if (!ext2fs_has_feature_filetype(v->fs->super))
		return ft == 0;
	return ft == e2fc_file_type(t->mode);
}

/* whether an entry names a directory (for the parent's link count) */
static int names_dir(struct verify *v, const struct ext2_dir_entry *de,
		     const struct vnode *t)
{
	struct ext2_inode_large in;

	if (t)
		return LINUX_S_ISDIR(t->mode);
	if (ext2fs_has_feature_filetype(v->fs->super))
		return ext2fs_dirent_file_type(de) == EXT2_FT_DIR;
	return !e2fc_read_inode(v->fs, de->inode, &in) &&
	       LINUX_S_ISDIR(in.i_mode);
}

static int is_dots(const struct ext2_dir_entry *de, int n)
{
	return ext2fs_dirent_name_len(de) == n && de->name[0] == '.' &&
	       (n == 1 || de->name[1] == '.');
}

static int entry_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		    int offset, int blocksize, char *buf, void *priv)
{
	struct verify *v = priv;
	ext2_filsys fs = v->fs;
	struct vnode *t;

	(void)dir; (void)entry; (void)offset; (void)blocksize; (void)buf;
	if (!de->inode)
		return 0;
	v->pos++;
	/* by place, not by entry: an inline directory's '..' comes as
	 * DIRENT_OTHER_FILE */
	if (v->pos == 1) {
		if (de->inode != v->dir->ino || !is_dots(de, 1))
			v->bad = E2FC_ERR_VERIFY_DOT;
		return v->bad ? DIRENT_ABORT : 0;
	}
	if (v->pos == 2) {
		if (!is_dots(de, 2))
			v->bad = E2FC_ERR_VERIFY_DOT;
		v->dir->dotdot = de->inode;
		return v->bad ? DIRENT_ABORT : 0;
	}
	/* not '.' nor '..': no reserved inode, not even the root */
	if (de->inode < EXT2_FIRST_INODE(fs->super) ||
	    de->inode > fs->super->s_inodes_count) {
		v->bad = E2FC_ERR_VERIFY_ENTRY;
		return DIRENT_ABORT;
	}
	t = vnode_find(v, de->inode);
	if (t && (!t->live || !dirent_type_ok(v, de, t))) {
		v->bad = E2FC_ERR_VERIFY_ENTRY;
		return DIRENT_ABORT;
	}
	if (t) {
		t->names++;
		t->inline_names += v->dir->inline_dir;
		t->named_in = v->dir->ino;
	}
	if (names_dir(v, de, t))
		v->dir->subdirs++;
	return 0;
}

static errcode_t dir_entries(struct verify *v, struct vnode *d)
{
	errcode_t err;

	v->dir = d;
	v->pos = 0;
	v->bad = 0;
	err = ext2fs_dir_iterate2(v->fs, d->ino, 0, NULL, entry_cb, v);
	if (v->bad)
		return v->bad;
	if (err)
		return err == EXT2_ET_NO_MEMORY ? err : E2FC_ERR_VERIFY_DIR;
	if (!d->dotdot)
		return E2FC_ERR_VERIFY_DOT;
	return 0;
}

/* rule on every live vnode; the first that fails names its inode */
static errcode_t each_live(struct verify *v,
			  errcode_t (*rule)(struct verify *, struct vnode *),
			  ext2_ino_t *bad)
{
	unsigned i;
	errcode_t err;

	for (i = 0; i < v->n; i++) {
		if (!v->v[i].live)
			continue;
		err = rule(v, &v->v[i]);
		if (err) {
			*bad = v->v[i].ino;
			return err;
		}
	}
	return 0;
}

static errcode_t dir_rule(struct verify *v, struct vnode *d)
{
	return LINUX_S_ISDIR(d->mode) ? dir_entries(v, d) : 0;
}

/* ---- names against link counts ------------------------------------------- */

/* a directory's links: 2 and one per subdirectory (1 past the limit) */
static errcode_t dir_links_rule(struct verify *v, struct vnode *d)
{
	struct vnode *p;

	if (d->subdirs + 2 > EXT2_LINK_MAX) {
		if (d->links != 1 && d->links != d->subdirs + 2)
			return E2FC_ERR_VERIFY_LINKS;
	} else if (d->links != d->subdirs + 2) {
		return E2FC_ERR_VERIFY_LINKS;
	}
	if (d->names > 1 || (d->ino == EXT2_ROOT_INO && d->names))
		return E2FC_ERR_VERIFY_LINKS;
	p = vnode_find(v, d->dotdot);
	if (p && (!p->live || !LINUX_S_ISDIR(p->mode)))
		return E2FC_ERR_VERIFY_DOT;
	if (d->ino == EXT2_ROOT_INO)
		return d->dotdot == EXT2_ROOT_INO ? 0 : E2FC_ERR_VERIFY_DOT;
	if (d->names && d->named_in != d->dotdot)
		return E2FC_ERR_VERIFY_DOT;
	if (!d->was_live && !d->names)
		return E2FC_ERR_VERIFY_UNATTACHED;
	return 0;
}

/*
 * The names of an inode: those it had (its links before the replay, one
 * for a directory; the file system was consistent then), plus those the
 * replay added, less those it removed; no more in the touched
 * directories than that; a new inode has all its names there.  An inode
 * keeps its file type while it keeps a name from before.
 */
static errcode_t links_rule(struct verify *v, struct vnode *n)
{
	/* a directory's links count '.' and its subdirectories too */
	unsigned names0 = LINUX_S_ISDIR(n->mode0) ? 1 : n->links0;
	int64_t want = (int64_t)names0 + n->added - n->removed;

	if (n->was_live && n->removed < names0 &&
	    e2fc_file_type(n->mode) != e2fc_file_type(n->mode0))
		return E2FC_ERR_VERIFY_MODE;
	if (LINUX_S_ISDIR(n->mode))
		return dir_links_rule(v, n);
	if (n->names > n->links)
		return E2FC_ERR_VERIFY_LINKS;
	/* an INODE tag of an inline directory brings its names with it,
	 * uncounted: for an inode named there only the names found count */
	if (n->was_live)
		return n->inline_names || want == n->links ? 0 :
		       E2FC_ERR_VERIFY_LINKS;
	if (!n->names)
		return E2FC_ERR_VERIFY_UNATTACHED;
	return n->names == n->links ? 0 : E2FC_ERR_VERIFY_LINKS;
}

/* reserved inodes but the root keep the links they have */
static errcode_t links_of(struct verify *v, struct vnode *n)
{
	if (n->ino < EXT2_FIRST_INODE(v->fs->super) && n->ino != EXT2_ROOT_INO)
		return 0;
	return links_rule(v, n);
}

/* ---- the driver ---------------------------------------------------------- */

static errcode_t verify_init(struct verify *v, struct replay *r)
{
	unsigned i;
	errcode_t err;

	memset(v, 0, sizeof(*v));
	v->r = r;
	v->fs = r->fs;
	v->n = r->nnotes;
	err = ext2fs_get_memzero((size_t)v->n * sizeof(*v->v) + 1, &v->v);
	if (!err)
		err = ext2fs_get_mem(r->fs->blocksize, &v->buf);
	/* on bigalloc one inode may map several blocks of a cluster: the
	 * claims are not kept there */
	if (!err && !ext2fs_has_feature_bigalloc(r->fs->super))
		err = ext2fs_allocate_block_bitmap(r->fs, "fc verify",
						   &v->claimed);
	if (err)
		return err;
	for (i = 0; i < v->n; i++) {
		v->v[i].ino = r->notes[i].ino;
		v->v[i].was_live = r->notes[i].was_live;
		v->v[i].mode0 = r->notes[i].mode;
		v->v[i].links0 = r->notes[i].links;
	}
	qsort(v->v, v->n, sizeof(*v->v), vnode_cmp);
	for (i = 0; i < r->nnamechg; i++) {
		struct vnode *n = vnode_find(v, r->namechg[i].ino);

		if (n && r->namechg[i].delta > 0)
			n->added++;
		else if (n)
			n->removed++;
	}
	return 0;
}

static void verify_free(struct verify *v)
{
	if (v->claimed)
		ext2fs_free_block_bitmap(v->claimed);
	ext2fs_free_mem(&v->v);
	ext2fs_free_mem(&v->buf);
}

int e2fc_verify_error(errcode_t err)
{
	return (err >= E2FC_ERR_VERIFY_INUSE &&
		err <= E2FC_ERR_VERIFY_INLINE) || err == E2FC_ERR_VERIFY_CSUM;
}

errcode_t e2fc_verify(struct replay *r)
{
	struct verify v;
	ext2_ino_t bad = 0;
	int flags = r->fs->flags;
	errcode_t err;

	err = verify_init(&v, r);
	/* checksums count here: e2fsck reads them */
	r->fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
	if (!err)
		err = check_inodes(&v, &bad);
	if (!err)
		err = each_live(&v, dir_rule, &bad);
	if (!err)
		err = each_live(&v, links_of, &bad);
	r->fs->flags = flags;
	verify_free(&v);
	if (err && e2fc_verify_error(err))
		r->st->verify_ino = bad;
	return err;
}
