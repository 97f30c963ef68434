// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_apply.c -- apply one fast-commit tag to the file system, with the
 * kernel's effect (doc/design.md, doc/format.md):
 *
 *   INODE      free the blocks the on-disk inode maps (they are marked
 *              again at the end if still mapped), copy the logged inode
 *              over it except i_block (kept; inline data is copied; a
 *              missing extent header becomes an empty one), mark it used.
 *   ADD_RANGE  map each block of the range to its new place: insert into
 *              a hole, replace a different mapping (the old block is
 *              freed), or flip written/unwritten.  Block-mapped inodes
 *              (no extents) get block pointers; unwritten is refused.
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
#include "fc_array.h"

static void unmark_cb(ext2_filsys fs, blk64_t blk, blk64_t count, void *arg)
{
	e2fc_touch_block(arg, blk, count, 0);
}

/* ---- INODE --------------------------------------------------------------- */

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
	if (len < RI_GENERATION + 4 || !cur->i_mode ||
	    cur->i_generation == e2fc_get_le32(src + RI_GENERATION))
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
 * An inode without EXTENTS_FL keeps the i_block it has; when that is an
 * extent root (an earlier tag of the log made it one) and the inode has
 * blocks (a file, a directory, a slow symlink), its header and entries
 * read as pointers to blocks 4, 1, ... that the replay would later free
 * as the inode's: refused, as the check refuses bad pointers.
 */
static int kept_root_as_pointers(ext2_filsys fs, uint8_t *raw,
				 uint32_t flags)
{
	if (flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))
		return 0;
	if (e2fc_get_le16(raw + RI_BLOCK) != EXT4_EXT_MAGIC)
		return 0;
	return ext2fs_inode_has_valid_blocks2(fs, (struct ext2_inode *)raw);
}

/*
 * The logged raw inode over the on-disk one (dst, as read: the full
 * on-disk inode size, since with inline data the kernel logs the whole
 * inode, in-inode xattrs with system.data, more than struct
 * ext2_inode_large holds), except i_block (unless inline data).
 */
static errcode_t overlay_raw(ext2_filsys fs, ext2_ino_t ino,
			     const struct ext2_inode_large *cur, uint8_t *dst,
			     const uint8_t *src, unsigned len)
{
	uint32_t flags;

	memcpy(dst + RI_BLOCK, cur->i_block, sizeof(cur->i_block));
	memcpy(dst, src, RI_BLOCK);
	if (len > RI_GENERATION)
		memcpy(dst + RI_GENERATION, src + RI_GENERATION,
		       len - RI_GENERATION);
	flags = e2fc_get_le32(dst + RI_FLAGS);
	if (kept_root_as_pointers(fs, dst, flags))
		return E2FC_ERR_BAD_BLOCK;
	if (flags & EXT4_INLINE_DATA_FL) {
		memcpy(dst + RI_BLOCK, src + RI_BLOCK, RI_BLOCK_LEN);
	} else if ((flags & EXT4_EXTENTS_FL) &&
		   e2fc_get_le16(dst + RI_BLOCK) != EXT4_EXT_MAGIC) {
		memset(dst + RI_BLOCK, 0, RI_BLOCK_LEN);
		e2fc_put_le16(dst + RI_BLOCK, EXT4_EXT_MAGIC);
		e2fc_put_le16(dst + RI_BLOCK + EXT4_EXT_HDR_MAX,
			      (RI_BLOCK_LEN - EXT4_EXT_HDR_SIZE) /
			      EXT4_EXT_ENTRY_SIZE);
	}
	return e2fc_inode_write(fs, ino, dst, EXT2_INODE_SIZE(fs->super));
}

static errcode_t apply_add_range(struct replay *r, const struct e2fc_tag *t);

/*
 * A file created and written inside one fast-commit window can log its
 * ranges before the INODE tag that gives it a mode and links: the kernel
 * skips those ranges (its inode lookup fails) and the fsynced data reads
 * back as zeros.  Here they wait, and are applied, in log order, once an
 * INODE tag has made the inode live.
 */
