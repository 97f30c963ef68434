// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_scan.c -- decode the fast-commit (FC) area of a jbd2 journal into tags
 * and commits, and give every commit and the whole area a verdict.
 *
 * One pass over the area, block by block.  Format: doc/format.md.
 *
 * TLV RULES (a TLV that breaks one "breaks the rules")
 *   header: le16 tag, le16 len; the value must end inside the block that
 *   holds the header (else E2FC_ERR_FC_TRUNCATED).  Fewer than 4 bytes left
 *   in a block are ignored (2020 kernels leave the last byte of every block
 *   unused: their PAD and TAIL stop one byte short of the block end).
 *   Lengths (else E2FC_ERR_FC_BAD_LEN): ADD_RANGE 16, DEL_RANGE 12, HEAD 8,
 *   TAIL >= 8, PAD any (0 is fine), INODE >= 4 + 128, CREAT/LINK/UNLINK
 *   8 + a name of 1..255 bytes.  A name holding a NUL or a '/' gives
 *   E2FC_ERR_BAD_NAME; a tag outside 1..9 gives E2FC_ERR_FC_UNKNOWN_TAG.
 *   A TLV that breaks the rules is not recorded as a tag: the commit being
 *   read ends there (invalid, has_tail 0) and the scan resumes at the next
 *   block with a new commit.  A block of all zeros is skipped silently; it
 *   also ends an open commit (as NO_TAIL), since no commit block is ever
 *   all zero.  Zeros from a TLV boundary to the block end are likewise
 *   "never written": they end an open commit (NO_TAIL) and the block.
 *   TLVs after a TAIL in the same block are read as the next commit (the
 *   kernel does the same; its writer never puts any there).
 *
 * COMMITS
 *   A commit is the tags after the previous TAIL (or after a rule break, or
 *   after a zero block) up to and including its TAIL.  crc_computed is raw
 *   crc32c (seed 0) over every TLV of the commit (header and value, HEAD
 *   and PAD included) and over the TAIL's header and tid; crc_stored comes
 *   from the TAIL.  Intrinsic defects, first match wins:
 *     the rule break that ended it (BAD_LEN, BAD_NAME, UNKNOWN_TAG,
 *     TRUNCATED); HEAD_FEATURE (the area's first HEAD has unknown feature
 *     bits); MISPLACED_HEAD (a HEAD anywhere but block 0 offset 0);
 *     NO_TAIL; TID (TAIL tid != expected tid); CRC.
 *   valid = 1 only for the longest prefix of commits without a defect, and
 *   only when the area is not stale.  Unwritten (zero) bytes end that
 *   prefix even between two commits: the kernel stops reading there.
 *   Every later commit gets its own defect as reason, or
 *   E2FC_ERR_FC_AFTER_STOP when it has none.  In a stale area every commit
 *   whose only defect is TID (or none) gets E2FC_ERR_FC_STALE.  The
 *   commit's tid is the TAIL's, else the HEAD's, else 0.
 *
 * STATE
 *   EMPTY       no FC blocks, or every block is all zero.
 *   STALE       clean (s_start == 0) with something written; or the first
 *               block's first TLV is not a HEAD (block 0 all zero included);
 *               or that HEAD's tid is not the expected tid.
 *   CORRUPT     the first HEAD is bad (length, feature bits: the kernel
 *               refuses such an area); or no commit is valid; or the first
 *               commit after the valid prefix has a defect other than TID:
 *               a torn last commit (NO_TAIL, or CRC with the expected tid)
 *               or a broken TLV; or it has no defect at all but follows
 *               unwritten blocks (AFTER_STOP: the kernel never leaves a
 *               hole in a run).
 *   REPLAYABLE  >= 1 valid commit, and the prefix ends at the end of the
 *               written area, or at a commit whose TAIL carries another tid:
 *               the kernel reuses the area from its first block after every
 *               full commit, so blocks past the last commit normally hold
 *               commits of older transactions (the first one usually a
 *               fragment with a bad CRC too).  Those are reported, never
 *               replayed.  Limit: a torn commit followed by such leftovers
 *               reads as one commit ending at an old TAIL, so it is counted
 *               as a leftover; the kernel replays the same prefix either way.
 *               Conversely a tail-less commit left by an older run that hit
 *               "FC area full" reads as torn (CORRUPT) when nothing with an
 *               old TAIL lies between it and the valid prefix.
 *   Names (e2fc_fc_state_name): "empty", "stale", "replayable", "corrupt".
 *   replay_commits / replay_tags: the valid prefix (what the kernel replays);
 *   it may be > 0 in a CORRUPT area (a torn last commit).  Callers decide
 *   whether to replay a CORRUPT area; EMPTY and STALE areas have none.
 *
 * STOP
 *   stop_reason/stop_block/stop_offset: where and why the valid prefix
 *   ended: the TLV that broke the rules, the TAIL with the wrong tid or
 *   CRC, the misplaced HEAD, where a tail-less commit ended (its first
 *   zero byte, or fc_first + nblocks at the end of the area), the first
 *   unwritten byte before a commit that is fine but not replayed
 *   (AFTER_STOP), or block 0 offset 0 for a stale or refused area.  0
 *   when the prefix runs to the end of the written area.  stop_block is a
 *   logical journal block.
 *
 * DIFFERENCES FROM THE KERNEL (Linux 6.18 ext4_fc_replay_scan)
 *   Stricter: a name with a NUL or '/' and a second HEAD (even with the
 *   expected tid) end the valid prefix; the kernel would replay them.
 *   Looser: the kernel also refuses an INODE record longer than the file
 *   system's inode size, which the scanner does not know; the replay
 *   check (e2fc_replay_check) has to.  A first commit that is bad makes
 *   the kernel fail the mount; here it is CORRUPT with nothing to replay.
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fc_array.h"

