/*
 * fc_apply.c -- apply one fast-commit tag to the file system, with the
 * kernel's effect (shared/DESIGN.md section 2):
 *
 *   INODE      free the blocks the on-disk inode maps (they are marked
 *              again at the end if still mapped), copy the logged inode
 *              over it except i_block (kept; inline data is copied; a
 *              missing extent header becomes an empty one), mark it used.
 *   ADD_RANGE  map each block of the range to its new place: insert into
 *              a hole, replace a different mapping (the old block is
 *              freed), or flip written/unwritten.
 *   DEL_RANGE  unmap the range and free its blocks.
 *   CREAT      mark the inode used, give a directory '.' and '..', add the
 *              entry, links = 1.
 *   LINK       add the entry (an existing name is fine), links + 1.
 *   UNLINK     remove the entry, links - 1; at 0 the inode is freed at the
 *              end of the replay (the kernel's orphan list).
 *
 * Like the kernel's inode lookup, tags naming an inode without links or
 * mode are skipped (except INODE, which brings it back).
 */
#include <string.h>
#include "fc_replay_int.h"

/* ---- block walking ------------------------------------------------------ */

struct walk_ctx {
	void	(*fn)(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg);
	void	*arg;
};

static int walk_indirect(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t
			 blockcnt, blk64_t ref_blk, int ref_offset,
			 void *priv)
{
	struct walk_ctx *w = priv;

	if (*blocknr)
		w->fn(fs, *blocknr, 1, w->arg);
	return 0;
}

/* call fn for every block the inode owns: data, extent tree or indirect
 * blocks, and its extended attribute block */
errcode_t e2fc_walk_blocks(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode,
			   void (*fn)(ext2_filsys fs, blk64_t blk,
				      blk64_t count, void *arg),
			   void *arg)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	struct walk_ctx w = { fn, arg };
	errcode_t err;
	int op = EXT2_EXTENT_ROOT;
	blk64_t acl = ext2fs_file_acl_block(fs, inode);

	if (acl && acl < ext2fs_blocks_count(fs->super))
		fn(fs, acl, 1, arg);
	if (inode->i_flags & EXT4_INLINE_DATA_FL)
		return 0;
	if (LINUX_S_ISLNK(inode->i_mode) && !ext2fs_inode_has_valid_blocks2(fs,
								       inode))
		return 0;
	if (!(inode->i_flags & EXT4_EXTENTS_FL))
		return ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
					     walk_indirect, &w);
	err = ext2fs_extent_open2(fs, ino, inode, &h);
	if (err)
		return err;
	while ((err = ext2fs_extent_get(h, op, &e)) == 0) {
		op = EXT2_EXTENT_NEXT;
		if (e.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT)
			continue;
		if (e.e_flags & EXT2_EXTENT_FLAGS_LEAF) {
			if (e.e_len)
				fn(fs, e.e_pblk, e.e_len, arg);
		} else {
			fn(fs, e.e_pblk, 1, arg);	/* child node */
		}
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_EXTENT_NO_DOWN ?
	       0 : err;
}

static void unmark_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	e2fc_touch_block(arg, blk, count, 0);
}

/* ---- INODE --------------------------------------------------------------- */

#define I_BLOCK_OFF	0x28
#define I_GENERATION_OFF 0x64
#define I_FLAGS_OFF	0x20

/*
 * A reused inode number (another generation): the tree on disk is the
 * dead file's, not the logged one's.  Its blocks are released (freed at
 * the end unless mapped again) and the new inode starts with an empty
 * root, filled by its ADD_RANGE tags (or '.'/'..' on CREAT).  Without
 * this a directory created in a reused inode kept the old file's far
 * blocks (e2fsck: "block N should be at block M").  The kernel keeps the
 * old tree here and leaves a tree that fails e2fsck.
 */
