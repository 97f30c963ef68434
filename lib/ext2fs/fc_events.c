// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_events.c -- the timeline of the fast-commit area: what each commit
 * did, as events (create, link, unlink, rename, write, punch, truncate,
 * inode) with the inode, the path and the times.  Printed by
 * fc_events_print.c (schema: doc/e2fc-events.md).
 *
 * Every commit the scan found is listed, leftovers of older transactions
 * too (stale).  An inode event says what an INODE tag changes against the
 * inode before it: the previous INODE tag of that inode in an earlier
 * commit of the same kind (replayed, or not), else the inode on disk
 * before the replay.  Paths come from the tree after the replay; a name
 * that is no longer there is shown under its parent's path.
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fc_events_int.h"
#include "fc_array.h"

/* ---- the builder -------------------------------------------------------- */

struct sizes {			/* an inode's size in the current commit */
	ext2_ino_t	ino;
	uint64_t	before, after;
	unsigned	tag;
	int		have_before;
};

struct builder {
	ext2_filsys			pre;
	const struct e2fc_journal	*j;
	const struct e2fc_log		*log;		/* may be NULL */
	uint8_t				*blk;		/* one journal block */
	const struct e2fc_fc		*fc;
	struct e2fc_events		*e;
	unsigned			cap;
	struct imap			state[2];	/* [replayed] */
	struct imap			tagged[2];	/* state from a tag */
	/* the current commit */
	const struct e2fc_commit	*c;
	unsigned			first;		/* its first event */
	int				replayed, stale;
	struct sizes			*sz;
	unsigned			nsz, capsz;
};

const char *e2fc_ev_action_name(enum e2fc_ev_action a)
{
	static const char *const names[] = {
		"create", "link", "unlink", "rename", "write", "punch",
		"truncate", "inode",
	};

	return (unsigned)a < sizeof(names) / sizeof(names[0]) ?
	       names[a] : "unknown";
}

/* the journal block holding what the log writes to target last (complete
 * transactions, checksum good, not revoked), or ~0U */
static uint32_t log_copy(const struct e2fc_log *log, blk64_t target,
			 int *escaped)
{
	uint32_t found = ~0U;
	unsigned i, t = 0;

	for (i = 0; i < log->nblocks; i++) {
		const struct e2fc_log_block *lb = &log->blocks[i];

		while (t < log->ntrans && log->trans[t].tid != lb->tid)
			t++;
		if (t >= log->ntrans || !log->trans[t].complete)
			break;
		if (lb->target != target || !lb->csum_ok ||
		    e2fc_log_is_revoked(log, target, lb->tid))
			continue;
		found = lb->log_block;
		*escaped = lb->escaped;
	}
	return found;
}

/* the inode as the jbd2 log leaves it, when the log writes its block */
static int log_inode(struct builder *b, ext2_ino_t ino, unsigned len,
		     struct e2fc_inode *out)
{
	ext2_filsys fs = b->pre;
	uint64_t off = (uint64_t)((ino - 1) % EXT2_INODES_PER_GROUP(fs->super))
		       * EXT2_INODE_SIZE(fs->super);
	blk64_t blk = ext2fs_inode_table_loc(fs, ext2fs_group_of_ino(fs, ino))
		      + off / fs->blocksize;
	uint32_t lb;
	int escaped = 0;

	if (!b->log || !b->j || !b->log->nblocks ||
	    b->j->blocksize != fs->blocksize)
		return 0;
	lb = log_copy(b->log, blk, &escaped);
	if (lb == ~0U)
		return 0;
	if (!b->blk && ext2fs_get_mem(fs->blocksize, &b->blk))
		return 0;
	if (e2fc_journal_read((struct e2fc_journal *)b->j, lb, 1, b->blk))
		return 0;
	if (escaped)
		e2fc_put_be32(b->blk, JBD2_MAGIC);
	e2fc_inode_decode(b->blk + off % fs->blocksize, len, out);
	return 1;
}

/* the inode before the replay of the fast commits: as the jbd2 log
 * leaves it, else as it is on disk */
static int disk_inode(struct builder *b, ext2_ino_t ino,
		      struct e2fc_inode *out)
{
	ext2_filsys fs = b->pre;
	struct ext2_inode_large in;
	unsigned len = EXT2_INODE_SIZE(fs->super);
	uint8_t raw[sizeof(in)];