#define FC_MIN_BLOCKSIZE	64
#define FC_MAX_BLOCKSIZE	65536
#define FC_MAX_NAME		255

/* a tag's name is its EXT4_FC_TAG_ suffix */
#define TAG_NAME(name)	[EXT4_FC_TAG_##name] = #name,
static const char *const tag_names[EXT4_FC_TAG_MAX + 1] = {
	EXT4_FC_TAGS(TAG_NAME)
};
#undef TAG_NAME

const char *e2fc_tag_name(uint16_t tag)
{
	if (tag == 0 || tag > EXT4_FC_TAG_MAX)
		return NULL;
	return tag_names[tag];
}

const char *e2fc_fc_state_name(enum e2fc_fc_state s)
{
	switch (s) {
	case E2FC_FC_EMPTY:
		return "empty";
	case E2FC_FC_STALE:
		return "stale";
	case E2FC_FC_REPLAYABLE:
		return "replayable";
	case E2FC_FC_CORRUPT:
		return "corrupt";
	}
	return "unknown";
}

/* ---- inode ---------------------------------------------------------- */

/* raw inode offsets: RI_* in e2fc_disk.h */
#define TIME_EPOCH_MASK	3U

/* is the extra field at off (size bytes) present in this inode? */
static int extra_has(unsigned len, unsigned extra, unsigned off, unsigned size)
{
	return off + size <= len && off + size <= RI_GOOD_OLD + extra;
}

static void decode_time(const uint8_t *raw, unsigned base, int have_extra,
			unsigned extra_off, int64_t *sec, uint32_t *nsec)
{
	uint32_t extra;

	*sec = (int32_t)e2fc_get_le32(raw + base);
	*nsec = 0;
	if (!have_extra)
		return;
	extra = e2fc_get_le32(raw + extra_off);
	*sec += (int64_t)(extra & TIME_EPOCH_MASK) << 32;
	*nsec = extra >> 2;
}

/* one extent-tree entry: a leaf (length with its unwritten bit, start)
 * or an index (child block) */
static void decode_extent(const uint8_t *e, int leaf, uint32_t *lblk,
			  uint16_t *len, uint64_t *pblk)
{
	*lblk = e2fc_get_le32(e + EXT4_EXT_LBLK);
	if (leaf) {
		*len = e2fc_get_le16(e + EXT4_EXT_LEN);
		*pblk = ((uint64_t)e2fc_get_le16(e + EXT4_EXT_START_HI) << 32) |
			e2fc_get_le32(e + EXT4_EXT_START_LO);
	} else {
		*len = 0;
		*pblk = ((uint64_t)e2fc_get_le16(e + EXT4_IDX_LEAF_HI) << 32) |
			e2fc_get_le32(e + EXT4_IDX_LEAF_LO);
	}
}

static void decode_extent_root(struct e2fc_inode *ino)
{
	const uint8_t *h = ino->i_block;
	unsigned i, n;

	if (e2fc_get_le16(h) != EXT4_EXT_MAGIC)
		return;
	ino->eh_valid = 1;
	ino->eh_entries = e2fc_get_le16(h + EXT4_EXT_HDR_ENTRIES);
	ino->eh_max = e2fc_get_le16(h + EXT4_EXT_HDR_MAX);
	ino->eh_depth = e2fc_get_le16(h + EXT4_EXT_HDR_DEPTH);
	n = ino->eh_entries < 4 ? ino->eh_entries : 4;
	for (i = 0; i < n; i++)
		decode_extent(h + EXT4_EXT_HDR_SIZE + i * EXT4_EXT_ENTRY_SIZE,
			      ino->eh_depth == 0, &ino->eh_ent[i].lblk,
			      &ino->eh_ent[i].len, &ino->eh_ent[i].pblk);
}

void e2fc_inode_decode(const uint8_t *raw, unsigned len,
		       struct e2fc_inode *ino)
{
	unsigned extra = 0;