static errcode_t add_pending(struct replay *r, const struct e2fc_tag *t)
{
	errcode_t err;

	err = e2fc_array_grow(&r->pending, &r->cappend, r->npend + 1,
			      sizeof(*r->pending));
	if (err)
		return err;
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

/* the inode in full (dst: its on-disk size, host order) and as *cur,
 * read once: nothing below writes it before overlay_raw */
static errcode_t read_full(ext2_filsys fs, ext2_ino_t ino, uint8_t *dst,
			   struct ext2_inode_large *cur)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super);
	errcode_t err;

	err = e2fc_inode_read(fs, ino, dst, isz);
	if (err)
		return err;
	memset(cur, 0, sizeof(*cur));
	memcpy(cur, dst, isz < sizeof(*cur) ? isz : sizeof(*cur));
	return 0;
}

/* the INODE tag over dst, the inode as read into cur */
static errcode_t apply_raw(struct replay *r, const struct e2fc_tag *t,
			   struct ext2_inode_large *cur, uint8_t *dst,
			   unsigned len)
{
	ext2_filsys fs = r->fs;
	ext2_ino_t ino = t->u.inode.ino;
	const uint8_t *src = t->u.inode.raw;
	int dropped = 0;
	errcode_t err;

	if (cur->i_links_count && cur->i_mode) {	/* e2fc_inode_live */
		err = e2fc_walk_blocks(fs, ino, (struct ext2_inode *)cur,
				       unmark_cb, r);
		if (err)
			return err;
	}
	/* a directory whose entries may change with its inode: inline
	 * data, or a reused inode number (a new tree) */
	if (((cur->i_flags | e2fc_get_le32(src + RI_FLAGS)) &
	     EXT4_INLINE_DATA_FL) ||
	    (len >= RI_GENERATION + 4 &&
	     cur->i_generation != e2fc_get_le32(src + RI_GENERATION)))
		e2fc_names_forget(r->names, ino);
	err = drop_old_tree(r, ino, cur, src, len, &dropped);
	if (!err)
		err = overlay_raw(fs, ino, cur, dst, src, len);
	if (err)
		return err;
	e2fc_touch_inode(r, ino, 1);
	err = e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
	if (!err && r->npend && e2fc_inode_live(fs, ino, cur))
		err = apply_pending(r, ino);
	if (!err && dropped)
		err = reapply_commit_ranges(r, ino);
	return err;
}

static errcode_t apply_inode(struct replay *r, const struct e2fc_tag *t)
{
	ext2_filsys fs = r->fs;
	ext2_ino_t ino = t->u.inode.ino;
	unsigned isz = EXT2_INODE_SIZE(fs->super), len = t->u.inode.raw_len;
	struct ext2_inode_large cur;
	uint8_t *dst = NULL;
	errcode_t err;

	err = e2fc_note_inode(r, ino);
	if (err)
		return err;
	if (len > isz)
		len = isz;
	if (len < RI_BLOCK)
		return E2FC_ERR_BAD_INODE;
	err = ext2fs_get_memzero(isz, &dst);
	if (err)
		return err;
	err = read_full(fs, ino, dst, &cur);
	if (!err)
		err = apply_raw(r, t, &cur, dst, len);
	ext2fs_free_mem(&dst);
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

/*
 * ADD_RANGE works run by run, not block by block: the range is cut at
 * the edges of the extents it meets, and each piece is either already
 * right (skipped), a hole (filled), or mapped otherwise (cut out of its
 * extent, then filled).  A hole is filled by growing the extent that
 * ends at it, by one new extent per maximum length, and by growing the
 * extent that starts right after it, whenever the blocks and the state
 * continue.  The mapping is the one mapping each block alone would give.
 */

static blk64_t max_len(int uninit)
{
	return uninit ? EXT_UNINIT_MAX_LEN : EXT_INIT_MAX_LEN;
}

static int is_uninit(const struct ext2fs_extent *e)
{
	return !!(e->e_flags & EXT2_EXTENT_FLAGS_UNINIT);
}

/* e maps lblk..lblk+len-1 to pblk.. with that state */
static int continues(const struct ext2fs_extent *e, blk64_t lblk,
		     blk64_t pblk, int uninit)
{
	return e->e_lblk + e->e_len == lblk && e->e_pblk + e->e_len == pblk &&
	       is_uninit(e) == uninit;
}

static void set_extent(struct ext2fs_extent *e, blk64_t lblk, blk64_t pblk,
		       blk64_t len, int uninit)
{
	memset(e, 0, sizeof(*e));
	e->e_lblk = lblk;
	e->e_pblk = pblk;
	e->e_len = len;
	e->e_flags = EXT2_EXTENT_FLAGS_LEAF |
		     (uninit ? EXT2_EXTENT_FLAGS_UNINIT : 0);
}

/*
 * The leaf extent after the current one, whatever node holds it.  (After
 * ext2fs_extent_goto2() EXT2_EXTENT_NEXT_LEAF may come back to the first
 * extent of the same leaf: goto leaves the index nodes marked unvisited.)
 */
static errcode_t next_extent(ext2_extent_handle_t h, struct ext2fs_extent *e)
{
	int ups = 0;
	errcode_t err;

	while ((err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT_SIB, e)) ==
	       EXT2_ET_EXTENT_NO_NEXT) {
		err = ext2fs_extent_get(h, EXT2_EXTENT_UP, e);
		if (err == EXT2_ET_EXTENT_NO_UP)
			return EXT2_ET_EXTENT_NO_NEXT;
		if (err)
			return err;
		ups++;
	}
	while (!err && ups--)
		err = ext2fs_extent_get(h, EXT2_EXTENT_DOWN, e);
	return err;
}