	if (!ino || ino > fs->super->s_inodes_count)
		return 0;
	if (len > sizeof(in))
		len = sizeof(in);
	if (log_inode(b, ino, len, out))
		return 1;
	memset(&in, 0, sizeof(in));
	if (ext2fs_read_inode2(fs, ino, (struct ext2_inode *)&in, sizeof(in),
			       READ_INODE_NOCSUM))
		return 0;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	ext2fs_swap_inode_full(fs, (struct ext2_inode_large *)raw, &in, 1,
			       len);
#else
	memcpy(raw, &in, len);
#endif
	e2fc_inode_decode(raw, len, out);
	return 1;
}

/* the tid + 1 of the commit whose INODE tag gave ino's state (not
 * replayed commits), 0: none */
static uint64_t tagged_tid(struct builder *b, ext2_ino_t ino)
{
	return (uintptr_t)e2fc_imap_get(&b->tagged[0], ino);
}

/* the inode as known before the tag being handled (NULL: not known).
 * Commits that are not replayed are in the area's order, not in time
 * order: one continues only the state of a commit with its own tid */
static struct e2fc_inode *known_inode(struct builder *b, ext2_ino_t ino)
{
	struct imap *m = &b->state[b->replayed];
	struct e2fc_inode *in = e2fc_imap_get(m, ino), tmp;
	int stale_state = !b->replayed && in &&
			  tagged_tid(b, ino) != (uint64_t)b->c->tid + 1;
	void *old;

	if (in && !stale_state)
		return in;
	if (!disk_inode(b, ino, &tmp))
		return NULL;
	if (in) {
		*in = tmp;
		e2fc_imap_put(&b->tagged[0], ino, NULL, &old);
		return in;
	}
	in = malloc(sizeof(*in));
	if (!in)
		return NULL;
	*in = tmp;
	if (e2fc_imap_put(m, ino, in, &old)) {
		free(in);
		return NULL;
	}
	return in;
}

static uint64_t tag_phys(const struct builder *b, const struct e2fc_tag *t)
{
	const struct e2fc_journal *j = b->j;
	blk64_t pblk;

	if (!j || !e2fc_journal_bmap(j, t->block, &pblk))
		return 0;
	return (uint64_t)pblk * j->blocksize + t->offset;
}

static struct e2fc_event *new_event(struct builder *b, unsigned tagi,
				    enum e2fc_ev_action a, ext2_ino_t ino)
{
	struct e2fc_events *e = b->e;
	struct e2fc_event *ev;

	if (e2fc_array_grow(&e->ev, &b->cap, e->n + 1, sizeof(*e->ev)))
		return NULL;
	ev = &e->ev[e->n++];
	memset(ev, 0, sizeof(*ev));
	ev->commit = b->c->index;
	ev->tid = b->c->tid;
	ev->stale = b->stale;
	ev->replayed = b->replayed;
	ev->action = a;
	ev->ino = ino;
	ev->tag = tagi;
	ev->phys_offset = tag_phys(b, &b->fc->tags[tagi]);
	return ev;
}

/* the event of this commit with action a for ino, if any */
static struct e2fc_event *find_event(struct builder *b, enum e2fc_ev_action a,
				     ext2_ino_t ino)
{
	unsigned i;

	for (i = b->first; i < b->e->n; i++)
		if (b->e->ev[i].action == a && b->e->ev[i].ino == ino)
			return &b->e->ev[i];
	return NULL;
}

/* a name as printed everywhere: printable ASCII as is, '\' and the other
 * bytes as \xNN */
static errcode_t add_dentry(struct builder *b, unsigned tagi)
{
	const struct e2fc_tag *t = &b->fc->tags[tagi];
	enum e2fc_ev_action a = t->tag == EXT4_FC_TAG_CREAT ? E2FC_EV_CREATE :
				t->tag == EXT4_FC_TAG_LINK ? E2FC_EV_LINK :
				E2FC_EV_UNLINK;
	struct e2fc_event *ev = new_event(b, tagi, a, t->u.dentry.ino);

	if (!ev)
		return EXT2_ET_NO_MEMORY;
	ev->parent = t->u.dentry.parent;
	ev->name = e2fc_escape_name(t->u.dentry.name, t->u.dentry.name_len);
	return ev->name ? 0 : EXT2_ET_NO_MEMORY;
}