	memset(ino, 0, sizeof(*ino));
	if (!raw || len < RI_GOOD_OLD)
		return;
	if (len >= RI_EXTRA_ISIZE + 2)
		extra = e2fc_get_le16(raw + RI_EXTRA_ISIZE);
	ino->extra_isize = (uint16_t)extra;
	ino->mode = e2fc_get_le16(raw + RI_MODE);
	ino->uid = e2fc_get_le16(raw + RI_UID) |
		   ((uint32_t)e2fc_get_le16(raw + RI_UID_HI) << 16);
	ino->gid = e2fc_get_le16(raw + RI_GID) |
		   ((uint32_t)e2fc_get_le16(raw + RI_GID_HI) << 16);
	ino->size = e2fc_get_le32(raw + RI_SIZE_LO) |
		    ((uint64_t)e2fc_get_le32(raw + RI_SIZE_HI) << 32);
	ino->links = e2fc_get_le16(raw + RI_LINKS);
	ino->flags = e2fc_get_le32(raw + RI_FLAGS);
	ino->blocks = e2fc_get_le32(raw + RI_BLOCKS_LO) |
		      ((uint64_t)e2fc_get_le16(raw + RI_BLOCKS_HI) << 32);
	ino->generation = e2fc_get_le32(raw + RI_GENERATION);
	ino->dtime = e2fc_get_le32(raw + RI_DTIME);
	ino->file_acl = e2fc_get_le32(raw + RI_FILE_ACL_LO) |
			((uint64_t)e2fc_get_le16(raw + RI_FILE_ACL_HI) << 32);
	ino->checksum = e2fc_get_le16(raw + RI_CSUM_LO);
	if (extra_has(len, extra, RI_CSUM_HI, 2))
		ino->checksum |=
			(uint32_t)e2fc_get_le16(raw + RI_CSUM_HI) << 16;
	decode_time(raw, RI_CTIME, extra_has(len, extra, RI_CTIME_EXTRA, 4),
		    RI_CTIME_EXTRA, &ino->ctime, &ino->ctime_ns);
	decode_time(raw, RI_MTIME, extra_has(len, extra, RI_MTIME_EXTRA, 4),
		    RI_MTIME_EXTRA, &ino->mtime, &ino->mtime_ns);
	decode_time(raw, RI_ATIME, extra_has(len, extra, RI_ATIME_EXTRA, 4),
		    RI_ATIME_EXTRA, &ino->atime, &ino->atime_ns);
	if (extra_has(len, extra, RI_CRTIME, 4)) {
		ino->has_crtime = 1;
		decode_time(raw, RI_CRTIME,
			    extra_has(len, extra, RI_CRTIME_EXTRA, 4),
			    RI_CRTIME_EXTRA, &ino->crtime, &ino->crtime_ns);
	}
	ino->has_extents = !!(ino->flags & EXT4_EXTENTS_FL);
	ino->inline_data = !!(ino->flags & EXT4_INLINE_DATA_FL);
	memcpy(ino->i_block, raw + RI_BLOCK, RI_BLOCK_LEN);
	decode_extent_root(ino);
}

/* ---- the store: where e2fc_fc_scan keeps the bytes of the tags ---------- */

/*
 * Memory a process has not touched yet is dear: every first touch of a
 * 4 KiB page is a page fault in which the kernel zeroes the page (on the
 * test VM about 4 ms per MiB, more than reading the MiB).  So the store
 * holds only what the tags refer to (a few hundred bytes per commit
 * instead of the whole area), and what is large (the store's slabs, the
 * arrays of tags and commits of a big area) is 2 MiB aligned and asked
 * for transparent huge pages: one fault per 2 MiB (measured: e2fc_load of
 * the 15,000-commit image 68 -> 46 ms): e2fc_big_alloc and
 * e2fc_array_grow (fc_array.c).  free() releases it either way.
 */

/*
 * Slabs, filled in order and never moved (tags point into them).  The
 * first is small (most areas hold a few commits: no huge page for them),
 * the next ones are huge pages.
 */
#define FIRST_SLAB	((size_t)64 << 10)
#define SLAB_SIZE	E2FC_HUGE_SZ

struct slab {
	struct slab	*next;
	size_t		used, size;
	uint8_t		data[];
};

static uint8_t *store_alloc(struct e2fc_fc *fc, size_t n)
{
	struct slab *sl = fc->store;
	size_t size;

	if (!sl || sl->size - sl->used < n) {
		if (!sl) {
			size = sizeof(*sl) + (n > FIRST_SLAB ? n : FIRST_SLAB);
			sl = malloc(size);
		} else {
			size = sizeof(*sl) +
			       (n > SLAB_SIZE / 2 ? n : SLAB_SIZE / 2);
			sl = e2fc_big_alloc(&size);
		}
		if (!sl)
			return NULL;
		sl->next = fc->store;
		sl->used = 0;
		sl->size = size - sizeof(*sl);
		fc->store = sl;
	}
	sl->used += n;
	return sl->data + sl->used - n;
}