static errcode_t drop_old_tree(struct replay *r, ext2_ino_t ino,
			       struct ext2_inode_large *cur,
			       const uint8_t *src, unsigned len, int *dropped)
{
	ext2_filsys fs = r->fs;
	errcode_t err;

	*dropped = 0;
	if (len < I_GENERATION_OFF + 4 || !cur->i_mode ||
	    cur->i_generation == e2fc_get_le32(src + I_GENERATION_OFF))
		return 0;
	if (!cur->i_links_count &&
	    e2fc_ino_in_use(r, ino) &&
	    !(cur->i_flags & EXT4_INLINE_DATA_FL)) {
		err = e2fc_walk_blocks(fs, ino, (struct ext2_inode *)cur,
				       unmark_cb, r);
		if (err)
			return err;
	}
	memset(cur->i_block, 0, sizeof(cur->i_block));
	cur->i_size = cur->i_size_high = 0;
	*dropped = 1;
	return 0;
}

/*
 * The logged raw inode over the on-disk one, except i_block (unless
 * inline data).  The copy is made in a buffer of the full on-disk inode
 * size: with inline data the kernel logs the whole inode (in-inode
 * xattrs with system.data), more than struct ext2_inode_large holds.
 */
static errcode_t overlay_raw(ext2_filsys fs, ext2_ino_t ino,
			     const struct ext2_inode_large *cur,
			     const uint8_t *src, unsigned len)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	uint8_t *dst = NULL;
	uint32_t flags;
	errcode_t err;

	err = ext2fs_get_memzero(isz, &dst);
	if (err)
		return err;
	err = ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)dst, isz);
	if (err)
		goto out;
	memcpy(dst + I_BLOCK_OFF, cur->i_block, sizeof(cur->i_block));
	memcpy(dst, src, I_BLOCK_OFF);
	if (len > I_GENERATION_OFF)
		memcpy(dst + I_GENERATION_OFF, src + I_GENERATION_OFF,
		       len - I_GENERATION_OFF);
	flags = e2fc_get_le32(dst + I_FLAGS_OFF);
	if (flags & EXT4_INLINE_DATA_FL) {
		memcpy(dst + I_BLOCK_OFF, src + I_BLOCK_OFF, 60);
	} else if ((flags & EXT4_EXTENTS_FL) &&
		   e2fc_get_le16(dst + I_BLOCK_OFF) != EXT4_EXT_MAGIC) {
		memset(dst + I_BLOCK_OFF, 0, 60);
		e2fc_put_le16(dst + I_BLOCK_OFF, EXT4_EXT_MAGIC);
		e2fc_put_le16(dst + I_BLOCK_OFF + 4,
			      (60 - EXT4_EXT_HDR_SIZE) / EXT4_EXT_ENTRY_SIZE);
	}
	err = ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)dst, isz);
out:
	ext2fs_free_mem(&dst);
	return err;
}

static errcode_t apply_add_range(struct replay *r, const struct e2fc_tag *t);

/*
 * A file created and written inside one fast-commit window can log its
 * ranges before the INODE tag that gives it a mode and links: the kernel
 * skips those ranges (its inode lookup fails) and the fsynced data reads
 * back as zeros.  Here they wait, and are applied, in log order, once an
 * INODE tag has made the inode live.
 */
errcode_t e2fc_add_pending(struct replay *r, const struct e2fc_tag *t)
{
	errcode_t err;

	if (r->npend >= r->cappend) {
		unsigned nc = r->cappend ? r->cappend * 2 : 32;

		err = ext2fs_resize_array(sizeof(*r->pending), r->cappend, nc,
					  &r->pending);
		if (err)
			return err;
		r->cappend = nc;
	}
	r->pending[r->npend++] = t;
	return 0;
}