static errcode_t add_range(struct e2fc_event *ev, uint64_t off, uint64_t len,
			   uint64_t pblk, int unwritten)
{
	struct e2fc_ev_range *r;

	if (ext2fs_resize_array(sizeof(*r), ev->nranges, ev->nranges + 1,
				&ev->ranges))
		return EXT2_ET_NO_MEMORY;
	r = &ev->ranges[ev->nranges++];
	r->offset = off;
	r->length = len;
	r->pblk = pblk;
	r->unwritten = unwritten;
	return 0;
}

static errcode_t add_extent(struct builder *b, unsigned tagi)
{
	const struct e2fc_tag *t = &b->fc->tags[tagi];
	int add = t->tag == EXT4_FC_TAG_ADD_RANGE;
	enum e2fc_ev_action a = add ? E2FC_EV_WRITE : E2FC_EV_PUNCH;
	ext2_ino_t ino = add ? t->u.add.ino : t->u.del.ino;
	uint64_t bs = b->pre->blocksize;
	struct e2fc_event *ev = find_event(b, a, ino);

	if (!ev)
		ev = new_event(b, tagi, a, ino);
	if (!ev)
		return EXT2_ET_NO_MEMORY;
	if (add)
		return add_range(ev, t->u.add.lblk * bs, t->u.add.len * bs,
				 t->u.add.pblk, t->u.add.unwritten);
	return add_range(ev, t->u.del.lblk * bs, t->u.del.len * bs, 0, 0);
}

static unsigned inode_diff(const struct e2fc_inode *a,
			   const struct e2fc_inode *b)
{
	unsigned ch = 0;

	if (a->mode != b->mode)
		ch |= E2FC_EV_CH_MODE;
	if (a->uid != b->uid)
		ch |= E2FC_EV_CH_UID;
	if (a->gid != b->gid)
		ch |= E2FC_EV_CH_GID;
	if (a->size != b->size)
		ch |= E2FC_EV_CH_SIZE;
	if (a->links != b->links)
		ch |= E2FC_EV_CH_LINKS;
	if (a->atime != b->atime || a->atime_ns != b->atime_ns)
		ch |= E2FC_EV_CH_ATIME;
	if (a->mtime != b->mtime || a->mtime_ns != b->mtime_ns)
		ch |= E2FC_EV_CH_MTIME;
	if (a->ctime != b->ctime || a->ctime_ns != b->ctime_ns)
		ch |= E2FC_EV_CH_CTIME;
	if (a->has_crtime != b->has_crtime || a->crtime != b->crtime ||
	    a->crtime_ns != b->crtime_ns)
		ch |= E2FC_EV_CH_CRTIME;
	if (a->flags != b->flags)
		ch |= E2FC_EV_CH_FLAGS;
	return ch;
}

/* the size of ino in this commit: the first INODE tag's "before" and
 * the last one's "after" */
static errcode_t note_size(struct builder *b, ext2_ino_t ino,
			   const struct e2fc_inode *old, uint64_t after,
			   unsigned tagi)
{
	struct sizes *s;
	unsigned i;

	for (i = 0; i < b->nsz; i++)
		if (b->sz[i].ino == ino)
			break;
	if (i == b->nsz) {
		if (e2fc_array_grow(&b->sz, &b->capsz, b->nsz + 1,
				    sizeof(*b->sz)))
			return EXT2_ET_NO_MEMORY;
		s = &b->sz[b->nsz++];
		memset(s, 0, sizeof(*s));
		s->ino = ino;
		/* the disk is newer than a commit that is not replayed:
		 * no truncate from comparing with it */
		s->have_before = old != NULL && (b->replayed ||
				 tagged_tid(b, ino));
		/* a freed inode used again is a new file, not a shorter one */
		if (old && (!old->links || old->dtime))
			s->have_before = 0;
		s->before = old ? old->size : 0;
	}
	b->sz[i].after = after;
	b->sz[i].tag = tagi;
	return 0;
}