/* every slab but the newest freed, that one emptied: the next commit's
 * bytes go where the last one's were (memory already touched) */
static void store_reset(struct e2fc_fc *fc)
{
	struct slab *sl = fc->store, *next;

	if (!sl)
		return;
	for (next = sl->next; next; next = sl->next) {
		sl->next = next->next;
		free(next);
	}
	sl->used = 0;
}

static void store_free(struct e2fc_fc *fc)
{
	struct slab *sl, *next;

	for (sl = fc->store; sl; sl = next) {
		next = sl->next;
		free(sl);
	}
	fc->store = NULL;
}

/* ---- scanner state --------------------------------------------------- */

struct scan {
	struct e2fc_fc	*fc;
	unsigned	tag_cap, commit_cap;
	int		clean;
	int		copy;		/* tags' bytes go to the store */
	/* e2fc_fc_scan_each: one commit at a time, given to each (if not
	 * NULL) as it closes, then dropped */
	int		stream;
	int		no_pad;		/* E2FC_SCAN_NO_PAD */
	e2fc_commit_fn	each;
	void		*each_arg;
	/* the commit being read */
	int		open;		/* has tags */
	unsigned	first_tag;
	uint32_t	first_block, last_block;
	uint32_t	crc;
	uint32_t	head_tid;
	int		have_head_tid;
	errcode_t	defect;		/* head feature / misplaced head */
	uint32_t	defect_block, defect_off;
	/* area-level */
	int		head_checked;	/* first TLV of block 0 looked at */
	int		stale;		/* area stale (no replay) */
	int		refused;	/* first HEAD bad: nothing replays */
	int		in_prefix;	/* every commit so far valid */
	int		gap;		/* unwritten bytes seen between commits:
					 * the kernel stops there */
	uint32_t	gap_block, gap_off;
	errcode_t	first_bad;	/* defect of the first invalid commit */
};

static void set_stop(struct scan *s, errcode_t why, uint32_t blk, uint32_t off)
{
	struct e2fc_fc *fc = s->fc;

	if (fc->stop_reason)
		return;
	fc->stop_reason = why;
	fc->stop_block = fc->fc_first + blk;
	fc->stop_offset = off;
}

/* is the value length acceptable for this tag?  0 or an error code */
static errcode_t check_len(uint16_t tag, uint16_t len, const uint8_t *val)
{
	unsigned i, nlen;

	switch (tag) {
	case EXT4_FC_TAG_ADD_RANGE:
		return len == EXT4_FC_ADD_RANGE_LEN ? 0 : E2FC_ERR_FC_BAD_LEN;
	case EXT4_FC_TAG_DEL_RANGE:
		return len == EXT4_FC_DEL_RANGE_LEN ? 0 : E2FC_ERR_FC_BAD_LEN;
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		if (len <= EXT4_FC_DENTRY_HDR_LEN ||
		    len > EXT4_FC_DENTRY_HDR_LEN + FC_MAX_NAME)
			return E2FC_ERR_FC_BAD_LEN;
		nlen = len - EXT4_FC_DENTRY_HDR_LEN;
		for (i = 0; i < nlen; i++) {
			uint8_t c = val[EXT4_FC_DENTRY_HDR_LEN + i];

			if (c == 0 || c == '/')
				return E2FC_ERR_BAD_NAME;
		}
		return 0;
	case EXT4_FC_TAG_INODE:
		return len >= 4 + RI_GOOD_OLD ? 0 : E2FC_ERR_FC_BAD_LEN;
	case EXT4_FC_TAG_PAD:
		return 0;
	case EXT4_FC_TAG_TAIL:
		return len >= EXT4_FC_TAIL_LEN ? 0 : E2FC_ERR_FC_BAD_LEN;
	case EXT4_FC_TAG_HEAD:
		return len == EXT4_FC_HEAD_LEN ? 0 : E2FC_ERR_FC_BAD_LEN;
	}
	return E2FC_ERR_FC_UNKNOWN_TAG;
}

