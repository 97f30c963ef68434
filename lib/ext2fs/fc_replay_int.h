/*
 * fc_replay_int.h -- state shared by the replay driver (fc_replay.c) and
 * the tag handlers (fc_apply.c).  Not installed.
 */
#ifndef E2FC_REPLAY_INT_H
#define E2FC_REPLAY_INT_H

#include "e2fc.h"

struct ino_note {
	ext2_ino_t	ino;
	int		was_dir;	/* in use as a directory before replay */
};

struct e2fc_names;

/* sorted, disjoint block ranges of the fs's metadata and journal */
struct meta_range {
	blk64_t	start, end;	/* [start, end) */
};

struct meta_map {
	struct meta_range	*r;
	unsigned		n, cap;
};

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
	uint8_t				*touched;	/* one byte per group */
	uint32_t			now;
	errcode_t			err;		/* first error of a hook
							 * or void helper */
	/* fc_bitmaps.c: one byte per group each */
	uint8_t				*bb_loaded, *ib_loaded;
	uint8_t				*bb_uninit, *ib_uninit;	/* at start */
	int				partial;	/* maps loaded lazily */
	int				verify;		/* bitmap checksums */
	uint8_t				*buf;		/* one block */
	struct meta_map			meta;
	/* the fs's allocation hooks before ours */
	errcode_t (*old_alloc)(ext2_filsys, blk64_t, blk64_t *);
	void (*old_stats)(ext2_filsys, blk64_t, int);
	errcode_t (*old_range)(ext2_filsys, int, blk64_t, blk64_t, blk64_t *,
			       blk64_t *);
	void (*old_stats_range)(ext2_filsys, blk64_t, blk_t, int);
};

/* keep the first error of a hook or a void helper; the replay stops at
 * the end of the tag */
static inline void e2fc_replay_fail(struct replay *r, errcode_t err)
{
	if (err && !r->err)
		r->err = err;
}

/* the inode's blocks are an extent tree (not inline data, not indirect) */
static inline int e2fc_extent_mapped(const struct ext2_inode_large *in)
{
	return (in->i_flags & EXT4_EXTENTS_FL) &&
	       !(in->i_flags & EXT4_INLINE_DATA_FL);
}

/* fc_apply.c */
errcode_t e2fc_add_pending(struct replay *r, const struct e2fc_tag *t);
errcode_t e2fc_apply_tag(struct replay *r, const struct e2fc_tag *t);
errcode_t e2fc_walk_blocks(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode *inode,
			   void (*fn)(ext2_filsys fs, blk64_t blk,
				      blk64_t count, void *arg),
			   void *arg);

/* fc_names.c */
errcode_t e2fc_names_init(struct e2fc_names **np);
void e2fc_names_free(struct e2fc_names *n);
errcode_t e2fc_names_lookup(ext2_filsys fs, struct e2fc_names *n,
			    ext2_ino_t dir, const char *name, unsigned len,
			    ext2_ino_t *ino);
errcode_t e2fc_names_set(struct e2fc_names *n, ext2_ino_t dir,
			 const char *name, unsigned len, ext2_ino_t ino);
void e2fc_names_forget(struct e2fc_names *n, ext2_ino_t dir);

/* fc_bitmaps.c */
errcode_t e2fc_bitmaps_init(struct replay *r);
errcode_t e2fc_load_block_group(struct replay *r, dgrp_t g);
errcode_t e2fc_load_inode_group(struct replay *r, dgrp_t g);
errcode_t e2fc_load_blocks(struct replay *r, blk64_t blk, blk64_t count);
/* inode bitmap bit of ino (its group loaded first) */
int e2fc_ino_in_use(struct replay *r, ext2_ino_t ino);
errcode_t e2fc_bitmaps_write(struct replay *r, dgrp_t g);
void e2fc_bitmaps_done(struct replay *r);
errcode_t e2fc_hooks_set(struct replay *r);
void e2fc_hooks_clear(struct replay *r);

/* fc_replay.c */
/* free what a replay holds (any member may be unset) */
void e2fc_replay_free(struct replay *r);
errcode_t e2fc_meta_build(ext2_filsys fs, struct meta_map *m);
int e2fc_meta_overlaps(const struct meta_map *m, blk64_t start, blk64_t len);
/* mark in map every metadata block in [first, last] */
void e2fc_meta_mark(const struct meta_map *m, ext2fs_block_bitmap map,
		    blk64_t first, blk64_t last);
void e2fc_touch_block(struct replay *r, blk64_t blk, blk64_t count, int use);
void e2fc_touch_inode(struct replay *r, ext2_ino_t ino, int use);
errcode_t e2fc_note_inode(struct replay *r, ext2_ino_t ino);
errcode_t e2fc_add_ino(ext2_ino_t **arr, unsigned *n, unsigned *cap,
		       ext2_ino_t ino);
errcode_t e2fc_read_inode(ext2_filsys fs, ext2_ino_t ino,
			  struct ext2_inode_large *in);
errcode_t e2fc_write_inode(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *in);
/* the kernel's iget: an inode in range with links and a mode */
int e2fc_inode_live(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *in);

/* fc_cluster.c: counts in clusters on bigalloc */
errcode_t e2fc_count_iblocks(ext2_filsys fs, ext2_ino_t ino,
			     struct ext2_inode *inode, blk64_t *ret);
blk64_t e2fc_free_clusters(ext2_filsys fs, blk64_t first, blk64_t last,
			   blk64_t used);

#endif