static errcode_t add_inode(struct builder *b, unsigned tagi)
{
	const struct e2fc_tag *t = &b->fc->tags[tagi];
	ext2_ino_t ino = t->u.inode.ino;
	struct e2fc_inode now, *old = known_inode(b, ino);
	struct e2fc_event *ev;
	unsigned ch;
	void *prev;
	errcode_t err;

	e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &now);
	err = note_size(b, ino, old, now.size, tagi);
	if (err)
		return err;
	ch = old ? inode_diff(old, &now) : ~0U;
	if (ch) {
		ev = new_event(b, tagi, E2FC_EV_INODE, ino);
		if (!ev)
			return EXT2_ET_NO_MEMORY;
		ev->changed = ch & 0x3ff;
		ev->have_old = old != NULL;
		if (old)
			ev->old = *old;
	}
	if (!old) {
		old = malloc(sizeof(*old));
		if (!old)
			return EXT2_ET_NO_MEMORY;
		err = e2fc_imap_put(&b->state[b->replayed], ino, old, &prev);
		if (err) {
			free(old);
			return err;
		}
	}
	*old = now;
	return e2fc_imap_put(&b->tagged[b->replayed], ino,
			     (void *)(uintptr_t)((uint64_t)b->c->tid + 1), &prev);
}

/* a LINK and an UNLINK of one inode in one commit: one rename, at the
 * first of the two */
static void pair_renames(struct builder *b)
{
	struct e2fc_event *u, *l;
	unsigned i, k;

	for (i = b->first; i < b->e->n; i++) {
		u = &b->e->ev[i];
		if (u->action != E2FC_EV_UNLINK)
			continue;
		for (k = b->first; k < b->e->n; k++) {
			l = &b->e->ev[k];
			if (l->action == E2FC_EV_LINK && l->ino == u->ino)
				break;
		}
		if (k == b->e->n)
			continue;
		l->action = E2FC_EV_RENAME;
		l->old_parent = u->parent;
		l->old_name = u->name;
		u->name = NULL;
		if (u->tag < l->tag) {
			l->tag = u->tag;
			l->phys_offset = u->phys_offset;
		}
		u->action = (enum e2fc_ev_action)-1;	/* dropped below */
	}
}

/* size going down in a commit: a truncate (its DEL_RANGEs, if any) */
static errcode_t mark_truncates(struct builder *b)
{
	struct e2fc_event *ev;
	unsigned i;

	for (i = 0; i < b->nsz; i++) {
		const struct sizes *s = &b->sz[i];

		if (!s->have_before || s->after >= s->before ||
		    find_event(b, E2FC_EV_CREATE, s->ino))
			continue;
		ev = find_event(b, E2FC_EV_PUNCH, s->ino);
		if (!ev)
			ev = new_event(b, s->tag, E2FC_EV_TRUNCATE, s->ino);
		if (!ev)
			return EXT2_ET_NO_MEMORY;
		ev->action = E2FC_EV_TRUNCATE;
		ev->have_old = 1;
		ev->old.size = s->before;
	}
	return 0;
}

static int by_tag(const void *x, const void *y)
{
	const struct e2fc_event *a = x, *b = y;

	if (a->tag != b->tag)
		return a->tag < b->tag ? -1 : 1;
	return a->action < b->action ? -1 : a->action > b->action;
}

/* drop the paired UNLINKs, order by tag, give every event its state */
static void finish_commit(struct builder *b)
{
	struct e2fc_events *e = b->e;
	struct e2fc_inode *in;
	unsigned i, out = b->first;

	for (i = b->first; i < e->n; i++) {
		if (e->ev[i].action == (enum e2fc_ev_action)-1)
			continue;
		e->ev[out++] = e->ev[i];
	}
	e->n = out;
	if (e->n > b->first)	/* e->ev is NULL before the first event */
		qsort(e->ev + b->first, e->n - b->first, sizeof(*e->ev),
		      by_tag);
	for (i = b->first; i < e->n; i++) {
		in = known_inode(b, e->ev[i].ino);
		e->ev[i].have_state = in != NULL;
		if (in)
			e->ev[i].state = *in;
	}
}