static void decode_value(struct e2fc_tag *t)
{
	const uint8_t *v = t->value;
	uint16_t elen;

	switch (t->tag) {
	case EXT4_FC_TAG_HEAD:
		t->u.head.features = e2fc_get_le32(v + EXT4_FC_HEAD_FEATURES);
		t->u.head.tid = e2fc_get_le32(v + EXT4_FC_HEAD_TID);
		break;
	case EXT4_FC_TAG_ADD_RANGE:
		t->u.add.ino = e2fc_get_le32(v + EXT4_FC_ADD_RANGE_INO);
		decode_extent(v + EXT4_FC_ADD_RANGE_EXTENT, 1, &t->u.add.lblk,
			      &elen, &t->u.add.pblk);
		t->u.add.unwritten = elen > EXT4_FC_EXT_MAX_INIT_LEN;
		t->u.add.len = t->u.add.unwritten ?
			       elen - EXT4_FC_EXT_MAX_INIT_LEN : elen;
		break;
	case EXT4_FC_TAG_DEL_RANGE:
		t->u.del.ino = e2fc_get_le32(v + EXT4_FC_DEL_RANGE_INO);
		t->u.del.lblk = e2fc_get_le32(v + EXT4_FC_DEL_RANGE_LBLK);
		t->u.del.len = e2fc_get_le32(v + EXT4_FC_DEL_RANGE_COUNT);
		break;
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		t->u.dentry.parent = e2fc_get_le32(v + EXT4_FC_DENTRY_PARENT);
		t->u.dentry.ino = e2fc_get_le32(v + EXT4_FC_DENTRY_INO);
		t->u.dentry.name_len = t->len - EXT4_FC_DENTRY_HDR_LEN;
		t->u.dentry.name = v + EXT4_FC_DENTRY_HDR_LEN;
		break;
	case EXT4_FC_TAG_INODE:
		t->u.inode.ino = e2fc_get_le32(v + EXT4_FC_INODE_INO);
		t->u.inode.raw_len = t->len - EXT4_FC_INODE_RAW;
		t->u.inode.raw = v + EXT4_FC_INODE_RAW;
		break;
	case EXT4_FC_TAG_PAD:
		t->u.pad.len = t->len;
		break;
	case EXT4_FC_TAG_TAIL:
		t->u.tail.tid = e2fc_get_le32(v + EXT4_FC_TAIL_TID);
		t->u.tail.crc = e2fc_get_le32(v + EXT4_FC_TAIL_CRC);
		break;
	}
}

/* the defect a commit has on its own (0: none); see the top comment */
static errcode_t commit_defect(struct scan *s, struct e2fc_commit *c,
			       errcode_t broke)
{
	if (broke)
		return broke;
	if (s->defect)
		return s->defect;
	if (!c->has_tail)
		return E2FC_ERR_FC_NO_TAIL;
	if (c->tid != s->fc->expected_tid)
		return E2FC_ERR_FC_TID;
	if (c->crc_stored != c->crc_computed)
		return E2FC_ERR_FC_CRC;
	return 0;
}

/* e2fc_fc_scan_each: the closed commit c to the caller, then its tags
 * and their bytes dropped (the next commit reuses the memory) */
static errcode_t pass_on(struct scan *s, const struct e2fc_commit *c)
{
	struct e2fc_fc *fc = s->fc;
	errcode_t err = 0;

	if (s->each)
		err = s->each(fc, c, s->each_arg);
	fc->ntags = 0;
	s->first_tag = 0;
	store_reset(fc);
	return err;
}

/*
 * Close the commit being read.  tail: its TAIL tag (NULL when it ends
 * without one); broke: the rule break that ended it (0 if none); blk/off:
 * where it ended (for the stop point).
 */
static errcode_t close_commit(struct scan *s, const struct e2fc_tag *tail,
			      errcode_t broke, uint32_t blk, uint32_t off)
{
	struct e2fc_fc *fc = s->fc;
	struct e2fc_commit *c;
	errcode_t err, defect;

	err = e2fc_array_grow(&fc->commits, &s->commit_cap,
			      s->stream ? 1 : fc->ncommits + 1,
			      sizeof(*fc->commits));
	if (err)
		return err;
	c = &fc->commits[s->stream ? 0 : fc->ncommits];
	memset(c, 0, sizeof(*c));
	c->index = fc->ncommits;
	c->first_tag = s->first_tag;
	c->ntags = fc->ntags - s->first_tag;
	c->first_block = fc->fc_first + (s->open ? s->first_block : blk);
	c->last_block = fc->fc_first +
			(s->open && !broke ? s->last_block : blk);
	c->crc_computed = s->crc;
	c->tid = s->have_head_tid ? s->head_tid : 0;
	if (tail) {
		c->has_tail = 1;
		c->tid = tail->u.tail.tid;
		c->crc_stored = tail->u.tail.crc;
	}
	defect = commit_defect(s, c, broke);
	if (!defect && s->in_prefix && !s->stale && !s->refused && !s->gap) {
		c->valid = 1;
		fc->replay_commits++;
		fc->replay_tags += c->ntags;
	} else {
		if (s->in_prefix) {
			s->in_prefix = 0;
			s->first_bad = defect ? defect : E2FC_ERR_FC_AFTER_STOP;
			if (defect == s->defect && s->defect)
				set_stop(s, defect, s->defect_block,
					 s->defect_off);
			else if (defect)
				set_stop(s, defect, blk, off);
			else if (s->gap)
				set_stop(s, E2FC_ERR_FC_AFTER_STOP,
					 s->gap_block, s->gap_off);
		}
		if (s->stale && (!defect || defect == E2FC_ERR_FC_TID))
			defect = E2FC_ERR_FC_STALE;
		c->reason = defect ? defect : E2FC_ERR_FC_AFTER_STOP;
	}
	fc->ncommits++;
	s->open = 0;
	s->first_tag = fc->ntags;
	s->crc = 0;
	s->have_head_tid = 0;
	s->defect = 0;
	return s->stream ? pass_on(s, c) : 0;
}

