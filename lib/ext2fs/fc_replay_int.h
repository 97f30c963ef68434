/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_replay_int.h -- the state of one replay, shared by the driver
 * (fc_replay.c), the tag handlers (fc_apply.c) and the bitmaps
 * (fc_bitmaps.c); the layers are listed in fc_meta.h.  Not installed.
 *
 * A replay is found from its file system through fs->priv_data while
 * its allocation hooks are set (libext2fs's hooks get only the fs):
 * nothing of a replay is global, two file systems replay independently.
 */
#ifndef E2FC_REPLAY_INT_H
#define E2FC_REPLAY_INT_H

#include "fc_meta.h"
#include "fc_names.h"

struct ino_note {
	ext2_ino_t	ino;
	int		was_dir;	/* in use as a directory before replay */
	int		was_live;	/* in use, with links, before replay */
	uint16_t	links, mode;	/* before replay, when was_live */
};

/* a name the replay added (+1) or removed (-1) for ino (fc_verify.c) */
struct name_change {
	ext2_ino_t	ino;
	int		delta;
};

/* struct replay's gstate bits of a group */
#define GS_BB_LOADED	0x01	/* its block bitmap is in fs->block_map */
#define GS_IB_LOADED	0x02	/* its inode bitmap is in fs->inode_map */
#define GS_BB_UNINIT	0x04	/* BLOCK_UNINIT when the replay began */
#define GS_IB_UNINIT	0x08	/* INODE_UNINIT when the replay began */
#define GS_TOUCHED	0x10	/* the replay changed its bitmaps or counts */

struct replay {
	ext2_filsys			fs;
	struct e2fc_replay_stats	*st;
	ext2fs_block_bitmap		excluded;	/* ADD_RANGE targets */
	ext2fs_block_bitmap		released;	/* unmapped during the
							 * replay: freed at the
							 * end unless mapped */
	ext2fs_block_bitmap		owned;		/* mapped at the end */
	int				settling;	/* frees are final */
	__u16				old_bitmap_type;
	struct e2fc_names		*names;		/* fc_names.c */
	const struct e2fc_tag		**pending;	/* ADD_RANGEs waiting
							 * for their INODE */
	unsigned			npend, cappend;
	int				in_pending;	/* applying them */
	const struct e2fc_tag		*ctags;		/* current commit */
	unsigned			cpos;		/* current tag in it */
	ext2fs_inode_bitmap		seen;		/* inodes noted */
	struct ino_note			*notes;
	unsigned			nnotes, capnotes;
	ext2_ino_t			*modified;	/* block maps to mark */
	unsigned			nmod, capmod;
	ext2fs_inode_bitmap		modmap;
	ext2_ino_t			*orphans;	/* links fell to 0 */
	unsigned			norph, caporph;
	struct name_change		*namechg;	/* in tag order */
	unsigned			nnamechg, capnamechg;
	ext2_ino_t			*listed;	/* the orphan list as
							 * the log left it */
	unsigned			nlisted, caplisted;
	uint32_t			now;
	errcode_t			err;		/* first error of a hook
							 * or void helper */
	/* fc_bitmaps.c: one byte of GS_* bits per group */
	uint8_t				*gstate;
	/* e2fc_gdt_sums of the descriptors when the replay began, taken
	 * with the groups' flags (e2fc_bitmaps_init) */
	uint32_t			*sums;
	int				partial;	/* maps loaded lazily */
	int				verify;		/* bitmap checksums */
	uint8_t				*buf;		/* one block */
	struct meta_map			meta;		/* when meta_built */
	int				meta_built;
	int				meta_lent;	/* meta is the plan's */
	/* the fs's allocation hooks before ours */
	errcode_t (*old_alloc)(ext2_filsys, blk64_t, blk64_t *);
	void (*old_stats)(ext2_filsys, blk64_t, int);
	errcode_t (*old_range)(ext2_filsys, int, blk64_t, blk64_t, blk64_t *,
			       blk64_t *);
	void (*old_stats_range)(ext2_filsys, blk64_t, blk_t, int);
	void				*old_priv;	/* fs->priv_data */
};

/* keep the first error of a hook or a void helper; the replay stops at
 * the end of the tag */
static inline void e2fc_replay_fail(struct replay *r, errcode_t err)
{
	if (err && !r->err)
		r->err = err;
}

/* ---- fc_replay.c: the driver ------------------------------------------- */
/* free what a replay holds (any member may be unset) */
void e2fc_replay_free(struct replay *r);

/* ---- fc_apply.c: the tags ---------------------------------------------- */
errcode_t e2fc_apply_tag(struct replay *r, const struct e2fc_tag *t);

/* ---- fc_verify.c: the replay's result, before it is flushed ---------- */
/* every touched inode and directory keeps e2fsck's rules, else
 * E2FC_ERR_VERIFY_* and st->verify_ino */
errcode_t e2fc_verify(struct replay *r);

/* ---- fc_orphan.c: the orphan list and orphan file --------------------- */
/* process and clear them after the tags (the kernel's orphan cleanup) */
errcode_t e2fc_orphans_listed(struct replay *r);
errcode_t e2fc_orphans_settle(struct replay *r);

/* ---- fc_bitmaps.c: bitmaps and allocation ------------------------------- */
/* group g's bitmaps or counts change: its counts are settled, its
 * descriptor written */
static inline void e2fc_touch_group(struct replay *r, dgrp_t g)
{
	r->gstate[g] |= GS_TOUCHED;
}

errcode_t e2fc_bitmaps_init(struct replay *r);
/* the groups the replay touched, one byte each (1: touched), for
 * e2fc_gdt_flush; the caller's to free.  After it r has no gstate: only
 * e2fc_bitmaps_done is left to call. */
uint8_t *e2fc_bitmaps_touched(struct replay *r);
errcode_t e2fc_load_block_group(struct replay *r, dgrp_t g);
errcode_t e2fc_load_inode_group(struct replay *r, dgrp_t g);
/* both of group g's bitmaps */
errcode_t e2fc_load_group(struct replay *r, dgrp_t g);
errcode_t e2fc_load_blocks(struct replay *r, blk64_t blk, blk64_t count);
/* r->meta built, or lent by the plan, before its first use */
errcode_t e2fc_meta_ready(struct replay *r);
/* inode bitmap bit of ino (its group loaded first) */
int e2fc_ino_in_use(struct replay *r, ext2_ino_t ino);
/* mark blocks or an inode used or free; their groups are recounted */
void e2fc_touch_block(struct replay *r, blk64_t blk, blk64_t count, int use);
void e2fc_touch_inode(struct replay *r, ext2_ino_t ino, int use);
/* remember whether ino was a directory in use before the replay */
errcode_t e2fc_note_inode(struct replay *r, ext2_ino_t ino);
errcode_t e2fc_bitmaps_write(struct replay *r, dgrp_t g);
void e2fc_bitmaps_done(struct replay *r);
/* libext2fs allocates through the replay from here on (fs->priv_data) */
errcode_t e2fc_hooks_set(struct replay *r);
void e2fc_hooks_clear(struct replay *r);

/* fc_cluster.c: counts in clusters on bigalloc */
errcode_t e2fc_count_iblocks(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode *inode, blk64_t *ret);
blk64_t e2fc_free_clusters(ext2_filsys fs, blk64_t first, blk64_t last,
			   blk64_t used);

#endif