/*
 * Where lblk is: *found and the extent e holding it, or, in a hole, the
 * start of the next extent in *next (~0 if none).  The handle is left on
 * e, or on the extent before the hole (the first one if the hole comes
 * first; none if the tree is empty).
 */
static errcode_t locate(ext2_extent_handle_t h, blk64_t lblk,
			struct ext2fs_extent *e, int *found, blk64_t *next)
{
	errcode_t err;

	memset(e, 0, sizeof(*e));
	*found = 0;
	*next = ~0ULL;
	err = ext2fs_extent_goto2(h, 0, lblk);
	if (err && err != EXT2_ET_EXTENT_NOT_FOUND)
		return err;
	*found = !err;
	err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, e);
	if (err == EXT2_ET_NO_CURRENT_NODE && !*found)
		return 0;			/* empty tree */
	if (err || *found)
		return err;
	if (e->e_lblk > lblk) {
		*next = e->e_lblk;
		return 0;
	}
	err = next_extent(h, e);
	if (err == EXT2_ET_EXTENT_NO_NEXT)
		return 0;
	if (!err)
		*next = e->e_lblk;
	return err;
}

/*
 * fix_parents() after a change at the current extent.  A delete may have
 * left no current entry.  After a delete that emptied a leaf the handle
 * is on an index, and fix_parents() ends with a goto to that index,
 * which fails when the index starts at the block i_size ends in (the
 * handle takes the last index's length from i_size: 0 there); the keys
 * are fixed by then, and every caller goes to its block afresh.
 */
static errcode_t fix_parents(ext2_extent_handle_t h)
{
	errcode_t err = ext2fs_extent_fix_parents(h);

	if (err == EXT2_ET_NO_CURRENT_NODE || err == EXT2_ET_EXTENT_NOT_FOUND)
		return 0;
	return err;
}

/* unmap lblk..lblk+len-1, all inside e, the current extent; the blocks
 * stay allocated (the caller releases them) */
static errcode_t cut(ext2_extent_handle_t h, const struct ext2fs_extent *e,
		     blk64_t lblk, blk64_t len)
{
	blk64_t left = lblk - e->e_lblk;
	blk64_t right = e->e_lblk + e->e_len - (lblk + len);
	struct ext2fs_extent x;
	errcode_t err;

	if (!left && !right) {
		err = ext2fs_extent_delete(h, 0);
		return err ? err : fix_parents(h);
	}
	if (!left) {
		set_extent(&x, lblk + len, e->e_pblk + len, right,
			   is_uninit(e));
		err = ext2fs_extent_replace(h, 0, &x);
		return err ? err : fix_parents(h);
	}
	set_extent(&x, e->e_lblk, e->e_pblk, left, is_uninit(e));
	err = ext2fs_extent_replace(h, 0, &x);
	if (err || !right)
		return err;
	set_extent(&x, lblk + len, e->e_pblk + left + len, right,
		   is_uninit(e));
	return ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &x);
}