/* first TLV of the area: decides stale / refused */
static void check_area_head(struct scan *s, uint16_t tag, uint16_t len,
			    const uint8_t *val)
{
	uint32_t features, tid;

	s->head_checked = 1;
	if (s->clean || tag != EXT4_FC_TAG_HEAD) {
		s->stale = 1;
		set_stop(s, E2FC_ERR_FC_STALE, 0, 0);
		return;
	}
	if (len != EXT4_FC_HEAD_LEN) {
		s->refused = 1;		/* reported as BAD_LEN by the caller */
		return;
	}
	features = e2fc_get_le32(val + EXT4_FC_HEAD_FEATURES);
	tid = e2fc_get_le32(val + EXT4_FC_HEAD_TID);
	if (features & ~(uint32_t)EXT4_FC_SUPPORTED_FEATURES) {
		s->refused = 1;
		s->defect = E2FC_ERR_FC_HEAD_FEATURE;
		s->defect_block = 0;
		s->defect_off = 0;
	} else if (tid != s->fc->expected_tid) {
		s->stale = 1;
		set_stop(s, E2FC_ERR_FC_STALE, 0, 0);
	}
}

static void note_head(struct scan *s, const struct e2fc_tag *t,
		      uint32_t blk, uint32_t off)
{
	if (!s->have_head_tid) {
		s->have_head_tid = 1;
		s->head_tid = t->u.head.tid;
	}
	if ((blk != 0 || off != 0) && !s->defect) {
		s->defect = E2FC_ERR_FC_MISPLACED_HEAD;
		s->defect_block = blk;
		s->defect_off = off;
	}
}

/* all of p[0..n) zero?  (p[0] == 0 and every byte equals the next one:
 * one vectorised memcmp instead of a byte loop) */