static errcode_t apply_pending(struct replay *r, ext2_ino_t ino)
{
	unsigned i, k = 0;
	errcode_t err = 0;

	r->in_pending = 1;
	for (i = 0; i < r->npend; i++) {
		const struct e2fc_tag *t = r->pending[i];

		if (t->u.add.ino != ino) {
			r->pending[k++] = t;
			continue;
		}
		if (!err)
			err = apply_add_range(r, t);
	}
	r->npend = k;
	r->in_pending = 0;
	return err;
}

static errcode_t apply_del_range(struct replay *r, const struct e2fc_tag *t);

/*
 * The kernel logs, per inode and commit, its ranges and then its INODE.
 * When that INODE turns out to be a new file in a reused inode number
 * (drop_old_tree), the ranges just applied went into the dead file's
 * tree, now dropped: apply this commit's earlier ranges of the inode
 * again, on the new, empty tree.
 */
static errcode_t reapply_commit_ranges(struct replay *r, ext2_ino_t ino)
{
	unsigned i;
	errcode_t err = 0;

	for (i = 0; i < r->cpos && !err; i++) {
		const struct e2fc_tag *t = &r->ctags[i];

		if (t->tag == EXT4_FC_TAG_ADD_RANGE && t->u.add.ino == ino)
			err = apply_add_range(r, t);
		else if (t->tag == EXT4_FC_TAG_DEL_RANGE &&
			 t->u.del.ino == ino)
			err = apply_del_range(r, t);
	}
	return err;
}

static errcode_t apply_inode(struct replay *r, const struct e2fc_tag *t)
{
	ext2_filsys fs = r->fs;
	ext2_ino_t ino = t->u.inode.ino;
	unsigned isz = EXT2_INODE_SIZE(fs->super), len = t->u.inode.raw_len;
	struct ext2_inode_large cur;
	const uint8_t *src = t->u.inode.raw;
	int dropped = 0;
	errcode_t err;

	err = e2fc_note_inode(r, ino);
	if (err)
		return err;
	if (len > isz)
		len = isz;
	if (len < I_BLOCK_OFF)
		return E2FC_ERR_BAD_INODE;
	if (e2fc_inode_live(fs, ino, &cur)) {
		err = e2fc_walk_blocks(fs, ino, (struct ext2_inode *)&cur,
				       unmark_cb, r);
		if (err)
			return err;
	} else {
		err = e2fc_read_inode(fs, ino, &cur);
		if (err)
			return err;
	}
	/* a directory whose entries may change with its inode: inline
	 * data, or a reused inode number (a new tree) */
	if (((cur.i_flags | e2fc_get_le32(src + 0x20)) & EXT4_INLINE_DATA_FL) ||
	    (len >= I_GENERATION_OFF + 4 &&
	     cur.i_generation != e2fc_get_le32(src + I_GENERATION_OFF)))
		e2fc_names_forget(r->names, ino);
	err = drop_old_tree(r, ino, &cur, src, len, &dropped);
	if (!err)
		err = overlay_raw(fs, ino, &cur, src, len);
	if (err)
		return err;
	e2fc_touch_inode(r, ino, 1);
	err = e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
	if (!err && r->npend && e2fc_inode_live(fs, ino, &cur))
		err = apply_pending(r, ino);
	if (!err && dropped)
		err = reapply_commit_ranges(r, ino);
	return err;
}

/* ---- ranges ---------------------------------------------------------------- */

/* mapping of lblk: *pblk (0 in a hole) and whether it is unwritten */
static errcode_t lookup(ext2_extent_handle_t h, blk64_t lblk, blk64_t *pblk,
			int *uninit)
{
	struct ext2fs_extent e;
	errcode_t err;

	*pblk = 0;
	*uninit = 0;
	err = ext2fs_extent_goto2(h, 0, lblk);
	if (err == EXT2_ET_EXTENT_NOT_FOUND)
		return 0;
	if (err)
		return err;
	err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (err)
		return err;
	if (lblk >= e.e_lblk && lblk < e.e_lblk + e.e_len) {
		*pblk = e.e_pblk + (lblk - e.e_lblk);
		*uninit = !!(e.e_flags & EXT2_EXTENT_FLAGS_UNINIT);
	}
	return 0;
}