/* grow the extent that ends at lblk by up to *len blocks from pblk;
 * *len drops by what it took */
static errcode_t grow_prev(ext2_extent_handle_t h, blk64_t lblk,
			   blk64_t pblk, blk64_t *len, int uninit)
{
	struct ext2fs_extent e;
	blk64_t k;
	errcode_t err;

	if (!lblk)
		return 0;
	err = ext2fs_extent_goto2(h, 0, lblk - 1);
	if (err == EXT2_ET_EXTENT_NOT_FOUND)
		return 0;
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (err || !continues(&e, lblk, pblk, uninit) ||
	    e.e_len >= max_len(uninit))
		return err;
	k = max_len(uninit) - e.e_len;
	if (k > *len)
		k = *len;
	e.e_len += k;
	err = ext2fs_extent_replace(h, 0, &e);
	if (!err)
		*len -= k;
	return err;
}

/* map the hole lblk..lblk+len-1 (len <= max_len) to pblk..: as the new
 * start of the extent that follows, or as a new extent */
static errcode_t put_piece(ext2_extent_handle_t h, blk64_t lblk, blk64_t pblk,
			   blk64_t len, int uninit)
{
	struct ext2fs_extent e, x;
	blk64_t next;
	int found, flags = 0;
	errcode_t err;

	err = locate(h, lblk, &e, &found, &next);
	if (err)
		return err;
	if (found)
		return EXT2_ET_EXTENT_NOT_FOUND;	/* not a hole */
	if (next == lblk + len && e.e_pblk == pblk + len &&
	    is_uninit(&e) == uninit && e.e_len + len <= max_len(uninit)) {
		/* the handle is on that next extent */
		set_extent(&x, lblk, pblk, e.e_len + len, uninit);
		err = ext2fs_extent_replace(h, 0, &x);
		return err ? err : fix_parents(h);
	}
	err = ext2fs_extent_goto2(h, 0, lblk);
	if (err != EXT2_ET_EXTENT_NOT_FOUND)
		return err ? err : EXT2_ET_EXTENT_NOT_FOUND;
	err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (err == EXT2_ET_NO_CURRENT_NODE) {
		struct ext2_extent_info info;

		err = ext2fs_extent_get_info(h, &info);
		if (!err && info.max_depth)
			err = EXT2_ET_EXTENT_NO_DOWN;	/* empty leaf */
	} else if (!err && e.e_lblk < lblk) {
		flags = EXT2_EXTENT_INSERT_AFTER;
	}
	if (err)
		return err;
	set_extent(&x, lblk, pblk, len, uninit);
	err = ext2fs_extent_insert(h, flags, &x);
	return err ? err : fix_parents(h);
}

/* the extents ending and starting at lblk become one if the blocks and
 * the state continue and the sum fits */
static errcode_t join_at(ext2_extent_handle_t h, blk64_t lblk)
{
	struct ext2fs_extent a, b;
	errcode_t err;

	if (!lblk)
		return 0;
	err = ext2fs_extent_goto2(h, 0, lblk);
	if (err == EXT2_ET_EXTENT_NOT_FOUND)
		return 0;
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &b);
	if (!err)
		err = ext2fs_extent_goto2(h, 0, lblk - 1);
	if (err == EXT2_ET_EXTENT_NOT_FOUND)
		return 0;
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &a);
	if (err || b.e_lblk != lblk ||
	    !continues(&a, lblk, b.e_pblk, is_uninit(&b)) ||
	    a.e_len + b.e_len > max_len(is_uninit(&b)))
		return err;
	err = ext2fs_extent_goto2(h, 0, lblk);
	if (!err)
		err = ext2fs_extent_delete(h, 0);
	if (!err)
		err = fix_parents(h);
	if (!err)
		err = ext2fs_extent_goto2(h, 0, lblk - 1);
	if (err)
		return err;
	a.e_len += b.e_len;
	return ext2fs_extent_replace(h, 0, &a);
}