static int block_is_zero(const uint8_t *p, uint32_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * value bytes to keep of a TLV: all, but only the tid and crc of a TAIL
 * and nothing of a PAD when the rest is zero (the kernel pads every
 * commit to the end of its block: most of a written area is that)
 */
static uint16_t held_len(uint16_t tag, uint16_t len, const uint8_t *val,
			 int no_pad)
{
	uint16_t keep;

	if (tag == EXT4_FC_TAG_TAIL)
		keep = EXT4_FC_TAIL_LEN;
	else if (tag == EXT4_FC_TAG_PAD)
		keep = 0;
	else
		return len;
	if (len > keep && no_pad)
		return keep;
	if (len > keep && block_is_zero(val + keep, len - keep))
		return keep;
	return len;
}

static errcode_t add_tag(struct scan *s, uint16_t tag, uint16_t len,
			 uint32_t blk, uint32_t off, const uint8_t *hdr)
{
	struct e2fc_fc *fc = s->fc;
	struct e2fc_tag *t;
	errcode_t err;

	err = e2fc_array_grow(&fc->tags, &s->tag_cap, fc->ntags + 1,
		   sizeof(*fc->tags));
	if (err)
		return err;
	t = &fc->tags[fc->ntags];
	memset(&t->u, 0, sizeof(t->u));
	t->tag = tag;
	t->len = len;
	t->block = fc->fc_first + blk;
	t->offset = off;
	t->held = len;
	t->value = hdr + EXT4_FC_TL_SIZE;
	if (s->copy) {
		uint8_t *p;

		t->held = held_len(tag, len, t->value, s->no_pad);
		p = store_alloc(fc, EXT4_FC_TL_SIZE + t->held);
		if (!p)
			return EXT2_ET_NO_MEMORY;
		memcpy(p, hdr, EXT4_FC_TL_SIZE + t->held);
		t->value = p + EXT4_FC_TL_SIZE;
	}
	fc->ntags++;
	decode_value(t);
	if (!s->open) {
		s->open = 1;
		s->first_block = blk;
	}
	s->last_block = blk;
	if (tag == EXT4_FC_TAG_TAIL) {
		s->crc = e2fc_crc32c(s->crc, hdr, EXT4_FC_TL_SIZE + 4);
		return close_commit(s, t, 0, blk, off);
	}
	s->crc = e2fc_crc32c(s->crc, hdr, EXT4_FC_TL_SIZE + len);
	if (tag == EXT4_FC_TAG_HEAD)
		note_head(s, t, blk, off);
	return 0;
}

/* unwritten bytes outside a commit: whatever follows is not replayed */
static void mark_gap(struct scan *s, uint32_t blk, uint32_t off)
{
	if (!s->gap) {
		s->gap = 1;
		s->gap_block = blk;
		s->gap_off = off;
	}
}

/* decode block blk of the area, held at p; returns 0 or an allocation
 * error */
static errcode_t scan_block(struct scan *s, uint32_t blk, const uint8_t *p)
{
	struct e2fc_fc *fc = s->fc;
	uint32_t bs = fc->blocksize, off = 0;
	errcode_t err;

	if (e2fc_get_le32(p) == 0 && block_is_zero(p, bs)) {
		if (!s->head_checked) {
			s->head_checked = 1;
			s->stale = 1;
			set_stop(s, E2FC_ERR_FC_STALE, 0, 0);
		}
		if (s->open)
			return close_commit(s, NULL, 0, blk, 0);
		mark_gap(s, blk, 0);
		return 0;
	}
	while (off + EXT4_FC_TL_SIZE <= bs) {
		uint16_t tag = e2fc_get_le16(p + off + EXT4_FC_TL_TAG);
		uint16_t len = e2fc_get_le16(p + off + EXT4_FC_TL_LEN);
		const uint8_t *val = p + off + EXT4_FC_TL_SIZE;
		errcode_t bad = 0;

		if (tag == 0 && len == 0 && off &&
		    block_is_zero(p + off, bs - off)) {
			/* the rest of the block was never written */
			if (s->open)
				return close_commit(s, NULL, 0, blk, off);
			mark_gap(s, blk, off);
			return 0;
		}
		if (len > bs - off - EXT4_FC_TL_SIZE)
			bad = E2FC_ERR_FC_TRUNCATED;
		else
			bad = check_len(tag, len, val);
		if (!s->head_checked)
			check_area_head(s, tag, bad ? 0 : len, val);
		if (bad)
			return close_commit(s, NULL, bad, blk, off);
		err = add_tag(s, tag, len, blk, off, p + off);
		if (err)
			return err;
		off += EXT4_FC_TL_SIZE + len;
	}
	return 0;
}

static enum e2fc_fc_state final_state(struct scan *s)
{
	struct e2fc_fc *fc = s->fc;

	if (fc->ncommits == 0 && !s->open)
		return E2FC_FC_EMPTY;
	if (s->stale)
		return E2FC_FC_STALE;
	if (s->refused || fc->replay_commits == 0)
		return E2FC_FC_CORRUPT;
	if (s->in_prefix || s->first_bad == E2FC_ERR_FC_TID)
		return E2FC_FC_REPLAYABLE;
	return E2FC_FC_CORRUPT;
}

static void scan_init(struct scan *s, struct e2fc_fc *fc, int clean)
{
	memset(s, 0, sizeof(*s));
	s->fc = fc;
	s->clean = clean;
	s->in_prefix = 1;
}

static errcode_t scan_begin(struct scan *s, uint32_t nblocks,
			     uint32_t blocksize, uint32_t fc_first,
			     uint32_t expected_tid, int clean, int stream)
{
	struct e2fc_fc *fc;

	if (blocksize < FC_MIN_BLOCKSIZE || blocksize > FC_MAX_BLOCKSIZE)
		return EXT2_ET_INVALID_ARGUMENT;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return EXT2_ET_NO_MEMORY;
	fc->expected_tid = expected_tid;
	fc->fc_first = fc_first;
	fc->nblocks = nblocks;
	fc->blocksize = blocksize;
	scan_init(s, fc, clean);
	s->stream = stream;
	/*
	 * Room for what a kernel-written area holds (a few tags per block,
	 * at most one commit per block, mostly) so that the arrays seldom
	 * move; pages never written cost nothing.  More is grown as needed.
	 * A stream holds one commit: its arrays grow from small.
	 */
	if (!stream && nblocks > 64 && nblocks <= (1U << 24) &&
	    (e2fc_array_grow(&fc->tags, &s->tag_cap, nblocks * 8,
		  sizeof(*fc->tags)) ||
	     e2fc_array_grow(&fc->commits, &s->commit_cap, nblocks * 2,
		  sizeof(*fc->commits)))) {
		e2fc_fc_free(fc);
		return EXT2_ET_NO_MEMORY;
	}
	return 0;
}

/* after the last block: close what is open, give the verdict */
static errcode_t scan_finish(struct scan *s)
{
	struct e2fc_fc *fc = s->fc;
	errcode_t err = 0;

	if (s->open)
		err = close_commit(s, NULL, 0, fc->nblocks, 0);
	if (err)
		return err;
	fc->state = final_state(s);
	if (fc->state == E2FC_FC_EMPTY) {
		fc->stop_reason = 0;
		fc->stop_block = 0;
		fc->stop_offset = 0;
	}
	if (fc->state == E2FC_FC_EMPTY || fc->state == E2FC_FC_STALE) {
		fc->replay_commits = 0;
		fc->replay_tags = 0;
	}
	return 0;
}

errcode_t e2fc_fc_scan_buf(uint8_t *area, uint32_t nblocks,
			   uint32_t blocksize, uint32_t fc_first,
			   uint32_t expected_tid, int clean,
			   struct e2fc_fc **fcp)
{
	struct scan s;
	errcode_t err;
	uint32_t b;

	if (!fcp || (nblocks && !area))
		return EXT2_ET_INVALID_ARGUMENT;
	*fcp = NULL;
	err = scan_begin(&s, nblocks, blocksize, fc_first, expected_tid,
			 clean, 0);
	if (err)
		return err;
	for (b = 0; b < nblocks && !err; b++)
		err = scan_block(&s, b, area + (size_t)b * blocksize);
	if (!err)
		err = scan_finish(&s);
	if (err) {
		e2fc_fc_free(s.fc);	/* area is still the caller's */
		return err;
	}
	s.fc->area = area;
	*fcp = s.fc;
	return 0;
}

/*
 * The area is read a chunk at a time into one buffer that is reused:
 * reading 64 MiB into fresh memory costs far more (page faults, the
 * kernel zeroing every page) than reading and decoding it.  A chunk small
 * enough to stay in the CPU's L2 cache between the read and the decode:
 * 128 KiB was a little faster than 1 MiB (15k image, e2fc_load best of 21
 * processes 15-17 ms against 23 ms).
 */
#define CHUNK_BYTES	(128U << 10)

/* read the area of j a chunk at a time and decode each */
static errcode_t scan_area(struct scan *s, struct e2fc_journal *j)
{
	uint32_t n = s->fc->nblocks, bs = s->fc->blocksize, b, i, per, count;
	uint8_t *buf;
	errcode_t err = 0;

	if (!n)
		return 0;
	per = CHUNK_BYTES / bs ? CHUNK_BYTES / bs : 1;
	if (per > n)
		per = n;
	buf = malloc((size_t)per * bs);
	if (!buf)
		return EXT2_ET_NO_MEMORY;
	for (b = 0; b < n && !err; b += count) {
		count = n - b < per ? n - b : per;
		err = e2fc_journal_read(j, j->sb.fc_first + b, count, buf);
		for (i = 0; i < count && !err; i++)
			err = scan_block(s, b + i, buf + (size_t)i * bs);
	}
	free(buf);
	return err;
}

/* e2fc_fc_scan and e2fc_fc_scan_each: stream 0 keeps every commit */
static errcode_t scan_journal(struct e2fc_journal *j,
			      const struct e2fc_log *log, int stream,
			      int flags, e2fc_commit_fn each, void *arg,
			      struct e2fc_fc **fcp)
{
	uint32_t n, bs, expected;
	struct scan s;
	int clean;
	errcode_t err;

	if (!j || !fcp)
		return EXT2_ET_INVALID_ARGUMENT;
	*fcp = NULL;
	bs = j->sb.blocksize ? j->sb.blocksize : j->blocksize;
	n = j->sb.num_fc_blks ? j->sb.fc_blocks : 0;
	/* without a log scan, s_sequence: right only if the log holds no
	 * complete transaction */
	expected = log ? log->expected_tid : j->sb.sequence;
	clean = log ? log->start_block == 0 : j->sb.start == 0;
	err = scan_begin(&s, n, bs, j->sb.fc_first, expected, clean, stream);
	if (err)
		return err;
	/* a stream without a reader looks at each tag only while its
	 * block is in the buffer: nothing to copy */
	s.copy = !stream || each;
	s.no_pad = !!(flags & E2FC_SCAN_NO_PAD);
	s.each = each;
	s.each_arg = arg;
	err = scan_area(&s, j);
	if (!err)
		err = scan_finish(&s);
	if (err) {
		e2fc_fc_free(s.fc);
		return err;
	}
	if (stream) {
		store_free(s.fc);
		free(s.fc->tags);
		free(s.fc->commits);
		s.fc->tags = NULL;
		s.fc->commits = NULL;
	}
	*fcp = s.fc;
	return 0;
}

errcode_t e2fc_fc_scan(struct e2fc_journal *j, const struct e2fc_log *log,
		       struct e2fc_fc **fcp)
{
	return scan_journal(j, log, 0, 0, NULL, NULL, fcp);
}

errcode_t e2fc_fc_scan_each(struct e2fc_journal *j,
			    const struct e2fc_log *log, int flags,
			    e2fc_commit_fn each, void *arg,
			    struct e2fc_fc **fcp)
{
	return scan_journal(j, log, 1, flags, each, arg, fcp);
}

void e2fc_fc_free(struct e2fc_fc *fc)
{
	if (!fc)
		return;
	free(fc->area);
	store_free(fc);
	free(fc->tags);
	free(fc->commits);
	free(fc);
}