static errcode_t open_extents(struct replay *r, ext2_ino_t ino,
			      struct ext2_inode_large *in,
			      ext2_extent_handle_t *h)
{
	if (!e2fc_inode_live(r->fs, ino, in))
		return EXT2_ET_INODE_NOT_EXTENT;	/* skipped */
	if (!e2fc_extent_mapped(in))
		return EXT2_ET_INODE_NOT_EXTENT;
	return ext2fs_extent_open2(r->fs, ino, (struct ext2_inode *)in, h);
}

static errcode_t apply_add_range(struct replay *r, const struct e2fc_tag *t)
{
	ext2_ino_t ino = t->u.add.ino;
	struct ext2_inode_large in;
	ext2_extent_handle_t h;
	blk64_t lblk, old, want;
	int uninit, flags = t->u.add.unwritten ? EXT2_EXTENT_SET_BMAP_UNINIT : 0;
	uint32_t i;
	errcode_t err;

	err = e2fc_note_inode(r, ino);
	if (err)
		return err;
	e2fc_names_forget(r->names, ino);	/* if a directory: new blocks */
	if (!e2fc_inode_live(r->fs, ino, &in) ||
	    (in.i_flags & EXT4_INLINE_DATA_FL))
		/* the kernel skips it (no inode yet, or inline data that
		 * this commit's INODE turns into extents); kept for the
		 * INODE tag later in the log */
		return r->in_pending ? 0 : e2fc_add_pending(r, t);
	err = open_extents(r, ino, &in, &h);
	if (err == EXT2_ET_INODE_NOT_EXTENT)
		return 0;
	if (err)
		return err;
	for (i = 0; i < t->u.add.len && !err; i++) {
		lblk = (blk64_t)t->u.add.lblk + i;
		want = t->u.add.pblk + i;
		err = lookup(h, lblk, &old, &uninit);
		if (err)
			break;
		if (old == want && uninit == t->u.add.unwritten)
			continue;
		err = ext2fs_extent_set_bmap(h, lblk, want, flags);
		if (!err && old && old != want)
			e2fc_touch_block(r, old, 1, 0);
	}
	ext2fs_extent_free(h);
	if (err)
		return err;
	return e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
}

static errcode_t apply_del_range(struct replay *r, const struct e2fc_tag *t)
{
	ext2_ino_t ino = t->u.del.ino;
	struct ext2_inode_large in;
	errcode_t err;

	if (!t->u.del.len)
		return 0;
	err = e2fc_note_inode(r, ino);
	if (err)
		return err;
	e2fc_names_forget(r->names, ino);	/* if a directory: new blocks */
	if (!e2fc_inode_live(r->fs, ino, &in))
		return 0;
	if (!e2fc_extent_mapped(&in))
		return 0;
	err = ext2fs_punch(r->fs, ino, (struct ext2_inode *)&in, NULL,
			   t->u.del.lblk,
			   (blk64_t)t->u.del.lblk + t->u.del.len - 1);
	if (err)
		return err;
	err = e2fc_write_inode(r->fs, ino, &in);
	if (err)
		return err;
	return e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
}

/* ---- directory entries ----------------------------------------------------- */

static int file_type(uint16_t mode)
{
	if (LINUX_S_ISREG(mode))
		return EXT2_FT_REG_FILE;
	if (LINUX_S_ISDIR(mode))
		return EXT2_FT_DIR;
	if (LINUX_S_ISCHR(mode))
		return EXT2_FT_CHRDEV;
	if (LINUX_S_ISBLK(mode))
		return EXT2_FT_BLKDEV;
	if (LINUX_S_ISFIFO(mode))
		return EXT2_FT_FIFO;
	if (LINUX_S_ISSOCK(mode))
		return EXT2_FT_SOCK;
	if (LINUX_S_ISLNK(mode))
		return EXT2_FT_SYMLINK;
	return EXT2_FT_UNKNOWN;
}