static errcode_t add_commit(struct builder *b, const struct e2fc_commit *c)
{
	unsigned k;
	errcode_t err = 0;

	b->c = c;
	b->first = b->e->n;
	b->replayed = c->valid && c->index < b->fc->replay_commits;
	b->stale = c->reason == E2FC_ERR_FC_STALE;
	b->nsz = 0;
	for (k = c->first_tag; !err && k < c->first_tag + c->ntags; k++) {
		switch (b->fc->tags[k].tag) {
		case EXT4_FC_TAG_CREAT:
		case EXT4_FC_TAG_LINK:
		case EXT4_FC_TAG_UNLINK:
			err = add_dentry(b, k);
			break;
		case EXT4_FC_TAG_ADD_RANGE:
		case EXT4_FC_TAG_DEL_RANGE:
			err = add_extent(b, k);
			break;
		case EXT4_FC_TAG_INODE:
			err = add_inode(b, k);
			break;
		}
	}
	if (!err)
		err = mark_truncates(b);
	pair_renames(b);
	finish_commit(b);
	return err;
}

void e2fc_events_free(struct e2fc_events *e)
{
	unsigned i;

	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->ev[i].path);
		free(e->ev[i].old_path);
		free(e->ev[i].name);
		free(e->ev[i].old_name);
		free(e->ev[i].ranges);
	}
	free(e->ev);
	free(e);
}

errcode_t e2fc_events_build(ext2_filsys pre, ext2_filsys post,
			    const struct e2fc_journal *j,
			    const struct e2fc_log *log,
			    const struct e2fc_fc *fc,
			    struct e2fc_events **evp)
{
	struct builder b;
	errcode_t err = 0;
	unsigned i;

	memset(&b, 0, sizeof(b));
	b.pre = pre;
	b.j = j;
	b.log = log;
	b.fc = fc;
	b.e = calloc(1, sizeof(*b.e));
	if (!b.e)
		return EXT2_ET_NO_MEMORY;
	b.e->replayed = post != NULL;
	for (i = 0; !err && i < fc->ncommits; i++)
		err = add_commit(&b, &fc->commits[i]);
	e2fc_imap_free(&b.state[0], free);
	e2fc_imap_free(&b.state[1], free);
	e2fc_imap_free(&b.tagged[0], NULL);
	e2fc_imap_free(&b.tagged[1], NULL);
	free(b.sz);
	ext2fs_free_mem(&b.blk);
	if (!err)
		err = e2fc_events_resolve(b.e, pre, post, fc);
	if (err) {
		e2fc_events_free(b.e);
		return err;
	}
	*evp = b.e;
	return 0;
}

/* the tree after the replay, made in an overlay of image (*postp NULL
 * and the reason returned when there is none) */
static errcode_t replay_overlay(ext2_filsys pre, const char *image,
				const char *ext_journal, ext2_filsys *postp)
{
	struct e2fc_replay_opts opts;
	struct e2fc_replay_stats st;
	struct e2fc_loaded ld;
	ext2_filsys post;
	const char *what;
	errcode_t err;

	*postp = NULL;
	if (!ext2fs_has_feature_journal_needs_recovery(pre->super))
		return 0;
	err = ext2fs_open(image, EXT2_FLAG_64BITS | EXT2_FLAG_RW, 0, 0,
			  e2fc_overlay_io_manager, &post);
	if (err)
		return err;
	err = e2fc_load(post, ext_journal, E2FC_JOPEN_OVERLAY | E2FC_JOPEN_RW,
			&ld, &what);
	if (!err) {
		err = e2fc_journal_check_write(ld.j);
		memset(&opts, 0, sizeof(opts));
		opts.until_commit = ~0U;
		memset(&st, 0, sizeof(st));
		if (!err)
			err = e2fc_recover(&post, ld.j, ld.log, ld.fc, &opts,
					   &st);
		e2fc_unload(&ld);
	}
	if (err) {
		e2fc_fs_discard(&post);		/* an overlay */
		return err;
	}
	*postp = post;
	return 0;
}

errcode_t e2fc_events_collect(ext2_filsys pre, const struct e2fc_loaded *ld,
			      const char *image, const char *ext_journal,
			      struct e2fc_events **evp)
{
	ext2_filsys post = NULL;
	errcode_t rerr, err;

	rerr = replay_overlay(pre, image, ext_journal, &post);
	err = e2fc_events_build(pre, post, ld->j, ld->log, ld->fc, evp);
	if (!err)
		(*evp)->replay_err = rerr;
	e2fc_fs_discard(&post);	/* its overlay goes with it */
	return err;
}