/* map the hole lblk..lblk+len-1 to pblk.. */
static errcode_t fill_hole(ext2_extent_handle_t h, blk64_t lblk, blk64_t pblk,
			   blk64_t len, int uninit)
{
	blk64_t left = len, k;
	errcode_t err;

	err = grow_prev(h, lblk, pblk, &left, uninit);
	while (!err && left) {
		k = left < max_len(uninit) ? left : max_len(uninit);
		err = put_piece(h, lblk + len - left, pblk + len - left, k,
				uninit);
		left -= k;
	}
	return err ? err : join_at(h, lblk + len);
}

/* one piece of the range, lblk..lblk+*len-1 at most: where it lies in
 * one extent or one hole; *len becomes the piece's length */
static errcode_t map_piece(struct replay *r, ext2_extent_handle_t h,
			   blk64_t lblk, blk64_t pblk, blk64_t *len,
			   int uninit)
{
	struct ext2fs_extent e;
	blk64_t next, old;
	int found;
	errcode_t err;

	err = locate(h, lblk, &e, &found, &next);
	if (err)
		return err;
	if (!found) {
		if (next <= lblk)
			return EXT2_ET_EXTENT_LEAF_BAD;	/* overlapping */
		if (next - lblk < *len)
			*len = next - lblk;
		return fill_hole(h, lblk, pblk, *len, uninit);
	}
	if (e.e_lblk + e.e_len - lblk < *len)
		*len = e.e_lblk + e.e_len - lblk;
	old = e.e_pblk + (lblk - e.e_lblk);
	if (old == pblk && is_uninit(&e) == uninit)
		return 0;
	err = cut(h, &e, lblk, *len);
	if (err)
		return err;
	if (old != pblk)
		e2fc_touch_block(r, old, *len, 0);
	return fill_hole(h, lblk, pblk, *len, uninit);
}

static errcode_t map_range(struct replay *r, ext2_extent_handle_t h,
			   const struct e2fc_tag *t)
{
	blk64_t done = 0, n;
	errcode_t err = 0;

	while (!err && done < t->u.add.len) {
		n = t->u.add.len - done;
		err = map_piece(r, h, (blk64_t)t->u.add.lblk + done,
				t->u.add.pblk + done, &n, t->u.add.unwritten);
		done += n;
	}
	return err;
}

/*
 * A block-mapped inode (a file system without extents; the kernel writes
 * fast commits for it, and its own replay cannot map them): each block's
 * pointer is set, indirect blocks allocated as needed.  Such an inode
 * has no unwritten state: an unwritten range is refused (the tag is
 * skipped).
 */
static errcode_t map_blocks(struct replay *r, ext2_ino_t ino,
			    struct ext2_inode_large *in,
			    const struct e2fc_tag *t)
{
	struct ext2_inode *inode = (struct ext2_inode *)in;
	blk64_t lblk, old, want;
	uint32_t i;
	errcode_t err = 0;

	if (t->u.add.unwritten)
		return EXT2_ET_INODE_NOT_EXTENT;
	for (i = 0; i < t->u.add.len && !err; i++) {
		lblk = (blk64_t)t->u.add.lblk + i;
		want = t->u.add.pblk + i;
		old = 0;
		err = ext2fs_bmap2(r->fs, ino, inode, NULL, 0, lblk, NULL,
				   &old);
		if (err || old == want)
			continue;
		err = ext2fs_bmap2(r->fs, ino, inode, NULL,
				   BMAP_SET | BMAP_ALLOC, lblk, NULL, &want);
		if (!err && old)
			e2fc_touch_block(r, old, 1, 0);
	}
	return err;
}