/* add name -> ino in parent unless the name exists; 1 if added */
static errcode_t add_entry(struct replay *r, ext2_ino_t parent,
			   const char *name, ext2_ino_t ino, uint16_t mode,
			   int *added)
{
	ext2_filsys fs = r->fs;
	struct ext2_inode_large dir;
	ext2_ino_t found;
	errcode_t err;

	*added = 0;
	if (!e2fc_inode_live(fs, parent, &dir) || !LINUX_S_ISDIR(dir.i_mode))
		return 0;
	err = e2fc_note_inode(r, parent);
	if (err)
		return err;
	err = e2fc_names_lookup(fs, r->names, parent, name, strlen(name),
				&found);
	if (err)
		return err;
	if (found)
		return 0;		/* exists: the kernel's EEXIST */
	err = ext2fs_link(fs, parent, name, ino, file_type(mode));
	if (err == EXT2_ET_DIR_NO_SPACE) {
		err = ext2fs_expand_dir(fs, parent);
		if (!err)
			err = ext2fs_link(fs, parent, name, ino,
					  file_type(mode));
	}
	if (!err)
		err = e2fc_names_set(r->names, parent, name, strlen(name), ino);
	if (err)
		return err;
	*added = 1;
	return e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, parent);
}

/* a fresh directory block with '.' and '..' at logical block 0 */
static errcode_t init_dir(struct replay *r, ext2_ino_t ino, ext2_ino_t parent,
			  struct ext2_inode_large *in)
{
	ext2_filsys fs = r->fs;
	ext2_extent_handle_t h;
	blk64_t pblk = 0;
	int uninit;
	char *buf = NULL;
	errcode_t err;

	e2fc_names_forget(r->names, ino);
	if (!e2fc_extent_mapped(in))
		return 0;	/* only extent-mapped directories */
	err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)in, &h);
	if (err)
		return err;
	err = lookup(h, 0, &pblk, &uninit);
	if (!err && !pblk) {
		err = ext2fs_alloc_block2(fs, 0, NULL, &pblk);
		if (!err)
			err = ext2fs_extent_set_bmap(h, 0, pblk, 0);
		if (!err)
			e2fc_touch_block(r, pblk, 1, 1);
	}
	ext2fs_extent_free(h);
	if (!err)
		err = ext2fs_new_dir_block(fs, ino, parent, &buf);
	if (!err)
		err = ext2fs_write_dir_block4(fs, pblk, buf, 0, ino);
	ext2fs_free_mem(&buf);
	if (err)
		return err;
	err = e2fc_read_inode(fs, ino, in);	/* set_bmap rewrote it */
	if (err)
		return err;
	in->i_size = fs->blocksize;
	in->i_size_high = 0;
	return e2fc_write_inode(fs, ino, in);
}

/* a directory's links change with the subdirectories it holds */
static errcode_t adjust_links(struct replay *r, ext2_ino_t dir, int delta)
{
	struct ext2_inode_large in;

	if (!e2fc_inode_live(r->fs, dir, &in))
		return 0;
	if (delta < 0 && in.i_links_count <= 2)
		return 0;
	in.i_links_count += delta;
	return e2fc_write_inode(r->fs, dir, &in);
}

static void dentry_name(const struct e2fc_tag *t, char *name)
{
	memcpy(name, t->u.dentry.name, t->u.dentry.name_len);
	name[t->u.dentry.name_len] = 0;
}

static errcode_t apply_link(struct replay *r, const struct e2fc_tag *t,
			    int creat)
{
	ext2_filsys fs = r->fs;
	ext2_ino_t ino = t->u.dentry.ino;
	struct ext2_inode_large in;
	char name[256];
	int added;
	errcode_t err;

	err = e2fc_note_inode(r, ino);
	if (err)
		return err;
	if (creat)
		e2fc_touch_inode(r, ino, 1);
	if (!e2fc_inode_live(fs, ino, &in))
		return 0;
	dentry_name(t, name);
	if (creat && LINUX_S_ISDIR(in.i_mode)) {
		err = init_dir(r, ino, t->u.dentry.parent, &in);
		if (err)
			return err;
		err = e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
		if (err)
			return err;
	}
	err = add_entry(r, t->u.dentry.parent, name, ino, in.i_mode, &added);
	if (err)
		return err;
	/*
	 * The kernel sets links to 1 on CREAT, also for a directory, and
	 * never counts the new '..' in the parent; e2fsck then finds both
	 * wrong unless INODE tags of both follow.  Here a new directory gets
	 * 2 and its parent one more (later INODE tags overwrite both with
	 * the logged values anyway).
	 */
	if (creat && LINUX_S_ISDIR(in.i_mode)) {
		in.i_links_count = 2;
		if (added)
			err = adjust_links(r, t->u.dentry.parent, 1);
	} else if (creat) {
		in.i_links_count = 1;
	} else if (added) {
		in.i_links_count++;
	} else {
		return 0;
	}
	in.i_ctime = r->now;
	if (!err)
		err = e2fc_write_inode(fs, ino, &in);
	return err;
}

static errcode_t apply_unlink(struct replay *r, const struct e2fc_tag *t)
{
	ext2_filsys fs = r->fs;
	ext2_ino_t ino = t->u.dentry.ino, parent = t->u.dentry.parent, found;
	struct ext2_inode_large in, dir;
	char name[256];
	errcode_t err;

	err = e2fc_note_inode(r, ino);
	if (!err)
		err = e2fc_note_inode(r, parent);
	if (err)
		return err;
	if (!e2fc_inode_live(fs, ino, &in) || !e2fc_inode_live(fs, parent, &dir))
		return 0;
	dentry_name(t, name);
	err = e2fc_names_lookup(fs, r->names, parent, name, strlen(name),
				&found);
	if (err)
		return err;
	if (found != ino)
		return 0;	/* gone already, or another inode's name */
	err = ext2fs_unlink(fs, parent, name, ino, 0);
	if (!err)
		err = e2fc_names_set(r->names, parent, name, strlen(name), 0);
	if (err)
		return err;
	/* re-read: an inline directory's entries live in its inode */
	err = e2fc_read_inode(fs, parent, &dir);
	if (err)
		return err;
	dir.i_mtime = dir.i_ctime = r->now;
	err = e2fc_write_inode(fs, parent, &dir);
	if (err)
		return err;
	if (in.i_links_count)
		in.i_links_count--;
	/* a directory loses its '.' link too, and its parent a '..' */
	if (LINUX_S_ISDIR(in.i_mode) && in.i_links_count == 1) {
		in.i_links_count = 0;
		err = adjust_links(r, parent, -1);
		if (err)
			return err;
	}
	in.i_ctime = r->now;
	err = e2fc_write_inode(fs, ino, &in);
	if (!err && !in.i_links_count)
		err = e2fc_add_ino(&r->orphans, &r->norph, &r->caporph, ino);
	return err;
}

errcode_t e2fc_apply_tag(struct replay *r, const struct e2fc_tag *t)
{
	switch (t->tag) {
	case EXT4_FC_TAG_INODE:
		return apply_inode(r, t);
	case EXT4_FC_TAG_ADD_RANGE:
		return apply_add_range(r, t);
	case EXT4_FC_TAG_DEL_RANGE:
		return apply_del_range(r, t);
	case EXT4_FC_TAG_CREAT:
		return apply_link(r, t, 1);
	case EXT4_FC_TAG_LINK:
		return apply_link(r, t, 0);
	case EXT4_FC_TAG_UNLINK:
		return apply_unlink(r, t);
	}
	return 0;	/* HEAD, PAD, TAIL */
}