static errcode_t apply_add_range(struct replay *r, const struct e2fc_tag *t)
{
	ext2_ino_t ino = t->u.add.ino;
	struct ext2_inode_large in;
	ext2_extent_handle_t h;
	int hooked;
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
		return r->in_pending ? 0 : add_pending(r, t);
	if (!e2fc_extent_mapped(&in) &&
	    !ext2fs_inode_has_valid_blocks2(r->fs, (struct ext2_inode *)&in))
		return 0;	/* a device, a fast symlink */
	/* libext2fs's extent and bmap code writes the inode with
	 * ext2fs_write_inode: its software checksum, the inode read again
	 * and its whole inode-table block copied, per change */
	hooked = e2fc_inode_hooks_set(r->fs);
	if (!e2fc_extent_mapped(&in)) {
		err = map_blocks(r, ino, &in, t);
	} else {
		err = ext2fs_extent_open2(r->fs, ino,
					  (struct ext2_inode *)&in, &h);
		if (!err) {
			err = map_range(r, h, t);
			ext2fs_extent_free(h);
		}
	}
	e2fc_inode_hooks_clear(r->fs, hooked);
	if (err)
		return err;
	return e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
}

/*
 * ext2fs_punch() takes what it frees off i_blocks and stops half-way
 * (EOVERFLOW) when i_blocks holds less, which it does during the replay:
 * ranges map blocks without counting them (settle_inodes() counts them
 * from the final map).  So i_blocks is lifted out of reach first, and the
 * inode noted as modified before the punch.
 */
static void lift_iblocks(ext2_filsys fs, struct ext2_inode_large *in)
{
	in->i_blocks = 0xffffffff;
	if (ext2fs_has_feature_huge_file(fs->super))
		in->osd2.linux2.l_i_blocks_hi = 0xffff;
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
	/* extents, or block pointers (not inline data, a device, a fast
	 * symlink) */
	if (!e2fc_extent_mapped(&in) &&
	    ((in.i_flags & EXT4_INLINE_DATA_FL) ||
	     !ext2fs_inode_has_valid_blocks2(r->fs, (struct ext2_inode *)&in)))
		return 0;
	err = e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, ino);
	if (err)
		return err;
	lift_iblocks(r->fs, &in);
	err = ext2fs_punch(r->fs, ino, (struct ext2_inode *)&in, NULL,
			   t->u.del.lblk,
			   (blk64_t)t->u.del.lblk + t->u.del.len - 1);
	if (err)
		return err;
	return e2fc_write_inode(r->fs, ino, &in);
}

/* ---- directory entries ----------------------------------------------------- */

/* for the verifier's link counts (fc_verify.c) */
static errcode_t name_change(struct replay *r, ext2_ino_t ino, int delta)
{
	errcode_t err;

	err = e2fc_array_grow(&r->namechg, &r->capnamechg, r->nnamechg + 1,
			      sizeof(*r->namechg));
	if (err)
		return err;
	r->namechg[r->nnamechg].ino = ino;
	r->namechg[r->nnamechg++].delta = delta;
	return 0;
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
	/* dir as read above: nothing since has written it */
	err = e2fc_names_link_in(fs, r->names, parent,
				 (struct ext2_inode *)&dir, name, ino,
				 e2fc_file_type(mode));
	if (!err)
		err = e2fc_names_set(r->names, parent, name, strlen(name), ino);
	if (err)
		return err;
	*added = 1;
	err = name_change(r, ino, 1);
	if (err)
		return err;
	return e2fc_add_ino(&r->modified, &r->nmod, &r->capmod, parent);
}

/* logical block 0 of an extent-mapped directory, allocated if a hole */
static errcode_t first_block_extent(struct replay *r, ext2_ino_t ino,
				    struct ext2_inode_large *in,
				    blk64_t *pblk)
{
	ext2_extent_handle_t h;
	int uninit;
	errcode_t err;

	*pblk = 0;
	err = ext2fs_extent_open2(r->fs, ino, (struct ext2_inode *)in, &h);
	if (err)
		return err;
	err = lookup(h, 0, pblk, &uninit);
	if (!err && !*pblk) {
		err = ext2fs_alloc_block2(r->fs, 0, NULL, pblk);
		if (!err)
			err = ext2fs_extent_set_bmap(h, 0, *pblk, 0);
		if (!err)
			e2fc_touch_block(r, *pblk, 1, 1);
	}
	ext2fs_extent_free(h);
	return err;
}

/*
 * logical block 0 of a block-mapped directory: ext2fs_bmap2() allocates
 * it through the replay's hooks when unmapped (and writes the inode)
 */
static errcode_t first_block_ind(struct replay *r, ext2_ino_t ino,
				 struct ext2_inode_large *in, blk64_t *pblk)
{
	errcode_t err;

	*pblk = 0;
	err = ext2fs_bmap2(r->fs, ino, (struct ext2_inode *)in, NULL,
			   BMAP_ALLOC, 0, NULL, pblk);
	if (err)
		return err;
	if (!*pblk)
		return EXT2_ET_BLOCK_ALLOC_FAIL;
	e2fc_touch_block(r, *pblk, 1, 1);
	return 0;
}

/* a fresh directory block with '.' and '..' at logical block 0 (extents or
 * block pointers; an inline directory has them in its inode) */
static errcode_t init_dir(struct replay *r, ext2_ino_t ino, ext2_ino_t parent,
			  struct ext2_inode_large *in)
{
	ext2_filsys fs = r->fs;
	blk64_t pblk = 0;
	char *buf = NULL;
	errcode_t err;

	e2fc_names_forget(r->names, ino);
	if (in->i_flags & EXT4_INLINE_DATA_FL)
		return 0;	/* '.'/'..' live in the inode */
	if (e2fc_extent_mapped(in))
		err = first_block_extent(r, ino, in, &pblk);
	else
		err = first_block_ind(r, ino, in, &pblk);
	if (!err)
		err = ext2fs_new_dir_block(fs, ino, parent, &buf);
	if (!err)
		err = ext2fs_write_dir_block4(fs, pblk, buf, 0, ino);
	ext2fs_free_mem(&buf);
	if (err)
		return err;
	err = e2fc_read_inode(fs, ino, in);	/* the mapping rewrote it */
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

static int count_subdir(struct ext2_dir_entry *de, int offset, int bsize,
			char *buf, void *priv)
{
	unsigned len = ext2fs_dirent_name_len(de);

	if (de->inode && ext2fs_dirent_file_type(de) == EXT2_FT_DIR &&
	    !(len == 1 && de->name[0] == '.') &&
	    !(len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		++*(unsigned *)priv;
	return 0;
}

/*
 * The links of a directory a CREAT makes: 2, and one per subdirectory it
 * already holds.  An inline directory's INODE tag, logged before its
 * CREAT, brings its entries along (those of subdirectories whose own
 * CREATs follow, which then find their name there and count nothing);
 * a directory in blocks starts empty here (init_dir).
 */
static unsigned new_dir_links(struct replay *r, ext2_ino_t ino,
			      const struct ext2_inode_large *in)
{
	unsigned n = 0;

	if (!(in->i_flags & EXT4_INLINE_DATA_FL))
		return 2;
	if (ext2fs_dir_iterate(r->fs, ino, DIRENT_FLAG_INCLUDE_INLINE_DATA,
			       NULL, count_subdir, &n))
		return 2;
	return n > EXT2_LINK_MAX - 2 ? 2 : 2 + n;
}

static void dentry_name(const struct e2fc_tag *t, char *name)
{
	memcpy(name, t->u.dentry.name, t->u.dentry.name_len);
	name[t->u.dentry.name_len] = 0;
}

/* in use, with a mode but no links: an O_TMPFILE file (or one unlinked
 * while open) that linkat() named and fsynced.  The kernel's lookup
 * (ext4_iget) refuses an inode without links; the name is added here
 * (else e2fsck finds the inode unattached) */
static int unnamed_inode(struct replay *r, ext2_ino_t ino,
			 const struct ext2_inode_large *in)
{
	return in->i_mode && !in->i_links_count && e2fc_ino_in_use(r, ino);
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
	memset(&in, 0, sizeof(in));
	if (!e2fc_inode_live(fs, ino, &in) &&
	    (creat || !unnamed_inode(r, ino, &in)))
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
	 * 2 (more for the subdirectories an inline one already names) and
	 * its parent one more (later INODE tags overwrite both with the
	 * logged values anyway).
	 */
	if (creat && LINUX_S_ISDIR(in.i_mode)) {
		in.i_links_count = new_dir_links(r, ino, &in);
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
	err = e2fc_names_unlink(fs, r->names, parent, name, ino);
	if (err)
		return err;
	err = name_change(r, ino, -1);
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
